package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/procedure"
)

// The mutations write the same records ingest writes (Case, Handover,
// Decision, Measure), then replay the lineage through the engine in the same
// transaction. A record the procedure does not allow rolls the transaction
// back: nothing changes, and the error names the rule.

// OpenCaseInput opens a police case (受案登记).
type OpenCaseInput struct {
	Agency   string
	CaseNo   string
	Title    string
	Summary  string
	District string
	At       time.Time
	// ClientMutationID makes a retry safe: a case this id opened is
	// answered again instead of CONFLICT. Optional.
	ClientMutationID string
}

// TransferInput hands a case to another agency (移送).
type TransferInput struct {
	Case     string
	Type     casegraph.HandoverType
	ToAgency string
	At       time.Time
	Person   string // the suspect concerned (提请批准逮捕)
	Variant  string // ORDINARY or EXPEDITED (移送审查起诉), FACTS or PROCEDURE (发回重审) …
	Note     string
	// ClientMutationID makes a retry safe: the handover's uid comes from
	// the caller's agency and this id, and a retry answers it. Optional.
	ClientMutationID string
}

// ReceiveInput accepts or rejects a handover.
type ReceiveInput struct {
	Handover   string
	Accept     bool
	CaseNo     string // the receiving agency's own number for a new case
	At         time.Time
	ReasonCode string
	Reason     string
	// ClientMutationID makes a retry safe: a handover this id already
	// accepted or rejected is answered again instead of CONFLICT. Optional.
	ClientMutationID string
}

// DecisionInput records a decision (决定).
type DecisionInput struct {
	Case    string
	Kind    string
	Subtype string // the kind of 不起诉; the extension (T28.1) of EXTEND_PERIOD; the duty (T13) of DUTY_DONE
	Person  string
	Basis   string // the article relied on; the approver of an extension
	At      time.Time
	// ClientMutationID makes a retry safe: the decision's uid comes from
	// the caller's agency and this id, and a retry answers it. Optional.
	ClientMutationID string
}

// MeasureInput records a custody measure (强制措施) on a person.
type MeasureInput struct {
	Case   string
	Person string
	Kind   string // 拘传, 取保候审, 监视居住, 拘留, 逮捕, 释放 (or SUMMONS, BAIL …)
	At     time.Time
	// ClientMutationID makes a retry safe: the measure's uid comes from
	// the caller's agency and this id, and a retry answers it. Optional.
	ClientMutationID string
}

func newID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102150405") + "-" + hex.EncodeToString(b)
}

// caller returns the caller, who must act for an agency.
func caller(ctx context.Context) (casegraph.Caller, error) {
	c := casegraph.CallerFrom(ctx)
	if c.Agency == "" {
		return c, casegraph.Errorf(casegraph.EUNAUTHENTICATED, "须以办案机关身份操作：请求未说明办案机关 (the request names no acting agency)")
	}
	return c, nil
}

// when checks an event time: zero means now; the future is refused.
func (w *Workflow) when(at time.Time) (time.Time, error) {
	now := w.opts.Now()
	if at.IsZero() {
		return now, nil
	}
	if at.After(now.Add(time.Minute)) {
		return time.Time{}, casegraph.Errorf(casegraph.EINVALID, "事件时间 %s 晚于当前时间，不能记录将来的事件 (the event is dated in the future)",
			at.In(procedure.China).Format(time.DateTime))
	}
	return at, nil
}

// notBefore refuses an event dated before the lineage's last event.
func notBefore(r *replayed, at time.Time) error {
	if at.Before(r.last) {
		return casegraph.Errorf(casegraph.EINVALID, "事件时间 %s 早于本案上一事件（%s），事件须按时间顺序记录 (the event is dated before the previous one)",
			at.In(procedure.China).Format(time.DateTime), r.last.In(procedure.China).Format(time.DateTime))
	}
	return nil
}

func (w *Workflow) acting(c casegraph.Caller, agency string) error {
	if c.Agency != agency {
		return casegraph.Errorf(casegraph.EFORBIDDEN, "本案由 %s 办理，%s 不能对其操作 (the case belongs to another agency)", agency, c.Agency)
	}
	return nil
}

