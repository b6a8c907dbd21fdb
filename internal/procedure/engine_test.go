package procedure

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
)

func newState() *State { return NewEngine(nil, nil).NewState() }

func apply(tb testing.TB, s *State, evs ...Event) {
	tb.Helper()
	for _, ev := range evs {
		if err := s.Apply(ev); err != nil {
			tb.Fatalf("Apply(%s at %s): %v", ev.Kind, ev.At.Format(time.DateTime), err)
		}
	}
}

// refused applies ev, expects a *casegraph.Error of the code whose message
// contains every want, and checks the state did not change.
func refused(tb testing.TB, s *State, ev Event, code string, want ...string) {
	tb.Helper()
	before := s.clone()
	err := s.Apply(ev)
	var ce *casegraph.Error
	if !errors.As(err, &ce) {
		tb.Fatalf("Apply(%s) = %v, want a *casegraph.Error", ev.Kind, err)
	}
	if ce.Code != code {
		tb.Errorf("Apply(%s): code %s, want %s (%s)", ev.Kind, ce.Code, code, ce.Message)
	}
	for _, w := range want {
		if !strings.Contains(ce.Message, w) {
			tb.Errorf("Apply(%s): message %q lacks %q", ev.Kind, ce.Message, w)
		}
	}
	if s.stage != before.stage || len(s.history) != len(before.history) || len(s.clocks) != len(before.clocks) || !s.last.Equal(before.last) {
		tb.Errorf("Apply(%s) failed but changed the state", ev.Kind)
	}
}

// clockOf is the latest clock of the rule (and person, if given).
func clockOf(tb testing.TB, s *State, now time.Time, rule, person string) Clock {
	tb.Helper()
	cs := s.Clocks(now)
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].Rule == rule && (person == "" || cs[i].Person == person) {
			return cs[i]
		}
	}
	tb.Fatalf("no clock %s %s", rule, person)
	return Clock{}
}

func wantClock(tb testing.TB, c Clock, status Status, due time.Time) {
	tb.Helper()
	if c.Status != status {
		tb.Errorf("%s: status %s, want %s", c.Rule, c.Status, status)
	}
	if c.Deadline == nil {
		tb.Fatalf("%s: no deadline", c.Rule)
	}
	if !c.Deadline.Due.Equal(due) {
		tb.Errorf("%s: due %s, want %s\n%s", c.Rule, c.Deadline.Due.Format(time.DateTime), due.Format(time.DateTime), strings.Join(c.Deadline.Working, "\n"))
	}
}

func rulesOf(steps []Step, machine string) []string {
	var out []string
	for _, s := range steps {
		if s.Machine == machine {
			out = append(out, s.Rule)
		}
	}
	return out
}

