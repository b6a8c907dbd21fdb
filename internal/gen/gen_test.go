package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/ingest"
)

func generate(t testing.TB, o Options) ([]byte, Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := Generate(o, ingest.NewEncoder(&buf))
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return buf.Bytes(), m
}

// line is one decoded output line.
type line struct {
	raw     []byte
	rec     *ingest.Record
	reason  string // invalid kind, "" for a valid record
	invalid bool
}

func decode(t testing.TB, out []byte) []line {
	t.Helper()
	var lines []line
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		raw := append([]byte(nil), sc.Bytes()...)
		rec, rej := ingest.DecodeLine(raw)
		if rej != nil {
			t.Fatalf("line %d does not decode: %v", len(lines)+1, rej)
		}
		reason, invalid := InvalidReason(rec.Source.RecordID)
		lines = append(lines, line{raw: raw, rec: rec, reason: reason, invalid: invalid})
	}
	return lines
}

func TestDeterministic(t *testing.T) {
	o := Options{Cases: 300, Seed: 42, InvalidRate: 0.05, Prefix: "t-"}
	a, ma := generate(t, o)
	b, mb := generate(t, o)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same options differ")
	}
	ja, _ := json.Marshal(ma)
	jb, _ := json.Marshal(mb)
	if !bytes.Equal(ja, jb) {
		t.Fatal("two runs with the same options give different manifests")
	}
	o.Seed = 43
	if c, _ := generate(t, o); bytes.Equal(a, c) {
		t.Fatal("another seed gives the same output")
	}

	// Breaking records changes only the broken lines.
	o.Seed, o.InvalidRate = 42, 0
	clean, _ := generate(t, o)
	al, cl := bytes.Split(a, []byte("\n")), bytes.Split(clean, []byte("\n"))
	if len(al) != len(cl) {
		t.Fatalf("%d lines with invalid records, %d without", len(al), len(cl))
	}
	changed := 0
	for i := range al {
		if bytes.Equal(al[i], cl[i]) {
			continue
		}
		changed++
		if !bytes.Contains(al[i], []byte(InvalidMarker)) {
			t.Fatalf("line %d differs but is not marked invalid:\n%s\n%s", i+1, al[i], cl[i])
		}
	}
	if changed != ma.totalInvalid() {
		t.Errorf("%d lines differ, the manifest counts %d invalid records", changed, ma.totalInvalid())
	}
}

func (m Manifest) totalInvalid() int {
	n := 0
	for _, v := range m.Invalid {
		n += v
	}
	return n
}

// refusedFor says how the validator refuses each kind of invalid record.
var refusedFor = map[string]func(r *ingest.Reject) bool{
	ReasonCheckDigit: func(r *ingest.Reject) bool { return strings.Contains(r.Reason, "check digit") },
	ReasonImpossibleDate: func(r *ingest.Reject) bool {
		return strings.Contains(r.Reason, "not a date") || strings.Contains(r.Reason, "neither an RFC 3339 timestamp nor a date")
	},
	ReasonUnknownStage:   func(r *ingest.Reject) bool { return r.Field == "stage" },
	ReasonUnknownRole:    func(r *ingest.Reject) bool { return r.Field == "role" },
	ReasonUnknownAgency:  func(r *ingest.Reject) bool { return strings.Contains(r.Reason, "unknown agency") },
	ReasonBadCourtCaseNo: func(r *ingest.Reject) bool { return strings.HasSuffix(r.Field, "caseNo") },
	ReasonMissingKey: func(r *ingest.Reject) bool {
		return strings.HasPrefix(r.Reason, "missing") || strings.Contains(r.Reason, "give exactly one")
	},
}

