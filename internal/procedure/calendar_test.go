package procedure

import (
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, China) }

// TestHolidayFilesAreConsistent checks every published schedule against the
// arithmetic of 《全国年节及纪念日放假办法》: in each block, the weekdays off
// minus the weekend days made working days equal the statutory days of the
// festivals in it (a statutory day on a weekend is made up on a weekday), plus
// any extra days the State Council added (2020). A wrong date in a file
// almost always breaks this.
func TestHolidayFilesAreConsistent(t *testing.T) {
	years := DefaultCalendar().Years()
	var got []int
	for _, y := range years {
		got = append(got, y.Year)
	}
	if want := []int{2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026}; !equalInts(got, want) {
		t.Fatalf("published years = %v, want %v", got, want)
	}
	for _, y := range years {
		if y.Source != "国务院办公厅关于"+itoa(y.Year)+"年部分节假日安排的通知" {
			t.Errorf("%d: source %q", y.Year, y.Source)
		}
		total := 0
		for _, b := range y.Holidays {
			from, _ := parseDate(b.From)
			to, _ := parseDate(b.To)
			weekdays := 0
			for d := from; !d.After(to); d = addDays(d, 1) {
				if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
					weekdays++
				}
			}
			if weekdays-len(b.Workdays)-b.ExtraDays != b.StatutoryDays {
				t.Errorf("%d %s: %d weekdays off − %d working days − %d extra ≠ %d statutory days", y.Year, b.Name, weekdays, len(b.Workdays), b.ExtraDays, b.StatutoryDays)
			}
			for _, f := range b.Festivals {
				fd, err := parseDate(f)
				if err != nil || fd.Before(from) || fd.After(to) {
					t.Errorf("%d %s: festival %s outside %s–%s", y.Year, b.Name, f, b.From, b.To)
				}
			}
			total += b.StatutoryDays
		}
		if total != y.StatutoryDays {
			t.Errorf("%d: blocks hold %d statutory days, the year %d", y.Year, total, y.StatutoryDays)
		}
		if want := map[bool]int{true: 13, false: 11}[y.Year >= 2025]; y.StatutoryDays != want {
			t.Errorf("%d: %d statutory days, the 放假办法 then in force has %d", y.Year, y.StatutoryDays, want)
		}
	}
}

func TestCalendarDays(t *testing.T) {
	cal := DefaultCalendar()
	for _, tc := range []struct {
		day       time.Time
		holiday   bool
		name      string
		published bool
	}{
		{date(2024, 10, 1), true, "国庆节", true},
		{date(2024, 10, 7), true, "国庆节", true},
		{date(2024, 10, 8), false, "工作日", true},
		{date(2024, 9, 29), false, "调休上班", true}, // a Sunday made a working day
		{date(2024, 10, 12), false, "调休上班", true},
		{date(2024, 10, 13), true, "周末", true},
		{date(2024, 2, 18), false, "调休上班", true},
		{date(2018, 12, 29), false, "调休上班", true}, // named by the 2019 notice
		{date(2018, 12, 30), true, "元旦", true},
		{date(2018, 12, 28), false, "工作日", false}, // 2018 itself is not published
		{date(2022, 12, 31), true, "元旦", true},
		{date(2020, 2, 1), true, "春节", true}, // the extension cancelled this working day
		{date(2020, 1, 19), false, "调休上班", true},
		{date(2025, 1, 28), true, "春节", true},
		{date(2026, 2, 14), false, "调休上班", true},
		{date(2026, 10, 1), true, "国庆节", true},
		// Fallback years: weekends and fixed-date statutory holidays only.
		{date(2030, 10, 2), true, "国庆节（推定）", false},
		{date(2030, 10, 4), false, "工作日", false},
		{date(2030, 5, 2), true, "劳动节（推定）", false},
		{date(2018, 5, 2), false, "工作日", false}, // before 2025 劳动节 is one day
		{date(2018, 1, 1), true, "元旦（推定）", false},
		{date(2030, 2, 4), false, "工作日", false}, // 春节 2030 is not computed
		{date(2030, 2, 2), true, "周末", false},
	} {
		got := cal.Day(tc.day)
		if got.Holiday != tc.holiday || got.Name != tc.name || got.Published != tc.published {
			t.Errorf("%s: got holiday=%v %q published=%v, want %v %q %v", tc.day.Format(time.DateOnly),
				got.Holiday, got.Name, got.Published, tc.holiday, tc.name, tc.published)
		}
	}
	// A time late in the evening UTC is already the next day in China.
	if !cal.IsHoliday(time.Date(2024, 9, 30, 17, 0, 0, 0, time.UTC)) {
		t.Error("2024-09-30 17:00 UTC is 2024-10-01 in China, a holiday")
	}
	var nilCal *Calendar
	if !nilCal.IsHoliday(date(2024, 10, 1)) {
		t.Error("a nil calendar is the embedded one")
	}
}

func TestNewCalendarRejects(t *testing.T) {
	base := func() HolidayYear {
		return HolidayYear{Year: 2024, Source: "x", Holidays: []HolidayBlock{{Name: "国庆节", From: "2024-10-01", To: "2024-10-07", Workdays: []string{"2024-09-29"}}}}
	}
	for name, mutate := range map[string]func(*HolidayYear){
		"working weekday":   func(y *HolidayYear) { y.Holidays[0].Workdays = []string{"2024-09-30"} },
		"reversed range":    func(y *HolidayYear) { y.Holidays[0].To = "2024-09-01" },
		"bad date":          func(y *HolidayYear) { y.Holidays[0].From = "2024-13-01" },
		"no source":         func(y *HolidayYear) { y.Source = "" },
		"day named twice":   func(y *HolidayYear) { y.Holidays = append(y.Holidays, y.Holidays[0]) },
		"working = holiday": func(y *HolidayYear) { y.Holidays[0].Workdays = []string{"2024-10-05"} },
	} {
		y := base()
		mutate(&y)
		if _, err := NewCalendar(y); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewCalendar(base(), base()); err == nil {
		t.Error("a year given twice: accepted")
	}
}

func equalInts(a, b []int) bool {
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

func itoa(n int) string { return time.Date(n, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") }
