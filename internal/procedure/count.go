package procedure

import (
	"fmt"
	"math"
	"time"
)

// China is the time zone every period is counted in: China Standard Time,
// UTC+8 all year (there has been no daylight saving time since 1991). A fixed
// zone needs no tzdata on the host. Times in other zones are converted first,
// so the trigger day is the day in China.
var China = time.FixedZone("CST", 8*60*60)

// Unit is the unit a period is counted in: 「期间以时、日、月计算。」 (CPL 105(1)).
type Unit string

// Units of a period.
const (
	Hours  Unit = "hours"
	Days   Unit = "days"
	Months Unit = "months"
)

// Limit is a length of time as the law states it: N hours, N days or N
// months. Amount is a whole number, or for months a multiple of one half:
// 「半个月一律按十五日计算。」 (SPC 202(1)), so 一个半月 is Amount 1.5 and
// counts as one month and then 15 days.
type Limit struct {
	Amount float64 `json:"amount"`
	Unit   Unit    `json:"unit"`
}

// Valid reports whether the limit can be counted.
func (l Limit) Valid() error {
	if !(l.Amount > 0) || math.IsInf(l.Amount, 0) {
		return fmt.Errorf("limit %v: amount must be positive", l.Amount)
	}
	switch l.Unit {
	case Hours, Days:
		if l.Amount != math.Trunc(l.Amount) {
			return fmt.Errorf("limit %v %s: hours and days are whole numbers", l.Amount, l.Unit)
		}
	case Months:
		if l.Amount*2 != math.Trunc(l.Amount*2) {
			return fmt.Errorf("limit %v months: months are whole or halves (半个月 = 15日)", l.Amount)
		}
	default:
		return fmt.Errorf("limit %v %q: unit must be hours, days or months", l.Amount, l.Unit)
	}
	return nil
}

// String writes the limit as the statute does: 二十四小时, 七日, 二个月, 一个半月.
func (l Limit) String() string {
	switch l.Unit {
	case Hours:
		return Numeral(int(l.Amount)) + "小时"
	case Days:
		return Numeral(int(l.Amount)) + "日"
	case Months:
		whole := int(l.Amount)
		half := l.Amount != float64(whole)
		switch {
		case whole == 0 && half:
			return "半个月"
		case half:
			return Numeral(whole) + "个半月"
		default:
			return Numeral(whole) + "个月"
		}
	}
	return fmt.Sprintf("%v %s", l.Amount, l.Unit)
}

// approxHours orders limits of one kind by length when an amount is checked
// against a cap; months count as 30 days for that comparison only, never for
// counting.
func (l Limit) approxHours() float64 {
	switch l.Unit {
	case Hours:
		return l.Amount
	case Days:
		return l.Amount * 24
	default:
		return l.Amount * 30 * 24
	}
}

// ExtensionMode says how an extension adds to a period.
type ExtensionMode string

// Extension modes.
const (
	// ExtendBy (延长N日/N个月) adds a period that begins the day after the
	// previous expiry; that expiry day is its trigger day and not counted
	// (CPL 105(2)), the same reading the doc gives for T29 ("expiry of T28").
	ExtendBy ExtensionMode = "add"
	// ExtendTo (延长至N日, 不得超过N) sets the whole period, counted from the
	// original start.
	ExtendTo ExtensionMode = "to"
)

// Grant is one extension granted on a running period (延长期限).
type Grant struct {
	Extension string        `json:"extension"` // the option's ID, e.g. T28.1
	Mode      ExtensionMode `json:"mode"`
	Limit     Limit         `json:"limit"`
	Approver  string        `json:"approver,omitempty"`
	At        time.Time     `json:"at"`
}

// Pause is a stretch of time not counted in a period (不计入): 鉴定 (T33),
// 中止审理 (T52), 二审阅卷 (T61), 决定强制措施 (T27). Days is the number of
// calendar days from the day it began to the day it ended: the day it began
// was already counted by the period, the day it ended is not. An open pause
// (To zero) runs until the time the period is evaluated at.
type Pause struct {
	Rule string    `json:"rule"`
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitempty"`
	Days int       `json:"days"`
}

// Open reports whether the pause has not ended.
func (p Pause) Open() bool { return p.To.IsZero() }

// Period is everything needed to count one time limit.
type Period struct {
	Start    time.Time // the trigger (the act, the receipt, the decision)
	Limit    Limit
	Custody  bool // a custody period (在押期间): never extended for holidays
	Backward bool // counted back from Start (至迟在开庭十日以前, T48, T73)
	Grants   []Grant
	Pauses   []Pause
}

