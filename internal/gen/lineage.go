package gen

import (
	"strconv"
	"strings"

	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/ingest"
)

// pinfo is a natural person.
type pinfo struct {
	ref, name, id  string // id is "" for a person without identity number
	birth          day
	male           bool
	phone, vehicle string // the phone and vehicle the person last used
}

func (p *pinfo) gender() string {
	if p.male {
		return "M"
	}
	return "F"
}

func (p *pinfo) personRef() ingest.PersonRef {
	return ingest.PersonRef{Ref: p.ref, IDNumber: p.id, Name: p.name}
}

// offender is a suspect kept for repeat offences.
type offender struct {
	p    pinfo
	last day // filed day of the last police case
}

// pooled is a phone or vehicle kept for sharing.
type pooled struct {
	value string
	last  day
}

// susp is a suspect of the lineage.
type susp struct {
	p                  pinfo
	repeat, juvenile   bool
	detained           bool
	release            day  // release from 拘留 when no arrest is requested
	bail               day  // start of police 取保候审, or never
	arrest             byte // 0 not reviewed, 'A' approved, 'D' denied
	custodyEnd         day  // end of 逮捕 custody, or never
	plea               bool
	prosecuted         bool
	npSubtype, npBasis string
	npProbation        int // 附条件不起诉 months
	verdict            string
	term, probation    int
	fine               float64
	appeal             bool
	term2              int    // second-instance term
	verdict3           string // retrial
	term3, probation3  int
	fine3              float64
	phone, vehicle     string
	ownCar             bool // brought the vehicle from an earlier case
}

// Rate indexes (RateNames order).
const (
	rArrestRequest = iota
	rNonArrest
	rTransfer
	rSupplementary
	rSecondSupplementary
	rNonProsecution
	rConviction
	rPlea
	rOverdue
	rRepeat
	rJuvenile
	rNoID
	rShared
	nRates
)

// lineage is one police case and what grew from it.
type lineage struct {
	pol, pro, crt *agency
	d             *district
	ch            *charge
	F             day // 立案
	sus           [4]susp
	n             int
	victims       [2]pinfo
	nv            int
	witness       pinfo
	hasWitness    bool
	sealed        bool
	text          textArgs
	street, road  string
	incDay        day // 警情 reported
	incMin        int
	title         string
	summary       string

	arrReq                   bool
	arrSent, arrRecv, arrDec day
	invEnd                   day
	transfer, rejected       bool
	rejRecv, pSent, p2, R1   day
	rounds                   int
	rStart, rEnd             [3]day
	ret                      [2]bool
	suppRecv, resub          [2]day
	final                    day
	anyPros                  bool
	indSent, C, J, intakeEnd day
	appealed, late, protest  bool
	lateSent                 day
	appSent, A, K            day
	outcome                  byte // 'U' 维持, 'R' 改判, 'M' 发回重审
	remSent, C2, J2          day
	effective                day

	policeNo, arrestNo, prosNo, courtNo, secondNo, retrialNo string
	indictNo                                                 string // 起诉书 number
}

func (g *generator) bern(p float64) bool { return p > 0 && g.r.Float64() < p }

// between returns a uniform int in [lo, hi].
func (g *generator) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.r.IntN(hi-lo+1)
}

func (g *generator) office() int { return 8*60 + 30 + g.r.IntN(9*60) }

func (g *generator) period(rule string, end day, over bool) {
	if end > g.end {
		return
	}
	r := g.m.Overdue[rule]
	r.add(over)
	g.m.Overdue[rule] = r
	g.rate(rOverdue, over)
}

func (g *generator) rate(i int, hit bool) {
	r := g.m.Rates[RateNames[i]]
	r.add(hit)
	g.m.Rates[RateNames[i]] = r
}

var chargeTotal = func() int {
	t := 0
	for _, c := range charges {
		t += c.weight
	}
	return t
}()

