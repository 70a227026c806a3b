package codec

// Limits bound what a [Decoder] accepts. They are checked before memory is
// allocated for the part they bound (CONF-18). A zero field takes its
// default; there is no "unlimited" (use a very large number if you must).
type Limits struct {
	// MaxFrameSize bounds a whole frame: command, header lines and body.
	// Default 16 MiB.
	MaxFrameSize int
	// MaxBodySize bounds the body. Default: MaxFrameSize.
	MaxBodySize int
	// MaxHeaders bounds the number of header lines. Default 256.
	MaxHeaders int
	// MaxHeaderLine bounds one header line (and the command line), in
	// bytes, without its EOL. Default 16 KiB.
	MaxHeaderLine int
}

// Default limits.
const (
	DefaultMaxFrameSize  = 16 << 20
	DefaultMaxHeaders    = 256
	DefaultMaxHeaderLine = 16 << 10
)

// DefaultLimits returns the limits a zero [Limits] stands for.
func DefaultLimits() Limits { return defaultLimits }

var defaultLimits = Limits{}.withDefaults()

func (l Limits) withDefaults() Limits {
	if l.MaxFrameSize <= 0 {
		l.MaxFrameSize = DefaultMaxFrameSize
	}
	if l.MaxBodySize <= 0 || l.MaxBodySize > l.MaxFrameSize {
		l.MaxBodySize = l.MaxFrameSize
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxHeaderLine <= 0 {
		l.MaxHeaderLine = DefaultMaxHeaderLine
	}
	return l
}

// maxHead is the most bytes a frame head (command line, header lines, blank
// line) can take within the limits: each line plus a CRLF.
func (l Limits) maxHead() int {
	return min(l.MaxFrameSize, (l.MaxHeaders+2)*(l.MaxHeaderLine+2))
}
