package procedure

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/casegraph/casegraph"
)

//go:embed rules/*.json
var ruleFiles embed.FS

// CustodyState is a person's state in machine B (§2.3): which coercive
// measure (强制措施) holds them, if any.
type CustodyState string

// Custody states.
const (
	Free                CustodyState = "FREE"                 // 未采取强制措施
	Summoned            CustodyState = "SUMMONED"             // 传唤/拘传
	Bail                CustodyState = "BAIL"                 // 取保候审
	Residence           CustodyState = "RESIDENCE"            // 监视居住
	DesignatedResidence CustodyState = "DESIGNATED_RESIDENCE" // 指定居所监视居住
	Detained            CustodyState = "DETAINED"             // 刑事拘留
	Arrested            CustodyState = "ARRESTED"             // 逮捕（羁押）
	Serving             CustodyState = "SERVING"              // 服刑
)

// InCustody reports whether the state is 在押 for CPL 105(4): detained or
// arrested.
func (s CustodyState) InCustody() bool { return s == Detained || s == Arrested }

// CustodyRule says whether a time limit is a custody period, which CPL 105(4)
// never extends for holidays.
type CustodyRule string

// Custody rules of a time limit.
const (
	CustodyAlways     CustodyRule = "ALWAYS"      // the period is itself custody (拘留, 侦查羁押)
	CustodyNever      CustodyRule = "NEVER"       // never a custody period (上诉期, 取保候审)
	CustodyIfDetained CustodyRule = "IF_DETAINED" // a custody period while a suspect or defendant is held (审查起诉, 审判)
)

// ClockKind says what it means when a period runs out.
type ClockKind string

// Clock kinds.
const (
	// Duty is a period within which an organ must act; past it the clock is OVERDUE.
	Duty ClockKind = "DUTY"
	// Window is a period within which someone may act (上诉, 申诉, 考验期);
	// past it the clock is EXPIRED, which is no breach.
	Window ClockKind = "WINDOW"
)

// Quote is an original text excerpt, verbatim from the source named in §0.1
// of the domain reference.
type Quote struct {
	Article string `json:"article,omitempty"` // e.g. "CPL 91(1)"
	Source  string `json:"source,omitempty"`  // for a text not from §0.1, where it was read (SECONDARY)
	Text    string `json:"text"`
}

// StageRule describes one stage of machine A (§2.1).
type StageRule struct {
	Code        casegraph.Stage `json:"code"`
	Name        string          `json:"name"` // the stage's Chinese name, as in messages
	Description string          `json:"description"`
	Owner       string          `json:"owner"`
	OwnerKind   string          `json:"ownerKind,omitempty"` // POLICE, PROSECUTION, COURT
	Article     string          `json:"article,omitempty"`   // "Entered by"
	Citation    string          `json:"citation,omitempty"`
	Terminal    bool            `json:"terminal,omitempty"`
	Reopenable  bool            `json:"reopenable,omitempty"`
	Note        string          `json:"note,omitempty"`
}

// ClockStart is a clock an event starts, with the conditions under which it does.
type ClockStart struct {
	Rule     string             `json:"rule"`               // a TimeLimit ID
	Variant  string             `json:"variant,omitempty"`  // only when the event's variant is this one
	If       string             `json:"if,omitempty"`       // DETAINED or NOT_DETAINED: only when a suspect is (not) in custody
	CaseKind casegraph.CaseKind `json:"caseKind,omitempty"` // only on a case of this kind
	SubLimit string             `json:"subLimit,omitempty"` // count the rule's sub-limit of this key instead of its main limit
	Restart  string             `json:"restart,omitempty"`  // when the clock already exists it restarts (重新计算) under this rule (a T or A ID)
	Existing bool               `json:"existing,omitempty"` // only restart an existing clock, never start a new one
}

// ClockStop is a clock an event stops.
type ClockStop struct {
	Rule    string `json:"rule"`
	Variant string `json:"variant,omitempty"`
}

