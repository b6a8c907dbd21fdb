package procedure

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, China) }

// example is one worked example of a time-limit row. The period is built from
// the rule's own data (limit or sub-limit, extensions), so a wrong number in
// rules/limits.json fails here.
type example struct {
	rule    string // the row the example is for
	clock   string // the clock counted, when rule is an extension row of another (T29 → T28)
	sub     string // a sub-limit key
	start   time.Time
	custody bool
	grants  []string // extension IDs, in order; "T15.1=1d" grants a stated amount
	pauses  [][2]time.Time
	amount  *Limit // the decision's own length (T45)
	want    time.Time
	why     string
}

// examples hold a worked example for every time-limit row with a number,
// every sub-limit and every extension option, and the edge cases of §0.2.
// Dates are in the 2024 schedule unless said otherwise: 国庆节 10/1–10/7
// (9/29 and 10/12 working days), 劳动节 5/1–5/5 (4/28 and 5/11 working),
// 春节 2/10–2/17 (2/4 and 2/18 working), 清明 4/4–4/6 (4/7 working), 端午 6/8–6/10,
// 中秋 9/15–9/17 (9/14 working).
var examples = []example{
	// T02 (SECONDARY): 受案 Fri 1 March, 3 days → Mon 4 March, a working day.
	{rule: "T02", start: at(2024, 3, 1, 9, 0), want: date(2024, 3, 4), why: "3 days from the day after 受案"},
	{rule: "T02", grants: []string{"T02.1"}, start: at(2024, 3, 1, 9, 0), want: date(2024, 3, 8), why: "T02.1 sets the whole period to 7 days"},
	{rule: "T02", grants: []string{"T02.2"}, start: at(2024, 3, 1, 9, 0), want: date(2024, 4, 1), why: "30 days end Sun 31 March, a weekend: non-custody, first working day after"},
	// T02E: 26 April + 7 = 3 May, inside 劳动节 5/1–5/5 → Mon 6 May.
	{rule: "T02E", start: at(2024, 4, 26, 10, 0), want: date(2024, 5, 6), why: "ends on a 劳动节 holiday, rolls to the first working day after"},
	{rule: "T02E", grants: []string{"T02E.1"}, start: at(2024, 4, 26, 10, 0), want: date(2024, 5, 27), why: "to 30 days: Sun 26 May → Mon 27 May"},
	{rule: "T02E", grants: []string{"T02E.1", "T02E.2"}, start: at(2024, 4, 26, 10, 0), want: date(2024, 6, 25), why: "+30 more from the 30th day (26 May, unrolled): Tue 25 June"},
	// T03: 7 Feb + 3 = 10 Feb, 春节 10–17 Feb; Sun 18 Feb is a 调休 working day, so the period ends then.
	{rule: "T03", start: at(2024, 2, 7, 10, 0), want: date(2024, 2, 18), why: "rolls over 春节 onto the Sunday made a working day"},
	{rule: "T03", sub: "notify", start: at(2024, 2, 7, 10, 0), want: at(2024, 2, 8, 10, 0), why: "24 hours from the clock time"},
	{rule: "T03", sub: "supplement", start: at(2024, 2, 8, 10, 0), want: date(2024, 2, 18), why: "3 days → 11 Feb (春节) → 18 Feb"},
	// T04: hours never roll over, even into 劳动节.
	{rule: "T04", start: at(2024, 5, 1, 9, 0), want: at(2024, 5, 2, 9, 0), why: "24 hours; holidays do not touch hour periods"},
	// T05: Thu 26 Sep + 3 = Sun 29 Sep, a 调休 working day: no roll-over.
	{rule: "T05", start: at(2024, 9, 26, 15, 0), want: date(2024, 9, 29), why: "the last day is a Sunday made a working day"},
	// T06: apply within 7 days of receipt: 24 Sep + 7 = 1 Oct (国庆) → 8 Oct.
	{rule: "T06", start: at(2024, 9, 24, 0, 0), want: date(2024, 10, 8), why: "National Day roll-over for a non-custody period"},
	{rule: "T06", sub: "decide", start: at(2024, 1, 2, 0, 0), want: date(2024, 2, 1), why: "30 days"},
	// T07: 25 Dec 2023 + 7 = 1 Jan 2024 (元旦) → 2 Jan.
	{rule: "T07", start: at(2023, 12, 25, 0, 0), want: date(2024, 1, 2), why: "元旦 roll-over across the year"},
	{rule: "T08", start: at(2024, 6, 1, 0, 0), want: date(2024, 6, 17), why: "15 days → Sun 16 June → Mon 17 June"},
	// T09: 30 Nov is the last day of November: 3 months end on the last day of February (SPC 202(1)).
	{rule: "T09", start: at(2024, 11, 30, 0, 0), want: date(2025, 2, 28), why: "last day of the month → last day of the target month"},
	// T10: 21 Jan 2025 + 7 = 28 Jan, 春节 2025 (1/28–2/4) → Wed 5 Feb.
	{rule: "T10", start: at(2025, 1, 21, 0, 0), want: date(2025, 2, 5), why: "2025 schedule, 春节 with 除夕"},
	{rule: "T11", start: at(2025, 4, 28, 0, 0), want: date(2025, 5, 6), why: "5 May 2025 is 劳动节 → 6 May"},
	// T12: 12 hours from the time of arrival; extension T12.1 sets 24 hours.
	{rule: "T12", start: at(2024, 6, 1, 20, 0), want: at(2024, 6, 2, 8, 0), why: "12 hours"},
	{rule: "T12", grants: []string{"T12.1"}, start: at(2024, 6, 1, 20, 0), want: at(2024, 6, 2, 20, 0), why: "to 24 hours"},
	{rule: "T13", start: at(2024, 10, 1, 9, 0), custody: true, want: at(2024, 10, 2, 9, 0), why: "24 hours to 看守所, on National Day all the same"},
	{rule: "T13", sub: "family", start: at(2024, 10, 1, 9, 0), custody: true, want: at(2024, 10, 2, 9, 0), why: "24 hours to notify the family"},
	{rule: "T14", start: at(2024, 3, 5, 22, 30), custody: true, want: at(2024, 3, 6, 22, 30), why: "24 hours from 22:30"},
	// T15: 拘留 Tue 5 March 22:30: the day after counts, 3 days → Fri 8 March.
	{rule: "T15", start: at(2024, 3, 5, 22, 30), custody: true, want: date(2024, 3, 8), why: "3 days from the day after 拘留"},
	{rule: "T15", grants: []string{"T15.1"}, start: at(2024, 3, 5, 22, 30), custody: true, want: date(2024, 3, 12), why: "+4 days from 8 March"},
	{rule: "T15", grants: []string{"T15.1=1d"}, start: at(2024, 3, 5, 22, 30), custody: true, want: date(2024, 3, 9), why: "+1 day: Sat 9 March, custody, no roll-over"},
	{rule: "T15", grants: []string{"T15.2"}, start: at(2024, 3, 5, 22, 30), custody: true, want: date(2024, 4, 4), why: "to 30 days: 4 April is 清明 but custody periods never move"},
	// T16: the custody exception: 24 Sep + 7 = 1 Oct, a holiday, stays.
	{rule: "T16", start: at(2024, 9, 24, 10, 0), custody: true, want: date(2024, 10, 1), why: "custody period ending on National Day does not move (CPL 105(4))"},
	{rule: "T16b", start: at(2024, 9, 16, 10, 0), want: date(2024, 10, 8), why: "same arithmetic, suspect not detained: 1 Oct rolls to 8 Oct"},
	{rule: "T16b", grants: []string{"T16b.1"}, start: at(2024, 9, 16, 10, 0), want: date(2024, 10, 8), why: "to 20 days: 6 Oct (国庆) → 8 Oct"},
	{rule: "T17", start: at(2024, 6, 7, 0, 0), want: date(2024, 6, 11), why: "10 June is 端午 → 11 June"},
	{rule: "T18", start: at(2024, 4, 30, 0, 0), want: date(2024, 5, 6), why: "5 days → 5 May (劳动节) → 6 May"},
	{rule: "T18", sub: "reconsider", start: at(2024, 2, 5, 0, 0), want: date(2024, 2, 18), why: "7 days → 12 Feb (春节) → Sun 18 Feb, a working day"},
	{rule: "T18", sub: "review", start: at(2024, 1, 1, 0, 0), want: date(2024, 1, 16), why: "15 days"},
	{rule: "T19", start: at(2024, 12, 29, 0, 0), want: date(2025, 1, 2), why: "3 days → 1 Jan 2025 (元旦) → 2 Jan"},
	{rule: "T20", start: at(2024, 3, 15, 16, 0), custody: true, want: at(2024, 3, 16, 16, 0), why: "24 hours to notify the family"},
	{rule: "T20", sub: "interrogate", start: at(2024, 3, 15, 16, 0), custody: true, want: at(2024, 3, 16, 16, 0), why: "24 hours to interrogate"},
	{rule: "T21", start: at(2024, 6, 6, 0, 0), want: date(2024, 6, 11), why: "3 days → 9 June (端午 block 8–10) → 11 June"},
	{rule: "T22", start: at(2024, 9, 5, 0, 0), want: date(2024, 9, 18), why: "10 days → 15 Sep (中秋 15–17) → 18 Sep"},
	// T23: leap years. 28 Feb 2023 is the last day of February: 12 months end on 29 Feb 2024.
	{rule: "T23", start: at(2023, 2, 28, 0, 0), want: date(2024, 2, 29), why: "last day → last day of the target month, a leap February"},
	{rule: "T23", start: at(2024, 2, 29, 0, 0), want: date(2025, 2, 28), why: "29 Feb + 12 months: the last day of February 2025"},
	{rule: "T24", start: at(2024, 3, 31, 0, 0), want: date(2024, 9, 30), why: "6 months from the last day of March: 30 Sep"},
	{rule: "T25", start: at(2024, 3, 1, 8, 0), want: at(2024, 3, 2, 8, 0), why: "24 hours"},
	{rule: "T26", start: at(2024, 1, 29, 0, 0), custody: true, want: date(2024, 2, 12), why: "14 days → 12 Feb, 春节, custody: stays"},
	{rule: "T26", grants: []string{"T26.1"}, start: at(2024, 1, 29, 0, 0), custody: true, want: date(2024, 2, 15), why: "+3 days"},
	{rule: "T27", start: at(2024, 5, 1, 0, 0), custody: true, want: date(2024, 5, 11), why: "10 days → Sat 11 May"},
	{rule: "T27", grants: []string{"T27.1"}, start: at(2024, 5, 1, 0, 0), custody: true, want: date(2024, 5, 15), why: "+4 days"},
	// T28–T30: 逮捕 30 Dec 2023. 2 months: 30 Feb does not exist → 29 Feb (leap).
	// Each extension runs from the day after the previous expiry; 29 Feb is the
	// last day of February, so +1 month ends on 31 March, and so on.
	{rule: "T28", start: at(2023, 12, 30, 10, 0), custody: true, want: date(2024, 2, 29), why: "no 30 February: the last day"},
	{rule: "T28", grants: []string{"T28.1"}, start: at(2023, 12, 30, 10, 0), custody: true, want: date(2024, 3, 31), why: "+1 month from the last day of February"},
	{rule: "T29", clock: "T28", grants: []string{"T28.1", "T29"}, start: at(2023, 12, 30, 10, 0), custody: true, want: date(2024, 5, 31), why: "+2 months (CPL 158)"},
	{rule: "T30", clock: "T28", grants: []string{"T28.1", "T28.2", "T30"}, start: at(2023, 12, 30, 10, 0), custody: true, want: date(2024, 7, 31), why: "+2 months (CPL 159): 7 months in all"},
	{rule: "T28", start: at(2024, 3, 15, 16, 0), custody: true, want: date(2024, 5, 15), why: "same day two months later"},
	{rule: "T32", start: at(2024, 4, 10, 0, 0), custody: true, want: date(2024, 6, 10), why: "restart: 2 months from the day 另有重要罪行 is found"},
	{rule: "T32", sub: "report", start: at(2024, 4, 10, 0, 0), custody: true, want: date(2024, 4, 15), why: "report within 5 days (MPS 151(1))"},
	// T34: 31 May + 3 months = 31 Aug (Sat) → Mon 2 Sep; +3 months from 31 Aug (last day) = 30 Nov (Sat) → Mon 2 Dec.
	{rule: "T34", start: at(2024, 5, 31, 0, 0), want: date(2024, 9, 2), why: "31 Aug is a Saturday"},
	{rule: "T34", grants: []string{"T34.1"}, start: at(2024, 5, 31, 0, 0), want: date(2024, 12, 2), why: "the roll-over applies once, at the end"},
	// T35 both ways around National Day.
	{rule: "T35", start: at(2024, 9, 1, 0, 0), want: date(2024, 10, 8), why: "1 month → 1 Oct; suspect not detained: roll to 8 Oct"},
	{rule: "T35", start: at(2024, 9, 1, 0, 0), custody: true, want: date(2024, 10, 1), why: "the same with the suspect in custody: 1 Oct"},
	{rule: "T35", grants: []string{"T35.1"}, start: at(2024, 9, 1, 0, 0), custody: true, want: date(2024, 10, 16), why: "+15 days from 1 Oct"},
	{rule: "T35", start: at(2024, 1, 31, 0, 0), custody: true, want: date(2024, 2, 29), why: "31 Jan + 1 month = 29 Feb in a leap year"},
	{rule: "T35", start: at(2023, 1, 31, 0, 0), custody: true, want: date(2023, 2, 28), why: "31 Jan + 1 month = 28 Feb"},
	{rule: "T35", start: at(2023, 2, 28, 0, 0), custody: true, want: date(2023, 3, 31), why: "28 Feb 2023 is the last day: + 1 month = 31 Mar (SPC 202(1))"},
	{rule: "T35", start: at(2023, 1, 30, 0, 0), custody: true, want: date(2023, 2, 28), why: "no 30 February: the last day"},
	{rule: "T35", start: at(2024, 4, 30, 0, 0), custody: true, want: date(2024, 5, 31), why: "30 April is the last day of April: the last day of May"},
	{rule: "T36", start: at(2024, 9, 21, 0, 0), custody: true, want: date(2024, 10, 1), why: "10 days"},
	{rule: "T36", grants: []string{"T36.1"}, start: at(2024, 9, 21, 0, 0), custody: true, want: date(2024, 10, 6), why: "to 15 days"},
	{rule: "T38", start: at(2024, 7, 5, 0, 0), custody: true, want: date(2024, 8, 5), why: "1 month"},
	{rule: "T41", start: at(2024, 12, 25, 0, 0), want: date(2025, 1, 2), why: "7 days → 1 Jan → 2 Jan"},
	{rule: "T42", start: at(2025, 1, 21, 0, 0), want: date(2025, 2, 5), why: "7 days → 28 Jan (春节 2025) → 5 Feb"},
	{rule: "T43", start: at(2024, 3, 1, 0, 0), want: date(2024, 3, 8), why: "7 days"},
	{rule: "T43", sub: "reconsider", start: at(2024, 3, 1, 0, 0), want: date(2024, 4, 1), why: "30 days → Sun 31 Mar → 1 Apr"},
	{rule: "T43", sub: "review", start: at(2024, 9, 1, 0, 0), want: date(2024, 10, 8), why: "30 days → 1 Oct → 8 Oct"},
	{rule: "T44", start: at(2024, 1, 31, 0, 0), want: date(2024, 4, 30), why: "3 months from the last day of January: 30 April"},
	{rule: "T44", grants: []string{"T44.1"}, start: at(2024, 1, 31, 0, 0), want: date(2024, 7, 31), why: "to 6 months"},
	{rule: "T45", start: at(2024, 2, 29, 0, 0), want: date(2025, 2, 28), why: "12 months (the longest 考验期)"},
	{rule: "T45", amount: &Limit{6, Months}, start: at(2024, 3, 31, 0, 0), want: date(2024, 9, 30), why: "a decision of 6 months (the shortest)"},
	{rule: "T46", start: at(2024, 9, 1, 0, 0), want: date(2024, 10, 8), why: "30 days → 1 Oct → 8 Oct"},
	{rule: "T47", start: at(2024, 10, 8, 0, 0), custody: true, want: date(2024, 10, 15), why: "7 days"},
	{rule: "T47", sub: "supplement", start: at(2024, 9, 28, 0, 0), want: date(2024, 10, 8), why: "3 days → 1 Oct → 8 Oct"},
	// T48 counts back from the trial day.
	{rule: "T48", start: at(2024, 3, 20, 9, 0), want: date(2024, 3, 10), why: "起诉书副本 at the latest 10 days before 20 March"},
	{rule: "T48", sub: "summons", start: at(2024, 3, 20, 9, 0), want: date(2024, 3, 17), why: "传票 3 days before"},
	{rule: "T49", start: at(2024, 10, 12, 0, 0), custody: true, want: date(2024, 12, 12), why: "2 months"},
	{rule: "T49", grants: []string{"T49.1"}, start: at(2024, 10, 12, 0, 0), want: date(2025, 1, 13), why: "to 3 months: Sun 12 Jan 2025 → 13 Jan (not in custody)"},
	{rule: "T49", grants: []string{"T49.1"}, start: at(2024, 10, 12, 0, 0), custody: true, want: date(2025, 1, 12), why: "the same in custody: Sun 12 Jan"},
	{rule: "T49", grants: []string{"T49.1", "T49.2"}, start: at(2024, 10, 12, 0, 0), custody: true, want: date(2025, 4, 12), why: "+3 months by the court above"},
	{rule: "T49", grants: []string{"T49.1", "T49.2", "T49.3=1m"}, start: at(2024, 10, 12, 0, 0), custody: true, want: date(2025, 5, 12), why: "+1 month by the Supreme People's Court"},
	{rule: "T51", start: at(2024, 1, 31, 0, 0), custody: true, want: date(2024, 2, 29), why: "1 month"},
	// T53: 一个半月 = one month, then 15 days.
	{rule: "T53", start: at(2024, 9, 11, 0, 0), custody: true, want: date(2024, 10, 1), why: "20 days"},
	{rule: "T53", grants: []string{"T53.1"}, start: at(2024, 1, 31, 0, 0), custody: true, want: date(2024, 3, 15), why: "一个半月: 29 Feb + 15 days"},
	{rule: "T54", start: at(2024, 4, 24, 0, 0), want: date(2024, 5, 6), why: "10 days → 4 May (劳动节) → 6 May"},
	{rule: "T54", start: at(2024, 4, 24, 0, 0), custody: true, want: date(2024, 5, 4), why: "in custody: 4 May"},
	{rule: "T54", grants: []string{"T54.1"}, start: at(2024, 4, 24, 0, 0), custody: true, want: date(2024, 5, 9), why: "to 15 days"},
	{rule: "T55", start: at(2024, 8, 31, 0, 0), want: date(2025, 2, 28), why: "6 months from the last day of August"},
	{rule: "T55", sub: "intake", start: at(2024, 2, 1, 0, 0), want: date(2024, 2, 18), why: "15 days → 16 Feb (春节) → Sun 18 Feb, a working day"},
	{rule: "T56", start: at(2024, 9, 26, 0, 0), want: date(2024, 10, 8), why: "5 days → 1 Oct → 8 Oct"},
	// T57: the National Day example. Judgment received 21 Sep: 10 days → 1 Oct → 8 Oct.
	{rule: "T57", start: at(2024, 9, 21, 0, 0), want: date(2024, 10, 8), why: "non-custody period ending on National Day rolls to the first working day after"},
	{rule: "T57", sub: "ruling", start: at(2024, 12, 27, 0, 0), want: date(2025, 1, 2), why: "5 days → 1 Jan → 2 Jan"},
	{rule: "T57", start: at(2026, 9, 21, 0, 0), want: date(2026, 10, 8), why: "the 2026 schedule: 国庆节 1–7 Oct"},
	{rule: "T57", start: at(2030, 9, 21, 0, 0), want: date(2030, 10, 4), why: "fallback year: 1–3 Oct are holidays, Fri 4 Oct is taken as a working day"},
	{rule: "T58", start: at(2024, 12, 2, 0, 0), want: date(2024, 12, 9), why: "5 days → Sat 7 Dec → Mon 9 Dec"},
	{rule: "T58", sub: "decide", start: at(2024, 6, 5, 0, 0), want: date(2024, 6, 11), why: "5 days → 10 June (端午) → 11 June"},
	{rule: "T59", start: at(2024, 4, 1, 0, 0), want: date(2024, 4, 7), why: "3 days → 4 Apr (清明 4–6) → Sun 7 Apr, a working day"},
	{rule: "T60", start: at(2024, 12, 6, 0, 0), custody: true, want: date(2025, 2, 6), why: "2 months"},
	{rule: "T60", grants: []string{"T60.1"}, start: at(2024, 12, 6, 0, 0), want: date(2025, 4, 7), why: "+2 months → 6 Apr 2025 (清明 4–6) → 7 Apr"},
	{rule: "T60", grants: []string{"T60.1", "T60.2=1m"}, start: at(2024, 12, 6, 0, 0), custody: true, want: date(2025, 5, 6), why: "+1 month granted by the Supreme People's Court"},
	{rule: "T61", start: at(2024, 12, 10, 0, 0), want: date(2025, 1, 10), why: "1 month"},
	{rule: "T64", start: at(2024, 1, 22, 0, 0), want: date(2024, 2, 1), why: "10 days"},
	{rule: "T65", start: at(2024, 2, 3, 0, 0), want: date(2024, 2, 18), why: "7 days → 10 Feb (春节) → 18 Feb"},
	{rule: "T66", start: at(2024, 11, 30, 0, 0), want: date(2025, 2, 28), why: "3 months from the last day of November"},
	{rule: "T66", grants: []string{"T66.1"}, start: at(2024, 11, 30, 0, 0), want: date(2025, 6, 3), why: "to 6 months: 31 May 2025 (端午 5/31–6/2) → 3 June"},
	{rule: "T67", start: at(2024, 7, 1, 0, 0), custody: true, want: date(2024, 10, 1), why: "3 months; custody"},
	{rule: "T67", grants: []string{"T67.1"}, start: at(2024, 7, 1, 0, 0), custody: true, want: date(2025, 1, 1), why: "to 6 months"},
	{rule: "T67", sub: "order", start: at(2024, 8, 31, 0, 0), want: date(2024, 9, 30), why: "1 month from the last day of August"},
	{rule: "T68", start: at(2025, 2, 10, 0, 0), want: date(2025, 2, 20), why: "10 days"},
	{rule: "T69", start: at(2024, 4, 30, 0, 0), want: date(2024, 5, 31), why: "1 month from the last day of April"},
	{rule: "T69", sub: "spp", start: at(2024, 4, 30, 0, 0), want: date(2024, 5, 30), why: "30 days is not a month"},
	{rule: "T70", start: at(2024, 1, 26, 0, 0), want: date(2024, 2, 5), why: "10 days"},
	{rule: "T70", sub: "notify", start: at(2024, 9, 12, 0, 0), want: date(2024, 9, 18), why: "5 days → 17 Sep (中秋) → 18 Sep"},
	{rule: "T70", sub: "documents", start: at(2024, 4, 25, 0, 0), want: date(2024, 5, 6), why: "10 days → 5 May → 6 May"},
	{rule: "T71", start: at(2023, 12, 31, 0, 0), want: date(2024, 1, 31), why: "1 month"},
	{rule: "T72", start: at(2024, 9, 11, 0, 0), want: date(2024, 10, 8), why: "20 days → 1 Oct → 8 Oct"},
	{rule: "T72", sub: "rehear", start: at(2024, 1, 29, 0, 0), want: date(2024, 2, 29), why: "1 month"},
	{rule: "T73", start: at(2024, 5, 15, 0, 0), want: date(2024, 5, 8), why: "notice at the latest 7 days before the expiry"},
	{rule: "T74", start: at(2024, 3, 20, 0, 0), want: date(2024, 4, 7), why: "15 days → 4 Apr (清明) → Sun 7 Apr, a working day"},
	{rule: "T75", start: at(2024, 5, 8, 0, 0), want: date(2024, 5, 15), why: "7 days"},
	{rule: "T76", start: at(2026, 9, 21, 0, 0), want: date(2026, 10, 8), why: "2026 schedule"},
	// Pauses (not counted): T33 鉴定 from 10 to 20 March inside a T35 period.
	{rule: "T33", clock: "T35", start: at(2024, 3, 1, 0, 0), custody: true, pauses: [][2]time.Time{{at(2024, 3, 10, 0, 0), at(2024, 3, 20, 0, 0)}}, want: date(2024, 4, 11), why: "1 April + 10 paused days"},
	{rule: "T52", clock: "T49", start: at(2024, 3, 1, 0, 0), custody: true, pauses: [][2]time.Time{{at(2024, 3, 5, 0, 0), at(2024, 3, 25, 0, 0)}, {at(2024, 4, 1, 0, 0), at(2024, 4, 2, 0, 0)}}, want: date(2024, 5, 22), why: "1 May + 20 + 1 paused days"},
	{rule: "T61", clock: "T60", start: at(2024, 12, 6, 0, 0), pauses: [][2]time.Time{{at(2024, 12, 10, 0, 0), at(2024, 12, 20, 0, 0)}}, want: date(2025, 2, 17), why: "6 Feb + 10 days = Sun 16 Feb → 17 Feb: the roll-over comes after the pause"},
	{rule: "T27", clock: "T35", start: at(2024, 3, 1, 0, 0), pauses: [][2]time.Time{{at(2024, 3, 1, 0, 0), at(2024, 3, 6, 0, 0)}}, want: date(2024, 4, 7), why: "the 5 days of the custody decision are not counted: 1 Apr + 5 = 6 Apr (清明) → Sun 7 Apr, a working day"},
}

