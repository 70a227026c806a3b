package specs_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// The helpers of the specs that drive the stampede binary: a build shared
// by every spec of the process, processes on pipes (gexec), and
// interactive sessions on a pseudo-terminal.

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// cliBinary builds cmd/stampede once per test process and returns its
// path. Each process builds into a directory named after its pid; the
// directories of processes that are gone are removed first, so that runs
// do not pile up binaries in the temporary directory.
func cliBinary() string {
	GinkgoHelper()
	cliOnce.Do(func() {
		root := filepath.Join(os.TempDir(), "stampede-cli-specs")
		removeStaleBuilds(root)
		dir := filepath.Join(root, strconv.Itoa(os.Getpid()))
		if cliErr = os.MkdirAll(dir, 0o755); cliErr != nil {
			return
		}
		cliPath = filepath.Join(dir, "stampede")
		out, err := exec.Command("go", "build", "-o", cliPath, module+"/cmd/stampede").CombinedOutput()
		if err != nil {
			cliErr = fmt.Errorf("go build ./cmd/stampede: %w\n%s", err, out)
		}
	})
	Expect(cliErr).NotTo(HaveOccurred())
	return cliPath
}

// removeStaleBuilds removes the builds of test processes that have ended.
func removeStaleBuilds(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

// cliCommand returns a command running the binary in a fresh working
// directory (where received files land) with a fresh HOME (where the
// history goes).
func cliCommand(args ...string) *exec.Cmd {
	GinkgoHelper()
	cmd := exec.Command(cliBinary(), args...)
	cmd.Dir = GinkgoT().TempDir()
	cmd.Env = append(os.Environ(), "HOME="+GinkgoT().TempDir(), "XDG_STATE_HOME=", "TERM=xterm")
	return cmd
}

// runCLI runs the binary to completion with stdin as its standard input
// and returns the session, exited.
func runCLI(stdin string, args ...string) *gexec.Session {
	GinkgoHelper()
	cmd := cliCommand(args...)
	cmd.Stdin = strings.NewReader(stdin)
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	Eventually(s, 20*time.Second).Should(gexec.Exit(), "stampede %s did not exit", strings.Join(args, " "))
	return s
}

// pipedCLI is the binary reading commands from a pipe, as in
// "producer | stampede".
type pipedCLI struct {
	*gexec.Session
	stdin io.WriteCloser
	dir   string
}

// startPiped starts the binary with its standard input a pipe. It is
// killed when the spec ends, if it is still running.
func startPiped(args ...string) *pipedCLI {
	GinkgoHelper()
	cmd := cliCommand(args...)
	in, err := cmd.StdinPipe()
	Expect(err).NotTo(HaveOccurred())
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		_ = in.Close()
		s.Kill()
		Eventually(s, 10*time.Second).Should(gexec.Exit())
	})
	return &pipedCLI{Session: s, stdin: in, dir: cmd.Dir}
}

// do types a command line.
func (p *pipedCLI) do(line string) {
	GinkgoHelper()
	_, err := io.WriteString(p.stdin, line+"\n")
	Expect(err).NotTo(HaveOccurred())
}

// out and errText return everything written so far.
func (p *pipedCLI) out() string     { return string(p.Out.Contents()) }
func (p *pipedCLI) errText() string { return string(p.Err.Contents()) }

// waitOut waits until standard output holds want.
func (p *pipedCLI) waitOut(want string) {
	GinkgoHelper()
	Eventually(p.out, 10*time.Second, 5*time.Millisecond).Should(ContainSubstring(want))
}

// waitErr waits until standard error holds want.
func (p *pipedCLI) waitErr(want string) {
	GinkgoHelper()
	Eventually(p.errText, 10*time.Second, 5*time.Millisecond).Should(ContainSubstring(want))
}

// finish closes standard input (EOF: the shell quits) and returns the
// exit code.
func (p *pipedCLI) finish() int {
	GinkgoHelper()
	Expect(p.stdin.Close()).To(Succeed())
	Eventually(p.Session, 15*time.Second).Should(gexec.Exit())
	return p.ExitCode()
}

// ptyCLI is the binary on a pseudo-terminal: an interactive session.
type ptyCLI struct {
	cmd  *exec.Cmd
	tty  *os.File
	home string

	mu   sync.Mutex
	raw  bytes.Buffer
	read chan struct{} // closed when the terminal reports the end
	exit chan int      // the exit code, once
}

// startPTY starts the binary on a new pseudo-terminal; home is its HOME
// ("" for a fresh one). It is killed when the spec ends, if still running.
func startPTY(home string, args ...string) *ptyCLI {
	GinkgoHelper()
	cmd := cliCommand(args...)
	if home == "" {
		home = GinkgoT().TempDir()
	}
	cmd.Env = append(cmd.Env, "HOME="+home)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 160})
	Expect(err).NotTo(HaveOccurred())
	p := &ptyCLI{cmd: cmd, tty: tty, home: home, read: make(chan struct{}), exit: make(chan int, 1)}
	go func() {
		defer close(p.read)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			p.mu.Lock()
			p.raw.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		_ = cmd.Wait()
		p.exit <- cmd.ProcessState.ExitCode()
	}()
	DeferCleanup(func() {
		_ = cmd.Process.Kill()
		Eventually(p.read, 10*time.Second).Should(BeClosed())
		_ = tty.Close()
	})
	return p
}

// keys types on the terminal.
func (p *ptyCLI) keys(s string) {
	GinkgoHelper()
	_, err := io.WriteString(p.tty, s)
	Expect(err).NotTo(HaveOccurred())
}

var ansiSequence = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// screen returns what the terminal showed, without escape sequences and
// carriage returns.
func (p *ptyCLI) screen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.ReplaceAll(ansiSequence.ReplaceAllString(p.raw.String(), ""), "\r", "")
}

// waitScreen waits until the terminal showed want.
func (p *ptyCLI) waitScreen(want string) {
	GinkgoHelper()
	Eventually(p.screen, 10*time.Second, 5*time.Millisecond).Should(ContainSubstring(want))
}

// exitCode waits for the process to end.
func (p *ptyCLI) exitCode() int {
	GinkgoHelper()
	var code int
	Eventually(p.exit, 15*time.Second).Should(Receive(&code))
	return code
}
