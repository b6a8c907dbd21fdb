package gen

import (
	"strconv"
	"strings"
	"time"
)

// day is a calendar date as days since 1970-01-01.
type day int32

// never is a day after every generated event.
const never day = 1 << 30

// chinaTime is China Standard Time, in which agencies record times.
var chinaTime = time.FixedZone("CST", 8*60*60)

func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return dayFor(y, m, d)
}

func dayFor(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

func (d day) year() int { y, _, _ := d.date(); return y }

// String formats the day as 2006-01-02.
func (d day) String() string {
	y, m, dd := d.date()
	var b [10]byte
	put4(b[0:4], y)
	b[4] = '-'
	put2(b[5:7], int(m))
	b[7] = '-'
	put2(b[8:10], dd)
	return string(b[:])
}

// compact formats the day as 20060102 (the birth date of an identity number).
func (d day) compact() string {
	y, m, dd := d.date()
	var b [8]byte
	put4(b[0:4], y)
	put2(b[4:6], int(m))
	put2(b[6:8], dd)
	return string(b[:])
}

// chinese formats the day as 2024年1月5日.
func (d day) chinese() string {
	y, m, dd := d.date()
	return strconv.Itoa(y) + "年" + strconv.Itoa(int(m)) + "月" + strconv.Itoa(dd) + "日"
}

// stamp is the RFC 3339 timestamp of minute min (0–1439) of day d in China.
func (d day) stamp(min int) string {
	return d.String() + "T" + string([]byte{byte('0' + min/600), byte('0' + min/60%10), ':', byte('0' + min%60/10), byte('0' + min%10)}) + ":00+08:00"
}

// at is minute min of day d in China.
func (d day) at(min int) time.Time {
	y, m, dd := d.date()
	return time.Date(y, m, dd, min/60, min%60, 0, 0, chinaTime)
}

func put4(b []byte, n int) {
	b[0], b[1], b[2], b[3] = byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10)
}

func put2(b []byte, n int) { b[0], b[1] = byte('0'+n/10%10), byte('0'+n%10) }

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// addMonths adds n months the way criminal-procedure.md §0.2 counts them
// (SPC 202): to the same day of the month, or to the month's last day when
// that day does not exist or the start is the last day of its month.
func addMonths(d day, n int) day {
	y, m, dd := d.date()
	last := dd == daysIn(y, m)
	t := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	ty, tm, _ := t.Date()
	dim := daysIn(ty, tm)
	if last || dd > dim {
		dd = dim
	}
	return dayFor(ty, tm, dd)
}

func addYears(d day, n int) day { return addMonths(d, 12*n) }

func minDay(a, b day) day {
	if a < b {
		return a
	}
	return b
}

func maxDay(a, b day) day {
	if a > b {
		return a
	}
	return b
}

// bloom is a fixed-size Bloom filter over the identity numbers, phone numbers
// and plates already handed out, so that new ones never collide with old
// ones by chance; its size does not grow with the number of cases.
type bloom struct{ bits []uint64 }

const bloomWords = 1 << 20 // 8 MiB, 67 million bits

func newBloom() *bloom { return &bloom{bits: make([]uint64, bloomWords)} }

// add adds s and reports whether it may have been added before.
func (b *bloom) add(s string) bool {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h1, h2 := h, (h>>29|h<<35)|1
	const m = bloomWords * 64
	seen := true
	for i := uint64(0); i < 3; i++ {
		bit := (h1 + i*h2) % m
		w, mask := bit/64, uint64(1)<<(bit%64)
		if b.bits[w]&mask == 0 {
			seen = false
			b.bits[w] |= mask
		}
	}
	return seen
}

// ring is a bounded pool: once full, a new item replaces the oldest.
type ring[T any] struct {
	items []T
	next  int
	size  int
}

func newRing[T any](size int) *ring[T] { return &ring[T]{items: make([]T, 0, size), size: size} }

func (r *ring[T]) add(x T) {
	if len(r.items) < r.size {
		r.items = append(r.items, x)
		return
	}
	r.items[r.next] = x
	r.next = (r.next + 1) % r.size
}

// textArgs fill the placeholders of a template.
type textArgs struct {
	date, clock, names, victim, district, street, road, place string
	item, plate, scheme, game, injury                         string
	amount, count, bac                                        int
	weight                                                    string
}

// expand fills the {placeholders} of tmpl.
func expand(tmpl string, a *textArgs) string {
	var b strings.Builder
	b.Grow(len(tmpl) + 64)
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		j := strings.IndexByte(tmpl[i:], '}')
		key := tmpl[i+1 : i+j]
		tmpl = tmpl[i+j+1:]
		switch key {
		case "date":
			b.WriteString(a.date)
		case "clock":
			b.WriteString(a.clock)
		case "names":
			b.WriteString(a.names)
		case "victim":
			b.WriteString(a.victim)
		case "district":
			b.WriteString(a.district)
		case "street":
			b.WriteString(a.street)
		case "road":
			b.WriteString(a.road)
		case "place":
			b.WriteString(a.place)
		case "item":
			b.WriteString(a.item)
		case "plate":
			b.WriteString(a.plate)
		case "scheme":
			b.WriteString(a.scheme)
		case "game":
			b.WriteString(a.game)
		case "injury":
			b.WriteString(a.injury)
		case "amount":
			b.WriteString(strconv.Itoa(a.amount))
		case "count":
			b.WriteString(strconv.Itoa(a.count))
		case "bac":
			b.WriteString(strconv.Itoa(a.bac))
		case "weight":
			b.WriteString(a.weight)
		default:
			panic("gen: unknown placeholder " + key)
		}
	}
}

// shortName is a charge name without its 罪 suffix, for titles.
func shortName(offense string) string { return strings.TrimSuffix(offense, "罪") }
