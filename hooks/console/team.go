package console

import (
	"errors"
	"html"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/mails"
	"github.com/pocketbase/pocketbase/tools/router"

	"frontdesk/hooks/apierr"
	"frontdesk/models"
)

// ErrLastOwner is why a change that would leave a practice without an owner is refused,
// through these routes, the record API or the admin UI.
var ErrLastOwner = errors.New("a practice keeps at least one owner")

var roles = []string{models.RoleOwner, models.RoleAdmin, models.RoleViewer}

// member is one staff member as the team route lists them: emails are shown to the
// practice's owners and admins, who manage the team.
type member struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Verified bool   `json:"verified"`
	// MFA tells whether the member signs in with an emailed code besides the password.
	MFA bool `json:"mfa"`
}

func memberOf(r *core.Record, b *models.Business) member {
	role := r.GetString("role")
	return member{ID: r.Id, Name: r.GetString("name"), Email: r.Email(), Role: role, Verified: r.Verified(),
		MFA: role != models.RoleViewer && b.GetBool("require_mfa")}
}

// listTeam answers the practice's staff, owners first.
func listTeam(e *core.RequestEvent) error {
	b, err := practiceOf(e)
	if err != nil {
		return err
	}
	var staff []*core.Record
	err = e.App.RecordQuery(models.StaffCollection).AndWhere(dbx.HashExp{"business": b.Id}).OrderBy("name", "id").All(&staff)
	if err != nil {
		return err
	}
	// roles is in rank order: owners first.
	slices.SortStableFunc(staff, func(x, y *core.Record) int {
		return slices.Index(roles, x.GetString("role")) - slices.Index(roles, y.GetString("role"))
	})
	items := make([]member, 0, len(staff))
	for _, r := range staff {
		items = append(items, memberOf(r, b))
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

// invite adds a staff member with a random password and emails them PocketBase's
// password-reset link, so they choose their own; without mail settings the member is
// added all the same (email_sent false) and an owner sets them up another way.
func invite(e *core.RequestEvent, a Auditor) error {
	b, err := practiceOf(e)
	if err != nil {
		return err
	}
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	}
	if err := e.BindBody(&in); err != nil {
		return apierr.Invalid("The body is JSON {email, name, role}.", nil)
	}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	if !slices.Contains(roles, in.Role) {
		return apierr.Invalid("role is owner, admin or viewer.", map[string]string{"role": "unknown role"})
	}
	if in.Role == models.RoleOwner && !actsAsOwner(e) {
		return apierr.New(http.StatusForbidden, "forbidden", "Only an owner can make another owner.")
	}
	if _, err := e.App.FindAuthRecordByEmail(models.StaffCollection, in.Email); err == nil {
		return errEmailTaken
	}
	col, err := e.App.FindCachedCollectionByNameOrId(models.StaffCollection)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set("business", b.Id)
	r.Set("role", in.Role)
	r.Set("name", in.Name)
	r.SetEmail(in.Email)
	r.SetRandomPassword()
	if err := e.App.Save(r); err != nil {
		return invalidRecord(err)
	}
	if err := a.Request(e, "team.invite", "staff/"+r.Id+" as "+in.Role, b.Id); err != nil {
		return err
	}
	sent := false
	if e.App.Settings().SMTP.Enabled {
		if err := mails.SendRecordPasswordReset(e.App, r); err != nil {
			// The member exists: the owner can send the reset again from the console.
			e.App.Logger().Error("team invite email", "business", b.Id, "staff", r.Id, "error", err)
		} else {
			sent = true
			e.App.Store().Set(inviteSentKey(r.Id), time.Now())
		}
	}
	return e.JSON(http.StatusCreated, map[string]any{"id": r.Id, "email_sent": sent})
}

// resendEvery is how often one member's invite may be sent again: PocketBase's own pause
// between two password-reset emails to one account, enough for a lost email and too
// seldom to flood an inbox.
const resendEvery = 2 * time.Minute

// The invite resend's refusals.
var (
	errNotPending = apierr.New(http.StatusConflict, "not_pending", "This member has already set their password; they can reset it from the sign-in page.")
	errNoMail     = apierr.New(http.StatusServiceUnavailable, "mail_unavailable", "This server has no mail settings, so no invite can be sent; a superuser sets them in the admin UI.")
	errMailFailed = apierr.New(http.StatusBadGateway, "mail_failed", "The invite could not be sent; try again later.")
)

// resendInvite emails a member who has not yet chosen a password (unverified: PocketBase
// verifies an account when its emailed reset link is used) a new link to choose one, at
// most once per resendEvery; only an owner re-sends an owner's invite, as only an owner
// invites one. Audited like the invite.
func resendInvite(e *core.RequestEvent, a Auditor) error {
	b, r, err := teamMember(e)
	if err != nil {
		return err
	}
	if r.Verified() {
		return errNotPending
	}
	if r.GetString("role") == models.RoleOwner && !actsAsOwner(e) {
		return apierr.New(http.StatusForbidden, "forbidden", "Only an owner can re-send an owner's invite.")
	}
	if !e.App.Settings().SMTP.Enabled {
		return errNoMail
	}
	// Claimed before sending, so two requests at once send one email.
	key, now := inviteSentKey(r.Id), time.Now()
	var wait time.Duration
	e.App.Store().SetFunc(key, func(old any) any {
		if last, ok := old.(time.Time); ok && now.Sub(last) < resendEvery {
			wait = resendEvery - now.Sub(last)
			return last
		}
		return now
	})
	if wait > 0 {
		tooSoon := apierr.New(http.StatusTooManyRequests, "rate_limited", "The invite was sent moments ago; wait a little before sending it again.")
		tooSoon.RetryAfter = int(wait.Round(time.Second) / time.Second)
		return tooSoon
	}
	if err := a.Request(e, "team.resend", "staff/"+r.Id, b.Id); err != nil {
		e.App.Store().Remove(key)
		return err
	}
	if err := mails.SendRecordPasswordReset(e.App, r); err != nil {
		e.App.Store().Remove(key)
		e.App.Logger().Error("team invite resend email", "business", b.Id, "staff", r.Id, "error", err)
		return errMailFailed
	}
	return e.JSON(http.StatusOK, map[string]any{"id": r.Id, "email_sent": true})
}

// inviteSentKey keys, in the app's memory, when staff member id's invite was last sent.
func inviteSentKey(id string) string { return "frontdesk.inviteSent." + id }

// changeRole sets a staff member's role (owners only); the last owner keeps theirs.
func changeRole(e *core.RequestEvent, a Auditor) error {
	b, r, err := teamMember(e)
	if err != nil {
		return err
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := e.BindBody(&in); err != nil || !slices.Contains(roles, in.Role) {
		return apierr.Invalid("The body is JSON {role}: owner, admin or viewer.", map[string]string{"role": "unknown role"})
	}
	before := r.GetString("role")
	r.Set("role", in.Role)
	if err := e.App.Save(r); err != nil {
		return invalidRecord(err)
	}
	if err := a.Request(e, "team.role", "staff/"+r.Id+" "+before+" -> "+in.Role, b.Id); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, memberOf(r, b))
}

// removeStaff deletes a staff member (owners only); the last owner stays.
func removeStaff(e *core.RequestEvent, a Auditor) error {
	b, r, err := teamMember(e)
	if err != nil {
		return err
	}
	if err := e.App.Delete(r); err != nil {
		return invalidRecord(err)
	}
	if err := a.Request(e, "team.remove", "staff/"+r.Id, b.Id); err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}

// teamMember is the practice and the staff member {id} of it the route acts on.
func teamMember(e *core.RequestEvent) (*models.Business, *core.Record, error) {
	b, err := practiceOf(e)
	if err != nil {
		return nil, nil, err
	}
	r, err := e.App.FindRecordById(models.StaffCollection, e.Request.PathValue("id"))
	if err != nil || r.GetString("business") != b.Id {
		return nil, nil, errNotFound
	}
	return b, r, nil
}

// actsAsOwner reports whether the request is an owner's or a superuser's.
func actsAsOwner(e *core.RequestEvent) bool {
	return e.HasSuperuserAuth() || e.Auth.GetString("role") == models.RoleOwner
}

// invalidRecord turns a failed save into the route's answer: the last owner refused
// (409 last_owner), a field refused (400, per field), anything else unexpected.
func invalidRecord(err error) error {
	if errors.Is(err, ErrLastOwner) {
		return errLastOwner
	}
	var ve validation.Errors
	if errors.As(err, &ve) {
		fields := map[string]string{}
		for name, fe := range ve {
			fields[name] = fe.Error()
		}
		return apierr.Invalid("Check the fields.", fields)
	}
	return err
}

// bindLastOwner refuses to demote, move or delete a practice's last owner, however the
// change comes (these routes, the record API, the admin UI, a batch), in the
// transaction of the change, so two owners removed at once can't both go. A practice
// being deleted takes its owners with it: by the time they are deleted its row is gone.
func bindLastOwner(app core.App) {
	guard := func(e *core.RecordEvent, business string) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			if err := keepsOwner(tx, business, e.Record.Id); err != nil {
				return err
			}
			outer := e.App
			e.App = tx
			defer func() { e.App = outer }()
			return e.Next()
		})
	}
	app.OnRecordUpdateExecute(models.StaffCollection).BindFunc(func(e *core.RecordEvent) error {
		was := e.Record.Original()
		business := was.GetString("business")
		if was.GetString("role") != models.RoleOwner ||
			(e.Record.GetString("role") == models.RoleOwner && e.Record.GetString("business") == business) {
			return e.Next()
		}
		return guard(e, business)
	})
	app.OnRecordDeleteExecute(models.StaffCollection).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("role") != models.RoleOwner {
			return e.Next()
		}
		return guard(e, e.Record.GetString("business"))
	})
}

