package procedure

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"
	"time"
)

//go:embed holidays/*.json
var holidayFiles embed.FS

// HolidayYear is one year's published holiday schedule as the State Council
// General Office announces it (国务院办公厅关于YYYY年部分节假日安排的通知):
// the blocks of days off and the weekend days made working days (调休上班).
// The files in holidays/ hold one each.
type HolidayYear struct {
	Year          int            `json:"year"`
	Source        string         `json:"source"`        // the notice's title
	StatutoryDays int            `json:"statutoryDays"` // days of 全体公民放假的节日 in the 放假办法 then in force
	Note          string         `json:"note,omitempty"`
	Holidays      []HolidayBlock `json:"holidays"`
}

// HolidayBlock is one festival's days off and its make-up working days.
type HolidayBlock struct {
	Name          string   `json:"name"`          // 元旦, 春节 …; a combined block reads 中秋节、国庆节
	Festivals     []string `json:"festivals"`     // the festival days themselves (e.g. 春节 = 正月初一), as a check
	StatutoryDays int      `json:"statutoryDays"` // statutory days of the festivals in the block
	ExtraDays     int      `json:"extraDays,omitempty"`
	From          string   `json:"from"`
	To            string   `json:"to"`
	Workdays      []string `json:"workdays,omitempty"` // 调休上班
	Note          string   `json:"note,omitempty"`
}

// Day is what the calendar knows of one day.
type Day struct {
	Date      time.Time
	Holiday   bool   // 节假日: a statutory holiday, or a weekend that is not a 调休 working day
	Name      string // 国庆节, 周末, 调休上班, 工作日
	Published bool   // decided by a published schedule; false: by the fallback
}

// Calendar knows the holidays (节假日) of CPL 105(4). For the years it holds a
// published schedule of it is exact. For any other year it falls back to
// weekends plus the statutory holidays that fall on fixed Gregorian dates —
// 元旦 1 January, 劳动节 1 May (and 2 May from 2025), 国庆节 1 to 3 October —
// and says so (Day.Published is false): the lunar festivals (春节, 端午节,
// 中秋节), 清明节 and every 调休 are announced a year ahead and are not
// computed.
type Calendar struct {
	days  map[string]Day
	years map[int]HolidayYear
}

var (
	defaultCalendar     *Calendar
	defaultCalendarErr  error
	defaultCalendarOnce sync.Once
)

// DefaultCalendar is the calendar of the embedded holidays/*.json. It panics
// if they do not load, which the package's tests rule out.
func DefaultCalendar() *Calendar {
	defaultCalendarOnce.Do(func() {
		defaultCalendar, defaultCalendarErr = LoadCalendar(holidayFiles, "holidays")
	})
	if defaultCalendarErr != nil {
		panic(defaultCalendarErr)
	}
	return defaultCalendar
}

func (c *Calendar) orDefault() *Calendar {
	if c == nil {
		return DefaultCalendar()
	}
	return c
}

// LoadCalendar reads every *.json file of dir in fsys as a HolidayYear.
func LoadCalendar(fsys fs.FS, dir string) (*Calendar, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("LoadCalendar: %w", err)
	}
	var years []HolidayYear
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("LoadCalendar: %w", err)
		}
		var y HolidayYear
		if err := decodeStrict(b, &y); err != nil {
			return nil, fmt.Errorf("LoadCalendar: %s: %w", name, err)
		}
		years = append(years, y)
	}
	cal, err := NewCalendar(years...)
	if err != nil {
		return nil, fmt.Errorf("LoadCalendar: %w", err)
	}
	return cal, nil
}

