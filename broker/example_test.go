package broker_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/stampede-mq/stampede/broker"
)

// A broker on a free port of the loopback interface, and a client that
// connects to it with nothing but a socket.
func Example() {
	b, err := broker.Start(broker.WithListen("127.0.0.1:0"))
	if err != nil {
		panic(err)
	}
	defer b.Shutdown(context.Background())
	fmt.Println(strings.HasPrefix(b.URL(), "tcp://127.0.0.1:"))

	nc, err := net.Dial("tcp", b.Addr().String())
	if err != nil {
		panic(err)
	}
	defer nc.Close()
	fmt.Fprint(nc, "CONNECT\naccept-version:1.2\nhost:/\n\n\x00")
	line, _ := bufio.NewReader(nc).ReadString('\n')
	fmt.Print(line)
	// Output:
	// true
	// CONNECTED
}