func (g *generator) pickCharge() *charge {
	n := g.r.IntN(chargeTotal)
	for i := range charges {
		if n < charges[i].weight {
			return &charges[i]
		}
		n -= charges[i].weight
	}
	return &charges[0]
}

func (g *generator) count(a *agency, period int, kind byte) int {
	k := counterKey{a.idx, period, kind}
	g.counters[k]++
	return g.counters[k]
}

// lineage generates and writes one police case filed on F and its lineage.
func (g *generator) lineage(F day) error {
	l := &g.l
	*l = lineage{F: F}
	di := g.r.IntN(g.o.Districts)
	l.pol, l.pro, l.crt = g.police[di], g.pros[di], g.courts[di]
	l.d = l.pol.dist
	l.ch = g.pickCharge()
	g.planPersons(l)
	g.planText(l)
	g.planArrest(l)
	g.planInvestigation(l)
	if l.transfer {
		g.planReview(l)
		if l.anyPros {
			g.planTrial(l)
		}
	}
	g.planCustody(l)
	if err := g.writePolice(l); err != nil {
		return err
	}
	if l.arrReq && l.arrRecv <= g.end {
		if err := g.writeArrestReview(l); err != nil {
			return err
		}
	}
	if l.transfer && l.R1 <= g.end {
		if err := g.writeProsecution(l); err != nil {
			return err
		}
	}
	if l.anyPros && l.C <= g.end {
		if err := g.writeCourt(l); err != nil {
			return err
		}
	}
	if (l.appealed || l.protest) && l.A <= g.end {
		if err := g.writeSecond(l); err != nil {
			return err
		}
	}
	if l.outcome == 'M' && l.C2 <= g.end {
		if err := g.writeRetrial(l); err != nil {
			return err
		}
	}
	// New suspects with an identity number may offend again.
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if !s.repeat && s.p.id != "" {
			g.offenders.add(offender{p: s.p, last: F})
		}
	}
	return nil
}

// ---- planning ----

func (g *generator) planPersons(l *lineage) {
	l.n = 1
	if g.bern(l.ch.group) {
		u := g.r.Float64()
		switch {
		case u < 0.6:
			l.n = 2
		case u < 0.88:
			l.n = 3
		default:
			l.n = 4
		}
		g.m.CoOffenderCases++
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		s.bail, s.release, s.custodyEnd = never, never, never
		if g.bern(g.o.RepeatOffenderRate) {
			s.repeat = g.pickOffender(l, i)
		}
		g.rate(rRepeat, s.repeat)
		if !s.repeat {
			juvenile := g.bern(g.o.JuvenileRate)
			g.rate(rJuvenile, juvenile)
			s.p = g.newPerson(l, 'S', juvenile)
		}
		s.juvenile = s.p.birth > addYears(l.F, -18)
		l.sealed = l.sealed || s.juvenile // 犯罪记录封存 (CPL 286)
	}
	if g.bern(l.ch.victim) {
		l.nv = 1
		if g.bern(0.15) {
			l.nv = 2
		}
		for i := 0; i < l.nv; i++ {
			l.victims[i] = g.newPerson(l, 'V', false)
		}
	}
	if g.bern(witnessRate) {
		l.hasWitness = true
		l.witness = g.newPerson(l, 'W', false)
	}
	// Phones and vehicles.
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		switch {
		case s.repeat && s.p.phone != "" && g.bern(keepOwnObject) && !l.usesObject(s.p.phone, i):
			s.phone = s.p.phone
			g.m.OwnObjectReuses++
		case g.bern(phoneRate):
			s.phone = g.pickObject(l, i, g.phones, g.newPhone)
			s.p.phone = s.phone
		}
		if (i == 0 && l.ch.vehicle) || g.bern(vehicleRate) {
			if s.repeat && s.p.vehicle != "" && g.bern(keepOwnObject) && !l.usesObject(s.p.vehicle, i) {
				s.vehicle, s.ownCar = s.p.vehicle, true
				g.m.OwnObjectReuses++
			} else {
				s.vehicle = g.pickObject(l, i, g.vehicles, g.newPlate)
				s.p.vehicle = s.vehicle
			}
		}
	}
}

