// Package pole turns Neo4j's POLE crime-investigation example (CSVs in
// neo4j-admin import style: node files with :ID and :LABEL, relationship
// files with :START_ID, :END_ID and :TYPE) into canonical ingest records of
// one police agency, Greater Manchester Police (POLE-GMP).
//
// Every row of every file is either mapped to exactly one record, skipped
// on purpose for a stated reason, or refused as a Reject; Stats counts all
// three per file. The mapping and its choices are in
// docs/ingest-adapters.md.
package pole

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/ingest"
)

// The agency and system of every record.
const (
	AgencyCode   = "POLE-GMP"
	AgencyName   = "Greater Manchester Police"
	AgencyRegion = "Greater Manchester"
	System       = "pole"
)

// At is the source.at of every record. The data set has no change times;
// this is the first day after the month of its crimes (August 2017).
var At = time.Date(2017, 9, 1, 0, 0, 0, 0, time.UTC)

// StageOf returns the stage of a case (criminal-procedure.md §2.1) for a
// crime's last outcome (a police.uk outcome category), and false for an
// outcome it does not know: such a case gets no stage, and
// Stats.UnknownOutcomes counts it.
func StageOf(outcome string) (casegraph.Stage, bool) {
	s, ok := stages[outcome]
	return s, ok
}

var stages = map[string]casegraph.Stage{
	"Under investigation":                                 casegraph.StageInvestigating,
	"Investigation complete; no suspect identified":       casegraph.StageClosed,
	"Unable to prosecute suspect":                         casegraph.StageCaseWithdrawn,
	"Further investigation is not in the public interest": casegraph.StageCaseWithdrawn,
	"Formal action is not in the public interest":         casegraph.StageCaseWithdrawn,
	"Action to be taken by another organisation":          casegraph.StageTransferred,
	"Local resolution":                                    casegraph.StageClosed,
	"Offender given a caution":                            casegraph.StageClosed,
	"Offender given a drugs possession warning":           casegraph.StageClosed,
	"Offender given penalty notice":                       casegraph.StageClosed,
	"Awaiting court outcome":                              casegraph.StageFirstInstance,
	"Defendant sent to Crown Court":                       casegraph.StageFirstInstance,
	"Court case unable to proceed":                        casegraph.StageClosed,
	"Defendant found not guilty":                          casegraph.StageClosed,
	"Offender sent to prison":                             casegraph.StageEffective,
	"Offender given suspended prison sentence":            casegraph.StageEffective,
	"Offender given community sentence":                   casegraph.StageEffective,
	"Offender fined":                                      casegraph.StageEffective,
	"Offender given conditional discharge":                casegraph.StageEffective,
	"Offender ordered to pay compensation":                casegraph.StageEffective,
	"Offender deprived of property":                       casegraph.StageEffective,
	"Offender otherwise dealt with":                       casegraph.StageEffective,
}

// Reasons for skipping rows on purpose.
const (
	SkipPhoneCall = "phone calls: the canonical format has no link between two objects and no event record, so a PhoneCall and its CALLER/CALLED edges have nowhere to go"
	SkipPostcode  = "postcodes and areas: the location record carries the postcode in its address and the postcode district (the Area) in district"
	SkipLabel     = "unknown node label"
	SkipType      = "unknown relationship type"
)

// FileStats counts the rows of one file (its header aside).
type FileStats struct {
	Rows     int // rows read
	Mapped   int // rows that became a record (one each)
	Skipped  int // rows skipped on purpose
	Rejected int // rows refused as Reject items
}

// Stats accounts for every row read.
type Stats struct {
	Files   map[string]FileStats // by file name
	Records map[string]int       // records emitted, by type (the agency record included)
	Objects map[string]int       // object records, by kind
	Links   map[string]int       // link records, by kind
	Mapped  map[string]int       // rows mapped, by POLE label or relationship type
	Skipped map[string]int       // rows skipped on purpose, by reason
	// UnknownOutcomes counts crimes whose last outcome StageOf does not know
	// (their case has no stage).
	UnknownOutcomes int
}

func newStats() Stats {
	return Stats{Files: map[string]FileStats{}, Records: map[string]int{}, Objects: map[string]int{},
		Links: map[string]int{}, Mapped: map[string]int{}, Skipped: map[string]int{}}
}

