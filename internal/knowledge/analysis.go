package knowledge

import (
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerName names the analyzer in the index mapping. The mapping is stored with the
// index; change the name when the analyzer's behaviour changes in a way old indexes can't
// match: Open finds an index whose analyzer is no longer registered outdated, and starts
// a fresh one for the caller to fill again (Rebuilt).
const analyzerName = "frontdesk_en_v3"

// surfaceAnalyzerName is the same analysis without stemming and synonyms: the words as
// written, which typo matching compares ("parkng" is one edit from "parking", but two
// from its stem "park").
const surfaceAnalyzerName = "frontdesk_en_surface_v3"

func init() {
	if err := registry.RegisterAnalyzer(analyzerName, newAnalyzer); err != nil {
		panic(err)
	}
	if err := registry.RegisterAnalyzer(surfaceAnalyzerName, newSurfaceAnalyzer); err != nil {
		panic(err)
	}
}

func newSurfaceAnalyzer(config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	a, err := newAnalyzer(config, cache)
	if err != nil {
		return nil, err
	}
	d := a.(*analysis.DefaultAnalyzer)
	d.TokenFilters = d.TokenFilters[:len(d.TokenFilters)-2] // drop the stemmer and synonyms
	return d, nil
}

// newAnalyzer is bleve's English analyzer (possessives, lower case, stop words, Porter
// stemming) with four additions for the way visitors write: accents folded so "cafe"
// finds "café", a front desk's compounds of a word and a stop word kept whole so "no
// show" is not "show" (see compounds), chat filler dropped so "hi guys can u tell me"
// does not dilute the query, and casual synonyms mapped onto one term so "cost" finds
// "prices".
func newAnalyzer(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	tokenizer, err := cache.TokenizerNamed(unicode.Name)
	if err != nil {
		return nil, err
	}
	stop, err := cache.TokenFilterNamed(en.StopName)
	if err != nil {
		return nil, err
	}
	return &analysis.DefaultAnalyzer{
		CharFilters: []analysis.CharFilter{asciifolding.New()},
		Tokenizer:   tokenizer,
		TokenFilters: []analysis.TokenFilter{
			en.NewPossessiveFilter(),
			lowercase.NewLowerCaseFilter(),
			compoundFilter{},
			stop,
			wordSetFilter(fillerWords),
			porter.NewPorterStemmer(),
			synonymFilter{},
		},
	}, nil
}

// compounds are a front desk's words of two parts, one of them a stop word, written
// apart, hyphenated or as one ("no-show", "walk in", "check-in", "same day", "after
// hours"): the stop filter would leave "show", "walk", "check", "day" or "hours", which
// mean something else, so the parts are joined first ("noshow"). A few compounds of two
// words are joined for the same reason: a waiting room says nothing of waiting times.
// First part -> second part -> joined.
var compounds = map[string]map[string]string{
	"waiting": {"room": "waitingroom", "rooms": "waitingroom", "area": "waitingroom"},
	"no":      {"show": "noshow", "shows": "noshow"},
	"walk":    {"in": "walkin", "ins": "walkin"},
	"check":   {"in": "checkin", "ins": "checkin", "up": "checkup", "ups": "checkup"},
	"drop":    {"off": "dropoff", "offs": "dropoff"},
	"pick":    {"up": "pickup", "ups": "pickup"},
	"follow":  {"up": "followup", "ups": "followup"},
	"same":    {"day": "sameday"},
	"sign":    {"up": "signup"},
	"x":       {"ray": "xray", "rays": "xrays"},
	"e":       {"mail": "email", "mails": "emails"},
	"after":   {"hours": "afterhours", "hour": "afterhours"},
	"outof":   {"hours": "afterhours", "hour": "afterhours", "network": "outofnetwork", "pocket": "outofpocket"},
	"in":      {"network": "innetwork"},
	"from":    {"home": "fromhome"},
}

// threeParts are compounds of three words, joined in two steps: the first two give a
// part that compounds lists with the third ("out of hours"). Left alone, "after hours"
// and "out of hours" are "hours", and an FAQ about calling at night reads as one about
// opening times; "out of network" and "in network" are both "network"; "from home" is a
// home.
var threeParts = map[string]map[string]string{"out": {"of": "outof"}}

// splitVerb are first parts of compounds that visitors also say apart from the second
// ("drop my dog off", "pick him up", "check me in").
var splitVerb = map[string]bool{"walk": true, "check": true, "drop": true, "pick": true, "follow": true, "sign": true}

// compoundFilter joins the parts of compounds that follow each other, and keeps a split
// verb beside the compound, at its position: "drop my dog off" says "drop" alone and must
// still find a page's "drop-off" (Search reads one term a position).
type compoundFilter struct{}

func (compoundFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	for i := 0; i < len(input); i++ {
		t := input[i]
		if i+2 < len(input) && input[i+1].Position == t.Position+1 && input[i+2].Position == t.Position+2 {
			if first, ok := threeParts[string(t.Term)][string(input[i+1].Term)]; ok {
				if joined, ok := compounds[first][string(input[i+2].Term)]; ok {
					out = append(out, &analysis.Token{Term: []byte(joined), Start: t.Start, End: input[i+2].End, Position: t.Position, Type: t.Type})
					i += 2
					continue
				}
			}
		}
		if i+1 < len(input) && input[i+1].Position == t.Position+1 {
			if joined, ok := compounds[string(t.Term)][string(input[i+1].Term)]; ok {
				next := input[i+1]
				out = append(out, &analysis.Token{Term: []byte(joined), Start: t.Start, End: next.End, Position: t.Position, Type: t.Type})
				i++
				if !splitVerb[string(t.Term)] {
					continue
				}
			}
		}
		out = append(out, t)
	}
	return out
}

// fillerWords are words of chat that carry no meaning for search, on top of bleve's
// English stop words. "much" is not here: "how much" asks for a price (see synonyms).
// Words naming the practice itself ("your office", "the clinic") carry no meaning either:
// every passage is about the practice.
var fillerWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`hi hello hey hiya thanks thank please pls plz guys
		can will may might must shall u ur im ive id dont cant wont
		want wanted wanting wondering wonder know tell ask asking question
		just really also ok okay yes yeah anyone someone something anything
		like get got go going make one us whats wheres hows whens whos r ya yall
		near nearby around office practice clinic`) {
		fillerWords[w] = true
	}
}