func grantsOf(t *testing.T, r *Rules, owner *TimeLimit, ids []string) []Grant {
	t.Helper()
	var gs []Grant
	for _, id := range ids {
		id, amount, _ := strings.Cut(id, "=")
		x := owner.Extension(id)
		if x == nil {
			t.Fatalf("%s has no extension %s", owner.ID, id)
		}
		l := x.UpTo
		if amount != "" {
			var n float64
			var u string
			fmt.Sscanf(amount, "%g%s", &n, &u)
			l = &Limit{Amount: n, Unit: map[string]Unit{"d": Days, "m": Months, "h": Hours}[u]}
		}
		gs = append(gs, Grant{Extension: x.ID, Mode: x.Mode, Limit: *l})
	}
	return gs
}

func TestWorkedExamples(t *testing.T) {
	r := DefaultRules()
	for _, ex := range examples {
		name := ex.rule
		if ex.sub != "" {
			name += "/" + ex.sub
		}
		t.Run(name+" "+ex.why, func(t *testing.T) {
			id := ex.rule
			if ex.clock != "" {
				id = ex.clock
			}
			l := r.Limit(id)
			lim := l.Limit
			if ex.sub != "" {
				lim = &l.SubLimit(ex.sub).Limit
			}
			if ex.amount != nil {
				lim = ex.amount
			}
			p := Period{Start: ex.start, Limit: *lim, Custody: ex.custody, Backward: l.Backward, Grants: grantsOf(t, r, l, ex.grants)}
			for _, ps := range ex.pauses {
				p.Pauses = append(p.Pauses, Pause{Rule: ex.rule, From: ps[0], To: ps[1]})
			}
			d := DefaultCalendar().Count(p, time.Time{})
			if !d.Due.Equal(ex.want) {
				t.Errorf("due %s, want %s\n%s", d.Due.Format(time.DateTime), ex.want.Format(time.DateTime), strings.Join(d.Working, "\n"))
			}
			if ex.start.Year() == 2030 && !d.Fallback {
				t.Error("a date of 2030 is decided by the fallback and must say so")
			}
		})
	}
}

