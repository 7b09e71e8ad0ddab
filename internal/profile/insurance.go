package profile

import (
	"strings"

	"frontdesk/internal/vocab"
)

// plan is an insurance plan's name split for matching: core words name it, generic words
// ("insurance", "dental", "pet") only describe it, so "Delta" finds "Delta Dental".
type plan struct {
	name          string
	core, generic []string
}

var planGeneric = wordSet(`insurance insurances insurer health healthcare dental pet pets plan plans
	legal medical vision eye company co inc the of group network ppo hmo epo direct pay and &`)

// commonWords are core plan words that are also ordinary English: alone they don't show
// that a plan was named ("what's the best toothpaste" is not about Pets Best).
var commonWords = wordSet(`best first united national guardian principal care choice select blue
	cross shield state farm life sun spot fetch embrace pumpkin lemonade vitality oscar trust
	mutual american allied liberty empire premier total smile plus one advantage community
	family physicians colorado simply healthy paws nationwide`)

func newPlan(name string) plan {
	p := plan{name: name}
	for _, w := range strings.Fields(foldWords(name)) {
		if planGeneric[w] {
			p.generic = append(p.generic, w)
		} else {
			p.core = append(p.core, w)
		}
	}
	if len(p.core) == 0 {
		p.core, p.generic = p.generic, nil
	}
	return p
}

// planAliases are abbreviations visitors use, expanded before matching.
var planAliases = map[string]string{
	"bcbs": "blue cross blue shield", "bc": "blue cross", "uhc": "unitedhealthcare",
	"bupa's": "bupa", "aspca's": "aspca", "metlifes": "metlife",
}

// knownPlans are plans visitors name that a practice may not take. Recognising them lets
// the answer be "no, we accept ..." instead of silence, and only for a name that is
// clearly a plan.
var knownPlans = func() []plan {
	var out []plan
	for _, n := range []string{
		// US health and dental
		"Aetna", "Blue Cross Blue Shield", "Anthem", "Cigna", "UnitedHealthcare", "Humana", "Kaiser Permanente",
		"Medicare", "Medicaid", "Tricare", "Delta Dental", "MetLife", "Guardian", "Ameritas", "Principal",
		"Sun Life", "Careington", "United Concordia", "GEHA", "Molina", "Ambetter", "Oscar", "WellCare",
		"Health Net", "Highmark", "Regence", "Premera", "Empire", "CareFirst", "Florida Blue", "Horizon",
		"Amerigroup", "Medi-Cal", "Denti-Cal", "Tufts", "Harvard Pilgrim", "Emblem", "Oxford",
		// UK, Ireland, Australia
		"Bupa", "AXA Health", "Vitality", "Aviva", "WPA", "Simplyhealth", "Benenden", "Exeter",
		"Medibank", "HCF", "NIB", "AHM", "HBF", "Laya", "Irish Life", "VHI",
		// pets
		"Trupanion", "Nationwide", "Healthy Paws", "Pets Best", "ASPCA", "Embrace", "Lemonade",
		"Figo", "Petplan", "Pumpkin", "Spot", "Fetch", "ManyPets", "Petsure",
		// prepaid legal plans
		"LegalShield", "ARAG", "Hyatt Legal Plans", "MetLife Legal Plans", "Pre-Paid Legal",
	} {
		out = append(out, newPlan(n))
	}
	return out
}()

// candidates are the question's words as a plan matcher reads them: each word, aliases
// expanded, and two or three neighbouring words run together ("legal sheild" is near
// "legalshield", "met life" is "metlife").
func planCandidates(q *question) []string {
	var out []string
	for i, w := range q.words {
		if x, ok := planAliases[w]; ok {
			out = append(out, strings.Fields(x)...)
		} else {
			out = append(out, w)
		}
		if i+1 < len(q.words) {
			out = append(out, w+q.words[i+1])
		}
		if i+2 < len(q.words) {
			out = append(out, w+q.words[i+1]+q.words[i+2])
		}
	}
	return out
}

// planWordMatch matches a plan word to a question word, one typo allowed when the plan
// word has five letters or more ("avia" finds "aviva", "trupanian" finds "trupanion").
func planWordMatch(planWord, cand string) bool {
	if planWord == cand {
		return true
	}
	return len(planWord) >= 5 && len(cand) >= 4 && vocab.Near(cand, planWord)
}

// planMatch is how a plan matched a question.
type planMatch struct {
	plan    plan
	matched int  // core words found
	full    bool // every core word found
	weak    bool // only common words found: needs the question to be about insurance
}

func (p plan) match(cands []string) (planMatch, bool) {
	m := planMatch{plan: p, weak: true}
	for _, c := range p.core {
		for _, w := range cands {
			if planWordMatch(c, w) {
				m.matched++
				if !commonWords[c] {
					m.weak = false
				}
				break
			}
		}
	}
	m.full = m.matched == len(p.core)
	// One common word of a longer name ("blue" of Blue Cross Blue Shield) is no match.
	return m, m.matched > 0 && (m.full || m.matched >= 2 || !m.weak)
}

func better(a, b planMatch) bool {
	if a.full != b.full {
		return a.full
	}
	return a.matched > b.matched
}

// bestPlan is the plan of plans the question names best.
func bestPlan(plans []plan, cands []string) (planMatch, bool) {
	var best planMatch
	found := false
	for _, p := range plans {
		if m, ok := p.match(cands); ok && (!found || better(m, best)) {
			best, found = m, true
		}
	}
	return best, found
}

