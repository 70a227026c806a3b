package stampede_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stampede-mq/stampede"
)

// An address Dial refuses is quoted in the error with its passcode masked.
func TestBadAddressErrorsHideThePasscode(t *testing.T) {
	for _, addr := range []string{
		"tcp://u:s3cret@h:0",         // bad port
		"http://u:s3cret@h:61613",    // unknown scheme
		"tcp://u:s3cret@h:61613/x",   // a path on tcp://
		"tcp://u:s3cret@:61613",      // no host
		"tcp://u:s3cret@h:6x",        // url.Parse refuses it
		"h1:1, ssl://u:s3cret@h2:x2", // a list
	} {
		_, err := stampede.New(addr)
		if !errors.Is(err, stampede.ErrInvalidOption) {
			t.Errorf("%s: %v, want ErrInvalidOption", addr, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows the passcode: %v", addr, err)
		}
	}
}
