package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ollama/ollama/api"

	"frontdesk/internal/sse"
)

// questions are what visitors ask: ordinary front-desk questions that neither Frontdesk's
// health nor its injection screening answers itself, so every turn reaches the model.
var questions = []string{
	"What time do you open on Saturday?",
	"Do you take new patients this month?",
	"Is there parking near the office?",
	"Which insurance plans do you accept?",
	"How do I book a cleaning?",
	"Can I pay by card?",
}

// turnTimeout bounds one message: far beyond any budget, it only keeps a wedged
// server from hanging the run.
const turnTimeout = 2 * time.Minute

// session is one visitor's conversation with either Frontdesk or the model directly.
type session interface {
	// turn sends message k and reads the whole reply. It returns the time to the first
	// token, or a short error kind for the report (empty on success).
	turn(ctx context.Context, k int) (ttft time.Duration, errKind string)
	close()
}

// phaseStats collects one load phase's figures from all its visitors.
type phaseStats struct {
	mu     sync.Mutex
	ttft   []time.Duration
	turns  int
	errors map[string]int

	inflight, peak atomic.Int64
}

func (p *phaseStats) fail(kind string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errors[kind]++
}

func (p *phaseStats) ok(ttft time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ttft = append(p.ttft, ttft)
	p.turns++
}

// drive runs visitors concurrently, each opening a session and sending messages in turn,
// think after the previous reply is done. Starts are spread evenly over ramp so the
// connection burst doesn't dominate the figures. It stops early when ctx ends (the
// duration cap), which it reports as capped rather than as errors.
func drive(ctx context.Context, visitors, messages int, ramp, think time.Duration, open func(ctx context.Context, i int) (session, string)) (stats *phaseStats, elapsed time.Duration, capped bool) {
	stats = &phaseStats{errors: map[string]int{}}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range visitors {
		wg.Go(func() {
			delay := time.Duration(int64(ramp) * int64(i) / int64(max(visitors, 1)))
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
			s, kind := open(ctx, i)
			if kind != "" {
				if ctx.Err() == nil {
					stats.fail(kind)
				}
				return
			}
			defer s.close()
			for k := range messages {
				if k > 0 && think > 0 {
					select {
					case <-time.After(think):
					case <-ctx.Done():
					}
				}
				if ctx.Err() != nil {
					return
				}
				stats.peak.Store(max(stats.peak.Load(), stats.inflight.Add(1)))
				ttft, kind := s.turn(ctx, i+k)
				stats.inflight.Add(-1)
				switch {
				case kind == "":
					stats.ok(ttft)
				case ctx.Err() == nil:
					stats.fail(kind)
				}
			}
		})
	}
	wg.Wait()
	return stats, time.Since(start), ctx.Err() != nil
}

// visitorClient is an HTTP client whose connections come from their own loopback
// address (127.<block>.x.y), so each visitor is its own IP to per-IP rate limits.
func visitorClient(block byte, i int) *http.Client {
	ip := net.IPv4(127, block, byte(i/250), byte(i%250+1))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}).DialContext
	tr.DisableCompression = true
	return &http.Client{Transport: tr}
}

// frontdeskSession is a visitor of the demo practice talking through the visitor API.
type frontdeskSession struct {
	client      *http.Client
	base, token string
	want        string // the reply the fake model streams
}

