package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// Validator checks records one at a time and turns valid ones into graph
// rows. It knows the agencies of the graph and those the job has seen, so
// that it can refuse references to unknown agencies.
type Validator struct {
	agencies map[string]string // code → kind
	now      time.Time
}

// NewValidator returns a validator that knows agencies (code → kind).
func NewValidator(agencies map[string]string, now time.Time) *Validator {
	if agencies == nil {
		agencies = map[string]string{}
	}
	return &Validator{agencies: agencies, now: now}
}

// problem is a refusal of one field.
type problem struct{ field, reason string }

func (p *problem) Error() string { return p.field + ": " + p.reason }

func fail(field, format string, args ...any) *problem {
	return &problem{field: field, reason: fmt.Sprintf(format, args...)}
}

// Row is a validated record ready for a batch.
type Row struct {
	Kind    neo4jdb.IngestKind
	LinkKey string // for links: the statement key
	Params  map[string]any
	// Person is the uid of a person without identity number that the row
	// writes, for entity resolution.
	Person string
	// Touch lists the cases the row writes or refers to.
	Touch []string
	// CaseUID and Decided are a decision's or judgment's case and date, for
	// the check against the case's filed date.
	CaseUID string
	Decided time.Time
}

// Check validates rec and returns its row, or a Reject that names the
// field and the reason (File and Line unset).
func (v *Validator) Check(rec *Record) (Row, *Reject) {
	row, err := v.check(rec)
	if err != nil {
		return Row{}, &Reject{RecordID: rec.Source.RecordID, Type: rec.Type, Field: err.field, Reason: err.reason}
	}
	if t, ok := row.Params["touch"].([]string); ok {
		row.Touch = t
		delete(row.Params, "touch")
	}
	if d, ok := row.Params["decided"].(time.Time); ok {
		row.Decided, row.CaseUID = d, row.Params["case"].(map[string]any)["uid"].(string)
		delete(row.Params, "decided")
	}
	switch row.Kind {
	case neo4jdb.IngestParty, neo4jdb.IngestCharge:
		// not versioned: no hash, no time
	case neo4jdb.IngestLink:
		row.Params["source"] = rec.Source.Agency + "/" + rec.Source.System + "/" + rec.Source.RecordID
	default:
		row.Params["hash"] = contentHash(rec)
		row.Params["at"] = rec.Source.At.UTC() // the driver cannot send an unnamed fixed zone
	}
	return row, nil
}

func (v *Validator) check(rec *Record) (Row, *problem) {
	if err := v.source(rec); err != nil {
		return Row{}, err
	}
	switch b := rec.Body.(type) {
	case *Agency:
		return v.agency(b)
	case *Case:
		return v.caseRec(b)
	case *Person:
		return v.person(b)
	case *Party:
		return v.party(b)
	case *Charge:
		return v.charge(b)
	case *Incident:
		return v.incident(b)
	case *Handover:
		return v.handover(b)
	case *Decision:
		return v.decision(b)
	case *Measure:
		return v.measure(b)
	case *Judgment:
		return v.judgment(b)
	case *Location:
		return v.location(b)
	case *Object:
		return v.object(b)
	case *Link:
		return v.link(b)
	}
	return Row{}, fail("type", "unknown type %q", rec.Type)
}

func (v *Validator) source(rec *Record) *problem {
	s := rec.Source
	switch {
	case s.Agency == "":
		return fail("source.agency", "missing; say which agency's system the record comes from")
	case s.System == "":
		return fail("source.system", "missing; name the system the record comes from")
	case s.RecordID == "":
		return fail("source.recordId", "missing; give the record's id in its system")
	case s.At.IsZero():
		return fail("source.at", "missing; give when the system last changed the record (RFC 3339)")
	case s.At.After(v.now.Add(24 * time.Hour)):
		return fail("source.at", "%s is in the future", s.At.Format(time.RFC3339))
	}
	if a, ok := rec.Body.(*Agency); ok && a.Code == s.Agency {
		return nil // an agency may describe itself before it is known
	}
	if _, ok := v.agencies[s.Agency]; !ok {
		return fail("source.agency", "unknown agency %q; load its agency record first", s.Agency)
	}
	return nil
}

