// Package ingest loads records from the agencies' own systems into the
// graph: one canonical NDJSON record format for police, procuratorate and
// court (docs/ingest.md), decoders and adapters that produce it, validation
// that names the file, line, field and reason of every refusal, and batched,
// idempotent, order-independent writing.
package ingest

import (
	"encoding/json"
	"time"
)

// Record types of the canonical format.
const (
	TypeAgency   = "agency"
	TypeCase     = "case"
	TypePerson   = "person"
	TypeParty    = "party"
	TypeCharge   = "charge"
	TypeIncident = "incident"
	TypeHandover = "handover"
	TypeDecision = "decision"
	TypeMeasure  = "measure"
	TypeJudgment = "judgment"
	TypeLocation = "location"
	TypeObject   = "object"
	TypeLink     = "link"
)

// Types lists every record type.
var Types = []string{TypeAgency, TypeCase, TypePerson, TypeParty, TypeCharge, TypeIncident,
	TypeHandover, TypeDecision, TypeMeasure, TypeJudgment, TypeLocation, TypeObject, TypeLink}

// Source says where a record comes from. Every record has one.
type Source struct {
	// Agency is the code of the agency whose system produced the record.
	Agency string `json:"agency"`
	// System names that system, e.g. "police-cms", "procuratorate-tyyw", "court-trial".
	System string `json:"system"`
	// RecordID is the record's id in that system; with Agency and System it
	// identifies the record, and rejects quote it.
	RecordID string `json:"recordId"`
	// At is when the system last changed the record (RFC 3339). Of two
	// versions of one record the newer At wins.
	At time.Time `json:"at"`
}

// CaseRef points at a case by its agency and that agency's case number.
type CaseRef struct {
	// Agency defaults to the record's source agency.
	Agency string `json:"agency,omitempty"`
	CaseNo string `json:"caseNo"`
}

// PersonRef points at a person: by identity number when there is a valid
// one (the same node in every source), else by the source system's own id
// for the person (a node local to that source).
type PersonRef struct {
	Ref      string `json:"ref,omitempty"`
	IDNumber string `json:"idNumber,omitempty"`
	// Name is informative in a reference; the person record carries the facts.
	Name string `json:"name,omitempty"`
}

// ObjectRef points at a phone, vehicle, account … by kind and value.
type ObjectRef struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Endpoint is one end of a link: exactly one field is set.
type Endpoint struct {
	Person   *PersonRef `json:"person,omitempty"`
	Case     *CaseRef   `json:"case,omitempty"`
	Object   *ObjectRef `json:"object,omitempty"`
	Location string     `json:"location,omitempty"` // a location record's locationId
	Incident string     `json:"incident,omitempty"` // an incident record's incidentNo
}

// Envelope is what every record shares; the rest depends on Type.
type Envelope struct {
	Type   string `json:"type"`
	Source Source `json:"source"`
}

// Agency is an agency record (办案机关).
type Agency struct {
	Envelope
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"` // POLICE, PROCURATORATE or COURT
	Region string `json:"region,omitempty"`
}

