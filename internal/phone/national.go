package phone

import "github.com/nyaruka/phonenumbers"

// National returns the national significant number of an E.164 number: the digits
// people write without the country code or a trunk prefix ("5035550142" for
// "+15035550142", "2079460018" for "+442079460018"), or "" when e164 is not one. Text
// that mentions a number in any national format holds these digits once its spaces and
// punctuation are gone.
func National(e164 string) string {
	n, err := phonenumbers.Parse(e164, DefaultRegion)
	if err != nil || e164 == "" || e164[0] != '+' {
		return ""
	}
	return phonenumbers.GetNationalSignificantNumber(n)
}
