package csvmap

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A valueSpec says how one field (or source key) gets its value from a row.
type valueSpec struct {
	line   int
	source int // srcColumn, srcConst or srcTemplate
	column int // srcColumn: the column's index in Mapping.columns
	cnst   any // srcConst: string, int64, uint64, float64, bool or nil
	parts  []tmplPart
	tmpl   string // srcTemplate: as written, for messages

	transforms []transform
	typed      *transform // float, int or bool: the last step

	hasMap   bool
	mapped   map[string]any // a nil value omits the field
	hasDef   bool
	def      any
	reject   bool // unmapped values are refused
	required bool

	out fieldKind // the kinds of value it can produce
}

const (
	srcColumn = iota + 1
	srcConst
	srcTemplate
)

// tmplPart is literal text, or a column (col >= 0).
type tmplPart struct {
	lit      string
	col      int
	optional bool // {Column?}: an empty column is an empty string
}

// row gives the cells of the current row by column index (the index in
// Mapping.columns).
type row func(col int) string

// blank reports whether a cell counts as empty: nothing, or only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// valueError is a value that cannot be computed: the row is refused.
type valueError struct{ reason string }

func (e *valueError) Error() string { return e.reason }

// eval computes the value from a row. ok is false when the field is to be
// left out (an empty value without map entry or default).
func (v *valueSpec) eval(m *Mapping, cell row) (val any, ok bool, err error) {
	if v.source == srcConst {
		return v.cnst, v.cnst != nil, nil
	}
	var s, from string
	switch v.source {
	case srcColumn:
		s, from = cell(v.column), fmt.Sprintf("column %q", m.columns[v.column])
		if blank(s) {
			s = ""
		}
	case srcTemplate:
		from = fmt.Sprintf("template %q", v.tmpl)
		var b strings.Builder
		for _, p := range v.parts {
			if p.col < 0 {
				b.WriteString(p.lit)
				continue
			}
			c := cell(p.col)
			if blank(c) {
				if !p.optional {
					b.Reset()
					break
				}
				continue
			}
			b.WriteString(c)
		}
		s = b.String()
	}
	for _, t := range v.transforms {
		if s == "" {
			break
		}
		out, err := t.str(s)
		if err != nil {
			return nil, false, &valueError{from + ": " + err.Error()}
		}
		s = out
		if blank(s) {
			s = ""
		}
	}
	if s == "" {
		switch {
		case v.hasMap && hasKey(v.mapped, ""):
			return v.mapped[""], v.mapped[""] != nil, nil
		case v.hasDef:
			return v.def, v.def != nil, nil
		case v.required:
			return nil, false, &valueError{from + " is empty, and the mapping requires a value"}
		}
		return nil, false, nil
	}
	if v.typed != nil {
		out, err := v.typed.typed(s)
		if err != nil {
			return nil, false, &valueError{from + ": " + err.Error()}
		}
		return out, true, nil
	}
	if v.hasMap {
		if out, found := v.mapped[s]; found {
			return out, out != nil, nil
		}
		switch {
		case v.hasDef:
			return v.def, v.def != nil, nil
		case v.reject:
			return nil, false, &valueError{fmt.Sprintf("%s: %s is not in the value map (add it to map, or give a default)", from, quote(s))}
		}
	}
	return s, true, nil
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// quote quotes a value for a message, shortened when it is long.
func quote(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}

// transform is one step of a value's transform list.
type transform struct {
	name  string
	str   func(string) (string, error) // string → string steps
	typed func(string) (any, error)    // float, int, bool: the last step
	out   fieldKind
}

// transformNames lists the transforms for messages.
const transformNames = "trim, upper, lower, month, date (with a format such as DD/MM/YYYY), timestamp (optionally with a zone such as +08:00), float, int, bool"

// newTransform makes the named transform; arg is its argument, hasArg
// whether one was given.
func newTransform(name, arg string, hasArg bool) (*transform, error) {
	noArg := func(t *transform) (*transform, error) {
		if hasArg {
			return nil, fmt.Errorf("transform %s takes no argument", name)
		}
		return t, nil
	}
	switch name {
	case "trim":
		return noArg(&transform{name: name, str: func(s string) (string, error) { return strings.TrimSpace(s), nil }})
	case "upper":
		return noArg(&transform{name: name, str: func(s string) (string, error) { return strings.ToUpper(s), nil }})
	case "lower":
		return noArg(&transform{name: name, str: func(s string) (string, error) { return strings.ToLower(s), nil }})
	case "month":
		return noArg(&transform{name: name, str: func(s string) (string, error) {
			t, err := time.Parse("2006-01", strings.TrimSpace(s))
			if err != nil {
				return "", fmt.Errorf("%s is not a month like 2020-01", quote(s))
			}
			return t.Format(time.DateOnly), nil
		}})
	case "date":
		if !hasArg || arg == "" {
			return nil, errors.New("transform date needs a format, e.g. {date: DD/MM/YYYY}")
		}
		layout, err := dateLayout(arg)
		if err != nil {
			return nil, err
		}
		return &transform{name: name, str: func(s string) (string, error) {
			t, err := time.Parse(layout, strings.TrimSpace(s))
			if err != nil {
				return "", fmt.Errorf("%s is not a date of the form %s", quote(s), arg)
			}
			return t.Format(time.DateOnly), nil
		}}, nil
	case "timestamp":
		loc := time.UTC
		if hasArg {
			l, err := zone(arg)
			if err != nil {
				return nil, err
			}
			loc = l
		}
		return &transform{name: name, str: func(s string) (string, error) { return timestamp(s, loc) }}, nil
	case "float":
		return noArg(&transform{name: name, out: kFloat, typed: func(s string) (any, error) {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, fmt.Errorf("%s is not a number", quote(s))
			}
			return f, nil
		}})
	case "int":
		return noArg(&transform{name: name, out: kInt, typed: func(s string) (any, error) {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s is not an integer", quote(s))
			}
			return n, nil
		}})
	case "bool":
		return noArg(&transform{name: name, out: kBool, typed: func(s string) (any, error) {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true", "yes", "y", "1", "是":
				return true, nil
			case "false", "no", "n", "0", "否":
				return false, nil
			}
			return nil, fmt.Errorf("%s is not true or false (true/false, yes/no, 1/0, 是/否)", quote(s))
		}})
	}
	return nil, fmt.Errorf("unknown transform %q; use one of %s", name, transformNames)
}