// Case is one agency's case record (案件).
type Case struct {
	Envelope
	CaseRef
	Title    string `json:"title,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Stage    string `json:"stage,omitempty"` // a stage code of criminal-procedure.md §2.1
	FiledAt  string `json:"filedAt,omitempty"`
	ClosedAt string `json:"closedAt,omitempty"`
	District string `json:"district,omitempty"`
	Sealed   bool   `json:"sealed,omitempty"`
}

// Person is a person record (人员).
type Person struct {
	Envelope
	PersonRef
	BirthDate string `json:"birthDate,omitempty"`
	Gender    string `json:"gender,omitempty"` // M or F
}

// Party puts a person in a role on a case (当事人).
type Party struct {
	Envelope
	Case   CaseRef   `json:"case"`
	Person PersonRef `json:"person"`
	Role   string    `json:"role"` // SUSPECT, DEFENDANT, VICTIM or WITNESS
}

// Charge charges a person in a case with an offense (罪名).
type Charge struct {
	Envelope
	Case    CaseRef   `json:"case"`
	Person  PersonRef `json:"person"`
	Offense string    `json:"offense"`           // the 罪名, e.g. 盗窃罪
	Article string    `json:"article,omitempty"` // the 刑法 article, e.g. 264
}

// Incident is a report to the police (警情).
type Incident struct {
	Envelope
	IncidentNo string   `json:"incidentNo"`
	ReportedAt string   `json:"reportedAt,omitempty"`
	Summary    string   `json:"summary,omitempty"`
	District   string   `json:"district,omitempty"`
	Case       *CaseRef `json:"case,omitempty"` // the case it led to
}

// Handover is a transfer between agencies (移送).
type Handover struct {
	Envelope
	HandoverID string   `json:"handoverId"`
	Kind       string   `json:"kind"` // a HandoverType: PROSECUTION, INDICTMENT …
	From       CaseRef  `json:"from"`
	To         *CaseRef `json:"to,omitempty"` // absent while pending
	SentAt     string   `json:"sentAt"`
	ReceivedAt string   `json:"receivedAt,omitempty"`
	Status     string   `json:"status,omitempty"` // PENDING, ACCEPTED or REJECTED
	Reason     string   `json:"reason,omitempty"`
}

// Decision is a decision on a case (决定), such as 批准逮捕 or 不起诉.
type Decision struct {
	Envelope
	DecisionID string     `json:"decisionId"`
	Case       CaseRef    `json:"case"`
	Person     *PersonRef `json:"person,omitempty"`
	Kind       string     `json:"kind"`
	Subtype    string     `json:"subtype,omitempty"`
	DecidedAt  string     `json:"decidedAt"`
	Basis      string     `json:"basis,omitempty"` // the article relied on
}

// Measure is a custody measure on a person in a case (强制措施).
type Measure struct {
	Envelope
	MeasureID string    `json:"measureId"`
	Case      CaseRef   `json:"case"`
	Person    PersonRef `json:"person"`
	Kind      string    `json:"kind"` // 拘传, 取保候审, 监视居住, 拘留, 逮捕, 释放
	From      string    `json:"from"`
	To        string    `json:"to,omitempty"`
}

// Judgment is a court's judgment on a defendant (判决).
type Judgment struct {
	Envelope
	JudgmentID       string    `json:"judgmentId"`
	Case             CaseRef   `json:"case"`
	Person           PersonRef `json:"person"`
	Verdict          string    `json:"verdict"` // GUILTY, NOT_GUILTY, EXEMPT
	TermMonths       int       `json:"termMonths,omitempty"`
	LifeImprisonment bool      `json:"lifeImprisonment,omitempty"`
	DeathPenalty     bool      `json:"deathPenalty,omitempty"`
	Fine             float64   `json:"fine,omitempty"` // yuan
	ProbationMonths  int       `json:"probationMonths,omitempty"`
	DecidedAt        string    `json:"decidedAt"`
	Final            bool      `json:"final,omitempty"`
}

// Location is a place (地点).
type Location struct {
	Envelope
	LocationID string   `json:"locationId"`
	Address    string   `json:"address,omitempty"`
	District   string   `json:"district,omitempty"`
	Lat        *float64 `json:"lat,omitempty"`
	Lon        *float64 `json:"lon,omitempty"`
}

// Object is a phone, vehicle, bank account … (物品).
type Object struct {
	Envelope
	ObjectRef
	Label string `json:"label,omitempty"`
}

// Link relates two things: a person uses an object, a case involves an
// object, persons know each other …
type Link struct {
	Envelope
	Kind string   `json:"kind"`
	From Endpoint `json:"from"`
	To   Endpoint `json:"to"`
	// Since is when the relation began, when known.
	Since string `json:"since,omitempty"`
}

// Record is one decoded record: the envelope and the typed body (one of the
// types above, as a pointer).
type Record struct {
	Envelope
	Body any
	// Raw is the line as read, for rejects and conflict reports.
	Raw json.RawMessage
}