// Codes and keys become parts of uids, separated by "/".
func key(field, s string) *problem {
	switch {
	case strings.TrimSpace(s) == "":
		return fail(field, "missing")
	case len(s) > 200:
		return fail(field, "longer than 200 characters")
	}
	return nil
}

func (v *Validator) agency(a *Agency) (Row, *problem) {
	if err := key("code", a.Code); err != nil {
		return Row{}, err
	}
	if strings.ContainsAny(a.Code, "/ ") {
		return Row{}, fail("code", "%q contains a slash or a space", a.Code)
	}
	if a.Name == "" {
		return Row{}, fail("name", "missing")
	}
	kind := casegraph.AgencyKind(a.Kind)
	if !oneOf(kind, casegraph.AgencyKinds) {
		return Row{}, fail("kind", "%q is not an agency kind; use POLICE, PROCURATORATE or COURT", a.Kind)
	}
	if prev, ok := v.agencies[a.Code]; ok && prev != a.Kind {
		return Row{}, fail("kind", "agency %s is already known as %s, not %s", a.Code, prev, a.Kind)
	}
	v.agencies[a.Code] = a.Kind
	return Row{Kind: neo4jdb.IngestAgency, Params: map[string]any{
		"key":   a.Code,
		"props": map[string]any{"code": a.Code, "name": a.Name, "kind": a.Kind, "region": nilIfEmpty(a.Region)},
	}}, nil
}

// caseRef validates a case reference and returns its row map.
func (v *Validator) caseRef(field string, r CaseRef, src Source) (map[string]any, *problem) {
	agency := r.Agency
	if agency == "" {
		agency = src.Agency
	}
	kind, ok := v.agencies[agency]
	if !ok {
		return nil, fail(field+".agency", "unknown agency %q; load its agency record first", agency)
	}
	no := strings.TrimSpace(r.CaseNo)
	if err := key(field+".caseNo", no); err != nil {
		return nil, err
	}
	if kind == string(casegraph.AgencyCourt) {
		cn, err := ident.ParseCourtCaseNo(no)
		if err != nil {
			return nil, fail(field+".caseNo", "%v", err)
		}
		no = cn.Canonical()
	}
	return map[string]any{"uid": CaseUID(agency, no), "agency": agency, "caseNo": no, "kind": caseKind(kind)}, nil
}

// CaseUID is the uid of an agency's case: agency code and case number.
func CaseUID(agency, caseNo string) string { return "c/" + agency + "/" + caseNo }

func caseKind(agencyKind string) string {
	switch casegraph.AgencyKind(agencyKind) {
	case casegraph.AgencyProcuratorate:
		return string(casegraph.CaseProsecution)
	case casegraph.AgencyCourt:
		return string(casegraph.CaseCourt)
	}
	return string(casegraph.CasePolice)
}

func (v *Validator) caseRec(c *Case) (Row, *problem) {
	ref, err := v.caseRef("", c.CaseRef, c.Source)
	if err != nil {
		err.field = strings.TrimPrefix(err.field, ".")
		return Row{}, err
	}
	if c.Stage != "" && !casegraph.Stage(c.Stage).Valid() {
		return Row{}, fail("stage", "%q is not a stage; use a code of criminal-procedure.md §2.1 such as INVESTIGATING", c.Stage)
	}
	filed, err := v.date("filedAt", c.FiledAt)
	if err != nil {
		return Row{}, err
	}
	closed, err := v.date("closedAt", c.ClosedAt)
	if err != nil {
		return Row{}, err
	}
	if filed != nil && closed != nil && closed.Before(*filed) {
		return Row{}, fail("closedAt", "%s is before filedAt %s", c.ClosedAt, c.FiledAt)
	}
	uid := ref["uid"].(string)
	return Row{Kind: neo4jdb.IngestCase, Params: map[string]any{
		"key": uid,
		"props": map[string]any{
			"uid": uid, "agencyCode": ref["agency"], "caseNo": ref["caseNo"], "kind": ref["kind"],
			"title": c.Title, "summary": c.Summary, "stage": nilIfEmpty(c.Stage),
			"filedAt": dateValue(filed), "closedAt": dateValue(closed),
			"district": c.District, "sealed": c.Sealed,
		},
		"touch": []string{uid},
	}}, nil
}

