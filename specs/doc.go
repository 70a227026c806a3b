// Package specs holds stampede's black-box specifications (ginkgo and
// gomega). Nothing imports it; run it with `go test ./specs/` or `make test`.
package specs