// wordSetFilter removes the tokens it holds.
type wordSetFilter map[string]bool

func (f wordSetFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0]
	for _, t := range input {
		if !f[string(t.Term)] {
			out = append(out, t)
		}
	}
	return out
}

// synonymGroups lists words visitors use interchangeably; every word of a group is
// indexed and searched as the group's first word. Single words only, and only groups
// whose members mean the same thing at a practice's front desk: merging too much makes
// every question match every page. A word with another sense at some practice ("card"
// of a gift card, "therapist" of a massage therapist, "short" of shorts, "car" of a car
// accident) belongs in vocab's query-time groups instead, which a practice can see and
// extend, and which need no re-index. Changing this list changes analyzerName.
var synonymGroups = [][]string{
	{"price", "prices", "pricing", "cost", "costs", "fee", "fees", "charge", "charges", "much", "expensive", "cheap", "rate", "rates", "tariff"},
	{"open", "opening", "hours", "hour", "closing"},
	{"weekend", "weekends", "saturday", "saturdays", "sunday", "sundays", "sat", "sun"},
	{"evening", "evenings", "night", "nights"},
	{"appointment", "appointments", "appt", "appts", "consultation", "session", "sessions", "visit", "visits"},
	{"book", "booking", "reserve", "schedule"},
	{"cancel", "cancellation", "cancelling", "canceling", "reschedule", "rescheduling", "postpone", "rebook"},
	{"miss", "missed", "forget", "forgot", "noshow"},
	{"park", "parking", "carpark"},
	{"insurance", "insurer", "insurers", "insured", "cover", "covered", "coverage", "rebate", "rebates", "claim", "claims", "fund", "funds"},
	{"compensation", "workcover", "workcomp", "workers"},
	{"fracture", "fractured", "broke", "broken", "break"},
	{"holiday", "holidays", "hols", "christmas", "xmas", "easter"},
	{"family", "husband", "wife", "relative", "carer", "mum", "dad", "mother", "father"},
	{"chiropractic", "chiro", "chiropractor", "chiropractors"},
	{"pay", "paying", "payment", "payments", "cash", "mastercard", "amex", "eftpos", "contactless"},
	{"accessible", "accessibility", "wheelchair", "wheelchairs", "disabled", "disability", "mobility"},
	{"address", "location", "located", "directions", "map"},
	{"child", "children", "kid", "kids", "son", "daughter", "baby", "toddler", "teen", "teens", "teenager", "paediatric", "pediatric"},
	{"physio", "physiotherapist", "physiotherapists", "physiotherapy"},
	{"pain", "hurt", "hurts", "sore", "ache", "aches", "aching", "painful"},
	{"referral", "refer", "referred", "referrals"},
	{"phone", "call", "ring", "telephone", "mobile"},
	{"discount", "discounts", "concession", "concessions", "student", "students", "pensioner", "pensioners"},
	{"bus", "train", "tram", "transport", "transit", "station"},
	{"sick", "ill", "unwell", "flu", "covid", "fever"},
	{"interpreter", "translator", "language", "languages", "spanish", "espanol"},
	{"first", "new", "initial"},
	{"wear", "clothes", "clothing", "dress"},
	{"refund", "refunds"},
}

// synonyms maps a stemmed word to its group's stemmed first word; built once from
// synonymGroups with the same stemmer the analyzer uses, so the table can be written in
// plain words.
var synonyms = map[string]string{}

// porterStem is w's English stem, as the analyzer's stemmer makes it.
func porterStem(w string) string {
	ts := porter.NewPorterStemmer().Filter(analysis.TokenStream{{Term: []byte(w)}})
	return string(ts[0].Term)
}

func init() {
	for _, g := range synonymGroups {
		canon := porterStem(g[0])
		for _, w := range g {
			synonyms[porterStem(w)] = canon
		}
	}
}

type synonymFilter struct{}

func (synonymFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if c, ok := synonyms[string(t.Term)]; ok {
			t.Term = []byte(c)
		}
	}
	return input
}
