package specs_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/internal/leaktest"
)

// leakCheck records the goroutines alive now and returns a function that
// fails the spec if others are still alive after everything was closed.
func leakCheck() func() {
	baseline := goleak.IgnoreCurrent()
	return func() {
		GinkgoHelper()
		Eventually(func() error {
			return goleak.Find(leaktest.Options(baseline)...)
		}, 10*time.Second, 20*time.Millisecond).Should(Succeed())
	}
}

// newEngine starts an engine for one spec and closes it after the spec.
func newEngine(opts ...stampede.EngineOption) *stampede.Engine {
	GinkgoHelper()
	e, err := stampede.NewEngine(append([]stampede.EngineOption{stampede.WithLoops(2), stampede.WithTick(5 * time.Millisecond)}, opts...)...)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(e.Close)
	return e
}

// ctxT is a context for one call in a spec.
func ctxT() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	DeferCleanup(cancel)
	return ctx
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// stampedeBinary builds cmd/stampede once for the suite and returns its path.
func stampedeBinary() string {
	GinkgoHelper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stampede-specs-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "stampede")
		build := exec.Command("go", "build", "-o", binaryPath, module+"/cmd/stampede")
		build.Stderr = GinkgoWriter
		binaryErr = build.Run()
	})
	Expect(binaryErr).NotTo(HaveOccurred())
	return binaryPath
}

var _ = AfterSuite(func() {
	if binaryPath != "" {
		_ = os.RemoveAll(filepath.Dir(binaryPath))
	}
})

// brokerProcess runs `stampede broker` in a process of its own (for specs
// whose connections would exceed one process's file limit with the broker
// in it) and returns its TCP address. It is stopped when the spec ends.
func brokerProcess(args ...string) string {
	GinkgoHelper()
	cmd := exec.Command(stampedeBinary(), append([]string{"broker", "--listen", "tcp://127.0.0.1:0"}, args...)...)
	cmd.Stderr = GinkgoWriter
	out, err := cmd.StdoutPipe()
	Expect(err).NotTo(HaveOccurred())
	Expect(cmd.Start()).To(Succeed())
	DeferCleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	Expect(err).NotTo(HaveOccurred())
	urls, ok := strings.CutPrefix(strings.TrimSpace(line), "stampede broker listening on ")
	Expect(ok).To(BeTrue(), "first line: %q", line)
	addr, ok := strings.CutPrefix(strings.Fields(urls)[0], "tcp://")
	Expect(ok).To(BeTrue())
	go func() { _, _ = io.Copy(GinkgoWriter, out) }()
	return addr
}
