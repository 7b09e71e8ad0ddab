package lifecycle

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/ozzo-validation/v4/is"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/phone"
	"frontdesk/models"
)

// ErasureCounts is what a visitor's erasure deleted: the answer of
// POST /api/frontdesk/erasure.
type ErasureCounts struct {
	Conversations int `json:"conversations"`
	Messages      int `json:"messages"`
	Leads         int `json:"leads"`
	Bookings      int `json:"bookings"`
	KnowledgeGaps int `json:"knowledge_gaps"`
}

func (c ErasureCounts) String() string {
	return fmt.Sprintf("%d conversations, %d messages, %d leads, %d bookings, %d knowledge gaps", c.Conversations, c.Messages, c.Leads, c.Bookings, c.KnowledgeGaps)
}

// Subject is the visitor an erasure is for, as their practice knows them: any of an
// email, a phone number (E.164) and a conversation.
type Subject struct {
	Email        string
	Phone        string
	Conversation string
}

// kinds names which identifiers were given, for the audit entry (never their values).
func (s Subject) kinds() string {
	var k []string
	for name, v := range map[string]string{"email": s.Email, "phone": s.Phone, "conversation": s.Conversation} {
		if v != "" {
			k = append(k, name)
		}
	}
	slices.Sort(k)
	return strings.Join(k, "+")
}

// erase is POST /api/frontdesk/erasure {email?, phone?, conversation?}: a visitor's
// right to deletion. Owners only (superusers name the practice with ?business=ID).
func (m *Manager) erase(e *core.RequestEvent) error {
	b, err := ownedPractice(e)
	if err != nil {
		return err
	}
	var body struct {
		Email        string `json:"email"`
		Phone        string `json:"phone"`
		Conversation string `json:"conversation"`
	}
	if err := e.BindBody(&body); err != nil {
		return invalidInput(`Send JSON such as {"email": "...", "phone": "...", "conversation": "..."}.`)
	}
	s, err := parseSubject(e.App, b, body.Email, body.Phone, body.Conversation)
	if err != nil {
		return err
	}
	counts, err := m.Erase(b.Id, s)
	if err != nil {
		return err
	}
	entry := AuditEntry{Business: b.Id, Actor: models.Actor(e.Auth), Action: "erasure", Target: "by " + s.kinds() + ": " + counts.String(), IP: e.RealIP()}
	if err := m.opts.Auditor.Record(entry); err != nil {
		// The records are gone either way; the owner is told what was deleted.
		e.App.Logger().Error("audit write failed", "action", "erasure", "error", err)
	}
	return e.JSON(http.StatusOK, counts)
}

// parseSubject checks an erasure request: at least one identifier, a valid email, a
// phone number valid in the practice's region, a conversation of this practice.
func parseSubject(app core.App, b *core.Record, email, tel, conversation string) (Subject, error) {
	var s Subject
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		if len(email) > 254 || is.EmailFormat.Validate(email) != nil {
			return s, invalidInput("email is not an email address.")
		}
		s.Email = email
	}
	if tel = strings.TrimSpace(tel); tel != "" {
		n, err := phone.E164(tel, phone.Region(b.GetString("phone")))
		if err != nil {
			return s, invalidInput("phone is not a valid phone number.")
		}
		s.Phone = n
	}
	if conversation = strings.TrimSpace(conversation); conversation != "" {
		c, err := app.FindRecordById(models.ConversationsCollection, conversation)
		if err != nil || c.GetString("business") != b.Id {
			return s, errNotFound
		}
		s.Conversation = c.Id
	}
	if s == (Subject{}) {
		return s, invalidInput("Give the visitor's email, phone or conversation.")
	}
	return s, nil
}

