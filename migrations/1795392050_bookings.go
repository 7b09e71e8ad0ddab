package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		biz, err := businessRelation(app)
		if err != nil {
			return err
		}
		businesses, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		// The practice's booking settings beside booking_enabled; an empty number takes
		// internal/availability's default, so a practice that only turns booking on gets
		// sensible rules.
		zero, maxCap, maxMin, maxDays := 0.0, 100.0, 43200.0, 730.0
		businesses.Fields.Add(
			&core.NumberField{Name: "booking_capacity", OnlyInt: true, Min: &zero, Max: &maxCap, Help: "Appointments that can run at once (chairs, rooms, therapists); empty is 1."},
			&core.NumberField{Name: "booking_buffer_min", OnlyInt: true, Min: &zero, Max: &maxMin, Help: "Minutes kept free after each appointment."},
			&core.NumberField{Name: "booking_notice_min", OnlyInt: true, Min: &zero, Max: &maxMin, Help: "Minimum notice in minutes; empty is 120."},
			&core.NumberField{Name: "booking_horizon_days", OnlyInt: true, Min: &zero, Max: &maxDays, Help: "How many days ahead visitors can book; empty is 90."},
			&core.NumberField{Name: "booking_reminder_hours", OnlyInt: true, Min: &zero, Max: &maxDays, Help: "Hours before a visit the reminder email goes out; empty is 24."},
			&core.JSONField{Name: "booking_closures", MaxSize: 32 << 10, Help: `Holidays and closed days: [{"label": "Christmas", "from": "2026-12-24", "to": "2026-12-26"}, {"label": "Staff training", "from": "2026-10-02", "start": "13:00"}]`},
		)
		if err := app.Save(businesses); err != nil {
			return err
		}

		conversations, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		leads, err := app.FindCollectionByNameOrId("leads")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("bookings")
		// Staff read their practice's bookings; owners and admins create, move and cancel
		// them; only owners delete one (cancelling keeps the record). Visitors book
		// through the widget routes only.
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.CreateRule = ptr(ruleEditor)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		c.DeleteRule = ptr(ruleOwner)
		c.Fields.Add(
			biz,
			&core.RelationField{Name: "conversation", CollectionId: conversations.Id, MaxSelect: 1},
			&core.RelationField{Name: "lead", CollectionId: leads.Id, MaxSelect: 1, Help: "Who the visit is for: their name and contact details."},
			&core.TextField{Name: "service", Required: true, Max: 200, Presentable: true},
			&core.DateField{Name: "start", Required: true, Presentable: true},
			&core.DateField{Name: "end", Required: true},
			&core.SelectField{Name: "status", Required: true, Values: []string{"confirmed", "cancelled"}, MaxSelect: 1},
			&core.SelectField{Name: "source", Required: true, Values: []string{"chat", "widget", "staff"}, MaxSelect: 1},
			&core.TextField{Name: "calendar_event", Max: 2000, Help: "The event Frontdesk made in the practice's calendar."},
			&core.TextField{Name: "calendar_error", Max: 500, Help: "Why the last calendar sync failed; empty once it succeeds."},
			&core.TextField{Name: "manage_token_hash", Hidden: true, Max: 100},
			&core.TextField{Name: "slot_key", Hidden: true, Max: 200, Help: "practice|start|unit of a confirmed booking: unique, so one unit can't be booked twice."},
			&core.DateField{Name: "confirmed_at", Help: "When the confirmation email went out."},
			&core.DateField{Name: "reminded_at", Help: "When the reminder email went out."},
		)
		timestamps(c)
		// The slot guard and the slots route read a practice's confirmed bookings by time.
		c.AddIndex("idx_bookings_business_start", false, "business, start", "")
		// The database's own guard against a double booking, beside the check made in the
		// booking's write transaction. Written without parentheses: PocketBase's index
		// parser reads up to the last ")".
		c.AddIndex("idx_bookings_slot_key", true, "slot_key", "slot_key != '' AND status = 'confirmed'")
		c.AddIndex("idx_bookings_conversation", false, "conversation", "conversation != ''")
		c.AddIndex("idx_bookings_lead", false, "lead", "lead != ''")
		return app.Save(c)
	}, func(app core.App) error {
		if err := dropCollection(app, "bookings"); err != nil {
			return err
		}
		businesses, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		for _, f := range []string{"booking_capacity", "booking_buffer_min", "booking_notice_min", "booking_horizon_days", "booking_reminder_hours", "booking_closures"} {
			businesses.Fields.RemoveByName(f)
		}
		return app.Save(businesses)
	})
}
