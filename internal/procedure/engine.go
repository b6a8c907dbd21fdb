package procedure

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/casegraph/casegraph"
)

// Named event kinds. An Event's Kind is one of these or the ID of a
// transition of machine A (A01–A45) or machine B (B01–B10).
const (
	EventCaseReceived        = "CASE_RECEIVED"        // 受案: opens a police case history
	EventOpened              = "OPENED"               // a history whose beginning is not on record, at Event.To
	EventSummoned            = "SUMMONED"             // 传唤、拘传
	EventBail                = "BAIL"                 // 取保候审
	EventResidence           = "RESIDENCE"            // 监视居住
	EventDesignatedResidence = "DESIGNATED_RESIDENCE" // 指定居所监视居住
	EventDetained            = "DETAINED"             // 刑事拘留
	EventArrested            = "ARRESTED"             // 逮捕 (executed)
	EventReleased            = "RELEASED"             // 释放
	EventImprisoned          = "IMPRISONED"           // 送交监狱执行刑罚
	EventAppraisalStarted    = "APPRAISAL_STARTED"    // 精神病鉴定 begins (T33)
	EventAppraisalEnded      = "APPRAISAL_ENDED"
	EventTrialSuspended      = "TRIAL_SUSPENDED" // 中止审理 (A29, T52)
	EventTrialResumed        = "TRIAL_RESUMED"
	EventTrialDeferred       = "TRIAL_DEFERRED"      // 延期审理 for 补充侦查 (A29, T51)
	EventSupplementReturned  = "SUPPLEMENT_RETURNED" // 补充侦查完毕移送人民法院 (A29, T50)
	EventFileReviewStarted   = "FILE_REVIEW_STARTED" // 二审检察院阅卷 (T61)
	EventFileReviewEnded     = "FILE_REVIEW_ENDED"
	EventJurisdictionChanged = "JURISDICTION_CHANGED" // 改变管辖 (T37, T50)
	EventOtherCrimeFound     = "OTHER_CRIME_FOUND"    // 发现另有重要罪行 (T32)
	EventIdentityEstablished = "IDENTITY_ESTABLISHED" // 查清身份 (T32, CPL 160(2))
	EventExtensionGranted    = "EXTENSION_GRANTED"    // 批准延长: Rule, Approver, Amount
	EventComplied            = "COMPLIED"             // the act a duty demands was done: Rule
)

// Event is one thing that happened in a case history (案件流转).
type Event struct {
	At         time.Time          // when; periods count from the day (or hour) in China
	Kind       string             // a transition ID (A12, B05) or a named event
	Case       string             // the case the act is recorded on
	CaseKind   casegraph.CaseKind // its kind, when first named
	ToCase     string             // for a handover (移送): the receiving case
	ToCaseKind casegraph.CaseKind
	To         casegraph.Stage // the target, when a transition has several (A23, A24, A40, A44), and for OPENED
	Person     string          // the suspect or defendant of a custody event or a per-person clock
	Custody    CustodyState    // the target of a machine-B transition ID with several (B03, B06, B07, B08)
	Variant    string          // ORDINARY/EXPEDITED (A12), SUMMARY (A27), RULING (A32), FACTS/PROCEDURE (A38) …
	Rule       string          // EXTENSION_GRANTED: T28.1 or T29; COMPLIED: T14
	Approver   string          // EXTENSION_GRANTED: who approved
	Amount     *Limit          // EXTENSION_GRANTED: the length granted; A22: the 考验期
}

// Status is the state of a clock at a given time.
type Status string

// Clock statuses.
const (
	Running Status = "RUNNING"
	DueSoon Status = "DUE_SOON" // the end is near: 7 days for periods in months, 2 days for days, 4 hours for hours
	Overdue Status = "OVERDUE"  // a duty's period has run out while the clock still runs
	Expired Status = "EXPIRED"  // a window has run out (no breach)
	Paused  Status = "PAUSED"   // a period not counted is under way
	Stopped Status = "STOPPED"
)

// Engine applies events to case histories under a set of rules and a calendar.
type Engine struct {
	Rules    *Rules
	Calendar *Calendar
}

// NewEngine returns an engine; nil rules or calendar mean the embedded ones.
func NewEngine(rules *Rules, cal *Calendar) *Engine {
	if rules == nil {
		rules = DefaultRules()
	}
	if cal == nil {
		cal = DefaultCalendar()
	}
	return &Engine{Rules: rules, Calendar: cal}
}

// CaseState is the stage of one case of the history: the stage of the
// matter when that case last acted or received it.
type CaseState struct {
	UID   string
	Kind  casegraph.CaseKind
	Stage casegraph.Stage
	Since time.Time
}

// PersonState is a person's custody status (machine B).
type PersonState struct {
	UID     string
	Custody CustodyState
	Since   time.Time
}

// Restart is one recalculation (重新计算) of a clock.
type Restart struct {
	At            time.Time `json:"at"`
	Rule          string    `json:"rule"` // the rule that recalculates: T38, T32, T50, T62 …
	Citation      string    `json:"citation"`
	PreviousStart time.Time `json:"previousStart"`
	PreviousDue   time.Time `json:"previousDue,omitempty"`
}

