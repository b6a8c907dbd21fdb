package pole

import (
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
)

// dataDir is ../shared/data/neo4j-pole/csv beside the checkout. Without it
// the tests fail, unless -short is given.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "data", "neo4j-pole", "csv")
	if _, err := os.Stat(dir); err != nil {
		if testing.Short() {
			t.Skipf("shared data missing (%v); skipped with -short", err)
		}
		t.Fatalf("shared data missing: %v (run with -short to skip)", err)
	}
	return dir
}

// census is what the test reads from the CSVs by itself: rows per file and
// per :LABEL / :TYPE, and each crime's date.
type census struct {
	files  map[string]int
	labels map[string]int
	dates  map[string]string // crime id (police.uk) → date as written
}

func readCensus(t *testing.T, dir string) census {
	t.Helper()
	c := census{files: map[string]int{}, labels: map[string]int{}, dates: map[string]string{}}
	paths, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no CSVs in %s: %v", dir, err)
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		header := rows[0]
		col := func(name string) int {
			for i, h := range header {
				if h == name {
					return i
				}
			}
			return -1
		}
		lc := col(":LABEL")
		if lc < 0 {
			lc = col(":TYPE")
		}
		if lc < 0 {
			t.Fatalf("%s: no :LABEL or :TYPE column", p)
		}
		name := filepath.Base(p)
		c.files[name] = len(rows) - 1
		for _, r := range rows[1:] {
			c.labels[r[lc]]++
			if r[lc] == "Crime" {
				c.dates[r[col("id")]] = r[col("date")]
			}
		}
	}
	return c
}

func decodeAll(t *testing.T, dec ingest.Decoder) []ingest.Item {
	t.Helper()
	var items []ingest.Item
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return items
		}
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
}

func TestPOLE(t *testing.T) {
	dir := dataDir(t)
	want := readCensus(t, dir)
	dec, err := NewDecoder(dir)
	if err != nil {
		t.Fatal(err)
	}
	items := decodeAll(t, dec)
	stats := dec.(*Decoder).Stats()

	v := ingest.NewValidator(nil, time.Now())
	byType, objects, links := map[string]int{}, map[string]int{}, map[string]int{}
	refusals, rejects := map[string]int{}, 0
	for i, it := range items {
		if it.Reject != nil {
			rejects++
			t.Errorf("reject %s:%d %s: %s", it.File, it.Line, it.Reject.Field, it.Reject.Reason)
			continue
		}
		rec := it.Record
		if i == 0 && rec.Type != ingest.TypeAgency {
			t.Fatalf("first record is a %s, not the agency", rec.Type)
		}
		byType[rec.Type]++
		switch b := rec.Body.(type) {
		case *ingest.Object:
			objects[b.Kind]++
		case *ingest.Link:
			links[b.Kind]++
		case *ingest.Case:
			// The test's own reading of d/m/yyyy and dd/mm/yyyy.
			var d, m, y int
			if _, err := fmt.Sscanf(want.dates[b.CaseNo], "%d/%d/%d", &d, &m, &y); err != nil {
				t.Fatalf("crime %s: date %q", b.CaseNo, want.dates[b.CaseNo])
			}
			if w := fmt.Sprintf("%04d-%02d-%02d", y, m, d); b.FiledAt != w {
				t.Errorf("crime %s: filedAt %s, the file says %s", b.CaseNo, b.FiledAt, w)
			}
			if b.Stage == "" {
				t.Errorf("crime %s: no stage", b.CaseNo)
			}
		}
		if _, rej := v.Check(rec); rej != nil {
			key := rec.Type + "." + rej.Field
			if refusals[key]++; refusals[key] == 1 {
				t.Errorf("%s:%d: the validator refuses %s %s: %s: %s", it.File, it.Line, rec.Type, rec.Source.RecordID, rej.Field, rej.Reason)
			}
		}
	}

	l := want.labels
	checks := []struct {
		what      string
		got, want int
	}{
		{"persons (Person and Officer)", byType[ingest.TypePerson], l["Person"] + l["Officer"]},
		{"cases (Crime)", byType[ingest.TypeCase], l["Crime"]},
		{"locations", byType[ingest.TypeLocation], l["Location"]},
		{"phones", objects["PHONE"], l["Phone"]},
		{"emails", objects["EMAIL"], l["Email"]},
		{"vehicles", objects["VEHICLE"], l["Vehicle"]},
		{"evidence objects", objects["OTHER"], l["Object"]},
		{"KNOWS links", links["KNOWS"], l["KNOWS"] + l["KNOWS_LW"] + l["KNOWS_SN"] + l["KNOWS_PHONE"]},
		{"FAMILY links", links["FAMILY"], l["FAMILY_REL"]},
		{"USES links", links["USES"], l["HAS_PHONE"] + l["HAS_EMAIL"]},
		{"LIVES_AT links", links["LIVES_AT"], l["CURRENT_ADDRESS"]},
		{"OCCURRED_AT links", links["OCCURRED_AT"], l["OCCURRED_AT"]},
		{"INVOLVES links", links["INVOLVES"], l["INVOLVED_IN"]},
		{"INVESTIGATED_BY links", links["INVESTIGATED_BY"], l["INVESTIGATED_BY"]},
		{"parties", byType[ingest.TypeParty], l["PARTY_TO"]},
		{"agencies", byType[ingest.TypeAgency], 1},
		{"skipped phone call rows", stats.Skipped[SkipPhoneCall], l["PhoneCall"] + l["CALLER"] + l["CALLED"]},
		{"skipped postcode and area rows", stats.Skipped[SkipPostcode], l["PostCode"] + l["Area"] + l["HAS_POSTCODE"] + l["LOCATION_IN_AREA"] + l["POSTCODE_IN_AREA"]},
		{"unknown outcomes", stats.UnknownOutcomes, 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %d, the files have %d", c.what, c.got, c.want)
		}
	}

	// Every row is accounted for: mapped to one record, skipped for a
	// reason, or refused.
	rows, mapped, skipped, rejected := 0, 0, 0, 0
	for name, n := range want.files {
		fs := stats.Files[name]
		if fs.Rows != n {
			t.Errorf("%s: read %d rows, the file has %d", name, fs.Rows, n)
		}
		if fs.Mapped+fs.Skipped+fs.Rejected != fs.Rows {
			t.Errorf("%s: %d rows but %d mapped + %d skipped + %d rejected", name, fs.Rows, fs.Mapped, fs.Skipped, fs.Rejected)
		}
		rows, mapped, skipped, rejected = rows+fs.Rows, mapped+fs.Mapped, skipped+fs.Skipped, rejected+fs.Rejected
	}
	if len(stats.Files) != len(want.files) {
		t.Errorf("read %d files, the directory has %d", len(stats.Files), len(want.files))
	}
	total := 0
	for _, n := range byType {
		total += n
	}
	sumSkipped := 0
	for _, n := range stats.Skipped {
		sumSkipped += n
	}
	if total != mapped+1 || sumSkipped != skipped || rejects != rejected {
		t.Errorf("%d records for %d mapped rows (+1 agency); %d skipped by reason, %d by file; %d reject items, %d rejected rows",
			total, mapped, sumSkipped, skipped, rejects, rejected)
	}
	for typ, n := range byType {
		if stats.Records[typ] != n {
			t.Errorf("stats: %d %s records, items have %d", stats.Records[typ], typ, n)
		}
	}
	t.Logf("%d files, %d rows: %d mapped, %d skipped, %d rejected", len(want.files), rows, mapped, skipped, rejected)
	t.Logf("records %v; objects %v; links %v", byType, objects, links)
	reasons := make([]string, 0, len(stats.Skipped))
	for r := range stats.Skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		t.Logf("skipped %d: %.60s…", stats.Skipped[r], r)
	}
}

