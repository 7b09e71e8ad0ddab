package locale

var spanish = Catalog{
	NotSure:  "No estoy seguro de eso. Si me deja su nombre y su teléfono o correo electrónico, el equipo se pondrá en contacto con usted.",
	Offer:    "Si lo desea, déjeme su nombre y su teléfono o correo electrónico y el equipo se pondrá en contacto con usted.",
	FollowUp: "Listo. El equipo se pondrá en contacto con usted pronto.",
	Health: func(phone string) string {
		if phone == "" {
			return "Gracias por contármelo. No puedo dar consejos de salud por aquí; por favor llame a nuestro equipo, que con gusto le ayudará. Si lo desea, déjeme sus datos de contacto y le llamarán."
		}
		return "Gracias por contármelo. No puedo dar consejos de salud por aquí; por favor llame a nuestro equipo al " + phone + ", que con gusto le ayudará. Si lo desea, déjeme sus datos de contacto y le llamarán."
	},
	OffTopic: func(practice string) string {
		return "Solo puedo ayudar con preguntas sobre " + practice + ": servicios, horarios, seguros o cómo pedir una cita. ¿En qué puedo ayudarle?"
	},
	HumanRequested: "El visitante pidió hablar con una persona.",
}
