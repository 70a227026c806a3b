package codec

import "fmt"

// Unmarshal decodes data that holds exactly one frame, optionally followed
// by EOLs, with the escaping rules of v. It is meant for datagrams and
// tests; streams use a [Decoder]. Limits are the defaults unless given.
func Unmarshal(data []byte, v Version, opts ...DecoderOption) (*Frame, error) {
	d := NewDecoder(append([]DecoderOption{WithVersion(v)}, opts...)...)
	var f Frame
	for len(data) > 0 {
		n, k, err := d.Decode(data, &f)
		if err != nil {
			return nil, err
		}
		data = data[n:]
		if k == GotFrame {
			for _, c := range data {
				if c != '\n' && c != '\r' {
					return nil, fmt.Errorf("codec: %d bytes after the frame", len(data))
				}
			}
			return &f, nil
		}
	}
	return nil, fmt.Errorf("codec: incomplete frame (%d bytes buffered)", d.Buffered())
}
