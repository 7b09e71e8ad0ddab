package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// moduleRoot is the directory of the frontdesk module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the benchmark inside the frontdesk module")
	}
	return filepath.Dir(gomod), nil
}

// buildFrontdesk compiles the module's root package (the frontdesk command) into dir,
// the way `make build` does, so the figures are those of the binary a practice runs:
// static (no C library mapped) and stripped.
func buildFrontdesk(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "frontdesk")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// server is a running Frontdesk process on a temporary data directory.
type server struct {
	// URL is the base URL, such as http://127.0.0.1:41234.
	URL string
	// PID is the server process, whose /proc entries the report reads.
	PID int

	cmd    *exec.Cmd
	log    *lockedBuffer
	exited chan struct{}
	err    error // the process's exit error, set before exited is closed
}

// startServer runs `frontdesk serve` on a free loopback port with the fake model as its
// Ollama and waits until the demo practice answers.
func startServer(ctx context.Context, bin, dataDir, modelURL string) (*server, error) {
	env := benchEnv(modelURL)
	// A superuser up front keeps serve from launching its browser installer.
	up := exec.CommandContext(ctx, bin, "superuser", "upsert", "bench@example.com", "bench-password-123", "--dir", dataDir)
	up.Env = env
	if out, err := up.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("superuser upsert: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", port)
	s := &server{URL: "http://" + addr, log: &lockedBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--dir", dataDir, "--http", addr)
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start frontdesk: %w", err)
	}
	s.PID = s.cmd.Process.Pid
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, 90*time.Second); err != nil {
		_ = s.stop()
		return nil, err
	}
	return s, nil
}

// benchEnv is this process's environment with every model setting replaced, so a
// developer's own keys or Ollama never take part in the run (FRONTDESK_PPROF passes).
func benchEnv(modelURL string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(name, "FRONTDESK_") && name != "FRONTDESK_PPROF") || strings.HasPrefix(name, "OLLAMA_") ||
			strings.HasPrefix(name, "ANTHROPIC_") || strings.HasPrefix(name, "OPENAI_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "FRONTDESK_LLM=ollama", "OLLAMA_HOST="+modelURL, "FRONTDESK_MODEL=bench")
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

// waitReady polls the demo practice's config until it answers 200.
func (s *server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("frontdesk exited at start: %v\n%s", s.err, s.log.tail(2000))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get(s.URL + "/api/widget/demo/config")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
	return fmt.Errorf("frontdesk not ready after %s\n%s", limit, s.log.tail(2000))
}

// stop asks the server to shut down gracefully and kills it if it won't.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("frontdesk did not stop within 15s of SIGTERM; killed")
	}
}

// lockedBuffer collects the server's output; the process writes it from two pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// The output only serves error reports, so a runaway log can't grow without bound.
	if b.buf.Len() > 1<<20 {
		b.buf.Next(b.buf.Len() / 2)
	}
	return b.buf.Write(p)
}

// tail returns the last n bytes of output.
func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.buf.Bytes()
	return string(out[max(0, len(out)-n):])
}
