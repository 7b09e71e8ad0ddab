package guard

import (
	"strings"

	"frontdesk/internal/lazyre"
)

// HealthResult says whether a message volunteers the sender's own health details and which
// terms (folded to lower case without accents) showed it.
type HealthResult struct {
	Found bool
	Terms []string
}

// DetectHealth reports health details a visitor volunteers about themselves or their family:
// symptoms, conditions, medications, diagnoses, pregnancy and mental health, in English and
// Spanish.
//
// A health term alone is not enough, because practices are asked about conditions all day
// ("do you treat back pain?"). A term counts only when, in the same clause (commas and
// sentence ends split clauses) and with no word such as "you", "cover", "treat", "about" or
// "if" between them, it comes
//
//   - within 3 words after a first-person or family possessive: "my back pain", "mi muela";
//   - within 2 words before one: "pain in my jaw", "hurts me";
//   - right after such a term in a list: "a fever and a rash";
//   - within 6 words after a first-person statement: a contraction or verb form that carries
//     its subject ("I'm", "I've", "tengo", "estoy", "me duele"), "I"/"we" directly followed
//     by a verb such as have, take, feel, am, was or suffer ("I have had back pain",
//     "I take ibuprofen"), or a possessive followed within 3 words by such a verb
//     ("my son has a fever").
//
// A statement that something hurts ("it really hurts", "it's bleeding") counts too, unlike
// the question "does it hurt?".
//
// Service words (cleaning, checkup, crown, whitening, implant...) are not health terms, and
// "pain-free"/"painless"/"sin dolor" are marketing, not symptoms, so "I want pain-free
// dentistry" is not flagged. Negations still count ("I don't have diabetes" is a health
// detail too).
func DetectHealth(text string) HealthResult {
	var res HealthResult
	seen := map[string]bool{}
	for _, clause := range clauseSplit.Split(fold(text), -1) {
		toks := tokenize(clause)
		// lastEnd is where the previous volunteered term ended, so a list that follows it
		// ("a fever and a rash") counts as a whole.
		lastEnd := -1
		for i := 0; i < len(toks); {
			if n := healthExclusions.match(toks, i); n > 0 {
				i += n
				continue
			}
			n := healthTerms.match(toks, i)
			if n == 0 {
				i++
				continue
			}
			if (lastEnd >= 0 && listContinues(toks, lastEnd, i)) || personal(toks, i, i+n) {
				lastEnd = i + n
				term := strings.Join(toks[i:i+n], " ")
				if !seen[term] {
					seen[term] = true
					res.Terms = append(res.Terms, term)
				}
			}
			i += n
		}
	}
	res.Found = len(res.Terms) > 0
	return res
}

var clauseSplit = lazyre.New(`[.!?;:,\n¿¡()"]+`)

