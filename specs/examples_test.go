package specs_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// exampleNames are the programs under examples/, every one of which the
// specs below build and run.
var exampleNames = []string{
	"pubsub", "request-reply", "work-queue", "middleware", "custom-executor",
	"fanout-10k", "websocket", "tls", "graceful-shutdown", "multicast-discovery",
}

type exampleBuild struct {
	once sync.Once
	path string
	err  error
}

var exampleBuilds sync.Map // name → *exampleBuild

// exampleBinary builds examples/<name> once for the suite and returns its
// path. It goes next to the stampede binary, whose directory the suite
// removes after the last spec.
func exampleBinary(name string) string {
	GinkgoHelper()
	v, _ := exampleBuilds.LoadOrStore(name, &exampleBuild{})
	b := v.(*exampleBuild)
	b.once.Do(func() {
		b.path = filepath.Join(filepath.Dir(stampedeBinary()), "example-"+name)
		build := exec.Command("go", "build", "-o", b.path, module+"/examples/"+name)
		build.Stderr = GinkgoWriter
		b.err = build.Run()
	})
	Expect(b.err).NotTo(HaveOccurred(), "building examples/%s", name)
	return b.path
}

// startExample runs an example; it is killed when the spec ends if it is
// still running. Its output is copied to GinkgoWriter, shown on failure.
func startExample(name string, args ...string) *gexec.Session {
	GinkgoHelper()
	s, err := gexec.Start(exec.Command(exampleBinary(name), args...), GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { s.Kill().Wait(5 * time.Second) })
	return s
}

// runExample runs an example to its end, expects exit code 0 and returns
// its stdout lines but the first, which names the broker and its port.
func runExample(name string, args ...string) []string {
	GinkgoHelper()
	s := startExample(name, args...)
	Eventually(s, 60*time.Second).Should(gexec.Exit(0), "examples/%s %q", name, args)
	lines := strings.Split(strings.TrimRight(string(s.Out.Contents()), "\n"), "\n")
	Expect(lines[0]).To(HavePrefix("broker: "))
	return lines[1:]
}

// peerFlags are the broker flags of the examples for a real peer.
func peerFlags(p *peer) []string {
	flags := []string{"-url", "tcp://" + p.addr, "-login", p.login, "-passcode", p.passcode}
	if p.vhost != "" {
		flags = append(flags, "-vhost", p.vhost)
	}
	return flags
}