// keepsOwner refuses when the practice business, if it still exists, has no owner but
// staff member except.
func keepsOwner(app core.App, business, except string) error {
	var exists int
	if err := app.DB().Select("COUNT(*)").From(models.BusinessesCollection).Where(dbx.HashExp{"id": business}).Row(&exists); err != nil {
		return err
	}
	if exists == 0 {
		return nil
	}
	var owners int
	err := app.DB().Select("COUNT(*)").From(models.StaffCollection).
		Where(dbx.HashExp{"business": business, "role": models.RoleOwner}).
		AndWhere(dbx.Not(dbx.HashExp{"id": except})).Row(&owners)
	if err != nil {
		return err
	}
	if owners == 0 {
		return router.NewApiError(http.StatusConflict, errLastOwner.Message, ErrLastOwner)
	}
	return nil
}

// practiceNamePlaceholder is filled in with the staff member's practice's name in the
// emails PocketBase sends staff (migrations: the staff email templates).
const practiceNamePlaceholder = "{PRACTICE_NAME}"

// bindStaffEmails fills in {PRACTICE_NAME} in the password-reset, verification,
// email-change and sign-in code emails of staff.
func bindStaffEmails(app core.App) {
	fill := func(e *core.MailerRecordEvent) error {
		if e.Message != nil && e.Record != nil {
			name := app.Settings().Meta.AppName
			if b, err := e.App.FindRecordById(models.BusinessesCollection, e.Record.GetString("business")); err == nil {
				name = models.NewBusiness(b).Name()
			}
			e.Message.Subject = strings.ReplaceAll(e.Message.Subject, practiceNamePlaceholder, name)
			e.Message.HTML = strings.ReplaceAll(e.Message.HTML, practiceNamePlaceholder, html.EscapeString(name))
		}
		return e.Next()
	}
	app.OnMailerRecordPasswordResetSend(models.StaffCollection).BindFunc(fill)
	app.OnMailerRecordVerificationSend(models.StaffCollection).BindFunc(fill)
	app.OnMailerRecordEmailChangeSend(models.StaffCollection).BindFunc(fill)
	app.OnMailerRecordOTPSend(models.StaffCollection).BindFunc(fill)
}