// Clock is a running or finished time limit of the history as seen at a
// given time.
type Clock struct {
	ID         int
	Rule       string // T15
	Title      string
	SubLimit   string // the sub-limit counted, e.g. "ruling" of T57
	Article    string
	Citation   string
	Kind       ClockKind
	Case       string
	Person     string
	Start      time.Time
	Limit      *Limit // nil for a period without a number (T33, T52)
	Custody    bool   // counted as a custody period (no holiday roll-over)
	Extensions []Grant
	Pauses     []Pause
	Restarts   []Restart
	Deadline   *Deadline // nil without a limit
	Status     Status
	StoppedAt  time.Time
	StoppedBy  string
	Late       bool        // a duty stopped after its end
	Options    []Extension // extensions that may still be granted
}

// Step is a legal next transition from the current state.
type Step struct {
	Machine   string // "A" (the case) or "B" (a person's custody)
	Rule      string // A14, B05
	Name      string
	Person    string // machine B
	From      string
	To        []string
	Variants  []string
	Actor     string
	Condition string
	Article   string
	Citation  string
	Note      string
}

// Flag is a red flag (§5.2) raised by a clock.
type Flag struct {
	Rule     string // R01
	Name     string
	Article  string
	Citation string
	Clock    string // the time limit breached
	Case     string
	Person   string
	Due      time.Time
	Past     bool // the clock has stopped, late: a breach that happened
}

type clock struct {
	id        int
	rule      *TimeLimit
	sub       string
	kind      ClockKind
	limit     *Limit
	caseUID   string
	person    string
	start     time.Time
	custody   bool
	grants    []Grant
	pauses    []pause
	restarts  []Restart
	stopped   bool
	stoppedAt time.Time
	stoppedBy string
}

type pause struct {
	Pause
	pauser int
}

type applied struct {
	id, variant string
	from, to    casegraph.Stage
	at          time.Time
}

// State is a case history after some events: the stage of the matter and of
// each case, the custody of each person and every clock.
type State struct {
	e           *Engine
	started     bool
	stage       casegraph.Stage
	stageIdx    int // index in history at which the current stage was entered
	cases       map[string]*CaseState
	caseOrder   []string
	people      map[string]*PersonState
	personOrder []string
	clocks      []*clock
	history     []applied
	last        time.Time
	nextID      int
}

// NewState returns an empty case history.
func (e *Engine) NewState() *State {
	return &State{e: e, cases: map[string]*CaseState{}, people: map[string]*PersonState{}}
}

// Replay applies events in time order (events at the same time keep their
// order). On an illegal event it returns the state before that event and the
// error, wrapped with the event's position; the cause is a *casegraph.Error.
func (e *Engine) Replay(events []Event) (*State, error) {
	idx := make([]int, len(events))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return events[idx[a]].At.Before(events[idx[b]].At) })
	s := e.NewState()
	for _, i := range idx {
		ev := events[i]
		if err := s.Apply(ev); err != nil {
			return s, fmt.Errorf("Replay: event %d (%s at %s): %w", i, ev.Kind, ev.At.In(China).Format(time.DateTime), err)
		}
	}
	return s, nil
}

// Apply applies one event. An event the procedure does not allow returns a
// *casegraph.Error with code EINVALIDTRANSITION whose message cites the law in
// Chinese; a malformed event one with code EINVALID. Either way the state is
// unchanged.
func (s *State) Apply(ev Event) error {
	n := s.clone()
	if err := n.apply(ev); err != nil {
		return err
	}
	*s = *n
	return nil
}

// Stage is the stage of the matter (machine A); "" before the first event.
func (s *State) Stage() casegraph.Stage { return s.stage }

// Cases lists the cases named by events, in the order first named.
func (s *State) Cases() []CaseState {
	out := make([]CaseState, 0, len(s.caseOrder))
	for _, uid := range s.caseOrder {
		out = append(out, *s.cases[uid])
	}
	return out
}

// Case returns the state of one case.
func (s *State) Case(uid string) (CaseState, bool) {
	c, ok := s.cases[uid]
	if !ok {
		return CaseState{}, false
	}
	return *c, true
}

// People lists the persons named by events, in the order first named.
func (s *State) People() []PersonState {
	out := make([]PersonState, 0, len(s.personOrder))
	for _, uid := range s.personOrder {
		out = append(out, *s.people[uid])
	}
	return out
}

// Person returns the custody status of one person; a person never named is FREE.
func (s *State) Person(uid string) PersonState {
	if p, ok := s.people[uid]; ok {
		return *p
	}
	return PersonState{UID: uid, Custody: Free}
}

// SupplementaryRounds is how many times the case was returned for
// supplementary investigation (退回补充侦查, A14).
func (s *State) SupplementaryRounds() int { return s.count("A14", "", 0) }

func (s *State) rules() *Rules { return s.e.Rules }

func (s *State) clone() *State {
	n := *s
	n.cases = make(map[string]*CaseState, len(s.cases))
	for k, v := range s.cases {
		c := *v
		n.cases[k] = &c
	}
	n.caseOrder = append([]string(nil), s.caseOrder...)
	n.people = make(map[string]*PersonState, len(s.people))
	for k, v := range s.people {
		p := *v
		n.people[k] = &p
	}
	n.personOrder = append([]string(nil), s.personOrder...)
	n.clocks = make([]*clock, len(s.clocks))
	for i, c := range s.clocks {
		cc := *c
		cc.grants = append([]Grant(nil), c.grants...)
		cc.pauses = append([]pause(nil), c.pauses...)
		cc.restarts = append([]Restart(nil), c.restarts...)
		n.clocks[i] = &cc
	}
	n.history = append([]applied(nil), s.history...)
	return &n
}

