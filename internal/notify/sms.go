package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"frontdesk/internal/locale"
)

// AlertSMS renders a as a text message: the practice, what happened and the link.
func AlertSMS(a Alert) string {
	return locale.For(a.Lang).SMSAlert(a.Practice, a.What(), a.URL)
}

// Command is what an inbound text asks for, by the carriers' keywords.
type Command int

// The inbound commands. CommandNone is any other text, which gets no answer.
const (
	CommandNone Command = iota
	CommandStop
	CommandStart
	CommandHelp
)

// keywords are the words carriers and the CTIA's guidelines make every sender honour
// (and the ones Twilio's and Telnyx's own opt-out handling recognise).
var keywords = map[string]Command{
	"STOP": CommandStop, "STOPALL": CommandStop, "UNSUBSCRIBE": CommandStop, "CANCEL": CommandStop,
	"END": CommandStop, "QUIT": CommandStop, "OPTOUT": CommandStop, "REVOKE": CommandStop,
	"START": CommandStart, "UNSTOP": CommandStart, "YES": CommandStart,
	"HELP": CommandHelp, "INFO": CommandHelp,
}

// ParseCommand reads an inbound text as a command. Like the carriers, it takes the whole
// message as one keyword, in any case and with surrounding spaces or punctuation, so
// "Stop." opts out while "don't stop texting me" does not.
func ParseCommand(body string) Command {
	word := strings.TrimFunc(body, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	return keywords[strings.ToUpper(word)]
}

// Reply is the answer to a command in lang: the STOP confirmation, the START
// confirmation, or the HELP text with the practice's phone. CommandNone has none.
func Reply(lang locale.Lang, cmd Command, practice, phone string) string {
	c := locale.For(lang)
	switch cmd {
	case CommandStop:
		return c.SMSStopped(practice)
	case CommandStart:
		return c.SMSStarted(practice)
	case CommandHelp:
		return c.SMSHelp(practice, phone)
	}
	return ""
}

// Inbound is a text message received by a practice's number.
type Inbound struct {
	// From and To are E.164 numbers: the sender's and the practice's.
	From, To string
	// Text is the message. Callers must not log or store it beyond acting on it.
	Text string
}

// defaultClient is the HTTP client the SMS providers use when given none: the
// operator's own endpoints (the providers or their test doubles), with a bound.
var defaultClient = &http.Client{Timeout: 30 * time.Second}

func clientOr(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return defaultClient
}

// post sends an SMS provider's request with auth's credentials and decodes its JSON
// answer, whatever the status, into out; it returns the status. A request that got no
// answer is transportError's.
func post(ctx context.Context, c *http.Client, provider, endpoint, contentType string, body io.Reader, auth func(*http.Request), out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, body)
	if err != nil {
		return 0, permanent(fmt.Errorf("%s: %w", provider, err))
	}
	auth(req)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	resp, err := clientOr(c).Do(req)
	if err != nil {
		return 0, transportError(provider, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, out)
	return resp.StatusCode, nil
}