func caseOf(f *neo4jdb.LineageFacts, uid string) (neo4jdb.FactCase, bool) {
	for _, c := range f.Cases {
		if c.UID == uid {
			return c, true
		}
	}
	return neo4jdb.FactCase{}, false
}

func notFound(uid string) error {
	return casegraph.Errorf(casegraph.ENOTFOUND, "案件 %s 不存在 (no such case)", uid)
}

// OpenCase registers a case received by the police (受案登记, CPL 110(3)): it
// starts in RECEIVED, and its 立案 decision (FILE_CASE) follows. The case
// and its procedure state (stage, timeline, deadlines) are written in one
// transaction. A case number the agency has already registered is a
// CONFLICT, unless the case was opened with the same clientMutationId: then
// the retry answers that case.
func (w *Workflow) OpenCase(ctx context.Context, in OpenCaseInput) (string, error) {
	c, err := caller(ctx)
	if err != nil {
		return "", err
	}
	if err := w.acting(c, in.Agency); err != nil {
		return "", err
	}
	if err := checkMutationID(in.ClientMutationID); err != nil {
		return "", err
	}
	if strings.TrimSpace(in.CaseNo) == "" {
		return "", casegraph.Errorf(casegraph.EINVALID, "须填写案件编号 (caseNo is required)")
	}
	at, err := w.when(in.At)
	if err != nil {
		return "", err
	}
	ags, err := w.store.AgenciesByCode(ctx, []string{in.Agency})
	if err != nil {
		return "", err
	}
	a, ok := ags[in.Agency]
	if !ok {
		return "", casegraph.Errorf(casegraph.ENOTFOUND, "未知的办案机关 %s (unknown agency)", in.Agency)
	}
	if a.Kind != casegraph.AgencyPolice {
		return "", casegraph.Errorf(casegraph.EINVALIDTRANSITION, "受案登记由公安机关作出，%s 不是公安机关（%s）", a.Name,
			procedure.MustCitation("CPL 110(3)"))
	}
	uid := ingest.CaseUID(in.Agency, in.CaseNo)
	err = w.store.InLineages(ctx, []string{uid}, func(tx *neo4jdb.LineageTx, lineages [][]string) error {
		old, err := tx.ExistingCase(uid)
		if err != nil {
			return err
		}
		members := []string{uid}
		if old != nil {
			if in.ClientMutationID == "" || old.MutationID != in.ClientMutationID {
				return casegraph.Errorf(casegraph.ECONFLICT, "%s 已登记案件编号为 %s 的案件，不能重复受案登记 (a case with this number exists at the agency)",
					in.Agency, in.CaseNo)
			}
			var d differ
			d.str("title", old.Title, in.Title)
			d.str("summary", old.Summary, in.Summary)
			d.str("district", old.District, in.District)
			d.at("at", old.ReceivedAt, in.At)
			if len(d) > 0 {
				return reused(in.ClientMutationID, "受案登记 "+in.CaseNo, d)
			}
			if old.Stage != "" {
				return nil // the retry of a committed openCase: nothing to write
			}
			// A case without procedure state (left by a version that
			// opened cases in two transactions): derive it now.
			if len(lineages) > 0 {
				members = lineages[0]
			}
		} else if err := tx.CreateCase(neo4jdb.NewCase{UID: uid, Agency: in.Agency, CaseNo: in.CaseNo, Kind: casegraph.CasePolice,
			Title: in.Title, Summary: in.Summary, District: in.District, ReceivedAt: at, By: c.Subject,
			MutationID: in.ClientMutationID}); err != nil {
			return err
		}
		f, err := tx.Facts(members)
		if err != nil {
			return err
		}
		r, err := w.replay(f, nil)
		if err != nil {
			return err
		}
		return w.save(tx, r, w.opts.Now())
	})
	if err != nil {
		return "", fmt.Errorf("openCase(%s): %w", uid, err)
	}
	if w.opts.OnChange != nil {
		w.opts.OnChange(ctx, []string{uid})
	}
	return uid, nil
}