func TestDeterministic(t *testing.T) {
	dir := dataDir(t)
	sum := func() [32]byte {
		dec, err := NewDecoder(dir)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		enc := ingest.NewEncoder(h)
		for _, it := range decodeAll(t, dec) {
			fmt.Fprintf(h, "%s:%d ", it.File, it.Line)
			if it.Record != nil {
				if err := enc.Encode(it.Record.Body); err != nil {
					t.Fatal(err)
				}
			} else {
				fmt.Fprintf(h, "%+v\n", *it.Reject)
			}
			if err := enc.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		var s [32]byte
		copy(s[:], h.Sum(nil))
		return s
	}
	if a, b := sum(), sum(); a != b {
		t.Errorf("two decodings differ: %x, %x", a, b)
	}
}

// TestRejects runs the decoder on made-up files with bad rows.
func TestRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("x.nodes.Person.csv", ":ID,surname,nhs_no,name,age,:LABEL\n"+
		"1,Smith,000,Ann,,Person\n"+ // line 2: fine
		"2,,001,,,Person\n"+ // 3: no name
		"1,Jones,002,Bob,,Person\n"+ // 4: duplicate id
		",Doe,003,Jo,,Person\n"+ // 5: no id
		"9,Roe,004\n") // 6: too few fields
	write("x.nodes.Crime.csv", ":ID,date,id,type,last_outcome,note,charge,:LABEL\n"+
		"10,5/08/2017,c10,Drugs,Under investigation,,,Crime\n"+ // 2: fine, d/mm/yyyy
		"11,31/02/2017,c11,Drugs,Under investigation,,,Crime\n"+ // 3: no such day
		"12,2017-08-05,c12,Drugs,Under investigation,,,Crime\n"+ // 4: wrong form
		"13,05/08/2017,,Drugs,Under investigation,,,Crime\n"+ // 5: no crime id
		"14,05/08/2017,c14,Drugs,Something new,,,Crime\n"+ // 6: unknown outcome: no stage, not refused
		"15,06/08/2017,c10,Drugs,Under investigation,,,Crime\n") // 7: crime id of line 2
	write("x.nodes.Location.csv", ":ID,latitude:double,postcode,longitude:double,address,:LABEL\n"+
		"20,53.5,WN3 4NL,-2.6,1 Road,Location\n"+
		"21,north,WN3 4NL,-2.6,2 Road,Location\n")
	write("x.nodes.Thing.csv", ":ID,name,:LABEL\n30,thing,Thing\n")
	write("x.relationships.PARTY_TO.csv", ":START_ID,:END_ID,:TYPE\n"+
		"1,10,PARTY_TO\n"+ // 2: fine
		"2,10,PARTY_TO\n"+ // 3: refused person
		"1,11,PARTY_TO\n"+ // 4: refused crime
		"1,99,PARTY_TO\n"+ // 5: no such node
		"10,1,PARTY_TO\n") // 6: wrong way round
	write("x.relationships.MENTIONS.csv", ":START_ID,:END_ID,:TYPE\n1,30,MENTIONS\n")
	write("x.relationships.CURRENT_ADDRESS.csv", ":START_ID,:END_ID,:TYPE\n1,20,CURRENT_ADDRESS\n1,21,CURRENT_ADDRESS\n")

	dec, err := NewDecoder(dir)
	if err != nil {
		t.Fatal(err)
	}
	items := decodeAll(t, dec)
	type at struct {
		file string
		line int
	}
	got := map[at]ingest.Item{}
	for _, it := range items {
		got[at{it.File, it.Line}] = it
	}
	wantRejects := map[at]string{ // → field
		{"x.nodes.Person.csv", 3}:                  "name",
		{"x.nodes.Person.csv", 4}:                  ":ID",
		{"x.nodes.Person.csv", 5}:                  ":ID",
		{"x.nodes.Person.csv", 6}:                  "",
		{"x.nodes.Crime.csv", 3}:                   "date",
		{"x.nodes.Crime.csv", 4}:                   "date",
		{"x.nodes.Crime.csv", 5}:                   "id",
		{"x.nodes.Crime.csv", 7}:                   "id",
		{"x.nodes.Location.csv", 3}:                "latitude",
		{"x.relationships.PARTY_TO.csv", 3}:        ":START_ID",
		{"x.relationships.PARTY_TO.csv", 4}:        ":END_ID",
		{"x.relationships.PARTY_TO.csv", 5}:        ":END_ID",
		{"x.relationships.PARTY_TO.csv", 6}:        ":START_ID",
		{"x.relationships.CURRENT_ADDRESS.csv", 3}: ":END_ID",
	}
	for k, field := range wantRejects {
		it, ok := got[k]
		if !ok || it.Reject == nil {
			t.Errorf("%s:%d: want a reject of %q, got %+v", k.file, k.line, field, it)
			continue
		}
		if it.Reject.Field != field || it.Reject.File != k.file || it.Reject.Line != k.line || it.Reject.Reason == "" {
			t.Errorf("%s:%d: reject %+v, want field %q", k.file, k.line, *it.Reject, field)
		}
	}
	for _, k := range []at{{"x.nodes.Person.csv", 2}, {"x.nodes.Crime.csv", 2}, {"x.nodes.Crime.csv", 6}, {"x.nodes.Location.csv", 2},
		{"x.relationships.PARTY_TO.csv", 2}, {"x.relationships.CURRENT_ADDRESS.csv", 2}} {
		if it := got[k]; it.Record == nil {
			t.Errorf("%s:%d: no record", k.file, k.line)
		}
	}
	if c, ok := got[at{"x.nodes.Crime.csv", 2}].Record.Body.(*ingest.Case); !ok || c.FiledAt != "2017-08-05" || c.Stage != "INVESTIGATING" {
		t.Errorf("crime 10: %+v", got[at{"x.nodes.Crime.csv", 2}].Record.Body)
	}
	stats := dec.(*Decoder).Stats()
	if stats.Skipped[SkipLabel+" Thing"] != 1 || stats.Skipped[SkipType+" MENTIONS"] != 1 || stats.UnknownOutcomes != 1 {
		t.Errorf("stats: %+v", stats)
	}
	for name, fs := range stats.Files {
		if fs.Mapped+fs.Skipped+fs.Rejected != fs.Rows {
			t.Errorf("%s: %+v does not add up", name, fs)
		}
	}
	if fs := stats.Files["x.nodes.Person.csv"]; fs.Rows != 5 || fs.Rejected != 4 || fs.Mapped != 1 {
		t.Errorf("Person file: %+v", fs)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"24/08/2017": "2017-08-24", "5/08/2017": "2017-08-05", "1/1/2017": "2017-01-01", "": "",
	} {
		if got, err := parseDate(in); err != nil || got != want {
			t.Errorf("parseDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"29/02/2017", "32/01/2017", "08/2017", "24/08/17", "+1/08/2017", "a/08/2017", "24-08-2017"} {
		if got, err := parseDate(in); err == nil {
			t.Errorf("parseDate(%q) = %q, want an error", in, got)
		}
	}
}

func TestNewDecoderErrors(t *testing.T) {
	if _, err := NewDecoder(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing directory: no error")
	}
	if _, err := NewDecoder(t.TempDir()); err == nil {
		t.Error("no CSVs: no error")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.csv"), []byte("name,age\nx,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewDecoder(dir); err == nil || !strings.Contains(err.Error(), "a.csv") {
		t.Errorf("a CSV of no import style: %v", err)
	}
}