// personRef resolves a person reference: a valid identity number makes the
// person one node in every source; without one the person is local to the
// source that names it.
func (v *Validator) personRef(field string, r PersonRef, src Source) (map[string]any, *problem) {
	var uid string
	var idNumber any
	if r.IDNumber != "" {
		id, err := ident.ParseIDNumber(r.IDNumber)
		if err != nil {
			return nil, fail(join(field, "idNumber"), "%v", err)
		}
		uid, idNumber = PersonUID(id.Number, src, r.Ref), id.Number
	} else {
		if err := key(join(field, "ref"), r.Ref); err != nil {
			err.reason = "missing; a person needs an identity number (idNumber) or the source's own id for them (ref)"
			return nil, err
		}
		uid = PersonUID("", src, r.Ref)
	}
	return map[string]any{"uid": uid, "idNumber": idNumber, "name": nilIfEmpty(r.Name)}, nil
}

// PersonUID is the uid of a person: by identity number when there is one,
// else local to the source. The identity number is hashed, not spelled out:
// uids travel where identity numbers are masked (GraphQL ids, the audit
// log), so a uid must not reveal one.
func PersonUID(idNumber string, src Source, ref string) string {
	if idNumber != "" {
		return IDNumberUID(idNumber)
	}
	return "p/" + src.Agency + "/" + src.System + "/" + ref
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

func (v *Validator) person(p *Person) (Row, *problem) {
	ref, err := v.personRef("", p.PersonRef, p.Source)
	if err != nil {
		return Row{}, err
	}
	if strings.TrimSpace(p.Name) == "" {
		return Row{}, fail("name", "missing")
	}
	birth, err := v.date("birthDate", p.BirthDate)
	if err != nil {
		return Row{}, err
	}
	if p.Gender != "" && p.Gender != "M" && p.Gender != "F" {
		return Row{}, fail("gender", "%q: use M or F", p.Gender)
	}
	if p.IDNumber != "" {
		id, _ := ident.ParseIDNumber(p.IDNumber)
		if birth != nil && !birth.Equal(id.BirthDate) {
			return Row{}, fail("birthDate", "%s disagrees with the identity number's %s", p.BirthDate, id.BirthDate.Format(time.DateOnly))
		}
		if p.Gender != "" && p.Gender != id.Gender {
			return Row{}, fail("gender", "%s disagrees with the identity number (%s)", p.Gender, id.Gender)
		}
		if birth == nil {
			birth = &id.BirthDate
		}
	}
	row := Row{Kind: neo4jdb.IngestPerson, Params: map[string]any{
		"key": ref["uid"],
		"props": map[string]any{
			"uid": ref["uid"], "name": p.Name, "idNumber": ref["idNumber"],
			"birthDate": dateValue(birth), "gender": nilIfEmpty(p.Gender),
		},
	}}
	if p.IDNumber == "" {
		row.Person = ref["uid"].(string)
	}
	return row, nil
}

var roleRels = map[string]string{"SUSPECT": "SUSPECT_IN", "DEFENDANT": "DEFENDANT_IN", "VICTIM": "VICTIM_IN", "WITNESS": "WITNESS_IN"}

func (v *Validator) party(p *Party) (Row, *problem) {
	c, err := v.caseRef("case", p.Case, p.Source)
	if err != nil {
		return Row{}, err
	}
	per, err := v.personRef("person", p.Person, p.Source)
	if err != nil {
		return Row{}, err
	}
	rel, ok := roleRels[p.Role]
	if !ok {
		return Row{}, fail("role", "%q is not a role; use SUSPECT, DEFENDANT, VICTIM or WITNESS", p.Role)
	}
	return Row{Kind: neo4jdb.IngestParty, Params: map[string]any{
		"case": c, "person": per, "role": rel, "touch": []string{c["uid"].(string)},
	}}, nil
}

// OffenseName normalises a charge name: the 罪 suffix is added when missing
// and a bracketed alternative list, as in [走私、贩卖、运输、制造]毒品, is
// written out.
func OffenseName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer("[", "", "]", "", "［", "", "］", "").Replace(s)
	if s != "" && !strings.HasSuffix(s, "罪") {
		s += "罪"
	}
	return s
}