// change runs one mutation of the lineage of a case: load and replay it,
// let write add its record (returning the record's uid and any case it
// added to the lineage), replay again with that record strict, and save.
// A write that returns no record found its record already there (the
// retry of a mutation with a clientMutationId): nothing is saved.
func (w *Workflow) change(ctx context.Context, caseUID string, write func(tx *neo4jdb.LineageTx, f *neo4jdb.LineageFacts, r *replayed) (record string, added []string, err error)) error {
	var touched []string
	err := w.store.InLineages(ctx, []string{caseUID}, func(tx *neo4jdb.LineageTx, lineages [][]string) error {
		if len(lineages) == 0 {
			return notFound(caseUID)
		}
		f, err := tx.Facts(lineages[0])
		if err != nil {
			return err
		}
		r, err := w.replay(f, nil)
		if err != nil {
			return err
		}
		record, added, err := write(tx, f, r)
		if err != nil {
			return err
		}
		if record == "" {
			touched = f.CaseUIDs()
			return nil
		}
		f2, err := tx.Facts(append(lineages[0], added...))
		if err != nil {
			return err
		}
		r2, err := w.replay(f2, map[string]bool{record: true})
		if err != nil {
			return err
		}
		touched = f2.CaseUIDs()
		return w.save(tx, r2, w.opts.Now())
	})
	if err == nil && w.opts.OnChange != nil {
		w.opts.OnChange(ctx, touched)
	}
	return err
}

// TransferCase sends a handover (移送) from a case to another agency. The
// transition it asks for must be legal now; it is applied when the
// receiving agency accepts.
func (w *Workflow) TransferCase(ctx context.Context, in TransferInput) (string, error) {
	c, err := caller(ctx)
	if err != nil {
		return "", err
	}
	id, ok := handoverTransitions[in.Type]
	if !ok {
		return "", casegraph.Errorf(casegraph.EINVALID, "未知的移送类型 %q (unknown handover type)", in.Type)
	}
	if err := checkMutationID(in.ClientMutationID); err != nil {
		return "", err
	}
	at, err := w.when(in.At)
	if err != nil {
		return "", err
	}
	ags, err := w.store.AgenciesByCode(ctx, []string{in.ToAgency})
	if err != nil {
		return "", err
	}
	to, ok := ags[in.ToAgency]
	if !ok {
		return "", casegraph.Errorf(casegraph.ENOTFOUND, "未知的接收机关 %s (unknown agency)", in.ToAgency)
	}
	t := w.engine.Rules.Transition(id)
	if want := handoverAgency[in.Type]; to.Kind != want {
		return "", casegraph.Errorf(casegraph.EINVALIDTRANSITION, "%s应当移送%s，%s 不是%s（%s）", t.Name, agencyName(want), to.Name,
			agencyName(want), t.AuthorityCitation)
	}
	uid := recordUID("h/api/", c.Agency, in.ClientMutationID)
	err = w.change(ctx, in.Case, func(tx *neo4jdb.LineageTx, f *neo4jdb.LineageFacts, r *replayed) (string, []string, error) {
		from, ok := caseOf(f, in.Case)
		if !ok {
			return "", nil, notFound(in.Case)
		}
		if err := w.acting(c, from.Agency); err != nil {
			return "", nil, err
		}
		if in.ClientMutationID != "" {
			old, err := tx.Handover(uid)
			if err != nil {
				return "", nil, err
			}
			if old != nil {
				return "", nil, sameHandover(old, in)
			}
		}
		if err := notBefore(r, at); err != nil {
			return "", nil, err
		}
		for _, h := range f.Handovers {
			if h.FromCase == in.Case && h.Status == "PENDING" && h.Type == in.Type {
				return "", nil, casegraph.Errorf(casegraph.ECONFLICT, "本案已有一件待接收的%s（%s），须待对方接收或者拒绝 (a handover of this type is pending)",
					HandoverName(in.Type), h.UID)
			}
		}
		h := neo4jdb.FactHandover{UID: uid, Type: in.Type, FromCase: in.Case, FromAgency: from.Agency, ToAgency: in.ToAgency,
			SentAt: at, Status: "PENDING", Person: in.Person, Variant: in.Variant, SentBy: c.Subject, Reason: in.Note}
		// The transition must be legal now: replay as if it were accepted
		// on sending, by a case of the receiving agency.
		probe := *f
		probe.Handovers = append(append([]neo4jdb.FactHandover(nil), f.Handovers...), h)
		last := &probe.Handovers[len(probe.Handovers)-1]
		last.Status, last.ToCase = "ACCEPTED", w.receivingCase(f, in.Type, in.ToAgency, "probe/"+uid)
		if last.ToCase == "probe/"+uid {
			probe.Cases = append(append([]neo4jdb.FactCase(nil), f.Cases...), neo4jdb.FactCase{UID: last.ToCase,
				Kind: caseKind(to.Kind), Agency: in.ToAgency, AgencyKind: to.Kind, Placeholder: true})
		}
		if _, err := w.replay(&probe, map[string]bool{uid: true}); err != nil {
			return "", nil, err
		}
		return uid, nil, tx.SendHandover(h)
	})
	if err != nil {
		return "", err
	}
	return uid, nil
}