// Cap limits how often a transition may be taken: 补充侦查以二次为限.
type Cap struct {
	Variant string `json:"variant,omitempty"` // counts only this variant
	Max     int    `json:"max"`
	Scope   string `json:"scope"` // LINEAGE: the whole case history; STAGE: since the lineage last entered the stage
	Article string `json:"article"`
	Text    string `json:"text"` // the rule in words, e.g. 补充侦查以二次为限
}

// Transition is one transition of machine A (§2.2).
type Transition struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	From      []casegraph.Stage `json:"from"` // empty: the transition opens a case history (A13)
	To        []casegraph.Stage `json:"to"`
	Actor     string            `json:"actor"`
	Condition string            `json:"condition"`
	Article   string            `json:"article"`   // the Basis column
	Authority string            `json:"authority"` // the one article a refusal cites, e.g. CPL 175(2)
	Citation  string            `json:"citation,omitempty"`
	// AuthorityCitation is Authority in Chinese.
	AuthorityCitation string                 `json:"authorityCitation,omitempty"`
	Clocks            []string               `json:"clocks"` // the Clock column of §2.2
	Handover          casegraph.HandoverType `json:"handover,omitempty"`
	Variants          []string               `json:"variants,omitempty"` // the first is the default
	VariantRequired   bool                   `json:"variantRequired,omitempty"`
	Starts            []ClockStart           `json:"starts,omitempty"`
	Stops             []ClockStop            `json:"stops,omitempty"`
	Caps              []Cap                  `json:"caps,omitempty"`
	After             []string               `json:"after,omitempty"` // the previous machine-A transition must be one of these
	AfterArticle      string                 `json:"afterArticle,omitempty"`
	NotBefore         string                 `json:"notBefore,omitempty"` // a window (TimeLimit ID) that must have run out
	NotBeforeArticle  string                 `json:"notBeforeArticle,omitempty"`
	Texts             []Quote                `json:"texts,omitempty"`
	Notes             []string               `json:"notes,omitempty"`
}

// CustodyStateRule describes one state of machine B.
type CustodyStateRule struct {
	Code CustodyState `json:"code"`
	Name string       `json:"name"`
}

// CustodyTransition is one transition of machine B (§2.3). The doc's rows
// carry no IDs; B01–B10 number them in the doc's order.
type CustodyTransition struct {
	ID                string         `json:"id"`
	Name              string         `json:"name"`
	From              []CustodyState `json:"from"`
	To                []CustodyState `json:"to"`
	Actor             string         `json:"actor"`
	Condition         string         `json:"condition"`
	Article           string         `json:"article"`
	Authority         string         `json:"authority"`
	Citation          string         `json:"citation,omitempty"`
	AuthorityCitation string         `json:"authorityCitation,omitempty"`
	Clocks            []string       `json:"clocks"`
	Starts            []ClockStart   `json:"starts,omitempty"`
	Texts             []Quote        `json:"texts,omitempty"`
	Notes             []string       `json:"notes,omitempty"`
}

// EventRule is a named event (DETAINED, APPRAISAL_STARTED …): which machine
// it drives and which clocks it starts and stops.
type EventRule struct {
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	VariantList []string          `json:"variants,omitempty"`   // the first is the default
	Custody     CustodyState      `json:"custody,omitempty"`    // a machine-B event: the state it leads to
	Transition  string            `json:"transition,omitempty"` // an alias of a machine-A transition …
	Variant     string            `json:"variant,omitempty"`    // … with this variant
	Stages      []casegraph.Stage `json:"stages,omitempty"`     // allowed only in these stages
	Starts      []ClockStart      `json:"starts,omitempty"`
	Stops       []ClockStop       `json:"stops,omitempty"`
	Article     string            `json:"article,omitempty"`
	Citation    string            `json:"citation,omitempty"`
	Notes       []string          `json:"notes,omitempty"`
}

// SubLimit is a further number in the same row of the table (T18: 复议 7
// days, 复核 15 days).
type SubLimit struct {
	Key     string    `json:"key"`
	Label   string    `json:"label"`
	Limit   Limit     `json:"limit"`
	Kind    ClockKind `json:"kind,omitempty"`
	Article string    `json:"article,omitempty"`
}