func invalid(format string, args ...any) error {
	return casegraph.Errorf(casegraph.EINVALID, format, args...)
}

// refuse is the error of a transition the law does not allow.
func refuse(from, to, reason, citation string) error {
	return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "不能从 %s 进入 %s：%s（%s）", from, to, reason, citation)
}

func (s *State) fromLabel() string {
	if !s.started {
		return "（尚未开始）"
	}
	return string(s.stage)
}

func (s *State) apply(ev Event) error {
	if ev.At.IsZero() {
		return invalid("%s：缺少事件时间", ev.Kind)
	}
	at := ev.At.In(China)
	if !s.last.IsZero() && at.Before(s.last) {
		return invalid("%s：事件时间%s早于上一事件（%s），事件须按时间顺序记录", ev.Kind, fmtInstant(at), fmtInstant(s.last))
	}
	if err := s.noteCase(ev.Case, ev.CaseKind); err != nil {
		return err
	}
	if err := s.noteCase(ev.ToCase, ev.ToCaseKind); err != nil {
		return err
	}
	r := s.rules()
	var err error
	switch {
	case r.Transition(ev.Kind) != nil:
		err = s.transition(ev, at, r.Transition(ev.Kind), ev.Variant, "")
	case r.CustodyTransition(ev.Kind) != nil:
		ct := r.CustodyTransition(ev.Kind)
		switch {
		case ev.Custody != "":
			err = s.custody(ev, at, ev.Custody, ct)
		case len(ct.To) == 1:
			err = s.custody(ev, at, ct.To[0], ct)
		default:
			err = invalid("%s：须在 Custody 写明转入的强制措施（%s）", ct.ID, joinStates(ct.To, "、"))
		}
	case r.Event(ev.Kind) != nil:
		err = s.named(ev, at, r.Event(ev.Kind))
	default:
		err = invalid("未知的事件类型 %q", ev.Kind)
	}
	if err != nil {
		return err
	}
	s.last = at
	s.sync(at)
	return nil
}

func (s *State) noteCase(uid string, kind casegraph.CaseKind) error {
	if uid == "" {
		return nil
	}
	if kind != "" && !contains(casegraph.CaseKinds, kind) {
		return invalid("案件 %s：未知的案件类型 %q", uid, kind)
	}
	c, ok := s.cases[uid]
	if !ok {
		s.cases[uid] = &CaseState{UID: uid, Kind: kind}
		s.caseOrder = append(s.caseOrder, uid)
		return nil
	}
	if kind != "" && c.Kind != "" && c.Kind != kind {
		return invalid("案件 %s 已记录为 %s，不能改为 %s", uid, c.Kind, kind)
	}
	if c.Kind == "" {
		c.Kind = kind
	}
	return nil
}

func (s *State) setCases(ev Event, at time.Time) {
	for _, uid := range []string{ev.Case, ev.ToCase} {
		if c, ok := s.cases[uid]; ok {
			c.Stage, c.Since = s.stage, at
		}
	}
}

func (s *State) stageName(code casegraph.Stage) string {
	if st := s.rules().Stage(code); st != nil {
		return st.Name
	}
	return string(code)
}

func (s *State) stageNames(codes []casegraph.Stage) string {
	var names []string
	for _, c := range codes {
		names = append(names, s.stageName(c))
	}
	return strings.Join(names, "或")
}

// count is how many times transition id (of the variant, if given) was taken
// since history index from.
func (s *State) count(id, variant string, from int) int {
	n := 0
	for _, h := range s.history[from:] {
		if h.id == id && (variant == "" || h.variant == variant) {
			n++
		}
	}
	return n
}

// transition applies a machine-A transition. label names the event for
// messages when it came as a named event (恢复审理).
func (s *State) transition(ev Event, at time.Time, t *Transition, variant, label string) error {
	name := t.Name
	if label != "" {
		name = label
	}
	to := ev.To
	if to == "" && len(t.To) == 1 {
		to = t.To[0]
	}
	toLabel := string(to)
	if to == "" {
		toLabel = joinStages(t.To, "/")
	}
	if len(t.From) == 0 {
		if s.started {
			return refuse(s.fromLabel(), toLabel, name+"开始一个新的案件流程，只能是第一项记录", t.AuthorityCitation)
		}
	} else if !s.started || !contains(t.From, s.stage) {
		return refuse(s.fromLabel(), toLabel, fmt.Sprintf("%s只能在%s阶段作出", name, s.stageNames(t.From)), t.AuthorityCitation)
	}
	if to == "" {
		return invalid("%s：须在 To 写明进入的阶段（%s）", t.ID, joinStages(t.To, "、"))
	}
	if !contains(t.To, to) {
		return invalid("%s：只能进入 %s，不能进入 %s", t.ID, joinStages(t.To, "、"), to)
	}
	if variant == "" {
		if t.VariantRequired {
			return invalid("%s：须写明 Variant（%s）", t.ID, strings.Join(t.Variants, "、"))
		}
		if len(t.Variants) > 0 {
			variant = t.Variants[0]
		}
	} else if !contains(t.Variants, variant) {
		if len(t.Variants) == 0 {
			return invalid("%s 没有 Variant，不能是 %q", t.ID, variant)
		}
		return invalid("%s 的 Variant 只能是 %s，不能是 %q", t.ID, strings.Join(t.Variants, "、"), variant)
	}
	if err := s.guards(t, variant, at, to, name); err != nil {
		return err
	}
	from := s.stage
	s.history = append(s.history, applied{id: t.ID, variant: variant, from: from, to: to, at: at})
	s.started = true
	s.stage = to
	if to != from {
		s.stageIdx = len(s.history) - 1
	}
	s.setCases(ev, at)
	stopped, err := s.effects(ev, at, []string{t.ID, ev.Kind}, variant, t.Starts, t.Stops)
	if err != nil {
		return err
	}
	if from == to && !stopped && s.needsRunning(t, variant) {
		var titles []string
		var cite string
		for _, st := range t.Stops {
			if st.Variant == "" || st.Variant == variant {
				l := s.rules().Limit(st.Rule)
				titles = append(titles, l.Title)
				if cite == "" {
					cite = l.Citation
				}
			}
		}
		return refuse(string(from), string(to), fmt.Sprintf("%s须有正在计算的%s", name, strings.Join(titles, "或")), cite)
	}
	return nil
}

