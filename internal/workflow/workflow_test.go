package workflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
	"github.com/casegraph/casegraph/internal/workflow"
)

var china = time.FixedZone("CST", 8*3600)

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, china) }

// now is the fixed clock of the tests: every event below is in its past.
var now = at(2024, 12, 1, 12, 0)

const idS1 = "330203199001011236"

type env struct {
	t  *testing.T
	db *neo4jdb.DB
	w  *workflow.Workflow
	p  string // prefix of agency codes
}

func (e *env) ga() string { return e.p + "GA" }
func (e *env) jc() string { return e.p + "JC" }
func (e *env) fy() string { return e.p + "FY" }

type rec map[string]any

// ingestRecords loads records through ingest, with the workflow's Sync as
// the commit hook, as the server and the CLI do.
func (e *env) ingestRecords(recs ...rec) ingest.Report {
	e.t.Helper()
	var buf bytes.Buffer
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			e.t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	var syncErr error
	rep, err := ingest.Run(casegraph.WithScope(context.Background(), casegraph.SystemScope), e.db, ingest.NewNDJSONDecoder(&buf, "test.ndjson"), ingest.Options{
		Now: now,
		OnCommit: func(ctx context.Context, uids []string) {
			if err := e.w.Sync(ctx, uids); err != nil {
				syncErr = err
			}
		}})
	if err != nil || syncErr != nil {
		e.t.Fatalf("ingest: %v %v", err, syncErr)
	}
	if rep.Refused != 0 {
		e.t.Fatalf("ingest refused records: %+v", rep.Rejects)
	}
	return rep
}

func src(agency, id string) rec {
	return rec{"agency": agency, "system": "test", "recordId": id, "at": "2024-01-01T00:00:00+08:00"}
}

// setup loads three agencies and the suspect through ingest.
func setup(t *testing.T, prefix string) *env {
	db := neo4jtest.Open(t)
	e := &env{t: t, db: db, p: prefix,
		w: workflow.New(db, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
			workflow.Options{Now: func() time.Time { return now }})}
	e.ingestRecords(
		rec{"type": "agency", "source": src(e.ga(), "ag1"), "code": e.ga(), "name": "测试公安分局", "kind": "POLICE"},
		rec{"type": "agency", "source": src(e.jc(), "ag2"), "code": e.jc(), "name": "测试区人民检察院", "kind": "PROCURATORATE"},
		rec{"type": "agency", "source": src(e.fy(), "ag3"), "code": e.fy(), "name": "测试区人民法院", "kind": "COURT"},
		rec{"type": "person", "source": src(e.ga(), "p1"), "ref": "S1", "idNumber": idS1, "name": "张三"},
	)
	return e
}

func as(agency string) context.Context {
	return casegraph.WithCaller(casegraph.WithScope(context.Background(), casegraph.SystemScope), casegraph.Caller{Subject: "tester", Agency: agency})
}

// must returns v, or stops the test binary with err: the test helpers
// below call it only on the test goroutine.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// refused checks that err is a *casegraph.Error with the code whose message
// holds every want, and that the graph did not change.
func refused(t *testing.T, e *env, before []string, err error, code string, want ...string) {
	t.Helper()
	var ce *casegraph.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a %s error", err, code)
	}
	if ce.Code != code {
		t.Errorf("code %s, want %s (%s)", ce.Code, code, ce.Message)
	}
	for _, w := range want {
		if !strings.Contains(ce.Message, w) {
			t.Errorf("message %q lacks %q", ce.Message, w)
		}
	}
	after := must(e.db.Snapshot(casegraph.WithScope(context.Background(), casegraph.SystemScope)))
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("a refused mutation changed the graph")
	}
}

func stageOf(t *testing.T, e *env, uid string) casegraph.Stage {
	t.Helper()
	cs := must(e.db.CasesByUID(casegraph.WithScope(context.Background(), casegraph.SystemScope), []string{uid}))
	return cs[uid].Stage
}

