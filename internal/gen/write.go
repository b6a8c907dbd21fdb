package gen

import (
	"strconv"
	"strings"

	"github.com/casegraph/casegraph/internal/ingest"
)

// ---- document numbers ----

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// policeDoc is a police document number (文号), e.g. 甬海公（刑）诉字〔2024〕12号.
func (g *generator) policeDoc(a *agency, word string, d day, kind byte) string {
	y := d.year()
	return a.abbr + "公（刑）" + word + "字〔" + strconv.Itoa(y) + "〕" + strconv.Itoa(g.count(a, y, kind)) + "号"
}

// prosDoc is a procuratorate number, e.g. 甬海检刑诉受〔2024〕12号.
func (g *generator) prosDoc(a *agency, word string, d day, kind byte) string {
	y := d.year()
	return a.abbr + "检" + word + "〔" + strconv.Itoa(y) + "〕" + strconv.Itoa(g.count(a, y, kind)) + "号"
}

// courtNo is a court case number (案号) with full-width brackets, e.g.
// （2024）浙0203刑初123号.
func (g *generator) courtNo(a *agency, typ string, d day) string {
	y := d.year()
	return "（" + strconv.Itoa(y) + "）" + a.court + typ + strconv.Itoa(g.count(a, y, typ[len(typ)-1])) + "号"
}

// asciiBrackets writes a court case number as other agencies often do,
// with ASCII brackets: (2024)浙0203刑初123号. The loader reads both as one.
func asciiBrackets(no string) string {
	return strings.NewReplacer("（", "(", "）", ")").Replace(no)
}

// numbers assigns the numbers of the cases and documents that will be
// written, in lineage order.
func (g *generator) numbers(l *lineage) {
	y, m, _ := l.F.date()
	ym := y*100 + int(m)
	l.policeNo = "A" + l.pol.dist.code + strconv.Itoa(ym) + pad(g.count(l.pol, ym, 'A'), 4)
	if l.arrReq && l.arrRecv <= g.end {
		l.arrestNo = g.prosDoc(l.pro, "刑捕受", l.arrRecv, 'B')
	}
	if l.transfer && l.R1 <= g.end {
		l.prosNo = g.prosDoc(l.pro, "刑诉受", l.R1, 'S')
	}
	if l.anyPros && l.C <= g.end {
		l.courtNo = g.courtNo(l.crt, "刑初", l.C)
	}
	if (l.appealed || l.protest) && l.A <= g.end {
		l.secondNo = g.courtNo(g.mid, "刑终", l.A)
	}
	if l.outcome == 'M' && l.C2 <= g.end {
		l.retrialNo = g.courtNo(l.crt, "刑初", l.C2)
	}
}

// ---- records ----

// writeCase writes a case record and reports whether it was written valid.
func (g *generator) writeCase(l *lineage, a *agency, no, summary, stage string, filed, closed, changed day, court bool) (bool, error) {
	c := &ingest.Case{
		Envelope: g.env(ingest.TypeCase, a, changed, g.office()),
		CaseRef:  ingest.CaseRef{CaseNo: no},
		Title:    l.title, Summary: summary, Stage: stage, FiledAt: filed.String(),
		District: l.d.name, Sealed: l.sealed,
	}
	if closed <= g.end {
		c.ClosedAt = closed.String()
	}
	g.m.Cases++
	err := g.put(c, bctx{court: court})
	return !g.lastBroken, err
}

func (g *generator) personParty(a *agency, caseNo string, p *pinfo, role string, d day, court bool) error {
	min := g.office()
	if err := g.put(&ingest.Person{
		Envelope:  g.env(ingest.TypePerson, a, d, min),
		PersonRef: p.personRef(), BirthDate: p.birth.String(), Gender: p.gender(),
	}, bctx{}); err != nil {
		return err
	}
	return g.put(&ingest.Party{
		Envelope: g.env(ingest.TypeParty, a, d, min),
		Case:     ingest.CaseRef{CaseNo: caseNo}, Person: p.personRef(), Role: role,
	}, bctx{court: court})
}