// Deadline is a counted period with its working.
type Deadline struct {
	Start      time.Time `json:"start"`
	Expiry     time.Time `json:"expiry"`     // the calendar expiry after the limit and extensions, before pauses and holidays
	PausedDays int       `json:"pausedDays"` // days not counted
	Due        time.Time `json:"due"`        // the last day of the period (00:00 China time), or the exact instant for hours
	End        time.Time `json:"end"`        // the first instant after the period: the day after Due, or Due itself for hours
	RolledOver bool      `json:"rolledOver"` // Due was moved past holidays (CPL 105(4))
	Fallback   bool      `json:"fallback"`   // a day decided on is in a year without a published holiday schedule
	Working    []string  `json:"working"`    // the counting step by step, in Chinese, citing the rules applied
}

// Due is the due date of a period of limit started at start: the last day
// (at 00:00 China time) on which the act is in time, or for hours the exact
// instant. custody says whether the period is a custody period, which CPL
// 105(4) never extends for holidays. A nil calendar is the embedded one.
func Due(start time.Time, limit Limit, cal *Calendar, custody bool) time.Time {
	return cal.Count(Period{Start: start, Limit: limit, Custody: custody}, time.Time{}).Due
}

var (
	citeTriggerDay = MustCitation("CPL 105(2)")
	citeHoliday    = MustCitation("CPL 105(4)")
	citeMonth      = MustCitation("SPC 202(1)")
)

// Count counts a period exactly as §0.2 of the domain reference says:
//
//   - the trigger day is not counted (CPL 105(2)); hours run from the clock
//     time of the trigger;
//   - N days end on the trigger day + N;
//   - N months end on the same day of the target month, or on its last day
//     when that day does not exist, and on the last day of the target month
//     when the trigger is the last day of its month (SPC 202(1)); half a month
//     is 15 days, added after the whole months;
//   - extensions follow in the order granted (ExtendBy from the previous
//     expiry, ExtendTo from the start; a shorter ExtendTo never shortens);
//   - paused days move the expiry later by as many days;
//   - only then, for a period that is not a custody period, a last day that is
//     a holiday (a statutory holiday or a weekend that is not a 调休 working
//     day) moves to the first working day after it (CPL 105(4)).
//
// now closes open pauses; a zero now counts open pauses as zero days.
func (c *Calendar) Count(p Period, now time.Time) Deadline {
	c = c.orDefault()
	start := p.Start.In(China)
	d := Deadline{Start: start}
	if p.Limit.Unit == Hours {
		end := start
		base := start
		for i, g := range append([]Grant{{Mode: ExtendTo, Limit: p.Limit}}, p.Grants...) {
			h := time.Duration(g.Limit.Amount) * time.Hour
			var next time.Time
			if g.Mode == ExtendTo {
				next = base.Add(h)
			} else {
				next = end.Add(h)
			}
			if next.After(end) {
				end = next
			}
			if i == 0 {
				d.Working = append(d.Working, fmt.Sprintf("%s起%s，至%s（期间以时计算的，自该时起算）", fmtInstant(start), p.Limit, fmtInstant(end)))
			} else {
				d.Working = append(d.Working, fmt.Sprintf("延长（%s）%s，至%s", g.Extension, g.Limit, fmtInstant(end)))
			}
		}
		d.Expiry, d.Due, d.End = end, end, end
		return d
	}

	day := dateOf(start)
	if p.Backward {
		due := addDays(day, -int(p.Limit.Amount)) // backward limits are days (checked when the rules load)
		d.Expiry, d.Due, d.End = due, due, addDays(due, 1)
		d.Working = append(d.Working, fmt.Sprintf("自%s倒数%s（该日不计入），至迟于%s", fmtDate(day), p.Limit, fmtDate(due)))
		d.Fallback = !c.Day(due).Published
		return d
	}

	d.Working = append(d.Working, fmt.Sprintf("起算：%s（期间开始的日不算在期间以内，%s）", fmtDate(day), citeTriggerDay))
	expiry, step := addLimit(day, p.Limit)
	d.Working = append(d.Working, p.Limit.String()+"："+step)
	for _, g := range p.Grants {
		var next time.Time
		var step string
		if g.Mode == ExtendTo {
			next, step = addLimit(day, g.Limit)
			step = fmt.Sprintf("延长至%s（%s），自起算日计：%s", g.Limit, g.Extension, step)
		} else {
			next, step = addLimit(expiry, g.Limit)
			step = fmt.Sprintf("延长%s（%s），自原期满日次日起计：%s", g.Limit, g.Extension, step)
		}
		if next.After(expiry) {
			expiry = next
		} else {
			step += "，不早于原期满日，仍为" + fmtDate(expiry)
		}
		d.Working = append(d.Working, step)
	}
	d.Expiry = expiry
	for _, ps := range p.Pauses {
		to := ps.To
		if to.IsZero() {
			to = now
		}
		n := 0
		if !to.IsZero() {
			n = daysBetween(dateOf(ps.From), dateOf(to))
		}
		if n < 0 {
			n = 0
		}
		if n > 0 {
			if ps.To.IsZero() {
				d.Working = append(d.Working, fmt.Sprintf("%s起不计入期间（%s），至今%d日", fmtDate(dateOf(ps.From)), ps.Rule, n))
			} else {
				d.Working = append(d.Working, fmt.Sprintf("%s至%s不计入期间（%s），%d日", fmtDate(dateOf(ps.From)), fmtDate(dateOf(to)), ps.Rule, n))
			}
		}
		d.PausedDays += n
	}
	due := addDays(expiry, d.PausedDays)
	if d.PausedDays > 0 {
		d.Working = append(d.Working, fmt.Sprintf("顺延不计入的%d日：%s", d.PausedDays, fmtDate(due)))
	}
	info := c.Day(due)
	d.Fallback = !info.Published
	if info.Holiday {
		if p.Custody {
			d.Working = append(d.Working, fmt.Sprintf("%s为节假日（%s），但在押期间至期满之日为止，不因节假日延长（%s）", fmtDate(due), info.Name, citeHoliday))
		} else {
			first := due
			for c.Day(first).Holiday {
				if !c.Day(first).Published {
					d.Fallback = true
				}
				first = addDays(first, 1)
			}
			if !c.Day(first).Published {
				d.Fallback = true
			}
			d.Working = append(d.Working, fmt.Sprintf("%s为节假日（%s），以节假日后的第一日%s为期满日期（%s）", fmtDate(due), info.Name, fmtDate(first), citeHoliday))
			due = first
			d.RolledOver = true
		}
	}
	if d.Fallback {
		d.Working = append(d.Working, fmt.Sprintf("注意：%d年没有收录国务院办公厅公布的节假日安排，仅按周末和固定日期的法定节假日推定", due.Year()))
	}
	d.Due, d.End = due, addDays(due, 1)
	return d
}

