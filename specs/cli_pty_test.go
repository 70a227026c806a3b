package specs_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The shell of the stampede binary in an interactive session, on a
// pseudo-terminal: readline editing, completion, history, Ctrl-C, and
// messages printed while a line is being typed.
var _ = Describe("stampede, the shell, on a terminal", func() {
	const (
		ctrlC = "\x03"
		ctrlD = "\x04"
		tab   = "\t"
		up    = "\x1b[A"
	)

	It("completes, keeps history, survives Ctrl-C, and prints messages without garbling the line being typed", func() {
		b := startBroker()
		t := startPTY("", "--url", b.URL())
		t.waitScreen("heart-beat: 0,0\n\n> ")

		// Tab completes command names...
		t.keys("subscr" + tab)
		t.waitScreen("> subscribe ")
		t.keys("/queue/tty client\r")
		t.waitScreen("Subscribing to '/queue/tty' with acknowledge set to 'client', id set to '1'\n> ")
		// ...as far as they are unambiguous ("send", "sendrec", ...)...
		t.keys("sen" + tab)
		t.waitScreen("> send")
		// ...and the destinations subscribed to.
		t.keys(" /queue/t" + tab)
		t.waitScreen("> send /queue/tty ")
		t.keys("typed here\r")
		t.waitScreen("\n\ntyped here\n")
		// ack completes the waiting ack ids.
		t.keys("ack " + tab)
		ackID := field(t.screen(), "ack")
		t.waitScreen("> ack " + ackID)
		t.keys("\r")

		// A message that arrives while a line is half typed is printed
		// above it; the prompt and the half line are drawn again after it.
		t.keys("vers")
		t.waitScreen("> vers")
		r, _ := connect(b, "1.2")
		sendBody(r, "/queue/tty", "arrived while typing")
		t.waitScreen("\n\narrived while typing\n")
		Eventually(func() string {
			s := t.screen()
			return s[strings.LastIndex(s, "arrived while typing"):]
		}, 5*time.Second).Should(ContainSubstring("\n> vers"))
		t.keys("ion\r")
		t.waitScreen("[Protocol version 1.2]\n> ")

		// Ctrl-C at the prompt clears the line; the session goes on.
		t.keys("garbage" + ctrlC)
		t.keys(ctrlC)
		t.waitScreen(`(type "quit" or press Ctrl-D to leave)`)
		t.keys("help\r")
		t.waitScreen("Commands (type help <command> for details):")
		t.keys("stats on\rsend /queue/other counted\rstats\r")
		t.waitScreen("Messages sent: 1\n")
		// Ctrl-D leaves, with exit status 0.
		t.keys(ctrlD)
		Expect(t.exitCode()).To(BeZero(), t.screen())

		history, err := os.ReadFile(filepath.Join(t.home, ".stampede_history"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(history)).To(ContainSubstring("subscribe /queue/tty client\n"))
		Expect(string(history)).To(ContainSubstring("version\n"))

		// The next session finds the history: Up brings back the last line.
		t2 := startPTY(t.home, "--url", b.URL())
		t2.waitScreen("> ")
		t2.keys(up)
		t2.waitScreen("> stats")
		t2.keys("\r")
		t2.waitScreen("No stats available")
		t2.keys("quit\r")
		Expect(t2.exitCode()).To(BeZero())
	})

	It("cancels a command that hangs on Ctrl-C, reports a lost connection, and keeps going", func() {
		b := startBroker()
		t := startPTY("", "--url", b.URL())
		t.waitScreen("\n> ")
		Expect(b.Faults().All().Hang()).To(Succeed())
		t.keys("sendrec /queue/hung never confirmed\r")
		t.waitScreen("sendrec /queue/hung never confirmed\n")
		// The command runs outside readline: the terminal turns Ctrl-C
		// into SIGINT, which cancels the command, not the shell. Typed
		// before the command started, a Ctrl-C is a key at the next
		// prompt; so type it until the command gives up.
		Eventually(func() string {
			t.keys(ctrlC)
			return t.screen()
		}, 10*time.Second, 100*time.Millisecond).Should(ContainSubstring("sendrec: "))
		Expect(t.screen()).To(ContainSubstring("context canceled"))

		Expect(b.Faults().All().Drop(false)).To(Succeed())
		t.waitScreen("lost connection")
		t.keys("send /queue/hung after the end\r")
		t.waitScreen("send: ")
		t.keys("version\r")
		t.waitScreen("[Protocol version 1.2]")
		t.keys("exit\r")
		Expect(t.exitCode()).To(Equal(1), "a lost connection is a failure")
	})

	It("ends gracefully, with exit status 0, on SIGTERM at the prompt", func() {
		b := startBroker()
		t := startPTY("", "--url", b.URL())
		t.waitScreen("\n> ")
		Expect(t.cmd.Process.Signal(syscall.SIGTERM)).To(Succeed())
		Expect(t.exitCode()).To(BeZero())
	})
})