// usesObject reports whether a suspect before i uses the object value.
func (l *lineage) usesObject(v string, i int) bool {
	for j := 0; j < i; j++ {
		if l.sus[j].phone == v || l.sus[j].vehicle == v {
			return true
		}
	}
	return false
}

// pickObject returns a phone or vehicle for suspect i: with SharedObjectRate one
// of an earlier case, else a new one.
func (g *generator) pickObject(l *lineage, i int, pool *ring[pooled], mint func() string) string {
	if g.bern(g.o.SharedObjectRate) && len(pool.items) > 0 {
		for try := 0; try < 4; try++ {
			e := &pool.items[g.r.IntN(len(pool.items))]
			if e.last < l.F && !l.usesObject(e.value, i) {
				e.last = l.F
				g.rate(rShared, true)
				return e.value
			}
		}
	}
	g.rate(rShared, false)
	v := mint()
	pool.add(pooled{value: v, last: l.F})
	return v
}

// pickOffender puts a person of an earlier case in suspect place i.
func (g *generator) pickOffender(l *lineage, i int) bool {
	items := g.offenders.items
	if len(items) == 0 {
		return false
	}
	for try := 0; try < 8; try++ {
		o := &items[g.r.IntN(len(items))]
		if o.last+30 > l.F {
			continue
		}
		dup := false
		for j := 0; j < i; j++ {
			dup = dup || l.sus[j].p.ref == o.p.ref
		}
		if dup {
			continue
		}
		o.last = l.F
		l.sus[i].p = o.p
		return true
	}
	return false
}

// newPerson makes a person: role 'S' suspect, 'V' victim, 'W' witness.
func (g *generator) newPerson(l *lineage, role byte, juvenile bool) pinfo {
	g.personSerial++
	p := pinfo{ref: g.o.Prefix + "P" + strconv.Itoa(g.personSerial)}
	if role == 'S' {
		p.male = g.bern(0.88)
	} else {
		p.male = g.bern(0.5)
	}
	var lo, hi day
	if juvenile {
		lo, hi = addYears(l.F, -18)+1, addYears(l.F, -14)
	} else {
		var age int
		switch role {
		case 'S':
			age = 18 + g.r.IntN(10) + g.r.IntN(15) + g.r.IntN(15)
			if g.bern(0.05) {
				age += 15
			}
		case 'V':
			age = 16 + g.r.IntN(60)
		default:
			age = 20 + g.r.IntN(45)
		}
		lo, hi = addYears(l.F, -(age+1))+1, addYears(l.F, -age)
	}
	p.birth = lo + day(g.r.IntN(int(hi-lo)+1))
	p.name = g.name(p.male)
	noID := g.bern(g.o.NoIDRate)
	if !noID {
		var region string
		switch u := g.r.Float64(); {
		case u < 0.5:
			region = l.d.code
		case u < 0.7:
			region = districts[g.r.IntN(len(districts))].code
		default:
			region = otherRegions[g.r.IntN(len(otherRegions))]
		}
		p.id = g.newID(region, p.birth, p.male)
	}
	g.rate(rNoID, p.id == "")
	return p
}

func (g *generator) name(male bool) string {
	given := femaleGiven
	if male {
		given = maleGiven
	}
	n := string(surnames[g.r.IntN(len(surnames))]) + string(given[g.r.IntN(len(given))])
	if g.bern(0.6) {
		n += string(given[g.r.IntN(len(given))])
	}
	return n
}

// fresh is how many new values are drawn before one the filter of used
// values has not seen is given up on: when the filter fills up (tens of
// millions of values) most "seen" answers are false, and the last draw is
// taken anyway.
const fresh = 16