// Extension is an extension option of a time limit (amount + approver + condition).
type Extension struct {
	ID        string        `json:"id"`             // T28.1
	Rule      string        `json:"rule,omitempty"` // the row of its own that states it (T29, T30)
	Name      string        `json:"name"`
	Mode      ExtensionMode `json:"mode"`
	UpTo      *Limit        `json:"upTo"` // nil: the law states no number; a grant must state one
	Min       *Limit        `json:"min,omitempty"`
	Approver  string        `json:"approver"`
	Condition string        `json:"condition"`
	Requires  string        `json:"requires,omitempty"` // an extension that must have been granted first
	MaxTimes  int           `json:"maxTimes"`           // 0: not limited by the text
	Article   string        `json:"article"`
	Citation  string        `json:"citation,omitempty"`
	Status    string        `json:"status,omitempty"`
}

// TimeLimit is one row of the time-limit table (§1.1).
type TimeLimit struct {
	ID           string            `json:"id"`
	Title        string            `json:"title"`
	Stage        string            `json:"stage"`
	Actor        string            `json:"actor"`
	Trigger      string            `json:"trigger"`
	LimitText    string            `json:"limitText"`       // the Limit column, verbatim
	Limit        *Limit            `json:"limit,omitempty"` // nil: the text states no number
	Min          *Limit            `json:"min,omitempty"`   // 六个月以上一年以下: the shortest allowed
	Backward     bool              `json:"backward,omitempty"`
	SubLimits    []SubLimit        `json:"subLimits,omitempty"`
	Extensions   []Extension       `json:"extensions,omitempty"`
	Extends      string            `json:"extends,omitempty"` // the row is an extension of another row's clock (T29 → T28)
	Custody      CustodyRule       `json:"custody"`
	Kind         ClockKind         `json:"kind"`
	Pauses       []string          `json:"pauses,omitempty"`   // while this clock runs, these are not counted
	Restarts     []string          `json:"restarts,omitempty"` // this rule makes these restart (重新计算)
	MaxRounds    int               `json:"maxRounds,omitempty"`
	RunsIn       []casegraph.Stage `json:"runsIn,omitempty"`       // the clock stops when the case leaves these stages
	WhileCustody []CustodyState    `json:"whileCustody,omitempty"` // a person's clock stops when they leave these states
	PerPerson    bool              `json:"perPerson,omitempty"`
	StoppedBy    []string          `json:"stoppedBy,omitempty"` // events that end it besides leaving RunsIn
	Article      string            `json:"article"`
	Citation     string            `json:"citation,omitempty"`
	Status       string            `json:"status,omitempty"` // SECONDARY, UNVERIFIED, DERIVED as in the doc
	Texts        []Quote           `json:"texts,omitempty"`
	Notes        []string          `json:"notes,omitempty"`
}

// SubLimit returns the sub-limit of the key, or nil.
func (t *TimeLimit) SubLimit(key string) *SubLimit {
	for i := range t.SubLimits {
		if t.SubLimits[i].Key == key {
			return &t.SubLimits[i]
		}
	}
	return nil
}

// Extension returns the extension option of the ID (T28.1) or of its own
// row (T29), or nil.
func (t *TimeLimit) Extension(id string) *Extension {
	for i := range t.Extensions {
		if t.Extensions[i].ID == id || t.Extensions[i].Rule != "" && t.Extensions[i].Rule == id {
			return &t.Extensions[i]
		}
	}
	return nil
}

// RedFlag is one red flag a supervisor looks for (§5.2).
type RedFlag struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Meaning     string   `json:"meaning"`
	Class       string   `json:"class"` // Statutory, Statutory (SPP), Normative doc, Practice …
	Article     string   `json:"article"`
	Citation    string   `json:"citation,omitempty"`
	Signal      string   `json:"signal"`
	Clocks      []string `json:"clocks,omitempty"`      // an OVERDUE clock of one of these rules raises the flag
	CustodyOnly bool     `json:"custodyOnly,omitempty"` // … only while it counts as a custody period
	Texts       []Quote  `json:"texts,omitempty"`
}

