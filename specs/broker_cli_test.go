package specs_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
)

var _ = Describe("stampede broker (the command)", func() {
	var bin string
	BeforeEach(func() {
		bin = filepath.Join(GinkgoT().TempDir(), "stampede")
		build := exec.Command("go", "build", "-o", bin, module+"/cmd/stampede")
		build.Stderr = GinkgoWriter
		Expect(build.Run()).To(Succeed())
	})

	// startCLI runs the broker command and returns it with the address it
	// printed.
	var lastURLs []string // every URL the last started broker printed
	startCLI := func(args ...string) (*exec.Cmd, string) {
		GinkgoHelper()
		cmd := exec.Command(bin, append([]string{"broker", "--listen", "tcp://127.0.0.1:0"}, args...)...)
		cmd.Stderr = GinkgoWriter
		out, err := cmd.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		line, err := bufio.NewReader(out).ReadString('\n')
		Expect(err).NotTo(HaveOccurred())
		urls, ok := strings.CutPrefix(strings.TrimSpace(line), "stampede broker listening on ")
		Expect(ok).To(BeTrue(), "first line: %q", line)
		addr, ok := strings.CutPrefix(strings.Fields(urls)[0], "tcp://")
		Expect(ok).To(BeTrue(), "first line: %q", line)
		lastURLs = strings.Fields(urls)
		go func() { _, _ = bufio.NewReader(out).WriteTo(GinkgoWriter) }()
		return cmd, addr
	}

	DescribeTable("runs in the foreground and stops cleanly on a signal",
		func(sig os.Signal) {
			cmd, addr := startCLI("--login", "u", "--passcode", "p", "--heartbeat", "50ms")
			r, err := dialRawStomp(addr)
			Expect(err).NotTo(HaveOccurred())
			defer r.Close()
			f, err := r.Connect("1.2", codec.HdrLogin, "u", codec.HdrPasscode, "p", codec.HdrHeartBeat, "0,50")
			Expect(err).NotTo(HaveOccurred())
			Expect(f.Command).To(Equal(codec.Connected))
			Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("50,50"))
			Expect(cmd.Process.Signal(sig)).To(Succeed())
			Expect(r.ExpectEOF(10 * time.Second)).To(Succeed())
			Expect(cmd.Wait()).To(Succeed())
			Expect(cmd.ProcessState.ExitCode()).To(BeZero())
		},
		Entry("SIGINT", syscall.SIGINT),
		Entry("SIGTERM", syscall.SIGTERM),
	)

	It("refuses bad credentials when --login is given", func() {
		_, addr := startCLI("--login", "u", "--passcode", "p")
		r, err := dialRawStomp(addr)
		Expect(err).NotTo(HaveOccurred())
		defer r.Close()
		f, err := r.Connect("1.2", codec.HdrLogin, "u", codec.HdrPasscode, "wrong")
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Command).To(Equal(codec.Error))
	})

	It("fails at once, with a message, on a flag it cannot honour", func() {
		cmd := exec.Command(bin, "broker", "--listen", "127.0.0.1:0", "--ws", "http://127.0.0.1:0/ws")
		session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(session, 10*time.Second).Should(gexec.Exit(2))
		Expect(string(session.Err.Contents())).To(ContainSubstring("WebSocket"))
	})

	It("serves TLS and WebSocket clients with --tls and --ws", func() {
		startCLI("--tls", "127.0.0.1:0", "--ws", "ws://127.0.0.1:0/ws")
		Expect(lastURLs).To(HaveLen(3))
		eng := newEngine()
		for _, u := range lastURLs[1:] {
			c, err := stampede.Dial(ctxT(), u, stampede.WithEngine(eng), stampede.WithInsecureSkipVerify())
			Expect(err).NotTo(HaveOccurred(), u)
			Expect(c.Send(ctxT(), "/queue/cli", []byte(u), stampede.WithReceipt())).To(Succeed())
			Expect(c.Disconnect(ctxT())).To(Succeed())
		}
	})
})