// newID returns a new valid identity number.
func (g *generator) newID(region string, birth day, male bool) string {
	bd := birth.compact()
	var id string
	for try := 0; try < fresh; try++ {
		seq := 2 * (1 + g.r.IntN(499)) // 顺序码: even for women
		if male {
			seq = 2*g.r.IntN(500) + 1
		}
		first17 := region + bd + string([]byte{byte('0' + seq/100), byte('0' + seq/10%10), byte('0' + seq%10)})
		c, err := ident.CheckDigit(first17)
		if err != nil {
			panic("gen: " + err.Error()) // 17 ASCII digits by construction
		}
		if id = first17 + string(c); !g.seen.add("i" + id) {
			break
		}
	}
	return id
}

func (g *generator) newPhone() string {
	var v string
	for try := 0; try < fresh; try++ {
		b := []byte(mobilePrefixes[g.r.IntN(len(mobilePrefixes))].prefix)
		for i := 0; i < 8; i++ {
			b = append(b, byte('0'+g.r.IntN(10)))
		}
		if v = string(b); !g.seen.add("p" + v) {
			break
		}
	}
	return v
}

func (g *generator) newPlate() string {
	var v string
	for try := 0; try < fresh; try++ {
		prefix := localPlate
		if g.bern(0.2) {
			prefix = otherPlates[g.r.IntN(len(otherPlates))]
		}
		b := []byte(prefix)
		for i := 0; i < 5; i++ {
			if i < 2 && g.bern(0.25) {
				b = append(b, plateLetters[g.r.IntN(len(plateLetters))])
			} else {
				b = append(b, byte('0'+g.r.IntN(10)))
			}
		}
		if v = string(b); !g.seen.add("v" + v) {
			break
		}
	}
	return v
}

func phoneLabel(v string) string {
	for _, m := range mobilePrefixes {
		if strings.HasPrefix(v, m.prefix) {
			return m.carrier
		}
	}
	return ""
}

func vehicleLabel(v string) string {
	h := uint32(2166136261)
	for i := 0; i < len(v); i++ {
		h ^= uint32(v[i])
		h *= 16777619
	}
	return vehicleLabels[h%uint32(len(vehicleLabels))]
}

func (g *generator) planText(l *lineage) {
	d := l.d
	l.street = d.streets[g.r.IntN(len(d.streets))]
	l.road = roads[g.r.IntN(len(roads))]
	names := make([]string, 0, 4)
	for i := 0; i < l.n; i++ {
		names = append(names, l.sus[i].p.name)
	}
	victim := string(surnames[g.r.IntN(len(surnames))]) + "某"
	if l.nv > 0 {
		victim = l.victims[0].name
	}
	plate := "浙B" + strconv.Itoa(10000+g.r.IntN(90000))
	if l.sus[0].vehicle != "" {
		plate = l.sus[0].vehicle
	}
	l.incDay = l.F - day(g.r.IntN(3))
	l.incMin = g.r.IntN(24*60 - 20)
	hour := l.incMin / 60
	if l.incMin%60 < 15 && hour > 0 {
		hour-- // reported some time after it happened
	}
	l.text = textArgs{
		date: l.incDay.chinese(), clock: strconv.Itoa(hour) + "时许", names: strings.Join(names, "、"),
		victim: victim, district: d.name, street: l.street, road: l.road, place: places[g.r.IntN(len(places))],
		item: items[g.r.IntN(len(items))], plate: plate, scheme: schemes[g.r.IntN(len(schemes))],
		game: games[g.r.IntN(len(games))], injury: injuries[g.r.IntN(len(injuries))],
		amount: 1000 * g.between(1, 80), count: g.between(2, 30), bac: g.between(80, 260),
		weight: strconv.FormatFloat(float64(g.between(5, 500))/10, 'f', 1, 64),
	}
	l.title = d.name + l.street + shortName(l.ch.name) + "案"
	l.summary = expand(l.ch.summary, &l.text)
}

