package practice

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/vocab"
	"frontdesk/models"
)

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$|^24:00$`)

// bindValidation rejects malformed practices with an error naming the field, beyond
// what the field definitions already check (slug pattern, select values).
func bindValidation(app core.App) {
	app.OnRecordValidate(models.BusinessesCollection).BindFunc(func(e *core.RecordEvent) error {
		b := models.NewBusiness(e.Record)
		errs := validation.Errors{}
		if tz := e.Record.GetString("timezone"); tz == "" || tz == "Local" {
			errs["timezone"] = validation.NewError("invalid_timezone", "Set an IANA time zone such as America/New_York.")
		} else if _, err := time.LoadLocation(tz); err != nil {
			errs["timezone"] = validation.NewError("invalid_timezone", fmt.Sprintf("Unknown time zone %q; use an IANA name such as America/New_York.", tz))
		}
		if err := validateHours(e.Record); err != nil {
			errs["hours"] = err
		}
		if err := validateServices(b); err != nil {
			errs["services"] = err
		}
		var ins []string
		if err := b.UnmarshalJSONField("insurance", &ins); err != nil && e.Record.Get("insurance") != nil {
			errs["insurance"] = validation.NewError("invalid_insurance", "Insurance must be a list of plan names.")
		}
		if err := validateOrigins(e.Record); err != nil {
			errs["allowed_origins"] = err
		}
		if _, err := vocab.ParseGroups(e.Record.GetString("synonyms")); err != nil {
			errs["synonyms"] = validation.NewError("invalid_synonyms", "Synonyms, "+err.Error()+"; write one group a line, e.g. \"cleaning, hygiene visit\".")
		}
		if len(errs) > 0 {
			return errs
		}
		return e.Next()
	})
}

func validateHours(r *core.Record) error {
	raw := r.Get("hours")
	if raw == nil || fmt.Sprint(raw) == "null" || fmt.Sprint(raw) == "" {
		return nil
	}
	hours := map[string][]models.Interval{}
	if err := r.UnmarshalJSONField("hours", &hours); err != nil {
		return validation.NewError("invalid_hours", `Hours must look like {"mon": [{"open": "09:00", "close": "17:00"}]}.`)
	}
	for day, ivs := range hours {
		if !slices.Contains(models.Weekdays, day) {
			return validation.NewError("invalid_hours", fmt.Sprintf("Unknown weekday %q; use mon, tue, wed, thu, fri, sat, sun.", day))
		}
		for _, iv := range ivs {
			if !hhmm.MatchString(iv.Open) || !hhmm.MatchString(iv.Close) {
				return validation.NewError("invalid_hours", fmt.Sprintf("%s: times must be HH:MM between 00:00 and 24:00, got %q–%q.", day, iv.Open, iv.Close))
			}
			if iv.Open >= iv.Close {
				return validation.NewError("invalid_hours", fmt.Sprintf("%s: opening time %s must be before closing time %s.", day, iv.Open, iv.Close))
			}
		}
	}
	return nil
}

func validateServices(b *models.Business) error {
	if b.Get("services") == nil {
		return nil
	}
	var svcs []models.Service
	if err := b.UnmarshalJSONField("services", &svcs); err != nil {
		return validation.NewError("invalid_services", `Services must look like [{"name": "Cleaning", "duration_min": 45}].`)
	}
	seen := map[string]bool{}
	for i, s := range svcs {
		name := strings.TrimSpace(s.Name)
		switch {
		case name == "":
			return validation.NewError("invalid_services", fmt.Sprintf("Service %d has no name.", i+1))
		case seen[strings.ToLower(name)]:
			return validation.NewError("invalid_services", fmt.Sprintf("Service %q is listed twice.", name))
		case s.DurationMin < 5 || s.DurationMin > 600:
			return validation.NewError("invalid_services", fmt.Sprintf("Service %q: duration_min must be between 5 and 600 minutes.", name))
		}
		seen[strings.ToLower(name)] = true
	}
	return nil
}

func validateOrigins(r *core.Record) error {
	if r.Get("allowed_origins") == nil {
		return nil
	}
	var origins []string
	if err := r.UnmarshalJSONField("allowed_origins", &origins); err != nil {
		return validation.NewError("invalid_origins", `Allowed origins must be a list such as ["https://clinic.example"].`)
	}
	for _, o := range origins {
		u, err := url.Parse(strings.TrimSpace(o))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
			return validation.NewError("invalid_origins", fmt.Sprintf("%q is not an origin; use scheme and host only, like https://clinic.example.", o))
		}
	}
	return nil
}