func (s Stats) clone() Stats {
	c := s
	c.Files = map[string]FileStats{}
	for k, v := range s.Files {
		c.Files[k] = v
	}
	cp := func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	c.Records, c.Objects, c.Links, c.Mapped, c.Skipped = cp(s.Records), cp(s.Objects), cp(s.Links), cp(s.Mapped), cp(s.Skipped)
	return c
}

// file is one CSV of the data set.
type file struct {
	name  string // base name, as items and rejects name it
	path  string
	rel   bool   // a relationship file
	label string // the label or type its name gives, for files without a :LABEL or :TYPE column
}

// node is what relationships need to know of a node row.
type node struct {
	label   string
	key     string // person ref, case number, location id or object value
	kind    string // object kind
	where   string // file:line of the row
	refused bool   // the row was refused
}

// Decoder reads the CSVs of a directory: every node file, then every
// relationship file, each in name order. It keeps a small index of the
// node rows (id → label and key) to resolve relationships.
type Decoder struct {
	dir   string
	files []file
	next  int // index of the next file to open

	f      *os.File
	r      *csv.Reader
	cur    file
	cols   map[string]int
	header int

	nodes  map[string]node
	crimes map[string]string // police.uk crime id → file:line
	queue  []ingest.Item
	begun  bool
	closed bool
	stats  Stats
}

// NewDecoder returns a decoder of the POLE CSVs in dir. It fails when dir
// cannot be read, holds no CSV, or holds a CSV whose header is neither a
// node header (:ID) nor a relationship header (:START_ID, :END_ID). The
// decoder is a *Decoder (for Stats and Close).
func NewDecoder(dir string) (ingest.Decoder, error) {
	d, err := newDecoder(dir)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func newDecoder(dir string) (*Decoder, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pole: %w", err)
	}
	var nodes, rels []file
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			continue
		}
		f := file{name: e.Name(), path: filepath.Join(dir, e.Name())}
		header, err := readHeader(f.path)
		if err != nil {
			return nil, fmt.Errorf("pole: %s: %w", f.name, err)
		}
		cols := columns(header)
		_, hasID := cols[":ID"]
		_, hasStart := cols[":START_ID"]
		_, hasEnd := cols[":END_ID"]
		// crime-investigation.nodes.Crime.csv → Crime
		if parts := strings.Split(strings.TrimSuffix(f.name, filepath.Ext(f.name)), "."); len(parts) > 1 {
			f.label = parts[len(parts)-1]
		}
		switch {
		case hasStart && hasEnd:
			f.rel = true
			rels = append(rels, f)
		case hasID:
			nodes = append(nodes, f)
		default:
			return nil, fmt.Errorf("pole: %s: the header has neither :ID nor :START_ID and :END_ID; is it a neo4j-admin import file?", f.name)
		}
	}
	if len(nodes)+len(rels) == 0 {
		return nil, fmt.Errorf("pole: no CSV files in %s", dir)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].name < nodes[j].name })
	sort.Slice(rels, func(i, j int) bool { return rels[i].name < rels[j].name })
	return &Decoder{dir: dir, files: append(nodes, rels...), nodes: map[string]node{}, crimes: map[string]string{}, stats: newStats()}, nil
}

func readHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	header, err := csv.NewReader(f).Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file; a neo4j-admin CSV starts with a header")
	}
	return header, err
}

// columns maps the header to column indexes by name: ":ID", ":LABEL",
// ":START_ID", ":END_ID", ":TYPE" for the special columns (also in the
// name:ID(group) form), and other columns without their :type suffix
// ("latitude:double" is "latitude").
func columns(header []string) map[string]int {
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		name, typ, found := strings.Cut(h, ":")
		if !found {
			cols[name] = i
			continue
		}
		if j := strings.IndexByte(typ, '('); j >= 0 {
			typ = typ[:j] // ID(Person) → ID
		}
		switch strings.ToUpper(typ) {
		case "ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE":
			cols[":"+strings.ToUpper(typ)] = i
			if name != "" {
				cols[name] = i
			}
		default:
			cols[name] = i
		}
	}
	return cols
}