// TestWalkthrough walks one case through the three agencies with the
// mutations, as docs/procedure.md does in GraphiQL, and checks the stages,
// the clocks, the timeline and every refusal on the way.
func TestWalkthrough(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	e := setup(t, "W")
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	person := ingest.PersonUID(idS1, ingest.Source{}, "")
	ga, jc, fy := as(e.ga()), as(e.jc()), as(e.fy())

	police := must(e.w.OpenCase(ga, workflow.OpenCaseInput{Agency: e.ga(), CaseNo: "A1", Title: "鼓楼街道盗窃案", At: at(2024, 3, 1, 9, 0)}))
	if got := stageOf(t, e, police); got != casegraph.StageReceived {
		t.Fatalf("after 受案: %s", got)
	}
	must(e.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "FILE_CASE", At: at(2024, 3, 2, 10, 0)}))
	must(e.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: person, Kind: "拘留", At: at(2024, 3, 5, 22, 30)}))
	for _, duty := range []string{"T13", "T14"} {
		must(e.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "DUTY_DONE", Subtype: duty, Person: person, At: at(2024, 3, 6, 9, 0)}))
	}

	// Bad input, each refused with nothing changed.
	before := must(db.Snapshot(ctx))
	_, err := e.w.RecordDecision(ga, workflow.DecisionInput{Case: "c/none/1", Kind: "FILE_CASE", At: at(2024, 3, 6, 10, 0)})
	refused(t, e, before, err, casegraph.ENOTFOUND, "不存在")
	_, err = e.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: person, Kind: "逮捕", At: now.AddDate(0, 0, 2)})
	refused(t, e, before, err, casegraph.EINVALID, "晚于当前时间")
	_, err = e.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: person, Kind: "释放", At: at(2024, 3, 4, 10, 0)})
	refused(t, e, before, err, casegraph.EINVALID, "早于本案上一事件")
	_, err = e.w.RecordDecision(jc, workflow.DecisionInput{Case: police, Kind: "WITHDRAW_CASE", At: at(2024, 3, 6, 10, 0)})
	refused(t, e, before, err, casegraph.EFORBIDDEN)
	_, err = e.w.TransferCase(ga, workflow.TransferInput{Case: police, Type: casegraph.HandoverIndictment, ToAgency: e.fy(), At: at(2024, 3, 6, 10, 0)})
	refused(t, e, before, err, casegraph.EINVALIDTRANSITION, "不能从 INVESTIGATING 进入", "刑事诉讼法")

	// 提请批准逮捕, received the same day: T16 (7 days, detained).
	ho := must(e.w.TransferCase(ga, workflow.TransferInput{Case: police, Type: casegraph.HandoverArrestRequest, ToAgency: e.jc(), Person: person, At: at(2024, 3, 7, 10, 0)}))
	inbox, _ := must2(db.Inbox(ctx, e.jc(), "PENDING", 10, nil))
	if len(inbox) != 1 || inbox[0].UID != ho {
		t.Fatalf("inbox = %+v", inbox)
	}
	before = must(db.Snapshot(ctx))
	_, err = e.w.ReceiveHandover(fy, workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "X", At: at(2024, 3, 7, 15, 0)})
	refused(t, e, before, err, casegraph.EFORBIDDEN, "不是")
	review := must(e.w.ReceiveHandover(jc, workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "检捕1", At: at(2024, 3, 7, 15, 0)}))
	before = must(db.Snapshot(ctx))
	_, err = e.w.ReceiveHandover(jc, workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "检捕1", At: at(2024, 3, 7, 16, 0)})
	refused(t, e, before, err, casegraph.ECONFLICT, "已于此前接收")
	if got := stageOf(t, e, police); got != casegraph.StageArrestReview {
		t.Errorf("after 提请批准逮捕: %s", got)
	}
	dl := deadlines(t, e, police)
	if d, ok := dl["T16"]; !ok || !d.DueAt.Equal(at(2024, 3, 14, 0, 0)) {
		t.Errorf("T16 = %+v", dl["T16"])
	}
	// A court cannot approve an arrest.
	before = must(db.Snapshot(ctx))
	_, err = e.w.RecordDecision(jc, workflow.DecisionInput{Case: review, Kind: "JUDGMENT", At: at(2024, 3, 8, 10, 0)})
	refused(t, e, before, err, casegraph.EINVALIDTRANSITION, "只能由人民法院作出", "刑事诉讼法")

	must(e.w.RecordDecision(jc, workflow.DecisionInput{Case: review, Kind: "APPROVE_ARREST", Person: person, At: at(2024, 3, 12, 10, 0)}))
	must(e.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: person, Kind: "逮捕", At: at(2024, 3, 12, 16, 0)}))
	must(e.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "DUTY_DONE", Subtype: "T20", Person: person, At: at(2024, 3, 13, 9, 0)}))
	if d := deadlines(t, e, police)["T28"]; !d.DueAt.Equal(at(2024, 5, 12, 0, 0)) || d.Flags == nil {
		t.Errorf("T28 (侦查羁押二个月) = %+v", d)
	}

	// 移送审查起诉, two rounds of 退回补充侦查, and a third refused.
	send := func(ctx context.Context, from string, typ casegraph.HandoverType, to string, sent time.Time) string {
		return must(e.w.TransferCase(ctx, workflow.TransferInput{Case: from, Type: typ, ToAgency: to, At: sent}))
	}
	ho = send(ga, police, casegraph.HandoverProsecution, e.jc(), at(2024, 5, 10, 10, 0))
	prosecution := must(e.w.ReceiveHandover(jc, workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "检诉1", At: at(2024, 5, 10, 15, 0)}))
	for i, d := range []int{1, 25} {
		ho = send(jc, prosecution, casegraph.HandoverSupplementary, e.ga(), at(2024, 6, d, 10, 0))
		if got := must(e.w.ReceiveHandover(ga, workflow.ReceiveInput{Handover: ho, Accept: true, At: at(2024, 6, d, 11, 0)})); got != police {
			t.Fatalf("round %d went back to %s, not the police case", i+1, got)
		}
		ho = send(ga, police, casegraph.HandoverResubmission, e.jc(), at(2024, 6, d+3, 10, 0))
		must(e.w.ReceiveHandover(jc, workflow.ReceiveInput{Handover: ho, Accept: true, At: at(2024, 6, d+3, 11, 0)}))
	}
	before = must(db.Snapshot(ctx))
	_, err = e.w.TransferCase(jc, workflow.TransferInput{Case: prosecution, Type: casegraph.HandoverSupplementary, ToAgency: e.ga(), At: at(2024, 7, 5, 10, 0)})
	refused(t, e, before, err, casegraph.EINVALIDTRANSITION, "补充侦查以二次为限", "刑事诉讼法第一百七十五条")

	// 提起公诉, 一审, 判决, 生效.
	must(e.w.RecordDecision(jc, workflow.DecisionInput{Case: prosecution, Kind: "PROSECUTE", At: at(2024, 7, 10, 10, 0)}))
	ho = send(jc, prosecution, casegraph.HandoverIndictment, e.fy(), at(2024, 7, 10, 11, 0))
	court := must(e.w.ReceiveHandover(fy, workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "（2024）浙0203刑初1号", At: at(2024, 7, 12, 9, 0)}))
	must(e.w.RecordDecision(fy, workflow.DecisionInput{Case: court, Kind: "OPEN_TRIAL", At: at(2024, 7, 15, 9, 0)}))
	must(e.w.RecordDecision(fy, workflow.DecisionInput{Case: court, Kind: "JUDGMENT", At: at(2024, 8, 20, 9, 0)}))
	before = must(db.Snapshot(ctx))
	_, err = e.w.RecordDecision(fy, workflow.DecisionInput{Case: court, Kind: "EFFECTIVE", At: at(2024, 8, 25, 9, 0)})
	refused(t, e, before, err, casegraph.EINVALIDTRANSITION, "届满前不能进入判决生效阶段")
	must(e.w.RecordDecision(fy, workflow.DecisionInput{Case: court, Kind: "EFFECTIVE", At: at(2024, 9, 5, 9, 0)}))

	if got := stageOf(t, e, court); got != casegraph.StageEffective {
		t.Errorf("court case: %s", got)
	}
	p := must(e.w.CaseProcedure(ctx, police))
	if p.Stage != casegraph.StageEffective || p.Rounds != 2 {
		t.Errorf("procedure: stage %s, rounds %d", p.Stage, p.Rounds)
	}
	tl := must(db.Timeline(ctx, court))
	var kinds []string
	for i, ev := range tl {
		if i > 0 && ev.At.Before(tl[i-1].At) {
			t.Errorf("timeline out of order at %d", i)
		}
		if ev.Status == "APPLIED" {
			kinds = append(kinds, ev.Kind)
		}
		if ev.Status == "REFUSED" {
			t.Errorf("timeline holds a refused event: %+v", ev)
		}
	}
	want := "CASE_RECEIVED A01 A03 DETAINED COMPLIED COMPLIED A08 A09 ARRESTED COMPLIED A12 A14 A15 A14 A15 A17 A26 A27 A32 A35"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("timeline:\n got %s\nwant %s", got, want)
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return a, b
}