// TestRecords runs every line through the loader's validator: valid records
// pass (identity numbers and court case numbers parse, decisions and
// judgments are not dated before their case), invalid ones are refused for
// the reason their record id names.
func TestRecords(t *testing.T) {
	out, m := generate(t, Options{Cases: 1500, Seed: 7, InvalidRate: 0.05, Prefix: "x-"})
	lines := decode(t, out)
	v := ingest.NewValidator(nil, time.Now())
	known := map[string]bool{}
	for _, typ := range ingest.Types {
		known[typ] = true
	}
	kinds := map[string]string{} // agency code → kind
	filed := map[string]time.Time{}
	ids := map[string]bool{}
	personIDs := map[string]string{} // source/ref → identity number, from valid person records
	var refs []struct{ key, id string }
	for i, l := range lines {
		rec := l.rec
		if !known[rec.Type] {
			t.Fatalf("line %d: unknown type %q", i+1, rec.Type)
		}
		src := rec.Source.Agency + "/" + rec.Source.System
		if id := src + "/" + rec.Source.RecordID; ids[id] {
			t.Fatalf("line %d: record id %s is not unique in its source", i+1, id)
		} else {
			ids[id] = true
		}
		if a, ok := rec.Body.(*ingest.Agency); ok {
			kinds[a.Code] = a.Kind
		}
		row, rej := v.Check(rec)
		if l.invalid {
			if l.reason == ReasonDecidedBeforeFiled {
				if rej != nil {
					t.Fatalf("line %d (%s) refused for another reason: %v", i+1, l.reason, rej)
				}
				f, ok := filed[row.CaseUID]
				if !ok || !row.Decided.Before(f) {
					t.Fatalf("line %d (%s): decided %v, case %s filed %v (known %v)", i+1, l.reason, row.Decided, row.CaseUID, f, ok)
				}
				continue
			}
			if rej == nil {
				t.Fatalf("line %d (%s) is accepted:\n%s", i+1, l.reason, l.raw)
			}
			if ok := refusedFor[l.reason]; ok == nil || !ok(rej) {
				t.Fatalf("line %d (%s) refused as %v", i+1, l.reason, rej)
			}
			continue
		}
		if rej != nil {
			t.Fatalf("line %d is refused: %v\n%s", i+1, rej, l.raw)
		}
		if c, ok := rec.Body.(*ingest.Case); ok && c.FiledAt != "" {
			f, _ := time.Parse(time.DateOnly, c.FiledAt)
			filed[row.Params["key"].(string)] = f
		}
		if row.CaseUID != "" {
			if f, ok := filed[row.CaseUID]; ok && row.Decided.Before(f) {
				t.Fatalf("line %d: decided %v before its case was filed %v", i+1, row.Decided, f)
			}
		}
		// Identity numbers and court case numbers, checked directly.
		eachPersonRef(rec.Body, func(p ingest.PersonRef) {
			if p.IDNumber != "" {
				if _, err := ident.ParseIDNumber(p.IDNumber); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
			}
			key := src + "/" + p.Ref
			if _, ok := rec.Body.(*ingest.Person); ok {
				personIDs[key] = p.IDNumber
			} else {
				refs = append(refs, struct{ key, id string }{key, p.IDNumber})
			}
		})
		eachCaseRef(rec.Body, rec.Source.Agency, func(agency, no string) {
			if kinds[agency] == "COURT" {
				if _, err := ident.ParseCourtCaseNo(no); err != nil {
					t.Fatalf("line %d: court case number: %v", i+1, err)
				}
			}
		})
	}
	// A person reference carries the ref and the identity number of the
	// person record of its source.
	for _, r := range refs {
		if id, ok := personIDs[r.key]; ok && id != r.id {
			t.Fatalf("reference %s carries identity number %q, its person record %q", r.key, r.id, id)
		}
	}
	if len(lines) != m.Records {
		t.Errorf("%d lines, manifest says %d records", len(lines), m.Records)
	}
}

