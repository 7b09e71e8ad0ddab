package hooks

import "strings"

// language picks the reply language for canned texts from the conversation's locale,
// falling back to the practice's.
func language(locales ...string) string {
	for _, l := range locales {
		l = strings.ToLower(l)
		if strings.HasPrefix(l, "es") {
			return "es"
		}
		if l != "" {
			return "en"
		}
	}
	return "en"
}

func msgNotSure(lang string) string {
	if lang == "es" {
		return "No estoy seguro de eso. Si me deja su nombre y su teléfono o correo electrónico, el equipo se pondrá en contacto con usted."
	}
	return "I'm not sure about that. If you leave your name and a phone number or email, our team will get back to you."
}

func msgOffer(lang string) string {
	if lang == "es" {
		return "Si lo desea, déjeme su nombre y su teléfono o correo electrónico y el equipo se pondrá en contacto con usted."
	}
	return "If you'd like, leave your name and phone number or email and the team will follow up."
}

func msgFollowUp(lang string) string {
	if lang == "es" {
		return "Listo. El equipo se pondrá en contacto con usted pronto."
	}
	return "Done. Our team will be in touch soon."
}

func msgHealth(lang, phone string) string {
	if lang == "es" {
		if phone == "" {
			return "Gracias por contármelo. No puedo dar consejos de salud por aquí; por favor llame a nuestro equipo, que con gusto le ayudará. Si lo desea, déjeme sus datos de contacto y le llamarán."
		}
		return "Gracias por contármelo. No puedo dar consejos de salud por aquí; por favor llame a nuestro equipo al " + phone + ", que con gusto le ayudará. Si lo desea, déjeme sus datos de contacto y le llamarán."
	}
	if phone == "" {
		return "Thanks for letting me know. I can't give advice on health matters here, so please call our team, who will be glad to help. If you like, leave your contact details and they'll reach out."
	}
	return "Thanks for letting me know. I can't give advice on health matters here, so please call our team at " + phone + ", who will be glad to help. If you like, leave your contact details and they'll reach out."
}

func msgOffTopic(lang, name string) string {
	if lang == "es" {
		return "Solo puedo ayudar con preguntas sobre " + name + ": servicios, horarios, seguros o cómo pedir una cita. ¿En qué puedo ayudarle?"
	}
	return "I can only help with questions about " + name + ": our services, hours, insurance or booking a visit. What can I help you with?"
}
