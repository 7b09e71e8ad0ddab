package migrations_test

import (
	"testing"

	"github.com/pocketbase/dbx"
)

// Conversations staff answered before the migration get their first reply and the
// visitor's wait for it: from the visitor's last message before the reply, or from the
// conversation's start; unanswered ones stay without.
func TestFirstReplyMigrationBackfills(t *testing.T) {
	app := migratedApp(t)
	up, down := migration(t, "1795392112_conversation_first_reply.go")
	if err := app.RunInTransaction(down); err != nil {
		t.Fatal(err)
	}
	insert := inserter(t, app)
	a := insert("businesses", dbx.Params{"slug": "a", "name": "A"})
	conv := func(created string, msgs ...[2]string) string {
		id := insert("conversations", dbx.Params{"business": a, "status": "open", "created": created})
		for _, m := range msgs {
			insert("messages", dbx.Params{"business": a, "conversation": id, "role": m[0], "text": "x", "created": m[1]})
		}
		return id
	}
	answered := conv("2030-01-01 10:00:00.000Z",
		[2]string{"visitor", "2030-01-01 10:00:00.000Z"}, [2]string{"visitor", "2030-01-01 10:01:00.000Z"},
		[2]string{"staff", "2030-01-01 10:03:30.000Z"}, [2]string{"visitor", "2030-01-01 10:04:00.000Z"},
		[2]string{"staff", "2030-01-01 10:05:00.000Z"})
	staffFirst := conv("2030-01-02 09:00:00.000Z", [2]string{"staff", "2030-01-02 09:00:20.000Z"})
	unanswered := conv("2030-01-03 09:00:00.000Z", [2]string{"visitor", "2030-01-03 09:00:00.000Z"})
	if err := app.RunInTransaction(up); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id, at string
		secs   int
	}{
		{answered, "2030-01-01 10:03:30.000Z", 150},
		{staffFirst, "2030-01-02 09:00:20.000Z", 20},
		{unanswered, "", 0},
	} {
		r, err := app.FindRecordById("conversations", tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.GetString("first_reply_at"); got != tc.at || r.GetInt("first_reply_secs") != tc.secs {
			t.Errorf("conversation started %s: first reply %q after %ds; want %q after %ds", r.GetString("created"), got, r.GetInt("first_reply_secs"), tc.at, tc.secs)
		}
	}
}