func runningRules(s *State, now time.Time) []string {
	var out []string
	for _, c := range s.Running(now) {
		out = append(out, c.Rule)
	}
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFullLineage follows one matter through the three agencies: 受案 → 立案
// → 拘留 → 提请批准逮捕 → 批准逮捕 → 侦查 → 移送审查起诉 → 退回补充侦查 ×2 →
// 起诉 → 一审 → 判决 → 上诉 → 二审 → 生效, checking stages, custody, clocks
// and the next transitions on the way. The suspect S1 is detained, then
// arrested, and stays in custody, so the case periods are custody periods.
func TestFullLineage(t *testing.T) {
	s := newState()
	const P, J, C1, C2, S1 = "P1", "J1", "C1", "C2", "S1"

	// 受案 Fri 1 March 2024: T02 (3 days) → Mon 4 March.
	apply(t, s, Event{At: at(2024, 3, 1, 9, 0), Kind: EventCaseReceived, Case: P, CaseKind: casegraph.CasePolice})
	wantClock(t, clockOf(t, s, at(2024, 3, 1, 12, 0), "T02", ""), Running, date(2024, 3, 4))
	if got := rulesOf(s.Next(at(2024, 3, 1, 12, 0)), "A"); !sameStrings(got, []string{"A01", "A02"}) {
		t.Errorf("next from RECEIVED = %v", got)
	}
	apply(t, s,
		Event{At: at(2024, 3, 2, 10, 0), Kind: "A01", Case: P},
		Event{At: at(2024, 3, 4, 10, 0), Kind: "A03", Case: P}, // 立案 on the last day of T02: in time
	)
	if c := clockOf(t, s, at(2024, 3, 4, 12, 0), "T02", ""); c.Status != Stopped || c.Late {
		t.Errorf("T02 after 立案: %s late=%v", c.Status, c.Late)
	}

	// 拘留 Tue 5 March 22:30: T13 and T14 (24 hours), T15 (3 days from the day after) → Fri 8 March.
	apply(t, s, Event{At: at(2024, 3, 5, 22, 30), Kind: EventDetained, Case: P, Person: S1})
	now := at(2024, 3, 6, 12, 0)
	if got := s.Person(S1).Custody; got != Detained {
		t.Errorf("S1 custody %s", got)
	}
	wantClock(t, clockOf(t, s, now, "T14", S1), Running, at(2024, 3, 6, 22, 30))
	wantClock(t, clockOf(t, s, now, "T15", S1), Running, date(2024, 3, 8))
	if c := clockOf(t, s, now, "T15", S1); !c.Custody || len(c.Options) != 2 {
		t.Errorf("T15: custody %v, options %d (T15.1, T15.2)", c.Custody, len(c.Options))
	}
	next := s.Next(now)
	if got := rulesOf(next, "A"); !sameStrings(got, []string{"A07", "A08", "A12"}) {
		t.Errorf("next from INVESTIGATING = %v", got)
	}
	if got := rulesOf(next, "B"); !sameStrings(got, []string{"B05", "B06", "B09"}) {
		t.Errorf("next custody of a detained suspect = %v", got)
	}
	for _, st := range next {
		if st.Rule == "A08" && (st.Article != "CPL 87, 91(1)" || st.Citation != "刑事诉讼法第八十七条、第九十一条第一款") {
			t.Errorf("A08 step: %q %q", st.Article, st.Citation)
		}
	}

	apply(t, s,
		Event{At: at(2024, 3, 6, 9, 0), Kind: EventComplied, Rule: "T14", Person: S1},
		Event{At: at(2024, 3, 6, 10, 0), Kind: EventComplied, Rule: "T13", Person: S1},
		// 特殊情况: +4 days (T15.1) → Tue 12 March.
		Event{At: at(2024, 3, 7, 15, 0), Kind: EventExtensionGranted, Rule: "T15.1", Person: S1, Approver: "县级以上公安机关负责人"},
	)
	wantClock(t, clockOf(t, s, at(2024, 3, 8, 12, 0), "T15", S1), Running, date(2024, 3, 12))

	// 提请批准逮捕 11 March: T15 stops in time; T16 (detained, 7 days) → 18 March.
	apply(t, s, Event{At: at(2024, 3, 11, 10, 0), Kind: "A08", Case: P, ToCase: J, ToCaseKind: casegraph.CaseProsecution, Person: S1})
	now = at(2024, 3, 12, 9, 0)
	if s.Stage() != casegraph.StageArrestReview {
		t.Fatalf("stage %s", s.Stage())
	}
	if c := clockOf(t, s, now, "T15", S1); c.Status != Stopped || c.Late {
		t.Errorf("T15: %s late=%v", c.Status, c.Late)
	}
	wantClock(t, clockOf(t, s, now, "T16", ""), Running, date(2024, 3, 18))
	if got := rulesOf(s.Next(now), "A"); !sameStrings(got, []string{"A09", "A10"}) {
		t.Errorf("next from ARREST_REVIEW = %v", got)
	}

	// 批准逮捕 15 March, executed the same afternoon: T28 (2 months) → 15 May.
	apply(t, s,
		Event{At: at(2024, 3, 15, 14, 0), Kind: "A09", Case: J, ToCase: P, Person: S1},
		Event{At: at(2024, 3, 15, 16, 0), Kind: EventArrested, Case: P, Person: S1},
	)
	wantClock(t, clockOf(t, s, at(2024, 3, 20, 0, 0), "T28", S1), Running, date(2024, 5, 15))
	// 上一级人民检察院 approves one more month on 8 May → Sat 15 June (custody: no roll-over).
	apply(t, s, Event{At: at(2024, 5, 8, 10, 0), Kind: EventExtensionGranted, Rule: "T28.1", Person: S1, Approver: "上一级人民检察院"})
	now = at(2024, 6, 10, 9, 0)
	t28 := clockOf(t, s, now, "T28", S1)
	wantClock(t, t28, DueSoon, date(2024, 6, 15))
	if len(t28.Options) != 1 || t28.Options[0].ID != "T28.2" {
		t.Errorf("T28 options after T28.1: %+v", t28.Options)
	}

	// 移送审查起诉 10 June: T28 stops; T35 (1 month, custody) → 10 July.
	apply(t, s, Event{At: at(2024, 6, 10, 10, 0), Kind: "A12", Case: P, ToCase: J})
	if c := clockOf(t, s, at(2024, 6, 10, 12, 0), "T28", S1); c.Status != Stopped || c.Late {
		t.Errorf("T28 after A12: %s late=%v", c.Status, c.Late)
	}
	wantClock(t, clockOf(t, s, at(2024, 6, 11, 0, 0), "T35", ""), Running, date(2024, 7, 10))

	// First 退回补充侦查 5 July: T38 → 5 Aug. Returned 1 Aug: T35 restarts (T38) → Sun 1 Sep, custody.
	apply(t, s,
		Event{At: at(2024, 7, 5, 10, 0), Kind: "A14", Case: J, ToCase: P},
		Event{At: at(2024, 8, 1, 10, 0), Kind: "A15", Case: P, ToCase: J},
	)
	t35 := clockOf(t, s, at(2024, 8, 2, 0, 0), "T35", "")
	wantClock(t, t35, Running, date(2024, 9, 1))
	if len(t35.Restarts) != 1 || t35.Restarts[0].Rule != "T38" || !t35.Restarts[0].PreviousDue.Equal(date(2024, 7, 10)) ||
		t35.Restarts[0].Citation != "刑事诉讼法第一百七十五条第三款；《公安机关办理刑事案件程序规定》第二百九十五条；《人民检察院刑事诉讼规则》第三百四十六条" {
		t.Errorf("T35 restarts: %+v", t35.Restarts)
	}

	// Second round: 20 Aug → 10 Sep. In SUPPLEMENTARY_INVESTIGATION the police may return the case or withdraw it.
	apply(t, s, Event{At: at(2024, 8, 20, 10, 0), Kind: "A14", Case: J, ToCase: P})
	wantClock(t, clockOf(t, s, at(2024, 8, 21, 0, 0), "T38", ""), Running, date(2024, 9, 20))
	if got := rulesOf(s.Next(at(2024, 8, 21, 0, 0)), "A"); !sameStrings(got, []string{"A15", "A16"}) {
		t.Errorf("next from SUPPLEMENTARY_INVESTIGATION = %v", got)
	}
	apply(t, s, Event{At: at(2024, 9, 10, 10, 0), Kind: "A15", Case: P, ToCase: J})
	wantClock(t, clockOf(t, s, at(2024, 9, 11, 0, 0), "T35", ""), Running, date(2024, 10, 10))
	if s.SupplementaryRounds() != 2 {
		t.Errorf("rounds = %d", s.SupplementaryRounds())
	}
	// After two rounds 退回补充侦查 is no longer a next step, and a third is refused.
	if got := rulesOf(s.Next(at(2024, 9, 11, 0, 0)), "A"); !sameStrings(got, []string{"A17", "A18", "A19", "A20", "A21", "A22"}) {
		t.Errorf("next after two rounds = %v", got)
	}
	refused(t, s, Event{At: at(2024, 9, 15, 10, 0), Kind: "A14", Case: J, ToCase: P}, casegraph.EINVALIDTRANSITION,
		"不能从 PROSECUTION_REVIEW 进入 SUPPLEMENTARY_INVESTIGATION：补充侦查以二次为限，本案已退回补充侦查二次（刑事诉讼法第一百七十五条第三款）")

	// 提起公诉 30 Sep; the court receives the case 8 Oct (T47 → 15 Oct) and opens the trial 12 Oct (T49 → 12 Dec).
	apply(t, s, Event{At: at(2024, 9, 30, 10, 0), Kind: "A17", Case: J})
	refused(t, s, Event{At: at(2024, 10, 2, 10, 0), Kind: "A14", Case: J}, casegraph.EINVALIDTRANSITION,
		"不能从 INDICTED 进入 SUPPLEMENTARY_INVESTIGATION：退回补充侦查只能在审查起诉阶段作出（刑事诉讼法第一百七十五条第二款）")
	apply(t, s, Event{At: at(2024, 10, 8, 10, 0), Kind: "A26", Case: J, ToCase: C1, ToCaseKind: casegraph.CaseCourt})
	wantClock(t, clockOf(t, s, at(2024, 10, 9, 0, 0), "T47", ""), Running, date(2024, 10, 15))
	apply(t, s, Event{At: at(2024, 10, 12, 10, 0), Kind: "A27", Case: C1, Variant: "ORDINARY"})
	wantClock(t, clockOf(t, s, at(2024, 10, 13, 0, 0), "T49", ""), Running, date(2024, 12, 12))

	// 一审宣判 2 Dec: T57 (10 days) → 12 Dec; the victim's T58 (5 days) → Sat 7 Dec → Mon 9 Dec.
	apply(t, s, Event{At: at(2024, 12, 2, 10, 0), Kind: "A32", Case: C1})
	now = at(2024, 12, 5, 9, 0)
	wantClock(t, clockOf(t, s, now, "T57", ""), Running, date(2024, 12, 12))
	wantClock(t, clockOf(t, s, now, "T58", ""), Running, date(2024, 12, 9))
	if got := rulesOf(s.Next(now), "A"); !sameStrings(got, []string{"A33", "A34"}) {
		t.Errorf("next while the appeal window runs = %v", got)
	}
	refused(t, s, Event{At: now, Kind: "A35", Case: C1}, casegraph.EINVALIDTRANSITION,
		"不能从 FIRST_INSTANCE_JUDGED 进入 EFFECTIVE：上诉、抗诉期限至2024年12月12日届满，届满前不能进入判决生效阶段（刑事诉讼法第二百五十九条第二款第一项）")

	// 上诉, accepted by the second-instance court 6 Dec: T60 (2 months, custody) → 6 Feb 2025.
	apply(t, s, Event{At: at(2024, 12, 6, 10, 0), Kind: "A33", Case: C1, ToCase: C2, ToCaseKind: casegraph.CaseCourt})
	if c := clockOf(t, s, at(2024, 12, 6, 12, 0), "T57", ""); c.Status != Stopped {
		t.Errorf("T57 after the appeal: %s", c.Status)
	}
	wantClock(t, clockOf(t, s, at(2024, 12, 7, 0, 0), "T60", ""), Running, date(2025, 2, 6))

	// The procuratorate reads the file 10–20 Dec: not counted (T61), so T60 ends 10 days later, Sun 16 Feb.
	apply(t, s, Event{At: at(2024, 12, 10, 9, 0), Kind: EventFileReviewStarted, Case: C2})
	now = at(2024, 12, 15, 9, 0)
	if c := clockOf(t, s, now, "T60", ""); c.Status != Paused || c.Deadline.PausedDays != 5 {
		t.Errorf("T60 during the file review: %s, %d days paused", c.Status, c.Deadline.PausedDays)
	}
	wantClock(t, clockOf(t, s, now, "T61", ""), Running, date(2025, 1, 10))
	apply(t, s, Event{At: at(2024, 12, 20, 9, 0), Kind: EventFileReviewEnded, Case: C2})
	t60 := clockOf(t, s, at(2025, 1, 5, 0, 0), "T60", "")
	wantClock(t, t60, Running, date(2025, 2, 16))
	if len(t60.Pauses) != 1 || t60.Pauses[0].Days != 10 || t60.Pauses[0].Rule != "T61" {
		t.Errorf("T60 pauses: %+v", t60.Pauses)
	}

	// 二审 upholds 10 Feb 2025: effective; T68 (10 days) → 20 Feb.
	apply(t, s, Event{At: at(2025, 2, 10, 10, 0), Kind: "A37", Case: C2})
	now = at(2025, 2, 11, 9, 0)
	if s.Stage() != casegraph.StageEffective {
		t.Fatalf("final stage %s", s.Stage())
	}
	wantClock(t, clockOf(t, s, now, "T68", ""), Running, date(2025, 2, 20))
	wantStages := map[string]casegraph.Stage{
		P:  casegraph.StageProsecutionReview, // handed to the procuratorate (A15)
		J:  casegraph.StageTrialIntake,       // handed to the court (A26)
		C1: casegraph.StageSecondInstance,    // appealed (A33)
		C2: casegraph.StageEffective,
	}
	for _, c := range s.Cases() {
		if c.Stage != wantStages[c.UID] {
			t.Errorf("case %s (%s): %s, want %s", c.UID, c.Kind, c.Stage, wantStages[c.UID])
		}
	}
	if got := runningRules(s, now); !sameStrings(got, []string{"T20", "T68"}) {
		t.Errorf("running at the end: %v", got)
	}
	next = s.Next(now)
	if got := rulesOf(next, "A"); !sameStrings(got, []string{"A41", "A42", "A43"}) {
		t.Errorf("next from EFFECTIVE = %v", got)
	}
	if got := rulesOf(next, "B"); !sameStrings(got, []string{"B08", "B09", "B10"}) {
		t.Errorf("next custody of an arrested defendant = %v", got)
	}
	// The family was never notified of the arrest (T20): a red flag.
	flags := s.Flags(now)
	if len(flags) != 1 || flags[0].Rule != "R12" || flags[0].Clock != "T20" || flags[0].Person != S1 {
		t.Errorf("flags = %+v", flags)
	}
}

func TestRefusals(t *testing.T) {
	t.Run("the brief's message", func(t *testing.T) {
		s := newState()
		apply(t, s, Event{At: at(2024, 5, 1, 0, 0), Kind: EventOpened, To: casegraph.StageIndicted, Case: "J"})
		err := s.Apply(Event{At: at(2024, 5, 2, 0, 0), Kind: "A14", Case: "J"})
		var ce *casegraph.Error
		if !errors.As(err, &ce) || ce.Code != casegraph.EINVALIDTRANSITION ||
			ce.Message != "不能从 INDICTED 进入 SUPPLEMENTARY_INVESTIGATION：退回补充侦查只能在审查起诉阶段作出（刑事诉讼法第一百七十五条第二款）" {
			t.Errorf("err = %#v", err)
		}
	})
	s := newState()
	refused(t, s, Event{At: at(2024, 5, 1, 0, 0), Kind: "A03"}, casegraph.EINVALIDTRANSITION,
		"不能从 （尚未开始） 进入 INVESTIGATING：立案只能在立案审查阶段作出（刑事诉讼法第一百一十二条）")
	refused(t, s, Event{At: at(2024, 5, 1, 0, 0), Kind: "A99"}, casegraph.EINVALID, "未知的事件类型")
	refused(t, s, Event{Kind: EventCaseReceived}, casegraph.EINVALID, "缺少事件时间")
	apply(t, s, Event{At: at(2024, 5, 1, 9, 0), Kind: EventCaseReceived, Case: "P", CaseKind: casegraph.CasePolice})
	refused(t, s, Event{At: at(2024, 5, 1, 10, 0), Kind: EventCaseReceived}, casegraph.EINVALIDTRANSITION, "只能是第一项记录")
	refused(t, s, Event{At: at(2024, 5, 1, 10, 0), Kind: "A13"}, casegraph.EINVALIDTRANSITION, "监察机关移送起诉开始一个新的案件流程", "刑事诉讼法第一百七十条第一款")
	refused(t, s, Event{At: at(2024, 4, 30, 0, 0), Kind: "A01"}, casegraph.EINVALID, "早于上一事件")
	refused(t, s, Event{At: at(2024, 5, 1, 10, 0), Kind: "A01", Case: "P", CaseKind: casegraph.CaseCourt}, casegraph.EINVALID, "已记录为 POLICE")
	apply(t, s, Event{At: at(2024, 5, 2, 0, 0), Kind: "A01", Case: "P"})
	// 立案审查期间不得采取强制措施.
	refused(t, s, Event{At: at(2024, 5, 2, 1, 0), Kind: EventDetained, Person: "S"}, casegraph.EINVALIDTRANSITION,
		"不能从 FREE 进入 DETAINED：立案审查期间不得对被调查对象采取强制措施（《公安机关办理刑事案件程序规定》第一百七十四条第二款）")
	refused(t, s, Event{At: at(2024, 5, 2, 1, 0), Kind: "B06", Person: "S"}, casegraph.EINVALID, "须在 Custody 写明转入的强制措施")
	apply(t, s, Event{At: at(2024, 5, 3, 0, 0), Kind: "A03", Case: "P"})
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: EventDetained}, casegraph.EINVALID, "须写明人员")
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: EventImprisoned, Person: "S"}, casegraph.EINVALIDTRANSITION,
		"不能从 FREE 进入 SERVING：服刑只能由逮捕（羁押）转入（刑事诉讼法第二百六十四条第二款）")
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: "A23"}, casegraph.EINVALIDTRANSITION, "只能在附条件不起诉考验期阶段作出")
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: "A11", Case: "P"}, casegraph.EINVALIDTRANSITION,
		"不批准逮捕的复议、复核只能针对不批准逮捕的决定提出（刑事诉讼法第九十二条）")
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: EventJurisdictionChanged}, casegraph.EINVALIDTRANSITION,
		"不能在 INVESTIGATING 阶段改变管辖：只能在审查起诉或一审阶段")
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: "A12", Variant: "SUMMARY"}, casegraph.EINVALID, "Variant 只能是 ORDINARY、EXPEDITED")
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: EventComplied, Rule: "T14"}, casegraph.EINVALID, "没有正在计算的拘留后讯问期限")
	refused(t, s, Event{At: at(2024, 5, 3, 1, 0), Kind: EventAppraisalEnded}, casegraph.EINVALID, "没有正在计算的精神病鉴定期间不计入办案期限")

	s = newState()
	apply(t, s, Event{At: at(2024, 5, 1, 0, 0), Kind: EventOpened, To: casegraph.StageConditionalProbation})
	refused(t, s, Event{At: at(2024, 5, 2, 0, 0), Kind: "A23"}, casegraph.EINVALID, "须在 To 写明进入的阶段")
	refused(t, s, Event{At: at(2024, 5, 2, 0, 0), Kind: "A23", To: casegraph.StageClosed}, casegraph.EINVALID, "只能进入 NOT_PROSECUTED、INDICTED")
	apply(t, s, Event{At: at(2024, 5, 2, 0, 0), Kind: "A23", To: casegraph.StageIndicted})
	if s.Stage() != casegraph.StageIndicted {
		t.Errorf("stage %s", s.Stage())
	}
}