// Stats returns the counts so far.
func (d *Decoder) Stats() Stats { return d.stats.clone() }

// Close closes the file being read; Next closes each file at its end, so
// Close is needed only when the caller stops early.
func (d *Decoder) Close() error {
	d.closed = true
	if d.f != nil {
		err := d.f.Close()
		d.f, d.r = nil, nil
		return err
	}
	return nil
}

// Next returns the next record or reject, and io.EOF at the end. The first
// record is the agency's (File is the directory, Line 0); every other item
// names the file and the line where its row starts.
func (d *Decoder) Next() (ingest.Item, error) {
	for len(d.queue) == 0 {
		if d.closed {
			return ingest.Item{}, io.EOF
		}
		if !d.begun {
			d.begun = true
			d.emit("", 0, ingest.NewRecord(&ingest.Agency{
				Envelope: ingest.Envelope{Type: ingest.TypeAgency, Source: src("agency:" + AgencyCode)},
				Code:     AgencyCode, Name: AgencyName, Kind: string(casegraph.AgencyPolice), Region: AgencyRegion,
			}))
			continue
		}
		if d.r == nil {
			if d.next == len(d.files) {
				return ingest.Item{}, io.EOF
			}
			if err := d.open(d.files[d.next]); err != nil {
				return ingest.Item{}, err
			}
			d.next++
			continue
		}
		row, err := d.r.Read()
		if errors.Is(err, io.EOF) {
			err := d.f.Close()
			d.f, d.r = nil, nil
			if err != nil {
				return ingest.Item{}, fmt.Errorf("pole: %s: %w", d.cur.name, err)
			}
			continue
		}
		fs := d.stats.Files[d.cur.name]
		fs.Rows++
		d.stats.Files[d.cur.name] = fs
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
			d.refuse(pe.StartLine, "", "", fmt.Sprintf("has %d fields; the header has %d", len(row), d.header))
			continue
		case errors.As(err, &pe):
			d.refuse(pe.StartLine, "", "", "malformed CSV: "+pe.Err.Error())
			continue
		case err != nil:
			return ingest.Item{}, fmt.Errorf("pole: %s: %w", d.cur.name, err)
		}
		line, _ := d.r.FieldPos(0)
		if d.cur.rel {
			d.relationship(row, line)
		} else {
			d.nodeRow(row, line)
		}
	}
	item := d.queue[0]
	d.queue[0] = ingest.Item{}
	d.queue = d.queue[1:]
	if len(d.queue) == 0 {
		d.queue = nil
	}
	return item, nil
}

func (d *Decoder) open(f file) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("pole: %w", err)
	}
	r := csv.NewReader(fh)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		fh.Close()
		return fmt.Errorf("pole: %s: header: %w", f.name, err)
	}
	r.FieldsPerRecord = len(header)
	d.f, d.r, d.cur, d.cols, d.header = fh, r, f, columns(header), len(header)
	if _, ok := d.stats.Files[f.name]; !ok {
		d.stats.Files[f.name] = FileStats{}
	}
	return nil
}

func src(id string) ingest.Source {
	return ingest.Source{Agency: AgencyCode, System: System, RecordID: id, At: At}
}