func (g *generator) charge(l *lineage, a *agency, caseNo string, p *pinfo, d day, court bool) error {
	return g.put(&ingest.Charge{
		Envelope: g.env(ingest.TypeCharge, a, d, g.office()),
		Case:     ingest.CaseRef{CaseNo: caseNo}, Person: p.personRef(),
		Offense: l.ch.name, Article: l.ch.article,
	}, bctx{court: court})
}

// measure writes a custody measure from..to; a measure that starts after
// End is not written, one that ends after End has no end yet.
func (g *generator) measure(a *agency, caseNo string, p *pinfo, kind string, from, to day, court bool) error {
	if from > g.end {
		return nil
	}
	at := from
	m := &ingest.Measure{Case: ingest.CaseRef{CaseNo: caseNo}, Person: p.personRef(), Kind: kind, From: from.String()}
	if to <= g.end {
		m.To, at = to.String(), to
	}
	m.Envelope = g.env(ingest.TypeMeasure, a, at, g.office())
	m.MeasureID = "M" + strconv.Itoa(g.serial[typeIndex(ingest.TypeMeasure)])
	return g.put(m, bctx{court: court})
}

func (g *generator) decision(a *agency, caseNo string, p *pinfo, kind, subtype, basis string, d day) error {
	if d > g.end {
		return nil
	}
	dec := &ingest.Decision{
		Envelope: g.env(ingest.TypeDecision, a, d, g.office()),
		Case:     ingest.CaseRef{CaseNo: caseNo}, Kind: kind, Subtype: subtype, DecidedAt: d.String(), Basis: basis,
	}
	dec.DecisionID = "D" + strconv.Itoa(g.serial[typeIndex(ingest.TypeDecision)])
	if p != nil {
		ref := p.personRef()
		dec.Person = &ref
	}
	return g.put(dec, bctx{})
}

// handover writes a handover sent on sent and received on recv: ACCEPTED
// into the case toNo of to, or REJECTED with reason when reason is set, or
// PENDING when recv is after End.
func (g *generator) handover(from *agency, kind, id, fromNo string, to *agency, toNo string, sent, recv day, reason string) error {
	if sent > g.end {
		return nil
	}
	sm := 9*60 + g.r.IntN(7*60)
	h := &ingest.Handover{HandoverID: id, Kind: kind, From: ingest.CaseRef{CaseNo: fromNo}, SentAt: sent.stamp(sm)}
	atDay, atMin := sent, sm
	c := bctx{}
	switch {
	case recv > g.end:
		h.Status = "PENDING"
		g.m.PendingHandovers++
	default:
		rm := g.office()
		if recv == sent {
			rm = sm + 30 + g.r.IntN(120)
		}
		h.ReceivedAt = recv.stamp(rm)
		atDay, atMin = recv, rm
		if reason != "" {
			h.Status, h.Reason = "REJECTED", reason
			g.m.RejectedHandovers++
		} else {
			h.Status = "ACCEPTED"
			h.To = &ingest.CaseRef{Agency: to.code, CaseNo: toNo}
			c.court = to.kind == "COURT"
		}
	}
	h.Envelope = g.env(ingest.TypeHandover, from, atDay, atMin)
	g.m.Handovers[kind]++
	return g.put(h, c)
}

func (g *generator) link(a *agency, kind string, from, to ingest.Endpoint, since, d day) error {
	lk := &ingest.Link{Envelope: g.env(ingest.TypeLink, a, d, g.office()), Kind: kind, From: from, To: to}
	if since != never {
		lk.Since = since.String()
	}
	return g.put(lk, bctx{})
}

func personEnd(p *pinfo) ingest.Endpoint {
	ref := p.personRef()
	return ingest.Endpoint{Person: &ref}
}

