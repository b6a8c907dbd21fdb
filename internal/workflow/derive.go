package workflow

import (
	"sort"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/procedure"
)

// A lineage's records (cases, handovers, decisions, measures, judgments) are
// turned into the engine's events here, the same way whether they were
// ingested or entered through the API: that is what makes the two paths
// agree.

// item is one event derived from one record.
type item struct {
	uid        string
	at         time.Time
	rank       float64 // the order of events on the same instant: the procedure's order
	name       string  // what happened, in Chinese, for the timeline
	record     string  // the record's uid
	recordType string
	actor      string
	caseUID    string
	// choose returns the engine events at the current state; none means the
	// record is only noted on the timeline.
	choose func(s *procedure.State) []procedure.Event
	// restate marks a record that may repeat what another record of the
	// same act already applied (a 起诉 decision and the 提起公诉 handover, a
	// judgment per defendant): skipped when the stage already is its target.
	restate bool
}

func fixed(evs ...procedure.Event) func(*procedure.State) []procedure.Event {
	return func(*procedure.State) []procedure.Event { return evs }
}

var handoverTransitions = map[casegraph.HandoverType]string{
	casegraph.HandoverArrestRequest: "A08", // 提请批准逮捕
	casegraph.HandoverProsecution:   "A12", // 移送审查起诉
	casegraph.HandoverSupplementary: "A14", // 退回补充侦查
	casegraph.HandoverResubmission:  "A15", // 补充侦查完毕，重新移送审查起诉
	casegraph.HandoverIndictment:    "A26", // 人民法院收到起诉书和案卷、证据
	casegraph.HandoverAppeal:        "A33", // 上诉
	casegraph.HandoverProtest:       "A34", // 抗诉
	casegraph.HandoverRemand:        "A38", // 发回重审
}

// handoverAgency is the kind of agency a handover is addressed to.
var handoverAgency = map[casegraph.HandoverType]casegraph.AgencyKind{
	casegraph.HandoverArrestRequest: casegraph.AgencyProcuratorate,
	casegraph.HandoverProsecution:   casegraph.AgencyProcuratorate,
	casegraph.HandoverSupplementary: casegraph.AgencyPolice,
	casegraph.HandoverResubmission:  casegraph.AgencyProcuratorate,
	casegraph.HandoverIndictment:    casegraph.AgencyCourt,
	casegraph.HandoverAppeal:        casegraph.AgencyCourt,
	casegraph.HandoverProtest:       casegraph.AgencyCourt,
	casegraph.HandoverRemand:        casegraph.AgencyCourt,
}

// measureEvents maps custody measures (by Chinese name) to machine B.
var measureEvents = map[string]string{
	"拘传":   procedure.EventSummoned,
	"取保候审": procedure.EventBail,
	"监视居住": procedure.EventResidence,
	"拘留":   procedure.EventDetained,
	"逮捕":   procedure.EventArrested,
	"释放":   procedure.EventReleased,
}

var measureRank = map[string]float64{
	procedure.EventSummoned: 4.5, procedure.EventBail: 4.5, procedure.EventResidence: 4.5, procedure.EventDetained: 4.5,
	procedure.EventArrested: 5.5, procedure.EventReleased: 50,
}

// named events a decision may carry through (kind = the event).
var namedDecisions = map[string]bool{
	procedure.EventAppraisalStarted: true, procedure.EventAppraisalEnded: true,
	procedure.EventTrialSuspended: true, procedure.EventTrialResumed: true, procedure.EventTrialDeferred: true,
	procedure.EventSupplementReturned: true, procedure.EventFileReviewStarted: true, procedure.EventFileReviewEnded: true,
	procedure.EventJurisdictionChanged: true, procedure.EventOtherCrimeFound: true, procedure.EventIdentityEstablished: true,
}

// notProsecution maps the kinds of 不起诉 to their transitions.
var notProsecution = map[string]string{"法定": "A18", "酌定": "A19", "存疑": "A20", "特殊": "A21", "附条件": "A22"}

