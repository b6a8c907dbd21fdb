package ingest

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func items(t *testing.T, input string) []Item {
	t.Helper()
	d := NewNDJSONDecoder(strings.NewReader(input), "in.ndjson")
	var out []Item
	for {
		it, err := d.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
}

const okCase = `{"type":"case","source":{"agency":"A","system":"s","recordId":"r1","at":"2024-01-01T00:00:00Z"},"caseNo":"X1"}`

func TestBadInputIsRefusedLineByLine(t *testing.T) {
	gbk := []byte(`{"type":"case","source":{"agency":"A","system":"s","recordId":"r2","at":"2024-01-01T00:00:00Z"},"caseNo":"X2","title":"`)
	gbk = append(gbk, 0xb5, 0xc1, 0xc7, 0xd4) // 盗窃 in GBK
	gbk = append(gbk, []byte(`"}`)...)
	long := `{"type":"case","summary":"` + strings.Repeat("长", 4<<20) + `"}` // 12 MB
	input := strings.Join([]string{
		okCase,
		`{"type":"case",`,
		string(gbk),
		long,
		`{"type":"verdict","source":{}}`,
		`{"source":{}}`,
		`{"type":"case","source":{"agency":"A","system":"s","recordId":"r3","at":"2024-01-01T00:00:00Z"},"caseNo":"X3","colour":"red"}`,
		`{"type":"case","source":{"agency":"A","system":"s","recordId":"r4","at":"yesterday"},"caseNo":"X4"}`,
		`{"type":"case","source":{"agency":"A","system":"s","recordId":"r5","at":"2024-01-01T00:00:00Z"},"caseNo":5}`,
		``,
		okCase,
	}, "\n")
	got := items(t, input)
	want := []struct {
		line   int
		ok     bool
		field  string
		reason string
	}{
		{1, true, "", ""},
		{2, false, "", "malformed JSON"},
		{3, false, "", "not valid UTF-8"},
		{4, false, "", "longer than"},
		{5, false, "type", `unknown type "verdict"`},
		{6, false, "type", "missing"},
		{7, false, "colour", "unknown field"},
		{8, false, "source.at", "RFC 3339"},
		{9, false, "caseNo", "must be a string"},
		{11, true, "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d items, want %d", len(got), len(want))
	}
	for i, w := range want {
		it := got[i]
		if it.Line != w.line || (it.Record != nil) != w.ok {
			t.Errorf("item %d: line %d ok=%v, want line %d ok=%v (%+v)", i, it.Line, it.Record != nil, w.line, w.ok, it.Reject)
			continue
		}
		if !w.ok && (it.Reject.Field != w.field || !strings.Contains(it.Reject.Reason, w.reason) || it.Reject.File != "in.ndjson") {
			t.Errorf("line %d: %+v, want field %q reason containing %q", w.line, it.Reject, w.field, w.reason)
		}
	}
}

func TestValidation(t *testing.T) {
	v := NewValidator(map[string]string{"GA": "POLICE", "FY": "COURT"}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	src := `"source":{"agency":"GA","system":"s","recordId":"r","at":"2024-01-01T00:00:00Z"}`
	fy := `"source":{"agency":"FY","system":"s","recordId":"r","at":"2024-01-01T00:00:00Z"}`
	tests := []struct {
		line, field, reason string
	}{
		{`{"type":"case",` + src + `,"caseNo":"A1","stage":"INVESTIGATING","filedAt":"2024-01-02"}`, "", ""},
		{`{"type":"case",` + src + `}`, "caseNo", "missing"},
		{`{"type":"case",` + src + `,"caseNo":"A1","filedAt":"2024-02-30"}`, "filedAt", "not a date"},
		{`{"type":"case",` + src + `,"caseNo":"A1","filedAt":"2024-02-01","closedAt":"2024-01-01"}`, "closedAt", "before filedAt"},
		{`{"type":"case",` + src + `,"caseNo":"A1","filedAt":"2030-01-01"}`, "filedAt", "not plausible"},
		{`{"type":"case",` + fy + `,"caseNo":"(2024)浙0203刑初12号"}`, "", ""},
		{`{"type":"case",` + fy + `,"caseNo":"(2024)浙0203民初12号"}`, "caseNo", "criminal"},
		{`{"type":"case","source":{"agency":"ZZ","system":"s","recordId":"r","at":"2024-01-01T00:00:00Z"},"caseNo":"A"}`, "source.agency", "unknown agency"},
		{`{"type":"case",` + src + `,"agency":"ZZ","caseNo":"A"}`, "agency", "unknown agency"},
		{`{"type":"case","source":{"agency":"GA","system":"s","recordId":"","at":"2024-01-01T00:00:00Z"},"caseNo":"A"}`, "source.recordId", "missing"},
		{`{"type":"person",` + src + `,"ref":"p","name":"张三","idNumber":"330203199001011235"}`, "idNumber", "check digit"},
		{`{"type":"person",` + src + `,"ref":"p","name":"张三","idNumber":"330203199001011236","birthDate":"1990-01-02"}`, "birthDate", "disagrees"},
		{`{"type":"person",` + src + `,"ref":"p","name":"张三","idNumber":"330203199001011236","gender":"F"}`, "gender", "disagrees"},
		{`{"type":"person",` + src + `,"name":"张三"}`, "ref", "identity number"},
		{`{"type":"party",` + src + `,"case":{"caseNo":"A1"},"person":{"ref":"p"},"role":"JUDGE"}`, "role", "not a role"},
		{`{"type":"charge",` + src + `,"case":{"caseNo":"A1"},"person":{"ref":"p"}}`, "offense", "missing"},
		{`{"type":"handover",` + src + `,"handoverId":"h","kind":"PROSECUTION","from":{"caseNo":"A1"},"sentAt":"2024-01-01","status":"ACCEPTED"}`, "to", "names the receiving case"},
		{`{"type":"handover",` + src + `,"handoverId":"h","kind":"TELEPORT","from":{"caseNo":"A1"},"sentAt":"2024-01-01"}`, "kind", "not a handover type"},
		{`{"type":"handover",` + src + `,"handoverId":"h","kind":"PROSECUTION","from":{"caseNo":"A1"},"sentAt":"2024-01-02","receivedAt":"2024-01-01","to":{"caseNo":"A2"}}`, "receivedAt", "before sentAt"},
		{`{"type":"decision",` + src + `,"decisionId":"d","case":{"caseNo":"A1"},"kind":"批准逮捕","decidedAt":"2024-01-01"}`, "", ""},
		{`{"type":"decision",` + src + `,"decisionId":"d","case":{"caseNo":"A1"},"kind":"NOT_PROSECUTE","subtype":"随便","decidedAt":"2024-01-01"}`, "subtype", "不起诉"},
		{`{"type":"measure",` + src + `,"measureId":"m","case":{"caseNo":"A1"},"person":{"ref":"p"},"kind":"软禁","from":"2024-01-01"}`, "kind", "not a custody measure"},
		{`{"type":"judgment",` + src + `,"judgmentId":"j","case":{"caseNo":"A1"},"person":{"ref":"p"},"verdict":"MAYBE","decidedAt":"2024-01-01"}`, "verdict", "GUILTY"},
		{`{"type":"object",` + src + `,"kind":"SPACESHIP","value":"x"}`, "kind", "not an object kind"},
		{`{"type":"link",` + src + `,"kind":"USES","from":{"person":{"ref":"p"}},"to":{"case":{"caseNo":"A1"}}}`, "to", "Person→Object"},
		{`{"type":"link",` + src + `,"kind":"LOVES","from":{"person":{"ref":"p"}},"to":{"person":{"ref":"q"}}}`, "kind", "not a link kind"},
		{`{"type":"link",` + src + `,"kind":"KNOWS","from":{"person":{"ref":"p"},"case":{"caseNo":"A1"}},"to":{"person":{"ref":"q"}}}`, "from", "exactly one"},
		{`{"type":"location",` + src + `,"locationId":"l","lat":95,"lon":0}`, "lat", "not a position"},
		{`{"type":"agency",` + src + `,"code":"GA","name":"x","kind":"COURT"}`, "kind", "already known as POLICE"},
	}
	for _, tt := range tests {
		rec, rej := DecodeLine([]byte(tt.line))
		if rej != nil {
			t.Errorf("%s: decode: %+v", tt.line, rej)
			continue
		}
		_, rej = v.Check(rec)
		switch {
		case tt.field == "" && rej != nil:
			t.Errorf("%s: refused: %+v", tt.line, rej)
		case tt.field != "" && (rej == nil || rej.Field != tt.field || !strings.Contains(rej.Reason, tt.reason)):
			t.Errorf("%s: got %+v, want field %q reason containing %q", tt.line, rej, tt.field, tt.reason)
		}
	}
}

func TestOffenseName(t *testing.T) {
	for in, want := range map[string]string{
		"盗窃":  "盗窃罪",
		"盗窃罪": "盗窃罪",
		"[走私、贩卖、运输、制造]毒品": "走私、贩卖、运输、制造毒品罪",
		" 诈骗 ": "诈骗罪",
	} {
		if got := OffenseName(in); got != want {
			t.Errorf("OffenseName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecodeLine: no input panics; a decoded record validates or is refused
// with a field or a reason, never both empty.
func FuzzDecodeLine(f *testing.F) {
	f.Add([]byte(okCase))
	f.Add([]byte(`{"type":"link","source":{"agency":"A","system":"s","recordId":"r","at":"2024-01-01T00:00:00Z"},"kind":"KNOWS","from":{"person":{"ref":"p"}},"to":{"person":{"idNumber":"330203199001011236"}}}`))
	f.Add([]byte(`{"type":"handover","source":{"agency":"A","system":"s","recordId":"r","at":"2024-01-01T00:00:00Z"},"from":{"caseNo":"1"},"to":{"agency":"C","caseNo":"(2024)浙0203刑初1号"}}`))
	f.Add([]byte{0xff, 0xfe, '{'})
	v := NewValidator(map[string]string{"A": "POLICE", "C": "COURT"}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, rej := DecodeLine(line)
		if (rec == nil) == (rej == nil) {
			t.Fatalf("DecodeLine gave record %v and reject %v", rec, rej)
		}
		if rej != nil {
			if rej.Reason == "" {
				t.Fatal("reject without a reason")
			}
			return
		}
		if !bytes.Equal(rec.Raw, line) {
			t.Fatal("Raw is not the line")
		}
		if _, rej := v.Check(rec); rej != nil && rej.Reason == "" {
			t.Fatal("validation reject without a reason")
		}
	})
}
