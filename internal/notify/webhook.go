package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"frontdesk/internal/locale"
	"frontdesk/internal/netguard"
)

// Webhook body formats: a Standard Webhooks event, or a Slack or Microsoft Teams
// incoming-webhook message carrying only the alert's text and link.
const (
	FormatStandard = "standard"
	FormatSlack    = "slack"
	FormatTeams    = "teams"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// secretPrefix starts a Standard Webhooks secret: "whsec_" and the key in base64.
const secretPrefix = "whsec_"

// ParseSecret decodes a Standard Webhooks secret, "whsec_" and a base64 key of 24 to 64
// bytes as the spec advises (the prefix may be left out), into the HMAC key.
func ParseSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(secret), secretPrefix))
	if err != nil {
		return nil, errors.New(`the secret must be "whsec_" followed by a base64 key`)
	}
	if len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("the secret's key is %d bytes; it must be 24 to 64", len(key))
	}
	return key, nil
}

// Sign is the webhook-signature value for a message: "v1," and the base64 HMAC-SHA256,
// keyed with key, of "{id}.{timestamp}.{body}", timestamp in Unix seconds.
func Sign(key []byte, id string, timestamp time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// WebhookBody renders a in format: for FormatStandard the event
// {"type", "timestamp", "data": {"business", "id", "url"}}; for Slack and Teams a message
// with the alert's sentence and the link.
func WebhookBody(a Alert, format string) ([]byte, error) {
	c := locale.For(a.Lang)
	text := c.AlertBody(a.What(), a.Practice, a.When())
	switch format {
	case FormatStandard, "":
		return json.Marshal(map[string]any{
			"type":      a.Event,
			"timestamp": a.Time.UTC().Format(time.RFC3339),
			"data":      map[string]string{"business": a.Business, "id": a.ID, "url": a.URL},
		})
	case FormatSlack:
		// Slack's mrkdwn link syntax; the text is plain otherwise, so the few characters
		// Slack treats as control characters are escaped as it asks.
		return json.Marshal(map[string]string{
			"text": slackEscape(text) + " <" + slackEscape(a.URL) + "|" + slackEscape(c.AlertButton) + ">",
		})
	case FormatTeams:
		// An Adaptive Card message, which Teams' Workflows webhooks (and the older
		// connectors) accept.
		return json.Marshal(map[string]any{
			"type": "message",
			"attachments": []any{map[string]any{
				"contentType": "application/vnd.microsoft.card.adaptive",
				"content": map[string]any{
					"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
					"type":    "AdaptiveCard",
					"version": "1.4",
					"body":    []any{map[string]any{"type": "TextBlock", "text": text, "wrap": true}},
					"actions": []any{map[string]any{"type": "Action.OpenUrl", "title": c.AlertButton, "url": a.URL}},
				},
			}},
		})
	}
	return nil, fmt.Errorf("unknown webhook format %q", format)
}

func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Endpoint posts messages to one webhook URL, signed as Standard Webhooks when it has
// a key. Its URL is a practice's choice, so its Client must be a netguard one.
type Endpoint struct {
	URL string
	// Key signs each request (from ParseSecret); nil sends no webhook-signature, for
	// Slack and Teams URLs, which are their own secret.
	Key []byte
	// AllowPrivate lets the URL name a private address (the operator's choice); the
	// Client must refuse them too, at connection time.
	AllowPrivate bool
	// Client makes the request (default: netguard.Client(AllowPrivate, nil) with a 30s timeout).
	Client *http.Client
	// Now is the clock for webhook-timestamp (default time.Now).
	Now func() time.Time
}

// Send posts m.Text (JSON) with webhook-id m.ID, which stays the same across retries so
// the receiver can drop a repeat, and a webhook-timestamp of this attempt. Any 2xx is
// success; other statuses are retried, except that a refused address is permanent.
func (e *Endpoint) Send(ctx context.Context, m Message) (string, error) {
	if err := netguard.CheckURL(e.URL, e.AllowPrivate); err != nil {
		return "", permanent(fmt.Errorf("webhook: %w", err))
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	body := []byte(m.Text)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return "", permanent(errors.New("webhook: invalid URL"))
	}
	ts := now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Frontdesk-Webhooks/1")
	req.Header.Set(HeaderID, m.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	if e.Key != nil {
		req.Header.Set(HeaderSignature, Sign(e.Key, m.ID, ts, body))
	}
	client := e.Client
	if client == nil {
		client = netguard.Client(e.AllowPrivate, nil)
		client.Timeout = 30 * time.Second
	}
	// A redirect would re-post the signed event elsewhere: the practice gave this URL.
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return "", transportError("webhook", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("webhook: HTTP %d", resp.StatusCode)
	}
	return "", nil
}