func deadlines(t *testing.T, e *env, caseUID string) map[string]neo4jdb.StoredDeadline {
	t.Helper()
	uids := must(e.db.Lineage(casegraph.WithScope(context.Background(), casegraph.SystemScope), caseUID))
	out := map[string]neo4jdb.StoredDeadline{}
	for _, d := range must(e.db.DeadlinesOfCases(casegraph.WithScope(context.Background(), casegraph.SystemScope), uids)) {
		out[d.Rule] = d
	}
	return out
}

// TestSamePathsSameResult enters one history through the mutations and the
// same history as ingest records, and compares stages, deadlines, alerts and
// timelines.
func TestSamePathsSameResult(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)

	// Through the API.
	a := setup(t, "A")
	person := ingest.PersonUID(idS1, ingest.Source{}, "")
	ga, jc := as(a.ga()), as(a.jc())
	day := func(m time.Month, d int) time.Time { return at(2024, m, d, 0, 0) }
	police := must(a.w.OpenCase(ga, workflow.OpenCaseInput{Agency: a.ga(), CaseNo: "A1", At: day(3, 1)}))
	must(a.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "FILE_CASE", At: day(3, 1)}))
	must(a.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: person, Kind: "拘留", At: day(3, 2)}))
	ho := must(a.w.TransferCase(ga, workflow.TransferInput{Case: police, Type: casegraph.HandoverArrestRequest, ToAgency: a.jc(), At: at(2024, 3, 4, 10, 0)}))
	review := must(a.w.ReceiveHandover(jc, workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "检捕1", At: at(2024, 3, 4, 15, 0)}))
	must(a.w.RecordDecision(jc, workflow.DecisionInput{Case: review, Kind: "APPROVE_ARREST", Person: person, At: day(3, 8)}))
	must(a.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: person, Kind: "逮捕", At: day(3, 8)}))
	ho = must(a.w.TransferCase(ga, workflow.TransferInput{Case: police, Type: casegraph.HandoverProsecution, ToAgency: a.jc(), At: at(2024, 5, 6, 10, 0)}))
	must(a.w.ReceiveHandover(jc, workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "检诉1", At: at(2024, 5, 6, 15, 0)}))

	// The same history as records of the agencies' own systems.
	b := setup(t, "B")
	ts := func(t time.Time) string { return t.Format(time.RFC3339) }
	caseRef := func(agency, no string) rec { return rec{"agency": agency, "caseNo": no} }
	pref := rec{"ref": "S1", "idNumber": idS1}
	b.ingestRecords(
		rec{"type": "case", "source": src(b.ga(), "c1"), "caseNo": "A1", "filedAt": "2024-03-01"},
		rec{"type": "measure", "source": src(b.ga(), "m1"), "measureId": "M1", "case": caseRef(b.ga(), "A1"), "person": pref, "kind": "拘留", "from": "2024-03-02"},
		rec{"type": "case", "source": src(b.jc(), "c2"), "caseNo": "检捕1", "filedAt": "2024-03-04"},
		rec{"type": "handover", "source": src(b.ga(), "h1"), "handoverId": "H1", "kind": "ARREST_REQUEST", "from": caseRef(b.ga(), "A1"),
			"to": caseRef(b.jc(), "检捕1"), "sentAt": ts(at(2024, 3, 4, 10, 0)), "receivedAt": ts(at(2024, 3, 4, 15, 0)), "status": "ACCEPTED"},
		rec{"type": "decision", "source": src(b.jc(), "d1"), "decisionId": "D1", "case": caseRef(b.jc(), "检捕1"), "person": pref, "kind": "APPROVE_ARREST", "decidedAt": "2024-03-08"},
		rec{"type": "measure", "source": src(b.ga(), "m2"), "measureId": "M2", "case": caseRef(b.ga(), "A1"), "person": pref, "kind": "逮捕", "from": "2024-03-08"},
		rec{"type": "case", "source": src(b.jc(), "c3"), "caseNo": "检诉1", "filedAt": "2024-05-06"},
		rec{"type": "handover", "source": src(b.ga(), "h2"), "handoverId": "H2", "kind": "PROSECUTION", "from": caseRef(b.ga(), "A1"),
			"to": caseRef(b.jc(), "检诉1"), "sentAt": ts(at(2024, 5, 6, 10, 0)), "receivedAt": ts(at(2024, 5, 6, 15, 0)), "status": "ACCEPTED"},
	)

	norm := func(e *env, uid string) (stages, dls, events []string) {
		strip := strings.NewReplacer("/"+e.ga()+"/", "/GA/", "/"+e.jc()+"/", "/JC/", "/"+e.fy()+"/", "/FY/").Replace
		uids := must(db.Lineage(ctx, uid))
		cs := must(db.CasesByUID(ctx, uids))
		for _, c := range cs {
			stages = append(stages, strip(c.UID)+"="+string(c.Stage))
		}
		for _, d := range must(db.DeadlinesOfCases(ctx, uids)) {
			dls = append(dls, fmt.Sprintf("%s %s %s %s due %s end %s flags %v %s", d.Kind, d.Status, d.Rule, strip(d.Case), d.DueAt.UTC(), d.EndAt.UTC(), d.Flags, d.Severity))
		}
		for _, ev := range must(db.Timeline(ctx, uid)) {
			if ev.Kind != "" {
				events = append(events, fmt.Sprintf("%s %s %s %s", ev.At.UTC().Format(time.RFC3339), ev.Kind, ev.Status, strip(ev.Case)))
			}
		}
		sort.Strings(stages)
		sort.Strings(dls)
		return
	}
	s1, d1, e1 := norm(a, police)
	s2, d2, e2 := norm(b, ingest.CaseUID(b.ga(), "A1"))
	for _, cmp := range []struct {
		name string
		x, y []string
	}{{"stages", s1, s2}, {"deadlines", d1, d2}, {"events", e1, e2}} {
		if strings.Join(cmp.x, "\n") != strings.Join(cmp.y, "\n") {
			t.Errorf("%s differ:\nAPI:\n  %s\ningest:\n  %s", cmp.name, strings.Join(cmp.x, "\n  "), strings.Join(cmp.y, "\n  "))
		}
	}
	if len(d1) == 0 || len(e1) < 8 {
		t.Errorf("too little to compare: %d deadlines, %d events", len(d1), len(e1))
	}

	// Alerts on 1 December 2024: the prosecution review (T35, custody) ran
	// out in June: 超期羁押 (R01), critical.
	alerts, _ := must2(db.Alerts(ctx, neo4jdb.AlertFilter{Now: now, Horizon: now, Agencies: []string{a.jc(), b.jc()}}, 50, nil))
	var got []string
	for _, al := range alerts {
		got = append(got, al.Agency+" "+al.Rule+" "+al.AlertKind+" "+al.AlertSeverity)
	}
	for _, want := range []string{a.jc() + " T35 RED_FLAG CRITICAL", b.jc() + " T35 RED_FLAG CRITICAL"} {
		if !contains(got, want) {
			t.Errorf("alerts lack %q: %v", want, got)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestConcurrentMutations: parallel mutations of one case are serialized;
// none is lost, and of two transfers that exclude each other exactly one
// succeeds.
func TestConcurrentMutations(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	e := setup(t, "C")
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	ga := as(e.ga())
	var people []string
	var recs []rec
	for i := range 8 {
		ref := fmt.Sprintf("S%d", i)
		recs = append(recs, rec{"type": "person", "source": src(e.ga(), "px"+ref), "ref": ref, "name": "嫌疑人" + ref})
		people = append(people, ingest.PersonUID("", ingest.Source{Agency: e.ga(), System: "test"}, ref))
	}
	e.ingestRecords(recs...)
	police := must(e.w.OpenCase(ga, workflow.OpenCaseInput{Agency: e.ga(), CaseNo: "A1", At: at(2024, 3, 1, 9, 0)}))
	must(e.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "FILE_CASE", At: at(2024, 3, 1, 10, 0)}))

	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: p, Kind: "取保候审", At: at(2024, 3, 2, 10, i)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			var ce *casegraph.Error
			if !errors.As(err, &ce) || ce.Code != casegraph.EINVALID {
				t.Errorf("measure %d: %v", i, err)
			}
		}
	}
	p := must(e.w.CaseProcedure(ctx, police))
	bailed := 0
	for _, c := range p.Custody {
		if c.Custody == "BAIL" {
			bailed++
		}
	}
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	if bailed != ok || ok == 0 {
		t.Errorf("%d measures succeeded, %d persons on bail: a write was lost", ok, bailed)
	}

	// Two transfers that exclude each other: 撤销案件 and 移送审查起诉.
	var okCount int
	var mu sync.Mutex
	for _, f := range []func() error{
		func() error {
			_, err := e.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "WITHDRAW_CASE", At: at(2024, 4, 1, 10, 0)})
			return err
		},
		func() error {
			ho, err := e.w.TransferCase(ga, workflow.TransferInput{Case: police, Type: casegraph.HandoverProsecution, ToAgency: e.jc(), At: at(2024, 4, 1, 10, 0)})
			if err != nil {
				return err
			}
			_, err = e.w.ReceiveHandover(as(e.jc()), workflow.ReceiveInput{Handover: ho, Accept: true, CaseNo: "检诉9", At: at(2024, 4, 1, 11, 0)})
			return err
		},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err == nil {
				mu.Lock()
				okCount++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	stage := stageOf(t, e, police)
	if stage != casegraph.StageCaseWithdrawn && stage != casegraph.StageProsecutionReview {
		t.Errorf("police case ended in %s", stage)
	}
	if okCount != 1 {
		t.Errorf("%d of the two changes that exclude each other succeeded, want 1", okCount)
	}
}