// TestOtherCrimeRestartsInvestigationCustody: T32, CPL 160(1).
func TestOtherCrimeRestartsInvestigationCustody(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating},
		Event{At: at(2024, 1, 10, 10, 0), Kind: EventArrested, Person: "S"},
		Event{At: at(2024, 3, 1, 10, 0), Kind: EventExtensionGranted, Rule: "T28.1", Person: "S"},
	)
	wantClock(t, clockOf(t, s, at(2024, 3, 2, 0, 0), "T28", "S"), Running, date(2024, 4, 10))
	apply(t, s, Event{At: at(2024, 3, 20, 15, 0), Kind: EventOtherCrimeFound, Person: "S"})
	c := clockOf(t, s, at(2024, 3, 21, 0, 0), "T28", "S")
	wantClock(t, c, Running, date(2024, 5, 20)) // 2 months afresh from the day of discovery
	if len(c.Extensions) != 0 || len(c.Restarts) != 1 || c.Restarts[0].Rule != "T32" ||
		!c.Restarts[0].PreviousStart.Equal(at(2024, 1, 10, 10, 0)) || !c.Restarts[0].PreviousDue.Equal(date(2024, 4, 10)) {
		t.Errorf("after the restart: grants %+v restarts %+v", c.Extensions, c.Restarts)
	}
	if len(c.Options) != 1 || c.Options[0].ID != "T28.1" {
		t.Errorf("the extensions are available again: %+v", c.Options)
	}
	apply(t, s, Event{At: at(2024, 4, 2, 9, 0), Kind: EventIdentityEstablished, Person: "S"})
	wantClock(t, clockOf(t, s, at(2024, 4, 3, 0, 0), "T28", "S"), Running, date(2024, 6, 2))
}