func eachPersonRef(body any, f func(ingest.PersonRef)) {
	switch b := body.(type) {
	case *ingest.Person:
		f(b.PersonRef)
	case *ingest.Party:
		f(b.Person)
	case *ingest.Charge:
		f(b.Person)
	case *ingest.Measure:
		f(b.Person)
	case *ingest.Judgment:
		f(b.Person)
	case *ingest.Decision:
		if b.Person != nil {
			f(*b.Person)
		}
	case *ingest.Link:
		for _, e := range []ingest.Endpoint{b.From, b.To} {
			if e.Person != nil {
				f(*e.Person)
			}
		}
	}
}

func eachCaseRef(body any, src string, f func(agency, no string)) {
	ref := func(r ingest.CaseRef) {
		if r.Agency == "" {
			r.Agency = src
		}
		f(r.Agency, r.CaseNo)
	}
	switch b := body.(type) {
	case *ingest.Case:
		ref(b.CaseRef)
	case *ingest.Party:
		ref(b.Case)
	case *ingest.Charge:
		ref(b.Case)
	case *ingest.Measure:
		ref(b.Case)
	case *ingest.Judgment:
		ref(b.Case)
	case *ingest.Decision:
		ref(b.Case)
	case *ingest.Incident:
		if b.Case != nil {
			ref(*b.Case)
		}
	case *ingest.Handover:
		ref(b.From)
		if b.To != nil {
			ref(*b.To)
		}
	case *ingest.Link:
		for _, e := range []ingest.Endpoint{b.From, b.To} {
			if e.Case != nil {
				ref(*e.Case)
			}
		}
	}
}

// TestInvalidShare checks that the invalid share is InvalidRate, spread over
// every kind and every type but agency, and that the manifest's counts are
// those of the output.
func TestInvalidShare(t *testing.T) {
	const rate = 0.1
	out, m := generate(t, Options{Cases: 1500, Seed: 11, InvalidRate: rate})
	lines := decode(t, out)
	byType, invalid, byReason := map[string]int{}, map[string]int{}, map[string]int{}
	for _, l := range lines {
		byType[l.rec.Type]++
		if l.invalid {
			invalid[l.rec.Type]++
			byReason[l.reason]++
		}
	}
	equalCounts(t, "ByType", m.ByType, byType)
	equalCounts(t, "Invalid", m.Invalid, invalid)
	equalCounts(t, "InvalidByReason", m.InvalidByReason, byReason)
	n := len(lines) - m.Agencies
	share := float64(m.totalInvalid()) / float64(n)
	if sd := math.Sqrt(rate * (1 - rate) / float64(n)); math.Abs(share-rate) > 4*sd {
		t.Errorf("invalid share %.4f, want %.2f ± %.4f", share, rate, 4*sd)
	}
	for _, r := range Reasons {
		if byReason[r] == 0 {
			t.Errorf("no invalid record of kind %s", r)
		}
	}
	for _, typ := range ingest.Types {
		if typ != ingest.TypeAgency && invalid[typ] == 0 {
			t.Errorf("no invalid %s record", typ)
		}
	}
	if invalid[ingest.TypeAgency] != 0 {
		t.Error("an agency record is invalid")
	}
}

func equalCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s[%s] = %d, the output has %d", what, k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != 0 {
			t.Errorf("%s[%s] = %d, the output has none", what, k, v)
		}
	}
}