// TestEveryRowHasAWorkedExample makes the examples cover every time limit
// with a number, each of its sub-limits and each extension option.
func TestEveryRowHasAWorkedExample(t *testing.T) {
	r := DefaultRules()
	covered := map[string]bool{}
	for _, ex := range examples {
		key := ex.rule
		if ex.sub != "" {
			key += "/" + ex.sub
		}
		covered[key] = true
		for _, g := range ex.grants {
			id, _, _ := strings.Cut(g, "=")
			covered[id] = true
			if owner := r.ExtensionOwner(id); owner != nil {
				covered[owner.Extension(id).ID] = true
			}
		}
		if ex.pauses != nil {
			covered["pause:"+ex.rule] = true
		}
	}
	for _, l := range r.Limits {
		if l.Limit != nil && !covered[l.ID] {
			t.Errorf("%s (%s) has no worked example", l.ID, l.Title)
		}
		for _, s := range l.SubLimits {
			if !covered[l.ID+"/"+s.Key] {
				t.Errorf("%s sub-limit %s has no worked example", l.ID, s.Key)
			}
		}
		for _, x := range l.Extensions {
			if !covered[x.ID] {
				t.Errorf("extension %s has no worked example", x.ID)
			}
		}
		if len(l.Pauses) > 0 && !covered["pause:"+l.ID] {
			t.Errorf("pause %s has no worked example", l.ID)
		}
	}
}

