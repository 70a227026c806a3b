package stampede_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"testing"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
)

// discardPeer answers CONNECT and then reads and drops everything: the
// client alone is measured.
func discardPeer(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				br := bufio.NewReader(nc)
				if _, err := br.ReadBytes(0); err != nil {
					return
				}
				nc.Write([]byte("CONNECTED\nversion:1.2\n\n\x00"))
				io.Copy(io.Discard, br)
			}()
		}
	}()
	return ln.Addr().String()
}

// BenchmarkPublish sends 256-byte messages on one connection, no receipts.
func BenchmarkPublish(b *testing.B) {
	addr := discardPeer(b)
	eng, err := stampede.NewEngine(stampede.WithLoops(1))
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	c, err := stampede.Dial(context.Background(), addr, stampede.WithEngine(eng), stampede.WithVersions(codec.V12))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	body := bytes.Repeat([]byte("x"), 256)
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := c.Send(ctx, "/queue/bench", body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublishParallel sends from several goroutines on one connection.
func BenchmarkPublishParallel(b *testing.B) {
	addr := discardPeer(b)
	eng, err := stampede.NewEngine(stampede.WithLoops(1))
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	c, err := stampede.Dial(context.Background(), addr, stampede.WithEngine(eng))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	body := bytes.Repeat([]byte("x"), 256)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if err := c.Send(ctx, "/queue/bench", body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
