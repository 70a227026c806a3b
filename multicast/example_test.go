package multicast_test

import (
	"context"
	"fmt"
	"time"

	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

// Two members of a group on the loopback interface: Bob subscribes, Alice
// sends with a receipt.
func Example() {
	ctx := context.Background()
	opts := []multicast.Option{
		multicast.WithGroup("239.255.42.99"),
		multicast.WithPort(42999),
		multicast.WithInterface("lo"),
	}
	alice, err := multicast.Dial(ctx, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer alice.Close()
	bob, err := multicast.Dial(ctx, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bob.Close()

	got := make(chan string, 1)
	_, err = bob.Subscribe(ctx, "/topic/greetings", handlers.HandlerFunc(func(_ context.Context, m *handlers.Message) error {
		select {
		case got <- fmt.Sprintf("%s on %s: %s", m.Destination(), m.Subscription, m.Body()):
		default: // only the first one is printed
		}
		return nil
	}), multicast.WithID("greetings"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := alice.Send(ctx, "/topic/greetings", []byte("hello, bob"), multicast.WithReceipt()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sent, receipt produced locally")
	select {
	case s := <-got:
		fmt.Println(s)
	case <-time.After(5 * time.Second):
		fmt.Println("nothing arrived")
	}
	// Output:
	// sent, receipt produced locally
	// /topic/greetings on greetings: hello, bob
}
