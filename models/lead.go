package models

import "github.com/pocketbase/pocketbase/core"

// LeadsCollection is the collection of contact details visitors left.
const LeadsCollection = "leads"

// Lead is a visitor's contact details and what they asked about.
type Lead struct {
	core.BaseRecordProxy
}

// NewLead wraps r.
func NewLead(r *core.Record) *Lead {
	l := &Lead{}
	l.SetProxyRecord(r)
	return l
}
