// Package specs holds stampede's black-box specifications: ginkgo suites
// that drive the public API against real peers over real sockets (the
// embedded broker, RabbitMQ, ActiveMQ) and the built binaries.
package specs_test

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestSpecs(t *testing.T) {
	RegisterFailHandler(Fail)
	// Eventually returns as soon as its condition holds; the limit only
	// decides how long a slow, shared CI machine (and -race) may take
	// before a spec fails. Gomega's default of 1 s is too short for that.
	SetDefaultEventuallyTimeout(10 * time.Second)
	RunSpecs(t, "stampede specs")
}
