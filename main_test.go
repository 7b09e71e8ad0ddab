package main

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"frontdesk/hooks/ingest"
	"frontdesk/hooks/jobs"
	"frontdesk/models"
	"frontdesk/tests"
)

// buildBinary builds frontdesk as shipped, since what is under test is the process's
// exit status, which only a real process has.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "frontdesk")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = tests.RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// frontdesk runs the binary and returns its exit status, stdout and stderr.
func frontdesk(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := exec.Command(bin, args...)
	c.Dir = t.TempDir() // PocketBase's default --dir is beside the binary; nothing lands here
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	return 0, stdout.String(), stderr.String()
}

// auditedDataDir is a data directory whose audit log has n entries, written by the app
// as a server would (superuser reads of leads), and the app still open on it.
func auditedDataDir(t *testing.T, n int) core.App {
	t.Helper()
	app := tests.NewApp(t, tests.Options{NoDemo: true})
	tok := tests.SuperuserToken(t, app)
	h := tests.Handler(t, app)
	for range n {
		req := httptest.NewRequest("GET", "/api/collections/leads/records", nil)
		req.Header.Set("Authorization", tok)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	return app
}

func TestCommandsExitNonZeroOnFailure(t *testing.T) {
	bin := buildBinary(t)

	t.Run("version succeeds", func(t *testing.T) {
		code, out, errOut := frontdesk(t, bin, "version")
		if code != 0 || !strings.HasPrefix(out, "frontdesk ") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})

	t.Run("unknown commands fail", func(t *testing.T) {
		for _, args := range [][]string{{"bogus"}, {"audit", "bogus"}, {"superuser", "bogus"}} {
			code, _, errOut := frontdesk(t, bin, args...)
			if code == 0 || !strings.Contains(errOut, `unknown command "bogus"`) {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			}
		}
	})

	t.Run("audit verify refuses a missing data directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "pb_data")
		code, out, errOut := frontdesk(t, bin, "audit", "verify", "--dir", dir)
		if code == 0 || !strings.Contains(errOut, "no data directory") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Fatal("audit verify created the data directory it was to read")
		}
	})

	t.Run("audit verify fails on a truncated or changed log", func(t *testing.T) {
		app := auditedDataDir(t, 4)
		dir := app.DataDir()
		code, out, errOut := frontdesk(t, bin, "audit", "verify", "--dir", dir)
		if code != 0 || !strings.Contains(out, "intact: 4 entries") {
			t.Fatalf("intact log: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if _, err := app.DB().NewQuery("DELETE FROM audit_log WHERE seq = 4").Execute(); err != nil {
			t.Fatal(err)
		}
		code, _, errOut = frontdesk(t, bin, "audit", "verify", "--dir", dir)
		if code == 0 || !strings.Contains(errOut, "broken at entry 4") || !strings.Contains(errOut, "truncated") {
			t.Fatalf("truncated log: exit %d, stderr %q", code, errOut)
		}
		if _, err := app.DB().NewQuery("UPDATE audit_log SET actor = 'staff:someone-else' WHERE seq = 2").Execute(); err != nil {
			t.Fatal(err)
		}
		code, _, errOut = frontdesk(t, bin, "audit", "verify", "--dir", dir)
		if code == 0 || !strings.Contains(errOut, "broken at entry 2") || !strings.Contains(errOut, "changed after it was written") {
			t.Fatalf("changed log: exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("retention run reports, audits, and refuses a bad backup", func(t *testing.T) {
		app := auditedDataDir(t, 1)
		code, out, errOut := frontdesk(t, bin, "retention", "run", "--dir", app.DataDir())
		if code != 0 || !strings.Contains(out, "retention:") {
			t.Fatalf("retention run: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if _, err := app.FindFirstRecordByData(models.AuditCollection, "action", "retention"); err != nil {
			t.Fatalf("retention run wrote no audit entry: %v", err)
		}
		code, out, _ = frontdesk(t, bin, "audit", "verify", "--dir", app.DataDir())
		if code != 0 || !strings.Contains(out, "intact") {
			t.Fatalf("the chain after retention run: exit %d, stdout %q", code, out)
		}
		code, _, errOut = frontdesk(t, bin, "audit", "verify", "--dir", app.DataDir(), "--backup", filepath.Join(t.TempDir(), "missing.zip"))
		if code == 0 || !strings.Contains(errOut, "verify backup") {
			t.Fatalf("missing backup: exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("reindex hands the rebuild to the server that holds the index", func(t *testing.T) {
		// The fixture app serves and holds the knowledge index, as a running server does.
		app := auditedDataDir(t, 0)
		code, out, errOut := frontdesk(t, bin, "reindex", "--dir", app.DataDir())
		if code != 0 || !strings.Contains(out, "handed to it") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		// The server's job runner polls for jobs another process added.
		deadline := time.Now().Add(20 * time.Second)
		for {
			job, err := app.FindFirstRecordByData(jobs.Collection, "kind", ingest.KindReindex)
			if err == nil && job.GetString("status") == jobs.StatusDone {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the reindex job was not done in 20s: %v %v", job, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// Frontdesk's flags are read before the hooks are bound wherever they stand on the
// command line, after a flag of serve's own too.
func TestFlagsAreReadBeforeTheCommandRuns(t *testing.T) {
	var domain string
	var noDemo bool
	root := &cobra.Command{Use: "frontdesk"}
	root.PersistentFlags().StringVar(&domain, "domain", "", "")
	root.PersistentFlags().BoolVar(&noDemo, "no-demo", false, "")
	serve := &cobra.Command{Use: "serve", Run: func(*cobra.Command, []string) {}}
	serve.Flags().String("http", "", "")
	root.AddCommand(serve)
	parseEarly(root, []string{"serve", "--http", "127.0.0.1:8090", "--domain", "desk.example", "--no-demo"})
	if domain != "desk.example" || !noDemo {
		t.Fatalf("--domain %q, --no-demo %v: read only up to serve's --http", domain, noDemo)
	}
	root.SetArgs([]string{"--bogus"})
	if err := root.Execute(); err == nil {
		t.Fatal("an unknown flag of the root command is accepted once the early parse is done")
	}
}

// frontdesk eval answers the practice's evaluation questions with its engine, stores
// the run, prints the score and what changed since the last run, and exits 1 below
// --min: run on its own (it opens the knowledge index itself) and beside a server that
// holds the index (the server runs it and the command waits).
func TestEvalCommand(t *testing.T) {
	bin := buildBinary(t)
	questions := func(t *testing.T, app core.App) {
		b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range [][2]string{
			{"do you take delta dental?", "Delta Dental"},
			{"where do I park?", "2nd Avenue"},
			{"do you deliver pizza", "pepperoni"},
		} {
			if err := app.Save(tests.NewRecord(t, app, models.EvalQuestionsCollection, map[string]any{"business": b.Id, "question": q[0], "expect": q[1]})); err != nil {
				t.Fatal(err)
			}
		}
	}
	runs := func(t *testing.T, app core.App) int {
		n, err := app.CountRecords(models.EvalRunsCollection)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}

	t.Run("alone", func(t *testing.T) {
		app := tests.NewApp(t, tests.Options{}) // not serving: the index is free
		questions(t, app)
		code, out, errOut := frontdesk(t, bin, "eval", "--practice", "demo", "--min", "0.6", "--dir", app.DataDir())
		if code != 0 || !strings.Contains(out, "score 66.7%: 2 of 3 right (offline)") || !strings.Contains(out, "first run") || !strings.Contains(out, "do you deliver pizza") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		code, out, errOut = frontdesk(t, bin, "eval", "--practice", "demo", "--min", "0.9", "--dir", app.DataDir())
		if code != 1 || !strings.Contains(errOut, "below --min 90.0%") || !strings.Contains(out, "0 fixed, 0 broken, 0 new") {
			t.Fatalf("below --min: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if n := runs(t, app); n != 2 {
			t.Fatalf("%d runs stored, want 2", n)
		}
		for _, args := range [][]string{{"eval"}, {"eval", "--practice", "nope"}, {"eval", "--practice", "demo", "--min", "2"}} {
			code, _, errOut := frontdesk(t, bin, append(args, "--dir", app.DataDir())...)
			if code == 0 || errOut == "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			}
		}
		if n := runs(t, app); n != 2 {
			t.Fatalf("failed commands stored runs: %d, want 2", n)
		}
	})

	t.Run("beside a server", func(t *testing.T) {
		app := tests.NewApp(t, tests.Options{})
		tests.Handler(t, app) // serves: holds the index and runs jobs, as a running server does
		questions(t, app)
		code, out, errOut := frontdesk(t, bin, "eval", "--practice", "demo", "--min", "0.5", "--dir", app.DataDir())
		if code != 0 || !strings.Contains(out, "score 66.7%") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if n := runs(t, app); n != 1 {
			t.Fatalf("%d runs stored, want 1", n)
		}
	})
}