// sameHandover is nil when a retried transferCase asks for the handover
// already sent, else CONFLICT.
func sameHandover(old *neo4jdb.FactHandover, in TransferInput) error {
	var d differ
	d.str("case", old.FromCase, in.Case)
	d.str("type", string(old.Type), string(in.Type))
	d.str("toAgency", old.ToAgency, in.ToAgency)
	d.str("person", old.Person, in.Person)
	d.str("variant", old.Variant, in.Variant)
	d.str("note", old.Reason, in.Note)
	d.at("at", old.SentAt, in.At)
	if len(d) > 0 {
		return reused(in.ClientMutationID, fmt.Sprintf("%s %s，%s", HandoverName(old.Type), old.FromCase, describeTime(old.SentAt)), d)
	}
	return nil
}

// receivingCase is the case of the lineage at the receiving agency that a
// handover of this type returns to (补充侦查 goes back to the police case,
// 重新移送 to the procuratorate's case), or def.
func (w *Workflow) receivingCase(f *neo4jdb.LineageFacts, typ casegraph.HandoverType, agency, def string) string {
	if typ != casegraph.HandoverSupplementary && typ != casegraph.HandoverResubmission && typ != casegraph.HandoverRemand {
		return def
	}
	found := def
	for _, h := range f.Handovers {
		if h.ToCase == "" || h.Status == "REJECTED" {
			continue
		}
		if h.FromAgency == agency && (typ == casegraph.HandoverSupplementary || typ == casegraph.HandoverRemand) {
			found = h.FromCase
		}
		if h.ToAgency == agency && typ == casegraph.HandoverResubmission && h.Type != casegraph.HandoverArrestRequest {
			found = h.ToCase
		}
	}
	return found
}

func caseKind(k casegraph.AgencyKind) casegraph.CaseKind {
	switch k {
	case casegraph.AgencyProcuratorate:
		return casegraph.CaseProsecution
	case casegraph.AgencyCourt:
		return casegraph.CaseCourt
	}
	return casegraph.CasePolice
}

