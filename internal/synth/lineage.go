package synth

import (
	"fmt"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
)

// now is the end of the simulated time: later events have not happened, so
// lineages filed late are still pending.
var now = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

func (g *gen) lineage(i int) {
	o := g.opts
	d := districts[g.r.IntN(o.Districts)]
	c := g.pick()
	filed := windowStart.AddDate(0, 0, g.r.IntN(windowDays))
	ga, jc, fy, mid := g.code(d, "GA"), g.code(d, "JC"), g.code(d, "FY"), o.Prefix+"330200FY"
	street := streets[g.r.IntN(len(streets))]
	g.m.PoliceCases++

	// Suspects: single offenders, pairs and groups (co-offenders).
	n := 1
	switch x := g.r.Float64(); {
	case x < 0.10:
		n = 3 + g.r.IntN(2)
	case x < 0.30:
		n = 2
	}
	suspects := make([]person, n)
	juvenile := false
	for k := range suspects {
		if len(g.offenders) > 0 && g.chance(o.RepeatRate) {
			suspects[k] = g.offenders[g.r.IntN(len(g.offenders))]
			g.m.RepeatSuspects++
		} else {
			suspects[k] = g.newPerson(filed, d, g.chance(o.JuvenileRate))
			if suspects[k].juvenile {
				g.m.Juveniles++
			}
			if len(g.offenders) < 5000 {
				g.offenders = append(g.offenders, suspects[k])
			} else {
				g.offenders[g.r.IntN(len(g.offenders))] = suspects[k]
			}
		}
		juvenile = juvenile || suspects[k].juvenile && suspects[k].birth.AddDate(18, 0, 0).After(filed)
	}
	var victim *person
	if c.victim {
		v := g.newPerson(filed, d, false)
		victim = &v
	}

	title := fmt.Sprintf("%s%s%s案", d.name, street, c.name[:len(c.name)-len("罪")])
	summary := fmt.Sprintf("%s，犯罪嫌疑人%s在%s%s附近%s，涉嫌%s。", filed.Format("2006年1月2日"), suspects[0].name, d.name, street, c.what, c.name)
	policeNo := fmt.Sprintf("A%s%s%05d", d.region, filed.Format("200601"), i)
	police := ingest.CaseRef{Agency: ga, CaseNo: policeNo}
	src := func(typ, agency, id string, at time.Time) ingest.Envelope {
		system := map[string]string{ga: "police-cms", jc: "tyyw", fy: "court-trial", mid: "court-trial"}[agency]
		return env(typ, agency, system, id, at)
	}

	// The police case as filed (version 1); a later version follows when the
	// case moves on (newest wins in the graph).
	policeCase := &ingest.Case{Envelope: src(ingest.TypeCase, ga, policeNo, filed), CaseRef: police,
		Title: title, Summary: summary, Stage: "INVESTIGATING", FiledAt: date(filed), District: d.name, Sealed: juvenile}
	g.emit(ingest.TypeCase, policeCase)
	if g.chance(0.8) {
		reported := filed.Add(-time.Duration(g.r.IntN(48)) * time.Hour)
		g.emit(ingest.TypeIncident, &ingest.Incident{Envelope: src(ingest.TypeIncident, ga, "jq-"+policeNo, reported),
			IncidentNo: fmt.Sprintf("J%s%s%05d", d.region, reported.Format("20060102"), i),
			ReportedAt: reported.Add(9 * time.Hour).In(loc).Format(time.RFC3339), Summary: "报警称" + c.what, District: d.name, Case: &police})
	}
	parties := func(agency string, ref ingest.CaseRef, role string, at time.Time) {
		for k, s := range suspects {
			id := fmt.Sprintf("%s-%s-%d", ref.CaseNo, role, k)
			g.emit(ingest.TypePerson, &ingest.Person{Envelope: src(ingest.TypePerson, agency, "per-"+id, at), PersonRef: s.ref2(),
				BirthDate: date(s.birth), Gender: s.gender})
			g.emit(ingest.TypeParty, &ingest.Party{Envelope: src(ingest.TypeParty, agency, "pty-"+id, at), Case: ref, Person: s.ref2(), Role: role})
			g.emit(ingest.TypeCharge, &ingest.Charge{Envelope: src(ingest.TypeCharge, agency, "chg-"+id, at), Case: ref, Person: s.ref2(), Offense: c.name, Article: c.article})
		}
		if victim != nil {
			id := ref.CaseNo + "-V"
			g.emit(ingest.TypePerson, &ingest.Person{Envelope: src(ingest.TypePerson, agency, "per-"+id, at), PersonRef: victim.ref2(),
				BirthDate: date(victim.birth), Gender: victim.gender})
			g.emit(ingest.TypeParty, &ingest.Party{Envelope: src(ingest.TypeParty, agency, "pty-"+id, at), Case: ref, Person: victim.ref2(), Role: "VICTIM"})
		}
	}
	parties(ga, police, "SUSPECT", filed)

	// Phones, vehicles and who knows whom.
	for k, s := range suspects {
		ph := g.phone()
		id := fmt.Sprintf("%s-%d", policeNo, k)
		g.emit(ingest.TypeObject, &ingest.Object{Envelope: src(ingest.TypeObject, ga, "obj-ph-"+id, filed), ObjectRef: ingest.ObjectRef{Kind: "PHONE", Value: ph}})
		g.emit(ingest.TypeLink, &ingest.Link{Envelope: src(ingest.TypeLink, ga, "lnk-ph-"+id, filed), Kind: "USES",
			From: ingest.Endpoint{Person: refp(s.ref2())}, To: ingest.Endpoint{Object: &ingest.ObjectRef{Kind: "PHONE", Value: ph}}})
		if k > 0 {
			g.emit(ingest.TypeLink, &ingest.Link{Envelope: src(ingest.TypeLink, ga, "lnk-kn-"+id, filed), Kind: "KNOWS",
				From: ingest.Endpoint{Person: refp(suspects[0].ref2())}, To: ingest.Endpoint{Person: refp(s.ref2())}})
		}
	}
	if c.vehicle {
		v := g.vehicle()
		g.emit(ingest.TypeObject, &ingest.Object{Envelope: src(ingest.TypeObject, ga, "obj-vh-"+policeNo, filed), ObjectRef: ingest.ObjectRef{Kind: "VEHICLE", Value: v}})
		g.emit(ingest.TypeLink, &ingest.Link{Envelope: src(ingest.TypeLink, ga, "lnk-inv-"+policeNo, filed), Kind: "INVOLVES",
			From: ingest.Endpoint{Case: &police}, To: ingest.Endpoint{Object: &ingest.ObjectRef{Kind: "VEHICLE", Value: v}}})
	}

	// Custody: detention (拘留), then a request for arrest (提请批准逮捕,
	// T15: 3 days, up to 7) reviewed by the procuratorate (T16: 7 days).
	t := filed
	detained := g.chance(0.6)
	for k, s := range suspects {
		if detained {
			g.emit(ingest.TypeMeasure, &ingest.Measure{Envelope: src(ingest.TypeMeasure, ga, fmt.Sprintf("msr-jl-%s-%d", policeNo, k), filed),
				MeasureID: fmt.Sprintf("JL-%s-%d", policeNo, k), Case: police, Person: s.ref2(), Kind: "拘留", From: date(filed), To: date(filed.AddDate(0, 0, 3+g.r.IntN(4)))})
		}
	}
	if g.chance(o.ArrestRequestRate) && before(t.AddDate(0, 0, 10)) {
		g.m.ArrestRequests++
		sent := t.AddDate(0, 0, 3+g.r.IntN(4))
		reviewNo := fmt.Sprintf("甬%s检捕受〔%d〕%d号", d.short, sent.Year(), g.next(jc+"捕"))
		review := ingest.CaseRef{Agency: jc, CaseNo: reviewNo}
		g.emit(ingest.TypeHandover, &ingest.Handover{Envelope: src(ingest.TypeHandover, ga, "ho-pb-"+policeNo, sent),
			HandoverID: "PB-" + policeNo, Kind: "ARREST_REQUEST", From: police, To: &review,
			SentAt: sent.Add(10 * time.Hour).In(loc).Format(time.RFC3339), ReceivedAt: sent.Add(15 * time.Hour).In(loc).Format(time.RFC3339), Status: "ACCEPTED"})
		decided := sent.AddDate(0, 0, 2+g.r.IntN(5))
		approved := !g.chance(o.NonArrestRate)
		kind, measure := "APPROVE_ARREST", "逮捕"
		if !approved {
			kind, measure = "DENY_ARREST", "取保候审"
			g.m.NonArrests++
		}
		g.emit(ingest.TypeCase, &ingest.Case{Envelope: src(ingest.TypeCase, jc, reviewNo, decided), CaseRef: review,
			Title: title + "（审查逮捕）", Stage: "CLOSED", FiledAt: date(sent), ClosedAt: date(decided), District: d.name, Sealed: juvenile})
		g.emit(ingest.TypeDecision, &ingest.Decision{Envelope: src(ingest.TypeDecision, jc, "dec-pb-"+reviewNo, decided),
			DecisionID: "PB-" + reviewNo, Case: review, Person: refp(suspects[0].ref2()), Kind: kind, DecidedAt: date(decided), Basis: "刑事诉讼法第九十条"})
		to := ""
		if measure == "取保候审" {
			to = date(decided.AddDate(1, 0, 0))
		}
		g.emit(ingest.TypeMeasure, &ingest.Measure{Envelope: src(ingest.TypeMeasure, ga, "msr-db-"+policeNo, decided),
			MeasureID: "DB-" + policeNo, Case: police, Person: suspects[0].ref2(), Kind: measure, From: date(decided), To: to})
		t = decided
	}

	overdue := g.chance(o.OverdueRate)
	// Investigation (T28: two months after arrest) ends in a transfer for
	// prosecution (移送审查起诉), or the case is withdrawn or still open.
	sent := t.AddDate(0, 0, 15+g.r.IntN(40))
	if !g.chance(o.ProsecutionRate) || !before(sent) {
		if before(filed.AddDate(0, 6, 0)) && g.chance(0.5) {
			closed := filed.AddDate(0, 3+g.r.IntN(3), 0)
			g.version(policeCase, "CASE_WITHDRAWN", closed, date(closed))
		}
		return
	}
	g.m.Prosecutions++
	prosNo := fmt.Sprintf("甬%s检刑诉受〔%d〕%d号", d.short, sent.Year(), g.next(jc+"诉"))
	pros := ingest.CaseRef{Agency: jc, CaseNo: prosNo}
	g.emit(ingest.TypeHandover, &ingest.Handover{Envelope: src(ingest.TypeHandover, ga, "ho-ys-"+policeNo, sent),
		HandoverID: "YS-" + policeNo, Kind: "PROSECUTION", From: police, To: &pros,
		SentAt: sent.Add(9 * time.Hour).In(loc).Format(time.RFC3339), ReceivedAt: sent.Add(14 * time.Hour).In(loc).Format(time.RFC3339), Status: "ACCEPTED"})
	g.version(policeCase, "PROSECUTION_REVIEW", sent, "")
	prosCase := &ingest.Case{Envelope: src(ingest.TypeCase, jc, prosNo, sent), CaseRef: pros, Title: title,
		Summary: summary + "公安机关侦查终结，移送审查起诉。", Stage: "PROSECUTION_REVIEW", FiledAt: date(sent), District: d.name, Sealed: juvenile}
	g.emit(ingest.TypeCase, prosCase)
	parties(jc, pros, "SUSPECT", sent)

	// 退回补充侦查 (T38: one month each, at most twice); the review period
	// restarts when the case comes back (CPL 175(3)).
	received := sent
	rounds := 0
	if g.chance(o.SupplementaryRate) {
		rounds = 1
		if g.chance(o.SecondSupplementaryRate) {
			rounds = 2
		}
	}
	for k := 1; k <= rounds; k++ {
		back := received.AddDate(0, 0, 10+g.r.IntN(20))
		again := back.AddDate(0, 0, 10+g.r.IntN(20))
		if !before(again) {
			break
		}
		if k == 1 {
			g.m.Supplementary1++
		} else {
			g.m.Supplementary2++
		}
		g.emit(ingest.TypeHandover, &ingest.Handover{Envelope: src(ingest.TypeHandover, jc, fmt.Sprintf("ho-tb%d-%s", k, prosNo), back),
			HandoverID: fmt.Sprintf("TB%d-%s", k, prosNo), Kind: "SUPPLEMENTARY", From: pros, To: &police,
			SentAt: date(back), ReceivedAt: date(back), Status: "ACCEPTED", Reason: "事实不清、证据不足，需要补充侦查"})
		g.emit(ingest.TypeDecision, &ingest.Decision{Envelope: src(ingest.TypeDecision, jc, fmt.Sprintf("dec-tb%d-%s", k, prosNo), back),
			DecisionID: fmt.Sprintf("TB%d-%s", k, prosNo), Case: pros, Kind: "RETURN_FOR_SUPPLEMENT", DecidedAt: date(back), Basis: "刑事诉讼法第一百七十五条第二款"})
		g.emit(ingest.TypeHandover, &ingest.Handover{Envelope: src(ingest.TypeHandover, ga, fmt.Sprintf("ho-cy%d-%s", k, policeNo), again),
			HandoverID: fmt.Sprintf("CY%d-%s", k, policeNo), Kind: "RESUBMISSION", From: police, To: &pros,
			SentAt: date(again), ReceivedAt: date(again), Status: "ACCEPTED"})
		received = again
	}

	// 审查起诉 (T35: one month, +15 days for complex cases).
	days := 10 + g.r.IntN(35)
	if overdue {
		days = 50 + g.r.IntN(40)
	}
	decided := received.AddDate(0, 0, days)
	if !before(decided) {
		if overdue {
			g.m.Overdue++ // still in review, past its limit
		}
		return
	}
	if overdue {
		g.m.Overdue++
	}
	if g.chance(o.NonProsecutionRate) {
		g.m.NonProsecutions++
		sub := []string{"酌定", "酌定", "酌定", "存疑", "法定"}[g.r.IntN(5)]
		stage := "NOT_PROSECUTED"
		if juvenile && g.chance(0.5) {
			sub, stage = "附条件", "CONDITIONAL_PROBATION"
		}
		g.emit(ingest.TypeDecision, &ingest.Decision{Envelope: src(ingest.TypeDecision, jc, "dec-bq-"+prosNo, decided),
			DecisionID: "BQ-" + prosNo, Case: pros, Kind: "NOT_PROSECUTE", Subtype: sub, DecidedAt: date(decided), Basis: "刑事诉讼法第一百七十七条"})
		g.version(prosCase, stage, decided, date(decided))
		return
	}
	plea := g.chance(o.PleaRate)
	sub := ""
	if plea {
		sub = "认罪认罚"
		g.m.PleaCases++
	}
	g.emit(ingest.TypeDecision, &ingest.Decision{Envelope: src(ingest.TypeDecision, jc, "dec-qs-"+prosNo, decided),
		DecisionID: "QS-" + prosNo, Case: pros, Kind: "PROSECUTE", Subtype: sub, DecidedAt: date(decided), Basis: "刑事诉讼法第一百七十六条"})

	// 提起公诉 → 一审 (T49: two months, at most three).
	g.m.CourtCases++
	courtNo := fmt.Sprintf("(%d)%s刑初%d号", decided.Year(), d.court, g.next(fy))
	court := ingest.CaseRef{Agency: fy, CaseNo: courtNo}
	g.emit(ingest.TypeHandover, &ingest.Handover{Envelope: src(ingest.TypeHandover, jc, "ho-gs-"+prosNo, decided),
		HandoverID: "GS-" + prosNo, Kind: "INDICTMENT", From: pros, To: &court, SentAt: date(decided), ReceivedAt: date(decided), Status: "ACCEPTED"})
	g.version(prosCase, "INDICTED", decided, date(decided))
	courtCase := &ingest.Case{Envelope: src(ingest.TypeCase, fy, courtNo, decided), CaseRef: court, Title: title,
		Summary: summary + "人民检察院提起公诉。", Stage: "FIRST_INSTANCE", FiledAt: date(decided), District: d.name, Sealed: juvenile}
	g.emit(ingest.TypeCase, courtCase)
	parties(fy, court, "DEFENDANT", decided)
	judged := decided.AddDate(0, 0, 15+g.r.IntN(40))
	if !before(judged) {
		return
	}
	appeal := g.chance(o.AppealRate)
	g.judgments(fy, court, courtNo, suspects, c, judged, !appeal, plea)
	if !appeal {
		g.version(courtCase, "EFFECTIVE", judged, date(judged))
		return
	}
	// 上诉 (T57: 10 days) → 二审 (T60: two months).
	g.m.Appeals++
	appealed := judged.AddDate(0, 0, 3+g.r.IntN(7))
	midNo := fmt.Sprintf("(%d)浙02刑终%d号", appealed.Year(), g.next(mid))
	second := ingest.CaseRef{Agency: mid, CaseNo: midNo}
	g.emit(ingest.TypeHandover, &ingest.Handover{Envelope: src(ingest.TypeHandover, fy, "ho-ss-"+courtNo, appealed),
		HandoverID: "SS-" + courtNo, Kind: "APPEAL", From: court, To: &second, SentAt: date(appealed), ReceivedAt: date(appealed.AddDate(0, 0, 3)), Status: "ACCEPTED"})
	g.version(courtCase, "SECOND_INSTANCE", appealed, "")
	midCase := &ingest.Case{Envelope: src(ingest.TypeCase, mid, midNo, appealed), CaseRef: second, Title: title + "（上诉）",
		Stage: "SECOND_INSTANCE", FiledAt: date(appealed.AddDate(0, 0, 3)), District: d.name, Sealed: juvenile}
	g.emit(ingest.TypeCase, midCase)
	parties(mid, second, "DEFENDANT", appealed)
	final := appealed.AddDate(0, 0, 25+g.r.IntN(35))
	if !before(final) {
		return
	}
	g.judgments(mid, second, midNo, suspects, c, final, true, plea)
	g.version(midCase, "EFFECTIVE", final, date(final))
}