func objectEnd(kind, value string) ingest.Endpoint {
	return ingest.Endpoint{Object: &ingest.ObjectRef{Kind: kind, Value: value}}
}

func caseEnd(no string) ingest.Endpoint { return ingest.Endpoint{Case: &ingest.CaseRef{CaseNo: no}} }

func (g *generator) object(a *agency, kind, value string, d day) error {
	label := phoneLabel(value)
	if kind == "VEHICLE" {
		label = vehicleLabel(value)
	}
	return g.put(&ingest.Object{
		Envelope:  g.env(ingest.TypeObject, a, d, g.office()),
		ObjectRef: ingest.ObjectRef{Kind: kind, Value: value}, Label: label,
	}, bctx{})
}

// since returns a plausible start of a relation of persons born on births,
// between lo and hi days before d.
func (g *generator) since(d day, lo, hi int, births ...day) day {
	s := d - day(g.between(lo, hi))
	for _, b := range births {
		s = maxDay(s, addYears(b, 10))
	}
	return minDay(s, d)
}

// ---- the police case ----

func (g *generator) policeStage(l *lineage) (stage string, changed, closed day) {
	stage, changed, closed = "INVESTIGATING", l.F, never
	switch {
	case !l.transfer:
		if l.invEnd <= g.end {
			stage, changed, closed = "CASE_WITHDRAWN", l.invEnd, l.invEnd
		}
	case l.R1 <= g.end:
		stage, changed = "PROSECUTION_REVIEW", l.R1
		for k := 0; k < 2; k++ {
			if !l.ret[k] {
				break
			}
			if l.suppRecv[k] <= g.end {
				stage, changed = "SUPPLEMENTARY_INVESTIGATION", l.suppRecv[k]
			}
			if l.rStart[k+1] <= g.end {
				stage, changed = "PROSECUTION_REVIEW", l.rStart[k+1]
			}
		}
	}
	return
}

func (l *lineage) names(defendants bool) string {
	var b strings.Builder
	for i := 0; i < l.n; i++ {
		if defendants && !l.sus[i].prosecuted {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("、")
		}
		b.WriteString(l.sus[i].p.name)
	}
	return b.String()
}

