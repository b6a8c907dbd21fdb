package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The analytics roll-ups and alert counters of docs/analytics.md, kept in
// Go from the model. casegraph computes a case's cells in Cypher
// (internal/neo4jdb/rollup.go and alertcount.go) and moves the case out of
// its old cells and into its new ones in every procedure sync; the
// baseline computes the same cells (same keys, same dimensions) and moves
// the same counts at the same moments, so that it leaves the same cells —
// including those a case passed through and left at zero.

// cell is a roll-up or alert counter: its dimensions, count and (roll-ups)
// histogram of days.
type cell struct {
	props map[string]any
	n     int
	hist  []int
}

func (c *cell) row() map[string]any {
	r := make(map[string]any, len(c.props)+2)
	for k, v := range c.props {
		r[k] = v
	}
	r["n"] = c.n
	if c.hist != nil {
		r["hist"] = c.hist
	}
	return r
}

// rcell is one contribution of a case: a cell's dimensions (x), its key and
// the days it adds to the histogram.
type rcell struct {
	x    map[string]any
	key  string
	days *int
}

func dateString(t time.Time) string {
	return fmt.Sprintf("%04d-%02d-%02d", t.Year(), int(t.Month()), t.Day())
}

// text is Cypher's coalesce(toString(v), '~').
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "~"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int:
		return fmt.Sprint(x)
	case neo4j.Date:
		return dateString(x.Time())
	}
	panic(fmt.Sprintf("benchingest: no text for %T", v))
}