// needsRunning reports whether an in-stage transition only makes sense while
// a clock it stops runs: 恢复审理 needs a 中止, 补充侦查完毕移送 a 延期审理,
// 转为普通程序 a 简易 or 速裁 period. That is so when its variant stops clocks.
func (s *State) needsRunning(t *Transition, variant string) bool {
	for _, st := range t.Stops {
		if st.Variant == "" || st.Variant == variant {
			return true
		}
	}
	return false
}

// guards checks the caps, the order and the windows of a transition.
func (s *State) guards(t *Transition, variant string, at time.Time, to casegraph.Stage, name string) error {
	from := s.fromLabel()
	for _, c := range t.Caps {
		if c.Variant != "" && c.Variant != variant {
			continue
		}
		since := 0
		if c.Scope == "STAGE" {
			since = s.stageIdx
		}
		if n := s.count(t.ID, c.Variant, since); n >= c.Max {
			return refuse(from, string(to), fmt.Sprintf("%s，本案已%s%s次", c.Text, name, Numeral(n)), MustCitation(c.Article))
		}
	}
	if len(t.After) > 0 {
		if len(s.history) == 0 || !contains(t.After, s.history[len(s.history)-1].id) {
			var names []string
			for _, a := range t.After {
				if a != t.ID {
					names = append(names, s.rules().Transition(a).Name)
				}
			}
			return refuse(from, string(to), fmt.Sprintf("%s只能针对%s的决定提出", name, strings.Join(names, "、")), MustCitation(t.AfterArticle))
		}
	}
	if t.NotBefore != "" {
		if c := s.latest(t.NotBefore); c != nil && !c.stopped && c.limit != nil {
			d := s.deadline(c, at)
			if at.Before(d.End) {
				return refuse(from, string(to), fmt.Sprintf("%s至%s届满，届满前不能进入%s阶段", c.rule.Title, fmtDate(d.Due), s.stageName(to)), MustCitation(t.NotBeforeArticle))
			}
		}
	}
	return nil
}

func (s *State) latest(rule string) *clock {
	for i := len(s.clocks) - 1; i >= 0; i-- {
		if s.clocks[i].rule.ID == rule {
			return s.clocks[i]
		}
	}
	return nil
}

// custody applies a machine-B transition to ev.Person.
func (s *State) custody(ev Event, at time.Time, target CustodyState, only *CustodyTransition) error {
	r := s.rules()
	if ev.Person == "" {
		return invalid("%s：须写明人员（Person）", ev.Kind)
	}
	if r.CustodyState(target) == nil {
		return invalid("%s：未知的强制措施状态 %q", ev.Kind, target)
	}
	p := s.people[ev.Person]
	if p == nil {
		p = &PersonState{UID: ev.Person, Custody: Free}
	}
	if target != Free && s.started && (s.stage == casegraph.StageReceived || s.stage == casegraph.StageFilingReview) {
		return refuse(string(p.Custody), string(target), "立案审查期间不得对被调查对象采取强制措施", MustCitation("MPS 174(2)"))
	}
	var cands []*CustodyTransition
	if only != nil {
		cands = []*CustodyTransition{only}
	} else {
		for i := range r.CustodyTransitions {
			if contains(r.CustodyTransitions[i].To, target) {
				cands = append(cands, &r.CustodyTransitions[i])
			}
		}
	}
	var ct *CustodyTransition
	for _, c := range cands {
		if contains(c.From, p.Custody) && contains(c.To, target) {
			ct = c
			break
		}
	}
	if ct == nil {
		var from []CustodyState
		for _, c := range cands {
			for _, f := range c.From {
				if !contains(from, f) {
					from = append(from, f)
				}
			}
		}
		cite := ""
		if len(cands) > 0 {
			cite = cands[0].AuthorityCitation
		}
		return refuse(string(p.Custody), string(target), fmt.Sprintf("%s只能由%s转入", r.CustodyState(target).Name, s.custodyNames(from)), cite)
	}
	if _, ok := s.people[ev.Person]; !ok {
		s.people[ev.Person] = p
		s.personOrder = append(s.personOrder, ev.Person)
	}
	p.Custody, p.Since = target, at
	names := []string{ct.ID, ev.Kind}
	for _, e := range r.Events {
		if e.Custody == target {
			names = append(names, e.Kind)
		}
	}
	_, err := s.effects(ev, at, names, "", ct.Starts, nil)
	return err
}