// openFrontdesk starts a conversation with the demo practice as visitor i.
func openFrontdesk(ctx context.Context, base string, block byte, i int, want string) (session, string) {
	s := &frontdeskSession{client: visitorClient(block, i), want: want}
	body := fmt.Sprintf(`{"visitor_id":"bench-%d","page_url":"https://brightsmile.example/","locale":"en"}`, i)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/widget/demo/conversations", strings.NewReader(body))
	if err != nil {
		return nil, "create_request"
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		s.close()
		return nil, "create_transport"
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		s.close()
		return nil, statusKind("create", resp)
	}
	var out struct{ ID, Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ID == "" || out.Token == "" {
		s.close()
		return nil, "create_bad_body"
	}
	s.base = base + "/api/widget/demo/conversations/" + out.ID
	s.token = out.Token
	return s, ""
}

func (s *frontdeskSession) close() { s.client.CloseIdleConnections() }

func (s *frontdeskSession) turn(ctx context.Context, k int) (time.Duration, string) {
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"text": questions[k%len(questions)]})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/messages", bytes.NewReader(body))
	if err != nil {
		return 0, "message_request"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Conversation-Token", s.token)
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "message_transport"
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, statusKind("message", resp)
	}
	var (
		ttft  time.Duration
		reply strings.Builder
	)
	err = readEvents(resp.Body, func(name string, data []byte) (bool, string) {
		switch name {
		case "delta":
			if ttft == 0 {
				ttft = time.Since(start)
			}
			var d struct{ Text string }
			_ = json.Unmarshal(data, &d)
			reply.WriteString(d.Text)
		case "error":
			var e struct{ Code string }
			_ = json.Unmarshal(data, &e)
			return true, "error_event_" + e.Code
		case "done":
			var d struct{ Text string }
			if json.Unmarshal(data, &d) != nil || d.Text != s.want || reply.String() != s.want {
				// A canned or offline answer instead of the model's: the turn did not
				// measure the path it was meant to.
				return true, "unexpected_reply"
			}
			return true, ""
		}
		return false, ""
	})
	var kind kindError
	switch {
	case errors.As(err, &kind):
		return 0, string(kind)
	case errors.Is(err, errStreamEnded):
		return 0, "missing_done"
	case err != nil:
		return 0, "stream_read"
	}
	return ttft, ""
}

// errStreamEnded means the event stream closed before a done or error event.
var errStreamEnded = errors.New("event stream ended without done")

// readEvents reads server-sent events, calling on for each until it says stop; the
// error kind it returns with stop is handed back as an error. data is valid only during
// the call: the reader reuses it, so timing a reply costs no allocation per event.
func readEvents(r io.Reader, on func(name string, data []byte) (stop bool, kind string)) error {
	rd := sse.NewReader(r)
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return errStreamEnded
		}
		if err != nil {
			return err
		}
		if stop, kind := on(ev.Name, ev.Data); stop {
			if kind != "" {
				return kindError(kind)
			}
			return nil
		}
	}
}

// kindError carries an error kind out of readEvents.
type kindError string

func (k kindError) Error() string { return string(k) }

// statusKind names a non-success answer by route, status and error code.
func statusKind(route string, resp *http.Response) string {
	var e struct{ Code string }
	_ = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&e)
	kind := fmt.Sprintf("%s_http_%d", route, resp.StatusCode)
	if e.Code != "" {
		kind += "_" + e.Code
	}
	// Frontdesk's two limiters share a code; the wait tells them apart (the
	// conversation's one-reply-at-a-time lock asks for 2 s, per-IP limits for a window).
	if ra := resp.Header.Get("Retry-After"); ra != "" && resp.StatusCode == http.StatusTooManyRequests {
		kind += "_retry" + ra + "s"
	}
	return kind
}

// directSession calls the fake model itself, at the same concurrency, with the request
// Frontdesk sent it: the baseline Frontdesk's figures are compared to. It reads the
// NDJSON stream with a small buffer rather than through Ollama's client, which sets
// aside 8 MB per call: that cost is Frontdesk's to carry, not the baseline's.
type directSession struct {
	client *http.Client
	url    string
	body   []byte
}

// openDirect makes visitor i's client for the fake model at base.
func openDirect(base string, block byte, i int, body []byte) (session, string) {
	return &directSession{client: visitorClient(block, i), url: base + "/api/chat", body: body}, ""
}

func (s *directSession) close() { s.client.CloseIdleConnections() }

func (s *directSession) turn(ctx context.Context, _ int) (time.Duration, string) {
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(s.body))
	if err != nil {
		return 0, "direct_request"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/x-ndjson")
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "direct_transport"
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Sprintf("direct_http_%d", resp.StatusCode)
	}
	var ttft time.Duration
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, "direct_missing_done"
			}
			return 0, "direct_stream_read"
		}
		var r api.ChatResponse
		if err := json.Unmarshal(line, &r); err != nil {
			return 0, "direct_bad_line"
		}
		if r.Message.Content != "" && ttft == 0 {
			ttft = time.Since(start)
		}
		if r.Done {
			return ttft, ""
		}
	}
}