// TestRates generates 5,000 police cases with the default rates and checks
// every realised rate against the requested one, then recounts the
// manifest's counts from the output.
func TestRates(t *testing.T) {
	out, m := generate(t, Options{Cases: 5000, Seed: 2024})
	for _, name := range RateNames {
		r, want := m.Rates[name], m.Options.Rate(name)
		if r.Den < 50 {
			t.Errorf("%s: only %d cases counted", name, r.Den)
			continue
		}
		// Four standard errors, plus a little for the lineages cut at End.
		tol := 4*math.Sqrt(want*(1-want)/float64(r.Den)) + 0.01
		t.Logf("%-24s %6d/%-6d = %.4f (want %.4f)", name, r.Num, r.Den, r.Value(), want)
		if got := r.Value(); math.Abs(got-want) > tol {
			t.Errorf("%s = %d/%d = %.4f, want %.4f ± %.4f", name, r.Num, r.Den, got, want, tol)
		}
	}
	c := recount(t, decode(t, out))
	for name, want := range c.rates {
		if got := m.Rates[name]; got != want {
			t.Errorf("manifest %s = %+v, the output has %+v", name, got, want)
		}
	}
	if got, want := m.Overdue["T49"], c.t49; got != want {
		t.Errorf("manifest Overdue[T49] = %+v, the output has %+v", got, want)
	}
	if got := m.Rates["SharedObjectRate"].Num + m.OwnObjectReuses; got != c.sharedUses {
		t.Errorf("shared and own reused objects %d, the output has %d objects involved in an earlier case", got, c.sharedUses)
	}
	for name, n := range map[string][2]int{
		"Records": {m.Records, c.records}, "Cases": {m.Cases, c.cases}, "PoliceCases": {m.PoliceCases, c.police},
		"ProsecutionCases": {m.ProsecutionCases, c.pros}, "ArrestReviewCases": {m.ArrestReviewCases, c.arrestReviews},
		"CourtCases": {m.CourtCases, c.court}, "SecondInstanceCases": {m.SecondInstanceCases, c.second},
		"Persons": {m.Persons, c.persons}, "PendingHandovers": {m.PendingHandovers, c.pending},
		"RejectedHandovers": {m.RejectedHandovers, c.rejected}, "CoOffenderCases": {m.CoOffenderCases, c.coOffender},
	} {
		if n[0] != n[1] {
			t.Errorf("manifest %s = %d, the output has %d", name, n[0], n[1])
		}
	}
	equalCounts(t, "Handovers", m.Handovers, c.handovers)
	if c.pending == 0 || c.rejected == 0 {
		t.Errorf("%d pending and %d rejected handovers; want some of each", c.pending, c.rejected)
	}
	for _, rule := range []string{"T15", "T16", "T23", "T28", "T35", "T38", "T49", "T60"} {
		if r := m.Overdue[rule]; r.Num == 0 || r.Num == r.Den {
			t.Errorf("Overdue[%s] = %+v: want periods both within and beyond the limit", rule, r)
		}
	}
}

type counts struct {
	records, cases, police, pros, arrestReviews, court, second, persons int
	pending, rejected, coOffender, sharedUses                           int
	handovers                                                           map[string]int
	rates                                                               map[string]Ratio
	t49                                                                 Ratio
}

