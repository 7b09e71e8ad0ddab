// Package models holds typed proxies over PocketBase records, one per collection, so the
// hooks read and write fields by name the compiler checks. Models do no I/O of their own.
package models

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// BusinessesCollection is the collection of practices.
const BusinessesCollection = "businesses"

// Business is one practice.
type Business struct {
	core.BaseRecordProxy
}

// Service is one thing a practice offers.
type Service struct {
	Name        string `json:"name"`
	DurationMin int    `json:"duration_min"`
	Description string `json:"description,omitempty"`
	// Bookable lets visitors book the service when booking is on; absent means true, so
	// services saved before booking existed are bookable.
	Bookable *bool `json:"bookable,omitempty"`
}

// IsBookable reports whether visitors may book the service (Bookable absent or true).
func (s Service) IsBookable() bool { return s.Bookable == nil || *s.Bookable }

// Interval is one opening period of a day, "HH:MM" in the practice's time zone.
type Interval struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Weekdays are the keys of Business.Hours, Monday first.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// NewBusiness wraps r.
func NewBusiness(r *core.Record) *Business {
	b := &Business{}
	b.SetProxyRecord(r)
	return b
}

// Slug names the practice in URLs and the widget tag.
func (b *Business) Slug() string { return b.GetString("slug") }

// Name is the practice's display name.
func (b *Business) Name() string { return b.GetString("name") }

// Phone is the practice's phone number.
func (b *Business) Phone() string { return b.GetString("phone") }

// Greeting is the first thing the assistant says.
func (b *Business) Greeting() string {
	if g := b.GetString("greeting"); g != "" {
		return g
	}
	return fmt.Sprintf("Hi! I'm the virtual assistant for %s. How can I help you today?", b.Name())
}

// Color is the brand colour for the widget.
func (b *Business) Color() string {
	if c := b.GetString("brand_color"); c != "" {
		return c
	}
	return "#0f766e"
}

// Location is the practice's time zone (UTC if unset or invalid; validation keeps it valid).
func (b *Business) Location() *time.Location {
	name := b.GetString("timezone")
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// locations keeps the time zones already loaded: time.LoadLocation reads and parses a
// zoneinfo file on every call, and every reply asks for the practice's local time. The
// zones in use are few, and a loaded one never changes while the process runs.
var locations sync.Map // name -> *time.Location

// Services lists what the practice offers.
func (b *Business) Services() []Service {
	var s []Service
	_ = b.UnmarshalJSONField("services", &s)
	return s
}

// FindService finds the service of list named name, ignoring case and the spaces around it.
func FindService(list []Service, name string) (Service, bool) {
	name = strings.TrimSpace(name)
	for _, s := range list {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Service{}, false
}

// Insurance lists the accepted plans.
func (b *Business) Insurance() []string {
	var s []string
	_ = b.UnmarshalJSONField("insurance", &s)
	return s
}

// Hours are the opening intervals per weekday key ("mon" ... "sun").
func (b *Business) Hours() map[string][]Interval {
	h := map[string][]Interval{}
	_ = b.UnmarshalJSONField("hours", &h)
	return h
}

// AllowedOrigins are the websites allowed to embed the widget, normalised to scheme://host[:port].
func (b *Business) AllowedOrigins() []string {
	var s []string
	_ = b.UnmarshalJSONField("allowed_origins", &s)
	for i := range s {
		s[i] = strings.TrimRight(strings.ToLower(strings.TrimSpace(s[i])), "/")
	}
	return s
}

// SMSConsentText is the wording a visitor agrees to when ticking the SMS box.
func (b *Business) SMSConsentText() string {
	if t := b.GetString("sms_consent_text"); t != "" {
		return t
	}
	return fmt.Sprintf("I agree to receive text messages from %s about my inquiry. Message and data rates may apply. Reply STOP to opt out.", b.Name())
}

// Locale is the practice's default language.
func (b *Business) Locale() string {
	if l := b.GetString("locale"); l != "" {
		return l
	}
	return "en"
}

// HoursText renders the opening hours as lines such as "Monday: 08:00–17:00".
func (b *Business) HoursText() string {
	names := map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
	hours := b.Hours()
	var sb strings.Builder
	for _, d := range Weekdays {
		sb.WriteString(names[d])
		sb.WriteString(": ")
		if len(hours[d]) == 0 {
			sb.WriteString("closed")
		}
		for i, iv := range hours[d] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(iv.Open + "–" + iv.Close)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}
