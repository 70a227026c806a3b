// Package loadgen is the engine of "stampede bench": a STOMP load
// generator that drives producers, consumers and idle connections (up to
// tens of thousands from one process) through one stampede.Engine, and
// measures what the broker does with them.
//
// # What a run does
//
// [Run] connects every connection of a [Scenario] with bounded
// concurrency (the connect storm is timed), subscribes the consumers and
// waits for their receipts, lets the producers send for the warm-up and
// then for the measured duration (or a message count), stops them, waits
// for the consumers to drain what is in flight, and returns a [Result]:
// rates, latency percentiles, loss and duplicates, errors by kind, process
// CPU and memory, and a per-second time series.
//
// # Open-loop sending, and what latency means
//
// With a rate, every producer sends on an absolute timeline: message i is
// due at start + i/rate, whatever happened to the ones before. When a send
// is late (the broker pushed back, the process was busy), the producer
// catches up instead of waiting politely, and the latency of the message
// is measured from when it was due, not from when it went out. A slow
// broker therefore shows up in the percentiles instead of slowing the
// load down: this is how coordinated omission is avoided. A producer
// sleeps at least 1 ms at a time and then sends every message due, so that
// at high rates one wake-up and one write carry several messages; latency
// then includes up to 1 ms of pacing (it still counts from the due time,
// and no message leaves early). Without a rate
// (as fast as possible) there is no schedule, and latency is measured from
// the moment the message was handed to the connection.
//
// # Payload, loss and duplicates
//
// Every body starts with a 32-byte header (see [payloadHeader]): a magic
// number, the run id, the producer, a sequence number and the send
// timestamp, followed by padding up to the message size. Consumers decode
// it; bodies of another run (left over in a durable queue) are counted as
// foreign and ignored. Each producer's sequence numbers are tracked by a
// sliding bitmap window (bounded memory): a sequence seen twice in the
// window is a duplicate. On a queue one window per producer is shared by
// all consumers; on a topic every consumer has its own window per
// producer, since each must see every message (expected = sent ×
// subscribers of the destination). Lost = expected − unique received
// after the drain.
//
// # Memory per connection
//
// Before connecting, Run forces a garbage collection and reads the Go heap
// and stack in use and the process RSS; it does the same once every
// connection is up (and subscribed), and divides the growth by the number
// of connections. Against the embedded broker the broker's side of each
// connection lives in the same process and is counted too.
package loadgen
