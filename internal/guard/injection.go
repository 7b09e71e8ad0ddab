package guard

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"

	"frontdesk/internal/lazyre"
)

// InjectionResult says whether a message looks like an attempt to steer the model and why.
// Reason is one of "override" (ignore previous instructions), "role-play" (you are now DAN,
// pretend you are), "prompt-extraction" (show your system prompt), "developer-mode",
// "role-marker" (fake system:, <|im_start|>, ### Instruction) or "encoded" (one of these
// hidden in base64); it is empty when Found is false.
type InjectionResult struct {
	Found  bool
	Reason string
}

// The reasons DetectInjection reports.
const (
	reasonOverride   = "override"
	reasonRolePlay   = "role-play"
	reasonExtraction = "prompt-extraction"
	reasonDevMode    = "developer-mode"
	reasonRoleMarker = "role-marker"
	reasonEncoded    = "encoded"
)

// DetectInjection screens a visitor message for prompt injection, in English and Spanish.
// It matches instruction-shaped phrases rather than single words, so a visitor correcting
// themselves ("ignore my earlier message, I meant Tuesday") or asking about care
// ("what are your instructions for before surgery?") is not flagged. Accents, zero-width
// characters, letter spacing ("i g n o r e"), simple leetspeak ("1gn0re") and base64 are
// undone before matching.
func DetectInjection(text string) InjectionResult {
	if r := detectPlain(text); r.Found {
		return r
	}
	for _, m := range base64Re.FindAllString(text, -1) {
		if dec, ok := decodeBase64Text(m); ok {
			if r := detectPlain(dec); r.Found {
				return InjectionResult{Found: true, Reason: reasonEncoded}
			}
		}
	}
	return InjectionResult{}
}

type injRule struct {
	reason string
	re     *lazyre.Regexp
}

func detectPlain(text string) InjectionResult {
	lined := zeroWidth.Replace(fold(text))
	for _, r := range markerRules {
		if r.re.MatchString(lined) {
			return InjectionResult{Found: true, Reason: r.reason}
		}
	}
	flat := strings.Join(strings.Fields(lined), " ")
	variants := []string{flat}
	if d := despace(flat); d != flat {
		variants = append(variants, d)
	}
	if d := deleet(flat); d != flat {
		variants = append(variants, d)
	}
	for _, v := range variants {
		for _, r := range phraseRules {
			if r.re.MatchString(v) {
				return InjectionResult{Found: true, Reason: r.reason}
			}
		}
	}
	return InjectionResult{}
}

var zeroWidth = strings.NewReplacer("\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "", "\u00ad", "")

// spacedRe finds words typed with a separator between letters: "i g n o r e", "s.y.s.t.e.m".
var spacedRe = lazyre.New(`\b(?:[a-z][ .\-_*]){3,}[a-z]\b`)

// despace joins letter-spaced runs into words. Word breaks inside such a run are lost, so the
// joined run is also checked against compactPhrases.
func despace(s string) string {
	return spacedRe.ReplaceAllStringFunc(s, func(m string) string {
		joined := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, m)
		for _, p := range compactPhrases {
			if strings.Contains(joined, p.compact) {
				return p.expanded
			}
		}
		return joined
	})
}

var compactPhrases = []struct{ compact, expanded string }{
	{"ignoreallpreviousinstructions", "ignore all previous instructions"},
	{"ignorepreviousinstructions", "ignore previous instructions"},
	{"ignoreyourinstructions", "ignore your instructions"},
	{"disregardtheabove", "disregard the above"},
	{"systemprompt", "system prompt"},
	{"developermode", "developer mode"},
	{"doanythingnow", "do anything now"},
	{"ignoralasinstruccionesanteriores", "ignora las instrucciones anteriores"},
}

var leet = map[rune]rune{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's'}

// deleet rewrites words that mix letters with look-alike digits ("1gn0re", "pr0mpt").
func deleet(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		hasLetter, hasLeet := false, false
		for _, r := range w {
			if unicode.IsLetter(r) {
				hasLetter = true
			} else if _, ok := leet[r]; ok {
				hasLeet = true
			}
		}
		if hasLetter && hasLeet {
			words[i] = strings.Map(func(r rune) rune {
				if l, ok := leet[r]; ok {
					return l
				}
				return r
			}, w)
		}
	}
	return strings.Join(words, " ")
}

var base64Re = lazyre.New(`[A-Za-z0-9+/_\-]{16,}={0,2}`)

// decodeBase64Text decodes s if it is base64 of readable text.
func decodeBase64Text(s string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err != nil || len(b) < 8 || !utf8.Valid(b) {
			continue
		}
		printable := 0
		n := 0
		for _, r := range string(b) {
			n++
			if unicode.IsPrint(r) || unicode.IsSpace(r) {
				printable++
			}
		}
		if printable*10 >= n*9 {
			return string(b), true
		}
	}
	return "", false
}

