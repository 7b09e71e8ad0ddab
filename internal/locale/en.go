package locale

import "strconv"
import "time"

var english = Catalog{
	NotSure:   "I'm not sure about that. If you leave your name and a phone number or email, our team will get back to you.",
	Offer:     "If you'd like, leave your name and phone number or email and the team will follow up.",
	BookOffer: "You can book a visit right here: choose “Book a visit” below to pick a service, a day and a time.",
	FollowUp:  "Done. Our team will be in touch soon.",
	Health: func(phone string) string {
		if phone == "" {
			return "Thanks for letting me know. I can't give advice on health matters here, so please call our team, who will be glad to help. If you like, leave your contact details and they'll reach out."
		}
		return "Thanks for letting me know. I can't give advice on health matters here, so please call our team at " + phone + ", who will be glad to help. If you like, leave your contact details and they'll reach out."
	},
	OffTopic: func(practice string) string {
		return "I can only help with questions about " + practice + ": our services, hours, insurance or booking a visit. What can I help you with?"
	},
	HumanRequested: "The visitor asked to talk to a person.",

	AlertLeadCreated:        "New contact request",
	AlertNeedsHuman:         "A visitor asked to talk to a person",
	AlertBookingCreated:     "New booking",
	AlertBookingCancelled:   "Booking cancelled",
	AlertBookingRescheduled: "Booking rescheduled",
	AlertKnowledgeFailed:    "A document could not be indexed",
	AlertDeliveryFailed:     "An alert could not be delivered",
	AlertBody: func(what, practice, when string) string {
		return what + " at " + practice + " (" + when + ")."
	},
	AlertOpen:    "Open it in the staff console:",
	AlertButton:  "Open in the console",
	AlertPrivacy: "For privacy, alerts never include visitor details. Sign in to see them.",
	AlertWhy:     "You get these emails because alerts are on in your staff profile, where you can turn them off.",
	DigestSubject: func(n int, practice string) string {
		if n == 1 {
			return "1 new alert — " + practice
		}
		return strconv.Itoa(n) + " new alerts — " + practice
	},
	DigestIntro: func(n int, practice, since string) string {
		if n == 1 {
			return "1 alert for " + practice + " since " + since + ":"
		}
		return strconv.Itoa(n) + " alerts for " + practice + " since " + since + ":"
	},
	SMSAlert: func(practice, what, link string) string {
		return practice + ": " + what + ". Details (sign-in required): " + link
	},
	SMSStopped: func(practice string) string {
		return practice + ": you are unsubscribed and will get no more messages. Reply START to resubscribe."
	},
	SMSStarted: func(practice string) string {
		return practice + ": you are subscribed again. Reply STOP to unsubscribe, HELP for help."
	},
	SMSHelp: func(practice, phone string) string {
		if phone == "" {
			return practice + ": for help, contact the practice. Reply STOP to unsubscribe. Msg & data rates may apply."
		}
		return practice + ": for help, call " + phone + ". Reply STOP to unsubscribe. Msg & data rates may apply."
	},
	BookingConfirmedSubject:   func(practice string) string { return "Your visit at " + practice + " is booked" },
	BookingRescheduledSubject: func(practice string) string { return "Your visit at " + practice + " has moved" },
	BookingCancelledSubject:   func(practice string) string { return "Your visit at " + practice + " is cancelled" },
	BookingReminderSubject:    func(practice string) string { return "Reminder: your visit at " + practice },
	BookingConfirmedIntro:     func(name string) string { return "Hello " + name + ", your visit is booked." },
	BookingRescheduledIntro:   func(name string) string { return "Hello " + name + ", your visit has a new time." },
	BookingCancelledIntro:     func(name string) string { return "Hello " + name + ", your visit has been cancelled." },
	BookingReminderIntro:      func(name string) string { return "Hello " + name + ", this is a reminder of your visit." },
	BookingDetails: func(service, when, practice, address string) string {
		s := "Service: " + service + "\nWhen: " + when + "\nWhere: " + practice
		if address != "" {
			s += ", " + address
		}
		return s
	},
	BookingManage: func(url string) string { return "To see, reschedule or cancel your booking: " + url },
	BookingWhen: func(t time.Time) string {
		return t.Format("Monday, January 2, 2006 at 15:04") + " (" + t.Location().String() + ")"
	},
}
