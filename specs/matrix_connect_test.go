package specs_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stampede-mq/stampede"
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/internal/confreport"
)

// serverError returns err as a *stampede.ServerError, failing the spec if
// it is not one.
func serverError(err error) *stampede.ServerError {
	GinkgoHelper()
	var se *stampede.ServerError
	Expect(errors.As(err, &se)).To(BeTrue(), "want the broker's ERROR, got %v", err)
	return se
}

var connectSpecs = []matrixSpec{
	{
		name: "CONF-19 CONF-20 CONF-21 negotiates every version offered alone, and the newest one offered with others",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				conn := c.dial(v)
				Expect(conn.Version()).To(Equal(v))
				Expect(conn.Disconnect(ctxT())).To(Succeed())
			})
			By("1.1 and 1.2 offered")
			conn, err := c.try(c.ep.url, c.options([]codec.Version{codec.V11, codec.V12}))
			Expect(err).NotTo(HaveOccurred())
			Expect(conn.Version()).To(Equal(codec.V12))
			By("every version offered (the default)")
			conn = c.dial(0)
			Expect(conn.Version()).To(Equal(codec.V12))
			Expect(conn.Server()).To(HavePrefix(c.p.server))
			AddReportEntry(confreport.EntryServer, conn.Server(), ReportEntryVisibilityFailureOrVerbose)
		},
	},
	{
		name: "CONF-16 CONF-22 fails the connect with the broker's ERROR, its message and its body, on a bad passcode",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				_, err := c.try(c.ep.url, c.options(versions(v), stampede.WithLogin(c.p.login, "not-the-passcode")))
				se := serverError(err)
				Expect(se.Message()).NotTo(BeEmpty())
				Expect(se.Body()).NotTo(BeEmpty())
				Expect(se.Frame.Header.Has(codec.HdrContentLength)).To(Equal(c.p.flags.errorLength),
					"%s's ERROR with content-length: %v", c.p.name, c.p.flags.errorLength)
				if !c.p.flags.errorLength {
					stateDifference("CONF-16: %s's ERROR carries no content-length: its body is read up to the NUL.", c.p.name)
				}
				Expect(err.Error()).NotTo(ContainSubstring("not-the-passcode"))
			})
		},
	},
	{
		name: "CONF-23 connects with the STOMP command when asked and 1.0 is not offered, and refuses it with 1.0",
		run: func(c *cell) {
			for _, vs := range [][]codec.Version{{codec.V11}, {codec.V12}, {codec.V11, codec.V12}} {
				By("offering " + codec.FormatAcceptVersion(vs))
				conn, err := c.try(c.ep.url, c.options(vs, stampede.WithStompCommand()))
				Expect(err).NotTo(HaveOccurred())
				Expect(conn.Version()).To(Equal(vs[len(vs)-1]))
				Expect(conn.Disconnect(ctxT())).To(Succeed())
			}
			_, err := stampede.New(c.ep.url, c.options(nil, stampede.WithStompCommand())...)
			Expect(err).To(MatchError(stampede.ErrInvalidOption))
		},
	},
	{
		name: "CONF-25 sends the dialed host name by default and the configured vhost when set",
		run: func(c *cell) {
			forVersions(codec.V10, func(v codec.Version) {
				By("the default host header")
				conn, err := c.try(c.ep.url, c.baseOptions(versions(v)))
				switch {
				case v == codec.V10:
					// No host header on 1.0 unless one is set: every
					// broker takes the CONNECT to its default vhost.
					Expect(err).NotTo(HaveOccurred())
				case c.p.flags.hostPolicy == hostVhost:
					se := serverError(err)
					Expect(string(se.Body())).To(ContainSubstring("127.0.0.1"), "%s was sent the dialed host and refused it as a vhost", c.p.name)
				default:
					Expect(err).NotTo(HaveOccurred(), "%s takes 127.0.0.1", c.p.name)
					Expect(conn.Disconnect(ctxT())).To(Succeed())
				}

				By("host \"/\" set")
				conn, err = c.try(c.ep.url, c.baseOptions(versions(v), stampede.WithHost("/")))
				Expect(err).NotTo(HaveOccurred())
				Expect(conn.Disconnect(ctxT())).To(Succeed())

				By("a host the broker does not know")
				conn, err = c.try(c.ep.url, c.baseOptions(versions(v), stampede.WithHost("nowhere.invalid")))
				if c.p.flags.hostPolicy == hostIgnored {
					Expect(err).NotTo(HaveOccurred(), "%s ignores the host header", c.p.name)
					stateDifference("CONF-25: %s ignores the host header, so which host was sent is seen against RabbitMQ and the embedded broker.", c.p.name)
					Expect(conn.Disconnect(ctxT())).To(Succeed())
				} else {
					serverError(err)
				}
			})
		},
	},
}
