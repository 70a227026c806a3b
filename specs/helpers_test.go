package specs_test

import (
	"context"
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