func (g *generator) writePolice(l *lineage) error {
	g.numbers(l)
	a, d := l.pol, l.d
	g.m.PoliceCases++

	// 警情 and the place.
	locID := "L" + strconv.Itoa(g.count(a, 0, 'L'))
	incDay, incMin := l.incDay, l.incMin
	nInc := 1
	if g.bern(0.1) {
		nInc = 2
	}
	report := expand(l.ch.report, &l.text)
	for k := 0; k < nInc; k++ {
		no := "J" + d.code + incDay.compact() + pad(g.count(a, 0, 'J'), 6)
		min := incMin + 5*k
		if err := g.put(&ingest.Incident{
			Envelope:   g.env(ingest.TypeIncident, a, incDay, min+4),
			IncidentNo: no, ReportedAt: incDay.stamp(min), Summary: report, District: d.name,
			Case: &ingest.CaseRef{CaseNo: l.policeNo},
		}, bctx{}); err != nil {
			return err
		}
		if err := g.link(a, "OCCURRED_AT", ingest.Endpoint{Incident: no}, ingest.Endpoint{Location: locID}, never, incDay); err != nil {
			return err
		}
	}
	lat := float64(int((d.lat+(g.r.Float64()-0.5)*0.06)*1e6)) / 1e6
	lon := float64(int((d.lon+(g.r.Float64()-0.5)*0.06)*1e6)) / 1e6
	if err := g.put(&ingest.Location{
		Envelope:   g.env(ingest.TypeLocation, a, l.F, g.office()),
		LocationID: locID, Address: d.name + l.street + l.road + strconv.Itoa(g.between(1, 999)) + "号",
		District: d.name, Lat: &lat, Lon: &lon,
	}, bctx{}); err != nil {
		return err
	}

	// The case.
	stage, changed, closed := g.policeStage(l)
	if _, err := g.writeCase(l, a, l.policeNo, l.summary, stage, l.F, closed, changed, false); err != nil {
		return err
	}
	if err := g.link(a, "OCCURRED_AT", caseEnd(l.policeNo), ingest.Endpoint{Location: locID}, never, l.F); err != nil {
		return err
	}
	if err := g.decision(a, l.policeNo, nil, "FILE_CASE", "", "刑事诉讼法第一百一十二条", l.F); err != nil {
		return err
	}

	// Persons.
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if err := g.personParty(a, l.policeNo, &s.p, "SUSPECT", l.F, false); err != nil {
			return err
		}
		if err := g.charge(l, a, l.policeNo, &s.p, l.F, false); err != nil {
			return err
		}
	}
	for i := 0; i < l.nv; i++ {
		if err := g.personParty(a, l.policeNo, &l.victims[i], "VICTIM", l.F, false); err != nil {
			return err
		}
	}
	if l.hasWitness {
		if err := g.personParty(a, l.policeNo, &l.witness, "WITNESS", l.F, false); err != nil {
			return err
		}
	}

	// Phones, vehicles and acquaintances.
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if s.phone != "" {
			if err := g.object(a, "PHONE", s.phone, l.F); err != nil {
				return err
			}
			if err := g.link(a, "USES", personEnd(&s.p), objectEnd("PHONE", s.phone), g.since(l.F, 30, 1500, s.p.birth), l.F); err != nil {
				return err
			}
			if err := g.link(a, "INVOLVES", caseEnd(l.policeNo), objectEnd("PHONE", s.phone), never, l.F); err != nil {
				return err
			}
		}
		if s.vehicle != "" {
			if err := g.object(a, "VEHICLE", s.vehicle, l.F); err != nil {
				return err
			}
			kind := "USES"
			if s.ownCar || (i == 0 && l.ch.vehicle && g.bern(0.7)) {
				kind = "OWNS"
			}
			if err := g.link(a, kind, personEnd(&s.p), objectEnd("VEHICLE", s.vehicle), g.since(l.F, 60, 2500, s.p.birth), l.F); err != nil {
				return err
			}
			if err := g.link(a, "INVOLVES", caseEnd(l.policeNo), objectEnd("VEHICLE", s.vehicle), never, l.F); err != nil {
				return err
			}
		}
	}
	for i := 0; i < l.n; i++ {
		for j := i + 1; j < l.n; j++ {
			pi, pj := &l.sus[i].p, &l.sus[j].p
			if err := g.link(a, "KNOWS", personEnd(pi), personEnd(pj), g.since(l.F, 20, 3000, pi.birth, pj.birth), l.F); err != nil {
				return err
			}
			if g.bern(familyRate) {
				if err := g.link(a, "FAMILY", personEnd(pi), personEnd(pj), never, l.F); err != nil {
					return err
				}
			}
		}
	}
	if l.nv > 0 && g.bern(0.2) {
		v, s := &l.victims[0], &l.sus[0].p
		if err := g.link(a, "KNOWS", personEnd(s), personEnd(v), g.since(l.F, 30, 2000, s.birth, v.birth), l.F); err != nil {
			return err
		}
	}

	// Custody measures (强制措施).
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if s.detained {
			to := s.release
			if l.arrReq {
				to = l.arrDec
			}
			if err := g.measure(a, l.policeNo, &s.p, "拘留", l.F, to, false); err != nil {
				return err
			}
		}
		switch s.arrest {
		case 'A':
			if err := g.measure(a, l.policeNo, &s.p, "逮捕", l.arrDec, s.custodyEnd, false); err != nil {
				return err
			}
			if !l.transfer {
				if err := g.measure(a, l.policeNo, &s.p, "释放", l.invEnd, never, false); err != nil {
					return err
				}
			}
		case 'D':
			if err := g.measure(a, l.policeNo, &s.p, "释放", l.arrDec, never, false); err != nil {
				return err
			}
		}
		if s.release != never {
			if err := g.measure(a, l.policeNo, &s.p, "释放", s.release, never, false); err != nil {
				return err
			}
		}
		if s.bail != never {
			end := l.invEnd
			if l.transfer {
				end = l.R1
			}
			if err := g.measure(a, l.policeNo, &s.p, "取保候审", s.bail, end, false); err != nil {
				return err
			}
		}
	}

	// Handovers sent by the police.
	if l.arrReq {
		if err := g.handover(a, "ARREST_REQUEST", g.policeDoc(a, "提捕", l.arrSent, 'b'), l.policeNo,
			l.pro, l.arrestNo, l.arrSent, l.arrRecv, ""); err != nil {
			return err
		}
	}
	if l.transfer {
		if l.rejected {
			if err := g.handover(a, "PROSECUTION", g.policeDoc(a, "诉", l.pSent, 's'), l.policeNo, l.pro, "",
				l.pSent, l.rejRecv, "案卷材料、证据不齐备，退回公安机关补送后重新移送"); err != nil {
				return err
			}
		}
		if err := g.handover(a, "PROSECUTION", g.policeDoc(a, "诉", l.p2, 's'), l.policeNo, l.pro, l.prosNo, l.p2, l.R1, ""); err != nil {
			return err
		}
		for k := 0; k < 2 && l.ret[k]; k++ {
			if l.suppRecv[k] > g.end {
				break
			}
			if err := g.handover(a, "RESUBMISSION", g.policeDoc(a, "补诉", l.resub[k], 'r'), l.policeNo, l.pro, l.prosNo,
				l.resub[k], l.rStart[k+1], ""); err != nil {
				return err
			}
		}
	} else if err := g.decision(a, l.policeNo, nil, "WITHDRAW_CASE", "", "刑事诉讼法第一百六十三条", l.invEnd); err != nil {
		return err
	}
	return nil
}