func (v *Validator) charge(ch *Charge) (Row, *problem) {
	c, err := v.caseRef("case", ch.Case, ch.Source)
	if err != nil {
		return Row{}, err
	}
	per, err := v.personRef("person", ch.Person, ch.Source)
	if err != nil {
		return Row{}, err
	}
	name := OffenseName(ch.Offense)
	if name == "" {
		return Row{}, fail("offense", "missing; give the charge (罪名), e.g. 盗窃罪")
	}
	return Row{Kind: neo4jdb.IngestCharge, Params: map[string]any{
		"key":  "ch/" + c["uid"].(string) + "/" + per["uid"].(string) + "/" + name,
		"case": c, "person": per, "offense": name, "article": nilIfEmpty(ch.Article),
		"touch": []string{c["uid"].(string)},
	}}, nil
}

func (v *Validator) incident(in *Incident) (Row, *problem) {
	if err := key("incidentNo", in.IncidentNo); err != nil {
		return Row{}, err
	}
	at, err := v.timestamp("reportedAt", in.ReportedAt)
	if err != nil {
		return Row{}, err
	}
	var c map[string]any
	touch := []string{}
	if in.Case != nil {
		if c, err = v.caseRef("case", *in.Case, in.Source); err != nil {
			return Row{}, err
		}
		touch = append(touch, c["uid"].(string))
	}
	uid := "i/" + in.Source.Agency + "/" + in.IncidentNo
	return Row{Kind: neo4jdb.IngestIncident, Params: map[string]any{
		"key": uid, "case": orNil(c), "touch": touch,
		"props": map[string]any{"uid": uid, "incidentNo": in.IncidentNo, "reportedAt": timeValue(at), "summary": in.Summary, "district": in.District},
	}}, nil
}

func (v *Validator) handover(h *Handover) (Row, *problem) {
	if err := key("handoverId", h.HandoverID); err != nil {
		return Row{}, err
	}
	if !oneOf(casegraph.HandoverType(h.Kind), casegraph.HandoverTypes) {
		return Row{}, fail("kind", "%q is not a handover type; use one of %s", h.Kind, list(casegraph.HandoverTypes))
	}
	from, err := v.caseRef("from", h.From, h.Source)
	if err != nil {
		return Row{}, err
	}
	var to map[string]any
	touch := []string{from["uid"].(string)}
	if h.To != nil {
		if to, err = v.caseRef("to", *h.To, h.Source); err != nil {
			return Row{}, err
		}
		touch = append(touch, to["uid"].(string))
	}
	sent, err := v.timestamp("sentAt", h.SentAt)
	if err != nil {
		return Row{}, err
	}
	if sent == nil {
		return Row{}, fail("sentAt", "missing")
	}
	received, err := v.timestamp("receivedAt", h.ReceivedAt)
	if err != nil {
		return Row{}, err
	}
	if received != nil && received.Before(*sent) {
		return Row{}, fail("receivedAt", "%s is before sentAt %s", h.ReceivedAt, h.SentAt)
	}
	status := h.Status
	switch {
	case status == "" && to != nil && received != nil:
		status = "ACCEPTED"
	case status == "":
		status = "PENDING"
	case status != "PENDING" && status != "ACCEPTED" && status != "REJECTED":
		return Row{}, fail("status", "%q: use PENDING, ACCEPTED or REJECTED", h.Status)
	}
	if status == "ACCEPTED" && to == nil {
		return Row{}, fail("to", "missing; an accepted handover names the receiving case")
	}
	if status == "REJECTED" && strings.TrimSpace(h.Reason) == "" {
		return Row{}, fail("reason", "missing; a rejected handover says why")
	}
	uid := "h/" + from["agency"].(string) + "/" + h.HandoverID
	return Row{Kind: neo4jdb.IngestHandover, Params: map[string]any{
		"key": uid, "from": from, "to": orNil(to), "touch": touch,
		"props": map[string]any{
			"uid": uid, "type": h.Kind, "fromAgency": from["agency"], "toAgency": mapValue(to, "agency"),
			"sentAt": *sent, "receivedAt": timeValue(received), "status": status, "reason": nilIfEmpty(h.Reason),
		},
	}}, nil
}