// TestAppraisalPausesPeriods: T33, CPL 149.
func TestAppraisalPausesPeriods(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 2, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating},
		Event{At: at(2024, 2, 1, 10, 0), Kind: EventArrested, Person: "S"},
		Event{At: at(2024, 3, 1, 10, 0), Kind: "A12"},
		Event{At: at(2024, 3, 10, 10, 0), Kind: EventAppraisalStarted, Person: "S"},
	)
	now := at(2024, 3, 15, 12, 0)
	c := clockOf(t, s, now, "T35", "")
	wantClock(t, c, Paused, date(2024, 4, 6)) // 1 April + the 5 days so far
	if t33 := clockOf(t, s, now, "T33", "S"); t33.Status != Running || t33.Deadline != nil {
		t.Errorf("T33: %s %v", t33.Status, t33.Deadline)
	}
	apply(t, s, Event{At: at(2024, 3, 20, 10, 0), Kind: EventAppraisalEnded, Person: "S"})
	wantClock(t, clockOf(t, s, at(2024, 3, 21, 0, 0), "T35", ""), Running, date(2024, 4, 11))
	refused(t, s, Event{At: at(2024, 3, 21, 0, 0), Kind: EventAppraisalEnded}, casegraph.EINVALID, "没有正在计算的")
}