// TestClientMutationID: a mutation sent again with the same
// clientMutationId answers what the first one wrote and writes nothing; the
// same id with other content is refused; a bad id is refused.
func TestClientMutationID(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	e := setup(t, "K")
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	person := ingest.PersonUID(idS1, ingest.Source{}, "")
	ga, jc := as(e.ga()), as(e.jc())
	unchanged := func(before []string, what string) {
		t.Helper()
		if after := must(db.Snapshot(ctx)); strings.Join(before, "\n") != strings.Join(after, "\n") {
			t.Errorf("%s changed the graph", what)
		}
	}

	// openCase: the retry answers the case; without the key, or with
	// other content, the number is a CONFLICT.
	open := workflow.OpenCaseInput{Agency: e.ga(), CaseNo: "A1", Title: "盗窃案", At: at(2024, 3, 1, 9, 0), ClientMutationID: "open-1"}
	police := must(e.w.OpenCase(ga, open))
	if got := stageOf(t, e, police); got != casegraph.StageReceived {
		t.Fatalf("after 受案: %s", got)
	}
	before := must(db.Snapshot(ctx))
	if again := must(e.w.OpenCase(ga, open)); again != police {
		t.Errorf("retried openCase answered %s, want %s", again, police)
	}
	unchanged(before, "a retried openCase")
	noKey := open
	noKey.ClientMutationID = ""
	_, err := e.w.OpenCase(ga, noKey)
	refused(t, e, before, err, casegraph.ECONFLICT, "不能重复受案登记")
	other := open
	other.Title = "抢劫案"
	_, err = e.w.OpenCase(ga, other)
	refused(t, e, before, err, casegraph.ECONFLICT, "open-1", "title")

	must(e.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "FILE_CASE", At: at(2024, 3, 2, 10, 0)}))

	// recordMeasure: the same uid, one measure.
	bail := workflow.MeasureInput{Case: police, Person: person, Kind: "拘留", At: at(2024, 3, 3, 10, 0), ClientMutationID: "m-1"}
	m1 := must(e.w.RecordMeasure(ga, bail))
	before = must(db.Snapshot(ctx))
	if m2 := must(e.w.RecordMeasure(ga, bail)); m2 != m1 {
		t.Errorf("retried recordMeasure answered %s, want %s", m2, m1)
	}
	byCode := bail
	byCode.Kind = "DETENTION" // the same measure by its code
	if m2 := must(e.w.RecordMeasure(ga, byCode)); m2 != m1 {
		t.Errorf("retried recordMeasure (by code) answered %s, want %s", m2, m1)
	}
	unchanged(before, "a retried recordMeasure")
	f := must(db.LineageFacts(ctx, police))
	if len(f.Measures) != 1 || f.Measures[0].UID != m1 {
		t.Errorf("measures after the retries: %+v", f.Measures)
	}
	arrest := bail
	arrest.Kind = "逮捕"
	_, err = e.w.RecordMeasure(ga, arrest)
	refused(t, e, before, err, casegraph.ECONFLICT, "m-1", "kind")
	later := bail
	later.At = at(2024, 3, 3, 11, 0)
	_, err = e.w.RecordMeasure(ga, later)
	refused(t, e, before, err, casegraph.ECONFLICT, "at")
	// Without a time the retry is the same request (now differs each time).
	noTime := bail
	noTime.At = time.Time{}
	if m2 := must(e.w.RecordMeasure(ga, noTime)); m2 != m1 {
		t.Errorf("retried recordMeasure without a time answered %s, want %s", m2, m1)
	}
	// Another agency's key of the same text is another key.
	if _, err := e.w.RecordMeasure(jc, bail); err == nil || strings.Contains(err.Error(), "m-1") {
		t.Errorf("another agency's m-1: %v, want FORBIDDEN (not the police's record)", err)
	}

	// recordDecision: a retry after a later event still answers the
	// decision (it is not dated before it: nothing is written).
	duty := workflow.DecisionInput{Case: police, Kind: "DUTY_DONE", Subtype: "T13", Person: person, At: at(2024, 3, 4, 9, 0), ClientMutationID: "d-1"}
	d1 := must(e.w.RecordDecision(ga, duty))
	must(e.w.RecordDecision(ga, workflow.DecisionInput{Case: police, Kind: "DUTY_DONE", Subtype: "T14", Person: person, At: at(2024, 3, 5, 9, 0)}))
	before = must(db.Snapshot(ctx))
	if d2 := must(e.w.RecordDecision(ga, duty)); d2 != d1 {
		t.Errorf("retried recordDecision answered %s, want %s", d2, d1)
	}
	unchanged(before, "a retried recordDecision")
	otherDuty := duty
	otherDuty.Subtype = "T20"
	_, err = e.w.RecordDecision(ga, otherDuty)
	refused(t, e, before, err, casegraph.ECONFLICT, "d-1", "subtype")
	// The key of a decision on another case.
	other2 := must(e.w.OpenCase(ga, workflow.OpenCaseInput{Agency: e.ga(), CaseNo: "A2", At: at(2024, 3, 1, 9, 0)}))
	before = must(db.Snapshot(ctx))
	elsewhere := duty
	elsewhere.Case = other2
	_, err = e.w.RecordDecision(ga, elsewhere)
	refused(t, e, before, err, casegraph.ECONFLICT, "d-1", "case")

	// transferCase and receiveHandover.
	send := workflow.TransferInput{Case: police, Type: casegraph.HandoverArrestRequest, ToAgency: e.jc(), Person: person,
		At: at(2024, 3, 6, 10, 0), ClientMutationID: "h-1"}
	h1 := must(e.w.TransferCase(ga, send))
	before = must(db.Snapshot(ctx))
	if h2 := must(e.w.TransferCase(ga, send)); h2 != h1 {
		t.Errorf("retried transferCase answered %s, want %s", h2, h1)
	}
	unchanged(before, "a retried transferCase")
	toCourt := send
	toCourt.Note = "另案"
	_, err = e.w.TransferCase(ga, toCourt)
	refused(t, e, before, err, casegraph.ECONFLICT, "h-1", "note")

	recv := workflow.ReceiveInput{Handover: h1, Accept: true, CaseNo: "检捕1", At: at(2024, 3, 6, 15, 0), ClientMutationID: "r-1"}
	review := must(e.w.ReceiveHandover(jc, recv))
	before = must(db.Snapshot(ctx))
	if again := must(e.w.ReceiveHandover(jc, recv)); again != review {
		t.Errorf("retried receiveHandover answered %s, want %s", again, review)
	}
	unchanged(before, "a retried receiveHandover")
	reject := workflow.ReceiveInput{Handover: h1, Accept: false, ReasonCode: "MISSING_MATERIALS", Reason: "缺少材料", ClientMutationID: "r-1"}
	_, err = e.w.ReceiveHandover(jc, reject)
	refused(t, e, before, err, casegraph.ECONFLICT, "r-1", "accept")
	// Without the key the handover was already received.
	recv.ClientMutationID = ""
	_, err = e.w.ReceiveHandover(jc, recv)
	refused(t, e, before, err, casegraph.ECONFLICT, "已于此前接收")

	// Bad keys.
	for _, id := range []string{strings.Repeat("x", workflow.MaxMutationIDLen+1), "a\nb", " lead", "tab\there", "\x00"} {
		in := bail
		in.ClientMutationID = id
		_, err = e.w.RecordMeasure(ga, in)
		refused(t, e, before, err, casegraph.EINVALID, "clientMutationId")
	}
	if _, err := e.w.RecordMeasure(ga, workflow.MeasureInput{Case: police, Person: person, Kind: "释放", At: at(2024, 3, 7, 9, 0),
		ClientMutationID: strings.Repeat("键", workflow.MaxMutationIDLen/3)}); err != nil {
		t.Errorf("a key of %d bytes: %v", workflow.MaxMutationIDLen/3*3, err)
	}
}