// ---- the procuratorate ----

func (g *generator) writeArrestReview(l *lineage) error {
	a := l.pro
	g.m.ProsecutionCases++
	g.m.ArrestReviewCases++
	stage, changed, closed := "ARREST_REVIEW", l.arrRecv, never
	if l.arrDec <= g.end {
		stage, changed, closed = "CLOSED", l.arrDec, l.arrDec
	}
	summary := l.pol.name + "提请批准逮捕犯罪嫌疑人" + l.names(false) + "。" + l.summary
	if _, err := g.writeCase(l, a, l.arrestNo, summary, stage, l.arrRecv, closed, changed, false); err != nil {
		return err
	}
	for i := 0; i < l.n; i++ {
		if err := g.personParty(a, l.arrestNo, &l.sus[i].p, "SUSPECT", l.arrRecv, false); err != nil {
			return err
		}
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		kind, basis := "APPROVE_ARREST", "刑事诉讼法第八十一条"
		if s.arrest == 'D' {
			kind, basis = "DENY_ARREST", "刑事诉讼法第九十条"
		}
		if err := g.decision(a, l.arrestNo, &s.p, kind, "", basis, l.arrDec); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeProsecution(l *lineage) error {
	a := l.pro
	g.m.ProsecutionCases++
	stage, changed, closed := "PROSECUTION_REVIEW", l.R1, never
	for k := 0; k < 2 && l.ret[k]; k++ {
		if l.rEnd[k] <= g.end {
			stage, changed = "SUPPLEMENTARY_INVESTIGATION", l.rEnd[k]
		}
		if l.rStart[k+1] <= g.end {
			stage, changed = "PROSECUTION_REVIEW", l.rStart[k+1]
		}
	}
	if l.final <= g.end {
		changed = l.final
		switch {
		case l.anyPros:
			stage = "INDICTED"
			if l.indSent <= g.end {
				closed = l.indSent
			}
		default:
			stage, closed = "NOT_PROSECUTED", l.final
			for i := 0; i < l.n; i++ {
				if s := &l.sus[i]; s.npSubtype == "附条件" && addMonths(l.final, s.npProbation) > g.end {
					stage, closed = "CONDITIONAL_PROBATION", never
				}
			}
		}
	}
	summary := l.pol.name + "侦查终结，以犯罪嫌疑人" + l.names(false) + "涉嫌" + l.ch.name + "移送审查起诉。" + l.summary
	if _, err := g.writeCase(l, a, l.prosNo, summary, stage, l.R1, closed, changed, false); err != nil {
		return err
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if err := g.personParty(a, l.prosNo, &s.p, "SUSPECT", l.R1, false); err != nil {
			return err
		}
		if err := g.charge(l, a, l.prosNo, &s.p, l.R1, false); err != nil {
			return err
		}
	}
	for i := 0; i < l.nv; i++ {
		if err := g.personParty(a, l.prosNo, &l.victims[i], "VICTIM", l.R1, false); err != nil {
			return err
		}
	}
	// The procuratorate decides 取保候审 anew for suspects at liberty (SPP 103).
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		switch {
		case s.arrest != 'A':
			end := l.final
			if s.prosecuted {
				end = l.C
			}
			if err := g.measure(a, l.prosNo, &s.p, "取保候审", l.R1, end, false); err != nil {
				return err
			}
		case !s.prosecuted:
			if err := g.measure(a, l.prosNo, &s.p, "释放", l.final, never, false); err != nil {
				return err
			}
		}
	}
	for k := 0; k < 2 && l.ret[k]; k++ {
		if err := g.decision(a, l.prosNo, nil, "RETURN_FOR_SUPPLEMENT", "", "刑事诉讼法第一百七十五条第二款", l.rEnd[k]); err != nil {
			return err
		}
		if err := g.handover(a, "SUPPLEMENTARY", g.prosDoc(a, "退查", l.rEnd[k], 't'), l.prosNo, l.pol, l.policeNo,
			l.rEnd[k], l.suppRecv[k], ""); err != nil {
			return err
		}
		if l.rEnd[k] > g.end {
			break
		}
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		var err error
		switch {
		case s.prosecuted && s.plea:
			err = g.decision(a, l.prosNo, &s.p, "PROSECUTE", "", "刑事诉讼法第一百七十六条第二款（认罪认罚）", l.final)
		case s.prosecuted:
			err = g.decision(a, l.prosNo, &s.p, "PROSECUTE", "", "刑事诉讼法第一百七十六条", l.final)
		default:
			err = g.decision(a, l.prosNo, &s.p, "NOT_PROSECUTE", s.npSubtype, s.npBasis, l.final)
		}
		if err != nil {
			return err
		}
	}
	if l.anyPros && l.final <= g.end {
		l.indictNo = g.prosDoc(a, "刑诉", l.indSent, 'i')
		if err := g.handover(a, "INDICTMENT", l.indictNo, l.prosNo, l.crt, asciiBrackets(l.courtNo), l.indSent, l.C, ""); err != nil {
			return err
		}
	}
	if l.protest && l.J <= g.end {
		if err := g.handover(a, "PROTEST", g.prosDoc(a, "刑抗", l.appSent, 'k'), l.prosNo, g.mid, l.secondNo, l.appSent, l.A, ""); err != nil {
			return err
		}
	}
	return nil
}

// ---- the courts ----

// custodial reports whether a defendant serves a prison term.
func custodial(verdict string, term, probation int) bool {
	return verdict == "GUILTY" && term > 0 && probation == 0
}

func (g *generator) trialStage(C, intakeEnd, J day) (stage string, changed, closed day) {
	stage, changed, closed = "TRIAL_INTAKE", C, never
	if intakeEnd <= g.end {
		stage, changed = "FIRST_INSTANCE", intakeEnd
	}
	if J <= g.end {
		stage, changed, closed = "FIRST_INSTANCE_JUDGED", J, J
	}
	return
}

// effectiveStage moves a judged case on: EFFECTIVE, then EXECUTION ten
// days later when someone serves a prison term (T68).
func (g *generator) effectiveStage(stage string, changed, effective day, prison bool) (string, day) {
	if effective > g.end {
		return stage, changed
	}
	if prison && effective+10 <= g.end {
		return "EXECUTION", effective + 10
	}
	return "EFFECTIVE", effective
}

func (g *generator) judgment(a *agency, caseNo string, p *pinfo, verdict string, term, probation int, fine float64, d day, final bool, c bctx) error {
	if d > g.end {
		return nil
	}
	j := &ingest.Judgment{
		Envelope: g.env(ingest.TypeJudgment, a, d, g.office()),
		Case:     ingest.CaseRef{CaseNo: caseNo}, Person: p.personRef(), Verdict: verdict,
		TermMonths: term, ProbationMonths: probation, Fine: fine, DecidedAt: d.String(), Final: final,
	}
	j.JudgmentID = "PJ" + strconv.Itoa(g.serial[typeIndex(ingest.TypeJudgment)])
	return g.put(j, c)
}

func (g *generator) courtParties(l *lineage, a *agency, no string, d day, witness bool) error {
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if !s.prosecuted {
			continue
		}
		if err := g.personParty(a, no, &s.p, "DEFENDANT", d, true); err != nil {
			return err
		}
		if err := g.charge(l, a, no, &s.p, d, true); err != nil {
			return err
		}
	}
	for i := 0; i < l.nv; i++ {
		if err := g.personParty(a, no, &l.victims[i], "VICTIM", d, true); err != nil {
			return err
		}
	}
	if witness && l.hasWitness {
		return g.personParty(a, no, &l.witness, "WITNESS", d, true)
	}
	return nil
}

