package csvmap

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/casegraph/casegraph/internal/ingest"
)

// MaxRowBytes is the longest CSV row a decoder reads. A longer row (in
// practice an unterminated quote that swallows the rest of the file) fails
// the job: nothing after it can be read reliably.
const MaxRowBytes = 1 << 20

// Stats counts what a decoder did with its rows. Every data row is counted
// once in exactly one of Emitted, Skipped, Rejected and NoRecord.
type Stats struct {
	// Rows is the number of data rows read (the header is not counted).
	Rows int `json:"rows"`
	// Emitted counts the rows that became one or more records.
	Emitted int `json:"emitted"`
	// Records counts the records emitted, by type.
	Records map[string]int `json:"records"`
	// Skipped counts the rows a skip rule matched, by the rule's reason.
	Skipped map[string]int `json:"skipped"`
	// Rejected counts the rows refused: each gave one or more Reject items
	// and no record.
	Rejected int `json:"rejected"`
	// Rejects counts the Reject items (a row can give several).
	Rejects int `json:"rejects"`
	// NoRecord counts the rows no skip rule matched and no record template
	// applied to (every template's when was false, or it was once and done).
	NoRecord int `json:"noRecord"`
}

// SkippedRows is the number of rows skipped for any reason.
func (s Stats) SkippedRows() int {
	n := 0
	for _, v := range s.Skipped {
		n += v
	}
	return n
}

// RecordsTotal is the number of records emitted.
func (s Stats) RecordsTotal() int {
	n := 0
	for _, v := range s.Records {
		n += v
	}
	return n
}

// Accounted reports whether every row read is counted exactly once.
func (s Stats) Accounted() bool {
	return s.Rows == s.Emitted+s.SkippedRows()+s.Rejected+s.NoRecord
}

