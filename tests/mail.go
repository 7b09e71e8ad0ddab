package tests

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pocketbase/pocketbase/core"
)

// MailServer is a real SMTP server (go-smtp) on a loopback port that keeps what it
// receives, for tests of the mail PocketBase sends through its own SMTP client.
type MailServer struct {
	Host string
	Port int

	t   testing.TB
	mu  sync.Mutex
	srv *smtp.Server
	got []Mail
}

// Mail is one message as the server received it.
type Mail struct {
	From string
	To   []string
	Raw  []byte
	At   time.Time
}

// StartMailServer starts a mail server until the test ends.
func StartMailServer(t testing.TB) *MailServer {
	s := &MailServer{t: t}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Host, s.Port = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port
	s.serve(ln)
	t.Cleanup(s.Down)
	return s
}

// UseMailServer sends app's mail to s: PocketBase's SMTP settings point at it, and the
// in-memory mailer PocketBase's test app installs is taken out.
func UseMailServer(app core.App, s *MailServer) {
	app.OnMailerSend().UnbindAll()
	st := app.Settings()
	st.Meta.AppURL = "https://fd.example"
	st.Meta.SenderAddress = "frontdesk@fd.example"
	st.Meta.SenderName = "Frontdesk"
	st.SMTP.Enabled = true
	st.SMTP.Host, st.SMTP.Port = s.Host, s.Port
}

func (s *MailServer) serve(ln net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "mail.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Down stops the server: connections are refused.
func (s *MailServer) Down() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Up starts it again on its port.
func (s *MailServer) Up() {
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger a moment
		if ln, err = net.Listen("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port))); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.serve(ln)
}

// Messages are the messages received so far, oldest first.
func (s *MailServer) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// NewSession implements smtp.Backend.
func (s *MailServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{s: s}, nil }

type mailSession struct {
	s    *MailServer
	from string
	to   []string
}

func (m *mailSession) Reset()        { m.from, m.to = "", nil }
func (m *mailSession) Logout() error { return nil }
func (m *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	m.from = from
	return nil
}
func (m *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	m.to = append(m.to, to)
	return nil
}
func (m *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.s.mu.Lock()
	m.s.got = append(m.s.got, Mail{From: m.from, To: m.to, Raw: raw, At: time.Now()})
	m.s.mu.Unlock()
	return nil
}

// ParsedMail is a received message decoded: its headers and each text part.
type ParsedMail struct {
	Header mail.Header
	Parts  map[string]string // content type -> decoded text
}

// Parse decodes m.
func (m Mail) Parse(t testing.TB) ParsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatalf("read mail: %v", err)
	}
	p := ParsedMail{Header: msg.Header, Parts: map[string]string{}}
	collectParts(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, p.Parts)
	return p
}

func collectParts(t testing.TB, contentType, encoding string, body io.Reader, out map[string]string) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			collectParts(t, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, out)
		}
	}
	var r io.Reader = body
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	out[mt] = strings.ReplaceAll(string(b), "\r\n", "\n")
}

// Subject is the decoded subject.
func (p ParsedMail) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
	if err != nil {
		return p.Header.Get("Subject")
	}
	return s
}

// Wait returns the messages once there are at least n, failing the test after timeout
// (PocketBase sends some mail, such as sign-in codes, in the background).
func (s *MailServer) Wait(t testing.TB, n int, timeout time.Duration) []Mail {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if got := s.Messages(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails after %v, want %d", len(s.Messages()), timeout, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