func before(t time.Time) bool { return t.Before(now) }

func refp(p ingest.PersonRef) *ingest.PersonRef { return &p }

// version emits a newer version of a case record: a new stage at a later
// source time.
func (g *gen) version(c *ingest.Case, stage string, at time.Time, closed string) {
	v := *c
	v.Source.At = at.In(loc)
	v.Stage = stage
	if closed != "" {
		v.ClosedAt = closed
	}
	*c = v
	g.emit(ingest.TypeCase, &v)
}

func (g *gen) judgments(agency string, ref ingest.CaseRef, no string, suspects []person, c charge, at time.Time, final, plea bool) {
	system := "court-trial"
	for k, s := range suspects {
		verdict := "GUILTY"
		if g.chance(0.002) {
			verdict = "NOT_GUILTY"
		}
		term := 1 + g.r.IntN(36)
		if c.name == "危险驾驶罪" {
			term = 1 + g.r.IntN(5)
		}
		if plea && term > 2 {
			term -= term / 5
		}
		j := &ingest.Judgment{Envelope: env(ingest.TypeJudgment, agency, system, fmt.Sprintf("pj-%s-%d", no, k), at),
			JudgmentID: fmt.Sprintf("PJ-%s-%d", no, k), Case: ref, Person: s.ref2(), Verdict: verdict,
			DecidedAt: date(at), Final: final}
		if verdict == "GUILTY" {
			j.TermMonths = term
			j.Fine = float64(1000 * (1 + g.r.IntN(20)))
			if term <= 36 && g.chance(0.3) {
				j.ProbationMonths = term + 12
			}
		}
		g.emit(ingest.TypeJudgment, j)
	}
}
