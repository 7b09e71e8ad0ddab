package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// TwilioBaseURL is Twilio's REST API.
const TwilioBaseURL = "https://api.twilio.com"

// twilioOptedOut is Twilio's error for a number that texted STOP to the sender.
const twilioOptedOut = 21610

// Twilio sends text messages through a Twilio account's Messages resource.
type Twilio struct {
	AccountSID, AuthToken string
	// From is the sending number (E.164) or a messaging service SID (MG...).
	From string
	// BaseURL replaces TwilioBaseURL (tests point it at a fake).
	BaseURL string
	// Client makes the requests (default: a client with a 30s timeout).
	Client *http.Client
}

// Send posts m.Text to m.To and returns the message's SID.
func (t *Twilio) Send(ctx context.Context, m Message) (string, error) {
	base := cmpOr(t.BaseURL, TwilioBaseURL)
	endpoint := strings.TrimRight(base, "/") + "/2010-04-01/Accounts/" + url.PathEscape(t.AccountSID) + "/Messages.json"
	form := url.Values{"To": {m.To}, "Body": {m.Text}}
	if strings.HasPrefix(t.From, "MG") {
		form.Set("MessagingServiceSid", t.From)
	} else {
		form.Set("From", t.From)
	}
	var out struct {
		SID  string `json:"sid"`
		Code int    `json:"code"`
	}
	status, err := post(ctx, t.Client, "twilio", endpoint, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), func(r *http.Request) {
		r.SetBasicAuth(t.AccountSID, t.AuthToken)
	}, &out)
	if err != nil {
		return "", err
	}
	if status/100 != 2 {
		if out.Code == twilioOptedOut {
			return "", permanent(ErrOptedOut)
		}
		code := ""
		if out.Code != 0 {
			code = strconv.Itoa(out.Code)
		}
		return "", httpError("twilio", status, code)
	}
	return out.SID, nil
}

// TwilioSignature is the X-Twilio-Signature Twilio sends with a form POST to fullURL:
// base64 HMAC-SHA1, keyed with the account's auth token, of the URL followed by each
// parameter's name and value in name order (a repeated name's distinct values in order).
func TwilioSignature(authToken, fullURL string, form url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		vals := slices.Clone(form[k])
		slices.Sort(vals)
		// Twilio's libraries sign each distinct value once.
		for _, v := range slices.Compact(vals) {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// VerifyTwilio reports whether signature is Twilio's for a POST of form to any of urls
// (the address as configured at Twilio may differ from the one this server sees behind
// a proxy) or to each of them with its default port added or removed, as Twilio's own
// libraries allow.
func VerifyTwilio(authToken string, urls []string, form url.Values, signature string) bool {
	if authToken == "" || signature == "" {
		return false
	}
	for _, u := range urls {
		for _, candidate := range portVariants(u) {
			if hmac.Equal([]byte(TwilioSignature(authToken, candidate, form)), []byte(signature)) {
				return true
			}
		}
	}
	return false
}

// portVariants is raw, and raw with its scheme's default port added or removed.
func portVariants(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return []string{raw}
	}
	def := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	v := *u
	switch port := u.Port(); {
	case port == "" && def != "":
		v.Host = u.Host + ":" + def
	case port != "" && port == def:
		v.Host = u.Hostname()
		if strings.Contains(v.Host, ":") {
			v.Host = "[" + v.Host + "]"
		}
	default:
		return []string{raw}
	}
	return []string{raw, v.String()}
}

// ParseTwilioInbound reads the message of Twilio's inbound-SMS webhook form.
func ParseTwilioInbound(form url.Values) (Inbound, error) {
	in := Inbound{From: form.Get("From"), To: form.Get("To"), Text: form.Get("Body")}
	if in.From == "" {
		return in, errors.New("twilio: inbound message without From")
	}
	return in, nil
}

func cmpOr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