func (g *generator) writeCourt(l *lineage) error {
	a := l.crt
	g.m.CourtCases++
	stage, changed, closed := g.trialStage(l.C, l.intakeEnd, l.J)
	second := l.appealed || l.protest
	prison := false
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		term := s.term
		if second {
			term = s.term2
		}
		prison = prison || (s.prosecuted && custodial(s.verdict, term, s.probation))
	}
	switch {
	case second && l.outcome == 'M':
		if l.remSent <= g.end {
			stage, changed = "CLOSED", l.remSent
		}
	case l.J <= g.end:
		stage, changed = g.effectiveStage(stage, changed, l.effective, prison)
	}
	summary := l.pro.name + "以" + l.indictNo + "起诉书指控被告人" + l.names(true) + "犯" + l.ch.name + "，于" +
		l.C.chinese() + "向本院提起公诉。" + strings.ReplaceAll(l.summary, "犯罪嫌疑人", "被告人")
	ok, err := g.writeCase(l, a, l.courtNo, summary, stage, l.C, closed, changed, true)
	if err != nil {
		return err
	}
	if err := g.courtParties(l, a, l.courtNo, l.C, true); err != nil {
		return err
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if !s.prosecuted {
			continue
		}
		switch {
		case s.arrest != 'A':
			if err := g.measure(a, l.courtNo, &s.p, "取保候审", l.C, l.J, true); err != nil {
				return err
			}
		case s.custodyEnd == l.J:
			if err := g.measure(a, l.courtNo, &s.p, "释放", l.J, never, true); err != nil {
				return err
			}
		}
		final := !second && l.effective <= g.end
		if err := g.judgment(a, l.courtNo, &s.p, s.verdict, s.term, s.probation, s.fine, l.J, final,
			bctx{court: true, caseOK: ok, filed: l.C}); err != nil {
			return err
		}
	}
	switch {
	case l.appealed:
		return g.handover(a, "APPEAL", g.courtDoc(a, l.appSent), l.courtNo, g.mid, l.secondNo, l.appSent, l.A, "")
	case l.late:
		return g.handover(a, "APPEAL", g.courtDoc(a, l.lateSent), l.courtNo, g.mid, "", l.lateSent,
			l.lateSent+day(g.between(1, 2)), "上诉超过法定期限（刑事诉讼法第二百三十条），一审判决已发生法律效力")
	}
	return nil
}