// addLimit adds a day or month limit to a trigger day.
func addLimit(day time.Time, l Limit) (time.Time, string) {
	if l.Unit == Days {
		end := addDays(day, int(l.Amount))
		return end, fmt.Sprintf("至%s", fmtDate(end))
	}
	whole := int(l.Amount)
	end, why := addMonths(day, whole)
	step := fmt.Sprintf("至%s", fmtDate(end))
	if why != "" {
		step += "（" + why + "，" + citeMonth + "）"
	}
	if l.Amount != float64(whole) {
		end = addDays(end, 15)
		step += fmt.Sprintf("，再加半个月即十五日（%s），至%s", citeMonth, fmtDate(end))
	}
	return end, step
}

// addMonths counts n months from day per SPC 202(1) and says why when the
// day of the month changes.
func addMonths(day time.Time, n int) (time.Time, string) {
	if n == 0 {
		return day, ""
	}
	y, m, dd := day.Date()
	ty, tm := y, m+time.Month(n)
	last := daysIn(ty, tm)
	first := time.Date(ty, tm, 1, 0, 0, 0, 0, China)
	ty, tm = first.Year(), first.Month()
	switch {
	case dd == daysIn(y, m) && dd != last:
		return time.Date(ty, tm, last, 0, 0, 0, 0, China), "起算日为该月最后一日，至期满月份的最后一日"
	case dd > last:
		return time.Date(ty, tm, last, 0, 0, 0, 0, China), "期满月份没有同日，至该月最后一日"
	default:
		return time.Date(ty, tm, dd, 0, 0, 0, 0, China), ""
	}
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, China).Day()
}

// dateOf is the calendar day of t in China, at 00:00.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(China).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, China)
}

func addDays(day time.Time, n int) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, China)
}

// daysBetween is the number of calendar days from a to b (both dates).
func daysBetween(a, b time.Time) int {
	return int(math.Round(b.Sub(a).Hours() / 24))
}

func fmtDate(t time.Time) string {
	t = t.In(China)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

func fmtInstant(t time.Time) string {
	t = t.In(China)
	return fmt.Sprintf("%s%02d:%02d", fmtDate(t), t.Hour(), t.Minute())
}