// Erase deletes, in one transaction, every record of business that belongs to s: the
// leads with s's email or phone (phones compared in E.164), the conversations named, of
// those leads, or where the visitor wrote the email or number, with their messages, the
// leads and bookings of those conversations, and knowledge gaps that hold the email or
// number. Links are followed between conversations, leads and bookings until no new
// record turns up; a lead's duplicate_of is not followed, since a visitor can type
// anyone's address. Each erased booking's calendar event is queued for deletion.
func (m *Manager) Erase(business string, s Subject) (ErasureCounts, error) {
	var counts ErasureCounts
	err := m.app.RunInTransaction(func(tx core.App) error {
		f := &finder{tx: tx, business: business, s: s, national: phone.National(s.Phone),
			leads: map[string]*core.Record{}, convs: map[string]*core.Record{}, bookings: map[string]*core.Record{}, gaps: map[string]*core.Record{}}
		if err := f.find(); err != nil {
			return err
		}
		var err error
		if counts.Messages, err = countIn(tx, models.MessagesCollection, "conversation", slices.Collect(maps.Keys(f.convs))); err != nil {
			return err
		}
		for _, r := range f.bookings {
			if ev := r.GetString("calendar_event"); ev != "" {
				// Queued in this transaction: the event's deletion commits with the booking's.
				payload := map[string]string{"business": business, "event": ev}
				if _, err := jobs.Enqueue(tx, KindCalendarDelete, "calendar_delete:"+r.Id, payload); err != nil {
					return err
				}
			}
		}
		for _, set := range []map[string]*core.Record{f.bookings, f.leads, f.convs, f.gaps} {
			for _, r := range set {
				if err := tx.Delete(r); err != nil {
					return fmt.Errorf("erasure: delete %s: %w", r.Collection().Name, err)
				}
			}
		}
		counts.Conversations, counts.Leads, counts.Bookings, counts.KnowledgeGaps = len(f.convs), len(f.leads), len(f.bookings), len(f.gaps)
		return nil
	})
	if err != nil {
		return ErasureCounts{}, err
	}
	return counts, nil
}

// finder collects a subject's records within one practice.
type finder struct {
	tx       core.App
	business string
	s        Subject
	national string // the phone's digits without country code, as text may hold them

	leads, convs, bookings, gaps map[string]*core.Record
}

// stripped is SQL for a column's text without the separators people put in a phone
// number, so "(503) 555-0142" holds the digits 5035550142.
func stripped(col string) string {
	expr := col
	for _, sep := range []string{" ", "-", "(", ")", ".", "+", "/"} {
		expr = "REPLACE(" + expr + ", '" + sep + "', '')"
	}
	return expr
}

func (f *finder) find() error {
	// The seeds: what the identifiers name directly.
	if f.s.Email != "" {
		if err := f.add(f.leads, models.LeadsCollection, dbx.NewExp("business = {:b} AND LOWER(email) = {:e}", dbx.Params{"b": f.business, "e": f.s.Email})); err != nil {
			return err
		}
	}
	if f.s.Phone != "" {
		if err := f.addByPhone(f.leads, models.LeadsCollection); err != nil {
			return err
		}
	}
	if f.s.Conversation != "" {
		if err := f.add(f.convs, models.ConversationsCollection, dbx.HashExp{"id": f.s.Conversation, "business": f.business}); err != nil {
			return err
		}
	}
	if mention := f.mentions("text"); mention != nil {
		// Conversations where the visitor wrote the address or number themselves.
		where := dbx.And(dbx.HashExp{"business": f.business, "role": "visitor"}, mention)
		var ids []string
		if err := f.tx.DB().Select("conversation").Distinct(true).From(models.MessagesCollection).Where(where).Column(&ids); err != nil {
			return fmt.Errorf("erasure: search messages: %w", err)
		}
		if err := f.addIDs(f.convs, models.ConversationsCollection, ids); err != nil {
			return err
		}
	}
	bookings, _ := f.tx.FindCachedCollectionByNameOrId(BookingsCollection)
	if bookings != nil {
		if f.s.Email != "" && bookings.Fields.GetByName("email") != nil {
			if err := f.add(f.bookings, bookings.Name, dbx.NewExp("business = {:b} AND LOWER(email) = {:e}", dbx.Params{"b": f.business, "e": f.s.Email})); err != nil {
				return err
			}
		}
		if f.s.Phone != "" && bookings.Fields.GetByName("phone") != nil {
			if err := f.addByPhone(f.bookings, bookings.Name); err != nil {
				return err
			}
		}
	}

	// Then the links, until nothing new turns up: a lead's or booking's conversation,
	// a conversation's leads and bookings, a booking's lead, a lead's bookings.
	for {
		before := len(f.leads) + len(f.convs) + len(f.bookings)
		if err := f.addIDs(f.convs, models.ConversationsCollection, linked(f.leads, "conversation")); err != nil {
			return err
		}
		if err := f.add(f.leads, models.LeadsCollection, inIDs(f.business, "conversation", f.convs)); err != nil {
			return err
		}
		if bookings != nil {
			for _, link := range []struct {
				field string
				from  map[string]*core.Record
			}{{"conversation", f.convs}, {"lead", f.leads}} {
				if bookings.Fields.GetByName(link.field) != nil {
					if err := f.add(f.bookings, bookings.Name, inIDs(f.business, link.field, link.from)); err != nil {
						return err
					}
				}
			}
			if err := f.addIDs(f.convs, models.ConversationsCollection, linked(f.bookings, "conversation")); err != nil {
				return err
			}
			if err := f.addIDs(f.leads, models.LeadsCollection, linked(f.bookings, "lead")); err != nil {
				return err
			}
		}
		if len(f.leads)+len(f.convs)+len(f.bookings) == before {
			break
		}
	}

	// Knowledge gaps are anonymized when recorded, so this finds one only if an address
	// or number slipped through.
	if mention := f.mentions("question"); mention != nil {
		if err := f.add(f.gaps, models.KnowledgeGapsCollection, dbx.And(dbx.HashExp{"business": f.business}, mention)); err != nil {
			return err
		}
	}
	return nil
}