// DecisionKinds are the decision kinds (决定) by code, with the Chinese name
// accepted in their place.
var DecisionKinds = map[string]string{
	"FILE_CASE":                 "立案",
	"NOT_FILE":                  "不予立案",
	"WITHDRAW_CASE":             "撤销案件",
	"APPROVE_ARREST":            "批准逮捕",
	"DENY_ARREST":               "不批准逮捕",
	"PROSECUTE":                 "起诉",
	"NOT_PROSECUTE":             "不起诉",
	"CONDITIONAL_NOT_PROSECUTE": "附条件不起诉",
	"RETURN_FOR_SUPPLEMENT":     "退回补充侦查",
	"JUDGMENT":                  "判决",
	"RULING":                    "裁定",
	"EFFECTIVE":                 "生效",
	"OPEN_TRIAL":                "决定开庭审判",
	"EXTEND_PERIOD":             "批准延长期限", // subtype: the extension, e.g. T28.1; basis: the approver
	"DUTY_DONE":                 "已履行",    // subtype: the duty done, e.g. T13 (通知家属)
	"APPRAISAL_STARTED":         "精神病鉴定开始",
	"APPRAISAL_ENDED":           "精神病鉴定结束",
	"TRIAL_SUSPENDED":           "中止审理",
	"TRIAL_RESUMED":             "恢复审理",
	"TRIAL_DEFERRED":            "延期审理",
	"SUPPLEMENT_RETURNED":       "补充侦查完毕移送人民法院",
	"FILE_REVIEW_STARTED":       "二审检察院阅卷开始",
	"FILE_REVIEW_ENDED":         "二审检察院阅卷完毕",
	"JURISDICTION_CHANGED":      "改变管辖",
	"OTHER_CRIME_FOUND":         "发现另有重要罪行",
	"IDENTITY_ESTABLISHED":      "查清犯罪嫌疑人身份",
}

// NonProsecutionSubtypes are the kinds of 不起诉 (CPL 177, 175(4), 282, 182).
var NonProsecutionSubtypes = []string{"法定", "酌定", "存疑", "附条件", "特殊"}

// MeasureKinds are the custody measures (强制措施) by Chinese name, with
// their codes accepted in their place.
var MeasureKinds = map[string]string{
	"拘传": "SUMMONS", "取保候审": "BAIL", "监视居住": "RESIDENTIAL_SURVEILLANCE",
	"拘留": "DETENTION", "逮捕": "ARREST", "释放": "RELEASE",
}

// DecisionKindCode is the code of a decision kind given by code or by its
// Chinese name, and whether it is one.
func DecisionKindCode(s string) (string, bool) { return codeOrName(s, DecisionKinds) }

// MeasureKindName is the Chinese name of a custody measure given by name or
// by its code, and whether it is one.
func MeasureKindName(s string) (string, bool) { return codeOrName(s, MeasureKinds) }

// codeOrName is s if it is a key of byKey, or the key whose value is s.
func codeOrName(s string, byKey map[string]string) (string, bool) {
	if _, ok := byKey[s]; ok {
		return s, true
	}
	for k, v := range byKey {
		if v == s {
			return k, true
		}
	}
	return "", false
}

