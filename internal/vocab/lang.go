package vocab

import (
	"strings"

	"frontdesk/internal/locale"
)

// Markers are words that tell a language apart in a short chat message: its function words
// and the verbs visitors open a question with. Words the languages share ("para", "como")
// are left out, since they tell nothing.
var (
	englishMarkers = wordSet(`the a an is are am was you your yours do does did what whats how
		when where which who can could i im i'm my we our to for of and in on at with it its
		this that have has be there here any open much many take hi hello please thanks u ur r no not`)
	spanishMarkers = wordSet(`el los las del al y es son hay tienen tiene usted ustedes cuanto
		cuesta cuestan donde cuando cual cuales hablan aceptan atienden abren cierran hoy manana
		puedo necesito quiero mi su una unos unas esta estan hacen ofrecen cita citas ahora
		tengo hola gracias buenas sin ellos nosotros muy tambien pero`)
	portugueseMarkers = wordSet(`o os do da dos das no na nos nas em um uma voce voces vcs vc
		tem sao nao quanto custa custam onde fica ficam quando qual quais falam aceitam atendem
		abrem fecham hoje amanha posso preciso quero meu minha seu sua sem ha fazem oferecem
		ola obrigado obrigada boa bom muito tambem mas agora`)
)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Detect names the language a visitor's message is written in: English, Spanish or
// Portuguese, by the function words and letters each uses (ñ and ¿ are Spanish, ã and ç
// Portuguese). Anything without clear signs of Spanish or Portuguese is English, the
// language of the practice's knowledge, so a short "Bupa?" or a name alone stays English.
//
// Portuguese is returned as Portuguese (the caller may search with ToEnglish), but has no
// texts in locale: locale.For(Portuguese) is English, so Frontdesk answers a Portuguese
// question in English rather than in a mixture of Portuguese facts and English sentences.
func Detect(text string) locale.Lang {
	lower := strings.ToLower(text)
	var en, es, pt int
	if strings.ContainsAny(lower, "ñ¿¡") {
		es += 2
	}
	if strings.ContainsAny(lower, "ãõç") || strings.Contains(lower, "ê") {
		pt += 2
	}
	for _, w := range Words(text) {
		if englishMarkers[w] {
			en++
		}
		if spanishMarkers[w] && !portugueseMarkers[w] {
			es++
		}
		if portugueseMarkers[w] && !spanishMarkers[w] {
			pt++
		}
		// The lexicons know the front desk's nouns ("limpieza", "clareamento").
		// The lexicons know the front desk's nouns ("limpieza", "clareamento"); a word that
		// is its own translation ("doctor", "email") says nothing.
		if en, ok := lexicons[locale.Spanish].phrases[w]; ok && en != w && !englishMarkers[w] {
			es++
		}
		if en, ok := lexicons[Portuguese].phrases[w]; ok && en != w && !englishMarkers[w] {
			pt++
		}
	}
	switch {
	case es+pt == 0 || en >= max(es, pt):
		return locale.English
	case pt > es:
		return Portuguese
	default:
		return locale.Spanish
	}
}
