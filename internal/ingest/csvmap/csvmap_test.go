package csvmap

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
)

const (
	policeMapping = "../../../mappings/policeuk-street.yaml"
	policeData    = "../../../../shared/data/policeuk-city-of-london-2020"
	docPath       = "../../../docs/ingest-csv-mapping.md"
)

// base is a small valid mapping; the parse tests add a line or change one.
// Line numbers matter: the record's fields start on line 11.
const base = `name: test
columns: [ID, Month, Outcome, Lat, Lon]
source:
  agency: {const: A1}
  system: {const: sys}
  recordId: {column: ID}
  at: {column: Month, transform: [month, timestamp]}
records:
  - type: case
    fields:
      caseNo: {column: ID}
`

func TestParseBase(t *testing.T) {
	m, err := Parse([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "test" || !slices.Equal(m.Columns(), []string{"ID", "Month", "Outcome", "Lat", "Lon"}) {
		t.Errorf("name %q columns %q", m.Name, m.Columns())
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // each must appear in the error
	}{
		{"unknown field", base + "      caseNumber: {column: ID}\n",
			[]string{`mapping:12: records[0].fields.caseNumber: unknown field "caseNumber" of a case record; its fields are agency, caseNo, closedAt, district, filedAt, sealed, stage, summary, title`}},
		{"unknown nested field", strings.Replace(base, "type: case", "type: link", 1) + "      from.case.number: {column: ID}\n",
			[]string{`mapping:12: records[0].fields.from.case.number: unknown field "number" of from.case; its fields are agency, caseNo`}},
		{"field of a leaf", base + "      title.text: {column: ID}\n",
			[]string{`mapping:12: records[0].fields.title.text: title is a string, not an object: it has no field "text"`}},
		{"object path", strings.Replace(base, "type: case", "type: link", 1) + "      to.case: {column: ID}\n",
			[]string{`to.case is an object; set its fields one by one (to.case.agency, to.case.caseNo)`}},
		{"empty path part", base + "      from..caseNo: {column: ID}\n",
			[]string{`mapping:12:`, `is not a field path`}},
		{"envelope in fields", base + "      source.agency: {const: X}\n",
			[]string{`mapping:12: records[0].fields.source.agency: source is the envelope: set it with the template's source key, not in fields`}},
		{"unknown type", strings.Replace(base, "type: case", "type: crime", 1),
			[]string{`mapping:9: records[0].type: unknown record type "crime"; use one of agency, case, person, party, charge, incident, handover, decision, measure, judgment, location, object, link`}},
		{"missing type", strings.Replace(base, "type: case", "once: true", 1),
			[]string{`records[0].type: missing`}},
		{"unknown transform", base + "      filedAt: {column: Month, transform: [trim, first-of-month]}\n",
			[]string{`mapping:12: records[0].fields.filedAt.transform[1]: unknown transform "first-of-month"; use one of trim, upper, lower, month, date`}},
		{"transform argument", base + "      filedAt: {column: Month, transform: {month: x}}\n",
			[]string{`mapping:12: records[0].fields.filedAt.transform: transform month takes no argument`}},
		{"date format", base + "      filedAt: {column: Month, transform: {date: dd/mm/yyyy}}\n",
			[]string{`date format "dd/mm/yyyy": "d" is not YYYY, MM, M, DD or D`}},
		{"typed transform not last", base + "      summary: {column: ID, transform: [float, trim]}\n",
			[]string{`transform trim cannot follow float`}},
		{"unknown column", base + "      title: {column: Titel}\n",
			[]string{`mapping:12: records[0].fields.title.column: column "Titel" is not in columns`}},
		{"column case hint", base + "      title: {column: month}\n",
			[]string{`column "month" is not in columns (did you mean "Month"?)`}},
		{"template column", base + "      title: {template: \"{ID}-{Nope}\"}\n",
			[]string{`records[0].fields.title.template: column "Nope" is not in columns`}},
		{"template brace", base + "      title: {template: \"{ID\"}\n",
			[]string{`a { without its }`}},
		{"string into number", strings.Replace(base, "type: case", "type: location", 1) + "      locationId: {column: ID}\n      lat: {column: Lat}\n",
			[]string{`mapping:13: records[0].fields.lat: the field takes a number, but this value gives a string; add transform: float`, `unknown field "caseNo" of a location record`}},
		{"number into string", base + "      title: {const: 12}\n",
			[]string{`records[0].fields.title: the field takes a string, but this value gives an integer; quote the value to make it a string`}},
		{"bare scalar", base + "      title: Crime type\n",
			[]string{`records[0].fields.title: a value must be a mapping with column, const or template, not the string "Crime type": write {const: Crime type} for the constant, or {column: Crime type} for a column`}},
		{"two sources", base + "      title: {column: ID, const: x}\n",
			[]string{`give only one of column, const and template, not column and const`}},
		{"const with map", base + "      title: {const: x, map: {a: b}}\n",
			[]string{`records[0].fields.title.map: a const takes no map`}},
		{"default and reject", base + "      stage: {column: Outcome, map: {a: CLOSED}, default: CLOSED, unmapped: reject}\n",
			[]string{`unmapped: reject and default exclude each other`}},
		{"unmapped without map", base + "      stage: {column: Outcome, unmapped: reject}\n",
			[]string{`applies to a value map; there is no map here`}},
		{"unknown value key", base + "      title: {column: ID, transfrom: trim}\n",
			[]string{`mapping:12: records[0].fields.title.transfrom: unknown key "transfrom"; the keys here are column, const, template, transform, map, default, unmapped, required`}},
		{"unknown top key", "colums: [a]\n" + base,
			[]string{`mapping:1: colums: unknown key "colums"`}},
		{"missing source key", strings.Replace(base, "  at: {column: Month, transform: [month, timestamp]}\n", "", 1),
			[]string{`mapping:8: records[0].source: at not set, here or in the top-level source`}},
		{"skip without reason", base + "skip:\n  - when: {empty: ID}\n",
			[]string{`mapping:13: skip[0].reason: missing`}},
		{"when column", strings.Replace(base, "    fields:", "    when: {nonEmpty: [Lat, Latitude]}\n    fields:", 1),
			[]string{`mapping:10: records[0].when.nonEmpty: column "Latitude" is not in columns`}},
		{"duplicate column", strings.Replace(base, "[ID, Month,", "[ID, Month, ID,", 1),
			[]string{`columns[2]: column "ID" is listed twice`}},
		{"duplicate key", base + "      caseNo: {column: Month}\n",
			[]string{`mapping:12: YAML syntax: mapping key "caseNo" already defined at [11:7]`}},
		{"yaml syntax", base + "      title: {column: ID\n",
			[]string{`mapping:12: YAML syntax:`}},
		{"no records", "columns: [a]\n", []string{`records: missing`}},
		{"empty", "", []string{`the mapping file is empty`}},
		{"several problems", base + "      title: {column: Titel}\n      summary: {const: x, transform: trim}\n",
			[]string{`mapping:12: records[0].fields.title.column`, "\nmapping:13: records[0].fields.summary.transform: a const takes no transform"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml))
			if err == nil {
				t.Fatalf("no error for\n%s", c.yaml)
			}
			var me *Error
			if !errors.As(err, &me) || len(me.Problems) == 0 {
				t.Fatalf("error %T %v is not an *Error with problems", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks\n%s", err, w)
				}
			}
		})
	}
}

func TestLoadNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte(base+"      nope: {column: ID}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml:12: records[0].fields.nope: unknown field") {
		t.Fatalf("error %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("no error for a missing file")
	}
}

// decodeAll reads every item of a decoder.
func decodeAll(t testing.TB, dec ingest.Decoder) (recs []*ingest.Record, rejs []*ingest.Reject) {
	t.Helper()
	for {
		it, err := dec.Next()
		if err == io.EOF {
			return recs, rejs
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case it.Record != nil && it.Reject == nil:
			recs = append(recs, it.Record)
		case it.Reject != nil && it.Record == nil:
			if it.Reject.Line != it.Line || it.Reject.File != it.File {
				t.Errorf("reject %v at %s:%d", it.Reject, it.File, it.Line)
			}
			rejs = append(rejs, it.Reject)
		default:
			t.Fatalf("item %+v has not exactly one of record and reject", it)
		}
	}
}

func mustParse(t testing.TB, y string) *Mapping {
	t.Helper()
	m, err := Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func decoder(t testing.TB, m *Mapping, input string) *Decoder {
	t.Helper()
	dec, err := m.NewDecoder(strings.NewReader(input), "in.csv")
	if err != nil {
		t.Fatal(err)
	}
	return dec.(*Decoder)
}

func loadPolice(t testing.TB) *Mapping {
	t.Helper()
	m, err := Load(policeMapping)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const policeHeader = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"

func TestHeaderMismatch(t *testing.T) {
	m := loadPolice(t)
	bad := strings.Replace(strings.Replace(policeHeader, "Crime ID", "Crime Id", 1), ",Context", ",Notes", 1)
	_, err := m.NewDecoder(strings.NewReader(bad+"x,2020-01\n"), "2020-01.csv")
	var he *HeaderError
	if !errors.As(err, &he) {
		t.Fatalf("error %T %v is not a *HeaderError", err, err)
	}
	if !slices.Equal(he.Missing, []string{"Crime ID", "Context"}) || !slices.Equal(he.Unexpected, []string{"Crime Id", "Notes"}) {
		t.Errorf("missing %q unexpected %q", he.Missing, he.Unexpected)
	}
	want := `2020-01.csv: the header does not match policeuk-street: missing columns "Crime ID", "Context"; unexpected columns "Crime Id" (is it "Crime ID"?), "Notes"`
	if err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}

	_, err = m.NewDecoder(strings.NewReader(strings.Replace(policeHeader, ",Context", ",Month", 1)), "dup.csv")
	if !errors.As(err, &he) || !slices.Equal(he.Duplicate, []string{"Month"}) || !slices.Equal(he.Missing, []string{"Context"}) {
		t.Errorf("duplicate header: %v", err)
	}
	_, err = m.NewDecoder(strings.NewReader("\xb0\xb8\xbc\xfe\xb1\xe0\xba\xc5,Month\n"), "gbk.csv") // 案件编号 in GBK
	if !errors.As(err, &he) || !he.NotUTF8 || !strings.HasSuffix(err.Error(), "the header is not valid UTF-8: the CSV must be UTF-8 — convert GBK exports first, e.g. iconv -f GBK -t UTF-8") {
		t.Errorf("GBK header: %v", err)
	}
	if _, err := m.NewDecoder(strings.NewReader(""), "empty.csv"); err == nil || !strings.Contains(err.Error(), "empty.csv: the file is empty") {
		t.Errorf("empty file: %v", err)
	}

	// Order does not matter; a byte order mark and spaces around names are ignored.
	cols := strings.Split(strings.TrimSpace(policeHeader), ",")
	slices.Reverse(cols)
	dec := decoder(t, m, "\uFEFF"+strings.Join(cols, " , ")+"\n")
	if recs, rejs := decodeAll(t, dec); len(recs)+len(rejs) != 0 || dec.Stats().Rows != 0 {
		t.Errorf("header only: %d records %d rejects %+v", len(recs), len(rejs), dec.Stats())
	}

	// extraColumns: ignore accepts columns the mapping does not name.
	m2 := mustParse(t, "extraColumns: ignore\n"+base)
	dec = decoder(t, m2, "Notes,ID,Month,Outcome,Lat,Lon\nn,C1,2020-01,,,\n")
	if recs, _ := decodeAll(t, dec); len(recs) != 1 {
		t.Errorf("extra columns ignored: %d records", len(recs))
	}
}

const mapTest = `columns: [ID, Month, Outcome, Lat, Lon]
source:
  agency: {const: A1}
  system: {const: sys}
  recordId: {column: ID}
  at: {column: Month, transform: [month, timestamp]}
skip:
  - when: {equals: {Outcome: [test, demo]}}
    reason: test rows
records:
  - type: case
    fields:
      caseNo: {column: ID}
      stage:
        column: Outcome
        transform: trim
        unmapped: reject
        map:
          open: INVESTIGATING
          done: CLOSED
          unknown: null
  - type: location
    when: {nonEmpty: [Lat, Lon]}
    source:
      recordId: {template: "loc-{ID}"}
    fields:
      locationId: {template: "loc-{ID}"}
      lat: {column: Lat, transform: float}
      lon: {column: Lon, transform: float}
`

func TestValueMapReject(t *testing.T) {
	m := mustParse(t, mapTest)
	dec := decoder(t, m, "ID,Month,Outcome,Lat,Lon\n"+
		"C1,2020-01, open ,,\n"+ // line 2: case
		"C2,2020-01,mystery,1,2\n"+ // line 3: refused, and its location with it
		"C3,2020-02,unknown,1.5,2.5\n"+ // line 4: case without stage, location
		"C4,2020-02,test,,\n"+ // line 5: skipped
		"C5,2020-02,done,north,2\n") // line 6: location refused, the case with it
	recs, rejs := decodeAll(t, dec)
	if len(rejs) != 2 {
		t.Fatalf("rejects %v", rejs)
	}
	want := ingest.Reject{File: "in.csv", Line: 3, RecordID: "C2", Type: "case", Field: "stage",
		Reason: `column "Outcome": "mystery" is not in the value map (add it to map, or give a default)`}
	if *rejs[0] != want {
		t.Errorf("reject\n%+v\nwant\n%+v", *rejs[0], want)
	}
	want = ingest.Reject{File: "in.csv", Line: 6, RecordID: "loc-C5", Type: "location", Field: "lat",
		Reason: `column "Lat": "north" is not a number`}
	if *rejs[1] != want {
		t.Errorf("reject\n%+v\nwant\n%+v", *rejs[1], want)
	}
	var got []string
	for _, r := range recs {
		switch b := r.Body.(type) {
		case *ingest.Case:
			got = append(got, b.CaseNo+":"+b.Stage)
		case *ingest.Location:
			got = append(got, fmt.Sprintf("%s:%v,%v", b.LocationID, *b.Lat, *b.Lon))
		}
	}
	if w := []string{"C1:INVESTIGATING", "C3:", "loc-C3:1.5,2.5"}; !slices.Equal(got, w) {
		t.Errorf("records %q, want %q", got, w)
	}
	s := dec.Stats()
	wantStats := Stats{Rows: 5, Emitted: 2, Records: map[string]int{"case": 2, "location": 1},
		Skipped: map[string]int{"test rows": 1}, Rejected: 2, Rejects: 2}
	if !reflect.DeepEqual(s, wantStats) || !s.Accounted() {
		t.Errorf("stats %+v\nwant %+v", s, wantStats)
	}
}

func TestRowProblems(t *testing.T) {
	m := mustParse(t, base)
	dec := decoder(t, m, "ID,Month,Outcome,Lat,Lon\n"+
		"C1,2020-01,,,\n"+ // 2
		"C2,2020-01\n"+ // 3: too few fields
		"C3,2020-01,\xff\xfe,,\n"+ // 4: not UTF-8
		"C4,2020-01,\"a\"b,,\n"+ // 5: bad quote
		"C5,2020-13,,,\n"+ // 6: not a month
		",2020-01,,,\n"+ // 7: no record id
		"\"C6\nx\",2020-02,,,\n"+ // 8-9: a quoted newline
		"C7,2020-02,,,\n") // 10
	recs, rejs := decodeAll(t, dec)
	var ids []string
	for _, r := range recs {
		ids = append(ids, fmt.Sprintf("%s@%s", r.Source.RecordID, r.Source.At.Format(time.DateOnly)))
	}
	if w := []string{"C1@2020-01-01", "C6\nx@2020-02-01", "C7@2020-02-01"}; !slices.Equal(ids, w) {
		t.Errorf("records %q, want %q", ids, w)
	}
	want := []string{
		"in.csv:3: the row has 2 fields; the header has 5",
		"in.csv:4: field 3 of the row is not valid UTF-8; the CSV must be UTF-8 — convert GBK exports first, e.g. iconv -f GBK -t UTF-8",
		`in.csv:5: malformed CSV: extraneous or missing " in quoted-field (line 5, column 14)`,
		`in.csv:6 record C5: source.at: column "Month": "2020-13" is not a month like 2020-01`,
		`in.csv:7: source.recordId: column "ID" is empty, and the mapping requires a value`,
	}
	var got []string
	for _, r := range rejs {
		got = append(got, r.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("rejects\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := dec.Stats(); s.Rows != 8 || s.Rejected != 5 || s.Emitted != 3 || !s.Accounted() {
		t.Errorf("stats %+v", s)
	}
}

// A row over MaxRowBytes (an unterminated quote) fails the job instead of
// being held in memory; rows before it are read.
func TestRowTooLong(t *testing.T) {
	m := mustParse(t, base)
	input := "ID,Month,Outcome,Lat,Lon\nC1,2020-01,,,\n\"C2" + strings.Repeat("x", MaxRowBytes+10) + ",2020-01,,,\nC3,2020-01,,,\n"
	dec := decoder(t, m, input)
	it, err := dec.Next()
	if err != nil || it.Record == nil {
		t.Fatalf("first row: %+v %v", it, err)
	}
	_, err = dec.Next()
	if err == nil || err == io.EOF || !strings.Contains(err.Error(), "in.csv: the row after the one on line 2 is longer than 1048576 bytes") {
		t.Fatalf("error %v", err)
	}
	if _, err2 := dec.Next(); err2 != err {
		t.Errorf("the error is not sticky: %v", err2)
	}
}

func TestTransformsAndTemplates(t *testing.T) {
	m := mustParse(t, `columns: [No, Filed, Closed, Name, Note, Sealed, Term, Fine, When]
source:
  agency: {const: 330203FY}
  system: {const: court}
  recordId: {template: "{No}"}
  at: {column: When, transform: {timestamp: "+08:00"}}
records:
  - type: case
    fields:
      caseNo: {column: No, transform: [trim, upper]}
      filedAt: {column: Filed, transform: {date: D/MM/YYYY}}
      closedAt: {column: Closed, transform: {date: YYYY年M月D日}}
      title: {template: "{Name} ({Note?})"}
      summary: {template: "{Name}: {Note}", default: "no note"}
      sealed: {column: Sealed, transform: bool}
      district: {const: 海曙区}
  - type: judgment
    fields:
      judgmentId: {template: "J-{No}"}
      case.caseNo: {column: No}
      person.ref: {const: P1}
      verdict: {const: GUILTY}
      decidedAt: {column: Closed, transform: {date: YYYY年M月D日}}
      termMonths: {column: Term, transform: int}
      fine: {column: Fine, transform: float}
      final: {const: true}
`)
	dec := decoder(t, m, "No,Filed,Closed,Name,Note,Sealed,Term,Fine,When\n"+
		" (2024)浙0203刑初1号 ,5/03/2024,2024年6月1日,盗窃案,,是,12,2000.50,2024-06-01 09:30:00\n"+
		"x,31/02/2024,,a,,no,,,2024-06-01\n"+
		"y,1/02/2024,,a,,maybe,,,2024-06-01T10:00:00Z\n")
	recs, rejs := decodeAll(t, dec)
	if len(recs) != 2 {
		t.Fatalf("%d records, rejects %v", len(recs), rejs)
	}
	c := recs[0].Body.(*ingest.Case)
	if c.CaseNo != "(2024)浙0203刑初1号" || c.FiledAt != "2024-03-05" || c.ClosedAt != "2024-06-01" ||
		c.Title != "盗窃案 ()" || c.Summary != "no note" || !c.Sealed || c.District != "海曙区" {
		t.Errorf("case %+v", c)
	}
	if at := c.Source.At.Format(time.RFC3339); at != "2024-06-01T09:30:00+08:00" {
		t.Errorf("at %s", at)
	}
	j := recs[1].Body.(*ingest.Judgment)
	if j.TermMonths != 12 || j.Fine != 2000.5 || !j.Final || j.JudgmentID != "J- (2024)浙0203刑初1号 " || j.DecidedAt != "2024-06-01" {
		t.Errorf("judgment %+v", j)
	}
	var reasons []string
	for _, r := range rejs {
		reasons = append(reasons, r.Field+": "+r.Reason)
	}
	want := []string{
		`filedAt: column "Filed": "31/02/2024" is not a date of the form D/MM/YYYY`,
		`sealed: column "Sealed": "maybe" is not true or false (true/false, yes/no, 1/0, 是/否)`,
	}
	if !slices.Equal(reasons, want) {
		t.Errorf("rejects\n%s\nwant\n%s", strings.Join(reasons, "\n"), strings.Join(want, "\n"))
	}
}

func TestOnceAndWhen(t *testing.T) {
	m := mustParse(t, `columns: [Code, Kind, Name]
source:
  agency: {const: X1}
  system: {const: s}
  recordId: {column: Code}
  at: {const: "2024-01-01T00:00:00Z"}
skip:
  - when: {empty: Kind}
    reason: no kind
records:
  - type: agency
    once: true
    source: {recordId: {const: X1}}
    fields:
      code: {const: X1}
      name: {const: Agency X1}
      kind: {const: POLICE}
  - type: object
    when: {equals: {Kind: PHONE}, nonEmpty: Name}
    fields:
      kind: {column: Kind}
      value: {column: Code}
      label: {column: Name}
`)
	dec := decoder(t, m, "Code,Kind,Name\n"+
		"0,,\n"+ // skipped
		",PHONE,a\n"+ // the object is refused (no record id), so the row gives nothing, not even the agency
		"2,PHONE,b\n"+ // agency + object
		"3,VEHICLE,c\n"+ // nothing: the agency is done, the object's when is false
		"4,PHONE,d\n") // object
	recs, rejs := decodeAll(t, dec)
	var got []string
	for _, r := range recs {
		got = append(got, r.Type+":"+r.Source.RecordID)
	}
	if w := []string{"agency:X1", "object:2", "object:4"}; !slices.Equal(got, w) {
		t.Errorf("records %q, want %q", got, w)
	}
	if len(rejs) != 1 || rejs[0].Line != 3 || rejs[0].Type != "object" || rejs[0].Field != "source.recordId" {
		t.Errorf("rejects %v", rejs)
	}
	want := Stats{Rows: 5, Emitted: 2, Records: map[string]int{"agency": 1, "object": 2},
		Skipped: map[string]int{"no kind": 1}, Rejected: 1, Rejects: 1, NoRecord: 1}
	if s := dec.Stats(); !reflect.DeepEqual(s, want) || !s.Accounted() {
		t.Errorf("stats %+v\nwant %+v", s, want)
	}
}

// The fields a mapping may name are exactly those the JSON decoding of the
// record types accepts.
func TestSchemaMatchesRecordTypes(t *testing.T) {
	for _, typ := range ingest.Types {
		s, ok := schemas[typ]
		if !ok {
			t.Errorf("no schema for record type %s", typ)
			continue
		}
		var walk func(n *fieldNode, path []string)
		walk = func(n *fieldNode, path []string) {
			if n.kind != kObject {
				obj := map[string]any{"type": typ}
				var v any
				switch n.kind {
				case kString:
					v = "x"
				case kInt:
					v = 1
				case kFloat:
					v = 1.5
				case kBool:
					v = true
				}
				setPath(obj, path, v)
				line, _ := json.Marshal(obj)
				if _, rej := ingest.DecodeLine(line); rej != nil {
					t.Errorf("%s %s: %v", typ, strings.Join(path, "."), rej)
				}
				return
			}
			for k, c := range n.children {
				if len(path) == 0 && (k == "type" || k == "source") {
					continue
				}
				walk(c, append(slices.Clone(path), k))
			}
		}
		walk(s, nil)
	}
	// and DisallowUnknownFields still guards the decoding
	if _, rej := ingest.DecodeLine([]byte(`{"type":"case","colour":"red"}`)); rej == nil || rej.Field != "colour" {
		t.Errorf("unknown field not refused: %v", rej)
	}
}

// csvCounts counts a police.uk file independently of the mapping.
type csvCounts struct {
	rows, crimes, crimesWithPosition, noStage int
	outcomes                                  map[string]int
}

func countCSV(t *testing.T, path string) csvCounts {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range rows[0] {
		idx[h] = i
	}
	c := csvCounts{outcomes: map[string]int{}}
	for _, r := range rows[1:] {
		c.rows++
		if strings.TrimSpace(r[idx["Crime ID"]]) == "" {
			continue
		}
		c.crimes++
		c.outcomes[r[idx["Last outcome category"]]]++
		if r[idx["Latitude"]] != "" && r[idx["Longitude"]] != "" {
			c.crimesWithPosition++
		}
		if r[idx["Last outcome category"]] == "Status update unavailable" {
			c.noStage++
		}
	}
	return c
}

// TestPoliceUK maps the 12 monthly files of the City of London Police and
// checks every count against the CSVs read independently. The data README's
// monthly figures (January 797, May 226) count every row, anti-social
// behaviour included; the crimes are the rows with a Crime ID.
func TestPoliceUK(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(policeData, "*-city-of-london-street.csv"))
	if len(files) != 12 {
		if testing.Short() {
			t.Skipf("-short: %s has %d of the 12 police.uk files", policeData, len(files))
		}
		t.Fatalf("%s has %d of the 12 police.uk files; the shared data is missing (use -short to skip)", policeData, len(files))
	}
	sort.Strings(files)
	m := loadPolice(t)
	v := ingest.NewValidator(nil, time.Now())
	var total Stats
	total.Records, total.Skipped = map[string]int{}, map[string]int{}
	outcomes := map[string]int{}
	for _, path := range files {
		name := filepath.Base(path)
		want := countCSV(t, path)
		for o, n := range want.outcomes {
			outcomes[o] += n
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := m.NewDecoder(f, name)
		if err != nil {
			t.Fatal(err)
		}
		recs, rejs := decodeAll(t, dec)
		f.Close()
		for _, r := range rejs {
			t.Errorf("reject %v", r)
		}
		s := dec.(*Decoder).Stats()
		month := strings.TrimSuffix(name, "-city-of-london-street.csv")
		noStage := 0
		for _, r := range recs {
			if r.Source.At.Format("2006-01") != month {
				t.Errorf("%s: record %s at %s", name, r.Source.RecordID, r.Source.At)
			}
			if _, rej := v.Check(r); rej != nil {
				rej.File = name
				t.Errorf("the validator refuses %v", rej)
			}
			if c, ok := r.Body.(*ingest.Case); ok && c.Stage == "" {
				noStage++
			}
		}
		wantRecords := map[string]int{"agency": 1, "case": want.crimes, "location": want.crimesWithPosition, "link": want.crimesWithPosition}
		if !reflect.DeepEqual(s.Records, wantRecords) || len(recs) != s.RecordsTotal() {
			t.Errorf("%s: records %v (%d items), want %v", name, s.Records, len(recs), wantRecords)
		}
		if s.Rows != want.rows || s.Emitted != want.crimes || s.SkippedRows() != want.rows-want.crimes ||
			s.Rejected != 0 || s.NoRecord != 0 || !s.Accounted() {
			t.Errorf("%s: stats %v; the CSV has %d rows, %d with a Crime ID", name, s, want.rows, want.crimes)
		}
		if len(s.Skipped) > 1 {
			t.Errorf("%s: skip reasons %v", name, s.Skipped)
		}
		if noStage != want.noStage {
			t.Errorf("%s: %d cases without stage, want %d (Status update unavailable)", name, noStage, want.noStage)
		}
		t.Logf("%s: %d rows = %d crimes (case records) + %d skipped; %d located (location and link records)", name, s.Rows, s.Records["case"], s.SkippedRows(), s.Records["location"])
		total.Rows += s.Rows
		total.Emitted += s.Emitted
		for k, n := range s.Records {
			total.Records[k] += n
		}
		for k, n := range s.Skipped {
			total.Skipped[k] += n
		}
	}
	t.Logf("12 files: %v", total)
	var names []string
	for o := range outcomes {
		names = append(names, o)
	}
	sort.Strings(names)
	t.Logf("%d outcomes of crimes, each mapped: %q", len(names), names)
}

// The complete example of docs/ingest-csv-mapping.md parses and does what
// the document says.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	block := func(marker, lang string) string {
		re := regexp.MustCompile("(?s)<!-- " + marker + " -->\\s*```" + lang + "\n(.*?)```")
		mm := re.FindSubmatch(doc)
		if mm == nil {
			t.Fatalf("no %s block marked %q in %s", lang, marker, docPath)
		}
		return string(mm[1])
	}
	m := mustParse(t, block("example", "yaml"))
	d, err := m.NewDecoder(strings.NewReader(block("example", "csv")), "cases.csv")
	if err != nil {
		t.Fatal(err)
	}
	dec := d.(*Decoder)
	v := ingest.NewValidator(nil, time.Now())
	var got strings.Builder
	for {
		it, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if it.Reject != nil {
			b, _ := json.Marshal(it.Reject)
			got.WriteString(string(b) + "\n")
			continue
		}
		if _, rej := v.Check(it.Record); rej != nil {
			t.Errorf("the validator refuses %v", rej)
		}
		got.WriteString(string(it.Record.Raw) + "\n")
	}
	if want := block("example output", "json"); got.String() != want {
		t.Errorf("the example gives\n%s\nthe document says\n%s", got.String(), want)
	}
	stats, _ := json.Marshal(dec.Stats())
	if want := strings.TrimSpace(block("example stats", "json")); string(stats) != want {
		t.Errorf("stats %s, the document says %s", stats, want)
	}
}

func FuzzDecoder(f *testing.F) {
	m := loadPolice(f)
	f.Add([]byte(policeHeader))
	f.Add([]byte(policeHeader +
		"abc123,2020-01,City of London Police,City of London Police,-0.106453,51.518207,On or near Charterhouse Street,E01000916,Camden 027B,Theft from the person,Investigation complete; no suspect identified,\n" +
		",2020-01,City of London Police,City of London Police,-0.097562,51.511927,On or near Queen Victoria Street,E01032739,City of London 001F,Anti-social behaviour,,\n" +
		"def456,2020-13,City of London Police,City of London Police,,,No Location,,,Drugs,Mystery,\n" +
		"\"q\"\"x\",2020-02,Metropolitan Police Service,x,1e999,NaN,\"a\nb\",c,d,e,Under investigation,ctx\n"))
	f.Add([]byte("\uFEFF" + policeHeader + "a,b\n\"unterminated,2020-01\n"))
	f.Add([]byte("Crime ID;Month\n1;2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := m.NewDecoder(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		dec := d.(*Decoder)
		nrec, nrej := 0, 0
		for i := 0; ; i++ {
			if i > 4*len(data)+8 {
				t.Fatalf("no end after %d items", i)
			}
			it, err := dec.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err) // only a row over MaxRowBytes fails, and inputs are smaller
			}
			if (it.Record == nil) == (it.Reject == nil) || it.Line < 2 || it.File != "fuzz.csv" {
				t.Fatalf("item %+v", it)
			}
			if it.Record != nil {
				nrec++
				if _, err := json.Marshal(it.Record.Body); err != nil {
					t.Fatal(err)
				}
			} else {
				nrej++
				if it.Reject.Reason == "" {
					t.Fatalf("reject without reason %+v", it.Reject)
				}
			}
		}
		s := dec.Stats()
		if !s.Accounted() || s.RecordsTotal() != nrec || s.Rejects != nrej {
			t.Fatalf("stats %+v, %d records %d rejects", s, nrec, nrej)
		}
	})
}