// Rules is the procedure as data: the stages and transitions of machines A
// and B, the named events, the time limits and the red flags.
type Rules struct {
	Stages             []StageRule         `json:"stages,omitempty"`
	Transitions        []Transition        `json:"transitions,omitempty"`
	CustodyStates      []CustodyStateRule  `json:"custodyStates,omitempty"`
	CustodyTransitions []CustodyTransition `json:"custodyTransitions,omitempty"`
	Events             []EventRule         `json:"events,omitempty"`
	Limits             []TimeLimit         `json:"limits,omitempty"`
	RedFlags           []RedFlag           `json:"redFlags,omitempty"`

	stages      map[casegraph.Stage]*StageRule
	transitions map[string]*Transition
	custody     map[CustodyState]*CustodyStateRule
	custodyTr   map[string]*CustodyTransition
	events      map[string]*EventRule
	limits      map[string]*TimeLimit
	flags       map[string]*RedFlag
	extensions  map[string]*TimeLimit // extension ID and extension rule → the limit that owns it
}

var (
	defaultRules     *Rules
	defaultRulesErr  error
	defaultRulesOnce sync.Once
)

// DefaultRules are the rules embedded from rules/*.json. It panics if they do
// not load and validate, which the package's tests rule out.
func DefaultRules() *Rules {
	defaultRulesOnce.Do(func() { defaultRules, defaultRulesErr = LoadRules(ruleFiles, "rules") })
	if defaultRulesErr != nil {
		panic(defaultRulesErr)
	}
	return defaultRules
}

// LoadRules reads every *.json file of dir in fsys (each an object with any
// of the fields of Rules), fills in the Chinese citations and validates the
// whole.
func LoadRules(fsys fs.FS, dir string) (*Rules, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("LoadRules: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("LoadRules: no rule files in %s", dir)
	}
	r := &Rules{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("LoadRules: %w", err)
		}
		var part Rules
		if err := decodeStrict(b, &part); err != nil {
			return nil, fmt.Errorf("LoadRules: %s: %w", name, err)
		}
		r.Stages = append(r.Stages, part.Stages...)
		r.Transitions = append(r.Transitions, part.Transitions...)
		r.CustodyStates = append(r.CustodyStates, part.CustodyStates...)
		r.CustodyTransitions = append(r.CustodyTransitions, part.CustodyTransitions...)
		r.Events = append(r.Events, part.Events...)
		r.Limits = append(r.Limits, part.Limits...)
		r.RedFlags = append(r.RedFlags, part.RedFlags...)
	}
	if err := r.Prepare(); err != nil {
		return nil, fmt.Errorf("LoadRules: %w", err)
	}
	return r, nil
}

// cite fills *dst from article unless the data already gave a citation.
func cite(dst *string, article, what string) error {
	if *dst != "" {
		return nil
	}
	if article == "" {
		return fmt.Errorf("%s: no article", what)
	}
	s, err := Citation(article)
	if err != nil {
		return fmt.Errorf("%s: %w (give a citation in the data for an instrument outside §0.1)", what, err)
	}
	*dst = s
	return nil
}

// Prepare fills in the Chinese citations, builds the indexes and checks the
// invariants (Validate). LoadRules calls it; call it after building Rules by
// hand.
func (r *Rules) Prepare() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for i := range r.Stages {
		s := &r.Stages[i]
		if s.Article != "" {
			add(cite(&s.Citation, s.Article, "stage "+string(s.Code)))
		}
	}
	for i := range r.Transitions {
		t := &r.Transitions[i]
		add(cite(&t.Citation, t.Article, t.ID))
		add(cite(&t.AuthorityCitation, t.Authority, t.ID+" authority"))
	}
	for i := range r.CustodyTransitions {
		t := &r.CustodyTransitions[i]
		add(cite(&t.Citation, t.Article, t.ID))
		add(cite(&t.AuthorityCitation, t.Authority, t.ID+" authority"))
	}
	for i := range r.Events {
		e := &r.Events[i]
		if e.Article != "" {
			add(cite(&e.Citation, e.Article, "event "+e.Kind))
		}
	}
	for i := range r.Limits {
		l := &r.Limits[i]
		add(cite(&l.Citation, l.Article, l.ID))
		for j := range l.Extensions {
			x := &l.Extensions[j]
			add(cite(&x.Citation, x.Article, x.ID))
		}
	}
	for i := range r.RedFlags {
		f := &r.RedFlags[i]
		add(cite(&f.Citation, f.Article, f.ID))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	r.index()
	return r.Validate()
}