var _ = Describe("the examples", func() {
	Describe("against the embedded broker each starts in its own process (the default)", func() {
		It("pubsub: every subscriber receives every message, in order", func() {
			Expect(runExample("pubsub", "-count", "50", "-subscribers", "3")).To(Equal([]string{
				"published 50 messages to /topic/stampede.pubsub",
				"subscriber 1 received 50/50 in order",
				"subscriber 2 received 50/50 in order",
				"subscriber 3 received 50/50 in order",
			}))
		})

		DescribeTable("request-reply: every reply on the temp queue is matched to its request",
			func(extra ...string) {
				want := []string{"responder serves /queue/stampede.rpc.upper"}
				for i := 1; i <= 10; i++ {
					want = append(want, fmt.Sprintf(`request %d: "hello %d" -> "HELLO %d"`, i, i, i))
				}
				want = append(want, "replies 10/10, each matched to its request by correlation-id")
				Expect(runExample("request-reply", append([]string{"-requests", "10"}, extra...)...)).To(Equal(want))
			},
			Entry("through the unhandled route (RabbitMQ's way)"),
			Entry("on an explicit subscription to the temp queue (ActiveMQ's way)", "-subscribe-reply"),
		)

		It("work-queue: every job is done and acknowledged once, failures redelivered", func() {
			lines := runExample("work-queue", "-jobs", "50", "-workers", "3", "-prefetch", "5", "-fail-every", "5")
			Expect(lines).To(HaveLen(5))
			Expect(lines[:4]).To(Equal([]string{
				"3 workers on /queue/stampede.work, client-individual acks, prefetch 5",
				"queued 50 jobs",
				"done 50/50 jobs, each acknowledged once",
				"failed 10 times, NACKed and redelivered 10 times",
			}))
			Expect(lines[4]).To(MatchRegexp(`^jobs per worker: \d+ \d+ \d+$`))
		})

		It("middleware: recover, log, retry, timeout and metrics each do their part", func() {
			Expect(runExample("middleware", "-rounds", "2", "-timeout-per-job", "200ms")).To(Equal([]string{
				"pipeline: report > metrics > log > recover > retry > timeout > handler",
				"job 1 (ok): handled",
				"job 2 (flaky): attempt 1 failed (flaky: the first attempt fails), retrying",
				"job 2 (flaky): handled on attempt 2",
				`job 3 (panic): panic recovered: "nil map write, say"`,
				"job 4 (poison): permanent failure, not retried: malformed job",
				"job 5 (slow): timed out after 200ms, not retried",
				"job 6 (ok): handled",
				"job 7 (flaky): attempt 1 failed (flaky: the first attempt fails), retrying",
				"job 7 (flaky): handled on attempt 2",
				`job 8 (panic): panic recovered: "nil map write, say"`,
				"job 9 (poison): permanent failure, not retried: malformed job",
				"job 10 (slow): timed out after 200ms, not retried",
				"metrics: handled 10, failed 6, in flight 0",
			}))
		})

		DescribeTable("custom-executor: one connection's handlers run in parallel on the executor plugged in",
			func(executor, what string, limit int) {
				lines := runExample("custom-executor", "-executor", executor, "-messages", "100", "-workers", "4", "-prefetch", "16", "-work", "5ms")
				Expect(lines).To(HaveLen(3))
				Expect(lines[0]).To(Equal("executor: " + what))
				Expect(lines[1]).To(Equal("handled 100/100, each acknowledged"))
				Expect(lines[2]).To(MatchRegexp(`^handlers in parallel: up to \d+ at once \(limit %d\)$`, limit))
			},
			Entry("loop.NewPool", "pool", "loop.Pool, 4 workers, queue of 32 tasks", 4),
			Entry("a pool of the program's own", "own", "the program's own pool, 4 workers, queue of 32 tasks", 4),
			Entry("loop.ExecutorFunc", "func", "loop.ExecutorFunc, a goroutine per message", 16),
		)

		It("fanout-10k: every connection receives every message (a small count in-process)", func() {
			Expect(runExample("fanout-10k", "-conns", "300", "-messages", "5")).To(Equal([]string{
				"connections: 300",
				"connected 300/300, each subscribed to /topic/stampede.fanout",
				"published 5 messages",
				"received 1500/1500 (5 messages x 300 connections), every connection all 5",
				"disconnected 300/300",
			}))
		})

		It("fanout-10k: defaults to 1,000 connections with the broker in the same process, and says why", func() {
			Expect(runExample("fanout-10k", "-messages", "1")).To(Equal([]string{
				"connections: 1000 (10000 with -url: the embedded broker shares this process's file descriptors)",
				"connected 1000/1000, each subscribed to /topic/stampede.fanout",
				"published 1 messages",
				"received 1000/1000 (1 messages x 1000 connections), every connection all 1",
				"disconnected 1000/1000",
			}))
		})

		DescribeTable("websocket: a round trip over the embedded broker's WebSocket listener",
			func(extra ...string) {
				Expect(runExample("websocket", append([]string{"-count", "20"}, extra...)...)).To(Equal([]string{
					"connected over WebSocket, STOMP 1.2",
					"sent 20 messages to /queue/stampede.websocket",
					"received 20/20 in order",
				}))
			},
			Entry("text messages"),
			Entry("binary messages", "-binary"),
		)

		It("tls: refuses the broker's certificate untrusted, and verifies it trusted", func() {
			Expect(runExample("tls", "-count", "10")).To(Equal([]string{
				"without the broker's certificate authority: refused (certificate signed by unknown authority)",
				`connected over TLS 1.3, certificate of "stampede embedded broker" verified`,
				"received 10/10",
			}))
		})

		DescribeTable("graceful-shutdown: finishes its work and disconnects cleanly on a signal",
			func(sig os.Signal, name string) {
				s := startExample("graceful-shutdown", "-work", "20ms")
				Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`ready: working on /queue/stampede.jobs \(pid \d+\); stop with SIGTERM or Ctrl-C\n`))
				Eventually(s.Out, 10*time.Second).Should(gbytes.Say("first job started\nfirst job done\n"))
				s.Signal(sig)
				Eventually(s, 10*time.Second).Should(gexec.Exit(0))
				Expect(s.Out).To(gbytes.Say(regexp.QuoteMeta(name+" signal received\nstopped taking jobs\nin-flight jobs finished\ndisconnected cleanly\n") + `goodbye: \d+ jobs done\n$`))
			},
			Entry("SIGTERM", syscall.SIGTERM, "terminated"),
			Entry("SIGINT", syscall.SIGINT, "interrupt"),
		)

		It("graceful-shutdown: fails when the work in progress outlasts the grace period", func() {
			s := startExample("graceful-shutdown", "-work", "5s", "-grace", "100ms")
			Eventually(s.Out, 10*time.Second).Should(gbytes.Say("first job started\n"))
			s.Signal(syscall.SIGTERM)
			Eventually(s, 10*time.Second).Should(gexec.Exit(1))
			Expect(s.Err).To(gbytes.Say("still in progress"))
		})

		It("multicast-discovery: three members announce their service and learn each other", func() {
			pc, err := net.ListenPacket("udp4", "0.0.0.0:0")
			Expect(err).NotTo(HaveOccurred())
			port := fmt.Sprint(pc.LocalAddr().(*net.UDPAddr).Port)
			Expect(pc.Close()).To(Succeed())
			group := fmt.Sprintf("239.253.%d.%d", os.Getpid()%250, 1+os.Getpid()/250%250)
			names := []string{"alice", "bob", "carol"}
			sessions := make([]*gexec.Session, len(names))
			for i, name := range names {
				sessions[i] = startExample("multicast-discovery", "-group", group, "-port", port, "-iface", "lo",
					"-name", name, "-members", "3", "-interval", "50ms", "-timeout", "20s")
			}
			for i, name := range names {
				Eventually(sessions[i], 30*time.Second).Should(gexec.Exit(0), name)
				out := string(sessions[i].Out.Contents())
				Expect(out).To(ContainSubstring(name + " learned 2 others: "))
				for _, other := range names {
					if other != name {
						Expect(out).To(MatchRegexp(`%s at 127\.0\.0\.1:\d+`, other))
					}
				}
				Expect(out).To(ContainSubstring(name + ": every member knows every other, leaving"))
			}
		})

		It("every example exits 2 on a flag it does not know", func() {
			for _, name := range exampleNames {
				s := startExample(name, "-no-such-flag")
				Eventually(s, 10*time.Second).Should(gexec.Exit(2), name)
				Expect(s.Err).To(gbytes.Say("flag provided but not defined"), name)
			}
		})
	})

	It("fanout-10k: 10,000 connections against `stampede broker` in a process of its own", Label("scale"), func() {
		addr := brokerProcess()
		s := startExample("fanout-10k", "-url", "tcp://"+addr, "-messages", "3")
		Eventually(s, 3*time.Minute).Should(gexec.Exit(0))
		Expect(strings.Split(strings.TrimRight(string(s.Out.Contents()), "\n"), "\n")[1:]).To(Equal([]string{
			"connections: 10000",
			"connected 10000/10000, each subscribed to /topic/stampede.fanout",
			"published 3 messages",
			"received 30000/30000 (3 messages x 10000 connections), every connection all 3",
			"disconnected 10000/10000",
		}))
	})

	// The same programs against the real brokers, with the flags their
	// differences call for: ActiveMQ delivers nothing on a temp queue
	// nobody subscribed to, and dead-letters a NACKed message.
	DescribeTable("against a real broker, given by -url",
		func(p *peer) {
			p.mustBeUp()
			activeMQ := !p.features.nackRequeues
			flags := peerFlags(p)

			Expect(runExample("pubsub", append(flags, "-count", "20", "-dest", uniqueTopic("ex-pubsub"))...)).
				To(ContainElement("subscriber 3 received 20/20 in order"))

			rr := append(flags, "-requests", "5", "-service", uniqueQueue("ex-rpc"))
			if activeMQ {
				rr = append(rr, "-subscribe-reply")
			}
			Expect(runExample("request-reply", rr...)).To(ContainElement("replies 5/5, each matched to its request by correlation-id"))

			failEvery := "5"
			if activeMQ {
				failEvery = "0"
			}
			Expect(runExample("work-queue", append(flags, "-jobs", "30", "-fail-every", failEvery, "-queue", uniqueQueue("ex-work"))...)).
				To(ContainElement("done 30/30 jobs, each acknowledged once"))

			Expect(runExample("middleware", append(flags, "-queue", uniqueQueue("ex-mw"))...)).
				To(ContainElement("metrics: handled 5, failed 3, in flight 0"))

			Expect(runExample("custom-executor", append(flags, "-messages", "50", "-work", "2ms", "-queue", uniqueQueue("ex-exec"))...)).
				To(ContainElement("handled 50/50, each acknowledged"))

			Expect(runExample("fanout-10k", append(flags, "-conns", "100", "-messages", "3", "-topic", uniqueTopic("ex-fanout"))...)).
				To(ContainElement("received 300/300 (3 messages x 100 connections), every connection all 3"))

			s := startExample("graceful-shutdown", append(flags, "-queue", uniqueQueue("ex-shutdown"), "-work", "5ms")...)
			Eventually(s.Out, 20*time.Second).Should(gbytes.Say("first job done\n"))
			s.Signal(syscall.SIGTERM)
			Eventually(s, 20*time.Second).Should(gexec.Exit(0))
			Expect(s.Out).To(gbytes.Say("disconnected cleanly\ngoodbye: "))
		},
		Entry("RabbitMQ", rabbitMQ),
		Entry("ActiveMQ", activeMQ),
	)

	It("websocket against RabbitMQ Web-STOMP", func() {
		rabbitMQ.mustBeUp()
		lines := runExample("websocket", "-url", "ws://"+rabbitWS+"/ws", "-login", rabbitMQ.login, "-passcode", rabbitMQ.passcode,
			"-vhost", rabbitMQ.vhost, "-queue", uniqueQueue("ex-ws"), "-count", "10")
		Expect(lines).To(ContainElements("connected over WebSocket, STOMP 1.2", "received 10/10 in order"))
	})
})