func (v *Validator) decision(d *Decision) (Row, *problem) {
	if err := key("decisionId", d.DecisionID); err != nil {
		return Row{}, err
	}
	c, err := v.caseRef("case", d.Case, d.Source)
	if err != nil {
		return Row{}, err
	}
	kind, ok := DecisionKindCode(d.Kind)
	if !ok {
		return Row{}, fail("kind", "%q is not a decision kind; use e.g. APPROVE_ARREST (批准逮捕), NOT_PROSECUTE (不起诉), JUDGMENT (判决)", d.Kind)
	}
	if d.Subtype != "" && kind == "NOT_PROSECUTE" && !oneOf(d.Subtype, NonProsecutionSubtypes) {
		return Row{}, fail("subtype", "%q is not a kind of 不起诉; use 法定, 酌定, 存疑, 附条件 or 特殊", d.Subtype)
	}
	at, err := v.date("decidedAt", d.DecidedAt)
	if err != nil {
		return Row{}, err
	}
	if at == nil {
		return Row{}, fail("decidedAt", "missing")
	}
	var per map[string]any
	if d.Person != nil {
		if per, err = v.personRef("person", *d.Person, d.Source); err != nil {
			return Row{}, err
		}
	}
	uid := "d/" + d.Source.Agency + "/" + d.DecisionID
	return Row{Kind: neo4jdb.IngestDecision, Params: map[string]any{
		"key": uid, "case": c, "person": orNil(per), "touch": []string{c["uid"].(string)}, "decided": *at,
		"props": map[string]any{"uid": uid, "kind": kind, "subtype": nilIfEmpty(d.Subtype), "decidedAt": dateValue(at), "basis": nilIfEmpty(d.Basis)},
	}}, nil
}

func (v *Validator) measure(m *Measure) (Row, *problem) {
	if err := key("measureId", m.MeasureID); err != nil {
		return Row{}, err
	}
	c, err := v.caseRef("case", m.Case, m.Source)
	if err != nil {
		return Row{}, err
	}
	per, err := v.personRef("person", m.Person, m.Source)
	if err != nil {
		return Row{}, err
	}
	kind, ok := MeasureKindName(m.Kind)
	if !ok {
		return Row{}, fail("kind", "%q is not a custody measure; use 拘传, 取保候审, 监视居住, 拘留, 逮捕 or 释放", m.Kind)
	}
	from, err := v.date("from", m.From)
	if err != nil {
		return Row{}, err
	}
	if from == nil {
		return Row{}, fail("from", "missing")
	}
	to, err := v.date("to", m.To)
	if err != nil && err.reason != "" && strings.Contains(err.reason, "not plausible") {
		// A measure's end may lie ahead (取保候审 runs up to 12 months).
		if t, perr := time.Parse(time.DateOnly, m.To); perr == nil && t.Before(v.now.AddDate(2, 0, 0)) {
			to, err = &t, nil
		}
	}
	if err != nil {
		return Row{}, err
	}
	if to != nil && to.Before(*from) {
		return Row{}, fail("to", "%s is before from %s", m.To, m.From)
	}
	uid := "m/" + m.Source.Agency + "/" + m.MeasureID
	return Row{Kind: neo4jdb.IngestMeasure, Params: map[string]any{
		"key": uid, "case": c, "person": per, "touch": []string{c["uid"].(string)},
		"props": map[string]any{"uid": uid, "kind": kind, "from": dateValue(from), "to": dateValue(to)},
	}}, nil
}