func (s *State) custodyNames(states []CustodyState) string {
	var names []string
	for _, c := range states {
		names = append(names, s.rules().CustodyState(c).Name)
	}
	return strings.Join(names, "、")
}

// named applies a named event.
func (s *State) named(ev Event, at time.Time, e *EventRule) error {
	r := s.rules()
	switch {
	case e.Kind == EventCaseReceived:
		if s.started {
			return refuse(s.fromLabel(), string(casegraph.StageReceived), "受案开始一个新的案件流程，只能是第一项记录", e.Citation)
		}
		variant := ev.Variant
		if variant == "" {
			variant = e.Variants()[0]
		} else if !contains(e.Variants(), variant) {
			return invalid("%s 的 Variant 只能是 %s，不能是 %q", e.Kind, strings.Join(e.Variants(), "、"), variant)
		}
		s.started, s.stage, s.stageIdx = true, casegraph.StageReceived, 0
		s.setCases(ev, at)
		_, err := s.effects(ev, at, []string{e.Kind}, variant, e.Starts, nil)
		return err
	case e.Kind == EventOpened:
		if s.started {
			return invalid("OPENED 只能是案件流程的第一项记录")
		}
		if !ev.To.Valid() {
			return invalid("OPENED：须在 To 写明阶段，%q 不是阶段", ev.To)
		}
		s.started, s.stage, s.stageIdx = true, ev.To, 0
		s.setCases(ev, at)
		return nil
	case e.Kind == EventExtensionGranted:
		return s.extend(ev, at)
	case e.Kind == EventComplied:
		if r.Limit(ev.Rule) == nil {
			return invalid("COMPLIED：未知的期限规则 %q", ev.Rule)
		}
		n := s.stopWhere(at, e.Kind, func(c *clock) bool {
			return c.rule.ID == ev.Rule && (ev.Person == "" || c.person == "" || c.person == ev.Person)
		})
		if n == 0 {
			return invalid("COMPLIED：没有正在计算的%s（%s）", r.Limit(ev.Rule).Title, ev.Rule)
		}
		return nil
	case e.Transition != "":
		if ev.Variant != "" && ev.Variant != e.Variant {
			return invalid("%s 的 Variant 是 %s，不能是 %q", e.Kind, e.Variant, ev.Variant)
		}
		return s.transition(ev, at, r.Transition(e.Transition), e.Variant, e.Name)
	case e.Custody != "":
		return s.custody(ev, at, e.Custody, nil)
	}
	if len(e.Stages) > 0 && !contains(e.Stages, s.stage) {
		return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "不能在 %s 阶段%s：只能在%s阶段（%s）", s.fromLabel(), e.Name, s.stageNames(e.Stages), e.Citation)
	}
	stopped, err := s.effects(ev, at, []string{e.Kind}, "", e.Starts, e.Stops)
	if err != nil {
		return err
	}
	if len(e.Stops) > 0 && len(e.Starts) == 0 && !stopped {
		var titles []string
		for _, st := range e.Stops {
			titles = append(titles, r.Limit(st.Rule).Title)
		}
		return invalid("%s：没有正在计算的%s", e.Name, strings.Join(titles, "或"))
	}
	return nil
}

// Variants lists an event's variants; the first is the default.
func (e *EventRule) Variants() []string {
	if len(e.VariantList) == 0 {
		return []string{""}
	}
	return e.VariantList
}

// extend grants an extension on the running clock it belongs to.
func (s *State) extend(ev Event, at time.Time) error {
	r := s.rules()
	owner := r.ExtensionOwner(ev.Rule)
	if owner == nil {
		return invalid("EXTENSION_GRANTED：未知的延长规则 %q", ev.Rule)
	}
	x := owner.Extension(ev.Rule)
	var cands []*clock
	for _, c := range s.clocks {
		if c.rule == owner && !c.stopped && c.sub == "" && (ev.Person == "" || c.person == ev.Person) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "不能%s：没有正在计算的%s（%s）", x.Name, owner.Title, x.Citation)
	}
	if len(cands) > 1 {
		return invalid("EXTENSION_GRANTED %s：有%d个正在计算的%s，须写明人员（Person）", ev.Rule, len(cands), owner.Title)
	}
	c := cands[0]
	if x.Requires != "" && !c.granted(x.Requires) {
		req := owner.Extension(x.Requires)
		return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "不能%s：须先经%s（%s）", x.Name, req.Name, x.Citation)
	}
	if x.MaxTimes > 0 {
		n := 0
		for _, g := range c.grants {
			if g.Extension == x.ID {
				n++
			}
		}
		if n >= x.MaxTimes {
			return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "不能%s：以%s次为限，已批准%s次（%s）", x.Name, Numeral(x.MaxTimes), Numeral(n), x.Citation)
		}
	}
	d := s.deadline(c, at)
	if !at.Before(d.End) {
		return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "不能%s：%s已于%s届满，届满后不能再延长（%s）", x.Name, owner.Title, fmtDate(d.Due), owner.Citation)
	}
	amount := x.UpTo
	if ev.Amount != nil {
		if err := ev.Amount.Valid(); err != nil {
			return invalid("EXTENSION_GRANTED %s：%v", ev.Rule, err)
		}
		if (ev.Amount.Unit == Hours) != (c.limit.Unit == Hours) {
			return invalid("EXTENSION_GRANTED %s：延长%s与期间%s的单位不一致", ev.Rule, ev.Amount, c.limit)
		}
		if x.UpTo != nil && ev.Amount.approxHours() > x.UpTo.approxHours() {
			return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "不能%s%s：最多%s（%s）", x.Name, ev.Amount, x.UpTo, x.Citation)
		}
		if x.Min != nil && ev.Amount.approxHours() < x.Min.approxHours() {
			return invalid("EXTENSION_GRANTED %s：至少%s", ev.Rule, x.Min)
		}
		amount = ev.Amount
	}
	if amount == nil {
		return invalid("EXTENSION_GRANTED %s：法律没有规定延长的期限，须在 Amount 写明", ev.Rule)
	}
	approver := ev.Approver
	if approver == "" {
		approver = x.Approver
	}
	c.grants = append(c.grants, Grant{Extension: x.ID, Mode: x.Mode, Limit: *amount, Approver: approver, At: at})
	return nil
}