// mentions matches text in column that holds the subject's email or phone digits.
func (f *finder) mentions(column string) dbx.Expression {
	var or []dbx.Expression
	if f.s.Email != "" {
		// instr, not LIKE: an address's "_" would be a wildcard.
		or = append(or, dbx.NewExp("instr(LOWER([["+column+"]]), {:me}) > 0", dbx.Params{"me": f.s.Email}))
	}
	if f.national != "" {
		or = append(or, dbx.NewExp("instr("+stripped("[["+column+"]]")+", {:mp}) > 0", dbx.Params{"mp": f.national}))
	}
	if len(or) == 0 {
		return nil
	}
	return dbx.Or(or...)
}

// add puts the records of collection matching where into set; a nil where adds none.
func (f *finder) add(set map[string]*core.Record, collection string, where dbx.Expression) error {
	if where == nil {
		return nil
	}
	recs, err := f.tx.FindAllRecords(collection, where)
	if err != nil {
		return fmt.Errorf("erasure: find %s: %w", collection, err)
	}
	for _, r := range recs {
		set[r.Id] = r
	}
	return nil
}

// addIDs puts the records of collection with the ids not yet in set into it, within
// the practice (a link can't lead out of it, but a check costs nothing).
func (f *finder) addIDs(set map[string]*core.Record, collection string, ids []string) error {
	var missing []string
	for _, id := range ids {
		if _, ok := set[id]; !ok && id != "" {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return f.add(set, collection, dbx.And(dbx.HashExp{"business": f.business}, dbx.In("id", toAny(missing)...)))
}

// addByPhone adds the records of collection whose phone is the subject's. Phones are
// stored in E.164 since leads were normalised; older records may hold what the visitor
// typed, so each is read in the practice's region rather than compared as text.
func (f *finder) addByPhone(set map[string]*core.Record, collection string) error {
	recs, err := f.tx.FindAllRecords(collection, dbx.NewExp("business = {:b} AND phone != ''", dbx.Params{"b": f.business}))
	if err != nil {
		return fmt.Errorf("erasure: find %s: %w", collection, err)
	}
	region := ""
	for _, r := range recs {
		stored := r.GetString("phone")
		if stored == f.s.Phone {
			set[r.Id] = r
			continue
		}
		if region == "" {
			b, err := f.tx.FindRecordById(models.BusinessesCollection, f.business)
			if err != nil {
				return err
			}
			region = phone.Region(b.GetString("phone"))
		}
		if n, err := phone.E164(stored, region); err == nil && n == f.s.Phone {
			set[r.Id] = r
		}
	}
	return nil
}

// linked is the non-empty values of field across set's records.
func linked(set map[string]*core.Record, field string) []string {
	var ids []string
	for _, r := range set {
		if v := r.GetString(field); v != "" {
			ids = append(ids, v)
		}
	}
	return ids
}

// inIDs matches records of the practice whose field is one of set's ids, or nil.
func inIDs(business, field string, set map[string]*core.Record) dbx.Expression {
	if len(set) == 0 {
		return nil
	}
	return dbx.And(dbx.HashExp{"business": business}, dbx.In(field, toAny(slices.Collect(maps.Keys(set)))...))
}

// deleteCalendarEvent is the KindCalendarDelete job: an erased booking's event.
func (m *Manager) deleteCalendarEvent(ctx context.Context, j *jobs.Job) error {
	var p struct {
		Business string `json:"business"`
		Event    string `json:"event"`
	}
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	return m.opts.Calendar.DeleteEvent(ctx, p.Business, p.Event)
}