func (v *Validator) judgment(j *Judgment) (Row, *problem) {
	if err := key("judgmentId", j.JudgmentID); err != nil {
		return Row{}, err
	}
	c, err := v.caseRef("case", j.Case, j.Source)
	if err != nil {
		return Row{}, err
	}
	per, err := v.personRef("person", j.Person, j.Source)
	if err != nil {
		return Row{}, err
	}
	if j.Verdict != "GUILTY" && j.Verdict != "NOT_GUILTY" && j.Verdict != "EXEMPT" {
		return Row{}, fail("verdict", "%q: use GUILTY (有罪), NOT_GUILTY (无罪) or EXEMPT (免予刑事处罚)", j.Verdict)
	}
	if j.TermMonths < 0 || j.TermMonths > 600 || j.ProbationMonths < 0 || j.Fine < 0 {
		return Row{}, fail("termMonths", "term, probation and fine must be non-negative (term at most 600 months)")
	}
	at, err := v.date("decidedAt", j.DecidedAt)
	if err != nil {
		return Row{}, err
	}
	if at == nil {
		return Row{}, fail("decidedAt", "missing")
	}
	uid := "j/" + j.Source.Agency + "/" + j.JudgmentID
	return Row{Kind: neo4jdb.IngestJudgment, Params: map[string]any{
		"key": uid, "case": c, "person": per, "touch": []string{c["uid"].(string)}, "decided": *at,
		"props": map[string]any{
			"uid": uid, "verdict": j.Verdict, "termMonths": j.TermMonths, "lifeImprisonment": j.LifeImprisonment,
			"deathPenalty": j.DeathPenalty, "fine": j.Fine, "probationMonths": j.ProbationMonths,
			"decidedAt": dateValue(at), "final": j.Final,
		},
	}}, nil
}

func (v *Validator) location(l *Location) (Row, *problem) {
	if err := key("locationId", l.LocationID); err != nil {
		return Row{}, err
	}
	if (l.Lat == nil) != (l.Lon == nil) {
		return Row{}, fail("lat", "give both lat and lon, or neither")
	}
	props := map[string]any{"uid": LocationUID(l.Source, l.LocationID), "address": nilIfEmpty(l.Address), "district": nilIfEmpty(l.District)}
	if l.Lat != nil {
		if *l.Lat < -90 || *l.Lat > 90 || *l.Lon < -180 || *l.Lon > 180 {
			return Row{}, fail("lat", "%v, %v is not a position on Earth", *l.Lat, *l.Lon)
		}
		props["point"] = neo4j.Point2D{X: *l.Lon, Y: *l.Lat, SpatialRefId: 4326}
		props["lat"], props["lon"] = *l.Lat, *l.Lon
	}
	return Row{Kind: neo4jdb.IngestLocation, Params: map[string]any{"key": props["uid"], "props": props}}, nil
}

// LocationUID is the uid of a source's location.
func LocationUID(src Source, id string) string { return "l/" + src.Agency + "/" + id }

// ObjectKinds are the kinds of objects (物品).
var ObjectKinds = []string{"PHONE", "VEHICLE", "ACCOUNT", "EMAIL", "WEAPON", "DRUG", "OTHER"}

func objectRef(field string, o ObjectRef) (map[string]any, *problem) {
	if !oneOf(o.Kind, ObjectKinds) {
		return nil, fail(join(field, "kind"), "%q is not an object kind; use one of %s", o.Kind, strings.Join(ObjectKinds, ", "))
	}
	value := strings.TrimSpace(o.Value)
	if err := key(join(field, "value"), value); err != nil {
		return nil, err
	}
	return map[string]any{"uid": "o/" + o.Kind + "/" + value, "kind": o.Kind, "value": value}, nil
}

func (v *Validator) object(o *Object) (Row, *problem) {
	ref, err := objectRef("", o.ObjectRef)
	if err != nil {
		return Row{}, err
	}
	return Row{Kind: neo4jdb.IngestObject, Params: map[string]any{
		"key":   ref["uid"],
		"props": map[string]any{"uid": ref["uid"], "kind": ref["kind"], "value": ref["value"], "label": nilIfEmpty(o.Label)},
	}}, nil
}

func (v *Validator) endpoint(field string, e Endpoint, src Source) (string, map[string]any, *problem) {
	n := 0
	for _, set := range []bool{e.Person != nil, e.Case != nil, e.Object != nil, e.Location != "", e.Incident != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return "", nil, fail(field, "give exactly one of person, case, object, location, incident")
	}
	switch {
	case e.Person != nil:
		m, err := v.personRef(field+".person", *e.Person, src)
		return "Person", m, err
	case e.Case != nil:
		m, err := v.caseRef(field+".case", *e.Case, src)
		return "Case", m, err
	case e.Object != nil:
		m, err := objectRef(field+".object", *e.Object)
		return "Object", m, err
	case e.Location != "":
		return "Location", map[string]any{"uid": LocationUID(src, e.Location)}, nil
	default:
		return "Incident", map[string]any{"uid": "i/" + src.Agency + "/" + e.Incident}, nil
	}
}