func (r *Rules) index() {
	r.stages = map[casegraph.Stage]*StageRule{}
	for i := range r.Stages {
		r.stages[r.Stages[i].Code] = &r.Stages[i]
	}
	r.transitions = map[string]*Transition{}
	for i := range r.Transitions {
		r.transitions[r.Transitions[i].ID] = &r.Transitions[i]
	}
	r.custody = map[CustodyState]*CustodyStateRule{}
	for i := range r.CustodyStates {
		r.custody[r.CustodyStates[i].Code] = &r.CustodyStates[i]
	}
	r.custodyTr = map[string]*CustodyTransition{}
	for i := range r.CustodyTransitions {
		r.custodyTr[r.CustodyTransitions[i].ID] = &r.CustodyTransitions[i]
	}
	r.events = map[string]*EventRule{}
	for i := range r.Events {
		r.events[r.Events[i].Kind] = &r.Events[i]
	}
	r.limits = map[string]*TimeLimit{}
	r.extensions = map[string]*TimeLimit{}
	for i := range r.Limits {
		l := &r.Limits[i]
		r.limits[l.ID] = l
		for _, x := range l.Extensions {
			r.extensions[x.ID] = l
			if x.Rule != "" {
				r.extensions[x.Rule] = l
			}
		}
	}
	r.flags = map[string]*RedFlag{}
	for i := range r.RedFlags {
		r.flags[r.RedFlags[i].ID] = &r.RedFlags[i]
	}
}

// Stage returns the description of a stage, or nil.
func (r *Rules) Stage(code casegraph.Stage) *StageRule { return r.stages[code] }

// Transition returns the machine-A transition of the ID, or nil.
func (r *Rules) Transition(id string) *Transition { return r.transitions[id] }

// CustodyTransition returns the machine-B transition of the ID, or nil.
func (r *Rules) CustodyTransition(id string) *CustodyTransition { return r.custodyTr[id] }

// CustodyState returns the description of a custody state, or nil.
func (r *Rules) CustodyState(code CustodyState) *CustodyStateRule { return r.custody[code] }

// Event returns the named event of the kind, or nil.
func (r *Rules) Event(kind string) *EventRule { return r.events[kind] }

// Limit returns the time limit of the ID, or nil.
func (r *Rules) Limit(id string) *TimeLimit { return r.limits[id] }

// ExtensionOwner returns the time limit whose clock an extension (T28.1, or
// its own row T29) extends, or nil.
func (r *Rules) ExtensionOwner(id string) *TimeLimit { return r.extensions[id] }

// RedFlag returns the red flag of the ID, or nil.
func (r *Rules) RedFlag(id string) *RedFlag { return r.flags[id] }

// RuleRef is the common face of every rule: its ID, what it is, its article
// and its Chinese citation.
type RuleRef struct {
	ID       string
	Kind     string // TRANSITION, CUSTODY_TRANSITION, LIMIT, EXTENSION, RED_FLAG
	Title    string
	Article  string
	Citation string
}

