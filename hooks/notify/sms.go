package notify

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/notify"
	"frontdesk/internal/phone"
	"frontdesk/models"
)

// inboundLimit caps an inbound-SMS webhook's body: Twilio's form and Telnyx's JSON
// event are a few kilobytes.
const inboundLimit = 64 << 10

// helpEvery is how often one number gets the HELP text at most, so two autoresponders
// can't keep texting each other.
const helpEvery = 10 * time.Minute

// bindRoutes adds the providers' inbound-SMS webhooks. {business} is the practice's slug
// (or id); each provider's console is given its own route.
func (m *Manager) bindRoutes(se *core.ServeEvent) {
	se.Router.POST("/api/frontdesk/sms/twilio/{business}", m.twilioInbound).Bind(apis.BodyLimit(inboundLimit))
	se.Router.POST("/api/frontdesk/sms/telnyx/{business}", m.telnyxInbound).Bind(apis.BodyLimit(inboundLimit))
}

// twilioInbound takes Twilio's inbound-message webhook, signed with the account's auth
// token (X-Twilio-Signature), and answers with empty TwiML: replies go through the
// outbox like every other message.
func (m *Manager) twilioInbound(e *core.RequestEvent) error {
	biz, cred, err := m.inboundPractice(e, models.CredentialTwilio)
	if err != nil {
		return err
	}
	if err := e.Request.ParseForm(); err != nil {
		return e.BadRequestError("The body must be a form.", nil)
	}
	if !notify.VerifyTwilio(cred.AuthToken, m.requestURLs(e), e.Request.PostForm, e.Request.Header.Get("X-Twilio-Signature")) {
		return e.ForbiddenError("The request signature does not match.", nil)
	}
	in, err := notify.ParseTwilioInbound(e.Request.PostForm)
	if err != nil {
		return e.BadRequestError("No sender in the message.", nil)
	}
	if err := m.inbound(biz, models.CredentialTwilio, in); err != nil {
		return err
	}
	e.Response.Header().Set("Content-Type", "text/xml; charset=utf-8")
	return e.String(http.StatusOK, `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`)
}

// telnyxInbound takes Telnyx's message webhooks, signed with Ed25519
// (telnyx-signature-ed25519 over telnyx-timestamp|body), and acts on message.received.
func (m *Manager) telnyxInbound(e *core.RequestEvent) error {
	biz, cred, err := m.inboundPractice(e, models.CredentialTelnyx)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(e.Request.Body)
	if err != nil {
		return e.BadRequestError("The body could not be read.", nil)
	}
	h := e.Request.Header
	if err := notify.VerifyTelnyx(cred.PublicKey, h.Get("telnyx-timestamp"), h.Get("telnyx-signature-ed25519"), body, m.opts.Now()); err != nil {
		return e.ForbiddenError("The request signature does not match.", nil)
	}
	in, ok, err := notify.ParseTelnyxInbound(body)
	if err != nil {
		return e.BadRequestError("The body is not a Telnyx event.", nil)
	}
	if ok {
		if err := m.inbound(biz, models.CredentialTelnyx, in); err != nil {
			return err
		}
	}
	return e.JSON(http.StatusOK, map[string]any{})
}

// inboundPractice finds the route's practice and its credentials of kind: an unknown
// practice, or one without that provider, is 404 either way.
func (m *Manager) inboundPractice(e *core.RequestEvent, kind string) (*models.Business, *smsCredential, error) {
	key := e.Request.PathValue("business")
	rec, err := m.app.FindFirstRecordByData(models.BusinessesCollection, "slug", key)
	if err != nil {
		rec, err = m.app.FindRecordById(models.BusinessesCollection, key)
	}
	if err != nil {
		return nil, nil, e.NotFoundError("Unknown practice.", nil)
	}
	cred, err := m.credential(rec.Id, kind)
	if err != nil {
		return nil, nil, err
	}
	if cred == nil {
		return nil, nil, e.NotFoundError("The practice has no "+kind+" account.", nil)
	}
	return models.NewBusiness(rec), cred, nil
}

// requestURLs are the addresses Twilio may have signed: the app's URL as set in its
// settings, and the one this request came to, with the path and query it has.
func (m *Manager) requestURLs(e *core.RequestEvent) []string {
	uri := e.Request.URL.RequestURI()
	urls := []string{}
	if app := strings.TrimRight(m.app.Settings().Meta.AppURL, "/"); app != "" {
		urls = append(urls, app+uri)
	}
	host := e.Request.Host
	return append(urls, "https://"+host+uri, "http://"+host+uri)
}

// inbound acts on a text the practice's number received: STOP (and its synonyms) opts
// the number out, once, with one confirmation; START opts it back in; HELP answers with
// the practice's name and phone. Anything else needs nothing from us. The text itself is
// neither logged nor stored.
func (m *Manager) inbound(biz *models.Business, provider string, in notify.Inbound) error {
	cmd := notify.ParseCommand(in.Text)
	if cmd == notify.CommandNone {
		return nil
	}
	from, err := phone.E164(in.From, phone.Region(biz.Phone()))
	if err != nil {
		return nil // a short code or alphanumeric sender: nothing to opt out
	}
	return m.app.RunInTransaction(func(tx core.App) error {
		rec, err := tx.FindFirstRecordByFilter(models.SMSOptOutsCollection, "business = {:b} && phone = {:p}", dbx.Params{"b": biz.Id, "p": from})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		wasOut := rec != nil && rec.GetBool("opted_out")
		switch cmd {
		case notify.CommandHelp:
			return m.replyHelp(tx, biz.Id, from)
		case notify.CommandStop:
			if wasOut {
				return nil // confirmed already: a second STOP gets nothing
			}
		case notify.CommandStart:
			if !wasOut {
				return nil
			}
		}
		if rec == nil {
			col, err := tx.FindCachedCollectionByNameOrId(models.SMSOptOutsCollection)
			if err != nil {
				return err
			}
			rec = core.NewRecord(col)
			rec.Set("business", biz.Id)
			rec.Set("phone", from)
		}
		rec.Set("opted_out", cmd == notify.CommandStop)
		rec.Set("keyword", strings.ToUpper(strings.TrimSpace(in.Text)))
		rec.Set("provider", provider)
		rec.Set("changed", m.opts.Now())
		if err := tx.Save(rec); err != nil {
			return fmt.Errorf("record opt-out: %w", err)
		}
		event := eventSMSStopped
		if cmd == notify.CommandStart {
			event = eventSMSStarted
		}
		return m.reply(tx, biz.Id, from, event)
	})
}

// replyHelp answers HELP, unless the number was answered within helpEvery.
func (m *Manager) replyHelp(tx core.App, business, to string) error {
	n, err := tx.CountRecords(models.OutboxCollection,
		dbx.HashExp{"to": to, "event": eventSMSHelp, "business": business},
		dbx.NewExp("[[to]] != '' AND [[created]] > {:since}", dbx.Params{"since": dbTime(m.opts.Now().Add(-helpEvery))}))
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return m.reply(tx, business, to, eventSMSHelp)
}

// reply queues a text to the number that sent a keyword.
func (m *Manager) reply(tx core.App, business, to, event string) error {
	return m.queueSMS(tx, business, to, event, "")
}
