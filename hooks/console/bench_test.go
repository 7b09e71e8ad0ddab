package console_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/takeover"
	"frontdesk/tests"
)

// busyYear fills practice A with a year of a busy practice, straight into the tables:
// 100,000 conversations (one every five minutes), about 300,000 messages, a lead in one
// conversation of six, a booking in one of twenty, a person asked for in one of thirty
// and staff replies in one of twenty; visitors ask from a pool of common questions.
func busyYear(b *testing.B, f *tests.Practices, now time.Time, n int) (conversations, messages, leads int) {
	b.Helper()
	questions := []string{
		"What are your hours?", "Do you take Delta Dental?", "How much is a cleaning?", "Can I book a check-up?",
		"Do you see children?", "Is there parking?", "Do you do teeth whitening?", "Are you open on Saturday?",
		"How long is a root canal?", "Do you offer Invisalign?", "Where are you located?", "I have a toothache",
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := now.Add(-time.Duration(n) * 5 * time.Minute)
	err := f.App.RunInTransaction(func(tx core.App) error {
		ins := func(table string) func(dbx.Params) error {
			cols := map[string][]string{
				"conversations": {"id", "business", "status", "visitor_id", "created", "updated", "last_message_at", "message_count"},
				"messages":      {"id", "business", "conversation", "role", "text", "created", "updated"},
				"leads":         {"id", "business", "conversation", "name", "email", "status", "created", "updated"},
				"bookings":      {"id", "business", "conversation", "service", "start", "end", "status", "source", "created", "updated"},
			}[table]
			sql := "INSERT INTO " + table + " ("
			vals := ""
			for i, c := range cols {
				if i > 0 {
					sql, vals = sql+", ", vals+", "
				}
				sql += "[[" + c + "]]"
				vals += "{:" + c + "}"
			}
			q := tx.DB().NewQuery(sql + ") VALUES (" + vals + ")").Prepare()
			return func(p dbx.Params) error {
				_, err := q.Bind(p).Execute()
				return err
			}
		}
		conv, message, lead, booking := ins("conversations"), ins("messages"), ins("leads"), ins("bookings")
		for i := range n {
			c := start.Add(time.Duration(i) * 5 * time.Minute)
			id := core.GenerateDefaultRandomId()
			status := "closed"
			switch {
			case i%30 == 0:
				status = "needs_human"
			case i%3 == 0:
				status = "open"
			}
			type m struct {
				role, text string
				at         time.Time
			}
			ms := []m{{"visitor", questions[r.IntN(len(questions))], c}, {"assistant", "Thanks for asking! Here is what I know.", c.Add(3 * time.Second)}}
			if r.IntN(2) == 0 {
				ms = append(ms, m{"visitor", fmt.Sprintf("And one more thing, number %d?", r.IntN(100000)), c.Add(40 * time.Second)})
			} else {
				ms = append(ms, m{"visitor", "Thank you", c.Add(40 * time.Second)})
			}
			if i%20 == 0 {
				ms = append(ms, m{"staff", "Hi, this is Olive from the front desk.", c.Add(time.Duration(60+r.IntN(900)) * time.Second)})
			}
			last, visitor := ms[len(ms)-1].at, 0
			for _, x := range ms {
				if x.role == "visitor" {
					visitor++
				}
			}
			if err := conv(dbx.Params{"id": id, "business": f.A.Id, "status": status, "visitor_id": "v", "created": at(c), "updated": at(last), "last_message_at": at(last), "message_count": visitor}); err != nil {
				return err
			}
			conversations++
			for _, x := range ms {
				if err := message(dbx.Params{"id": core.GenerateDefaultRandomId(), "business": f.A.Id, "conversation": id, "role": x.role, "text": x.text, "created": at(x.at), "updated": at(x.at)}); err != nil {
					return err
				}
				messages++
			}
			if i%6 == 0 {
				if err := lead(dbx.Params{"id": core.GenerateDefaultRandomId(), "business": f.A.Id, "conversation": id, "name": "Visitor", "email": fmt.Sprintf("v%d@example.com", i), "status": "new", "created": at(c.Add(time.Minute)), "updated": at(c.Add(time.Minute))}); err != nil {
					return err
				}
				leads++
			}
			if i%20 == 0 {
				if err := booking(dbx.Params{"id": core.GenerateDefaultRandomId(), "business": f.A.Id, "conversation": id, "service": "Cleaning", "start": at(c.Add(72 * time.Hour)), "end": at(c.Add(73 * time.Hour)), "status": "confirmed", "source": "chat", "created": at(c.Add(2 * time.Minute)), "updated": at(c.Add(2 * time.Minute))}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// What each conversation's first staff message would have written on it.
	if err := takeover.NoteFirstReplies(f.App, ""); err != nil {
		b.Fatal(err)
	}
	if _, err := f.App.DB().NewQuery("ANALYZE").Execute(); err != nil {
		b.Fatal(err)
	}
	return conversations, messages, leads
}

// seedSize is the conversations of the busy year: 100,000, one every five minutes.
var seedSize = 100_000

// BenchmarkConsole is the console's routes end to end (router, auth, query, JSON) on a
// year of a busy practice: the dashboard over each range, and the inbox's first page,
// filtered and searched: a word in one conversation of twelve, a lead's email (one),
// and a word in half of them.
func BenchmarkConsole(b *testing.B) {
	f := tests.NewPractices(b)
	f.UpdateSettings(b, tests.NoRateLimits)
	began := time.Now()
	c, m, l := busyYear(b, f, time.Now(), seedSize)
	b.Logf("seeded %d conversations, %d messages, %d leads in %v", c, m, l, time.Since(began))
	for _, path := range []string{
		"/api/frontdesk/dashboard?days=365",
		"/api/frontdesk/dashboard?days=90",
		"/api/frontdesk/dashboard?days=30",
		"/api/frontdesk/dashboard?days=7",
		"/api/frontdesk/inbox",
		"/api/frontdesk/inbox?filter=needs_human",
		"/api/frontdesk/inbox?filter=has_lead&page=50",
		"/api/frontdesk/inbox?q=parking",
		"/api/frontdesk/inbox?q=v600%40example.com",
		"/api/frontdesk/inbox?q=thank",
		"/api/frontdesk/team",
	} {
		b.Run(path[len("/api/frontdesk/"):], func(b *testing.B) {
			// The process's CPU time per request beside the wall time: on a shared machine
			// the wall time also counts the waits for a core.
			c0 := cpuTime()
			for b.Loop() {
				if rec := f.Do("GET", path, "", tests.Owner); rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