// All lists every rule with an ID, in data order.
func (r *Rules) All() []RuleRef {
	var out []RuleRef
	for _, t := range r.Transitions {
		out = append(out, RuleRef{t.ID, "TRANSITION", t.Name, t.Article, t.Citation})
	}
	for _, t := range r.CustodyTransitions {
		out = append(out, RuleRef{t.ID, "CUSTODY_TRANSITION", t.Name, t.Article, t.Citation})
	}
	for _, l := range r.Limits {
		out = append(out, RuleRef{l.ID, "LIMIT", l.Title, l.Article, l.Citation})
		for _, x := range l.Extensions {
			out = append(out, RuleRef{x.ID, "EXTENSION", x.Name, x.Article, x.Citation})
		}
	}
	for _, f := range r.RedFlags {
		out = append(out, RuleRef{f.ID, "RED_FLAG", f.Name, f.Article, f.Citation})
	}
	return out
}

// Validate checks the invariants of the rules: unique IDs; every stage,
// custody state, clock, extension and event a rule refers to exists; every
// rule has an article and a Chinese citation; every limit can be counted.
func (r *Rules) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	r.index()

	seen := map[string]string{}
	for _, ref := range r.All() {
		if ref.ID == "" {
			bad("%s %q has no ID", ref.Kind, ref.Title)
		}
		if prev, dup := seen[ref.ID]; dup {
			bad("ID %s used twice (%s and %s)", ref.ID, prev, ref.Kind)
		}
		seen[ref.ID] = ref.Kind
		if ref.Article == "" {
			bad("%s has no article", ref.ID)
		}
		if ref.Citation == "" {
			bad("%s has no Chinese citation", ref.ID)
		}
		if ref.Title == "" {
			bad("%s has no title", ref.ID)
		}
	}
	stageSeen := map[casegraph.Stage]bool{}
	for _, s := range r.Stages {
		if !s.Code.Valid() {
			bad("stage %s is not a casegraph.Stage", s.Code)
		}
		if stageSeen[s.Code] {
			bad("stage %s listed twice", s.Code)
		}
		stageSeen[s.Code] = true
		if s.Name == "" {
			bad("stage %s has no name", s.Code)
		}
	}
	for _, s := range casegraph.Stages {
		if !stageSeen[s] {
			bad("stage %s of casegraph.Stages is not described", s)
		}
	}
	stage := func(where string, s casegraph.Stage) {
		if r.stages[s] == nil {
			bad("%s: unknown stage %q", where, s)
		}
	}
	custody := func(where string, s CustodyState) {
		if r.custody[s] == nil {
			bad("%s: unknown custody state %q", where, s)
		}
	}
	limit := func(where, id string) {
		if r.limits[id] == nil {
			bad("%s: unknown time limit %q", where, id)
		}
	}
	starts := func(where string, ss []ClockStart, variants []string) {
		for _, s := range ss {
			l := r.limits[s.Rule]
			if l == nil {
				bad("%s: starts unknown time limit %q", where, s.Rule)
				continue
			}
			if s.Restart != "" && r.limits[s.Restart] == nil && r.transitions[s.Restart] == nil {
				bad("%s: restart rule %q is neither a time limit nor a transition", where, s.Restart)
			}
			if s.SubLimit != "" && l.SubLimit(s.SubLimit) == nil {
				bad("%s: %s has no sub-limit %q", where, s.Rule, s.SubLimit)
			}
			if s.If != "" && s.If != "DETAINED" && s.If != "NOT_DETAINED" {
				bad("%s: start condition %q is not DETAINED or NOT_DETAINED", where, s.If)
			}
			if s.Variant != "" && !contains(variants, s.Variant) {
				bad("%s: start variant %q is not one of %v", where, s.Variant, variants)
			}
			if l.Extends != "" {
				bad("%s: %s is an extension of %s, not a clock of its own", where, s.Rule, l.Extends)
			}
		}
	}
	stops := func(where string, ss []ClockStop) {
		for _, s := range ss {
			limit(where+" stop", s.Rule)
		}
	}
	for _, t := range r.Transitions {
		for _, s := range t.From {
			stage(t.ID+" from", s)
		}
		if len(t.To) == 0 {
			bad("%s has no target stage", t.ID)
		}
		for _, s := range t.To {
			stage(t.ID+" to", s)
		}
		for _, c := range t.Clocks {
			limit(t.ID+" clock", c)
		}
		if t.Name == "" || t.Actor == "" || t.Condition == "" {
			bad("%s: name, actor and condition are required", t.ID)
		}
		starts(t.ID, t.Starts, t.Variants)
		stops(t.ID, t.Stops)
		for _, c := range t.Caps {
			if c.Max < 1 || c.Article == "" || c.Text == "" || (c.Scope != "LINEAGE" && c.Scope != "STAGE") {
				bad("%s: cap %+v needs max ≥ 1, an article, a text and scope LINEAGE or STAGE", t.ID, c)
			}
			if _, err := Citation(c.Article); err != nil {
				bad("%s cap: %v", t.ID, err)
			}
		}
		for _, a := range t.After {
			if r.transitions[a] == nil {
				bad("%s: after unknown transition %s", t.ID, a)
			}
		}
		if len(t.After) > 0 {
			if _, err := Citation(t.AfterArticle); err != nil {
				bad("%s afterArticle: %v", t.ID, err)
			}
		}
		if t.NotBefore != "" {
			limit(t.ID+" notBefore", t.NotBefore)
			if _, err := Citation(t.NotBeforeArticle); err != nil {
				bad("%s notBeforeArticle: %v", t.ID, err)
			}
		}
		if t.Handover != "" && !contains(casegraph.HandoverTypes, t.Handover) {
			bad("%s: unknown handover type %q", t.ID, t.Handover)
		}
	}
	for _, s := range r.CustodyStates {
		if s.Name == "" {
			bad("custody state %s has no name", s.Code)
		}
	}
	for _, t := range r.CustodyTransitions {
		for _, s := range t.From {
			custody(t.ID+" from", s)
		}
		if len(t.To) == 0 {
			bad("%s has no target state", t.ID)
		}
		for _, s := range t.To {
			custody(t.ID+" to", s)
		}
		for _, c := range t.Clocks {
			limit(t.ID+" clock", c)
		}
		starts(t.ID, t.Starts, nil)
	}
	for _, e := range r.Events {
		if e.Name == "" {
			bad("event %s has no name", e.Kind)
		}
		if r.transitions[e.Kind] != nil || r.custodyTr[e.Kind] != nil {
			bad("event %s shadows a transition ID", e.Kind)
		}
		if e.Custody != "" {
			custody("event "+e.Kind, e.Custody)
		}
		variants := e.VariantList
		if e.Transition != "" {
			t := r.transitions[e.Transition]
			if t == nil {
				bad("event %s: unknown transition %s", e.Kind, e.Transition)
			} else {
				variants = t.Variants
				if e.Variant != "" && !contains(t.Variants, e.Variant) {
					bad("event %s: %s has no variant %s", e.Kind, e.Transition, e.Variant)
				}
			}
		}
		for _, s := range e.Stages {
			stage("event "+e.Kind, s)
		}
		starts("event "+e.Kind, e.Starts, variants)
		stops("event "+e.Kind, e.Stops)
	}
	for _, l := range r.Limits {
		if l.Custody != CustodyAlways && l.Custody != CustodyNever && l.Custody != CustodyIfDetained {
			bad("%s: custody must be ALWAYS, NEVER or IF_DETAINED", l.ID)
		}
		if l.Kind != Duty && l.Kind != Window {
			bad("%s: kind must be DUTY or WINDOW", l.ID)
		}
		if l.LimitText == "" || l.Trigger == "" || l.Actor == "" {
			bad("%s: limitText, trigger and actor are required", l.ID)
		}
		if l.Limit != nil {
			if err := l.Limit.Valid(); err != nil {
				bad("%s: %v", l.ID, err)
			}
			if l.Backward && l.Limit.Unit != Days {
				bad("%s: a backward limit is counted in days", l.ID)
			}
		}
		if l.Min != nil {
			if err := l.Min.Valid(); err != nil {
				bad("%s min: %v", l.ID, err)
			}
		}
		for _, s := range l.SubLimits {
			if err := s.Limit.Valid(); err != nil {
				bad("%s sub-limit %s: %v", l.ID, s.Key, err)
			}
			if s.Article != "" {
				if _, err := Citation(s.Article); err != nil {
					bad("%s sub-limit %s: %v", l.ID, s.Key, err)
				}
			}
		}
		for _, x := range l.Extensions {
			if !strings.HasPrefix(x.ID, l.ID+".") {
				bad("extension %s of %s must be numbered %s.N", x.ID, l.ID, l.ID)
			}
			if l.Limit == nil {
				bad("%s: extension %s of a limit without a number", l.ID, x.ID)
			}
			if x.Mode != ExtendBy && x.Mode != ExtendTo {
				bad("%s: mode must be add or to", x.ID)
			}
			if x.UpTo != nil {
				if err := x.UpTo.Valid(); err != nil {
					bad("%s: %v", x.ID, err)
				} else if l.Limit != nil && (x.UpTo.Unit == Hours) != (l.Limit.Unit == Hours) {
					bad("%s: hours and days cannot be mixed", x.ID)
				}
			} else if x.Mode == ExtendTo {
				bad("%s: an extension to a total needs the total", x.ID)
			}
			if x.Approver == "" || x.Condition == "" || x.Name == "" {
				bad("%s: name, approver and condition are required (write 未规定 when the law names none)", x.ID)
			}
			if x.Rule != "" {
				if xl := r.limits[x.Rule]; xl == nil {
					bad("%s: unknown rule %s", x.ID, x.Rule)
				} else if xl.Extends != l.ID {
					bad("%s: rule %s must say it extends %s", x.ID, x.Rule, l.ID)
				}
			}
			if x.Requires != "" && l.Extension(x.Requires) == nil {
				bad("%s: requires %s, not an extension of %s", x.ID, x.Requires, l.ID)
			}
		}
		if l.Extends != "" {
			base := r.limits[l.Extends]
			if base == nil {
				bad("%s extends unknown %s", l.ID, l.Extends)
			} else if base.Extension(l.ID) == nil {
				bad("%s extends %s but %s lists no extension with rule %s", l.ID, l.Extends, l.Extends, l.ID)
			}
		}
		for _, id := range append(append([]string{}, l.Pauses...), l.Restarts...) {
			limit(l.ID+" pauses/restarts", id)
		}
		for _, s := range l.RunsIn {
			stage(l.ID+" runsIn", s)
		}
		for _, s := range l.WhileCustody {
			custody(l.ID+" whileCustody", s)
		}
		if len(l.WhileCustody) > 0 && !l.PerPerson {
			bad("%s: whileCustody needs perPerson", l.ID)
		}
		for _, e := range l.StoppedBy {
			if r.transitions[e] == nil && r.custodyTr[e] == nil && r.events[e] == nil {
				bad("%s: stoppedBy unknown event %s", l.ID, e)
			}
		}
		if len(l.Texts) == 0 {
			bad("%s: no original text", l.ID)
		}
	}
	for _, f := range r.RedFlags {
		for _, c := range f.Clocks {
			limit(f.ID+" clock", c)
		}
		if f.Name == "" || f.Class == "" || f.Signal == "" {
			bad("%s: name, class and signal are required", f.ID)
		}
	}
	for _, q := range r.quotes() {
		if q.Text == "" {
			bad("%s: empty quote", q.Article)
		}
		if q.Article != "" {
			if _, err := Citation(q.Article); err != nil {
				bad("quote: %v", err)
			}
		} else if q.Source == "" {
			bad("quote %.20q… has neither article nor source", q.Text)
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}

func (r *Rules) quotes() []Quote {
	var qs []Quote
	for _, t := range r.Transitions {
		qs = append(qs, t.Texts...)
	}
	for _, t := range r.CustodyTransitions {
		qs = append(qs, t.Texts...)
	}
	for _, l := range r.Limits {
		qs = append(qs, l.Texts...)
	}
	for _, f := range r.RedFlags {
		qs = append(qs, f.Texts...)
	}
	return qs
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