func (w *Workflow) rank(id string) float64 {
	t := w.engine.Rules.Transition(id)
	if t == nil || len(t.From) == 0 {
		return 0
	}
	for i, s := range casegraph.Stages {
		if s == t.From[0] {
			return float64(i) + 0.3
		}
	}
	return 0
}

func (w *Workflow) transitionName(id string) string {
	if t := w.engine.Rules.Transition(id); t != nil {
		return t.Name
	}
	return id
}

// derive turns a lineage's records into events in the order they are
// applied.
func (w *Workflow) derive(f *neo4jdb.LineageFacts) []item {
	cases := map[string]neo4jdb.FactCase{}
	received := map[string]bool{} // cases that a handover reached
	for _, c := range f.Cases {
		cases[c.UID] = c
	}
	for _, h := range f.Handovers {
		if h.ToCase != "" && h.Status != "REJECTED" {
			received[h.ToCase] = true
		}
	}
	filedBy := map[string]bool{} // cases with a 立案/不予立案 decision
	for _, d := range f.Decisions {
		if d.Kind == "FILE_CASE" || d.Kind == "NOT_FILE" {
			filedBy[d.Case] = true
		}
	}
	var items []item

	for _, c := range f.Cases {
		if c.Placeholder {
			continue
		}
		switch {
		case c.Kind == casegraph.CasePolice:
			at := c.ReceivedAt
			if at.IsZero() && c.FiledAt != nil {
				at = chinaDay(*c.FiledAt)
			}
			if at.IsZero() {
				continue
			}
			items = append(items, item{uid: "ev/" + c.UID + "/received", at: at, rank: 0, name: "受案登记",
				record: c.UID, recordType: "case", caseUID: c.UID,
				choose: fixed(procedure.Event{Kind: procedure.EventCaseReceived, Case: c.UID, CaseKind: c.Kind})})
			if c.FiledAt != nil && !filedBy[c.UID] {
				fd := chinaDay(*c.FiledAt)
				if fd.Before(at) {
					fd = at
				}
				items = append(items, item{uid: "ev/" + c.UID + "/filed", at: fd, rank: 0.2, name: "立案",
					record: c.UID, recordType: "case", caseUID: c.UID,
					choose: fileCase(c.UID)})
			}
		case !received[c.UID] && c.FiledAt != nil:
			// A case whose beginning is not on record: the lineage starts at
			// its stage (EventOpened).
			to := casegraph.StageProsecutionReview
			if c.Kind == casegraph.CaseCourt {
				to = casegraph.StageFirstInstance
			}
			items = append(items, item{uid: "ev/" + c.UID + "/opened", at: chinaDay(*c.FiledAt), rank: 0,
				name: "案件记录自中途开始", record: c.UID, recordType: "case", caseUID: c.UID,
				choose: fixed(procedure.Event{Kind: procedure.EventOpened, Case: c.UID, CaseKind: c.Kind, To: to})})
		}
	}

	for _, h := range f.Handovers {
		h := h
		items = append(items, item{uid: "ev/" + h.UID + "/sent", at: h.SentAt, rank: 0.05, name: "移送：" + HandoverName(h.Type),
			record: h.UID, recordType: "handover", actor: h.SentBy, caseUID: h.FromCase, choose: fixed()})
		if h.Type == casegraph.HandoverIndictment {
			items = append(items, item{uid: "ev/" + h.UID + "/indicted", at: h.SentAt, rank: w.rank("A17"), name: "提起公诉",
				record: h.UID, recordType: "handover", actor: h.SentBy, caseUID: h.FromCase, restate: true,
				choose: fixed(procedure.Event{Kind: "A17", Case: h.FromCase})})
		}
		switch {
		case h.Status == "REJECTED":
			at := h.ReceivedAt
			if at.IsZero() {
				at = h.SentAt
			}
			items = append(items, item{uid: "ev/" + h.UID + "/rejected", at: at, rank: 0.05, name: "拒绝接收：" + HandoverName(h.Type),
				record: h.UID, recordType: "handover", actor: h.ReceivedBy, caseUID: h.FromCase, choose: fixed()})
		case h.ToCase != "" && (h.Status == "ACCEPTED" || h.Status == ""):
			id := handoverTransitions[h.Type]
			at := h.ReceivedAt
			if at.IsZero() {
				at = h.SentAt
			}
			to := cases[h.ToCase]
			ev := procedure.Event{Kind: id, Case: h.FromCase, ToCase: h.ToCase, ToCaseKind: to.Kind, Person: h.Person, Variant: h.Variant}
			items = append(items, item{uid: "ev/" + h.UID + "/accepted", at: at, rank: w.rank(id), name: w.transitionName(id),
				record: h.UID, recordType: "handover", actor: h.ReceivedBy, caseUID: h.FromCase,
				restate: id == "A14", choose: fixed(ev)})
		}
	}

	// Judgments: one act per case and day, however many defendants.
	judged := map[string]bool{}
	for _, d := range f.Decisions {
		if d.Kind == "JUDGMENT" || d.Kind == "RULING" {
			judged[d.Case+"|"+chinaDay(d.DecidedAt).Format(time.DateOnly)] = true
		}
	}
	for _, d := range f.Decisions {
		items = append(items, w.decisionItems(d, f)...)
	}
	for _, m := range f.Measures {
		kind, ok := measureEvents[m.Kind]
		if !ok {
			continue
		}
		items = append(items, item{uid: "ev/" + m.UID, at: m.From, rank: measureRank[kind], name: m.Kind,
			record: m.UID, recordType: "measure", actor: m.By, caseUID: m.Case,
			choose: fixed(procedure.Event{Kind: kind, Case: m.Case, Person: m.Person})})
	}
	for _, j := range f.Judgments {
		key := j.Case + "|" + chinaDay(j.DecidedAt).Format(time.DateOnly)
		if !judged[key] {
			judged[key] = true
			items = append(items, item{uid: "ev/" + j.UID + "/judged", at: j.DecidedAt, rank: w.rank("A32"), name: "宣判",
				record: j.UID, recordType: "judgment", caseUID: j.Case, restate: true, choose: judgment(j.Case, "JUDGMENT")})
		}
		if j.Final {
			// A judgment marked final became effective when the window for
			// appeal and protest (十日, T57) ran out.
			due := procedure.Due(j.DecidedAt, procedure.Limit{Amount: 10, Unit: procedure.Days}, w.engine.Calendar, false)
			items = append(items, item{uid: "ev/" + j.UID + "/effective", at: due.AddDate(0, 0, 1), rank: w.rank("A35"),
				name: "判决发生法律效力", record: j.UID, recordType: "judgment", caseUID: j.Case, restate: true,
				choose: fixed(procedure.Event{Kind: "A35", Case: j.Case})})
		}
	}
	sort.SliceStable(items, func(a, b int) bool {
		if !items[a].at.Equal(items[b].at) {
			return items[a].at.Before(items[b].at)
		}
		if items[a].rank != items[b].rank {
			return items[a].rank < items[b].rank
		}
		return items[a].uid < items[b].uid
	})
	return items
}

