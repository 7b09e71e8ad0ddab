package models

// LeadsCollection is the collection of contact details visitors left.
const LeadsCollection = "leads"
