package bench

import (
	"testing"

	"github.com/stampede-mq/stampede/bench/codecbench"
)

// BenchmarkDecode and BenchmarkEncode are scenario 1 of the comparison:
// decoding and encoding a MESSAGE (8 headers; 256 B and 64 KiB bodies)
// with stampede's codec and go-stomp's frame package. The bench command
// runs the same functions.
func BenchmarkDecode(b *testing.B) { run(b, "decode") }

// BenchmarkEncode encodes into a reused buffer.
func BenchmarkEncode(b *testing.B) { run(b, "encode") }

func run(b *testing.B, op string) {
	for _, s := range codecbench.Sizes {
		for _, lib := range []string{"stampede", "go-stomp"} {
			for _, c := range codecbench.Cases(lib) {
				if c.Op == op && c.Size == s {
					b.Run("lib="+lib+"/body="+s.Name, c.F)
				}
			}
		}
	}
}
