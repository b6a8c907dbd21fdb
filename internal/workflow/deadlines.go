package workflow

import (
	"fmt"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/procedure"
)

// What supervision reads is stored, not recomputed per query: every running
// duty (its due date and the red flags it raises when overdue), every duty
// that ended late and raised a red flag, the watches below, and every event
// the procedure refused (anomalies). An alert is a stored row whose end has
// passed (or is near), so the query is an index range scan.

// Watch is a red flag of §5.2 that no time limit of §1.1 carries; the
// workflow raises it from the lineage's state.
type Watch struct {
	ID       string // the red flag's ID (R06, R07) or a W-number for signals §5.2 names without a row
	Name     string
	Article  string
	Citation string
}

// Watches raised from state.
var (
	WatchIdle = Watch{ID: "R06", Name: "立而不侦"}
	WatchLong = Watch{ID: "R07", Name: "久侦不结 / 挂案"}
	// W01: 不起诉的决定……如果被不起诉人在押，应当立即释放 (CPL 178).
	WatchNotReleased = Watch{ID: "W01", Name: "不起诉后未释放", Article: "CPL 178"}
	// W02: 已过法定期限没有上诉、抗诉的判决和裁定 is effective (CPL 259(2)(一));
	// a judgment past its window and still not recorded effective.
	WatchNotEffective = Watch{ID: "W02", Name: "上诉期满未生效", Article: "CPL 259(2)（一）"}
)

func (w *Workflow) watch(wt Watch) Watch {
	if f := w.engine.Rules.RedFlag(wt.ID); f != nil {
		wt.Article, wt.Citation = f.Article, f.Citation
	} else {
		wt.Citation = procedure.MustCitation(wt.Article)
	}
	return wt
}