func TestDue(t *testing.T) {
	for _, tc := range []struct {
		start   time.Time
		limit   Limit
		custody bool
		want    time.Time
	}{
		{at(2024, 1, 31, 12, 0), Limit{1, Months}, true, date(2024, 2, 29)},
		{at(2023, 1, 31, 12, 0), Limit{1, Months}, true, date(2023, 2, 28)},
		{at(2023, 2, 28, 12, 0), Limit{1, Months}, true, date(2023, 3, 31)},
		{at(2024, 2, 28, 12, 0), Limit{1, Months}, true, date(2024, 3, 28)}, // not the last day in a leap year
		{at(2024, 2, 29, 12, 0), Limit{1, Months}, true, date(2024, 3, 31)},
		{at(2024, 1, 31, 12, 0), Limit{0.5, Months}, true, date(2024, 2, 15)}, // 半个月 = 15 days
		{at(2024, 1, 31, 12, 0), Limit{1.5, Months}, true, date(2024, 3, 15)},
		{at(2024, 12, 31, 12, 0), Limit{2, Months}, true, date(2025, 2, 28)},
		{at(2024, 11, 15, 12, 0), Limit{3, Months}, true, date(2025, 2, 15)},
		{at(2024, 9, 21, 12, 0), Limit{10, Days}, false, date(2024, 10, 8)},
		{at(2024, 9, 21, 12, 0), Limit{10, Days}, true, date(2024, 10, 1)},
		{at(2024, 3, 5, 22, 30), Limit{24, Hours}, false, at(2024, 3, 6, 22, 30)},
		// A UTC instant is counted from its day in China: 2024-09-20 20:00 UTC is 21 September.
		{time.Date(2024, 9, 20, 20, 0, 0, 0, time.UTC), Limit{10, Days}, true, date(2024, 10, 1)},
	} {
		if got := Due(tc.start, tc.limit, nil, tc.custody); !got.Equal(tc.want) {
			t.Errorf("Due(%s, %s, custody=%v) = %s, want %s", tc.start, tc.limit, tc.custody, got.Format(time.DateTime), tc.want.Format(time.DateTime))
		}
	}
}