func (g *generator) planArrest(l *lineage) {
	l.arrReq = g.bern(g.o.ArrestRequestRate)
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		s.detained = l.arrReq || g.bern(l.ch.detain)
		if !l.arrReq {
			if s.detained {
				s.release = l.F + day(g.between(1, 3))
				s.bail = s.release
			} else {
				s.bail = l.F + day(g.r.IntN(6))
			}
		}
	}
	if !l.arrReq {
		g.rate(rArrestRequest, false)
		return
	}
	// T15: 3 days, extended to 7; 30 for 结伙作案 (groups).
	limit := 7
	if l.n >= 2 {
		limit = 30
	}
	over := g.bern(g.o.OverdueRate)
	var d int
	switch u := g.r.Float64(); {
	case over:
		d = limit + g.between(1, 5)
	case u < 0.7:
		d = g.between(1, 3)
	case u < 0.9 || limit == 7:
		d = g.between(4, 7)
	default:
		d = g.between(8, 30)
	}
	l.arrSent = l.F + day(d)
	g.period("T15", l.arrSent, over)
	g.rate(rArrestRequest, l.arrSent <= g.end)
	l.arrRecv = l.arrSent
	// T16: 7 days.
	over = g.bern(g.o.OverdueRate)
	if over {
		l.arrDec = l.arrRecv + day(g.between(8, 12))
	} else {
		l.arrDec = l.arrRecv + day(g.between(1, 7))
	}
	g.period("T16", l.arrDec, over)
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		deny := g.bern(g.o.NonArrestRate)
		if deny {
			s.arrest, s.bail = 'D', l.arrDec
		} else {
			s.arrest = 'A'
		}
		if l.arrDec <= g.end {
			g.rate(rNonArrest, deny)
		}
	}
}

func (l *lineage) anyArrested() bool {
	for i := 0; i < l.n; i++ {
		if l.sus[i].arrest == 'A' {
			return true
		}
	}
	return false
}

func (g *generator) planInvestigation(l *lineage) {
	over := g.bern(g.o.OverdueRate)
	if l.anyArrested() {
		// T28: 2 months of 侦查羁押 after arrest, +1 month with approval.
		base := l.arrDec
		due := addMonths(base, 3)
		switch {
		case over:
			l.invEnd = due + day(g.between(1, 30))
		case g.bern(0.75):
			l.invEnd = base + day(g.between(15, 60))
		default:
			l.invEnd = base + day(g.between(61, int(due-base)))
		}
		g.period("T28", l.invEnd, over)
	} else {
		// T23: 取保候审 at most 12 months.
		base := never
		for i := 0; i < l.n; i++ {
			base = minDay(base, l.sus[i].bail)
		}
		due := addMonths(base, 12)
		if over {
			l.invEnd = due + day(g.between(1, 60))
		} else {
			d := 10 + g.r.IntN(50) + g.r.IntN(60) + g.r.IntN(60)
			if g.bern(0.1) {
				d += g.r.IntN(150)
			}
			l.invEnd = base + day(d)
		}
		g.period("T23", l.invEnd, over)
	}
	l.transfer = g.bern(g.o.ProsecutionTransferRate)
	if l.invEnd <= g.end {
		g.rate(rTransfer, l.transfer)
	}
	if !l.transfer {
		return
	}
	l.pSent = l.invEnd
	l.rejected = g.bern(rejectRate)
	l.p2 = l.pSent
	if l.rejected {
		l.rejRecv = l.pSent + day(g.between(1, 3))
		l.p2 = l.rejRecv + day(g.between(2, 7))
	}
	l.R1 = l.p2 + day(g.r.IntN(2))
}

