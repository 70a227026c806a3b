package reconnect_test

import (
	"fmt"
	"time"

	"github.com/stampede-mq/stampede/reconnect"
)

// The default policy reproduces stomp.py: 0.1 s, growing by 50% per failed
// round, plus up to 10% jitter, and three retries. With Rand fixed at 0.5
// every delay gets exactly 5% of jitter.
func Example() {
	policy := reconnect.DefaultBackoff()
	policy.Rand = func() float64 { return 0.5 }

	for attempt := 1; ; attempt++ {
		delay, ok := policy.Next(attempt)
		if !ok {
			fmt.Printf("after %d failed rounds: give up\n", attempt)
			break
		}
		fmt.Printf("after %d failed rounds: wait %v\n", attempt, delay)
	}
	// Output:
	// after 1 failed rounds: wait 105ms
	// after 2 failed rounds: wait 157.5ms
	// after 3 failed rounds: wait 236.25ms
	// after 4 failed rounds: give up
}

// Once the growth reaches Max the delay stays there; jitter is added on
// top, so with Rand at its upper end a capped delay approaches 66 s.
func ExampleBackoff_cap() {
	policy := reconnect.DefaultBackoff()
	policy.Attempts = reconnect.Forever
	policy.Rand = func() float64 { return 0 }
	for _, attempt := range []int{16, 17, 100} {
		delay, _ := policy.Next(attempt)
		fmt.Println(attempt, delay.Round(time.Millisecond))
	}
	policy.Rand = func() float64 { return 1 }
	delay, _ := policy.Next(100)
	fmt.Println("max jitter:", delay)
	// Output:
	// 16 43.789s
	// 17 1m0s
	// 100 1m0s
	// max jitter: 1m6s
}

func ExampleOrder() {
	hosts, err := reconnect.ParseHostList("broker1:61613, mybox:61613, [::1]:61614")
	if err != nil {
		fmt.Println(err)
		return
	}
	opts := reconnect.DefaultOrderOptions()
	opts.Hostname = func() (string, error) { return "mybox", nil }
	for _, h := range reconnect.Order(hosts, opts) {
		fmt.Println(h)
	}
	// Output:
	// mybox:61613
	// 127.0.0.1:61613
	// [::1]:61614
	// broker1:61613
}

func ExampleParseHost() {
	_, err := reconnect.ParseHost("::1:61613")
	fmt.Println(err)
	// Output:
	// reconnect: invalid host "::1:61613": IPv6 address must be in brackets, as in [::1]:61613
}