// TestJurisdictionChangeRestartsReview: T37, CPL 172(2).
func TestJurisdictionChangeRestartsReview(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 3, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating},
		Event{At: at(2024, 3, 1, 10, 0), Kind: "A12", ToCase: "J1"},
		Event{At: at(2024, 3, 20, 10, 0), Kind: EventJurisdictionChanged, Case: "J2", CaseKind: casegraph.CaseProsecution},
	)
	c := clockOf(t, s, at(2024, 3, 21, 0, 0), "T35", "")
	wantClock(t, c, Running, date(2024, 4, 22)) // 20 April is a Saturday; not in custody
	if c.Case != "J2" || len(c.Restarts) != 1 || c.Restarts[0].Rule != "T37" || c.Restarts[0].Citation != "刑事诉讼法第一百七十二条第二款" {
		t.Errorf("T35 after the change: case %s restarts %+v", c.Case, c.Restarts)
	}
}

// TestTrialDeferral: T51 (1 month, at most twice) and T50 (the trial period restarts).
func TestTrialDeferral(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 2, 1, 0, 0), Kind: EventOpened, To: casegraph.StageTrialIntake},
		Event{At: at(2024, 3, 1, 10, 0), Kind: "A27", Case: "C"},
	)
	wantClock(t, clockOf(t, s, at(2024, 3, 2, 0, 0), "T49", ""), Running, date(2024, 5, 6)) // 1 May is 劳动节, not in custody
	refused(t, s, Event{At: at(2024, 3, 5, 0, 0), Kind: EventSupplementReturned, Case: "C"}, casegraph.EINVALIDTRANSITION,
		"补充侦查完毕移送人民法院须有正在计算的延期审理补充侦查期限")
	apply(t, s, Event{At: at(2024, 3, 15, 10, 0), Kind: EventTrialDeferred, Case: "C"})
	now := at(2024, 3, 16, 0, 0)
	if c := clockOf(t, s, now, "T49", ""); c.Status != Stopped {
		t.Errorf("T49 during 延期审理: %s", c.Status)
	}
	wantClock(t, clockOf(t, s, now, "T51", ""), Running, date(2024, 4, 15))
	apply(t, s, Event{At: at(2024, 4, 10, 10, 0), Kind: EventSupplementReturned, Case: "C"})
	c := clockOf(t, s, at(2024, 4, 11, 0, 0), "T49", "")
	wantClock(t, c, Running, date(2024, 6, 11)) // 10 June is 端午
	if len(c.Restarts) != 1 || c.Restarts[0].Rule != "T50" {
		t.Errorf("T49 restarts %+v", c.Restarts)
	}
	apply(t, s,
		Event{At: at(2024, 4, 20, 10, 0), Kind: "A29", Variant: "DEFERRED", Case: "C"},
		Event{At: at(2024, 5, 10, 10, 0), Kind: "A29", Variant: "SUPPLEMENT_RETURNED", Case: "C"},
	)
	refused(t, s, Event{At: at(2024, 5, 20, 10, 0), Kind: EventTrialDeferred, Case: "C"}, casegraph.EINVALIDTRANSITION,
		"建议延期审理不得超过两次，本案已延期审理（检察院补充侦查）二次（最高人民法院《关于适用〈中华人民共和国刑事诉讼法〉的解释》第二百七十四条第一款）")
	refused(t, s, Event{At: at(2024, 5, 20, 10, 0), Kind: "A29", Case: "C"}, casegraph.EINVALID, "须写明 Variant")
}

// TestTrialSuspension: T52, CPL 206(2).
func TestTrialSuspension(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 2, 1, 0, 0), Kind: EventOpened, To: casegraph.StageTrialIntake},
		Event{At: at(2024, 3, 1, 10, 0), Kind: "A27"},
		Event{At: at(2024, 3, 10, 10, 0), Kind: EventTrialSuspended},
	)
	if c := clockOf(t, s, at(2024, 3, 20, 0, 0), "T49", ""); c.Status != Paused {
		t.Errorf("T49 while suspended: %s", c.Status)
	}
	apply(t, s, Event{At: at(2024, 4, 9, 10, 0), Kind: EventTrialResumed})
	wantClock(t, clockOf(t, s, at(2024, 4, 10, 0, 0), "T49", ""), Running, date(2024, 5, 31)) // 1 May + 30 days
	refused(t, s, Event{At: at(2024, 4, 10, 0, 0), Kind: EventTrialResumed}, casegraph.EINVALIDTRANSITION,
		"恢复审理须有正在计算的中止审理期间不计入审理期限（刑事诉讼法第二百零六条）")
}

