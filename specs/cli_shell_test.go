package specs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/stampede-mq/stampede/codec"
)

// The shell of the stampede binary (stomp.py's CLI), driven through a
// command script (-F) and through a pipe, against the embedded broker.
var _ = Describe("stampede, the shell, on scripts and pipes", func() {
	It("runs a command script given with -F and exits 0", func() {
		b := startBroker()
		r, _ := connect(b, "1.2")
		subscribe(r, "/queue/script", "s1")
		dir := GinkgoT().TempDir()
		inner := filepath.Join(dir, "inner.stomp")
		Expect(os.WriteFile(inner, []byte("sendreply /queue/script corr-9 a reply\n"), 0o644)).To(Succeed())
		script := filepath.Join(dir, "main.stomp")
		Expect(os.WriteFile(script, []byte(strings.Join([]string{
			"# comments and blank lines are skipped",
			"",
			"send /queue/script plain   spacing kept",
			"sendrec /queue/script with a receipt",
			"begin",
			"send /queue/script in a committed transaction",
			"commit",
			"run " + inner,
			"stats on",
			"send /queue/script counted",
			"stats",
			"stats off",
			"version",
			"help",
			"help sendfile",
		}, "\n")), 0o644)).To(Succeed())

		s := runCLI("", "--url", b.URL(), "-F", script)
		Expect(s.ExitCode()).To(BeZero(), "stderr: %s", s.Err.Contents())
		out := string(s.Out.Contents())
		Expect(out).To(HavePrefix("CONNECTED\nversion: 1.2\n"))
		Expect(out).To(MatchRegexp(`RECEIPT\nreceipt-id: \S+\n`))
		Expect(out).To(MatchRegexp(`Transaction id: (tx-[0-9]+)\nCommitting tx-[0-9]+\n`))
		Expect(out).To(ContainSubstring("Messages sent: 1\n"))
		Expect(out).To(MatchRegexp(`stampede \S+ .*\[Protocol version 1\.2\]`))
		Expect(out).To(ContainSubstring("Commands (type help <command> for details):"))
		Expect(out).To(ContainSubstring("Usage:\n\tsendfile <destination> <filename> [headers.json]"))

		var got []string
		for range 5 {
			f := expectFrame(r, codec.Message)
			got = append(got, string(f.Body))
			if f.Header.Get("correlation-id") == "corr-9" {
				Expect(f.Body).To(BeEquivalentTo("a reply"))
			}
		}
		Expect(got).To(Equal([]string{"plain   spacing kept", "with a receipt", "in a committed transaction", "a reply", "counted"}))
	})

	It("reads commands from a pipe: subscribe, unsubscribe, and exits 0 at the end of input", func() {
		b := startBroker()
		p := startPiped("--url", b.URL())
		p.do("subscribe /topic/piped")
		p.waitOut("Subscribing to '/topic/piped' with acknowledge set to 'auto', id set to '1'")
		p.do("send /topic/piped first")
		p.waitOut("\n\nfirst\n")
		Expect(p.out()).To(MatchRegexp(`MESSAGE\n(\S+: .*\n)*destination: /topic/piped\n`))
		p.do("unsubscribe /topic/piped")
		p.waitOut("Unsubscribing from '/topic/piped'")
		p.do("sendrec /topic/piped second") // the receipt: the broker saw the unsubscribe
		p.waitOut("RECEIPT")
		Consistently(p.out, 200*time.Millisecond).ShouldNot(ContainSubstring("second"))
		Expect(p.finish()).To(BeZero(), "stderr: %s", p.errText())
	})

	It("delivers nothing of an aborted transaction, and everything of a committed one", func() {
		b := startBroker()
		p := startPiped("--url", b.URL())
		p.do("subscribe /queue/tx")
		p.waitOut("Subscribing to '/queue/tx'")
		p.do("begin")
		p.waitOut("Transaction id: tx-")
		tx := regexp.MustCompile(`Transaction id: (tx-[0-9]+)`).FindStringSubmatch(p.out())[1]
		p.do("send /queue/tx aborted-1")
		p.do("sendrec /queue/tx aborted-2")
		p.waitOut("RECEIPT")
		p.do("abort")
		p.waitOut("Aborted transaction: " + tx)
		p.do("begin")
		p.do("send /queue/tx committed")
		p.do("commit")
		p.waitOut("\n\ncommitted\n")
		Consistently(p.out, 300*time.Millisecond).ShouldNot(ContainSubstring("aborted-"))
		p.do("commit")
		p.waitErr("commit: Not currently in a transaction")
		Expect(p.finish()).To(Equal(1), "a failed command fails a piped session")
	})

	It("puts acknowledgements in the open transaction: rollback undoes them, commit keeps them", func() {
		b := startBroker()
		Expect(runCLI("", "send", "--url", b.URL(), "/queue/txack", "kept until committed").ExitCode()).To(BeZero())
		for _, end := range []string{"rollback", "commit"} {
			p := startPiped("--url", b.URL())
			p.do("subscribe /queue/txack client-individual")
			p.waitOut("\n\nkept until committed\n")
			p.do("begin")
			p.do("ack " + field(lastBlock(p.out()), "ack"))
			p.do(end)
			p.do("sendrec /queue/elsewhere sync") // the broker has seen the end of the transaction
			p.waitOut("RECEIPT")
			Expect(p.finish()).To(BeZero(), p.errText())
		}
		// Aborted, the first ack was undone and the message came back for
		// the second shell, whose committed ack consumed it.
		s := runCLI("", "subscribe", "--url", b.URL(), "/queue/txack", "--count", "1", "--timeout", "300ms")
		Expect(s.ExitCode()).To(Equal(1), "the message is gone: %s", s.Out.Contents())
	})

	DescribeTable("acknowledges and rejects received messages by the ids of each version",
		func(version, mode string, ackArgs func(block string) string) {
			b := startBroker()
			p := startPiped("--url", b.URL(), "-S", version)
			p.do("subscribe /queue/acks " + mode)
			p.waitOut("Subscribing to '/queue/acks' with acknowledge set to '" + mode + "'")
			p.do("send /queue/acks one")
			p.waitOut("\n\none\n")
			p.do("ack " + ackArgs(lastBlock(p.out())))
			p.do("ack nonsense 1")
			p.waitErr(`ack: no received message with`)
			if version != "1.0" {
				p.do("send /queue/acks two")
				p.waitOut("\n\ntwo\n")
				p.do("nack " + ackArgs(lastBlock(p.out())))
				// NACKed: the broker gives it again, marked redelivered.
				Eventually(func() int { return strings.Count(p.out(), "\n\ntwo\n") }, 5*time.Second).Should(Equal(2))
				Expect(lastBlock(p.out())).To(ContainSubstring("redelivered: true"))
			} else {
				p.do("send /queue/acks two")
				p.waitOut("\n\ntwo\n")
				p.do("nack whatever")
				p.waitErr("STOMP 1.0 has no NACK")
			}
			p.do("quit")
			Eventually(p.Session, 10*time.Second).Should(gexec.Exit(1)) // the bad ack (and nack on 1.0) failed
			Expect(p.errText()).NotTo(ContainSubstring("ERROR"))

			// What was acknowledged is gone; "two", never acknowledged, came
			// back to the queue when the shell left.
			s := runCLI("", "subscribe", "--url", b.URL(), "/queue/acks", "--count", "2", "--timeout", "300ms")
			Expect(s.ExitCode()).To(Equal(1), "only one message is left: %s", s.Out.Contents())
			Expect(strings.Count(string(s.Out.Contents()), "MESSAGE\n")).To(Equal(1))
			Expect(string(s.Out.Contents())).To(ContainSubstring("\n\ntwo\n"))
		},
		Entry("STOMP 1.2: ack <ack-id>", "1.2", "client-individual", func(block string) string {
			return field(block, "ack")
		}),
		Entry("STOMP 1.1: ack <message-id> <subscription-id>", "1.1", "client-individual", func(block string) string {
			return field(block, "message-id") + " " + field(block, "subscription")
		}),
		Entry("STOMP 1.0: ack <message-id>", "1.0", "client", func(block string) string {
			return field(block, "message-id")
		}),
	)

	It("sends a file that another shell saves, never overwriting one", func() {
		b := startBroker()
		receiver := startPiped("--url", b.URL())
		Expect(os.WriteFile(filepath.Join(receiver.dir, "photo.bin"), []byte("already here"), 0o644)).To(Succeed())
		receiver.do("subscribe /queue/files")
		receiver.waitOut("Subscribing to '/queue/files'")

		dir := GinkgoT().TempDir()
		payload := append([]byte("\x89PNG\r\n\x1a\n\x00"), make([]byte, 100000)...)
		Expect(os.WriteFile(filepath.Join(dir, "photo.bin"), payload, 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "headers.json"), []byte(`{"x-origin": "spec", "x-count": 2}`), 0o644)).To(Succeed())
		sender := runCLI("sendfile /queue/files "+filepath.Join(dir, "photo.bin")+" "+filepath.Join(dir, "headers.json")+"\n",
			"--url", b.URL())
		Expect(sender.ExitCode()).To(BeZero(), "stderr: %s", sender.Err.Contents())

		saved := filepath.Join(receiver.dir, "photo-1.bin")
		receiver.waitOut("Saved file: photo-1.bin\n")
		Expect(receiver.out()).To(ContainSubstring("filename: photo.bin\n"))
		Expect(receiver.out()).To(ContainSubstring("x-origin: spec\n"))
		Expect(receiver.out()).To(ContainSubstring("x-count: 2\n"))
		Expect(os.ReadFile(saved)).To(Equal(payload))
		Expect(os.ReadFile(filepath.Join(receiver.dir, "photo.bin"))).To(BeEquivalentTo("already here"))
		Expect(receiver.finish()).To(BeZero())
	})

	It("prints a broker ERROR and a lost connection clearly, keeps going, and exits 1", func() {
		b := startBroker()
		p := startPiped("--url", b.URL())
		p.waitOut("CONNECTED")
		Expect(b.Faults().All().SendError("the broker is unhappy")).To(Succeed())
		p.waitErr("message: the broker is unhappy")
		p.waitErr("lost connection")
		p.do("send /queue/x after the end")
		p.waitErr("send: ")
		p.do("version")
		p.waitOut("[Protocol version")
		Expect(p.finish()).To(Equal(1))
	})

	It("with -L, prints what a destination receives until interrupted, then exits 0", func() {
		b := startBroker()
		p := startPiped("--url", b.URL(), "-L", "/queue/listen")
		p.waitOut("Subscribing to '/queue/listen'")
		r, _ := connect(b, "1.2")
		sendBody(r, "/queue/listen", "heard")
		p.waitOut("\n\nheard\n")
		p.Signal(syscall.SIGINT)
		Eventually(p.Session, 10*time.Second).Should(gexec.Exit(0))
	})

	It("prints frames both ways with -V, passcodes masked", func() {
		b := startBroker()
		s := runCLI("send /queue/v traced\n", "--url", b.URL(), "-U", "someone", "-W", "s3cr3t", "-V")
		Expect(s.ExitCode()).To(BeZero())
		out := string(s.Out.Contents())
		Expect(out).To(ContainSubstring(">>> on_send SEND {destination:/queue/v"))
		Expect(out).To(ContainSubstring("<<< on_connected CONNECTED"))
		Expect(out + string(s.Err.Contents())).NotTo(ContainSubstring("s3cr3t"))
	})
})

// lastBlock returns the last MESSAGE block of the shell's output.
func lastBlock(out string) string {
	i := strings.LastIndex(out, "MESSAGE\n")
	if i < 0 {
		return ""
	}
	return out[i:]
}

// field returns the value of the last "key: value" line of a block.
func field(text, key string) string {
	GinkgoHelper()
	m := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(key)+`: (\S+)$`).FindAllStringSubmatch(text, -1)
	Expect(m).NotTo(BeEmpty(), "no %s header in:\n%s", key, text)
	return m[len(m)-1][1]
}