func (c *clock) granted(id string) bool {
	for _, g := range c.grants {
		if g.Extension == id {
			return true
		}
	}
	return false
}

// effects stops and starts clocks after an event. names are the names the
// event goes by (its kind, its transition ID), matched against StoppedBy.
// It reports whether an explicit stop stopped a running clock.
func (s *State) effects(ev Event, at time.Time, names []string, variant string, starts []ClockStart, stops []ClockStop) (bool, error) {
	trigger := names[0]
	explicit := map[string]bool{}
	for _, st := range stops {
		if st.Variant == "" || st.Variant == variant {
			explicit[st.Rule] = true
		}
	}
	stoppedAny := false
	for _, c := range s.clocks {
		if c.stopped {
			continue
		}
		l := c.rule
		switch {
		case len(l.RunsIn) > 0 && !contains(l.RunsIn, s.stage):
			s.stop(c, at, trigger)
		case c.person != "" && len(l.WhileCustody) > 0 && !contains(l.WhileCustody, s.Person(c.person).Custody):
			s.stop(c, at, trigger)
		case c.person == "" || ev.Person == "" || c.person == ev.Person:
			for _, n := range names {
				if contains(l.StoppedBy, n) {
					s.stop(c, at, trigger)
					stoppedAny = stoppedAny || explicit[l.ID]
					break
				}
			}
		}
	}
	for _, st := range stops {
		if st.Variant != "" && st.Variant != variant {
			continue
		}
		if s.stopWhere(at, trigger, func(c *clock) bool {
			return c.rule.ID == st.Rule && (ev.Person == "" || c.person == "" || c.person == ev.Person)
		}) > 0 {
			stoppedAny = true
		}
	}
	for _, st := range starts {
		if st.Variant != "" && st.Variant != variant {
			continue
		}
		if err := s.start(ev, at, st, trigger); err != nil {
			return stoppedAny, err
		}
	}
	return stoppedAny, nil
}

func (s *State) stopWhere(at time.Time, by string, match func(*clock) bool) int {
	n := 0
	for _, c := range s.clocks {
		if !c.stopped && match(c) {
			s.stop(c, at, by)
			n++
		}
	}
	return n
}

func (s *State) stop(c *clock, at time.Time, by string) {
	c.stopped, c.stoppedAt, c.stoppedBy = true, at, by
	for i := range c.pauses {
		if c.pauses[i].Open() {
			c.pauses[i].To = at
		}
	}
}

// detained reports whether person (or, for "", anyone in the history) is in
// custody.
func (s *State) detained(person string) bool {
	if person != "" {
		return s.Person(person).Custody.InCustody()
	}
	for _, p := range s.people {
		if p.Custody.InCustody() {
			return true
		}
	}
	return false
}

func (s *State) custodyFlag(l *TimeLimit, person string) bool {
	switch l.Custody {
	case CustodyAlways:
		return true
	case CustodyIfDetained:
		if l.PerPerson && person != "" {
			return s.detained(person)
		}
		return s.detained("")
	}
	return false
}

