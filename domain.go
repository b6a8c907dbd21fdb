package casegraph

import "time"

// AgencyKind is the branch an agency belongs to: 公安 police, 检察院
// procuratorate or 法院 court.
type AgencyKind string

// Agency kinds.
const (
	AgencyPolice        AgencyKind = "POLICE"
	AgencyProcuratorate AgencyKind = "PROCURATORATE"
	AgencyCourt         AgencyKind = "COURT"
)

// Agency is one police station, procuratorate or court (办案机关).
type Agency struct {
	Code   string
	Name   string
	Kind   AgencyKind
	Region string
}

// CaseKind says which agency's record a case node is: a police case (刑事案件),
// a prosecution case (审查起诉案件) or a court case (刑事审判案件).
type CaseKind string

// Case kinds.
const (
	CasePolice      CaseKind = "POLICE"
	CaseProsecution CaseKind = "PROSECUTION"
	CaseCourt       CaseKind = "COURT"
)

// Case is one agency's record of a criminal matter. The same matter has one
// Case per agency it passed through, linked by transfers (移送).
type Case struct {
	UID        string
	AgencyCode string
	CaseNo     string // the agency's own number, e.g. a court's 案号 (2024)浙0203刑初123号
	Kind       CaseKind
	Title      string
	Summary    string
	Stage      Stage
	FiledAt    *time.Time // date only (立案/受理日期)
	ClosedAt   *time.Time // date only (结案日期)
	District   string
	Sealed     bool // 犯罪记录封存 (刑事诉讼法第二百八十六条)
	UpdatedAt  time.Time
}

// Person is a natural person known to any agency.
type Person struct {
	UID       string
	Name      string
	IDNumber  string     // 公民身份号码 (GB 11643), empty when unknown
	BirthDate *time.Time // date only
	Gender    string     // "M", "F" or ""
	UpdatedAt time.Time
}

// Role is the part a person plays in a case.
type Role string

// Roles of a person in a case.
const (
	RoleSuspect   Role = "SUSPECT"   // 犯罪嫌疑人
	RoleDefendant Role = "DEFENDANT" // 被告人
	RoleVictim    Role = "VICTIM"    // 被害人
	RoleWitness   Role = "WITNESS"   // 证人
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleSuspect, RoleDefendant, RoleVictim, RoleWitness}

// Party is a person in a role on a case.
type Party struct {
	CaseUID string
	Role    Role
	Person  Person
}

// Involvement is a case a person appears in, with the role.
type Involvement struct {
	PersonUID string
	Role      Role
	Case      Case
}

// Offense is a charge (罪名) as the Criminal Law (刑法) defines it.
type Offense struct {
	Code    string
	Name    string
	Article string // 刑法 article, e.g. "264"
}

// HandoverType is the kind of a transfer between agencies (移送).
type HandoverType string

// Handover types of the first slice; the handover issue extends the list.
const (
	HandoverArrestRequest HandoverType = "ARREST_REQUEST" // 提请批准逮捕
	HandoverProsecution   HandoverType = "PROSECUTION"    // 移送审查起诉
	HandoverSupplementary HandoverType = "SUPPLEMENTARY"  // 退回补充侦查
	HandoverResubmission  HandoverType = "RESUBMISSION"   // 补充侦查后重新移送
	HandoverIndictment    HandoverType = "INDICTMENT"     // 提起公诉
	HandoverAppeal        HandoverType = "APPEAL"         // 上诉
	HandoverProtest       HandoverType = "PROTEST"        // 抗诉
	HandoverRemand        HandoverType = "REMAND"         // 发回重审
)

// Transfer is one edge of a case's lineage: the case it came from or went to.
type Transfer struct {
	HandoverUID string
	Type        HandoverType
	At          time.Time
	FromCaseUID string
	ToCaseUID   string
	// Other is the case at the other end, seen from the case asked about.
	Other Case
}

// Lineage is a case's lineage one step in each direction.
type Lineage struct {
	From []Transfer // transfers into this case, from the cases it came from
	To   []Transfer // transfers out of this case, to the cases it went to
}

// CaseFilter narrows a list of cases. Nil fields do not filter.
type CaseFilter struct {
	AgencyCode *string
	Kind       *CaseKind
	Stage      *Stage
	Offense    *string // Offense.Code
	FiledFrom  *time.Time
	FiledTo    *time.Time
}

// CaseKey is the position of a case in the stable order of case lists:
// filed date descending, then uid ascending. Cursors encode it.
type CaseKey struct {
	FiledAt time.Time // zero when the case has no filed date (sorted last)
	UID     string
}
