package multicast_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stampede-mq/stampede/handlers"
	"github.com/stampede-mq/stampede/multicast"
)

// childEnv, when set to "group port name", makes the test binary run as a
// member in its own process instead of running the tests (see TestMain).
const childEnv = "MULTICAST_TEST_MEMBER"

// Members in separate processes share one group and port on one host
// (address and port reuse): the parent pings, each child answers.
func TestMembersInSeparateProcesses(t *testing.T) {
	t.Parallel()
	g, p := newGroup(t)
	parent := member(t, g, p)
	pongs, _ := subscribe(t, parent, "/queue/pong")

	names := []string{"child-1", "child-2"}
	var children []*exec.Cmd
	for _, name := range names {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %s", childEnv, g, p, name))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children = append(children, cmd)
		ready := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(out).ReadString('\n')
			ready <- strings.TrimSpace(line)
		}()
		select {
		case line := <-ready:
			if line != "ready" {
				t.Fatalf("%s said %q, want ready", name, line)
			}
		case <-time.After(waitTimeout):
			t.Fatalf("%s did not get ready", name)
		}
	}

	send(t, parent, "/queue/ping", "ping")
	got := map[string]bool{}
	for range names {
		m := pongs.next(t)
		got[string(m.Body())] = true
		if m.Header(multicast.HdrSender) == parent.InstanceID() {
			t.Errorf("a pong came from the parent")
		}
	}
	for _, name := range names {
		if !got[name+": ping"] {
			t.Errorf("no answer from %s; got %v", name, got)
		}
	}
	for i, cmd := range children {
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s: %v", names[i], err)
		}
	}
}

// runChild is a member in a child process: it subscribes to /queue/ping,
// says ready, answers one ping on /queue/pong and exits 0.
func runChild(spec string) int {
	var group, name string
	var port int
	if _, err := fmt.Sscanf(spec, "%s %d %s", &group, &port, &name); err != nil {
		fmt.Fprintln(os.Stderr, "bad member spec:", spec, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	c, err := multicast.Dial(ctx, loopOpts(group, port)...)
	if err != nil {
		fmt.Fprintln(os.Stderr, name, err)
		return 1
	}
	defer c.Close()
	pings := make(chan string, 1)
	h := handlers.HandlerFunc(func(_ context.Context, m *handlers.Message) error {
		select {
		case pings <- string(m.Body()):
		default:
		}
		return nil
	})
	if _, err := c.Subscribe(ctx, "/queue/ping", h); err != nil {
		fmt.Fprintln(os.Stderr, name, err)
		return 1
	}
	fmt.Println("ready")
	select {
	case ping := <-pings:
		if err := c.Send(ctx, "/queue/pong", []byte(name+": "+ping)); err != nil {
			fmt.Fprintln(os.Stderr, name, err)
			return 1
		}
		return 0
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, name, "no ping in", strconv.Quote(waitTimeout.String()))
		return 1
	}
}
