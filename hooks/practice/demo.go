package practice

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// DemoSlug names the demo practice created on first start.
const DemoSlug = "demo"

// demoSeeded is the app_state key that records the demo was created once, so deleting
// it does not bring it back.
const demoSeeded = "demo_seeded"

// bindDemo creates the demo practice on first start with an empty database, so a fresh
// install has something to chat with before anything is configured.
func bindDemo(app core.App, noDemo bool) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if !noDemo {
			if err := seedDemo(app); err != nil {
				return fmt.Errorf("demo practice: %w", err)
			}
		}
		return se.Next()
	})
}

// seedDemo creates the demo practice unless one was created before or the database
// holds practices already.
func seedDemo(app core.App) error {
	if _, err := app.FindFirstRecordByData(models.AppStateCollection, "key", demoSeeded); err == nil {
		return nil
	}
	n, err := app.CountRecords(models.BusinessesCollection)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return app.RunInTransaction(func(tx core.App) error {
		return SeedDemoPractice(tx)
	})
}

// SeedDemoPractice creates the fictional "Bright Smile Dental" practice with its FAQs and
// marks the database as seeded, so deleting the demo later does not bring it back.
func SeedDemoPractice(app core.App) error {
	col, err := app.FindCollectionByNameOrId(models.BusinessesCollection)
	if err != nil {
		return err
	}
	b := core.NewRecord(col)
	b.Load(map[string]any{
		"slug":     DemoSlug,
		"name":     "Bright Smile Dental",
		"timezone": "America/Los_Angeles",
		"phone":    "(503) 555-0142",
		"email":    "hello@brightsmile.example",
		"address":  "120 Harbor Street, Suite 200, Portland, OR 97204",
		"website":  "https://brightsmile.example",
		"hours": map[string][]models.Interval{
			"mon": {{Open: "08:00", Close: "17:00"}},
			"tue": {{Open: "08:00", Close: "17:00"}},
			"wed": {{Open: "10:00", Close: "19:00"}},
			"thu": {{Open: "08:00", Close: "17:00"}},
			"fri": {{Open: "08:00", Close: "14:00"}},
			"sat": {{Open: "09:00", Close: "13:00"}},
		},
		"services": []models.Service{
			{Name: "Check-up and cleaning", DurationMin: 60, Description: "Exam, X-rays when due, scaling and polishing."},
			{Name: "Teeth whitening", DurationMin: 90, Description: "In-office whitening in one visit."},
			{Name: "Fillings", DurationMin: 45, Description: "Tooth-coloured composite fillings."},
			{Name: "Root canal treatment", DurationMin: 90},
			{Name: "Crowns and bridges", DurationMin: 75},
			{Name: "Invisalign clear aligners", DurationMin: 45, Description: "Free consultation for new aligner patients."},
			{Name: "Children's dentistry", DurationMin: 45},
			{Name: "Emergency visit", DurationMin: 30, Description: "Same-day appointments for dental pain or a broken tooth."},
		},
		"insurance":        []string{"Delta Dental", "Cigna Dental", "Aetna Dental", "MetLife", "Guardian", "United Concordia", "Oregon Health Plan (OHP)"},
		"greeting":         "Hi! I'm the virtual assistant at Bright Smile Dental. Ask me about our services, hours or insurance, or leave your details and our team will call you back.",
		"brand_color":      "#0f766e",
		"retention_days":   365,
		"allowed_origins":  []string{},
		"booking_enabled":  false,
		"sms_consent_text": "I agree to receive text messages from Bright Smile Dental about my inquiry and appointments. Message and data rates may apply. Reply STOP to opt out.",
		"locale":           "en",
	})
	if err := app.Save(b); err != nil {
		return err
	}
	faqs, err := app.FindCollectionByNameOrId(models.FAQsCollection)
	if err != nil {
		return err
	}
	for _, f := range demoFAQs {
		r := core.NewRecord(faqs)
		r.Set("business", b.Id)
		r.Set("question", f[0])
		r.Set("answer", f[1])
		if err := app.Save(r); err != nil {
			return err
		}
	}
	state, err := app.FindCollectionByNameOrId(models.AppStateCollection)
	if err != nil {
		return err
	}
	mark := core.NewRecord(state)
	mark.Set("key", demoSeeded)
	mark.Set("value", b.Id)
	return app.Save(mark)
}

var demoFAQs = [][2]string{
	{"What are your opening hours?", "We're open Monday, Tuesday and Thursday 8am–5pm, Wednesday 10am–7pm, Friday 8am–2pm and Saturday 9am–1pm. We're closed on Sundays."},
	{"Where are you located and is there parking?", "We're at 120 Harbor Street, Suite 200, in downtown Portland. Free patient parking is in the garage under the building (enter from 2nd Avenue); bring your ticket to the front desk to validate it. The MAX Yellow Line stops one block away."},
	{"Which insurance do you accept?", "We're in network with Delta Dental, Cigna Dental, Aetna Dental, MetLife, Guardian, United Concordia and the Oregon Health Plan (OHP). With other PPO plans we'll file the claim for you as out of network."},
	{"Do you take new patients?", "Yes, we're welcoming new patients of all ages. Your first visit includes a full exam, any X-rays that are due and a cleaning, and takes about an hour."},
	{"What should I bring to my first appointment?", "Please bring a photo ID, your insurance card and a list of any medications. Arrive 10 minutes early to fill in the new-patient forms, or complete them online from the link in your confirmation email."},
	{"How much does a cleaning cost without insurance?", "A check-up and cleaning without insurance is $185 for adults and $120 for children under 12, X-rays included. Ask about our in-house membership plan at $299 a year, which covers two cleanings and 15% off other treatment."},
	{"Do you offer payment plans?", "Yes. We accept cash, all major cards, HSA/FSA cards, CareCredit and Sunbit, and we offer interest-free payment plans for treatment over $500."},
	{"What is your cancellation policy?", "Please let us know at least 24 hours ahead if you need to cancel or reschedule. Late cancellations and missed appointments may be charged a $50 fee."},
	{"Do you handle dental emergencies?", "Yes. Call us at (503) 555-0142 as early as possible and we'll do our best to see you the same day. If you have severe swelling or trouble breathing, go to the emergency room."},
	{"Do you see children?", "Yes, we see children from their first tooth. Dr. Patel has extra training in children's dentistry, and kids get a small prize after every visit."},
	{"How long does teeth whitening take?", "In-office whitening takes about 90 minutes in a single visit. We also make custom take-home trays if you prefer to whiten gradually."},
	{"Do you offer Invisalign?", "Yes. The first Invisalign consultation is free and includes a 3D scan so you can preview your result. Most treatments take 6 to 18 months."},
	{"Is the office wheelchair accessible?", "Yes. The building has step-free access and an elevator, and all our treatment rooms are on the second floor, reachable by elevator."},
	{"Do you offer sedation for anxious patients?", "Yes, we offer nitrous oxide (laughing gas) and oral sedation for anxious patients. Let us know when you book so we can plan a longer, calmer visit."},
	{"Which languages do you speak?", "Our team speaks English and Spanish. Hablamos español."},
}