// courtDoc numbers a court's transfer of a case file, e.g. 甬海法刑移〔2024〕3号.
func (g *generator) courtDoc(a *agency, d day) string {
	y := d.year()
	return a.abbr + "法刑移〔" + strconv.Itoa(y) + "〕" + strconv.Itoa(g.count(a, y, 'm')) + "号"
}

func (g *generator) writeSecond(l *lineage) error {
	a := g.mid
	g.m.CourtCases++
	g.m.SecondInstanceCases++
	g.m.Appeals++
	stage, changed, closed := "SECOND_INSTANCE", l.A, never
	if l.K <= g.end {
		stage, changed, closed = "EFFECTIVE", l.K, l.K
		if l.outcome == 'M' {
			stage = "CLOSED"
		}
	}
	var summary string
	if l.protest {
		summary = l.pro.name + "认为" + l.crt.name + l.courtNo + "刑事判决量刑不当，提出抗诉。"
	} else {
		var b strings.Builder
		for i := 0; i < l.n; i++ {
			if l.sus[i].appeal {
				if b.Len() > 0 {
					b.WriteString("、")
				}
				b.WriteString(l.sus[i].p.name)
			}
		}
		summary = "上诉人（原审被告人）" + b.String() + "不服" + l.crt.name + l.courtNo + "刑事判决，提出上诉。"
	}
	summary += strings.ReplaceAll(l.summary, "犯罪嫌疑人", "被告人")
	ok, err := g.writeCase(l, a, l.secondNo, summary, stage, l.A, closed, changed, true)
	if err != nil {
		return err
	}
	if err := g.courtParties(l, a, l.secondNo, l.A, false); err != nil {
		return err
	}
	if l.K > g.end {
		return nil
	}
	if l.outcome == 'M' {
		if err := g.decision(a, l.secondNo, nil, "RULING", "", "刑事诉讼法第二百三十六条第一款第三项（发回重审）", l.K); err != nil {
			return err
		}
		return g.handover(a, "REMAND", g.courtDoc(a, l.remSent), l.secondNo, l.crt, l.retrialNo, l.remSent, l.C2, "")
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if !s.prosecuted {
			continue
		}
		if err := g.judgment(a, l.secondNo, &s.p, s.verdict, s.term2, s.probation, s.fine, l.K, true,
			bctx{court: true, caseOK: ok, filed: l.A}); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) writeRetrial(l *lineage) error {
	a := l.crt
	g.m.CourtCases++
	intakeEnd := l.C2 + minDay(3, (l.J2-l.C2)/2)
	stage, changed, closed := g.trialStage(l.C2, intakeEnd, l.J2)
	prison := false
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		prison = prison || (s.prosecuted && custodial(s.verdict3, s.term3, s.probation3))
	}
	if l.J2 <= g.end {
		stage, changed = g.effectiveStage(stage, changed, l.effective, prison)
	}
	summary := g.mid.name + "以" + l.secondNo + "刑事裁定撤销原判，发回重审。" + strings.ReplaceAll(l.summary, "犯罪嫌疑人", "被告人")
	ok, err := g.writeCase(l, a, l.retrialNo, summary, stage, l.C2, closed, changed, true)
	if err != nil {
		return err
	}
	if err := g.courtParties(l, a, l.retrialNo, l.C2, false); err != nil {
		return err
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if !s.prosecuted {
			continue
		}
		if err := g.judgment(a, l.retrialNo, &s.p, s.verdict3, s.term3, s.probation3, s.fine3, l.J2, l.effective <= g.end,
			bctx{court: true, caseOK: ok, filed: l.C2}); err != nil {
			return err
		}
	}
	return nil
}
