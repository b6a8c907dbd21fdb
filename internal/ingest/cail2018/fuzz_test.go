package cail2018

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/ingest"
)

// FuzzDecodeLine feeds arbitrary lines to the line decoder: it must not
// panic; a line of valid JSON gives records or a reject, never both and
// never neither; and every record it gives is a canonical record that the
// NDJSON decoder reads back. The seeds are made up (no real records), so
// the corpus the fuzzer writes under testdata/fuzz holds no data set text.
func FuzzDecodeLine(f *testing.F) {
	for _, s := range []string{
		`{"fact":"某市某区人民检察院指控：被告人甲某盗窃。","meta":{"relevant_articles":[264],"accusation":["盗窃"],"punish_of_money":1000,"criminals":["甲某"],"term_of_imprisonment":{"death_penalty":false,"imprisonment":6,"life_imprisonment":false}}}`,
		`{"fact":"某某中级人民法院审理某市人民检察院指控被告人乙×1犯××罪一案","meta":{"relevant_articles":[347,357],"accusation":["[走私、贩卖、运输、制造]毒品","容留他人吸毒"],"punish_of_money":0,"criminals":["乙×1","丙某某"],"term_of_imprisonment":{"death_penalty":true,"imprisonment":0,"life_imprisonment":false}}}`,
		`{"fact":"经审理查明，自诉人丁某与被告人戊某相邻。","meta":{"relevant_articles":[234],"accusation":["故意伤害"],"punish_of_money":0,"criminals":["戊某"],"term_of_imprisonment":{"death_penalty":false,"imprisonment":-1,"life_imprisonment":false}}}`,
		`{"fact":"北京市人民检察院第一分院起诉书指控：","meta":{"criminals":["己某"],"accusation":[]}}`,
		`{"fact":"x"}`,
		`{"fact":"x","meta":{"criminals":[""]}}`,
		`[]`,
		`null`,
		`{"fact":`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d := newDecoder(bytes.NewReader(nil), "fuzz")
		d.line = 7
		recs, rej := d.decodeLine(line)
		if recs != nil && rej != nil {
			t.Fatalf("both records and a reject")
		}
		if json.Valid(line) && recs == nil && rej == nil {
			t.Fatalf("valid JSON gave neither records nor a reject")
		}
		if rej != nil && (rej.Reason == "" || rej.Line != 7 || rej.File != "fuzz") {
			t.Fatalf("reject without reason or place: %+v", *rej)
		}
		for _, rec := range recs {
			if rec.Source.Agency == "" || rec.Source.RecordID == "" || rec.Source.System != System {
				t.Fatalf("%s record without source: %+v", rec.Type, rec.Source)
			}
			b, err := json.Marshal(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			back, r := ingest.DecodeLine(b)
			if r != nil {
				t.Fatalf("%s record does not read back: %s: %s", rec.Type, r.Field, r.Reason)
			}
			if back.Type != rec.Type {
				t.Fatalf("type %s read back as %s", rec.Type, back.Type)
			}
			if c, ok := rec.Body.(*ingest.Case); ok && c.Summary != "" {
				if _, err := ident.ParseCourtCaseNo(c.CaseNo); err != nil {
					t.Fatalf("court case number %q: %v", c.CaseNo, err)
				}
			}
		}
	})
}
