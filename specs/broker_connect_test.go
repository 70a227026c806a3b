package specs_test

import (
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede/broker"
	"github.com/stampede-mq/stampede/codec"
)

var _ = Describe("the broker's connection handshake", func() {
	It("answers CONNECT with CONNECTED carrying version, server, session and heart-beat", func() {
		b := startBroker()
		_, f := connect(b, "1.0,1.1,1.2")
		Expect(f.Header.Get(codec.HdrVersion)).To(Equal("1.2"))
		Expect(f.Header.Get(codec.HdrServer)).To(HavePrefix("stampede/"))
		Expect(f.Header.Get(codec.HdrSession)).NotTo(BeEmpty())
		Expect(f.Header.Get(codec.HdrHeartBeat)).To(Equal("0,0"))
	})

	It("gives every connection its own session id", func() {
		b := startBroker()
		seen := map[string]bool{}
		for range 5 {
			_, f := connect(b, "1.2")
			id := f.Header.Get(codec.HdrSession)
			Expect(seen).NotTo(HaveKey(id))
			seen[id] = true
		}
	})

	DescribeTable("negotiates the highest version both sides speak",
		func(offered, want string) {
			b := startBroker()
			_, f := connect(b, offered)
			Expect(f.Header.Get(codec.HdrVersion)).To(Equal(want))
		},
		Entry("CONF-20 no accept-version means 1.0", "", "1.0"),
		Entry("1.0 and 1.1 give 1.1", "1.0,1.1", "1.1"),
		Entry("1.1 alone gives 1.1", "1.1", "1.1"),
		Entry("unknown versions are ignored", "1.2,2.0", "1.2"),
	)

	It("CONF-20 answers a 1.0 CONNECT without heart-beat header", func() {
		b := startBroker(broker.WithHeartBeat(time.Second, time.Second))
		_, f := connect(b, "")
		Expect(f.Header.Has(codec.HdrHeartBeat)).To(BeFalse())
	})

	It("accepts the STOMP command as a CONNECT", func() {
		b := startBroker()
		r := dial(b)
		send(r, codec.Stomp, codec.HdrAcceptVersion, "1.2", codec.HdrHost, "/")
		f := expectFrame(r, codec.Connected)
		Expect(f.Header.Get(codec.HdrVersion)).To(Equal("1.2"))
	})

	It("refuses a version it does not speak with an ERROR listing its versions, then closes", func() {
		b := startBroker(broker.WithVersions(codec.V12))
		r := dial(b)
		send(r, codec.Connect, codec.HdrAcceptVersion, "1.0,1.1", codec.HdrHost, "/")
		f := expectError(r, "unsupported protocol version")
		Expect(f.Header.Get(codec.HdrVersion)).To(Equal("1.2"))
		Expect(string(f.Body)).To(ContainSubstring("1.2"))
	})

	It("accepts the right login and passcode", func() {
		b := startBroker(broker.WithAuth("guest", "s3:cr\\t"))
		_, f := connect(b, "1.2", codec.HdrLogin, "guest", codec.HdrPasscode, "s3:cr\\t")
		Expect(f.Header.Get(codec.HdrVersion)).To(Equal("1.2"))
	})

	DescribeTable("refuses bad credentials with an ERROR, then closes",
		func(kv ...string) {
			b := startBroker(broker.WithAuth("guest", "guest"))
			r := dial(b)
			send(r, codec.Connect, append([]string{codec.HdrAcceptVersion, "1.2", codec.HdrHost, "/", codec.HdrReceipt, "c1"}, kv...)...)
			f := expectError(r, "access refused")
			Expect(f.Header.Get(codec.HdrReceiptID)).To(Equal("c1"))
			Expect(f.Header.Get(codec.HdrContentLength)).To(Equal(lenString(f.Body)))
		},
		Entry("wrong passcode", codec.HdrLogin, "guest", codec.HdrPasscode, "nope"),
		Entry("unknown login", codec.HdrLogin, "mallory", codec.HdrPasscode, "guest"),
		Entry("no credentials at all"),
	)

	It("asks an authenticator function when given one", func() {
		b := startBroker(broker.WithAuthenticator(func(login, passcode string) bool {
			return strings.HasPrefix(login, "user") && passcode == "ok"
		}))
		connect(b, "1.2", codec.HdrLogin, "user7", codec.HdrPasscode, "ok")
		r := dial(b)
		send(r, codec.Connect, codec.HdrAcceptVersion, "1.2", codec.HdrLogin, "admin", codec.HdrPasscode, "ok")
		expectError(r, "access refused")
	})

	It("accepts the virtual hosts it is given and refuses others", func() {
		b := startBroker(broker.WithHosts("/", "prod"))
		connect(b, "1.2") // host:/
		connect(b, "1.2", codec.HdrHost, "prod")
		r := dial(b)
		send(r, codec.Connect, codec.HdrAcceptVersion, "1.2", codec.HdrHost, "staging")
		expectError(r, "unknown virtual host")
	})

	It("refuses any frame before CONNECT with an ERROR, then closes", func() {
		b := startBroker()
		r := dial(b)
		send(r, codec.Send, codec.HdrDestination, "/queue/a", codec.HdrReceipt, "early")
		f := expectError(r, "expected CONNECT")
		Expect(f.Header.Get(codec.HdrReceiptID)).To(Equal("early"))
	})

	It("refuses a second CONNECT on a connected session", func() {
		b := startBroker()
		r, _ := connect(b, "1.2")
		send(r, codec.Connect, codec.HdrAcceptVersion, "1.2")
		expectError(r, "already connected")
	})

	It("refuses a malformed heart-beat header", func() {
		b := startBroker()
		r := dial(b)
		send(r, codec.Connect, codec.HdrAcceptVersion, "1.2", codec.HdrHeartBeat, "soon")
		expectError(r, "malformed heart-beat header")
	})

	It("closes a connection that sends no CONNECT in time, with an ERROR", func() {
		b := startBroker(broker.WithConnectTimeout(100 * time.Millisecond))
		r := dial(b)
		expectError(r, "connect timeout")
	})

	It("answers an unknown command with an ERROR, then closes", func() {
		b := startBroker()
		r, _ := connect(b, "1.2")
		send(r, codec.Command("PUBLISH"), codec.HdrDestination, "/queue/a")
		expectError(r, "unknown command")
	})
})

func lenString(b []byte) string { return strconv.Itoa(len(b)) }
