package specs_test

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/stampede-mq/stampede/broker"
)

// jsonLine is one line of "stampede subscribe --json".
type jsonLine struct {
	Destination string            `json:"destination"`
	Headers     map[string]string `json:"headers"`
	Body        *string           `json:"body"`
	BodyBase64  *string           `json:"body_base64"`
}

// The one-shot commands of the stampede binary (send, subscribe) for
// scripts and pipes, its help, and the exit codes scripts rely on.
var _ = Describe("stampede, the commands for scripts", func() {
	It("sends from arguments and pipes, and prints what arrives as blocks or JSON lines", func() {
		b := startBroker()
		ok := func(s *gexec.Session) {
			GinkgoHelper()
			Expect(s.ExitCode()).To(BeZero(), "stderr: %s", s.Err.Contents())
		}
		ok(runCLI("", "send", "--url", b.URL(), "/queue/p", "from the arguments", "--header", "x-kind:arg"))
		ok(runCLI("from a pipe", "send", "--url", b.URL(), "/queue/p", "-"))
		ok(runCLI("\x00\xffbinary", "send", "/queue/p", "--url", b.URL()))
		ok(runCLI("line one\nline two\n", "send", "--url", b.URL(), "--lines", "/queue/p", "--content-type", "text/plain"))

		s := runCLI("", "subscribe", "--url", b.URL(), "/queue/p", "--count", "1")
		ok(s)
		Expect(string(s.Out.Contents())).To(MatchRegexp(`^MESSAGE\n(\S+: .*\n)*x-kind: arg\n(\S+: .*\n)*\nfrom the arguments\n\n$`))

		s = runCLI("", "subscribe", "--url", b.URL(), "/queue/p", "--count", "4", "--json")
		ok(s)
		lines := strings.Split(strings.TrimSpace(string(s.Out.Contents())), "\n")
		Expect(lines).To(HaveLen(4))
		msgs := make([]jsonLine, len(lines))
		for i, l := range lines {
			Expect(json.Unmarshal([]byte(l), &msgs[i])).To(Succeed(), l)
		}
		Expect(msgs[0].Destination).To(Equal("/queue/p"))
		Expect(*msgs[0].Body).To(Equal("from a pipe"))
		Expect(msgs[1].Body).To(BeNil())
		Expect(base64.StdEncoding.DecodeString(*msgs[1].BodyBase64)).To(BeEquivalentTo("\x00\xffbinary"))
		Expect(*msgs[2].Body).To(Equal("line one"))
		Expect(*msgs[3].Body).To(Equal("line two"))
		Expect(msgs[3].Headers).To(HaveKeyWithValue("content-type", "text/plain"))
	})

	It("leaves on the broker the messages --count did not print", func() {
		b := startBroker()
		Expect(runCLI("a\nb\nc\n", "send", "--url", b.URL(), "--lines", "/queue/rest").ExitCode()).To(BeZero())
		s := runCLI("", "subscribe", "--url", b.URL(), "/queue/rest", "--count", "1")
		Expect(s.ExitCode()).To(BeZero())
		Expect(string(s.Out.Contents())).To(HaveSuffix("\n\na\n\n"))
		s = runCLI("", "subscribe", "--url", b.URL(), "/queue/rest", "--count", "2", "--json")
		Expect(s.ExitCode()).To(BeZero())
		Expect(string(s.Out.Contents())).To(ContainSubstring(`"body":"b"`))
		Expect(string(s.Out.Contents())).To(ContainSubstring(`"body":"c"`))
		s = runCLI("", "subscribe", "--url", b.URL(), "/queue/rest", "--timeout", "200ms", "--count", "1")
		Expect(s.ExitCode()).To(Equal(1))
		Expect(string(s.Err.Contents())).To(ContainSubstring("timed out after 200ms with 0 of 1 messages"))
	})

	It("works without a broker, over UDP multicast on the loopback interface", func() {
		port := strconv.Itoa(40000 + os.Getpid()%20000)
		mc := []string{"--multicast", "--multicast-interface", "lo", "--multicast-port", port}
		sub := startPiped(append([]string{"subscribe", "/topic/mc", "--count", "1", "--json"}, mc...)...)
		// The subscriber joins in its own time: send until it has heard.
		Eventually(func() string {
			Expect(runCLI("", append([]string{"send", "/topic/mc", "over the group"}, mc...)...).ExitCode()).To(BeZero())
			return sub.out()
		}, 10*time.Second, 100*time.Millisecond).Should(ContainSubstring(`"body":"over the group"`))
		Eventually(sub.Session, 5*time.Second).Should(gexec.Exit(0))

		shell := startPiped(mc...)
		shell.do("subscribe /topic/mc")
		shell.waitOut("Subscribing to '/topic/mc'")
		shell.do("begin")
		shell.do("send /topic/mc aborted")
		shell.do("abort")
		shell.do("sendrec /topic/mc to myself")
		shell.waitOut("\n\nto myself\n")
		Expect(shell.out()).NotTo(ContainSubstring("aborted\n"))
		Expect(shell.finish()).To(BeZero(), shell.errText())
	})

	DescribeTable("speaks STOMP over TLS and WebSocket too (RabbitMQ)",
		func(transport ...string) {
			rabbitMQ.mustBeUp()
			q := uniqueQueue("cli")
			login := []string{"-U", rabbitMQ.login, "-W", rabbitMQ.passcode, "--vhost", rabbitMQ.vhost}
			args := append(append(transport, login...), "-H", "127.0.0.1")
			s := runCLI("sendrec "+q+" across\n", args...)
			Expect(s.ExitCode()).To(BeZero(), "stderr: %s", s.Err.Contents())
			Expect(string(s.Out.Contents())).To(ContainSubstring("server: RabbitMQ/"))
			s = runCLI("", append([]string{"subscribe", q, "--count", "1", "--json"}, args...)...)
			Expect(s.ExitCode()).To(BeZero(), "stderr: %s", s.Err.Contents())
			Expect(string(s.Out.Contents())).To(ContainSubstring(`"body":"across"`))
		},
		Entry("TLS, verified with --ssl-ca-file", "--ssl", "-P", "61614",
			"--ssl-ca-file", filepath.Join(env("RMQ_DIR", "/tmp/stampede-rabbitmq"), "tls", "ca.pem")),
		Entry("WebSocket, --ws /ws", "--ws", "/ws", "-P", "15674"),
	)

	DescribeTable("prints help and exits 0",
		func(args, want string) {
			s := runCLI("", strings.Fields(args)...)
			Expect(s.ExitCode()).To(BeZero(), "stderr: %s", s.Err.Contents())
			Expect(string(s.Out.Contents())).To(ContainSubstring(want))
		},
		Entry("stampede --help", "--help", "usage: stampede [flags]"),
		Entry("stampede -h", "-h", "--ssl-ca-file"),
		Entry("stampede help", "help", "commands:"),
		Entry("stampede shell --help", "shell --help", "-L"),
		Entry("stampede send --help", "send --help", "usage: stampede send"),
		Entry("stampede subscribe -h", "subscribe -h", "--json"),
		Entry("stampede broker --help", "broker --help", "usage: stampede broker"),
		Entry("stampede version --help", "version --help", "usage: stampede version"),
		Entry("stampede help subscribe", "help subscribe", "usage: stampede subscribe"),
		Entry("stampede --version", "--version", "stampede "),
		Entry("stampede version", "version", "STOMP 1.0, 1.1, 1.2"),
	)

	DescribeTable("exits 2 on a usage error, saying why",
		func(args, want string) {
			s := runCLI("", strings.Fields(args)...)
			Expect(s.ExitCode()).To(Equal(2))
			Expect(string(s.Err.Contents())).To(ContainSubstring(want))
		},
		Entry("an unknown flag", "--nope", "flag provided but not defined: -nope"),
		Entry("an unknown command", "frobnicate", `unknown command "frobnicate"`),
		Entry("a bad protocol version", "-S 3.0", "--protocol"),
		Entry("bad heart-beats", "--heartbeats abc", "--heartbeats"),
		Entry("-F with -L", "-F x -L y", "cannot be used together"),
		Entry("a stray argument to the shell", "shell extra", `unexpected argument "extra"`),
		Entry("send without a destination", "send", "missing <destination>"),
		Entry("send with an unknown flag", "send --nope /q", "flag provided but not defined"),
		Entry("subscribe with a bad count", "subscribe /q --count x", "invalid value"),
		Entry("subscribe with a bad ack mode", "subscribe /q --ack sometimes", "--ack"),
		Entry("broker with an unknown flag", "broker --nope", "flag provided but not defined"),
	)

	Describe("exits 1 when it cannot connect", func() {
		var refused string
		BeforeEach(func() {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			Expect(err).NotTo(HaveOccurred())
			refused = "tcp://" + l.Addr().String()
			Expect(l.Close()).To(Succeed())
		})

		DescribeTable("on a refused connection",
			func(args string) {
				s := runCLI("", append(strings.Fields(args), "--url", refused)...)
				Expect(s.ExitCode()).To(Equal(1))
				Expect(string(s.Err.Contents())).To(ContainSubstring("cannot connect to " + refused))
			},
			Entry("the shell", "shell"),
			Entry("the shell with -L", "-L /queue/x"),
			Entry("send", "send /queue/x body"),
			Entry("subscribe", "subscribe /queue/x"),
		)

		DescribeTable("on refused credentials, never printing the password",
			func(args string, good int) {
				b := startBroker(broker.WithAuth("guest", "right"))
				s := runCLI("", append(strings.Fields(args), "--url", b.URL(), "-U", "guest", "-W", "wrong-pass")...)
				Expect(s.ExitCode()).To(Equal(1))
				Expect(string(s.Err.Contents())).To(ContainSubstring("cannot connect to " + b.URL() + ": stampede: server error"))
				Expect(string(s.Out.Contents()) + string(s.Err.Contents())).NotTo(ContainSubstring("wrong-pass"))

				url := strings.Replace(b.URL(), "tcp://", "tcp://guest:wrong-pass@", 1)
				s = runCLI("", append(strings.Fields(args), "--url", url)...)
				Expect(s.ExitCode()).To(Equal(1))
				Expect(string(s.Err.Contents())).To(ContainSubstring("cannot connect to tcp://guest:xxxxx@"))
				Expect(string(s.Out.Contents()) + string(s.Err.Contents())).NotTo(ContainSubstring("wrong-pass"))

				s = runCLI("", append(strings.Fields(args), "--url", b.URL(), "-U", "guest", "-W", "right")...)
				Expect(s.ExitCode()).To(Equal(good), "stderr: %s", s.Err.Contents())
				Expect(string(s.Err.Contents())).NotTo(ContainSubstring("cannot connect"))
			},
			Entry("the shell (0 with the right ones)", "-V", 0),
			Entry("send (0 with the right ones)", "send /queue/x body", 0),
			Entry("subscribe (1 with the right ones: nothing arrives in time)", "subscribe /queue/nothing --count 1 --timeout 50ms", 1),
		)
	})
})