// TestRemand: T62 restarts the first-instance period; a fact-based remand only once (CPL 236(2)).
func TestRemand(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageTrialIntake},
		Event{At: at(2024, 1, 5, 10, 0), Kind: "A27", Case: "C1"},
		Event{At: at(2024, 2, 20, 10, 0), Kind: "A32", Case: "C1"},
		Event{At: at(2024, 3, 1, 10, 0), Kind: "A33", Case: "C1", ToCase: "C2"},
	)
	refused(t, s, Event{At: at(2024, 4, 1, 10, 0), Kind: "A38", Case: "C2", ToCase: "C1"}, casegraph.EINVALID, "FACTS、PROCEDURE")
	apply(t, s, Event{At: at(2024, 4, 1, 10, 0), Kind: "A38", Variant: "FACTS", Case: "C2", ToCase: "C1"})
	c := clockOf(t, s, at(2024, 4, 2, 0, 0), "T49", "")
	wantClock(t, c, Running, date(2024, 6, 3)) // 1 June is a Saturday, not in custody
	if len(c.Restarts) != 1 || c.Restarts[0].Rule != "T62" {
		t.Errorf("T49 restarts %+v", c.Restarts)
	}
	apply(t, s,
		Event{At: at(2024, 5, 20, 10, 0), Kind: "A32", Case: "C1"},
		Event{At: at(2024, 6, 1, 10, 0), Kind: "A34", Case: "C1", ToCase: "C2"},
	)
	refused(t, s, Event{At: at(2024, 7, 1, 10, 0), Kind: "A38", Variant: "FACTS", Case: "C2"}, casegraph.EINVALIDTRANSITION,
		"不得再发回重新审判，本案已发回重审一次（刑事诉讼法第二百三十六条第二款）")
	apply(t, s, Event{At: at(2024, 7, 1, 10, 0), Kind: "A38", Variant: "PROCEDURE", Case: "C2", ToCase: "C1"})
}

// TestProcedureConversion: SPC 368(2) — the ordinary period counts from the decision.
func TestProcedureConversion(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 2, 1, 0, 0), Kind: EventOpened, To: casegraph.StageTrialIntake},
		Event{At: at(2024, 3, 1, 10, 0), Kind: "A27", Variant: "SUMMARY"},
	)
	wantClock(t, clockOf(t, s, at(2024, 3, 2, 0, 0), "T53", ""), Running, date(2024, 3, 21))
	if got := rulesOf(s.Next(at(2024, 3, 2, 0, 0)), "A"); !sameStrings(got, []string{"A29", "A30", "A31", "A32"}) {
		t.Errorf("next in a summary trial = %v", got)
	}
	apply(t, s, Event{At: at(2024, 3, 10, 10, 0), Kind: "A30"})
	wantClock(t, clockOf(t, s, at(2024, 3, 11, 0, 0), "T49", ""), Running, date(2024, 5, 10))
	if c := clockOf(t, s, at(2024, 3, 11, 0, 0), "T53", ""); c.Status != Stopped {
		t.Errorf("T53 after conversion: %s", c.Status)
	}
	if got := rulesOf(s.Next(at(2024, 3, 11, 0, 0)), "A"); !sameStrings(got, []string{"A29", "A31", "A32"}) {
		t.Errorf("next in an ordinary trial = %v", got)
	}
	refused(t, s, Event{At: at(2024, 3, 12, 0, 0), Kind: "A30"}, casegraph.EINVALIDTRANSITION, "须有正在计算的简易程序审理期限或速裁程序审理期限")
}

// TestSupervisoryTransfer: T27 — the days until the custody decision are not counted in 审查起诉 (CPL 170(2)).
func TestSupervisoryTransfer(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 3, 1, 9, 0), Kind: EventDetained, Person: "S"},
		Event{At: at(2024, 3, 1, 10, 0), Kind: "A13", Case: "J", CaseKind: casegraph.CaseProsecution, Person: "S"},
	)
	now := at(2024, 3, 3, 0, 0)
	wantClock(t, clockOf(t, s, now, "T27", "S"), Running, date(2024, 3, 11))
	if c := clockOf(t, s, now, "T35", ""); c.Status != Paused || !c.Custody {
		t.Errorf("T35 while T27 runs: %s custody=%v", c.Status, c.Custody)
	}
	apply(t, s, Event{At: at(2024, 3, 6, 10, 0), Kind: EventArrested, Case: "J", Person: "S"})
	wantClock(t, clockOf(t, s, at(2024, 3, 7, 0, 0), "T35", ""), Running, date(2024, 4, 6)) // 清明, but in custody
	for _, c := range s.Clocks(at(2024, 3, 7, 0, 0)) {
		if c.Rule == "T28" || c.Rule == "T15" {
			t.Errorf("%s runs outside the investigation", c.Rule)
		}
	}
}

