package booking

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/calendar/google"
	"frontdesk/models"
)

// The owner connects Google Calendar from the console: connect answers the URL of
// Google's consent screen, Google sends the owner back to the callback with a code, and
// the callback stores the token as the practice's credentials record of kind google
// (encrypted by the secrets hook). Disconnect deletes it. Only owners and admins of the
// practice may do either.
const (
	googleConnectPath    = "/api/frontdesk/calendar/google/connect"
	googleCallbackPath   = "/api/frontdesk/calendar/google/callback"
	googleDisconnectPath = "/api/frontdesk/calendar/google/disconnect"
	// connectTTL bounds how long a consent screen may stay open.
	connectTTL = 15 * time.Minute
)

func (m *Manager) mountGoogle(se *core.ServeEvent) {
	se.Router.POST(googleConnectPath, m.handleGoogleConnect)
	se.Router.GET(googleCallbackPath, m.handleGoogleCallback)
	se.Router.POST(googleDisconnectPath, m.handleGoogleDisconnect)
}

// editor is the signed-in owner or admin of a practice, or an error.
func editor(e *core.RequestEvent) (*core.Record, error) {
	a := e.Auth
	if a == nil || a.Collection().Name != models.StaffCollection {
		return nil, e.UnauthorizedError("Sign in as the practice's owner or an admin.", nil)
	}
	if r := a.GetString("role"); r != models.RoleOwner && r != models.RoleAdmin {
		return nil, e.ForbiddenError("Only the practice's owner or an admin can connect a calendar.", nil)
	}
	return a, nil
}

// googleConfig is the operator's client with the callback on this appliance.
func (m *Manager) googleConfig() (google.Config, error) {
	cfg := m.opts.Google
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return cfg, errors.New("google calendar is not configured on this appliance")
	}
	if cfg.RedirectURL == "" {
		cfg.RedirectURL = strings.TrimRight(m.app.Settings().Meta.AppURL, "/") + googleCallbackPath
	}
	return cfg, nil
}

type connectState struct {
	Business string `json:"b"`
	Staff    string `json:"s"`
	Expires  int64  `json:"e"`
}

// signState makes the OAuth state: who asked, for which practice, until when, signed so
// the callback can trust it without a session.
func (m *Manager) signState(s connectState) string {
	body, _ := json.Marshal(s)
	p := base64.RawURLEncoding.EncodeToString(body)
	mac := hmac.New(sha256.New, m.secret())
	mac.Write([]byte("frontdesk google connect\x00" + p))
	return p + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (m *Manager) readState(state string) (connectState, bool) {
	var s connectState
	p, sig, ok := strings.Cut(state, ".")
	if !ok {
		return s, false
	}
	mac := hmac.New(sha256.New, m.secret())
	mac.Write([]byte("frontdesk google connect\x00" + p))
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return s, false
	}
	body, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(body, &s) != nil || m.now().Unix() > s.Expires {
		return s, false
	}
	return s, true
}

func (m *Manager) handleGoogleConnect(e *core.RequestEvent) error {
	a, err := editor(e)
	if err != nil {
		return err
	}
	cfg, err := m.googleConfig()
	if err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	state := m.signState(connectState{Business: a.GetString("business"), Staff: a.Id, Expires: m.now().Add(connectTTL).Unix()})
	return e.JSON(http.StatusOK, map[string]string{"url": cfg.AuthCodeURL(state)})
}

func (m *Manager) handleGoogleCallback(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	s, ok := m.readState(q.Get("state"))
	if !ok {
		return e.BadRequestError("The link has expired; start connecting again from the console.", nil)
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		return e.BadRequestError("Google Calendar was not connected.", nil)
	}
	cfg, err := m.googleConfig()
	if err != nil {
		return e.BadRequestError(err.Error(), nil)
	}
	cred, err := cfg.Exchange(e.Request.Context(), m.opts.HTTPClient, q.Get("code"))
	if err != nil || cred.RefreshToken == "" {
		m.app.Logger().Warn("booking: google connect failed", "business", s.Business, "error", err)
		return e.BadRequestError("Google did not grant access; try connecting again.", nil)
	}
	value, _ := json.Marshal(cred)
	err = m.app.RunInTransaction(func(tx core.App) error {
		r := &core.Record{}
		err := tx.RecordQuery(models.CredentialsCollection).
			AndWhere(dbx.HashExp{"business": s.Business, "kind": credGoogle}).Limit(1).One(r)
		if err != nil {
			col, err := tx.FindCachedCollectionByNameOrId(models.CredentialsCollection)
			if err != nil {
				return err
			}
			r = core.NewRecord(col)
			r.Set("business", s.Business)
			r.Set("kind", credGoogle)
		}
		r.Set("value", string(value))
		return tx.Save(r)
	})
	if err != nil {
		return err
	}
	m.audit(s.Business, models.StaffCollection+":"+s.Staff, "calendar.connect", "google", e.RealIP())
	return e.Redirect(http.StatusFound, "/console/?calendar=connected")
}

// audit records a calendar's connection or disconnection; the credential is stored or
// gone either way, so a failed entry is logged rather than undoing it.
func (m *Manager) audit(business, actor, action, target, ip string) {
	if m.opts.Auditor == nil {
		return
	}
	if err := m.opts.Auditor.Record(business, actor, action, target, ip); err != nil {
		m.app.Logger().Error("audit write failed", "action", action, "error", err)
	}
}

func (m *Manager) handleGoogleDisconnect(e *core.RequestEvent) error {
	a, err := editor(e)
	if err != nil {
		return err
	}
	business := a.GetString("business")
	recs, err := m.app.FindAllRecords(models.CredentialsCollection, dbx.HashExp{"business": business, "kind": credGoogle})
	if err != nil {
		return err
	}
	// The grant is withdrawn at Google first, so no copy of the token (a backup, say)
	// can still reach the calendar; the credential is deleted whatever Google answers,
	// since the owner asked Frontdesk to let go of the calendar.
	revoked := true
	for _, r := range recs {
		if err := m.revokeGoogle(e.Request.Context(), r); err != nil {
			revoked = false
			m.app.Logger().Warn("booking: google token not revoked", "business", business, "error", err)
		}
		if err := m.app.Delete(r); err != nil {
			return err
		}
	}
	target := "google: token revoked"
	switch {
	case len(recs) == 0:
		target = "google: none connected"
	case !revoked:
		target = "google: token not revoked (Google unreachable); credential deleted"
	}
	m.audit(business, models.StaffCollection+":"+a.Id, "calendar.disconnect", target, e.RealIP())
	return e.JSON(http.StatusOK, map[string]bool{"connected": false, "revoked": revoked && len(recs) > 0})
}

// revokeGoogle revokes the token of stored credential r at Google.
func (m *Manager) revokeGoogle(ctx context.Context, r *core.Record) error {
	if m.opts.Decrypt == nil {
		return errors.New("no way to decrypt calendar credentials")
	}
	plain, err := m.opts.Decrypt(r.GetString("value"))
	if err != nil {
		return fmt.Errorf("decrypt: %w", err)
	}
	var cred google.Credential
	if err := json.Unmarshal([]byte(plain), &cred); err != nil {
		return fmt.Errorf("stored google credential: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return m.opts.Google.Revoke(ctx, m.opts.HTTPClient, cred)
}