// get returns a column of the row, trimmed, or "" when there is none.
func (d *Decoder) get(row []string, col string) string {
	i, ok := d.cols[col]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// emit queues a record of one row (line 0: of no row).
func (d *Decoder) emit(label string, line int, rec *ingest.Record) {
	d.stats.Records[rec.Type]++
	switch b := rec.Body.(type) {
	case *ingest.Object:
		d.stats.Objects[b.Kind]++
	case *ingest.Link:
		d.stats.Links[b.Kind]++
	}
	if line > 0 {
		fs := d.stats.Files[d.cur.name]
		fs.Mapped++
		d.stats.Files[d.cur.name] = fs
		d.stats.Mapped[label]++
	}
	name := d.cur.name
	if line == 0 {
		name = d.dir // the agency record: of the data set, not of a row
	}
	d.queue = append(d.queue, ingest.Item{File: name, Line: line, Record: rec})
}

func (d *Decoder) skip(reason string) {
	fs := d.stats.Files[d.cur.name]
	fs.Skipped++
	d.stats.Files[d.cur.name] = fs
	d.stats.Skipped[reason]++
}

func (d *Decoder) refuse(line int, id, field, reason string) {
	fs := d.stats.Files[d.cur.name]
	fs.Rejected++
	d.stats.Files[d.cur.name] = fs
	d.queue = append(d.queue, ingest.Item{File: d.cur.name, Line: line,
		Reject: &ingest.Reject{File: d.cur.name, Line: line, RecordID: id, Field: field, Reason: reason}})
}

// label returns the row's label or type: the first of the :LABEL column's
// labels (Person;Suspect) that the mapping knows, else the first, else the
// one the file name gives.
func (d *Decoder) label(row []string, col string) string {
	v := d.get(row, col)
	if v == "" {
		return d.cur.label
	}
	parts := strings.Split(v, ";")
	for _, p := range parts {
		if known[strings.TrimSpace(p)] {
			return strings.TrimSpace(p)
		}
	}
	return strings.TrimSpace(parts[0])
}

var known = map[string]bool{
	"Person": true, "Officer": true, "Crime": true, "Location": true, "Phone": true, "Email": true,
	"Vehicle": true, "Object": true, "PhoneCall": true, "PostCode": true, "Area": true, "AREA": true,
}

func (d *Decoder) nodeRow(row []string, line int) {
	label := d.label(row, ":LABEL")
	id := d.get(row, ":ID")
	rid := label + "/" + id
	if id == "" {
		d.refuse(line, "", ":ID", "missing; every node needs an id")
		return
	}
	if prev, dup := d.nodes[id]; dup {
		d.refuse(line, rid, ":ID", fmt.Sprintf("%s is already the id of the node at %s; ids are unique across all node files", id, prev.where))
		return
	}
	id = strings.Clone(id)
	where := fmt.Sprintf("%s:%d", d.cur.name, line)
	refuse := func(field, reason string) {
		// Relationships to a refused node are refused too.
		d.nodes[id] = node{label: label, where: where, refused: true}
		d.refuse(line, rid, field, reason)
	}
	ok := func(key, kind string) {
		d.nodes[id] = node{label: label, key: strings.Clone(key), kind: kind, where: where}
	}
	switch label {
	case "Person", "Officer":
		name := strings.TrimSpace(d.get(row, "name") + " " + d.get(row, "surname"))
		if name == "" {
			refuse("name", "missing; a person needs a name or surname")
			return
		}
		ok(id, "")
		d.emit(label, line, ingest.NewRecord(&ingest.Person{
			Envelope:  ingest.Envelope{Type: ingest.TypePerson, Source: src(rid)},
			PersonRef: ingest.PersonRef{Ref: id, Name: name},
		}))
	case "Crime":
		no := d.get(row, "id")
		if no == "" {
			refuse("id", "missing; a crime needs its police.uk crime id")
			return
		}
		if prev, dup := d.crimes[no]; dup {
			refuse("id", fmt.Sprintf("crime id %s is already the crime at %s", no, prev))
			return
		}
		filed, err := parseDate(d.get(row, "date"))
		if err != nil {
			refuse("date", err.Error())
			return
		}
		outcome := d.get(row, "last_outcome")
		stage, known := StageOf(outcome)
		if !known {
			d.stats.UnknownOutcomes++
		}
		ok(no, "")
		d.crimes[d.nodes[id].key] = where
		d.emit(label, line, ingest.NewRecord(&ingest.Case{
			Envelope: ingest.Envelope{Type: ingest.TypeCase, Source: src(rid)},
			CaseRef:  ingest.CaseRef{CaseNo: no},
			Title:    d.get(row, "type"),
			Summary:  summary(outcome, d.get(row, "charge"), d.get(row, "note")),
			Stage:    string(stage),
			FiledAt:  filed,
		}))
	case "Location":
		loc := &ingest.Location{
			Envelope:   ingest.Envelope{Type: ingest.TypeLocation, Source: src(rid)},
			LocationID: id,
		}
		lat, lon := d.get(row, "latitude"), d.get(row, "longitude")
		if lat != "" || lon != "" {
			for _, c := range []struct {
				field, v string
				to       **float64
				max      float64
			}{{"latitude", lat, &loc.Lat, 90}, {"longitude", lon, &loc.Lon, 180}} {
				x, err := strconv.ParseFloat(c.v, 64)
				if err != nil || x < -c.max || x > c.max {
					refuse(c.field, fmt.Sprintf("%q is not a %s (give both latitude and longitude, or neither)", c.v, c.field))
					return
				}
				*c.to = &x
			}
		}
		postcode := d.get(row, "postcode")
		loc.Address = strings.TrimSpace(strings.Trim(d.get(row, "address")+", "+postcode, ", "))
		loc.District = outwardCode(postcode)
		ok(id, "")
		d.emit(label, line, ingest.NewRecord(loc))
	case "Phone", "Email", "Vehicle", "Object":
		var kind, value, lbl string
		switch label {
		case "Phone":
			kind, value = "PHONE", d.get(row, "phoneNo")
		case "Email":
			kind, value = "EMAIL", d.get(row, "email_address")
		case "Vehicle":
			kind, value = "VEHICLE", d.get(row, "reg")
			lbl = strings.Join(strings.Fields(d.get(row, "make")+" "+d.get(row, "model")), " ")
			if y := d.get(row, "year"); y != "" {
				lbl = strings.TrimSpace(lbl + " (" + y + ")")
			}
		case "Object":
			// Evidence objects have no value of their own (most have no
			// reference id): the value is the agency and the node id.
			kind, value = "OTHER", AgencyCode+":"+id
			lbl = d.get(row, "description")
			if ref := d.get(row, "id"); ref != "" {
				lbl = strings.TrimSpace(lbl + " (ref " + ref + ")")
			}
			if t := d.get(row, "type"); t != "" {
				lbl = t + ": " + lbl
			}
		}
		if value == "" {
			field := map[string]string{"Phone": "phoneNo", "Email": "email_address", "Vehicle": "reg"}[label]
			refuse(field, "missing; the "+strings.ToLower(label)+" has no "+field)
			return
		}
		ok(value, kind)
		d.emit(label, line, ingest.NewRecord(&ingest.Object{
			Envelope:  ingest.Envelope{Type: ingest.TypeObject, Source: src(rid)},
			ObjectRef: ingest.ObjectRef{Kind: kind, Value: value},
			Label:     lbl,
		}))
	case "PhoneCall":
		ok("", "")
		d.skip(SkipPhoneCall)
	case "PostCode", "Area", "AREA":
		ok("", "")
		d.skip(SkipPostcode)
	default:
		ok("", "")
		d.skip(SkipLabel + " " + label)
	}
}

// summary keeps the crime's outcome, charge and note as text.
func summary(outcome, charge, note string) string {
	var parts []string
	if outcome != "" {
		parts = append(parts, "Last outcome: "+outcome+".")
	}
	if charge != "" {
		parts = append(parts, "Charge: "+charge+".")
	}
	if note != "" {
		parts = append(parts, "Note: "+note)
	}
	return strings.Join(parts, " ")
}

// outwardCode is the postcode district of a UK postcode: "WN3" of "WN3 4NL".
func outwardCode(pc string) string {
	f := strings.Fields(strings.ToUpper(pc))
	switch {
	case len(f) == 2:
		return f[0]
	case len(f) == 1 && len(f[0]) > 4:
		return f[0][:len(f[0])-3]
	}
	return ""
}

// parseDate reads d/m/yyyy or dd/mm/yyyy; "" is no date.
func parseDate(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	parts := strings.Split(s, "/")
	bad := fmt.Errorf("%q is not a date of the form dd/mm/yyyy", s)
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return "", bad
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || strings.ContainsAny(p, "+-") {
			return "", bad
		}
		n[i] = v
	}
	t := time.Date(n[2], time.Month(n[1]), n[0], 0, 0, 0, 0, time.UTC)
	if t.Day() != n[0] || int(t.Month()) != n[1] || t.Year() != n[2] {
		return "", fmt.Errorf("%q is not a calendar date", s)
	}
	return t.Format(time.DateOnly), nil
}