func date(t time.Time) string {
	t = t.In(procedure.China)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

func (w *Workflow) deadlines(r *replayed, now time.Time) []neo4jdb.StoredDeadline {
	cases := map[string]neo4jdb.FactCase{}
	for _, c := range r.facts.Cases {
		cases[c.UID] = c
	}
	first := ""
	if len(r.facts.Cases) > 0 {
		first = r.facts.Cases[0].UID
	}
	var out []neo4jdb.StoredDeadline
	add := func(d neo4jdb.StoredDeadline) {
		if d.Case == "" {
			d.Case = first
		}
		c := cases[d.Case]
		d.Agency, d.District = c.Agency, c.District
		out = append(out, d)
	}
	rules := w.engine.Rules
	for _, c := range r.state.Clocks(now) {
		if c.Deadline == nil || c.Kind != procedure.Duty {
			continue
		}
		status := ""
		switch {
		case c.Status == procedure.Stopped && c.Late:
			status = "LATE"
		case c.Status == procedure.Paused:
			status = "PAUSED"
		case c.Status != procedure.Stopped:
			status = "RUNNING"
		}
		if status == "" {
			continue
		}
		d := neo4jdb.StoredDeadline{UID: fmt.Sprintf("dl/%s/%s/%d", first, c.Rule, c.ID), Kind: "DUTY", Status: status,
			Rule: c.Rule, Title: c.Title, Article: c.Article, Citation: c.Citation, Case: c.Case, Person: c.Person,
			StartedAt: c.Start, DueAt: c.Deadline.Due, EndAt: c.Deadline.End, Custody: c.Custody, Severity: "MEDIUM"}
		for _, f := range rules.RedFlags {
			if contains(f.Clocks, c.Rule) && (!f.CustodyOnly || c.Custody) {
				d.Flags = append(d.Flags, f.ID)
				d.FlagNames = append(d.FlagNames, f.Name)
			}
		}
		if status == "LATE" && len(d.Flags) == 0 {
			continue
		}
		if len(d.Flags) > 0 {
			d.Severity = "HIGH"
			if c.Custody {
				d.Severity = "CRITICAL"
			}
		}
		d.Facts = append(d.Facts, fmt.Sprintf("%s（%s）自%s起算，%s届满", c.Title, c.Rule, date(c.Start), date(c.Deadline.Due)))
		if c.Person != "" {
			d.Facts = append(d.Facts, "涉及人员 "+c.Person)
		}
		if len(c.Extensions) > 0 {
			d.Facts = append(d.Facts, fmt.Sprintf("已延长%d次", len(c.Extensions)))
		}
		if c.Deadline.PausedDays > 0 {
			d.Facts = append(d.Facts, fmt.Sprintf("不计入期限%d日", c.Deadline.PausedDays))
		}
		if status == "LATE" {
			d.Facts = append(d.Facts, fmt.Sprintf("于%s才完成（%s），已超期", date(c.StoppedAt), c.StoppedBy))
		}
		add(d)
	}
	w.watches(r, now, add)
	for _, e := range r.events {
		if e.Status != "REFUSED" {
			continue
		}
		add(neo4jdb.StoredDeadline{UID: "dl/" + e.UID + "/refused", Kind: "ANOMALY", Status: "OPEN", Rule: e.Kind,
			Title: "程序异常：" + e.Name, Article: e.Article, Citation: e.Citation, Case: e.Case, Person: e.Person,
			StartedAt: e.At, DueAt: e.At, EndAt: e.At, Severity: "HIGH",
			Facts: []string{fmt.Sprintf("%s记录的%s不符合程序：%s", date(e.At), e.Name, e.Message)}})
	}
	return out
}

// watches raises the red flags that come from state rather than a clock.
func (w *Workflow) watches(r *replayed, now time.Time, add func(neo4jdb.StoredDeadline)) {
	s := r.state
	// 立而不侦 (R06) and 久侦不结 (R07): a police case under investigation.
	var filed time.Time
	var filedCase string
	lastAct := time.Time{}
	for _, e := range r.events {
		if e.Status != "APPLIED" {
			continue
		}
		if e.Kind == "A03" || e.Kind == "A05" || e.Kind == "A06" {
			filed, filedCase, lastAct = e.At, e.Case, time.Time{}
			continue
		}
		if !filed.IsZero() {
			lastAct = e.At
		}
	}
	if s.Stage() == casegraph.StageInvestigating && !filed.IsZero() {
		if lastAct.IsZero() {
			wt := w.watch(WatchIdle)
			end := filed.AddDate(0, 3, 0)
			add(neo4jdb.StoredDeadline{UID: "dl/" + filedCase + "/R06", Kind: "WATCH", Status: "OPEN", Rule: wt.ID, Title: wt.Name,
				Article: wt.Article, Citation: wt.Citation, Flags: []string{wt.ID}, FlagNames: []string{wt.Name}, Severity: "HIGH",
				Case: filedCase, StartedAt: filed, DueAt: end, EndAt: end,
				Facts: []string{fmt.Sprintf("%s立案，此后没有侦查活动记录", date(filed)), "立案满三个月仍无侦查活动（《人民检察院刑事诉讼规则》第五百六十四条第三款）"}})
		}
		wt := w.watch(WatchLong)
		end := filed.Add(w.opts.LongInvestigation)
		add(neo4jdb.StoredDeadline{UID: "dl/" + filedCase + "/R07", Kind: "WATCH", Status: "OPEN", Rule: wt.ID, Title: wt.Name,
			Article: wt.Article, Citation: wt.Citation, Flags: []string{wt.ID}, FlagNames: []string{wt.Name}, Severity: "HIGH",
			Case: filedCase, StartedAt: filed, DueAt: end, EndAt: end,
			Facts: []string{fmt.Sprintf("%s立案，侦查尚未终结", date(filed)),
				fmt.Sprintf("侦查超过%d日未终结即提示", int(w.opts.LongInvestigation.Hours()/24))}})
	}
	// 不起诉后未释放 (W01).
	if s.Stage() == casegraph.StageNotProsecuted {
		var at time.Time
		var caseUID string
		for _, e := range r.events {
			if e.Status == "APPLIED" && e.StageAfter == casegraph.StageNotProsecuted {
				at, caseUID = e.At, e.Case
			}
		}
		for _, p := range s.People() {
			if p.Custody != procedure.Detained && p.Custody != procedure.Arrested {
				continue
			}
			wt := w.watch(WatchNotReleased)
			add(neo4jdb.StoredDeadline{UID: "dl/" + caseUID + "/W01/" + p.UID, Kind: "WATCH", Status: "OPEN", Rule: wt.ID,
				Title: wt.Name, Article: wt.Article, Citation: wt.Citation, Flags: []string{wt.ID}, FlagNames: []string{wt.Name},
				Severity: "CRITICAL", Case: caseUID, Person: p.UID, StartedAt: at, DueAt: at, EndAt: at, Custody: true,
				Facts: []string{fmt.Sprintf("%s决定不起诉", date(at)), fmt.Sprintf("被不起诉人 %s 仍处于%s状态", p.UID, p.Custody)}})
		}
	}
	// 上诉期满未生效 (W02): the window for appeal ran out, the judgment is not
	// recorded as effective.
	if s.Stage() == casegraph.StageFirstInstanceJudged {
		for _, c := range s.Clocks(now) {
			if c.Rule != "T57" || c.Status == procedure.Stopped || c.Deadline == nil || c.SubLimit != "" {
				continue
			}
			wt := w.watch(WatchNotEffective)
			add(neo4jdb.StoredDeadline{UID: fmt.Sprintf("dl/%s/W02/%d", c.Case, c.ID), Kind: "WATCH", Status: "OPEN", Rule: wt.ID,
				Title: wt.Name, Article: wt.Article, Citation: wt.Citation, Flags: []string{wt.ID}, FlagNames: []string{wt.Name},
				Severity: "HIGH", Case: c.Case, StartedAt: c.Start, DueAt: c.Deadline.Due, EndAt: c.Deadline.End,
				Facts: []string{fmt.Sprintf("%s宣判，上诉、抗诉期限%s届满", date(c.Start), date(c.Deadline.Due)), "期满后未记录判决生效、上诉或者抗诉"}})
		}
	}
}

func contains[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
