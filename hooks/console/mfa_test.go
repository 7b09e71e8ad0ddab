package console_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"frontdesk/tests"
)

var otpSubject = regexp.MustCompile(`^(\d{6}) is your Bright Smile Dental console sign-in code$`)

// In a practice that requires it, an owner's password alone is not a login: PocketBase
// answers 401 with an MFA id, and the code emailed (over real SMTP) completes it. Its
// viewers, and the owners of a practice that doesn't require it, sign in with the
// password alone.
func TestOwnersOfAPracticeRequiringMFASignInWithAnEmailedCode(t *testing.T) {
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.NoRateLimits)
	mail := tests.StartMailServer(t)
	tests.UseMailServer(f.App, mail)
	f.A.Set("require_mfa", true)
	if err := f.App.Save(f.A); err != nil {
		t.Fatal(err)
	}
	login := func(who string) *http.Response {
		return f.Do("POST", "/api/collections/staff/auth-with-password", `{"identity": "`+who+`@example.com", "password": "correct horse battery"}`, tests.Anonymous).Result()
	}
	for _, who := range []string{tests.Viewer, tests.OtherOwner} {
		if res := login(who); res.StatusCode != http.StatusOK {
			t.Fatalf("%s with a password: %d, want a login", who, res.StatusCode)
		}
	}
	for _, who := range []string{tests.Owner, tests.Admin} {
		rec := f.Do("POST", "/api/collections/staff/auth-with-password", `{"identity": "`+who+`@example.com", "password": "correct horse battery"}`, tests.Anonymous)
		var first struct {
			MFAID string `json:"mfaId"`
			Token string `json:"token"`
		}
		decode(t, rec.Body.Bytes(), &first)
		if rec.Code != http.StatusUnauthorized || first.MFAID == "" || first.Token != "" {
			t.Fatalf("%s with a password alone: %d %s, want 401 with an mfaId", who, rec.Code, rec.Body.String())
		}
		before := len(mail.Messages())
		rec = f.Do("POST", "/api/collections/staff/request-otp", `{"email": "`+who+`@example.com"}`, tests.Anonymous)
		var otp struct {
			OTPID string `json:"otpId"`
		}
		decode(t, rec.Body.Bytes(), &otp)
		if rec.Code != http.StatusOK || otp.OTPID == "" {
			t.Fatalf("request a code: %d %s", rec.Code, rec.Body.String())
		}
		// PocketBase sends the code in the background.
		msgs := mail.Wait(t, before+1, 5*time.Second)
		if len(msgs) != before+1 || msgs[before].To[0] != who+"@example.com" {
			t.Fatalf("%d mails, want the code sent to %s", len(msgs)-before, who)
		}
		m := msgs[before].Parse(t)
		code := otpSubject.FindStringSubmatch(m.Subject())
		if code == nil || !strings.Contains(m.Parts["text/html"], "<strong>"+code[1]+"</strong>") || !strings.Contains(m.Parts["text/html"], "Bright Smile Dental staff console") {
			t.Fatalf("code mail %q: %s", m.Subject(), m.Parts["text/html"])
		}
		wrong := "000000"
		if code[1] == wrong {
			wrong = "111111"
		}
		rec = f.Do("POST", "/api/collections/staff/auth-with-otp", `{"otpId": "`+otp.OTPID+`", "password": "`+wrong+`", "mfaId": "`+first.MFAID+`"}`, tests.Anonymous)
		if rec.Code == http.StatusOK {
			t.Fatal("a wrong code completed the login")
		}
		rec = f.Do("POST", "/api/collections/staff/auth-with-otp", `{"otpId": "`+otp.OTPID+`", "password": "`+code[1]+`", "mfaId": "`+first.MFAID+`"}`, tests.Anonymous)
		var done struct {
			Token string `json:"token"`
		}
		decode(t, rec.Body.Bytes(), &done)
		if rec.Code != http.StatusOK || done.Token == "" {
			t.Fatalf("%s's code with the MFA id: %d %s, want a login", who, rec.Code, rec.Body.String())
		}
	}

	// The trail tells a first factor that asked for a second from a login, and the
	// code's login is audited like a password's.
	if got := auditEntries(t, f, "login_mfa"); len(got) != 2 {
		t.Fatalf("login_mfa entries %v, want the owner's and the admin's", got)
	}
	if got := auditEntries(t, f, "login"); len(got) != 4 {
		t.Fatalf("login entries %v, want the viewer's, the other owner's and two by code", got)
	}

	// Once the practice stops requiring it, the password is enough again.
	f.A.Set("require_mfa", false)
	if err := f.App.Save(f.A); err != nil {
		t.Fatal(err)
	}
	if res := login(tests.Owner); res.StatusCode != http.StatusOK {
		t.Fatalf("owner after require_mfa is off: %d", res.StatusCode)
	}
}