// ReceiveHandover accepts a handover (its case is created or linked, and
// its clock starts) or rejects it with a reason.
func (w *Workflow) ReceiveHandover(ctx context.Context, in ReceiveInput) (string, error) {
	c, err := caller(ctx)
	if err != nil {
		return "", err
	}
	at, err := w.when(in.At)
	if err != nil {
		return "", err
	}
	h, err := w.store.HandoverByUID(ctx, in.Handover)
	if err != nil {
		return "", err
	}
	if h == nil {
		return "", casegraph.Errorf(casegraph.ENOTFOUND, "移送 %s 不存在 (no such handover)", in.Handover)
	}
	if h.ToAgency != c.Agency {
		return "", casegraph.Errorf(casegraph.EFORBIDDEN, "该移送的接收机关是 %s，不是 %s，不能接收或者拒绝 (the handover is not addressed to your agency)",
			h.ToAgency, c.Agency)
	}
	if !in.Accept && (strings.TrimSpace(in.ReasonCode) == "" || strings.TrimSpace(in.Reason) == "") {
		return "", casegraph.Errorf(casegraph.EINVALID, "拒绝接收须写明理由代码和理由 (a rejection needs a reason code and text)")
	}
	if err := checkMutationID(in.ClientMutationID); err != nil {
		return "", err
	}
	ags, err := w.store.AgenciesByCode(ctx, []string{h.ToAgency})
	if err != nil {
		return "", err
	}
	toAgency := ags[h.ToAgency]
	var receiving string
	err = w.change(ctx, h.FromCase, func(tx *neo4jdb.LineageTx, f *neo4jdb.LineageFacts, r *replayed) (string, []string, error) {
		var cur *neo4jdb.FactHandover
		for i := range f.Handovers {
			if f.Handovers[i].UID == in.Handover {
				cur = &f.Handovers[i]
			}
		}
		if cur == nil {
			return "", nil, casegraph.Errorf(casegraph.ENOTFOUND, "移送 %s 不存在 (no such handover)", in.Handover)
		}
		if cur.Status != "PENDING" && in.ClientMutationID != "" && cur.ReceivedMutationID == in.ClientMutationID {
			to, err := w.sameReceipt(tx, cur, in)
			receiving = to
			return "", nil, err
		}
		if cur.Status != "PENDING" {
			return "", nil, casegraph.Errorf(casegraph.ECONFLICT, "移送 %s 已于此前%s，不能再次处理 (the handover was already %s)",
				in.Handover, receiptName(cur.Status), strings.ToLower(cur.Status))
		}
		if at.Before(cur.SentAt) {
			return "", nil, casegraph.Errorf(casegraph.EINVALID, "接收时间早于移送时间 (received before it was sent)")
		}
		if err := notBefore(r, at); err != nil {
			return "", nil, err
		}
		if !in.Accept {
			return in.Handover, nil, tx.RejectHandover(in.Handover, at, in.ReasonCode, in.Reason, c.Subject, in.ClientMutationID)
		}
		receiving = ""
		if in.CaseNo != "" {
			uid, err := tx.CaseAt(h.ToAgency, in.CaseNo)
			if err != nil {
				return "", nil, err
			}
			receiving = uid
			if uid == "" {
				receiving = ingest.CaseUID(h.ToAgency, in.CaseNo)
				d := at
				if err := tx.CreateCase(neo4jdb.NewCase{UID: receiving, Agency: h.ToAgency, CaseNo: in.CaseNo, Kind: caseKind(toAgency.Kind),
					District: districtOf(f, cur.FromCase), ReceivedAt: at, FiledAt: &d, By: c.Subject}); err != nil {
					return "", nil, err
				}
			}
		} else if uid := w.receivingCase(f, cur.Type, h.ToAgency, ""); uid != "" {
			receiving = uid
		} else {
			return "", nil, casegraph.Errorf(casegraph.EINVALID, "接收后须立新案：请填写本机关的案号 caseNo (give the receiving case's number)")
		}
		if err := tx.AcceptHandover(in.Handover, receiving, at, c.Subject, in.ClientMutationID); err != nil {
			return "", nil, err
		}
		return in.Handover, []string{receiving}, nil
	})
	if err != nil {
		return "", err
	}
	return receiving, nil
}

// receiptName is what the receiving agency did with a handover, in Chinese.
func receiptName(status string) string {
	return map[string]string{"ACCEPTED": "接收", "REJECTED": "拒绝"}[status]
}

// sameReceipt answers a retried receiveHandover whose clientMutationId
// already accepted or rejected the handover: the receiving case when the
// request is the same, else CONFLICT.
func (w *Workflow) sameReceipt(tx *neo4jdb.LineageTx, cur *neo4jdb.FactHandover, in ReceiveInput) (string, error) {
	var d differ
	d.str("accept", cur.Status, map[bool]string{true: "ACCEPTED", false: "REJECTED"}[in.Accept])
	if in.Accept && in.CaseNo != "" {
		uid, err := tx.CaseAt(cur.ToAgency, in.CaseNo)
		if err != nil {
			return "", err
		}
		d.str("caseNo", cur.ToCase, uid)
	}
	if !in.Accept {
		d.str("reasonCode", cur.ReasonCode, in.ReasonCode)
		d.str("reason", cur.Reason, in.Reason)
	}
	d.at("at", cur.ReceivedAt, in.At)
	if len(d) > 0 {
		return "", reused(in.ClientMutationID, fmt.Sprintf("%s %s 的%s", HandoverName(cur.Type), cur.UID,
			receiptName(cur.Status)), d)
	}
	return cur.ToCase, nil
}

func districtOf(f *neo4jdb.LineageFacts, uid string) string {
	c, _ := caseOf(f, uid)
	return c.District
}