// TestOpenCaseOneTransaction: a case opened through the API has its
// procedure state as soon as it exists: a failure after the case was
// written leaves neither.
func TestOpenCaseOneTransaction(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	e := setup(t, "O")
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	ga := as(e.ga())
	// A client that hangs up: the context ends while the transaction runs.
	cctx, cancel := context.WithCancel(ga)
	var calls int
	w := workflow.New(db, nil, workflow.Options{Now: func() time.Time {
		// Now is read when the procedure state is derived, after the case
		// was written in the same transaction.
		calls++
		if calls > 1 {
			cancel()
		}
		return now
	}})
	before := must(db.Snapshot(ctx))
	_, err := w.OpenCase(cctx, workflow.OpenCaseInput{Agency: e.ga(), CaseNo: "T1"})
	if err == nil {
		t.Fatal("openCase with its context canceled midway succeeded")
	}
	if after := must(db.Snapshot(ctx)); strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("an openCase canceled after writing the case left a trace: %v", err)
	}
	uid := must(e.w.OpenCase(ga, workflow.OpenCaseInput{Agency: e.ga(), CaseNo: "T1"}))
	if got := stageOf(t, e, uid); got != casegraph.StageReceived {
		t.Errorf("stage %q, want RECEIVED", got)
	}
}
