package models

// Collections beyond those that have a proxy of their own (businesses, conversations,
// messages, leads): the names every hook, rule and test uses.
const (
	StaffCollection         = "staff"
	FAQsCollection          = "faqs"
	DocumentsCollection     = "documents"
	AuditCollection         = "audit_log"
	CredentialsCollection   = "credentials"
	OutboxCollection        = "outbox"
	AppStateCollection      = "app_state"
	KnowledgeGapsCollection = "knowledge_gaps"
	EvalQuestionsCollection = "eval_questions"
	EvalRunsCollection      = "eval_runs"
)

// Staff roles: a viewer reads, an admin also changes settings, knowledge and the team,
// an owner also deletes and exports.
const (
	RoleOwner  = "owner"
	RoleAdmin  = "admin"
	RoleViewer = "viewer"
)

// Document ingestion statuses: queued -> indexing -> ready or failed.
const (
	DocQueued   = "queued"
	DocIndexing = "indexing"
	DocReady    = "ready"
	DocFailed   = "failed"
)