var (
	insuranceWords = wordSet(`insurance insurances insurer insurers insured insurence insurace insuranse
		insurnace coverage network in-network provider providers ppo hmo medicaid medicare`)
	insuranceVerbs = wordSet(`take takes taking accept accepts accepted accepting ok okay good use
		using bill billing participate covered cover covers work registered recognised
		recognized contracted with`)
	// notPlanWords are words in the place of a plan's name that are not a name.
	notPlanWords = wordSet(`my our his her their your kid kid's kids child child's son son's daughter
		daughter's wife wife's husband husband's mom mom's dad dad's family work work's job job's
		employer employer's any what which this that the a an your you do does is are take accept
		accepted use have has for with through of car auto home`)
	// describingWords describe a plan without naming it; within a name ("Zebra Health")
	// they belong to it.
	describingWords = wordSet(`dental health medical pet pets private legal vision life travel`)
)

// insurance answers whether a plan is accepted, or which plans are.
func (c *ask) insurance() (part, bool) {
	q := c.q
	if len(c.p.Insurance) == 0 {
		return part{}, false
	}
	ins := -1
	for i, w := range q.words {
		if insuranceWords[w] {
			ins = i
			break
		}
	}
	// Someone without insurance asks about paying themselves: an FAQ matter.
	if q.has("uninsured", "self-pay", "selfpay") || q.hasPhrase("self pay", "without insurance", "no insurance",
		"not insured", "no dental insurance", "no health insurance", "not have insurance", "not have any insurance",
		"not have dental insurance", "not have health insurance", "not have pet insurance") {
		return part{}, false
	}
	verb := false
	for _, w := range q.words {
		if insuranceVerbs[w] {
			verb = true
		}
	}
	if q.hasPhrase("work with", "in network", "deal with") {
		verb = true
	}
	about := ins >= 0 || verb

	var accepted []plan
	for _, n := range c.p.Insurance {
		accepted = append(accepted, newPlan(n))
	}
	cands := planCandidates(q)
	// Part of a plan's name, unasked about insurance, is likely another thing ("vision
	// therapy" is not Davis Vision).
	if m, ok := bestPlan(accepted, cands); ok && (!m.weak || about) && (m.full || about) {
		conf := 0.95
		if !about || q.has("cover", "covers", "covered", "coverage") || q.hasPhrase("pay for", "pays for", "paid for") {
			conf = 0.7 // named, but maybe asked about something else ("does Delta cover whitening", "does Medicare pay for orthotics")
		}
		return part{KindInsurance, c.t.insuranceYes(m.plan.name), conf}, true
	}
	list := c.t.list(c.p.Insurance)
	if m, ok := bestPlan(knownPlans, cands); ok && about && (m.full || !m.weak) {
		if catchAll(c.p.Insurance) {
			// "Most PPO plans" may well include it: the list, and no "no".
			return part{KindInsurance, c.t.insuranceMaybe(m.plan.name, list), 0.6}, true
		}
		return part{KindInsurance, c.t.insuranceNo(m.plan.name, list), 0.9}, true
	}
	if ins < 0 {
		return part{}, false
	}
	// How a claim works, what insurance covers, how one kind differs from another: FAQ
	// matters, not the list.
	if q.has("how", "claim", "claims", "cover", "covers", "covered", "coverage", "excess", "deductible", "copay", "reimburse",
		"reimbursement", "difference", "differences", "diff", "between", "versus", "vs", "mean", "means", "explain") {
		return part{}, false
	}
	if name := unknownPlan(q, ins); name != "" && verb {
		if catchAll(c.p.Insurance) {
			return part{KindInsurance, c.t.insuranceMaybe(name, list), 0.6}, true
		}
		return part{KindInsurance, c.t.insuranceNo(name, list), 0.8}, true
	}
	if verb || q.has("which", "what", "list", "do") {
		return part{KindInsurance, c.t.insuranceList(list), 0.9}, true
	}
	return part{}, false
}

// catchAllWords mark an accepted-insurance entry that covers plans it doesn't name ("Most
// PPO plans", "all major insurers", "out-of-network benefits").
var catchAllWords = wordSet(`most all major many other others any ppo ppos network out-of-network
	in-network plans insurers carriers`)

// catchAll reports whether the list has an entry naming no single plan, so a plan it
// doesn't name may still be accepted.
func catchAll(list []string) bool {
	for _, entry := range list {
		words := strings.Fields(foldWords(entry))
		n := 0
		for _, w := range words {
			if catchAllWords[w] {
				n++
			}
		}
		if n > 0 && (words[0] == "most" || words[0] == "all" || words[0] == "any" || words[0] == "many" || n*2 >= len(words)) {
			return true
		}
	}
	return false
}

// unknownPlan is the name a visitor gives a plan that no list knows: the words just before
// the insurance word ("Zebra insurance"), title-cased, or "" when those are not a name.
func unknownPlan(q *question, ins int) string {
	var name []string
	for i := ins - 1; i >= 0 && len(name) < 4; i-- {
		w := q.words[i]
		if notPlanWords[w] || insuranceVerbs[w] || fillerWords[w] {
			break
		}
		name = append([]string{w}, name...)
	}
	for len(name) > 0 && describingWords[name[0]] {
		name = name[1:] // "dental insurance" names no plan
	}
	for i, w := range name {
		name[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(name, " ")
}

var fillerWords = wordSet(`i we me us is are be am was were do does did can could would will
	please hi hello hey so just also then there here it its and or but if to at on in for by from`)