func month(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func copyWith(x map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(x)+len(kv)/2)
	for k, v := range x {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

var rollupKeyFields = []string{"m", "day", "agency", "district", "scopeKey", "sealed", "offense", "codes", "dkind", "subtype",
	"rounds", "guilty", "dagency", "late", "endDay"}

// receivedDays are the UTC days on which handovers of the types reached c.
func (m *model) receivedDays(c *caseM, types ...string) []time.Time {
	var out []time.Time
	for _, uid := range c.received {
		h := m.handovers[uid]
		if h.receivedAt != nil && slices.Contains(types, h.typ) {
			out = append(out, utcDay(*h.receivedAt))
		}
	}
	return out
}

// daysSince is the days from the latest received day not after day, or nil.
func daysSince(received []time.Time, day time.Time) *int {
	var start *time.Time
	for i, r := range received {
		if !r.After(day) && (start == nil || r.After(*start)) {
			start = &received[i]
		}
	}
	if start == nil {
		return nil
	}
	d := int(day.Sub(*start).Hours() / 24)
	return &d
}

// rollupCells are the roll-up cells a case counts in, sorted by key and
// days.
func (m *model) rollupCells(c *caseM) []rcell {
	scope := c.scope
	if scope == nil {
		scope = []string{}
	}
	var raw []map[string]any
	var filedMonth any
	if c.filedAt != nil {
		fm := month(*c.filedAt)
		filedMonth = neo4j.DateOf(fm)
		raw = append(raw, map[string]any{"m": "case", "day": neo4j.DateOf(*c.filedAt)})
		offs := make([]string, 0, len(c.offenses))
		for o := range c.offenses {
			offs = append(offs, o)
		}
		sort.Strings(offs)
		if len(offs) == 0 {
			raw = append(raw, map[string]any{"m": "charge", "day": filedMonth, "offense": nil, "codes": []string{}})
		}
		for _, o := range offs {
			raw = append(raw, map[string]any{"m": "charge", "day": filedMonth, "offense": o, "codes": []string{o}})
		}
	}
	for _, uid := range c.decisions {
		d := m.decisions[uid]
		if d.decidedAt == nil || !slices.Contains([]string{"APPROVE_ARREST", "DENY_ARREST", "PROSECUTE", "NOT_PROSECUTE"}, d.kind) {
			continue
		}
		received := m.receivedDays(c, "PROSECUTION", "RESUBMISSION")
		if d.kind == "APPROVE_ARREST" || d.kind == "DENY_ARREST" {
			received = m.receivedDays(c, "ARREST_REQUEST")
		}
		x := map[string]any{"m": "decision", "day": neo4j.DateOf(month(*d.decidedAt)), "dkind": d.kind, "subtype": d.subtype}
		if days := daysSince(received, *d.decidedAt); days != nil {
			x["days"] = *days
		}
		raw = append(raw, x)
	}
	if c.filedAt != nil && len(m.receivedDaysAny(c, "PROSECUTION")) > 0 {
		rounds := 0
		for _, uid := range c.decisions {
			if m.decisions[uid].kind == "RETURN_FOR_SUPPLEMENT" {
				rounds++
			}
		}
		raw = append(raw, map[string]any{"m": "supp", "day": filedMonth, "rounds": min(rounds, 2)})
	}
	for _, uid := range c.judgments {
		j := m.judgments[uid]
		if j.decidedAt == nil {
			continue
		}
		x := map[string]any{"m": "judgment", "day": neo4j.DateOf(month(*j.decidedAt)), "guilty": j.verdict == "GUILTY"}
		if days := daysSince(m.receivedDays(c, "INDICTMENT", "APPEAL", "PROTEST"), *j.decidedAt); days != nil {
			x["days"] = *days
		}
		raw = append(raw, x)
	}
	type overdue struct {
		late   bool
		endDay *int
	}
	byAgency := map[string]*overdue{}
	var agencies []string
	for _, d := range c.deadlines {
		status, _ := d["status"].(string)
		if d["kind"] != "DUTY" || (status != "LATE" && status != "RUNNING") {
			continue
		}
		a, _ := d["agency"].(string)
		o := byAgency[a]
		if o == nil {
			o = &overdue{}
			byAgency[a] = o
			agencies = append(agencies, a)
		}
		if status == "LATE" {
			o.late = true
		}
		if end, ok := d["endAt"].(time.Time); ok && status == "RUNNING" {
			day := int(end.Unix() / 86400)
			if o.endDay == nil || day < *o.endDay {
				o.endDay = &day
			}
		}
	}
	for _, a := range agencies {
		o := byAgency[a]
		if !o.late && o.endDay == nil {
			continue
		}
		day := neo4j.DateOf(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
		var endDay any
		dayM := day
		if !o.late {
			endDay = *o.endDay
			t := time.Unix(int64(*o.endDay)*86400, 0).UTC()
			day, dayM = neo4j.DateOf(t), neo4j.DateOf(month(t))
		}
		raw = append(raw,
			map[string]any{"m": "overdue", "dagency": a, "late": o.late, "endDay": endDay, "day": day},
			map[string]any{"m": "overdue-m", "dagency": a, "late": o.late, "day": dayM})
	}
	scopeKey := ""
	for _, t := range scope {
		scopeKey += t + ","
	}
	var district any
	if c.district != nil {
		district = *c.district
	}
	out := make([]rcell, 0, 2*len(raw))
	for _, x := range raw {
		out = append(out, rollupCell(copyWith(x, "scope", scope, "scopeKey", scopeKey, "sealed", c.sealed, "agency", c.agency, "district", district)))
	}
	for _, x := range raw {
		var agency any = c.agency
		if m := x["m"].(string); m == "case" || m == "charge" || m == "overdue" || m == "overdue-m" {
			agency = nil
		}
		out = append(out, rollupCell(copyWith(x, "m", x["m"].(string)+"*", "sealed", c.sealed, "agency", agency)))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].key != out[j].key {
			return out[i].key < out[j].key
		}
		a, b := out[i].days, out[j].days
		switch {
		case a == nil:
			return false
		case b == nil:
			return true
		}
		return *a < *b
	})
	return out
}

func (m *model) receivedDaysAny(c *caseM, typ string) []string {
	var out []string
	for _, uid := range c.received {
		if m.handovers[uid].typ == typ {
			out = append(out, uid)
		}
	}
	return out
}

func rollupCell(x map[string]any) rcell {
	parts := make([]string, len(rollupKeyFields))
	for i, f := range rollupKeyFields {
		if f == "codes" {
			s := ""
			codes, _ := x["codes"].([]string)
			for _, c := range codes {
				s += c + ","
			}
			parts[i] = s
			continue
		}
		parts[i] = text(x[f])
	}
	r := rcell{x: x, key: strings.Join(parts, "|")}
	if d, ok := x["days"].(int); ok {
		r.days = &d
	}
	return r
}

func entry(r rcell) string {
	if r.days == nil {
		return r.key
	}
	return r.key + "\u001f" + fmt.Sprint(*r.days)
}

// move nets the changes of the cases whose cells changed, per cell and day
// of its histogram, and applies those that change something: what
// casegraph's roll-up statement writes.
type move struct {
	n    int
	days map[int]int
	x    map[string]any
}

func netCell(moves map[string]*move, keys *[]string, key string) *move {
	mv := moves[key]
	if mv == nil {
		mv = &move{days: map[int]int{}}
		moves[key] = mv
		*keys = append(*keys, key)
	}
	return mv
}

func (m *model) syncRollups(cases []string) {
	moves := map[string]*move{}
	var keys []string
	for _, uid := range cases {
		c := m.cases[uid]
		cells := m.rollupCells(c)
		entries := make([]string, len(cells))
		for i, r := range cells {
			entries[i] = entry(r)
		}
		if c.hasRollup && slices.Equal(c.rollup, entries) {
			continue
		}
		for _, e := range c.rollup {
			key, days, _ := strings.Cut(e, "\u001f")
			mv := netCell(moves, &keys, key)
			mv.n--
			if days != "" {
				var d int
				fmt.Sscan(days, &d)
				mv.days[d]--
			}
		}
		for _, r := range cells {
			mv := netCell(moves, &keys, r.key)
			mv.n++
			if r.days != nil {
				mv.days[*r.days]++
			}
			if mv.x == nil {
				mv.x = r.x
			}
		}
		c.rollup, c.hasRollup = entries, true
		m.out.setCase(uid, "rollup", entries)
	}
	for _, key := range keys {
		mv := moves[key]
		changed := mv.n != 0
		for _, dd := range mv.days {
			changed = changed || dd != 0
		}
		if !changed {
			continue
		}
		cl := m.rollups[key]
		if cl == nil {
			props := map[string]any{"key": key}
			for k, v := range mv.x {
				if k != "days" && k != "scope" && v != nil {
					props[k] = v
				}
			}
			cl = &cell{props: props, hist: []int{}}
			m.rollups[key] = cl
		}
		cl.n += mv.n
		for d, dd := range mv.days {
			if dd == 0 {
				continue
			}
			for len(cl.hist) <= d {
				cl.hist = append(cl.hist, 0)
			}
			cl.hist[d] += dd
		}
		m.out.rollups[key] = true
		if mv.x != nil && mv.x["scope"] != nil {
			sk := mv.x["scopeKey"].(string)
			if _, ok := m.rollupScopes[sk]; !ok {
				m.rollupScopes[sk] = mv.x["scope"].([]string)
				m.out.rollupScopes[sk] = true
			}
		}
	}
}

var alertKeyFields = []string{"m", "day", "agency", "district", "anomaly", "flagged", "severity", "scopeKey", "sealed"}

// alertEntries are a case's alert entries as casegraph stores them: one per
// deadline with an openEnd, its dimensions ("=" and the value, or "~")
// separated by U+001F, sorted.
func alertEntries(c *caseM) []string {
	out := []string{}
	for _, d := range c.deadlines {
		end, ok := d["openEnd"].(time.Time)
		if !ok {
			continue
		}
		flags, _ := d["flags"].([]string)
		parts := []any{dateString(utcDay(end)), d["agency"], d["district"], text(d["kind"] == "ANOMALY"), text(len(flags) > 0), d["severity"]}
		e := make([]string, len(parts))
		for i, p := range parts {
			if p == nil {
				e[i] = "~"
			} else {
				e[i] = "=" + p.(string)
			}
		}
		out = append(out, strings.Join(e, "\u001f"))
	}
	sort.Strings(out)
	return out
}

// alertCounters are the four counters (by day and month, with and without
// scope) an entry counts in.
func alertCounters(e, scopeKey string, sealed bool) []rcell {
	p := strings.Split(e, "\u001f")
	v := make([]any, len(p))
	for i, s := range p {
		if s != "~" {
			v[i] = s[1:]
		}
	}
	day, _ := time.Parse(time.DateOnly, v[0].(string))
	b := map[string]any{"day": neo4j.DateOf(day), "agency": v[1], "district": v[2], "anomaly": v[3] == "true",
		"flagged": v[4] == "true", "severity": v[5], "sealed": sealed}
	md := neo4j.DateOf(month(day))
	out := make([]rcell, 0, 4)
	for _, x := range []map[string]any{
		copyWith(b, "m", "alert-d", "scopeKey", scopeKey),
		copyWith(b, "m", "alert-m", "day", md, "scopeKey", scopeKey),
		copyWith(b, "m", "alert-d*"),
		copyWith(b, "m", "alert-m*", "day", md),
	} {
		parts := make([]string, len(alertKeyFields))
		for i, f := range alertKeyFields {
			parts[i] = text(x[f])
		}
		out = append(out, rcell{x: x, key: strings.Join(parts, "|")})
	}
	return out
}

func (m *model) syncAlerts(cases []string) {
	moves := map[string]*move{}
	scopes := map[string][]string{}
	var keys []string
	for _, uid := range cases {
		c := m.cases[uid]
		entries := alertEntries(c)
		scope := c.scope
		if scope == nil {
			scope = []string{}
		}
		scopeKey := ""
		for _, t := range scope {
			scopeKey += t + ","
		}
		if c.hasAlerts && slices.Equal(c.alertCells, entries) && c.alertScope == scopeKey && c.alertSealed == c.sealed {
			continue
		}
		for _, e := range c.alertCells {
			for _, r := range alertCounters(e, c.alertScope, c.alertSealed) {
				mv := netCell(moves, &keys, r.key)
				mv.n--
				if mv.x == nil {
					mv.x = r.x
				}
			}
		}
		for _, e := range entries {
			for _, r := range alertCounters(e, scopeKey, c.sealed) {
				mv := netCell(moves, &keys, r.key)
				mv.n++
				if mv.x == nil {
					mv.x = r.x
				}
				if _, ok := scopes[r.key]; !ok {
					scopes[r.key] = scope
				}
			}
		}
		c.alertCells, c.alertScope, c.alertSealed, c.hasAlerts = entries, scopeKey, c.sealed, true
		m.out.setCase(uid, "alertCells", entries)
		m.out.setCase(uid, "alertScope", scopeKey)
		m.out.setCase(uid, "alertSealed", c.sealed)
	}
	for _, key := range keys {
		mv := moves[key]
		if mv.n == 0 {
			continue
		}
		cl := m.alerts[key]
		if cl == nil {
			props := map[string]any{"key": key}
			for k, v := range mv.x {
				if v != nil {
					props[k] = v
				}
			}
			cl = &cell{props: props}
			m.alerts[key] = cl
		}
		cl.n += mv.n
		m.out.alerts[key] = true
		if scope, ok := scopes[key]; ok && mv.x["scopeKey"] != nil {
			sk := mv.x["scopeKey"].(string)
			if _, ok := m.alertScopes[sk]; !ok {
				m.alertScopes[sk] = scope
				m.out.alertScopes[sk] = true
			}
		}
	}
}
