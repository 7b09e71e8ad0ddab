package notify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// TelnyxBaseURL is Telnyx's REST API.
const TelnyxBaseURL = "https://api.telnyx.com"

// telnyxOptedOut is Telnyx's error for a number that texted STOP to the sender.
const telnyxOptedOut = "40300"

// TelnyxTolerance is how far a Telnyx webhook's timestamp may be from now: older
// signed requests are replays.
const TelnyxTolerance = 5 * time.Minute

// Telnyx sends text messages through Telnyx's Messaging API.
type Telnyx struct {
	APIKey string
	// From is the sending number (E.164).
	From string
	// BaseURL replaces TelnyxBaseURL (tests point it at a fake).
	BaseURL string
	// Client makes the requests (default: a client with a 30s timeout).
	Client *http.Client
}

// Send posts m.Text to m.To and returns the message's id.
func (t *Telnyx) Send(ctx context.Context, m Message) (string, error) {
	endpoint := strings.TrimRight(cmpOr(t.BaseURL, TelnyxBaseURL), "/") + "/v2/messages"
	body, err := json.Marshal(map[string]string{"from": t.From, "to": m.To, "text": m.Text})
	if err != nil {
		return "", permanent(err)
	}
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	status, err := post(ctx, t.Client, "telnyx", endpoint, "application/json", bytes.NewReader(body), func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+t.APIKey)
	}, &out)
	if err != nil {
		return "", err
	}
	if status/100 != 2 {
		code := ""
		if len(out.Errors) > 0 {
			code = out.Errors[0].Code
		}
		if code == telnyxOptedOut {
			return "", permanent(ErrOptedOut)
		}
		return "", httpError("telnyx", status, code)
	}
	return out.Data.ID, nil
}

// Errors of VerifyTelnyx.
var (
	ErrBadSignature = errors.New("signature does not match")
	ErrStale        = errors.New("timestamp outside the tolerance")
)

// VerifyTelnyx checks a Telnyx webhook: signature (the telnyx-signature-ed25519 header,
// base64) must be the Ed25519 signature, by the account's public key (base64, as the
// portal shows it), of timestamp (the telnyx-timestamp header, Unix seconds), "|" and the
// body; and the timestamp must be within TelnyxTolerance of now.
func VerifyTelnyx(publicKey, timestamp, signature string, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(publicKey))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return errors.New("telnyx: the public key is not a base64 Ed25519 key")
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	msg := make([]byte, 0, len(timestamp)+1+len(body))
	msg = append(append(append(msg, timestamp...), '|'), body...)
	if !ed25519.Verify(key, msg, sig) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > TelnyxTolerance || d < -TelnyxTolerance {
		return ErrStale
	}
	return nil
}

// SignTelnyx signs a webhook body as Telnyx does; tests use it to fake Telnyx.
func SignTelnyx(key ed25519.PrivateKey, timestamp string, body []byte) string {
	msg := append([]byte(timestamp+"|"), body...)
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))
}

// ParseTelnyxInbound reads the message of Telnyx's message.received webhook. ok is false
// for Telnyx's other events (delivery reports of sent messages), which need no action.
func ParseTelnyxInbound(body []byte) (in Inbound, ok bool, err error) {
	var ev struct {
		Data struct {
			EventType string `json:"event_type"`
			Payload   struct {
				Direction string `json:"direction"`
				Text      string `json:"text"`
				From      struct {
					PhoneNumber string `json:"phone_number"`
				} `json:"from"`
				To []struct {
					PhoneNumber string `json:"phone_number"`
				} `json:"to"`
			} `json:"payload"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return in, false, fmt.Errorf("telnyx: webhook body: %w", err)
	}
	p := ev.Data.Payload
	if ev.Data.EventType != "message.received" || (p.Direction != "" && p.Direction != "inbound") {
		return in, false, nil
	}
	in = Inbound{From: p.From.PhoneNumber, Text: p.Text}
	if len(p.To) > 0 {
		in.To = p.To[0].PhoneNumber
	}
	if in.From == "" {
		return in, false, errors.New("telnyx: inbound message without a sender")
	}
	return in, true, nil
}
