// Command multicast-discovery shows broker-less service discovery over STOMP
// on UDP multicast: every member offers a small TCP service, announces its
// name and the service's address on /topic/discovery, and learns the other
// members from their announcements.
//
//	multicast-discovery -name alice -members 3 &
//	multicast-discovery -name bob -members 3 &
//	multicast-discovery -name carol -members 3
//
// Each member prints a line when it has learned the other members-1, and
// exits 0 once every member it knows has announced that it knows everybody
// too (so that a member that joined late still hears the early ones before
// they leave). It exits 1 when -timeout passes first, and 2 on bad flags.
//
// A member announces itself every -interval and, at once, whenever it
// learns a new member, so a newcomer hears from everybody within a round
// trip. Members on one host share the group's port (address and port
// reuse); -iface lo keeps the traffic on the host.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

const topic = "/topic/discovery"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// announcement is the body of a discovery message.
type announcement struct {
	Name  string   `json:"name"`
	Addr  string   `json:"addr"`
	Knows []string `json:"knows"` // names of the members it has learned
}

type settings struct {
	group, iface, name, addr string
	port, members            int
	timeout, interval        time.Duration
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	addr, closeService, err := serve(s)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeService()

	conn, err := multicast.Dial(ctx,
		multicast.WithGroup(s.group),
		multicast.WithPort(s.port),
		multicast.WithInterface(s.iface),
	)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer conn.Close()

	d := &directory{self: s.name, want: s.members - 1, changed: make(chan struct{}, 1)}
	h := handlers.HandlerFunc(func(_ context.Context, m *handlers.Message) error {
		if m.Header(multicast.HdrSender) == conn.InstanceID() {
			return nil // our own announcement, looped back
		}
		var a announcement
		if err := json.Unmarshal(m.Body(), &a); err != nil || a.Name == "" {
			return fmt.Errorf("bad announcement %q: %v", m.Body(), err)
		}
		d.learn(a)
		return nil
	})
	if _, err := conn.Subscribe(ctx, topic, h); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	printed := false
	for {
		knows := d.known()
		body, _ := json.Marshal(announcement{Name: s.name, Addr: addr, Knows: knows})
		if err := conn.Send(ctx, topic, body, multicast.WithContentType("application/json")); err != nil && ctx.Err() == nil {
			fmt.Fprintln(stderr, "announce:", err)
		}
		if !printed && len(knows) >= d.want {
			printed = true
			fmt.Fprintf(stdout, "%s learned %d others: %s\n", s.name, len(knows), d.describe())
		}
		if printed && d.everybodyKnowsEverybody() {
			fmt.Fprintf(stdout, "%s: every member knows every other, leaving\n", s.name)
			return 0
		}
		select {
		case <-tick.C:
		case <-d.changed:
		case <-ctx.Done():
			fmt.Fprintf(stderr, "%s: gave up after %v, learned %d of %d: %s\n", s.name, s.timeout, len(d.known()), d.want, d.describe())
			return 1
		}
	}
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	var s settings
	fs := flag.NewFlagSet("multicast-discovery", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host, _ := os.Hostname()
	fs.StringVar(&s.group, "group", "239.255.77.1", "multicast group")
	fs.IntVar(&s.port, "port", 47777, "UDP port of the group")
	fs.StringVar(&s.iface, "iface", "lo", `network interface ("" for the system's choice)`)
	fs.StringVar(&s.name, "name", fmt.Sprintf("%s-%d", host, os.Getpid()), "this member's name, unique in the group")
	fs.StringVar(&s.addr, "addr", "127.0.0.1:0", "address of this member's TCP service")
	fs.IntVar(&s.members, "members", 3, "number of members, this one included")
	fs.DurationVar(&s.timeout, "timeout", 10*time.Second, "give up after this long")
	fs.DurationVar(&s.interval, "interval", 200*time.Millisecond, "time between announcements")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	var bad []string
	if s.members < 2 {
		bad = append(bad, "-members must be at least 2")
	}
	if s.name == "" {
		bad = append(bad, "-name must not be empty")
	}
	if s.timeout <= 0 || s.interval <= 0 {
		bad = append(bad, "-timeout and -interval must be positive")
	}
	if len(bad) > 0 {
		err := errors.New(strings.Join(bad, "; "))
		fmt.Fprintln(stderr, err)
		return s, err
	}
	return s, nil
}

// serve starts the member's service: a TCP listener that answers every
// connection with the member's name. It returns the address to announce
// and a function that stops the service and waits for it.
func serve(s settings) (string, func(), error) {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return "", nil, fmt.Errorf("service: %w", err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			fmt.Fprintln(c, s.name)
			c.Close()
		}
	})
	return ln.Addr().String(), func() { ln.Close(); wg.Wait() }, nil
}

// directory is what a member has learned. learn runs on the connection's
// dispatcher goroutine, the other methods on the main one.
type directory struct {
	self    string
	want    int
	changed chan struct{} // signalled when a member is new or knows more

	mu    sync.Mutex
	peers map[string]announcement // the latest announcement of each member
}

func (d *directory) learn(a announcement) {
	d.mu.Lock()
	if d.peers == nil {
		d.peers = make(map[string]announcement)
	}
	prev, known := d.peers[a.Name]
	d.peers[a.Name] = a
	d.mu.Unlock()
	if !known || len(prev.Knows) != len(a.Knows) {
		select {
		case d.changed <- struct{}{}:
		default:
		}
	}
}

// known returns the names of the members learned, sorted.
func (d *directory) known() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make([]string, 0, len(d.peers))
	for n := range d.peers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// describe lists the members learned with their service addresses.
func (d *directory) describe() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	parts := make([]string, 0, len(d.peers))
	for n, a := range d.peers {
		parts = append(parts, n+" at "+a.Addr)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// everybodyKnowsEverybody reports whether every member learned has
// announced that it knows all the others, this one included.
func (d *directory) everybodyKnowsEverybody() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.peers) < d.want {
		return false
	}
	for _, a := range d.peers {
		if len(a.Knows) < d.want || !slices.Contains(a.Knows, d.self) {
			return false
		}
	}
	return true
}