// decisionAgency is the kind of agency that makes each decision, and the
// transition whose article a refusal cites.
var decisionAgency = map[string]struct {
	kind casegraph.AgencyKind
	rule string
}{
	"FILE_CASE": {casegraph.AgencyPolice, "A03"}, "NOT_FILE": {casegraph.AgencyPolice, "A04"},
	"WITHDRAW_CASE": {casegraph.AgencyPolice, "A07"}, "APPROVE_ARREST": {casegraph.AgencyProcuratorate, "A09"},
	"DENY_ARREST": {casegraph.AgencyProcuratorate, "A10"}, "PROSECUTE": {casegraph.AgencyProcuratorate, "A17"},
	"NOT_PROSECUTE": {casegraph.AgencyProcuratorate, "A19"}, "CONDITIONAL_NOT_PROSECUTE": {casegraph.AgencyProcuratorate, "A22"},
	"RETURN_FOR_SUPPLEMENT": {casegraph.AgencyProcuratorate, "A14"}, "JUDGMENT": {casegraph.AgencyCourt, "A32"},
	"RULING": {casegraph.AgencyCourt, "A32"}, "EFFECTIVE": {casegraph.AgencyCourt, "A35"}, "OPEN_TRIAL": {casegraph.AgencyCourt, "A27"},
}

// RecordDecision records a decision on a case and applies it.
func (w *Workflow) RecordDecision(ctx context.Context, in DecisionInput) (string, error) {
	c, err := caller(ctx)
	if err != nil {
		return "", err
	}
	if _, ok := ingest.DecisionKinds[in.Kind]; !ok {
		return "", casegraph.Errorf(casegraph.EINVALID, "未知的决定类型 %q (unknown decision kind)", in.Kind)
	}
	if in.Kind == "NOT_PROSECUTE" && notProsecution[in.Subtype] == "" {
		return "", casegraph.Errorf(casegraph.EINVALID, "不起诉须写明种类 subtype：法定、酌定、存疑、附条件或者特殊（%s）", procedure.MustCitation("CPL 177"))
	}
	if err := checkMutationID(in.ClientMutationID); err != nil {
		return "", err
	}
	at, err := w.when(in.At)
	if err != nil {
		return "", err
	}
	uid := recordUID("d/api/", c.Agency, in.ClientMutationID)
	err = w.change(ctx, in.Case, func(tx *neo4jdb.LineageTx, f *neo4jdb.LineageFacts, r *replayed) (string, []string, error) {
		cs, ok := caseOf(f, in.Case)
		if !ok {
			return "", nil, notFound(in.Case)
		}
		if err := w.acting(c, cs.Agency); err != nil {
			return "", nil, err
		}
		if in.ClientMutationID != "" {
			old, err := tx.Decision(uid)
			if err != nil {
				return "", nil, err
			}
			if old != nil {
				var d differ
				d.str("case", old.Case, in.Case)
				d.str("kind", old.Kind, in.Kind)
				d.str("subtype", old.Subtype, in.Subtype)
				d.str("person", old.Person, in.Person)
				d.str("basis", old.Basis, in.Basis)
				d.at("at", old.DecidedAt, in.At)
				if len(d) > 0 {
					return "", nil, reused(in.ClientMutationID, recordName(old.Kind, old.Subtype, old.DecidedAt)+"，"+old.Case, d)
				}
				return "", nil, nil
			}
		}
		if want, ok := decisionAgency[in.Kind]; ok && cs.AgencyKind != want.kind {
			t := w.engine.Rules.Transition(want.rule)
			return "", nil, casegraph.Errorf(casegraph.EINVALIDTRANSITION, "%s只能由%s作出，本案办案机关是%s（%s）",
				DecisionName(in.Kind, ""), agencyName(want.kind), agencyName(cs.AgencyKind), t.AuthorityCitation)
		}
		if err := notBefore(r, at); err != nil {
			return "", nil, err
		}
		if in.Person != "" {
			if err := tx.RequirePerson(in.Person); err != nil {
				return "", nil, err
			}
		}
		if in.Kind == "FILE_CASE" {
			if err := tx.SetFiled(in.Case, at); err != nil {
				return "", nil, err
			}
		}
		return uid, nil, tx.RecordDecision(neo4jdb.FactDecision{UID: uid, Case: in.Case, Person: in.Person, Kind: in.Kind,
			Subtype: in.Subtype, DecidedAt: at, Basis: in.Basis, By: c.Subject})
	})
	if err != nil {
		return "", err
	}
	return uid, nil
}