func (s Stats) String() string {
	var parts []string
	for _, k := range sortedKeys(s.Records) {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.Records[k]))
	}
	out := fmt.Sprintf("%d rows: %d emitted (%s), %d skipped, %d rejected (%d rejects), %d without record",
		s.Rows, s.Emitted, strings.Join(parts, ", "), s.SkippedRows(), s.Rejected, s.Rejects, s.NoRecord)
	for _, k := range sortedKeys(s.Skipped) {
		out += fmt.Sprintf("; skipped %d: %s", s.Skipped[k], k)
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// HeaderError is a CSV whose header does not match its mapping: the job
// fails before any row is read.
type HeaderError struct {
	File       string
	Mapping    string
	Missing    []string // columns the mapping expects and the header lacks
	Unexpected []string // header columns the mapping does not know
	Duplicate  []string // header columns that appear more than once
	// Hints suggests, for an unexpected column, the expected one it likely
	// is (same name but for case or spaces).
	Hints map[string]string
	// NotUTF8 is set when the header is not valid UTF-8 (a GBK export?).
	NotUTF8 bool
}

func (e *HeaderError) Error() string {
	var parts []string
	list := func(names []string, hint bool) string {
		var q []string
		for _, n := range names {
			s := strconv.Quote(n)
			if h, ok := e.Hints[n]; ok && hint {
				s += fmt.Sprintf(" (is it %q?)", h)
			}
			q = append(q, s)
		}
		return strings.Join(q, ", ")
	}
	if len(e.Missing) > 0 {
		parts = append(parts, "missing columns "+list(e.Missing, false))
	}
	if len(e.Unexpected) > 0 {
		parts = append(parts, "unexpected columns "+list(e.Unexpected, true))
	}
	if len(e.Duplicate) > 0 {
		parts = append(parts, "columns that appear twice "+list(e.Duplicate, false))
	}
	name := e.Mapping
	if name == "" {
		name = "the mapping"
	}
	msg := fmt.Sprintf("%s: the header does not match %s: %s", e.File, name, strings.Join(parts, "; "))
	if e.NotUTF8 {
		msg += "; the header is not valid UTF-8: the CSV must be UTF-8 — convert GBK exports first, e.g. iconv -f GBK -t UTF-8"
	}
	return msg
}

// Decoder reads one CSV through a mapping, one row in memory at a time.
type Decoder struct {
	m     *Mapping
	file  string
	cr    *csv.Reader
	lim   *limitReader
	pos   []int // column index in Mapping.columns → position in the row
	width int   // fields in the header
	done  []bool
	cells []string
	queue []ingest.Item
	head  int
	line  int   // the first line of the last row read
	err   error // sticky: io.EOF or the job's failure
	stats Stats
}

var _ ingest.Decoder = (*Decoder)(nil)

// NewDecoder reads the header of r and returns a decoder of its rows; file
// names r in rejects. The decoder is a *Decoder (for its Stats). A header
// that does not match the mapping is a *HeaderError.
func (m *Mapping) NewDecoder(r io.Reader, file string) (ingest.Decoder, error) {
	lim := &limitReader{r: r}
	cr := csv.NewReader(lim)
	cr.Comma = m.comma
	cr.LazyQuotes = m.lazyQuotes
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	lim.mark = cr.InputOffset()
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return nil, fmt.Errorf("%s: the file is empty; it must start with the header %s", file, strings.Join(m.columns, ","))
	case errors.Is(err, errRowTooLong):
		return nil, fmt.Errorf("%s: the header row is longer than %d bytes", file, MaxRowBytes)
	case errors.As(err, &pe):
		return nil, fmt.Errorf("%s: the header row is not valid CSV: %v", file, pe)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	d := &Decoder{m: m, file: file, cr: cr, lim: lim, width: len(header), line: 1, done: make([]bool, len(m.records)),
		pos: make([]int, len(m.columns)), stats: Stats{Records: map[string]int{}, Skipped: map[string]int{}}}
	herr := &HeaderError{File: file, Mapping: m.Name, Hints: map[string]string{}}
	seen := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // a byte order mark
		}
		h = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			h, herr.NotUTF8 = strings.ToValidUTF8(h, "\uFFFD"), true
		}
		if _, dup := seen[h]; dup {
			if !contains(herr.Duplicate, h) {
				herr.Duplicate = append(herr.Duplicate, h)
			}
			continue
		}
		seen[h] = i
		if _, ok := m.colIndex[h]; !ok && !m.ignoreExtra {
			herr.Unexpected = append(herr.Unexpected, h)
		}
	}
	for i, c := range m.columns {
		at, ok := seen[c]
		if !ok {
			herr.Missing = append(herr.Missing, c)
			continue
		}
		d.pos[i] = at
	}
	for _, u := range herr.Unexpected {
		for _, miss := range herr.Missing {
			if strings.EqualFold(strings.Join(strings.Fields(u), " "), strings.Join(strings.Fields(miss), " ")) {
				herr.Hints[u] = miss
			}
		}
	}
	if len(herr.Missing)+len(herr.Unexpected)+len(herr.Duplicate) > 0 {
		return nil, herr
	}
	return d, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Stats returns what the decoder has done so far.
func (d *Decoder) Stats() Stats {
	s := d.stats
	s.Records = maps.Clone(d.stats.Records)
	s.Skipped = maps.Clone(d.stats.Skipped)
	return s
}

// Next returns the next record or reject, and io.EOF at the end. Any other
// error means the input could not be read; bad rows come back as rejects.
func (d *Decoder) Next() (ingest.Item, error) {
	for d.head >= len(d.queue) {
		if d.err != nil {
			return ingest.Item{}, d.err
		}
		d.queue, d.head = d.queue[:0], 0
		d.readRow()
	}
	it := d.queue[d.head]
	d.queue[d.head] = ingest.Item{}
	d.head++
	return it, nil
}

var errRowTooLong = errors.New("row too long")

// limitReader fails once more than MaxRowBytes were read past the end of
// the last complete row (mark).
type limitReader struct {
	r    io.Reader
	n    int64
	mark int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n-l.mark > MaxRowBytes {
		return 0, errRowTooLong
	}
	k, err := l.r.Read(p)
	l.n += int64(k)
	return k, err
}

func (d *Decoder) reject(line int, field, reason string) ingest.Item {
	return ingest.Item{File: d.file, Line: line, Reject: &ingest.Reject{File: d.file, Line: line, Field: field, Reason: reason}}
}

