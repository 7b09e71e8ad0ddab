package locale

import (
	"fmt"
	"time"
)

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

	BookingConfirmedSubject:   func(practice string) string { return "Su cita en " + practice + " está reservada" },
	BookingRescheduledSubject: func(practice string) string { return "Su cita en " + practice + " ha cambiado" },
	BookingCancelledSubject:   func(practice string) string { return "Su cita en " + practice + " está cancelada" },
	BookingReminderSubject:    func(practice string) string { return "Recordatorio: su cita en " + practice },
	BookingConfirmedIntro:     func(name string) string { return "Hola, " + name + ": su cita está reservada." },
	BookingRescheduledIntro:   func(name string) string { return "Hola, " + name + ": su cita tiene una nueva hora." },
	BookingCancelledIntro:     func(name string) string { return "Hola, " + name + ": su cita ha sido cancelada." },
	BookingReminderIntro:      func(name string) string { return "Hola, " + name + ": le recordamos su cita." },
	BookingDetails: func(service, when, practice, address string) string {
		s := "Servicio: " + service + "\nCuándo: " + when + "\nDónde: " + practice
		if address != "" {
			s += ", " + address
		}
		return s
	},
	BookingManage: func(url string) string { return "Para ver, cambiar o cancelar su cita: " + url },
	BookingWhen: func(t time.Time) string {
		days := [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
		months := [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
		return fmt.Sprintf("%s %d de %s de %d a las %s (%s)", days[t.Weekday()], t.Day(), months[t.Month()-1], t.Year(), t.Format("15:04"), t.Location())
	},
}