func rule(reason, pattern string) injRule {
	return injRule{reason, lazyre.New(pattern)}
}

// markerRules run on folded text with its line breaks, since role markers matter at the
// start of a line.
var markerRules = []injRule{
	rule(reasonRoleMarker, `<\|\s*[a-z_]+\s*\|>`),
	rule(reasonRoleMarker, `\[/?inst\]|<</?sys>>`),
	rule(reasonRoleMarker, `(?m)^\s*#{2,}\s*(?:instructions?|system|response|new instructions|input)\b`),
	rule(reasonRoleMarker, `</?(?:system|instructions?|admin|developer|assistant)>`),
	rule(reasonRoleMarker, `"role"\s*:\s*"(?:system|developer)"`),
	rule(reasonRoleMarker, `(?m)(?:^|[.!?]\s+)\s*(?:system|developer|sistema)\s*:\s*\S`),
	rule(reasonRoleMarker, `(?m)^\s*(?:assistant|asistente)\s*:\s*\S`),
	rule(reasonRoleMarker, `\[(?:system|admin|developer)\]`),
	rule(reasonRoleMarker, `\bbegin (?:system|hidden) (?:prompt|instructions)\b`),
}

// phraseRules run on folded text with whitespace collapsed.
var phraseRules = []injRule{
	// Overrides. The object must be the model's instructions, never "my message".
	rule(reasonOverride, `\b(?:ignore|disregard|forget|bypass|override|overrule|discard|abandon)\s+(?:(?:all|any|each|every|the|your|these|those|of|previous|prior|above|earlier|preceding|initial|original|old|existing|current|system|safety|given|default|other|whatever|and|following|subsequent)\s+){0,4}(?:instructions?|prompts?|rules|directives?|guidelines|guardrails|programming|restrictions|constraints|commands|training|system (?:prompt|message))\b`),
	rule(reasonOverride, `\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?(?:the\s+|everything\s+|what(?:'s| is| was)\s+(?:written\s+|said\s+)?)?above(?:$|\s*[.,;:!?]|\s+(?:and|instructions?|text|prompt|rules|directions|content|y)\b)`),
	rule(reasonOverride, `\b(?:ignore|disregard|forget)\s+everything\s+(?:before|prior|you(?:'ve| have)?\s+(?:been\s+|were\s+)?(?:told|taught|given|learned))`),
	rule(reasonOverride, `\b(?:new|updated|real|actual|revised)\s+(?:system\s+)?instructions?\s*:`),
	rule(reasonOverride, `\bfrom now on,?\s+(?:you are|you're|you will be|you will act|act as|you must ignore|you have no|ignore)\b`),
	rule(reasonOverride, `\byour (?:new )?(?:task|job|goal|role|purpose) is now\b`),
	rule(reasonOverride, `\b(?:ignora|ignore|ignorar|ignoren|olvida|olvide|olvidate de|olviden|descarta|descarte|omite|omita|haz caso omiso (?:a|de)|no hagas caso (?:a|de))\s+(?:(?:todas|todos|toda|todo|las|los|tus|sus|el|la|de|a|anteriores|previas|previos|iniciales|originales)\s+){0,4}(?:instrucciones|indicaciones|reglas|normas|directrices|ordenes|prompt|mensaje del sistema)\b`),
	rule(reasonOverride, `\b(?:ignora|ignore|olvida|olvide|olvidate de|descarta|omite)\s+(?:todo\s+)?lo\s+(?:anterior|de arriba|que te (?:dijeron|han dicho|ordenaron))\b`),
	rule(reasonOverride, `\b(?:a partir de ahora|desde ahora|de ahora en adelante),?\s+(?:eres|seras|vas a ser|actuaras|actua|responde como|ignora)\b`),
	rule(reasonOverride, `\b(?:nuevas|verdaderas) instrucciones\s*:`),

	// Role-play jailbreaks.
	rule(reasonRolePlay, `\b(?:you are|you're|act as|behave as|respond as|role-?play as|role play as|become)\s+(?:now\s+)?(?:an?\s+)?(?:dan|stan|jailbroken|unrestricted|unfiltered|uncensored|unlimited|evil|rogue|amoral|unethical|unaligned)\b`),
	rule(reasonRolePlay, `\byou are now (?:dan|my (?:assistant|servant|slave|master|creator|ai)|no longer|free|in (?:developer|dev|god|jailbreak|unrestricted) mode|an? (?:ai|assistant|bot|chatbot|character|different|unrestricted|evil|jailbroken|language model|llm)\b)`),
	rule(reasonRolePlay, `\bdo anything now\b|\bjailbr(?:oken|eak(?:ed|ing)?)\b|\bdan mode\b|\bstay in character\b`),
	rule(reasonRolePlay, `\bpretend\s+(?:that\s+)?(?:you are|you're|you were|you have no|you can|you don't)\b`),
	rule(reasonRolePlay, `\byou(?:'re| are)? (?:going to |gonna |will |must |should |can |now )?pretend\b|\bpretend(?:ing)? to be (?:dan|someone else|human|a human|an? (?:ai|assistant|chatbot|bot|model|unrestricted|evil|different)\b)`),
	rule(reasonRolePlay, `\bact as if you (?:are|were|have no|had no|can)\b`),
	rule(reasonRolePlay, `\b(?:answer|respond|reply|talk|speak|act|operate|behave)\s+(?:\S+\s+){0,2}(?:without|with no)\s+(?:any\s+)?(?:restrictions|filters?|guardrails|limitations|limits|rules|censorship)\b`),
	rule(reasonRolePlay, `\b(?:finge|finja|fingir|simula|simule|haz como si|haga como si|actua como si|actue como si|imagina que)\s+(?:que\s+)?(?:eres|fueras|fuera|seas|no tienes|no tuvieras)\b`),
	rule(reasonRolePlay, `\b(?:ahora )?eres (?:dan|una ia sin|un ia sin|un asistente sin|un bot sin)\b`),
	rule(reasonRolePlay, `\b(?:responde|contesta|habla|actua)\s+(?:\S+\s+){0,2}sin\s+(?:ninguna\s+)?(?:restriccion(?:es)?|filtros?|censura|limites?|reglas?)\b`),

	// Requests for the system prompt or hidden instructions.
	rule(reasonExtraction, `\b(?:system|initial|original|hidden|secret|internal|developer|pre|base|starting|first)[- ]?prompt\b`),
	rule(reasonExtraction, `\byour (?:system|developer) (?:message|instructions?)\b|\b(?:show|reveal|print|repeat|display|tell me|give me|what is|what's|what was)\s+(?:me\s+)?the (?:system|developer) (?:message|instructions?)\b`),
	rule(reasonExtraction, `\b(?:hidden|secret|internal|confidential|underlying)\s+(?:instructions|rules|directives|guidelines|configuration|programming)\b`),
	rule(reasonExtraction, `\b(?:your|the)\s+(?:prompt|instructions|rules|guidelines|directives)\s+(?:verbatim|word for word|word-for-word|exactly as written|in full)\b`),
	rule(reasonExtraction, `\b(?:repeat|print|output|show|reveal|display|recite|dump|leak|copy|paste|write out|spell out|echo)\s+(?:me\s+)?(?:back\s+)?(?:all\s+(?:of\s+)?)?(?:the\s+|your\s+)?(?:text|words|content|messages?|lines|everything|instructions)\s+(?:above|before this|prior to this|you were given|at the (?:start|beginning|top))`),
	rule(reasonExtraction, `\b(?:repeat|print|output|reveal|recite|dump)\s+everything\b`),
	rule(reasonExtraction, `\b(?:reveal|show|print|display|output|repeat|dump|leak|share|tell me|give me|send me|what is|what's|what are|what were)\s+(?:me\s+)?(?:your|the)\s+(?:(?:full|entire|complete|exact|original|initial|hidden|secret)\s+)*(?:prompt|programming|configuration|directives)\b`),
	rule(reasonExtraction, `\b(?:reveal|show|print|display|output|repeat|dump|leak|share|tell me|give me|send me|what is|what's|what are|what were)\s+(?:me\s+)?(?:your|the)\s+(?:(?:full|entire|complete)\s+)?(?:exact|original|initial|hidden|secret|verbatim)\s+(?:instructions|rules|guidelines)\b`),
	rule(reasonExtraction, `\b(?:instructions|rules) (?:were |have )?you (?:were |have been |been )?(?:given|told|programmed)\b|\bhow (?:were|are) you (?:programmed|instructed|prompted)\b|\bwhat were you told to\b`),
	rule(reasonExtraction, `\b(?:prompt|mensaje|instrucciones) del sistema\b|\binstrucciones (?:ocultas|secretas|internas|iniciales originales)\b|\bprompt (?:inicial|original|oculto|secreto)\b`),
	rule(reasonExtraction, `\b(?:muestrame|muestra|muestreme|dime|digame|revela|revelame|repite|repiteme|ensename|escribe|imprime|cual es|cuales son|comparte)\s+(?:me\s+)?(?:tu|tus|el|la|las|su|sus)\s+(?:prompt|instrucciones (?:exactas|originales|iniciales|completas))\b`),
	rule(reasonExtraction, `\b(?:repite|muestra|muestrame|imprime)\s+(?:todo\s+)?(?:el texto|lo)\s+(?:de arriba|anterior)\b`),

	// Developer mode and friends.
	rule(reasonDevMode, `\b(?:developer|dev|god|sudo|admin|debug|jailbreak|unrestricted)\s+mode\b|\benable\s+(?:developer|dev)\b`),
	rule(reasonDevMode, `\bmodo\s+(?:desarrollador|dios|administrador|depuracion|sin restricciones|sin censura)\b`),
}