func fileCase(caseUID string) func(*procedure.State) []procedure.Event {
	return func(s *procedure.State) []procedure.Event {
		evs := []procedure.Event{}
		if s.Stage() == casegraph.StageReceived {
			evs = append(evs, procedure.Event{Kind: "A01", Case: caseUID})
		}
		return append(evs, procedure.Event{Kind: "A03", Case: caseUID})
	}
}

// judgment is 一审宣判 (A32), 二审终审 (A37) or 再审裁判 (A44) by stage; a
// first-instance case still at intake is first taken to trial (A27).
func judgment(caseUID, kind string) func(*procedure.State) []procedure.Event {
	return func(s *procedure.State) []procedure.Event {
		switch s.Stage() {
		case casegraph.StageSecondInstance:
			return []procedure.Event{{Kind: "A37", Case: caseUID}}
		case casegraph.StageRetrial:
			return []procedure.Event{{Kind: "A44", Case: caseUID, To: casegraph.StageEffective}}
		case casegraph.StageTrialIntake:
			return []procedure.Event{{Kind: "A27", Case: caseUID}, {Kind: "A32", Case: caseUID, Variant: kind}}
		}
		return []procedure.Event{{Kind: "A32", Case: caseUID, Variant: kind}}
	}
}

func (w *Workflow) decisionItems(d neo4jdb.FactDecision, f *neo4jdb.LineageFacts) []item {
	base := item{uid: "ev/" + d.UID, at: d.DecidedAt, record: d.UID, recordType: "decision", actor: d.By, caseUID: d.Case,
		name: DecisionName(d.Kind, d.Subtype)}
	one := func(id string, ev procedure.Event) []item {
		it := base
		it.rank = w.rank(id)
		ev.Kind, ev.Case = id, d.Case
		it.choose = fixed(ev)
		return []item{it}
	}
	switch d.Kind {
	case "FILE_CASE":
		base.rank = 0.2
		base.choose = fileCase(d.Case)
		return []item{base}
	case "NOT_FILE":
		return one("A04", procedure.Event{})
	case "WITHDRAW_CASE":
		base.rank = w.rank("A07")
		base.choose = func(s *procedure.State) []procedure.Event {
			if s.Stage() == casegraph.StageSupplementary {
				return []procedure.Event{{Kind: "A16", Case: d.Case}}
			}
			return []procedure.Event{{Kind: "A07", Case: d.Case}}
		}
		return []item{base}
	case "APPROVE_ARREST", "DENY_ARREST":
		id := "A09"
		if d.Kind == "DENY_ARREST" {
			id = "A10"
		}
		ev := procedure.Event{Person: d.Person}
		for _, h := range f.Handovers {
			if h.ToCase == d.Case && h.Type == casegraph.HandoverArrestRequest {
				ev.ToCase = h.FromCase
			}
		}
		return one(id, ev)
	case "PROSECUTE":
		its := one("A17", procedure.Event{})
		its[0].restate = true
		return its
	case "NOT_PROSECUTE", "CONDITIONAL_NOT_PROSECUTE":
		id := notProsecution[d.Subtype]
		if d.Kind == "CONDITIONAL_NOT_PROSECUTE" {
			id = "A22"
		}
		if id == "" {
			id = "A19"
		}
		return one(id, procedure.Event{})
	case "RETURN_FOR_SUPPLEMENT":
		its := one("A14", procedure.Event{})
		its[0].restate = true
		return its
	case "JUDGMENT", "RULING":
		base.rank = w.rank("A32")
		base.restate = true
		base.choose = judgment(d.Case, d.Kind)
		return []item{base}
	case "EFFECTIVE":
		its := one("A35", procedure.Event{})
		its[0].restate = true
		return its
	case "OPEN_TRIAL":
		return one("A27", procedure.Event{Variant: d.Subtype})
	case "EXTEND_PERIOD":
		base.rank = 60
		base.choose = fixed(procedure.Event{Kind: procedure.EventExtensionGranted, Case: d.Case, Person: d.Person,
			Rule: d.Subtype, Approver: d.Basis})
		return []item{base}
	case "DUTY_DONE":
		base.rank = 60
		base.choose = fixed(procedure.Event{Kind: procedure.EventComplied, Case: d.Case, Person: d.Person, Rule: d.Subtype})
		return []item{base}
	}
	if namedDecisions[d.Kind] {
		base.rank = 60
		base.choose = fixed(procedure.Event{Kind: d.Kind, Case: d.Case, Person: d.Person})
		return []item{base}
	}
	base.choose = fixed()
	return []item{base}
}

func chinaDay(t time.Time) time.Time {
	t = t.In(procedure.China)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, procedure.China)
}
