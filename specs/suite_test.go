// Package specs holds stampede's black-box specifications: ginkgo suites
// that drive the public API against real peers over real sockets (the
// embedded broker, RabbitMQ, ActiveMQ) and the built binaries.
package specs_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestSpecs(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "stampede specs")
}
