package specs_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/broker"
)

// peer is a real STOMP server the specs run against, with the documented
// differences between brokers as feature flags: the suite states a
// difference instead of skipping a spec.
type peer struct {
	name     string
	server   string // what the server header of CONNECTED starts with
	addr     string // host:port of plain STOMP
	login    string
	passcode string
	vhost    string // the host header CONNECT needs; "" = the dialed host
	features features
}

type features struct {
	// nackRequeues: a NACK puts the message back (RabbitMQ); otherwise it
	// goes to a dead-letter queue (ActiveMQ).
	nackRequeues bool
	// escapes10: the server escapes header values even on STOMP 1.0
	// (RabbitMQ does).
	escapes10 bool
	// heartBeatFloor: the server raises heart-beat intervals below it.
	heartBeatFloor time.Duration
	// redeliveredHeader: redeliveries carry redelivered:true.
	redeliveredHeader bool
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

var (
	// embedded is the embedded broker, started once for the suite (its
	// address is known after BeforeSuite).
	embedded = &peer{
		name:     "embedded",
		server:   "stampede/",
		login:    "guest",
		passcode: "guest",
		features: features{nackRequeues: true, redeliveredHeader: true},
	}
	rabbitMQ = &peer{
		name:     "RabbitMQ",
		server:   "RabbitMQ/",
		addr:     env("STAMPEDE_RABBITMQ", "127.0.0.1:61613"),
		login:    "guest",
		passcode: "guest",
		vhost:    "/",
		features: features{nackRequeues: true, escapes10: true, heartBeatFloor: time.Second, redeliveredHeader: true},
	}
	activeMQ = &peer{
		name:     "ActiveMQ",
		server:   "ActiveMQ/",
		addr:     env("STAMPEDE_ACTIVEMQ", "127.0.0.1:61623"),
		login:    "guest",
		passcode: "guest",
		features: features{nackRequeues: false, redeliveredHeader: true},
	}
)

// options returns the connection options for p.
func (p *peer) options(extra ...stampede.Option) []stampede.Option {
	opts := []stampede.Option{stampede.WithLogin(p.login, p.passcode)}
	if p.vhost != "" {
		opts = append(opts, stampede.WithHost(p.vhost))
	}
	return append(opts, extra...)
}

// mustBeUp fails the spec loudly when the peer does not accept connections:
// `make test` starts the brokers; a spec never skips.
func (p *peer) mustBeUp() {
	nc, err := net.DialTimeout("tcp", p.addr, 2*time.Second)
	Expect(err).NotTo(HaveOccurred(), "%s is not reachable at %s: start it with scripts/brokers/all.sh start (make test does)", p.name, p.addr)
	nc.Close()
}

var destSeq atomic.Uint64

// uniqueQueue returns a queue name no other spec uses.
func uniqueQueue(prefix string) string {
	return fmt.Sprintf("/queue/stampede-%s-%d-%d", prefix, os.Getpid(), destSeq.Add(1))
}

// uniqueTopic returns a topic name no other spec uses.
func uniqueTopic(prefix string) string {
	return fmt.Sprintf("/topic/stampede-%s-%d-%d", prefix, os.Getpid(), destSeq.Add(1))
}

// suiteBroker is the embedded broker every spec that names the embedded
// peer talks to. It starts before the first spec, so its goroutines are
// part of every spec's leak baseline, and stops after the last.
var suiteBroker *broker.Broker

var _ = BeforeSuite(func() {
	b, err := broker.Start(broker.WithLoops(2), broker.WithAuth("guest", "guest"))
	Expect(err).NotTo(HaveOccurred())
	suiteBroker = b
	embedded.addr = b.Addr().String()
	DeferCleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(b.Shutdown(ctx)).To(Succeed())
	})
})