func (v *Validator) link(l *Link) (Row, *problem) {
	fromLabel, from, err := v.endpoint("from", l.From, l.Source)
	if err != nil {
		return Row{}, err
	}
	toLabel, to, err := v.endpoint("to", l.To, l.Source)
	if err != nil {
		return Row{}, err
	}
	var shapes []string
	found := false
	for _, s := range neo4jdb.LinkShapes {
		if s.Rel == l.Kind {
			shapes = append(shapes, s.From+"→"+s.To)
			found = found || (s.From == fromLabel && s.To == toLabel)
		}
	}
	switch {
	case len(shapes) == 0:
		var kinds []string
		for _, s := range neo4jdb.LinkShapes {
			if !oneOf(s.Rel, kinds) {
				kinds = append(kinds, s.Rel)
			}
		}
		return Row{}, fail("kind", "%q is not a link kind; use one of %s", l.Kind, strings.Join(kinds, ", "))
	case !found:
		return Row{}, fail("to", "a %s link goes %s, not %s→%s", l.Kind, strings.Join(shapes, " or "), fromLabel, toLabel)
	}
	since, err := v.date("since", l.Since)
	if err != nil {
		return Row{}, err
	}
	var touch []string
	for _, m := range []map[string]any{from, to} {
		if m["kind"] != nil && strings.HasPrefix(m["uid"].(string), "c/") {
			touch = append(touch, m["uid"].(string))
		}
	}
	return Row{Kind: neo4jdb.IngestLink, LinkKey: neo4jdb.LinkKey(l.Kind, fromLabel, toLabel), Params: map[string]any{
		"from": from, "to": to, "since": dateValue(since), "touch": touch,
	}}, nil
}

// Dates are calendar dates, 2006-01-02.
var earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

func (v *Validator) date(field, s string) (*time.Time, *problem) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, fail(field, "%q is not a date of the form 2024-03-01", s)
	}
	if t.Before(earliest) || t.After(v.now.Add(24*time.Hour)) {
		return nil, fail(field, "%s is not plausible (before 1900 or in the future)", s)
	}
	return &t, nil
}

// timestamp accepts an RFC 3339 timestamp or a date.
func (v *Validator) timestamp(field, s string) (*time.Time, *problem) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.After(v.now.Add(24 * time.Hour)) {
			return nil, fail(field, "%s is in the future", s)
		}
		t = t.UTC()
		return &t, nil
	}
	d, err := v.date(field, s)
	if err != nil {
		err.reason = fmt.Sprintf("%q is neither an RFC 3339 timestamp nor a date", s)
	}
	return d, err
}

func dateValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return neo4j.DateOf(*t)
}

func timeValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mapValue(m map[string]any, k string) any {
	if m == nil {
		return nil
	}
	return m[k]
}

func oneOf[T comparable](v T, list []T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func list[T ~string](l []T) string {
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// contentHash identifies a version of a record's content, its source
// envelope aside: two versions with different hashes conflict.
func contentHash(rec *Record) string {
	env := rec.Body.(interface{ envelope() *Envelope }).envelope()
	saved := env.Source
	env.Source = Source{}
	b, _ := json.Marshal(rec.Body)
	env.Source = saved
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func dateOf(v any) time.Time {
	if d, ok := v.(neo4j.Date); ok {
		return d.Time()
	}
	return time.Time{}
}

// orNil sends an absent reference as null: the driver sends a nil map as an
// empty map, which Cypher does not take for null.
func orNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// IDNumberUID is the uid of the person with an identity number: a SHA-256
// of it under a fixed label. It is stable across runs (ingest stays
// idempotent) but not secret: the space of identity numbers is small enough
// to search, so uids must still be treated as personal data at rest.
func IDNumberUID(idNumber string) string {
	h := sha256.Sum256([]byte("casegraph/person/v1\x00" + idNumber))
	return "p/h/" + hex.EncodeToString(h[:12])
}