// RecordMeasure records a custody measure on a person and applies it.
func (w *Workflow) RecordMeasure(ctx context.Context, in MeasureInput) (string, error) {
	c, err := caller(ctx)
	if err != nil {
		return "", err
	}
	kind := in.Kind
	if _, ok := ingest.MeasureKinds[kind]; !ok {
		kind = ""
		for name, code := range ingest.MeasureKinds {
			if code == in.Kind {
				kind = name
			}
		}
		if kind == "" {
			return "", casegraph.Errorf(casegraph.EINVALID, "%q 不是强制措施：须为拘传、取保候审、监视居住、拘留、逮捕或者释放 (unknown measure)", in.Kind)
		}
	}
	if err := checkMutationID(in.ClientMutationID); err != nil {
		return "", err
	}
	at, err := w.when(in.At)
	if err != nil {
		return "", err
	}
	uid := recordUID("m/api/", c.Agency, in.ClientMutationID)
	err = w.change(ctx, in.Case, func(tx *neo4jdb.LineageTx, f *neo4jdb.LineageFacts, r *replayed) (string, []string, error) {
		cs, ok := caseOf(f, in.Case)
		if !ok {
			return "", nil, notFound(in.Case)
		}
		if err := w.acting(c, cs.Agency); err != nil {
			return "", nil, err
		}
		if in.ClientMutationID != "" {
			old, err := tx.Measure(uid)
			if err != nil {
				return "", nil, err
			}
			if old != nil {
				var d differ
				d.str("case", old.Case, in.Case)
				d.str("person", old.Person, in.Person)
				d.str("kind", old.Kind, kind)
				d.at("at", old.From, in.At)
				if len(d) > 0 {
					return "", nil, reused(in.ClientMutationID, fmt.Sprintf("%s，%s，%s", old.Kind, old.Case, describeTime(old.From)), d)
				}
				return "", nil, nil
			}
		}
		if err := notBefore(r, at); err != nil {
			return "", nil, err
		}
		if err := tx.RequirePerson(in.Person); err != nil {
			return "", nil, err
		}
		return uid, nil, tx.RecordMeasure(neo4jdb.FactMeasure{UID: uid, Case: in.Case, Person: in.Person, Kind: kind, From: at, By: c.Subject})
	})
	if err != nil {
		return "", err
	}
	return uid, nil
}

func agencyName(k casegraph.AgencyKind) string {
	switch k {
	case casegraph.AgencyPolice:
		return "公安机关"
	case casegraph.AgencyProcuratorate:
		return "人民检察院"
	case casegraph.AgencyCourt:
		return "人民法院"
	}
	return string(k)
}

var handoverNames = map[casegraph.HandoverType]string{
	casegraph.HandoverArrestRequest: "提请批准逮捕", casegraph.HandoverProsecution: "移送审查起诉",
	casegraph.HandoverSupplementary: "退回补充侦查", casegraph.HandoverResubmission: "补充侦查后重新移送",
	casegraph.HandoverIndictment: "提起公诉", casegraph.HandoverAppeal: "上诉", casegraph.HandoverProtest: "抗诉",
	casegraph.HandoverRemand: "发回重审",
}

// HandoverName is the Chinese name of a handover type.
func HandoverName(t casegraph.HandoverType) string { return handoverNames[t] }

// DecisionName is the Chinese name of a decision kind.
func DecisionName(kind, subtype string) string {
	name := ingest.DecisionKinds[kind]
	if name == "" {
		name = kind
	}
	if subtype != "" && (kind == "NOT_PROSECUTE" || kind == "EXTEND_PERIOD" || kind == "DUTY_DONE") {
		name += "（" + subtype + "）"
	}
	return name
}

// StartsOnAccept lists the clocks a handover of this type starts when it is
// accepted (the inbox shows them).
func (w *Workflow) StartsOnAccept(t casegraph.HandoverType) []*procedure.TimeLimit {
	tr := w.engine.Rules.Transition(handoverTransitions[t])
	if tr == nil {
		return nil
	}
	var out []*procedure.TimeLimit
	for _, s := range tr.Starts {
		if l := w.engine.Rules.Limit(s.Rule); l != nil {
			out = append(out, l)
		}
	}
	return out
}
