// Package reconnecttest provides test doubles for package reconnect: a
// deterministic fake [reconnect.Clock] and fixed sources of randomness for
// the Rand fields of the policies. It is meant for tests only.
package reconnecttest