func TestExtensions(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating},
		Event{At: at(2024, 1, 2, 10, 0), Kind: EventDetained, Person: "S"},
		Event{At: at(2024, 1, 2, 11, 0), Kind: EventDetained, Person: "T"},
	)
	refused(t, s, Event{At: at(2024, 1, 3, 0, 0), Kind: EventExtensionGranted, Rule: "T15.1"}, casegraph.EINVALID, "有2个正在计算的提请批准逮捕期限")
	refused(t, s, Event{At: at(2024, 1, 3, 0, 0), Kind: EventExtensionGranted, Rule: "T15.1", Person: "S", Amount: &Limit{5, Days}}, casegraph.EINVALIDTRANSITION, "最多四日")
	refused(t, s, Event{At: at(2024, 1, 3, 0, 0), Kind: EventExtensionGranted, Rule: "T15.1", Person: "S", Amount: &Limit{1, Months}}, casegraph.EINVALIDTRANSITION, "最多四日")
	refused(t, s, Event{At: at(2024, 1, 3, 0, 0), Kind: EventExtensionGranted, Rule: "T99.1"}, casegraph.EINVALID, "未知的延长规则")
	refused(t, s, Event{At: at(2024, 1, 3, 0, 0), Kind: EventExtensionGranted, Rule: "T28.1", Person: "S"}, casegraph.EINVALIDTRANSITION, "没有正在计算的侦查羁押期限")
	apply(t, s, Event{At: at(2024, 1, 3, 0, 0), Kind: EventExtensionGranted, Rule: "T15.1", Person: "S", Amount: &Limit{2, Days}})
	wantClock(t, clockOf(t, s, at(2024, 1, 3, 1, 0), "T15", "S"), Running, date(2024, 1, 7))
	refused(t, s, Event{At: at(2024, 1, 4, 0, 0), Kind: EventExtensionGranted, Rule: "T15.1", Person: "S"}, casegraph.EINVALIDTRANSITION, "以一次为限")
	// T's period ended on 5 January: too late to extend, and overdue custody is a red flag (R01).
	refused(t, s, Event{At: at(2024, 1, 6, 0, 0), Kind: EventExtensionGranted, Rule: "T15.2", Person: "T"}, casegraph.EINVALIDTRANSITION,
		"提请批准逮捕期限已于2024年1月5日届满，届满后不能再延长")
	var r01 []Flag
	for _, f := range s.Flags(at(2024, 1, 6, 0, 0)) {
		if f.Rule == "R01" {
			r01 = append(r01, f)
		}
	}
	if len(r01) != 1 || r01[0].Clock != "T15" || r01[0].Person != "T" || r01[0].Past {
		t.Errorf("超期羁押 flags = %+v", r01)
	}

	apply(t, s, Event{At: at(2024, 1, 6, 1, 0), Kind: EventArrested, Person: "S"})
	refused(t, s, Event{At: at(2024, 1, 7, 0, 0), Kind: EventExtensionGranted, Rule: "T29", Person: "S"}, casegraph.EINVALIDTRANSITION,
		"不能重大复杂案件延长二个月：须先经案情复杂延长一个月（刑事诉讼法第一百五十八条；《公安机关办理刑事案件程序规定》第一百四十九条）")
	apply(t, s,
		Event{At: at(2024, 3, 1, 0, 0), Kind: EventExtensionGranted, Rule: "T28.1", Person: "S"},
		Event{At: at(2024, 4, 1, 0, 0), Kind: EventExtensionGranted, Rule: "T29", Person: "S"}, // by its own row's ID
		Event{At: at(2024, 6, 1, 0, 0), Kind: EventExtensionGranted, Rule: "T28.3", Person: "S"},
	)
	c := clockOf(t, s, at(2024, 6, 2, 0, 0), "T28", "S")
	wantClock(t, c, Running, date(2024, 8, 6))
	if len(c.Extensions) != 3 || c.Extensions[1].Extension != "T28.2" || c.Extensions[1].Approver != "省、自治区、直辖市人民检察院（批准或者决定）" || len(c.Options) != 0 {
		t.Errorf("T28 grants %+v options %+v", c.Extensions, c.Options)
	}
}

func TestArrestReviewOfSuspectNotDetained(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating},
		Event{At: at(2024, 9, 16, 10, 0), Kind: "A08", Person: "S"},
	)
	c := clockOf(t, s, at(2024, 9, 17, 0, 0), "T16b", "")
	wantClock(t, c, Running, date(2024, 10, 8)) // 15 days → 1 Oct → 8 Oct
	apply(t, s,
		Event{At: at(2024, 9, 20, 10, 0), Kind: "A10"},
		Event{At: at(2024, 9, 22, 10, 0), Kind: "A11", Variant: "RECONSIDERATION"},
		Event{At: at(2024, 10, 9, 10, 0), Kind: "A11", Variant: "REVIEW"},
	)
	if c := clockOf(t, s, at(2024, 10, 10, 0, 0), "T74", ""); c.Status != Stopped || c.StoppedBy != "A11" {
		t.Errorf("T74 after 复议: %s by %s", c.Status, c.StoppedBy)
	}
}

func TestProbationAmount(t *testing.T) {
	s := newState()
	apply(t, s, Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageProsecutionReview})
	refused(t, s, Event{At: at(2024, 3, 31, 0, 0), Kind: "A22", Amount: &Limit{13, Months}}, casegraph.EINVALIDTRANSITION,
		"附条件不起诉考验期的期限为六个月以上十二个月以下")
	apply(t, s, Event{At: at(2024, 3, 31, 0, 0), Kind: "A22", Amount: &Limit{8, Months}})
	// 8 months from the last day of March: the last day of November, a Saturday;
	// the 考验期 is no custody period, so it ends on Monday 2 December.
	wantClock(t, clockOf(t, s, at(2024, 4, 1, 0, 0), "T45", ""), Running, date(2024, 12, 2))
}

func TestBailRenewal(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating},
		Event{At: at(2024, 1, 10, 10, 0), Kind: EventBail, Person: "S"},
	)
	wantClock(t, clockOf(t, s, at(2024, 1, 11, 0, 0), "T23", "S"), Running, date(2025, 1, 10))
	// The procuratorate decides anew: the period is recalculated (SPP 103).
	apply(t, s, Event{At: at(2024, 6, 3, 10, 0), Kind: EventBail, Person: "S"})
	c := clockOf(t, s, at(2024, 6, 4, 0, 0), "T23", "S")
	wantClock(t, c, Running, date(2025, 6, 3))
	if len(c.Restarts) != 1 || c.Restarts[0].Rule != "T23" {
		t.Errorf("T23 restarts %+v", c.Restarts)
	}
	refused(t, s, Event{At: at(2024, 6, 5, 0, 0), Kind: EventResidence, Person: "S"}, casegraph.EINVALIDTRANSITION,
		"不能从 BAIL 进入 RESIDENCE：监视居住只能由未采取强制措施、传唤、拘传、监视居住、指定居所监视居住、刑事拘留、逮捕（羁押）转入")
	// Overdue 取保候审 raises R02.
	if fl := s.Flags(at(2025, 6, 5, 0, 0)); len(fl) != 1 || fl[0].Rule != "R02" {
		t.Errorf("flags = %+v", fl)
	}
	apply(t, s, Event{At: at(2024, 7, 1, 0, 0), Kind: EventReleased, Person: "S"})
	if c := clockOf(t, s, at(2024, 7, 2, 0, 0), "T23", "S"); c.Status != Stopped || s.Person("S").Custody != Free {
		t.Errorf("after release: %s, %s", c.Status, s.Person("S").Custody)
	}
}

