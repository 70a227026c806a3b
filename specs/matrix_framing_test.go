package specs_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
)

// framingSpecs cover the framing lines that a broker's frames exercise:
// what the broker sends back is what the client's encoder and decoder made
// of the round trip.
var framingSpecs = []matrixSpec{
	{
		name: "CONF-1 CONF-3 reads every frame the broker sends and skips the EOLs after them, which count as heart-beats from 1.1 on",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				beats := &beatCounter{}
				conn := c.dial(v, stampede.WithListener("beats", beats))
				q := c.queue("framing")
				_, got := subscribeInbox(conn, q)
				for i := range 3 {
					Expect(conn.Send(ctxT(), q, []byte{'a' + byte(i)}, stampede.WithReceipt())).To(Succeed())
				}
				for i := range 3 {
					Expect(next(got).Body()).To(Equal([]byte{'a' + byte(i)}))
				}
				switch {
				case v == codec.V10:
					Consistently(beats.n.Load, 50*time.Millisecond).Should(BeZero(), "1.0 skips EOLs without calling them heart-beats")
				case c.p.flags.eolAfterFrame:
					// An EOL after CONNECTED, 4 RECEIPTs and 3 MESSAGEs.
					Eventually(beats.n.Load).Should(BeNumerically(">=", 7), "%s sends an EOL after every frame", c.p.name)
					stateDifference("CONF-3: %s sends an EOL after every frame: on 1.1+ the client reports heart-beats although none were negotiated.", c.p.name)
				default:
					Consistently(beats.n.Load, 50*time.Millisecond).Should(BeZero(), "%s sends no EOL after its frames and no heart-beat was asked for", c.p.name)
				}
			})
		},
	},
	{
		name: "CONF-4 CONF-5 CONF-6 keeps header lines as sent: split at the first ':', never trimmed, a repeated header's first value first",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("headers")
				_, got := subscribeInbox(conn, q)
				Expect(conn.Send(ctxT(), q, []byte("x"), stampede.WithReceipt(),
					stampede.WithHeader("x-url", "http://h:80/a"),
					stampede.WithHeader("x-padded", " v "),
					stampede.WithHeader("x-rep", "first"), stampede.WithHeader("x-rep", "second"))).To(Succeed())
				m := next(got)
				url := "http://h:80/a"
				if v == codec.V10 && c.p.features.escapes10 {
					url = `http\c//h\c80/a` // escaped although 1.0 has no escapes; a 1.0 client keeps what it got
					stateDifference(`CONF-4: %s escapes header values on 1.0: "http://h:80/a" arrives as "http\c//h\c80/a".`, c.p.name)
				}
				Expect(m.Header("x-url")).To(Equal(url))
				if v >= codec.V11 {
					Expect(m.Header("x-padded")).To(Equal(" v "))
				}
				Expect(m.Header("x-rep")).To(Equal("first"))
				if c.p.flags.keepsRepeated {
					Expect(m.Frame.Header.GetAll("x-rep")).To(Equal([]string{"first", "second"}), "%s forwards every value", c.p.name)
				} else {
					Expect(m.Frame.Header.GetAll("x-rep")).To(Equal([]string{"first"}), "%s keeps the first value only", c.p.name)
					stateDifference(`CONF-6: %s forwards only the first value of a repeated header, so "all values stay available" is seen where the embedded broker forwards them.`, c.p.name)
				}
			})
		},
	},
	{
		name: "CONF-7 CONF-8 CONF-9 CONF-11 round-trips header values with each version's escaping, and refuses what 1.0 and 1.1 cannot carry",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("escape")
				_, got := subscribeInbox(conn, q)
				var value, want string
				switch v {
				case codec.V12:
					value = "colon:back\\slash\nlf\rcr, \\n is not LF"
				case codec.V11:
					value = "colon:back\\slash\nlf, \\n is not LF"
					Expect(conn.Send(ctxT(), q, nil, stampede.WithHeader("x-cr", "a\rb"))).To(MatchError(codec.ErrUnencodable))
				case codec.V10:
					for _, eol := range []string{"\n", "\r"} {
						Expect(conn.Send(ctxT(), q, nil, stampede.WithHeader("x-eol", "a"+eol+"b"))).To(MatchError(codec.ErrUnencodable))
					}
					value = "colon:back\\slash"
					if c.p.features.escapes10 {
						// A lone backslash would make it drop the connection
						// (QUIRK rabbitmq-escapes-10).
						value = "colon:only"
						want = `colon\conly`
						stateDifference(`CONF-9: %s escapes and unescapes header values on 1.0 ("a:b" arrives as "a\cb"; a lone "\" drops the connection), so no backslash is sent on 1.0.`, c.p.name)
					}
				}
				if want == "" {
					want = value
				}
				Expect(conn.Send(ctxT(), q, []byte("x"), stampede.WithHeader("x-tricky", value), stampede.WithReceipt())).To(Succeed())
				Expect(next(got).Header("x-tricky")).To(Equal(want))
				Expect(conn.Status()).To(Equal(stampede.StatusConnected))
			})
		},
	},
	{
		name: "CONF-10 sends a passcode with ':' and '\\' verbatim: the broker accepts it",
		run: func(c *cell) {
			login := c.p.flags.trickyLogin
			Expect(login[1]).To(ContainSubstring(":"))
			Expect(login[1]).To(ContainSubstring(`\`))
			forVersions(codec.V10, func(v codec.Version) {
				conn, err := c.try(c.ep.url, c.options(versions(v), stampede.WithLogin(login[0], login[1])))
				Expect(err).NotTo(HaveOccurred())
				Expect(conn.Version()).To(Equal(v))
				Expect(conn.Disconnect(ctxT())).To(Succeed())
			})
		},
	},
	{
		name: "CONF-13 CONF-15 round-trips a body of NULs and multi-byte UTF-8: content-length is its length in bytes",
		run: func(c *cell) {
			body := append([]byte("héllo ✓, NUL\x00inside\x00"), bytes.Repeat([]byte{0, 0xff, 0x80, 'x'}, 4096)...)
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("binary")
				_, got := subscribeInbox(conn, q)
				Expect(conn.Send(ctxT(), q, body, stampede.WithReceipt())).To(Succeed())
				m := next(got)
				Expect(m.Body()).To(Equal(body))
				Expect(m.Header("content-length")).To(Equal(strconv.Itoa(len(body))))
			})
		},
	},
	{
		name: "CONF-14 reads a body without content-length up to its NUL",
		run: func(c *cell) {
			const text = "text sent without content-length"
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("nolength")
				_, got := subscribeInbox(conn, q)
				Expect(conn.Send(ctxT(), q, []byte(text), stampede.WithoutContentLength(), stampede.WithReceipt())).To(Succeed())
				Expect(conn.Send(ctxT(), q, []byte("next"), stampede.WithReceipt())).To(Succeed())
				m := next(got)
				Expect(string(m.Body())).To(Equal(text))
				if c.p.flags.lengthOnText {
					Expect(m.Header("content-length")).To(Equal(strconv.Itoa(len(text))), "%s adds content-length", c.p.name)
					stateDifference("CONF-14: %s adds content-length to every MESSAGE, so reading a body up to its NUL is exercised against ActiveMQ (and the scripted peer).", c.p.name)
				} else {
					Expect(m.Frame.Header.Has("content-length")).To(BeFalse(), "%s delivers a text message without content-length: the body ends at the NUL", c.p.name)
				}
				Expect(string(next(got).Body())).To(Equal("next"), "the frame after it starts after the NUL")
			})
		},
	},
	{
		name: "CONF-17 keeps content-type: no type is binary, a text type is UTF-8 unless its charset says otherwise",
		run: func(c *cell) {
			latin1 := []byte{'g', 'r', 0xfc, 0xdf, 'e'} // "grüße" in ISO-8859-1
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				q := c.queue("ctype")
				_, got := subscribeInbox(conn, q)
				Expect(conn.Send(ctxT(), q, []byte("héllo"), stampede.WithContentType("text/plain"), stampede.WithReceipt())).To(Succeed())
				Expect(conn.Send(ctxT(), q, latin1, stampede.WithContentType("text/plain;charset=iso-8859-1"), stampede.WithReceipt())).To(Succeed())
				Expect(conn.Send(ctxT(), q, []byte{1, 2, 3}, stampede.WithReceipt())).To(Succeed())

				ct, err := next(got).Frame.ContentType()
				Expect(err).NotTo(HaveOccurred())
				Expect(ct).To(Equal(codec.ContentType{MediaType: "text/plain", Charset: "utf-8"}))
				m := next(got)
				Expect(m.Body()).To(Equal(latin1))
				ct, err = m.Frame.ContentType()
				Expect(err).NotTo(HaveOccurred())
				Expect(ct).To(Equal(codec.ContentType{MediaType: "text/plain", Charset: "iso-8859-1"}))
				ct, err = next(got).Frame.ContentType()
				Expect(err).NotTo(HaveOccurred())
				Expect(ct.Text()).To(BeFalse(), "no content-type: binary")
			})
		},
	},
	{
		name: "CONF-18 enforces its limits on what the broker sends: frame size and header count close the connection with the codec's error",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				sender := c.dial(v)
				for _, tc := range []struct {
					limits codec.Limits
					want   []error
				}{
					// The body limit defaults to the frame limit and is
					// checked first, from content-length.
					{codec.Limits{MaxFrameSize: 16 << 10}, []error{codec.ErrBodyTooLarge, codec.ErrFrameTooLarge}},
					// CONNECTED and RECEIPT have fewer headers than the
					// MESSAGE, which carries 20 of the sender's.
					{codec.Limits{MaxHeaders: 12}, []error{codec.ErrTooManyHeaders}},
				} {
					small := c.dial(v, stampede.WithLimits(tc.limits))
					q := c.queue("limit")
					_, got := subscribeInbox(small, q)
					var many codec.Header
					for i := range 20 {
						many.Add(fmt.Sprintf("x-h%d", i), "v")
					}
					Expect(sender.Send(ctxT(), q, bytes.Repeat([]byte("L"), 64<<10), stampede.WithHeaders(many), stampede.WithReceipt())).To(Succeed())
					Eventually(small.Done(), 10*time.Second).Should(BeClosed())
					var se *codec.SyntaxError
					Expect(errors.As(small.Err(), &se)).To(BeTrue(), "%v", small.Err())
					Expect(se.Err).To(BeElementOf(tc.want))
					Expect(got).NotTo(Receive())
				}
			})
		},
	},
}