// recount counts from the output what the manifest claims.
func recount(t *testing.T, lines []line) counts {
	c := counts{handovers: map[string]int{}, rates: map[string]Ratio{}}
	kinds := map[string]string{}
	persons := map[string]bool{}
	noID := map[string]bool{}
	births := map[string]string{}      // source/ref → birth date
	policeFiled := map[string]string{} // police case uid → filed date
	suspects := map[string]int{}       // police case uid → suspects
	seenID := map[string]string{}      // identity number → police case where first a suspect
	involved := map[string]string{}    // object → first police case
	returned := map[string]int{}       // prosecution case uid → SUPPLEMENTARY handovers
	decided := map[string]bool{}       // prosecution case uid → PROSECUTE/NOT_PROSECUTE
	transferred, withdrawn := map[string]bool{}, map[string]bool{}
	courtFiled := map[string]time.Time{}
	courtDecided := map[string]time.Time{}
	var arrestReq, deny, approve, np, pros, plea, guilty, judged int
	var repeat, slots, juvenile, newSuspects int
	uid := func(agency, no string) string {
		if kinds[agency] == "COURT" {
			cn, err := ident.ParseCourtCaseNo(no)
			if err != nil {
				t.Fatalf("%s: %v", no, err)
			}
			no = cn.Canonical()
		}
		return ingest.CaseUID(agency, no)
	}
	for _, l := range lines {
		c.records++
		src := l.rec.Source
		switch b := l.rec.Body.(type) {
		case *ingest.Agency:
			kinds[b.Code] = b.Kind
		case *ingest.Case:
			c.cases++
			switch kinds[src.Agency] {
			case "POLICE":
				c.police++
				policeFiled[uid(src.Agency, b.CaseNo)] = b.FiledAt
			case "PROCURATORATE":
				c.pros++
				if strings.Contains(b.CaseNo, "刑捕受") {
					c.arrestReviews++
				}
			case "COURT":
				c.court++
				if strings.Contains(b.CaseNo, "刑终") {
					c.second++
				}
				if strings.Contains(b.CaseNo, "刑初") {
					f, _ := time.Parse(time.DateOnly, b.FiledAt)
					courtFiled[uid(src.Agency, b.CaseNo)] = f
				}
			}
		case *ingest.Person:
			if !persons[b.Ref] {
				persons[b.Ref] = true
				noID[b.Ref] = b.IDNumber == ""
			}
			births[src.Agency+"/"+b.Ref] = b.BirthDate
		case *ingest.Party:
			cu := uid(src.Agency, b.Case.CaseNo)
			if kinds[src.Agency] != "POLICE" || b.Role != "SUSPECT" {
				break
			}
			slots++
			if suspects[cu]++; suspects[cu] == 2 {
				c.coOffender++
			}
			first, seen := seenID[b.Person.IDNumber]
			if b.Person.IDNumber != "" && seen && first != cu {
				repeat++
				break
			}
			if b.Person.IDNumber != "" {
				seenID[b.Person.IDNumber] = cu
			}
			newSuspects++
			birth, _ := time.Parse(time.DateOnly, births[src.Agency+"/"+b.Person.Ref])
			f, _ := time.Parse(time.DateOnly, policeFiled[cu])
			if birth.After(dayOf(f).addMonthsTime(-18 * 12)) {
				juvenile++
			}
		case *ingest.Handover:
			c.handovers[b.Kind]++
			switch b.Status {
			case "PENDING":
				c.pending++
			case "REJECTED":
				c.rejected++
			}
			from := uid(src.Agency, b.From.CaseNo)
			switch b.Kind {
			case "ARREST_REQUEST":
				arrestReq++
			case "PROSECUTION":
				transferred[from] = true
			case "SUPPLEMENTARY":
				returned[from]++
			}
		case *ingest.Decision:
			cu := uid(src.Agency, b.Case.CaseNo)
			switch b.Kind {
			case "APPROVE_ARREST":
				approve++
			case "DENY_ARREST":
				deny++
			case "WITHDRAW_CASE":
				withdrawn[cu] = true
			case "NOT_PROSECUTE":
				np++
				decided[cu] = true
			case "PROSECUTE":
				pros++
				decided[cu] = true
				if strings.Contains(b.Basis, "认罪认罚") {
					plea++
				}
			}
		case *ingest.Judgment:
			cu := uid(src.Agency, b.Case.CaseNo)
			if _, ok := courtFiled[cu]; ok {
				judged++
				if b.Verdict == "GUILTY" {
					guilty++
				}
				courtDecided[cu], _ = time.Parse(time.DateOnly, b.DecidedAt)
			}
		case *ingest.Link:
			if b.Kind != "INVOLVES" {
				break
			}
			cu, obj := uid(src.Agency, b.From.Case.CaseNo), b.To.Object.Kind+"/"+b.To.Object.Value
			if first, ok := involved[obj]; ok && first != cu {
				c.sharedUses++
			} else if !ok {
				involved[obj] = cu
			}
		}
	}
	c.persons = len(persons)
	nNoID := 0
	for _, v := range noID {
		if v {
			nNoID++
		}
	}
	var supp1, supp2, ended1, ended2 int
	for cu, n := range returned {
		supp1++
		ended1++
		if n >= 2 {
			supp2++
			ended2++
		} else if decided[cu] {
			ended2++
		}
	}
	for cu := range decided {
		if returned[cu] == 0 {
			ended1++
		}
	}
	for cu, f := range courtFiled {
		if d, ok := courtDecided[cu]; ok {
			c.t49.add(d.After(dayOf(f).addMonthsTime(3)))
		}
	}
	c.rates["ArrestRequestRate"] = Ratio{arrestReq, c.police}
	c.rates["NonArrestRate"] = Ratio{deny, deny + approve}
	c.rates["ProsecutionTransferRate"] = Ratio{len(transferred), len(transferred) + len(withdrawn)}
	c.rates["SupplementaryRate"] = Ratio{supp1, ended1}
	c.rates["SecondSupplementaryRate"] = Ratio{supp2, ended2}
	c.rates["NonProsecutionRate"] = Ratio{np, np + pros}
	c.rates["PleaLeniencyRate"] = Ratio{plea, pros}
	c.rates["ConvictionRate"] = Ratio{guilty, judged}
	c.rates["NoIDRate"] = Ratio{nNoID, len(persons)}
	c.rates["RepeatOffenderRate"] = Ratio{repeat, slots}
	c.rates["JuvenileRate"] = Ratio{juvenile, newSuspects}
	return c
}