func TestStatusesAndFlags(t *testing.T) {
	s := newState()
	apply(t, s,
		Event{At: at(2024, 6, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating},
		Event{At: at(2024, 6, 3, 10, 0), Kind: EventArrested, Person: "S"},
		Event{At: at(2024, 6, 20, 10, 0), Kind: "A12"},
		Event{At: at(2024, 7, 5, 10, 0), Kind: "A14"},
	)
	for _, tc := range []struct {
		now    time.Time
		status Status
	}{
		{at(2024, 7, 20, 0, 0), Running},
		{at(2024, 8, 4, 0, 0), DueSoon}, // T38 ends with 5 August: two days left
		{at(2024, 8, 5, 23, 59), DueSoon},
		{at(2024, 8, 6, 0, 0), Overdue},
	} {
		if c := clockOf(t, s, tc.now, "T38", ""); c.Status != tc.status {
			t.Errorf("%s: T38 %s, want %s", tc.now.Format(time.DateTime), c.Status, tc.status)
		}
	}
	got := map[string]bool{}
	for _, f := range s.Flags(at(2024, 8, 10, 0, 0)) {
		got[f.Rule+"/"+f.Clock] = true
	}
	if !got["R15/T38"] || !got["R01/T38"] || len(got) != 3 || !got["R12/T20"] {
		t.Errorf("flags: %v (want 退查期满不重新移送, 超期羁押 and the un-notified family)", got)
	}
	// Returned late: the breach stays on record as a past flag.
	apply(t, s, Event{At: at(2024, 8, 12, 10, 0), Kind: "A15"})
	if c := clockOf(t, s, at(2024, 8, 13, 0, 0), "T38", ""); c.Status != Stopped || !c.Late {
		t.Errorf("T38 returned late: %s late=%v", c.Status, c.Late)
	}
	past := 0
	for _, f := range s.Flags(at(2024, 8, 13, 0, 0)) {
		if f.Past && f.Clock == "T38" {
			past++
		}
	}
	if past != 2 {
		t.Errorf("%d past flags for T38, want R01 and R15", past)
	}
	// A window that runs out is EXPIRED, not OVERDUE, and raises nothing.
	w := newState()
	apply(t, w,
		Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageFirstInstance},
		Event{At: at(2024, 12, 2, 10, 0), Kind: "A32", Variant: "RULING"},
	)
	c := clockOf(t, w, at(2024, 12, 10, 0, 0), "T57", "")
	if c.Status != Expired || c.SubLimit != "ruling" || !c.Deadline.Due.Equal(date(2024, 12, 9)) {
		t.Errorf("T57 ruling: %s %s due %s", c.Status, c.SubLimit, c.Deadline.Due)
	}
	if len(w.Flags(at(2024, 12, 10, 0, 0))) != 0 {
		t.Error("an expired window raised a flag")
	}
	apply(t, w, Event{At: at(2024, 12, 10, 0, 0), Kind: "A35"})
	wantClock(t, clockOf(t, w, at(2024, 12, 11, 0, 0), "T68", ""), Running, date(2024, 12, 20))
}

func TestReplay(t *testing.T) {
	e := NewEngine(nil, nil)
	events := []Event{
		{At: at(2024, 3, 4, 10, 0), Kind: "A03"},
		{At: at(2024, 3, 1, 9, 0), Kind: EventCaseReceived},
		{At: at(2024, 3, 2, 10, 0), Kind: "A01"},
	}
	s, err := e.Replay(events)
	if err != nil || s.Stage() != casegraph.StageInvestigating {
		t.Fatalf("Replay: %v, stage %s", err, s.Stage())
	}
	events = append(events, Event{At: at(2024, 3, 5, 0, 0), Kind: "A17"})
	s, err = e.Replay(events)
	var ce *casegraph.Error
	if !errors.As(err, &ce) || ce.Code != casegraph.EINVALIDTRANSITION || !strings.HasPrefix(err.Error(), "Replay: event 3 (A17 at 2024-03-05 00:00:00)") {
		t.Errorf("Replay error = %v", err)
	}
	if s.Stage() != casegraph.StageInvestigating {
		t.Errorf("state before the bad event: %s", s.Stage())
	}
	if casegraph.ErrorCode(err) != casegraph.EINVALIDTRANSITION || !strings.Contains(casegraph.ErrorMessage(err), "提起公诉只能在审查起诉阶段作出") {
		t.Errorf("code %s message %s", casegraph.ErrorCode(err), casegraph.ErrorMessage(err))
	}
}

// TestEveryTransitionCanBeTaken opens a history in each transition's first
// from-stage and takes it, so no transition of the data is dead.
func TestEveryTransitionCanBeTaken(t *testing.T) {
	r := DefaultRules()
	for _, tr := range r.Transitions {
		s := newState()
		when := at(2024, 1, 10, 0, 0)
		if len(tr.From) > 0 {
			apply(t, s, Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: tr.From[0]})
		}
		ev := Event{At: when, Kind: tr.ID, To: tr.To[0]}
		if len(tr.Variants) > 0 {
			ev.Variant = tr.Variants[0]
		}
		switch tr.ID {
		case "A11":
			apply(t, s, Event{At: at(2024, 1, 1, 0, 0), Kind: "A08"}, Event{At: at(2024, 1, 2, 0, 0), Kind: "A10"})
		case "A29":
			ev.Variant = "SUSPENDED"
		case "A30":
			s = newState()
			apply(t, s, Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageTrialIntake}, Event{At: at(2024, 1, 2, 0, 0), Kind: "A27", Variant: "SUMMARY"})
		}
		if err := s.Apply(ev); err != nil {
			t.Errorf("%s: %v", tr.ID, err)
		}
	}
	for _, ct := range r.CustodyTransitions {
		s := newState()
		apply(t, s, Event{At: at(2024, 1, 1, 0, 0), Kind: EventOpened, To: casegraph.StageInvestigating})
		from := ct.From[0]
		if from != Free {
			kind := map[CustodyState]string{Summoned: EventSummoned, Bail: EventBail, Residence: EventResidence,
				DesignatedResidence: EventDesignatedResidence, Detained: EventDetained, Arrested: EventArrested}[from]
			apply(t, s, Event{At: at(2024, 1, 2, 0, 0), Kind: kind, Person: "S"})
		}
		if err := s.Apply(Event{At: at(2024, 1, 3, 0, 0), Kind: ct.ID, Person: "S", Custody: ct.To[len(ct.To)-1]}); err != nil {
			t.Errorf("%s: %v", ct.ID, err)
		}
	}
}
