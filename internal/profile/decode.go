package profile

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"frontdesk/internal/availability"
)

// UnmarshalJSON reads a profile in the businesses record's shape, and forgives the
// shapes an owner or an import tool may use instead, since a profile that fails to load
// answers nothing: a closure's date as "date" (or "from"/"to"), a label as "name" or
// "reason", a price or a duration given as a number, a list given as one comma-separated
// string, and a day's hours given as "09:00-17:00" text or "closed".
func (p *Profile) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name      string                     `json:"name"`
		Timezone  string                     `json:"timezone"`
		Hours     map[string]json.RawMessage `json:"hours"`
		Closures  []map[string]any           `json:"closures"`
		Services  []map[string]any           `json:"services"`
		Insurance json.RawMessage            `json:"insurance"`
		Address   string                     `json:"address"`
		Phone     string                     `json:"phone"`
		Email     string                     `json:"email"`
		Website   string                     `json:"website"`
		Languages json.RawMessage            `json:"languages"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	out := Profile{Name: raw.Name, Timezone: raw.Timezone, Address: raw.Address, Phone: raw.Phone,
		Email: raw.Email, Website: raw.Website, Location: p.Location}
	var err error
	if out.Hours, err = decodeHours(raw.Hours); err != nil {
		return err
	}
	for _, m := range raw.Closures {
		c, err := decodeClosure(m)
		if err != nil {
			return err
		}
		out.Closures = append(out.Closures, c)
	}
	for _, m := range raw.Services {
		out.Services = append(out.Services, decodeService(m))
	}
	if out.Insurance, err = stringList(raw.Insurance); err != nil {
		return fmt.Errorf("profile: insurance: %w", err)
	}
	if out.Languages, err = stringList(raw.Languages); err != nil {
		return fmt.Errorf("profile: languages: %w", err)
	}
	*p = out
	return nil
}

// dayKeys maps the ways a weekday is written to Hours' keys.
var dayKeys = map[string]string{
	"mon": "mon", "monday": "mon", "tue": "tue", "tues": "tue", "tuesday": "tue", "wed": "wed",
	"wednesday": "wed", "thu": "thu", "thur": "thu", "thurs": "thu", "thursday": "thu",
	"fri": "fri", "friday": "fri", "sat": "sat", "saturday": "sat", "sun": "sun", "sunday": "sun",
}

func decodeHours(raw map[string]json.RawMessage) (map[string][]Interval, error) {
	out := map[string][]Interval{}
	for k, v := range raw {
		key, ok := dayKeys[strings.ToLower(strings.TrimSpace(k))]
		if !ok {
			return nil, fmt.Errorf("profile: hours: unknown day %q", k)
		}
		var list []Interval
		if err := json.Unmarshal(v, &list); err == nil {
			out[key] = append(out[key], list...)
			continue
		}
		var one Interval
		if err := json.Unmarshal(v, &one); err == nil && one.Open != "" {
			out[key] = append(out[key], one)
			continue
		}
		var text string
		if err := json.Unmarshal(v, &text); err != nil {
			return nil, fmt.Errorf("profile: hours %s: want [{\"open\", \"close\"}] or \"09:00-17:00\"", k)
		}
		for _, r := range strings.Split(text, ",") {
			open, close, ok := strings.Cut(strings.TrimSpace(r), "-")
			if !ok {
				open, close, ok = strings.Cut(strings.TrimSpace(r), "–")
			}
			if ok {
				out[key] = append(out[key], Interval{strings.TrimSpace(open), strings.TrimSpace(close)})
			}
		}
	}
	return out, nil
}

func decodeClosure(m map[string]any) (availability.Closure, error) {
	var c availability.Closure
	str := func(keys ...string) string {
		for _, k := range keys {
			if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	c.Label = str("label", "name", "reason", "title")
	c.Start, c.End = str("start", "start_time"), str("end", "end_time")
	for _, f := range []struct {
		d    *availability.Date
		keys []string
	}{{&c.From, []string{"from", "date", "start_date", "day"}}, {&c.To, []string{"to", "until", "through", "end_date"}}} {
		if s := str(f.keys...); s != "" {
			if len(s) > 10 {
				s = s[:10] // "2026-12-25T00:00:00Z" is the day too
			}
			d, err := availability.ParseDate(s)
			if err != nil {
				return c, fmt.Errorf("profile: closure %q: %w", c.Label, err)
			}
			*f.d = d
		}
	}
	return c, nil
}

func decodeService(m map[string]any) Service {
	text := func(keys ...string) string {
		for _, k := range keys {
			switch v := m[k].(type) {
			case string:
				if strings.TrimSpace(v) != "" {
					return strings.TrimSpace(v)
				}
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return ""
	}
	s := Service{Name: text("name", "title"), Price: text("price", "cost", "fee"), Description: text("description", "details")}
	if d := text("duration_min", "duration", "minutes", "length"); d != "" {
		s.DurationMin, _ = strconv.Atoi(strings.Fields(d)[0])
	}
	return s
}

// stringList reads ["a", "b"] or "a, b".
func stringList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return nil, fmt.Errorf("want a list of names")
	}
	for _, s := range strings.Split(text, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	return list, nil
}
