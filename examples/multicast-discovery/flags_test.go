package main

// The example's tests are plain Go tests; this import registers ginkgo's
// flags in their binary too, so that one command runs them with the specs:
// go test ./examples/... ./specs/ -ginkgo.focus=example
import _ "github.com/stampede-mq/stampede/examples/internal/exampletest"
