package multicast

import (
	"github.com/stampede-mq/stampede/codec"
	"github.com/stampede-mq/stampede/handlers"
)

// SendOption configures one [Conn.Send] or [Transaction.Send]. An option
// given an invalid value makes the call fail with an error wrapping
// [ErrInvalidOption] before anything is sent.
type SendOption func(*sendSettings) error

type sendSettings struct {
	header      codec.Header
	contentType string
	receipt     bool
	tx          string
}

// WithHeader adds a header line to the frame. The destination is the
// argument of Send and cannot be given here; content-length is computed
// and a given one is ignored. A "receipt" header asks for a receipt with
// that id (as [WithReceipt]); a "transaction" header puts the frame in that
// transaction (as [WithTransaction]). Neither travels on the wire.
func WithHeader(key, value string) SendOption {
	return func(s *sendSettings) error {
		switch key {
		case "":
			return invalidOption("header", "empty name")
		case codec.HdrDestination:
			return invalidOption("header", "the destination is Send's argument")
		case codec.HdrContentLength:
			return nil
		}
		s.header = append(s.header, codec.Field{Key: key, Value: value})
		return nil
	}
}

// WithHeaders adds every line of h, as [WithHeader] does one.
func WithHeaders(h codec.Header) SendOption {
	return func(s *sendSettings) error {
		for _, f := range h {
			if err := WithHeader(f.Key, f.Value)(s); err != nil {
				return err
			}
		}
		return nil
	}
}

// WithContentType sets the content-type header ("text/plain",
// "application/json;charset=utf-8"). Without it the body is binary.
func WithContentType(ct string) SendOption {
	return func(s *sendSettings) error {
		if ct == "" {
			return invalidOption("content type", "empty")
		}
		s.contentType = ct
		return nil
	}
}

// WithReceipt asks for a receipt. The receipt is produced locally, by the
// sender, once the datagram is written (members never answer receipts):
// Send returns after that, and the OnReceipt listeners then get a RECEIPT
// frame whose receipt-id is the frame's receipt header, generated unless
// given with WithHeader("receipt", id). In a transaction, the receipt is
// produced when Commit writes the frame.
func WithReceipt() SendOption {
	return func(s *sendSettings) error {
		s.receipt = true
		return nil
	}
}

// WithTransaction puts the frame in the open transaction with this id (see
// [Transaction.ID]): it is buffered locally and sent on commit. An id that
// is not open makes Send fail with a [*TransactionError].
func WithTransaction(id string) SendOption {
	return func(s *sendSettings) error {
		if id == "" {
			return invalidOption("transaction", "empty id")
		}
		s.tx = id
		return nil
	}
}

// SubscribeOption configures one [Conn.Subscribe]. An option given an
// invalid value makes Subscribe fail with an error wrapping
// [ErrInvalidOption].
type SubscribeOption func(*subscribeSettings) error

type subscribeSettings struct {
	id  string
	ack string
	mw  []handlers.Middleware
}

// Ack modes accepted by [WithAck].
const (
	AckAuto             = "auto"
	AckClient           = "client"
	AckClientIndividual = "client-individual"
)

// WithID sets the subscription id, which MESSAGE frames carry in their
// subscription header (default: "sub-" and a number unique in the
// connection).
func WithID(id string) SubscribeOption {
	return func(s *subscribeSettings) error {
		if id == "" {
			return invalidOption("subscription id", "empty")
		}
		s.id = id
		return nil
	}
}

// WithAck sets the acknowledgement mode: [AckAuto] (default), [AckClient]
// or [AckClientIndividual]. It is accepted for compatibility with broker
// code and is local: there is no broker to redeliver, so Message.Ack and
// Message.Nack succeed and do nothing, and the mode only shows in
// Message.AckMode and Message.NeedsAck.
func WithAck(mode string) SubscribeOption {
	return func(s *subscribeSettings) error {
		switch mode {
		case AckAuto, AckClient, AckClientIndividual:
			s.ack = mode
			return nil
		}
		return invalidOption("ack", "%q is not auto, client or client-individual", mode)
	}
}

// WithMiddleware wraps the subscription's handler, the first middleware
// given outermost. Connection-wide middleware ([Conn.Use]) wraps it in turn.
func WithMiddleware(mw ...handlers.Middleware) SubscribeOption {
	return func(s *subscribeSettings) error {
		s.mw = append(s.mw, mw...)
		return nil
	}
}