// endpoint labels
var (
	personish = []string{"Person", "Officer"}
	crime     = []string{"Crime"}
	location  = []string{"Location"}
	objectish = []string{"Vehicle", "Object", "Phone", "Email"}
)

func (d *Decoder) relationship(row []string, line int) {
	typ := d.label(row, ":TYPE")
	start, end := d.get(row, ":START_ID"), d.get(row, ":END_ID")
	rid := typ + "/" + start + "-" + end
	resolve := func(field, id string, want []string) (node, bool) {
		if id == "" {
			d.refuse(line, rid, field, "missing")
			return node{}, false
		}
		n, found := d.nodes[id]
		switch {
		case !found:
			d.refuse(line, rid, field, fmt.Sprintf("no node has the id %s", id))
			return node{}, false
		case n.refused:
			d.refuse(line, rid, field, fmt.Sprintf("node %s was refused (%s)", id, n.where))
			return node{}, false
		case !containsString(want, n.label):
			d.refuse(line, rid, field, fmt.Sprintf("node %s is a %s; %s needs a %s", id, n.label, typ, strings.Join(want, " or ")))
			return node{}, false
		}
		return n, true
	}
	both := func(from, to []string) (a, b node, ok bool) {
		if a, ok = resolve(":START_ID", start, from); !ok {
			return
		}
		b, ok = resolve(":END_ID", end, to)
		return
	}
	person := func(n node) *ingest.PersonRef { return &ingest.PersonRef{Ref: n.key} }
	object := func(n node) *ingest.ObjectRef { return &ingest.ObjectRef{Kind: n.kind, Value: n.key} }
	caseRef := func(n node) *ingest.CaseRef { return &ingest.CaseRef{CaseNo: n.key} }
	link := func(kind string, from, to ingest.Endpoint) {
		d.emit(typ, line, ingest.NewRecord(&ingest.Link{
			Envelope: ingest.Envelope{Type: ingest.TypeLink, Source: src(rid)},
			Kind:     kind, From: from, To: to,
		}))
	}

	switch typ {
	case "KNOWS", "KNOWS_LW", "KNOWS_SN", "KNOWS_PHONE", "FAMILY_REL":
		a, b, ok := both(personish, personish)
		if !ok {
			return
		}
		kind := "KNOWS"
		if typ == "FAMILY_REL" {
			kind = "FAMILY"
		}
		link(kind, ingest.Endpoint{Person: person(a)}, ingest.Endpoint{Person: person(b)})
	case "HAS_PHONE", "HAS_EMAIL":
		want := []string{"Phone"}
		if typ == "HAS_EMAIL" {
			want = []string{"Email"}
		}
		a, b, ok := both(personish, want)
		if !ok {
			return
		}
		link("USES", ingest.Endpoint{Person: person(a)}, ingest.Endpoint{Object: object(b)})
	case "CURRENT_ADDRESS":
		a, b, ok := both(personish, location)
		if !ok {
			return
		}
		link("LIVES_AT", ingest.Endpoint{Person: person(a)}, ingest.Endpoint{Location: b.key})
	case "OCCURRED_AT":
		a, b, ok := both(crime, location)
		if !ok {
			return
		}
		link("OCCURRED_AT", ingest.Endpoint{Case: caseRef(a)}, ingest.Endpoint{Location: b.key})
	case "INVESTIGATED_BY":
		a, b, ok := both(crime, personish)
		if !ok {
			return
		}
		link("INVESTIGATED_BY", ingest.Endpoint{Case: caseRef(a)}, ingest.Endpoint{Person: person(b)})
	case "INVOLVED_IN":
		a, b, ok := both(objectish, crime)
		if !ok {
			return
		}
		link("INVOLVES", ingest.Endpoint{Case: caseRef(b)}, ingest.Endpoint{Object: object(a)})
	case "PARTY_TO":
		a, b, ok := both(personish, crime)
		if !ok {
			return
		}
		d.emit(typ, line, ingest.NewRecord(&ingest.Party{
			Envelope: ingest.Envelope{Type: ingest.TypeParty, Source: src(rid)},
			Case:     *caseRef(b), Person: *person(a), Role: string(casegraph.RoleSuspect),
		}))
	case "CALLER", "CALLED":
		d.skip(SkipPhoneCall)
	case "HAS_POSTCODE", "LOCATION_IN_AREA", "POSTCODE_IN_AREA":
		d.skip(SkipPostcode)
	default:
		d.skip(SkipType + " " + typ)
	}
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