func (g *generator) planReview(l *lineage) {
	allPlea := true
	for i := 0; i < l.n; i++ {
		l.sus[i].plea = g.bern(g.o.PleaLeniencyRate)
		allPlea = allPlea && l.sus[i].plea
	}
	start := l.R1
	for k := 0; k < 3; k++ {
		l.rStart[k] = start
		// T35: one month, +15 days for 重大、复杂 cases.
		due := addMonths(start, 1) + 15
		over := g.bern(g.o.OverdueRate)
		var end day
		switch {
		case over:
			end = due + day(g.between(1, 30))
		case allPlea:
			end = start + day(g.between(5, 15))
		default:
			end = start + day(g.between(10, int(due-start)))
		}
		l.rEnd[k] = end
		l.rounds = k + 1
		g.period("T35", end, over)
		ret := false
		switch k {
		case 0:
			ret = g.bern(g.o.SupplementaryRate)
			if end <= g.end {
				g.rate(rSupplementary, ret)
			}
		case 1:
			ret = g.bern(g.o.SecondSupplementaryRate)
			if end <= g.end {
				g.rate(rSecondSupplementary, ret)
			}
		}
		if !ret {
			break
		}
		l.ret[k] = true
		recv := end + day(g.r.IntN(2))
		l.suppRecv[k] = recv
		// T38: one month of 补充侦查.
		due = addMonths(recv, 1)
		over = g.bern(g.o.OverdueRate)
		if over {
			l.resub[k] = due + day(g.between(1, 30))
		} else {
			l.resub[k] = recv + day(g.between(7, int(due-recv)))
		}
		g.period("T38", l.resub[k], over)
		start = l.resub[k] + day(g.r.IntN(2))
	}
	l.final = l.rEnd[l.rounds-1]
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		np := g.bern(g.o.NonProsecutionRate)
		if np {
			// Subtypes: 2023 不构成犯罪或证据不足 (法定, 存疑) 5.4万 of about
			// 45万 不起诉 (rows 2023年全年 and 2023年1-3月 ×4): 12%.
			switch u := g.r.Float64(); {
			case s.juvenile && g.bern(0.6):
				s.npSubtype, s.npBasis, s.npProbation = "附条件", "刑事诉讼法第二百八十二条", g.between(6, 12)
			case l.rounds > 1 && g.bern(0.35):
				s.npSubtype, s.npBasis = "存疑", "刑事诉讼法第一百七十五条第四款"
			case u < 0.88:
				s.npSubtype, s.npBasis = "酌定", "刑事诉讼法第一百七十七条第二款"
			case u < 0.95:
				s.npSubtype, s.npBasis = "存疑", "刑事诉讼法第一百七十五条第四款"
			default:
				s.npSubtype, s.npBasis = "法定", "刑事诉讼法第一百七十七条第一款"
			}
		} else {
			s.prosecuted = true
			l.anyPros = true
		}
		if l.final <= g.end {
			g.rate(rNonProsecution, np)
			if !np {
				g.rate(rPlea, s.plea)
			}
		}
	}
}

// trialDays draws the first-instance period (T49: 2 months, at most 3).
func (g *generator) trialDays(C day, allPlea bool) (day, bool) {
	due := addMonths(C, 3)
	over := g.bern(g.o.OverdueRate)
	switch {
	case over:
		return due + day(g.between(1, 45)), true
	case allPlea:
		return C + day(g.between(7, 15)), false // 速裁/简易
	case g.bern(0.7):
		return C + day(g.between(20, 60)), false
	default:
		return C + day(g.between(61, int(due-C))), false
	}
}

