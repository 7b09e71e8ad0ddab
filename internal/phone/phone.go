// Package phone parses the phone numbers people type ("(503) 555-0142", "503.555.0142",
// "+34 600 123 456") into E.164 ("+15035550142"), the one form Frontdesk stores and
// compares, so one person is one lead whichever way they wrote their number. It wraps
// github.com/nyaruka/phonenumbers, Go's port of Google's libphonenumber.
package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region assumed for a national number when the practice's own
// phone number doesn't tell its country.
const DefaultRegion = "US"

// ErrInvalid is returned for text that is not a valid phone number.
var ErrInvalid = errors.New("not a valid phone number")

// E164 parses raw, read as a national number of region when it has no +country code,
// and returns it in E.164. Numbers the numbering plan doesn't allow are refused.
func E164(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 40 {
		return "", ErrInvalid
	}
	if region == "" {
		region = DefaultRegion
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", ErrInvalid
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Region is the region (ISO 3166 code, such as "US" or "ES") of a practice whose phone
// number is practicePhone: national numbers its visitors type are read in that region.
// It is DefaultRegion when the number doesn't say.
func Region(practicePhone string) string {
	if n, err := phonenumbers.Parse(strings.TrimSpace(practicePhone), DefaultRegion); err == nil {
		if r := phonenumbers.GetRegionCodeForNumber(n); r != "" && r != "ZZ" {
			return r
		}
	}
	return DefaultRegion
}