// NewCalendar builds a calendar from published schedules. A day named by two
// schedules, or a working day that is not a weekend, is an error.
func NewCalendar(years ...HolidayYear) (*Calendar, error) {
	c := &Calendar{days: map[string]Day{}, years: map[int]HolidayYear{}}
	for _, y := range years {
		if _, dup := c.years[y.Year]; dup {
			return nil, fmt.Errorf("holidays: year %d given twice", y.Year)
		}
		if y.Source == "" {
			return nil, fmt.Errorf("holidays %d: no source", y.Year)
		}
		c.years[y.Year] = y
		for _, b := range y.Holidays {
			from, err1 := parseDate(b.From)
			to, err2 := parseDate(b.To)
			if err1 != nil || err2 != nil || to.Before(from) {
				return nil, fmt.Errorf("holidays %d %s: bad range %s to %s", y.Year, b.Name, b.From, b.To)
			}
			for d := from; !d.After(to); d = addDays(d, 1) {
				if err := c.set(Day{Date: d, Holiday: true, Name: b.Name, Published: true}); err != nil {
					return nil, fmt.Errorf("holidays %d: %w", y.Year, err)
				}
			}
			for _, w := range b.Workdays {
				d, err := parseDate(w)
				if err != nil {
					return nil, fmt.Errorf("holidays %d %s: %w", y.Year, b.Name, err)
				}
				if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
					return nil, fmt.Errorf("holidays %d %s: working day %s is a %s, not a weekend day", y.Year, b.Name, w, wd)
				}
				if err := c.set(Day{Date: d, Holiday: false, Name: "调休上班", Published: true}); err != nil {
					return nil, fmt.Errorf("holidays %d: %w", y.Year, err)
				}
			}
		}
	}
	return c, nil
}

func (c *Calendar) set(d Day) error {
	k := d.Date.Format(time.DateOnly)
	if _, dup := c.days[k]; dup {
		return fmt.Errorf("%s named twice", k)
	}
	c.days[k] = d
	return nil
}

func parseDate(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, s, China)
}

// Years lists the years with a published schedule, in order.
func (c *Calendar) Years() []HolidayYear {
	c = c.orDefault()
	var ys []HolidayYear
	for _, y := range c.years {
		ys = append(ys, y)
	}
	sort.Slice(ys, func(i, j int) bool { return ys[i].Year < ys[j].Year })
	return ys
}

// Published reports whether the calendar holds the schedule of year.
func (c *Calendar) Published(year int) bool {
	_, ok := c.orDefault().years[year]
	return ok
}

// IsHoliday reports whether the day of t (in China) is a 节假日.
func (c *Calendar) IsHoliday(t time.Time) bool { return c.Day(t).Holiday }

// Day says what kind of day t falls on in China. A day a published schedule
// names (a holiday or a 调休 working day, even one in the neighbouring year,
// like 2018-12-29 of the 2019 notice) is decided by it; otherwise a published
// year has holidays only on weekends, and any other year uses the fallback.
func (c *Calendar) Day(t time.Time) Day {
	c = c.orDefault()
	d := dateOf(t)
	if day, ok := c.days[d.Format(time.DateOnly)]; ok {
		return day
	}
	weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
	if c.Published(d.Year()) {
		if weekend {
			return Day{Date: d, Holiday: true, Name: "周末", Published: true}
		}
		return Day{Date: d, Name: "工作日", Published: true}
	}
	if name := fixedHoliday(d); name != "" {
		return Day{Date: d, Holiday: true, Name: name + "（推定）"}
	}
	if weekend {
		return Day{Date: d, Holiday: true, Name: "周末"}
	}
	return Day{Date: d, Name: "工作日"}
}

// fixedHoliday names the statutory holidays on fixed Gregorian dates of
// 《全国年节及纪念日放假办法》: 元旦 1 January, 劳动节 1 May (and 2 May since
// the 2024 amendment took effect on 1 January 2025), 国庆节 1–3 October.
func fixedHoliday(d time.Time) string {
	_, m, day := d.Date()
	switch {
	case m == time.January && day == 1:
		return "元旦"
	case m == time.May && (day == 1 || day == 2 && d.Year() >= 2025):
		return "劳动节"
	case m == time.October && day <= 3:
		return "国庆节"
	}
	return ""
}

// decodeStrict decodes JSON refusing unknown fields and trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