func (g *generator) verdict(ch *charge, plea bool) (string, int, int, float64) {
	if !g.bern(g.o.ConvictionRate) {
		if g.bern(0.8) {
			return "EXEMPT", 0, 0, 0
		}
		return "NOT_GUILTY", 0, 0, 0
	}
	term := minInt(g.between(ch.termLo, ch.termHi), g.between(ch.termLo, ch.termHi))
	if plea && term > 1 {
		term = maxInt(ch.termLo, term*8/10)
	}
	var fine float64
	if ch.fineHi > 0 {
		fine = float64(1000 * g.between(ch.fineLo/1000, ch.fineHi/1000))
		if fine == 0 {
			fine = 1000
		}
	}
	probation := 0
	p := probationRate
	if plea {
		p += 0.15
	}
	if term <= 36 && g.bern(p) {
		probation = minInt(60, maxInt(term, 2)+g.between(0, 12))
	}
	return "GUILTY", term, probation, fine
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func (g *generator) planTrial(l *lineage) {
	l.indSent = l.final + day(g.r.IntN(4))
	l.C = l.indSent + day(g.r.IntN(2))
	allPlea := true
	for i := 0; i < l.n; i++ {
		if s := &l.sus[i]; s.prosecuted {
			allPlea = allPlea && s.plea
		}
	}
	var over bool
	l.J, over = g.trialDays(l.C, allPlea)
	g.period("T49", l.J, over)
	l.intakeEnd = l.C + minDay(3, (l.J-l.C)/2)
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if !s.prosecuted {
			continue
		}
		s.verdict, s.term, s.probation, s.fine = g.verdict(l.ch, s.plea)
		if l.J <= g.end {
			g.rate(rConviction, s.verdict == "GUILTY")
		}
		p := appealOther
		if s.plea {
			p = appealPlea
		}
		s.appeal = s.verdict == "GUILTY" && g.bern(p)
		l.appealed = l.appealed || s.appeal
	}
	l.effective = l.J + 11 // T57: ten days from the day after the judgment is served
	switch {
	case l.appealed && g.bern(lateAppeal):
		l.appealed, l.late = false, true
		l.lateSent = l.J + day(g.between(12, 20))
	case l.appealed:
		l.appSent = l.J + day(g.between(11, 13))
	case g.bern(protestRate):
		l.protest = true
		l.appSent = l.J + day(g.between(3, 9))
	}
	if !l.appealed && !l.protest {
		return
	}
	l.A = l.appSent + day(g.r.IntN(2))
	// T60: two months.
	due := addMonths(l.A, 2)
	over = g.bern(g.o.OverdueRate)
	if over {
		l.K = due + day(g.between(1, 30))
	} else {
		l.K = l.A + day(g.between(20, int(due-l.A)))
	}
	g.period("T60", l.K, over)
	switch u := g.r.Float64(); {
	case u < remandRate:
		l.outcome = 'M'
	case u < remandRate+revisedRate:
		l.outcome = 'R'
	default:
		l.outcome = 'U'
	}
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		s.term2 = s.term
		if l.outcome == 'R' && s.term > 0 && (s.appeal || l.protest) {
			if l.protest {
				s.term2 = s.term * g.between(110, 130) / 100
			} else {
				s.term2 = maxInt(1, s.term*g.between(70, 90)/100)
			}
		}
	}
	l.effective = l.K
	if l.outcome != 'M' {
		return
	}
	l.remSent = l.K + day(g.between(1, 5))
	l.C2 = l.remSent + day(g.r.IntN(2))
	l.J2, over = g.trialDays(l.C2, false)
	g.period("T49", l.J2, over)
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if !s.prosecuted {
			continue
		}
		s.verdict3, s.term3, s.probation3, s.fine3 = g.verdict(l.ch, s.plea)
		if l.J2 <= g.end {
			g.rate(rConviction, s.verdict3 == "GUILTY")
		}
	}
	l.effective = l.J2 + 11
}

// planCustody sets when the custody (逮捕) of arrested suspects ends.
func (g *generator) planCustody(l *lineage) {
	for i := 0; i < l.n; i++ {
		s := &l.sus[i]
		if s.arrest != 'A' {
			continue
		}
		switch {
		case !l.transfer:
			s.custodyEnd = l.invEnd
		case !s.prosecuted:
			s.custodyEnd = l.final
		case s.verdict != "GUILTY" || s.probation > 0:
			s.custodyEnd = l.J
		}
	}
}
