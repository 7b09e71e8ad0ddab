package locale

import "strconv"
import (
	"fmt"
	"time"
)

var spanish = Catalog{
	NotSure:   "No estoy seguro de eso. Si me deja su nombre y su teléfono o correo electrónico, el equipo se pondrá en contacto con usted.",
	Offer:     "Si lo desea, déjeme su nombre y su teléfono o correo electrónico y el equipo se pondrá en contacto con usted.",
	BookOffer: "Puede pedir cita aquí mismo: pulse «Pedir cita» abajo para elegir el servicio, el día y la hora.",
	FollowUp:  "Listo. El equipo se pondrá en contacto con usted pronto.",
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

	AlertLeadCreated:        "Nueva solicitud de contacto",
	AlertNeedsHuman:         "Un visitante pidió hablar con una persona",
	AlertBookingCreated:     "Nueva cita",
	AlertBookingCancelled:   "Cita cancelada",
	AlertBookingRescheduled: "Cita cambiada de hora",
	AlertKnowledgeFailed:    "No se pudo indexar un documento",
	AlertDeliveryFailed:     "No se pudo entregar un aviso",
	AlertBody: func(what, practice, when string) string {
		return what + " en " + practice + " (" + when + ")."
	},
	AlertOpen:    "Ábralo en la consola del equipo:",
	AlertButton:  "Abrir en la consola",
	AlertPrivacy: "Por privacidad, los avisos nunca incluyen datos de los visitantes. Inicie sesión para verlos.",
	AlertWhy:     "Recibe estos correos porque tiene los avisos activados en su perfil del equipo, donde puede desactivarlos.",
	DigestSubject: func(n int, practice string) string {
		if n == 1 {
			return "1 aviso nuevo — " + practice
		}
		return strconv.Itoa(n) + " avisos nuevos — " + practice
	},
	DigestIntro: func(n int, practice, since string) string {
		if n == 1 {
			return "1 aviso para " + practice + " desde " + since + ":"
		}
		return strconv.Itoa(n) + " avisos para " + practice + " desde " + since + ":"
	},
	SMSAlert: func(practice, what, link string) string {
		return practice + ": " + what + ". Detalles (requiere iniciar sesión): " + link
	},
	SMSStopped: func(practice string) string {
		return practice + ": se ha dado de baja y no recibirá más mensajes. Responda START para volver a suscribirse."
	},
	SMSStarted: func(practice string) string {
		return practice + ": se ha suscrito de nuevo. Responda STOP para darse de baja o HELP para obtener ayuda."
	},
	SMSHelp: func(practice, phone string) string {
		if phone == "" {
			return practice + ": para obtener ayuda, contacte con el consultorio. Responda STOP para darse de baja. Pueden aplicarse tarifas de mensajes y datos."
		}
		return practice + ": para obtener ayuda, llame al " + phone + ". Responda STOP para darse de baja. Pueden aplicarse tarifas de mensajes y datos."
	},
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