func TestCountWorking(t *testing.T) {
	d := DefaultCalendar().Count(Period{Start: at(2024, 9, 21, 0, 0), Limit: Limit{10, Days}}, time.Time{})
	text := strings.Join(d.Working, "\n")
	for _, want := range []string{"起算：2024年9月21日（期间开始的日不算在期间以内，刑事诉讼法第一百零五条第二款）", "十日：至2024年10月1日",
		"2024年10月1日为节假日（国庆节），以节假日后的第一日2024年10月8日为期满日期（刑事诉讼法第一百零五条第四款）"} {
		if !strings.Contains(text, want) {
			t.Errorf("working lacks %q:\n%s", want, text)
		}
	}
	if !d.RolledOver || !d.Expiry.Equal(date(2024, 10, 1)) || !d.End.Equal(date(2024, 10, 9)) {
		t.Errorf("rolled %v expiry %s end %s", d.RolledOver, d.Expiry, d.End)
	}
	d = DefaultCalendar().Count(Period{Start: at(2024, 9, 21, 0, 0), Limit: Limit{10, Days}, Custody: true}, time.Time{})
	if !strings.Contains(strings.Join(d.Working, "\n"), "在押期间至期满之日为止，不因节假日延长") || d.RolledOver {
		t.Errorf("custody working:\n%s", strings.Join(d.Working, "\n"))
	}
	// An open pause counts up to the time of evaluation.
	p := Period{Start: at(2024, 3, 1, 0, 0), Limit: Limit{1, Months}, Custody: true, Pauses: []Pause{{Rule: "T33", From: at(2024, 3, 10, 0, 0)}}}
	if d := DefaultCalendar().Count(p, at(2024, 3, 15, 9, 0)); d.PausedDays != 5 || !d.Due.Equal(date(2024, 4, 6)) {
		t.Errorf("open pause: %d days, due %s", d.PausedDays, d.Due)
	}
}

func TestLimitString(t *testing.T) {
	for l, want := range map[Limit]string{
		{24, Hours}: "二十四小时", {7, Days}: "七日", {2, Months}: "二个月", {1.5, Months}: "一个半月", {0.5, Months}: "半个月", {12, Months}: "十二个月",
	} {
		if got := l.String(); got != want {
			t.Errorf("%v = %q, want %q", l, got, want)
		}
	}
	for _, bad := range []Limit{{0, Days}, {-1, Days}, {1.5, Days}, {1.25, Months}, {3, "weeks"}} {
		if bad.Valid() == nil {
			t.Errorf("%v is valid", bad)
		}
	}
}