func (s *State) start(ev Event, at time.Time, st ClockStart, trigger string) error {
	l := s.rules().Limit(st.Rule)
	if st.CaseKind != "" {
		kind := casegraph.CasePolice
		if c, ok := s.cases[ev.Case]; ok && c.Kind != "" {
			kind = c.Kind
		}
		if kind != st.CaseKind {
			return nil
		}
	}
	switch st.If {
	case "DETAINED":
		if !s.detained(ev.Person) {
			return nil
		}
	case "NOT_DETAINED":
		if s.detained(ev.Person) {
			return nil
		}
	}
	if len(l.RunsIn) > 0 && !contains(l.RunsIn, s.stage) {
		return nil
	}
	person := ""
	if l.PerPerson {
		person = ev.Person
		if len(l.WhileCustody) > 0 && (person == "" || !contains(l.WhileCustody, s.Person(person).Custody)) {
			return nil
		}
	}
	caseUID := ev.Case
	if ev.ToCase != "" {
		caseUID = ev.ToCase
	}
	limit, kind, sub := l.Limit, l.Kind, ""
	if st.SubLimit != "" {
		sl := l.SubLimit(st.SubLimit)
		lim := sl.Limit
		limit, sub = &lim, sl.Key
		if sl.Kind != "" {
			kind = sl.Kind
		}
	}
	if l.Min != nil && ev.Amount != nil {
		if err := ev.Amount.Valid(); err != nil {
			return invalid("%s：%v", ev.Kind, err)
		}
		if ev.Amount.approxHours() < l.Min.approxHours() || ev.Amount.approxHours() > l.Limit.approxHours() {
			return casegraph.Errorf(casegraph.EINVALIDTRANSITION, "%s的期限为%s以上%s以下，不能是%s（%s）", l.Title, l.Min, l.Limit, ev.Amount, l.Citation)
		}
		amt := *ev.Amount
		limit = &amt
	}
	var existing *clock
	for i := len(s.clocks) - 1; i >= 0; i-- {
		c := s.clocks[i]
		if c.rule == l && c.person == person && (st.Existing || c.caseUID == caseUID) {
			existing = c
			break
		}
	}
	if existing != nil && (st.Restart != "" || !existing.stopped) {
		rule := st.Restart
		if rule == "" {
			rule = trigger
		}
		cite := ""
		if rl := s.rules().Limit(rule); rl != nil {
			cite = rl.Citation
		} else if t := s.rules().Transition(rule); t != nil {
			cite = t.AuthorityCitation
		}
		rs := Restart{At: at, Rule: rule, Citation: cite, PreviousStart: existing.start}
		if existing.limit != nil {
			rs.PreviousDue = s.deadline(existing, at).Due
		}
		existing.restarts = append(existing.restarts, rs)
		existing.start, existing.grants, existing.pauses = at, nil, nil
		existing.stopped, existing.stoppedAt, existing.stoppedBy = false, time.Time{}, ""
		existing.limit, existing.kind, existing.sub = limit, kind, sub
		existing.custody = s.custodyFlag(l, person)
		if caseUID != "" {
			existing.caseUID = caseUID
		}
		return nil
	}
	if st.Existing {
		return nil
	}
	s.nextID++
	s.clocks = append(s.clocks, &clock{id: s.nextID, rule: l, sub: sub, kind: kind, limit: limit, caseUID: caseUID,
		person: person, start: at, custody: s.custodyFlag(l, person)})
	return nil
}

// sync keeps the pauses and custody flags of running clocks in step with the
// clocks that pause them and with who is in custody.
func (s *State) sync(at time.Time) {
	byID := map[int]*clock{}
	for _, c := range s.clocks {
		byID[c.id] = c
	}
	for _, c := range s.clocks {
		if c.stopped {
			continue
		}
		c.custody = s.custodyFlag(c.rule, c.person)
		for i := range c.pauses {
			p := &c.pauses[i]
			if p.Open() && byID[p.pauser].stopped {
				p.To = byID[p.pauser].stoppedAt
			}
		}
	}
	for _, p := range s.clocks {
		if p.stopped || len(p.rule.Pauses) == 0 {
			continue
		}
		for _, c := range s.clocks {
			if c.stopped || c == p || c.limit == nil || c.limit.Unit == Hours || !contains(p.rule.Pauses, c.rule.ID) {
				continue
			}
			if p.person != "" && c.person != "" && p.person != c.person {
				continue
			}
			open := false
			for _, cp := range c.pauses {
				if cp.pauser == p.id && cp.Open() {
					open = true
				}
			}
			if !open {
				from := p.start
				if c.start.After(from) {
					from = c.start
				}
				c.pauses = append(c.pauses, pause{Pause: Pause{Rule: p.rule.ID, From: from}, pauser: p.id})
			}
		}
	}
}

func (s *State) period(c *clock) Period {
	p := Period{Start: c.start, Limit: *c.limit, Custody: c.custody, Backward: c.rule.Backward, Grants: c.grants}
	for _, ps := range c.pauses {
		p.Pauses = append(p.Pauses, ps.Pause)
	}
	return p
}

func (s *State) deadline(c *clock, now time.Time) Deadline {
	if c.stopped {
		now = c.stoppedAt
	}
	return s.e.Calendar.Count(s.period(c), now)
}