// readRow reads one row and queues its items, or sets d.err.
func (d *Decoder) readRow() {
	cells, err := d.cr.Read()
	d.lim.mark = d.cr.InputOffset()
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		d.err = io.EOF
		return
	case errors.Is(err, errRowTooLong):
		d.err = fmt.Errorf("%s: the row after the one on line %d is longer than %d bytes (an unterminated quote?); the rest of the file cannot be read", d.file, d.line, MaxRowBytes)
		return
	case errors.As(err, &pe):
		d.line = pe.StartLine
		d.stats.Rows++
		d.stats.Rejected++
		d.stats.Rejects++
		d.queue = append(d.queue, d.reject(pe.StartLine, "", fmt.Sprintf("malformed CSV: %v (line %d, column %d)", pe.Err, pe.Line, pe.Column)))
		return
	case err != nil:
		d.err = fmt.Errorf("%s: %w", d.file, err)
		return
	}
	line, _ := d.cr.FieldPos(0)
	d.line = line
	d.stats.Rows++
	if len(cells) != d.width {
		d.stats.Rejected++
		d.stats.Rejects++
		d.queue = append(d.queue, d.reject(line, "", fmt.Sprintf("the row has %d fields; the header has %d", len(cells), d.width)))
		return
	}
	for i, c := range cells {
		if !utf8.ValidString(c) {
			d.stats.Rejected++
			d.stats.Rejects++
			d.queue = append(d.queue, d.reject(line, "", fmt.Sprintf("field %d of the row is not valid UTF-8; the CSV must be UTF-8 — convert GBK exports first, e.g. iconv -f GBK -t UTF-8", i+1)))
			return
		}
	}
	d.cells = cells
	cell := func(col int) string { return d.cells[d.pos[col]] }
	for _, s := range d.m.skips {
		if s.when.holds(cell) {
			d.stats.Skipped[s.reason]++
			return
		}
	}
	var recs []int // the template of each queued record
	rejected := false
	for i, t := range d.m.records {
		if (t.once && d.done[i]) || !t.when.holds(cell) {
			continue
		}
		rec, rej := d.build(t, cell, line)
		if rej != nil {
			rejected = true
			d.queue = append(d.queue, ingest.Item{File: d.file, Line: line, Reject: rej})
			continue
		}
		if !rejected {
			d.queue = append(d.queue, ingest.Item{File: d.file, Line: line, Record: rec})
			recs = append(recs, i)
		}
	}
	switch {
	case rejected:
		// A row is all or nothing: keep its rejects only.
		n := 0
		for _, it := range d.queue {
			if it.Reject != nil {
				d.queue[n] = it
				n++
			}
		}
		clear(d.queue[n:])
		d.queue = d.queue[:n]
		d.stats.Rejected++
		d.stats.Rejects += n
	case len(recs) == 0:
		d.stats.NoRecord++
	default:
		d.stats.Emitted++
		for k, i := range recs {
			d.done[i] = true
			d.stats.Records[d.queue[k].Record.Type]++
		}
	}
}

// build makes one record from a row: the values become a JSON object that
// is decoded into the record type with unknown fields refused, exactly as
// a canonical NDJSON line is.
func (d *Decoder) build(t *recordTemplate, cell row, line int) (*ingest.Record, *ingest.Reject) {
	rej := func(id, field, reason string) *ingest.Reject {
		return &ingest.Reject{File: d.file, Line: line, RecordID: id, Type: t.typ, Field: field, Reason: reason}
	}
	src := map[string]any{}
	id := ""
	for _, k := range sourceKeys {
		v, ok, err := t.source[k].eval(d.m, cell)
		if err != nil {
			return nil, rej(id, "source."+k, err.Error())
		}
		if !ok {
			return nil, rej(id, "source."+k, "is empty")
		}
		src[k] = v
		if k == "recordId" {
			id = fmt.Sprint(v)
		}
	}
	obj := map[string]any{"type": t.typ, "source": src}
	for _, f := range t.fields {
		v, ok, err := f.val.eval(d.m, cell)
		if err != nil {
			return nil, rej(id, f.name, err.Error())
		}
		if ok {
			setPath(obj, f.path, v)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return nil, rej(id, "", "cannot encode the record: "+err.Error())
	}
	rec, r := ingest.DecodeLine(bytes.TrimRight(buf.Bytes(), "\n"))
	if r != nil {
		r.File, r.Line, r.Type = d.file, line, t.typ
		if r.RecordID == "" {
			r.RecordID = id
		}
		return nil, r
	}
	return rec, nil
}

// setPath sets obj[a][b]… = v, making the objects on the way.
func setPath(obj map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := obj[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[p] = next
		}
		obj = next
	}
	obj[path[len(path)-1]] = v
}