// tokenize splits folded text into words, keeping inner apostrophes and hyphens so that
// "i'm" and "pain-free" stay whole.
func tokenize(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return !isWordRune(r) && r != '\'' && r != '-'
	})
	out := f[:0]
	for _, w := range f {
		if w = strings.Trim(w, "'-"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// personal applies DetectHealth's first-person rule to the term toks[s:e].
func personal(toks []string, s, e int) bool {
	if itHurts(toks, s) {
		return true
	}
	for j := s - 1; j >= 0 && s-j <= 6; j-- {
		t := toks[j]
		if healthBreakers[t] {
			break
		}
		switch {
		case selfVerbs[t]:
			return true
		case possessives[t]:
			// "if my dog gets sick" supposes; it volunteers nothing.
			if j > 0 && hypothetical[toks[j-1]] {
				return false
			}
			if s-j <= 3 || verbWithin(toks, j+1, min(j+4, s)) {
				return true
			}
		case subjects[t]:
			k := j + 1
			for k < s && fillers[toks[k]] {
				k++
			}
			if k == s || expVerbs[toks[k]] {
				return true
			}
		}
	}
	for j := e; j < len(toks) && j-e < 2; j++ {
		if healthBreakers[toks[j]] {
			break
		}
		if possessives[toks[j]] || objects[toks[j]] {
			return true
		}
	}
	return false
}

// listContinues reports whether toks[from:to] only joins list items: "and a", ", y".
func listContinues(toks []string, from, to int) bool {
	if to-from > 3 {
		return false
	}
	for _, t := range toks[from:to] {
		if !listWords[t] {
			return false
		}
	}
	return true
}

// itHurts spots a statement that something hurts now, "it really hurts", while the question
// "does it hurt?" uses another verb form and stays out.
func itHurts(toks []string, s int) bool {
	if !hurtsWords[toks[s]] {
		return false
	}
	j := s - 1
	for j >= 0 && fillers[toks[j]] {
		j--
	}
	if j < 0 || (toks[j] != "it" && toks[j] != "it's" && toks[j] != "its") {
		return false
	}
	return j == 0 || !questionAux[toks[j-1]]
}

func verbWithin(toks []string, from, to int) bool {
	for k := from; k < to; k++ {
		if expVerbs[toks[k]] {
			return true
		}
	}
	return false
}

// phraseSet matches multi-word phrases on token slices, longest first.
type phraseSet map[string][][]string

func newPhraseSet(phrases ...string) phraseSet {
	ps := phraseSet{}
	for _, p := range phrases {
		toks := strings.Fields(p)
		ps[toks[0]] = append(ps[toks[0]], toks)
	}
	for _, list := range ps {
		for i := 1; i < len(list); i++ {
			for j := i; j > 0 && len(list[j]) > len(list[j-1]); j-- {
				list[j], list[j-1] = list[j-1], list[j]
			}
		}
	}
	return ps
}

// match returns the length in tokens of the longest phrase starting at toks[i], or 0.
func (ps phraseSet) match(toks []string, i int) int {
	for _, p := range ps[toks[i]] {
		if len(p) > len(toks)-i {
			continue
		}
		ok := true
		for k := range p {
			if toks[i+k] != p[k] {
				ok = false
				break
			}
		}
		if ok {
			return len(p)
		}
	}
	return 0
}

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var (
	healthTerms = newPhraseSet(
		// symptoms, English
		"pain", "pains", "painful", "ache", "aches", "aching", "toothache", "toothaches", "tooth ache",
		"tooth pain", "back pain", "jaw pain", "neck pain", "chest pain", "knee pain", "shoulder pain",
		"headache", "headaches", "migraine", "migraines", "hurt", "hurts", "hurting", "sore", "sores",
		"sore throat", "cold sore", "canker sore", "swelling", "swollen", "inflamed", "inflammation",
		"bleeding", "bleed", "bleeds", "bleeding gums", "fever", "cough", "coughing", "nausea", "nauseous",
		"vomiting", "dizzy", "dizziness", "rash", "infection", "infected", "abscess", "numb", "numbness",
		"tingling", "fatigue", "insomnia", "lump", "ulcer", "ulcers", "injury", "injured", "sprained",
		"fracture", "fractured", "concussion", "cavity", "cavities", "decay", "tooth decay",
		"gum disease", "gingivitis", "periodontitis", "receding gums", "loose tooth", "dry mouth",
		"bad breath", "halitosis", "sensitivity", "sensitive to", "tmj", "bruxism", "grind", "grinding",
		"clench", "clenching", "broken tooth", "chipped tooth", "cracked tooth", "broke a tooth",
		"broke my tooth", "chipped my tooth", "cracked my tooth", "shortness of breath", "stitches",
		"killing me", "sick", "unwell", "nauseated", "cramps", "cramping", "spasm", "spasms",
		// injuries and musculoskeletal, English (physiotherapy)
		"sprain", "sprains", "strain", "strained", "torn", "tore", "stiff", "stiffness", "sciatica",
		"tendonitis", "tendinitis", "tendinopathy", "bursitis", "plantar fasciitis", "tennis elbow",
		"golfer's elbow", "frozen shoulder", "whiplash", "dislocated", "dislocation", "herniated",
		"slipped disc", "bulging disc", "pulled muscle", "pulled a muscle", "acl", "mcl", "meniscus",
		"bruised", "bruising", "concussed",
		// symptoms of animal patients, English (veterinary)
		"limping", "limp", "diarrhea", "diarrhoea", "sneezing", "sneezes", "itching", "itchy",
		"scratching", "lethargic", "wheezing", "throwing up", "threw up", "constipated",
		"constipation", "bloated", "bloat", "poisoned", "poisoning", "not eating", "won't eat",
		"wont eat", "hair loss", "peeing blood", "blood in",
		// conditions, English
		"diabetes", "diabetic", "asthma", "asthmatic", "cancer", "tumor", "tumour", "hypertension",
		"high blood pressure", "blood pressure", "heart condition", "heart disease", "heart problems",
		"heart attack", "pacemaker", "arthritis", "epilepsy", "seizure", "seizures", "hiv", "hepatitis",
		"allergy", "allergies", "allergic", "covid", "flu", "the flu", "stroke", "osteoporosis",
		"thyroid", "kidney disease", "sleep apnea", "apnea", "cholesterol", "copd", "dementia",
		"alzheimer's", "alzheimers", "parkinson's", "parkinsons", "surgery", "chemo", "chemotherapy",
		"radiation", "dialysis", "diagnosed", "diagnosis", "tested positive",
		// pregnancy
		"pregnant", "pregnancy", "miscarriage", "ivf", "breastfeeding",
		// mental health
		"depression", "depressed", "anxiety", "panic attack", "panic attacks", "bipolar", "ptsd",
		"adhd", "autism", "autistic", "ocd", "schizophrenia", "eating disorder", "anorexia",
		"bulimia", "suicidal", "self-harm", "addiction", "alcoholism", "psychiatrist", "antidepressants",
		// medications
		"medication", "medications", "medicine", "meds", "pills", "antibiotic", "antibiotics",
		"ibuprofen", "acetaminophen", "paracetamol", "tylenol", "advil", "motrin", "aspirin",
		"amoxicillin", "penicillin", "metformin", "insulin", "warfarin", "coumadin", "blood thinner",
		"blood thinners", "eliquis", "xarelto", "lisinopril", "statins", "atorvastatin", "prednisone",
		"sertraline", "zoloft", "prozac", "fluoxetine", "xanax", "lexapro", "adderall", "oxycodone",
		"antidepressant", "painkiller", "painkillers", "benadryl", "apoquel", "gabapentin",
		"opioids", "methadone", "birth control", "inhaler", "fosamax", "bisphosphonates",
		// Spanish (folded)
		"dolor", "dolores", "duele", "duelen", "dolia", "dolio", "dolor de muelas", "dolor de muela",
		"dolor de cabeza", "dolor de espalda", "fiebre", "tos", "nauseas", "mareo", "mareos", "mareado",
		"mareada", "sangrado", "sangran", "sangra", "sangrando", "hinchazon", "hinchado", "hinchada",
		"inflamado", "inflamada", "inflamacion", "infeccion", "infectado", "infectada", "absceso",
		"caries", "sensibilidad", "migrana", "migranas", "jaqueca", "llaga", "llagas",
		"diabetes", "diabetico", "diabetica", "asma", "asmatico", "asmatica", "cancer", "tumor",
		"hipertension", "presion alta", "tension alta", "artritis", "epilepsia", "convulsiones",
		"alergia", "alergias", "alergico", "alergica", "gripe", "infarto", "colesterol", "tiroides",
		"vih", "hepatitis", "cirugia", "quimio", "quimioterapia", "diagnosticaron", "diagnosticado",
		"diagnosticada", "embarazada", "embarazo", "aborto", "lactancia", "depresion", "deprimido",
		"deprimida", "ansiedad", "ataque de panico", "ataques de panico", "bipolar", "trastorno",
		"medicamento", "medicamentos", "medicacion", "medicina", "medicinas", "pastillas", "antibiotico",
		"antibioticos", "ibuprofeno", "paracetamol", "amoxicilina", "insulina", "anticoagulantes",
		"antidepresivos", "anticonceptivos", "inhalador",
	)
	healthExclusions = newPhraseSet("pain free", "sin dolor", "libre de dolor", "blood pressure check",
		"sick note", "sick day", "sick days", "sick leave", "sick visit", "sick visits", "sick pet", "sick pets",
		"strain on", "tore up", "cancer screening", "cancer screenings", "skin cancer screening",
		"skin cancer screenings", "skin cancer check", "skin cancer checks", "cancer check", "cancer checks",
		"flu shot", "flu shots", "flu vaccine", "flu vaccines", "flu jab", "flu jabs", "flu clinic")

	// selfVerbs carry a first-person subject on their own.
	selfVerbs = wordSet(`i'm im i've ive we're we've
		tengo tenia tuve tenido estoy estaba estuve estado sufro sufri sufrido padezco padeci
		tomo tome tomado siento sentia soy uso necesito me`)
	subjects = wordSet(`i we yo nosotros`)
	// hypothetical words before a possessive suppose a case rather than tell one.
	hypothetical = wordSet(`if whenever unless si`)
	hurtsWords   = wordSet(`hurts hurting aches aching bleeds bleeding sore swollen infected`)
	questionAux  = wordSet(`does did will would could should can is was if when`)
	listWords    = wordSet(`and or a an also plus some y o e un una unos unas tambien`)
	possessives  = wordSet(`my our mi mis nuestro nuestra nuestros nuestras`)
	objects      = wordSet(`me mine`)
	// fillers may sit between "I" and its verb: "I still have", "I think I might be".
	fillers = wordSet(`also still really just currently sometimes often always usually constantly
		recently lately already actually definitely probably been think keep kept started
		might may could do did don't dont didn't ve both all ambos todos tambien todavia ya`)
	expVerbs = wordSet(`have has had having got get gets getting suffer suffers suffered suffering
		feel feels felt feeling am is are was were been be take takes took taking use uses using
		used need needs develop developed experience experiences experiencing experienced notice
		noticed noticing woke see sees seeing diagnosed prescribed tested broke chipped cracked
		tiene tenia tuvo esta estaba sufre padece toma tomaba es fue siente usa necesita ha han`)
	// healthBreakers end the search for a first-person link: a second person, a question word
	// or a service verb means the term is about the practice, not the sender.
	healthBreakers = wordSet(`you your yours you're youre u ur usted ustedes ud uds vosotros
		cover covers covered cubre cubren accept accepts aceptan acepta treat treats treated
		treating tratan trata tratar offer offers ofrecen ofrece if whether what how why which
		who about sobre acerca`)
)