// dateLayout turns a format such as DD/MM/YYYY into a Go time layout.
func dateLayout(format string) (string, error) {
	var b strings.Builder
	seen := map[byte]bool{}
	for i := 0; i < len(format); {
		rest := format[i:]
		switch {
		case strings.HasPrefix(rest, "YYYY"):
			b.WriteString("2006")
			i += 4
			seen['Y'] = true
		case strings.HasPrefix(rest, "MM"):
			b.WriteString("01")
			i += 2
			seen['M'] = true
		case strings.HasPrefix(rest, "DD"):
			b.WriteString("02")
			i += 2
			seen['D'] = true
		case rest[0] == 'M':
			b.WriteString("1")
			i++
			seen['M'] = true
		case rest[0] == 'D':
			b.WriteString("2")
			i++
			seen['D'] = true
		case rest[0] >= '0' && rest[0] <= '9', rest[0] >= 'a' && rest[0] <= 'z', rest[0] >= 'A' && rest[0] <= 'Z':
			return "", fmt.Errorf("date format %q: %q is not YYYY, MM, M, DD or D; only those and separators such as / - . 年 月 日 are allowed", format, rest[:1])
		default:
			b.WriteByte(rest[0])
			i++
		}
	}
	if !seen['Y'] || !seen['M'] || !seen['D'] {
		return "", fmt.Errorf("date format %q needs a year (YYYY), a month (MM or M) and a day (DD or D)", format)
	}
	return b.String(), nil
}

// zone reads a timestamp zone: Z, UTC or a fixed offset such as +08:00.
func zone(s string) (*time.Location, error) {
	if s == "Z" || s == "UTC" {
		return time.UTC, nil
	}
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return nil, fmt.Errorf("timestamp zone %q: use Z, UTC or an offset such as +08:00", s)
	}
	_, off := t.Zone()
	return time.FixedZone(s, off), nil
}

// timestamp reads a date or a date and time and writes RFC 3339. A value
// without a zone is in loc.
func timestamp(s string, loc *time.Location) (string, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Format(time.RFC3339Nano), nil
	}
	for _, layout := range []string{time.DateOnly, "2006-01-02T15:04:05", time.DateTime, "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.Format(time.RFC3339Nano), nil
		}
	}
	return "", fmt.Errorf("%s is not a date (2006-01-02), a date and time (2006-01-02 15:04:05) or an RFC 3339 timestamp", quote(s))
}

// cond is a when: every part must hold.
type cond struct {
	empty, nonEmpty []int
	equals          []equalsCond
}

type equalsCond struct {
	col    int
	values []string
}

func (c *cond) holds(cell row) bool {
	if c == nil {
		return true
	}
	for _, i := range c.empty {
		if !blank(cell(i)) {
			return false
		}
	}
	for _, i := range c.nonEmpty {
		if blank(cell(i)) {
			return false
		}
	}
	for _, e := range c.equals {
		v := strings.TrimSpace(cell(e.col))
		found := false
		for _, want := range e.values {
			if v == want {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
