package notify_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks"
	"frontdesk/hooks/jobs"
	hnotify "frontdesk/hooks/notify"
	"frontdesk/models"
	_ "frontdesk/tests" // the migrations
)

// The child process of the kill tests: where to find the data and where to stop.
const (
	killDirEnv = "FRONTDESK_NOTIFY_KILL_DIR"
	killAtEnv  = "FRONTDESK_NOTIFY_KILL_AT"
)

// killLease is the child runner's lease: once the child is killed the parent's runner
// takes the job over after it, as a restarted server would.
const killLease = time.Second

// A process killed between a webhook's send and its mark sends it again after the
// restart: at least once, with the same webhook-id, so the receiver can tell.
func TestKillBetweenSendAndMarkSendsAgainWithTheSameID(t *testing.T) {
	got := runKilled(t, "send")
	if len(got) != 2 || got[0].header.Get("webhook-id") != got[1].header.Get("webhook-id") || got[0].err != nil || got[1].err != nil {
		t.Fatalf("%d deliveries; want the first and one repeat with the same webhook-id", len(got))
	}
}

// A process killed after the mark never sends that entry again.
func TestKillAfterTheMarkNeverSendsAgain(t *testing.T) {
	if got := runKilled(t, "mark"); len(got) != 1 {
		t.Fatalf("%d deliveries after a kill past the mark, want 1", len(got))
	}
}

// runKilled queues a lead's webhook alert, lets a child process deliver it and kills
// the child at the crash point at, then restarts delivery here and returns what the
// receiver got.
func runKilled(t *testing.T, at string) []hookDelivery {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	t.Parallel()
	rc := newReceiver(t)
	dir := t.TempDir()
	app := openApp(t, dir)
	biz := saveRecord(t, app, models.BusinessesCollection, map[string]any{"slug": "kill", "name": "Kill Clinic", "timezone": "UTC"})
	saveRecord(t, app, models.WebhooksCollection, map[string]any{"business": biz.Id, "url": rc.srv.URL + "/hook", "active": true, "secret": webhookSecret})
	var m *hnotify.Manager
	r := jobs.New(app, jobs.Options{PollInterval: 20 * time.Millisecond, OnFailed: func(tx core.App, j *jobs.Job, err error) error { return m.JobFailed(tx, j, err) }})
	m = hnotify.Bind(app, hnotify.Options{Runner: r, AllowPrivateNetworks: true})
	saveRecord(t, app, models.LeadsCollection, map[string]any{"business": biz.Id, "name": "Ana", "email": "ana@example.com"})
	entries, _ := app.FindAllRecords(models.OutboxCollection)
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	entry := entries[0].Id

	child := exec.Command(os.Args[0], "-test.run=^TestKillHelperProcess$", "-test.count=1")
	child.Env = append(os.Environ(), killDirEnv+"="+dir, killAtEnv+"="+at)
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	waitFor(t, 60*time.Second, "the child to reach the crash point", func() bool {
		_, err := os.Stat(filepath.Join(dir, "reached"))
		return err == nil
	})
	if err := child.Process.Kill(); err != nil { // SIGKILL: no cleanup, no mark
		t.Fatal(err)
	}
	_ = child.Wait()
	want := map[string]string{"send": models.OutboxSending, "mark": models.OutboxSent}[at]
	if rec, _ := app.FindRecordById(models.OutboxCollection, entry); rec.GetString("status") != want {
		t.Fatalf("after the kill the entry is %s, want %s", rec.GetString("status"), want)
	}
	if n := len(rc.deliveries()); n != 1 {
		t.Fatalf("%d deliveries before the restart", n)
	}

	r.Start() // the restart
	t.Cleanup(r.Stop)
	waitFor(t, 30*time.Second, "the job to finish", func() bool {
		var status string
		_ = app.DB().Select("status").From(jobs.Collection).Row(&status)
		return status == jobs.StatusDone
	})
	if rec, _ := app.FindRecordById(models.OutboxCollection, entry); rec.GetString("status") != models.OutboxSent {
		t.Fatalf("after the restart the entry is %s", rec.GetString("status"))
	}
	time.Sleep(100 * time.Millisecond)
	return rc.deliveries()
}

// TestKillHelperProcess is not a test: it is the child of the kill tests, which
// delivers the queued alert and stops dead at the crash point it is given.
func TestKillHelperProcess(t *testing.T) {
	dir := os.Getenv(killDirEnv)
	if dir == "" {
		t.Skip("the child process of the kill tests")
	}
	app := openApp(t, dir)
	reached := func(string) {
		if err := os.WriteFile(filepath.Join(dir, "reached"), nil, 0o600); err != nil {
			t.Error(err)
		}
		select {} // until killed
	}
	switch os.Getenv(killAtEnv) {
	case "send":
		hnotify.SetCrashPoints(reached, nil)
	case "mark":
		hnotify.SetCrashPoints(nil, reached)
	}
	r := jobs.New(app, jobs.Options{Lease: killLease, PollInterval: 10 * time.Millisecond})
	hnotify.Bind(app, hnotify.Options{Runner: r, AllowPrivateNetworks: true})
	r.Start()
	time.Sleep(2 * time.Minute)
	t.Fatal("the parent did not kill this process")
}

// openApp opens (and migrates) the Frontdesk database in dir, as a server starting on
// it would; two apps on one dir are two processes' views of one database.
func openApp(t testing.TB, dir string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, DBConnect: hooks.DBConnect})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	return app
}

func saveRecord(t testing.TB, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Load(fields)
	if err := app.Save(r); err != nil {
		t.Fatalf("save %s: %v", collection, err)
	}
	return r
}