func dueSoon(l Limit) time.Duration {
	switch l.Unit {
	case Hours:
		return 4 * time.Hour
	case Days:
		return 48 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// Clocks lists every clock of the history with its status at now.
func (s *State) Clocks(now time.Time) []Clock {
	out := make([]Clock, 0, len(s.clocks))
	for _, c := range s.clocks {
		out = append(out, s.view(c, now))
	}
	return out
}

// Running lists the clocks not stopped at now.
func (s *State) Running(now time.Time) []Clock {
	var out []Clock
	for _, c := range s.Clocks(now) {
		if c.Status != Stopped {
			out = append(out, c)
		}
	}
	return out
}

func (s *State) view(c *clock, now time.Time) Clock {
	v := Clock{ID: c.id, Rule: c.rule.ID, Title: c.rule.Title, SubLimit: c.sub, Article: c.rule.Article, Citation: c.rule.Citation,
		Kind: c.kind, Case: c.caseUID, Person: c.person, Start: c.start, Custody: c.custody,
		Extensions: append([]Grant(nil), c.grants...), Restarts: append([]Restart(nil), c.restarts...),
		StoppedAt: c.stoppedAt, StoppedBy: c.stoppedBy}
	if c.limit != nil {
		lim := *c.limit
		v.Limit = &lim
		d := s.deadline(c, now)
		v.Deadline = &d
	}
	openPause := false
	for _, p := range c.pauses {
		ps := p.Pause
		to := ps.To
		if to.IsZero() {
			to = now
			openPause = true
		}
		if !c.stopped && !to.IsZero() {
			ps.Days = max(0, daysBetween(dateOf(ps.From), dateOf(to)))
		} else if !ps.To.IsZero() {
			ps.Days = max(0, daysBetween(dateOf(ps.From), dateOf(ps.To)))
		}
		v.Pauses = append(v.Pauses, ps)
	}
	switch {
	case c.stopped:
		v.Status = Stopped
		v.Late = v.Deadline != nil && c.kind == Duty && !c.stoppedAt.Before(v.Deadline.End)
	case v.Deadline == nil:
		v.Status = Running
	case openPause:
		v.Status = Paused
	case !now.Before(v.Deadline.End):
		v.Status = Overdue
		if c.kind == Window {
			v.Status = Expired
		}
	case v.Deadline.End.Sub(now) <= dueSoon(*c.limit):
		v.Status = DueSoon
	default:
		v.Status = Running
	}
	if !c.stopped && c.sub == "" {
		for _, x := range c.rule.Extensions {
			if x.Requires != "" && !c.granted(x.Requires) {
				continue
			}
			n := 0
			for _, g := range c.grants {
				if g.Extension == x.ID {
					n++
				}
			}
			if x.MaxTimes > 0 && n >= x.MaxTimes {
				continue
			}
			v.Options = append(v.Options, x)
		}
	}
	return v
}

// Next lists the transitions the law allows from the current state: of the
// case (machine A) and of each person's custody (machine B).
func (s *State) Next(now time.Time) []Step {
	if !s.started {
		return nil
	}
	r := s.rules()
	var out []Step
	for i := range r.Transitions {
		t := &r.Transitions[i]
		if !contains(t.From, s.stage) {
			continue
		}
		to := t.To
		if len(to) == 1 && to[0] == s.stage && s.needsRunning(t, "") && !s.anyRunning(t.Stops, "") {
			continue
		}
		if len(t.After) > 0 && (len(s.history) == 0 || !contains(t.After, s.history[len(s.history)-1].id)) {
			continue
		}
		var notes []string
		blocked := false
		for _, c := range t.Caps {
			since := 0
			if c.Scope == "STAGE" {
				since = s.stageIdx
			}
			n := s.count(t.ID, c.Variant, since)
			switch {
			case n >= c.Max && c.Variant == "":
				blocked = true
			case n >= c.Max:
				notes = append(notes, fmt.Sprintf("%s不再可用：%s（%s）", c.Variant, c.Text, MustCitation(c.Article)))
			default:
				notes = append(notes, fmt.Sprintf("已%s次，%s（%s）", Numeral(n), c.Text, MustCitation(c.Article)))
			}
		}
		if blocked {
			continue
		}
		if t.NotBefore != "" {
			if c := s.latest(t.NotBefore); c != nil && !c.stopped && c.limit != nil {
				if d := s.deadline(c, now); now.Before(d.End) {
					continue
				}
			}
		}
		step := Step{Machine: "A", Rule: t.ID, Name: t.Name, From: string(s.stage), Variants: t.Variants,
			Actor: t.Actor, Condition: t.Condition, Article: t.Article, Citation: t.Citation, Note: strings.Join(notes, "；")}
		for _, x := range to {
			step.To = append(step.To, string(x))
		}
		out = append(out, step)
	}
	for _, uid := range s.personOrder {
		p := s.people[uid]
		for i := range r.CustodyTransitions {
			ct := &r.CustodyTransitions[i]
			if !contains(ct.From, p.Custody) {
				continue
			}
			step := Step{Machine: "B", Rule: ct.ID, Name: ct.Name, Person: uid, From: string(p.Custody),
				Actor: ct.Actor, Condition: ct.Condition, Article: ct.Article, Citation: ct.Citation}
			for _, x := range ct.To {
				step.To = append(step.To, string(x))
			}
			out = append(out, step)
		}
	}
	return out
}

func (s *State) anyRunning(stops []ClockStop, variant string) bool {
	for _, st := range stops {
		if st.Variant != "" && st.Variant != variant {
			continue
		}
		for _, c := range s.clocks {
			if !c.stopped && c.rule.ID == st.Rule {
				return true
			}
		}
	}
	return false
}

// Flags lists the red flags (§5.2) raised at now by overdue clocks, and by
// duties that were stopped late (Past).
func (s *State) Flags(now time.Time) []Flag {
	var out []Flag
	for _, c := range s.Clocks(now) {
		if c.Status != Overdue && !c.Late {
			continue
		}
		for _, f := range s.rules().RedFlags {
			if !contains(f.Clocks, c.Rule) || f.CustodyOnly && !c.Custody {
				continue
			}
			out = append(out, Flag{Rule: f.ID, Name: f.Name, Article: f.Article, Citation: f.Citation, Clock: c.Rule,
				Case: c.Case, Person: c.Person, Due: c.Deadline.Due, Past: c.Late})
		}
	}
	return out
}

func joinStages(ss []casegraph.Stage, sep string) string {
	var out []string
	for _, s := range ss {
		out = append(out, string(s))
	}
	return strings.Join(out, sep)
}

func joinStates(ss []CustodyState, sep string) string {
	var out []string
	for _, s := range ss {
		out = append(out, string(s))
	}
	return strings.Join(out, sep)
}