func (d day) addMonthsTime(n int) time.Time {
	return time.Unix(int64(addMonths(d, n))*86400, 0).UTC()
}

// TestMemoryBounded generates 50,000 police cases and samples the heap on
// the way: it stays bounded, far below what keeping the cases would take.
// The records are not encoded (the encoder keeps nothing between records),
// which keeps the test fast under the race detector.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 50,000 cases")
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	n := 0
	m, err := GenerateFunc(Options{Cases: 50000, Seed: 5, InvalidRate: 0.01}, func(body any) error {
		if n++; n%(1<<16) == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapInuse)
	const bound = 64 << 20
	t.Logf("%d records; heap in use %d MiB before, %d MiB at most while generating", m.Records, base>>20, peak>>20)
	if peak > base+bound {
		t.Errorf("heap grew by %d MiB generating %d records; want under %d MiB", (peak-base)>>20, m.Records, bound>>20)
	}
	if m.Records < 1000000 {
		t.Errorf("only %d records for 50,000 cases", m.Records)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{
		{Cases: -1}, {Districts: 11}, {Prefix: "a/b"}, {Prefix: "a~"}, {NonArrestRate: 1.5},
		{End: time.Now().AddDate(1, 0, 0)},
	} {
		if _, err := GenerateFunc(o, func(any) error { return nil }); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	// A negative rate means none.
	_, m := generate(t, Options{Cases: 200, Seed: 1, ArrestRequestRate: -1, OverdueRate: -1})
	if r := m.Rates["ArrestRequestRate"]; r.Num != 0 || r.Den != 200 {
		t.Errorf("ArrestRequestRate -1 gives %+v", r)
	}
	if r := m.Rates["OverdueRate"]; r.Num != 0 {
		t.Errorf("OverdueRate -1 gives %+v", r)
	}
	// Court case numbers spoilt by bad-court-case-no do not parse.
	g := newGenerator(Defaults(), nil)
	for i := 0; i < 50; i++ {
		for _, no := range []string{"（2024）浙0203刑初123号", "(2024)浙02刑终7号"} {
			if bad := g.badCourtNo(no); bad == no {
				t.Errorf("%s not spoilt", no)
			} else if _, err := ident.ParseCourtCaseNo(bad); err == nil {
				t.Errorf("%s parses", bad)
			}
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	records := 0
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		m, err := Generate(Options{Cases: 1000, Seed: uint64(i)}, ingest.NewEncoder(io.Discard))
		if err != nil {
			b.Fatal(err)
		}
		records += m.Records
	}
	b.ReportMetric(float64(records)/time.Since(start).Seconds(), "records/s")
}
