package cail2018

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/ingest"
)

// dataDir is ../shared/data beside the checkout. Without it the tests fail,
// unless -short is given.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, "cail2018", "facts.jsonl")); err != nil {
		if testing.Short() {
			t.Skipf("shared data missing (%v); skipped with -short", err)
		}
		t.Fatalf("shared data missing: %v (run with -short to skip)", err)
	}
	return dir
}

// expected is what the test reads from facts.jsonl by itself.
type expected struct {
	lines, valid, private, unnamed int
	criminals, charges             int
	procuratorates                 map[string]bool
	articles                       map[int][]int // line → relevant_articles
	offenseNames                   []string
}

// The test's own reading of the leading procuratorate (written apart from
// parseAgencies): skip an optional "<…>法院审理", take the text up to the
// first 检察院 plus an optional 分院 suffix, accept it when it has no
// punctuation but brackets, no words of a sentence, and 指控 or 诉 follows.
var (
	testCourt  = regexp.MustCompile(`^\p{Han}+?法院审理`)
	testProc   = regexp.MustCompile(`^(.{1,40}?)检察院((?:第[一二三四五六七八九十]+|\p{Han}{2,8}?铁路运输)分院)?(.{0,30})`)
	testParen  = regexp.MustCompile(`（[^）]*）|\([^)]*\)`)
	testPlaceC = regexp.MustCompile(`^[\p{Han}0-9×（）()]+$`)
)

func testProcuratorate(fact string) string {
	s := strings.TrimPrefix(strings.TrimSpace(fact), "公诉机关")
	if loc := testCourt.FindStringIndex(s); loc != nil && !strings.Contains(s[:loc[1]], "检察院") {
		s = s[loc[1]:]
	}
	m := testProc.FindStringSubmatch(s)
	if m == nil || !testPlaceC.MatchString(m[1]) {
		return ""
	}
	for _, w := range []string{"被告", "审理", "指控", "查明", "法院", "机关"} {
		if strings.Contains(m[1], w) {
			return ""
		}
	}
	if !strings.Contains(m[3], "指控") && !strings.Contains(m[3], "诉") {
		return ""
	}
	place := strings.TrimSuffix(testParen.ReplaceAllString(m[1], ""), "人民")
	if place == "" || strings.ContainsAny(place, "（）()") {
		return ""
	}
	return place + "人民检察院" + m[2]
}

func readExpected(t *testing.T, path string) expected {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e := expected{procuratorates: map[string]bool{}, articles: map[int][]int{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		e.lines++
		var v struct {
			Fact string `json:"fact"`
			Meta struct {
				Accusation []string `json:"accusation"`
				Articles   []int    `json:"relevant_articles"`
				Criminals  []string `json:"criminals"`
			} `json:"meta"`
		}
		if json.Unmarshal(sc.Bytes(), &v) != nil || strings.TrimSpace(v.Fact) == "" || len(v.Meta.Criminals) == 0 {
			continue
		}
		e.valid++
		e.articles[e.lines] = v.Meta.Articles
		offenses := map[string]bool{}
		for _, a := range v.Meta.Accusation {
			a = strings.NewReplacer("[", "", "]", "").Replace(a)
			if !strings.HasSuffix(a, "罪") {
				a += "罪"
			}
			offenses[a] = true
			e.offenseNames = append(e.offenseNames, a)
		}
		e.criminals += len(v.Meta.Criminals)
		e.charges += len(v.Meta.Criminals) * len(offenses)
		switch p := testProcuratorate(v.Fact); {
		case p != "":
			e.procuratorates[p] = true
		case strings.Contains(v.Fact, "自诉人") && !strings.Contains(v.Fact, "公诉"):
			e.private++
		default:
			e.unnamed++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return e
}

// decodeAll reads every item; it fails the test on a job error.
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

func TestFacts(t *testing.T) {
	path := filepath.Join(dataDir(t), "cail2018", "facts.jsonl")
	want := readExpected(t, path)

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := NewDecoder(f, "facts.jsonl")
	items := decodeAll(t, dec)
	stats := dec.(*Decoder).Stats()

	v := ingest.NewValidator(nil, time.Now())
	kinds := map[string]string{}   // agency code → kind
	procNames := map[string]bool{} // procuratorate names emitted
	courtCases, prosCases := 0, 0  // by the kind of the case's agency
	byType := map[string]int{}     // records by type
	refusals := map[string]int{}   // validator refusals, by field
	withArticle, rejects := 0, 0
	for _, it := range items {
		if it.File != "facts.jsonl" || it.Line < 1 || it.Line > want.lines {
			t.Fatalf("item at %s:%d", it.File, it.Line)
		}
		if it.Reject != nil {
			rejects++
			continue
		}
		rec := it.Record
		byType[rec.Type]++
		// Agencies come once, before anything that names them.
		if a, ok := rec.Body.(*ingest.Agency); ok {
			if _, dup := kinds[a.Code]; dup {
				t.Fatalf("line %d: agency %s emitted twice", it.Line, a.Code)
			}
			kinds[a.Code] = a.Kind
			if a.Kind == "PROCURATORATE" {
				procNames[a.Name] = true
			}
		} else if _, ok := kinds[rec.Source.Agency]; !ok {
			t.Fatalf("line %d: %s %s before its agency %s", it.Line, rec.Type, rec.Source.RecordID, rec.Source.Agency)
		}
		switch b := rec.Body.(type) {
		case *ingest.Case:
			switch kinds[b.Agency] {
			case "COURT":
				courtCases++
				if _, err := ident.ParseCourtCaseNo(b.CaseNo); err != nil {
					t.Errorf("line %d: court case number: %v", it.Line, err)
				}
				if b.Summary == "" {
					t.Errorf("line %d: court case without summary", it.Line)
				}
			case "PROCURATORATE":
				prosCases++
			default:
				t.Fatalf("line %d: case of unknown agency %q", it.Line, b.Agency)
			}
		case *ingest.Charge:
			if b.Article != "" {
				withArticle++
				if !containsInt(want.articles[it.Line], Base(b.Article)) {
					t.Errorf("line %d: charge %s has article %s, which the line does not list", it.Line, b.Offense, b.Article)
				}
			}
			if strings.ContainsAny(b.Offense, "[]") || !strings.HasSuffix(b.Offense, "罪") {
				t.Errorf("line %d: offense %q not normalised", it.Line, b.Offense)
			}
		case *ingest.Handover:
			if kinds[b.From.Agency] != "PROCURATORATE" || b.To == nil || kinds[b.To.Agency] != "COURT" {
				t.Errorf("line %d: handover %s does not go from a procuratorate to a court", it.Line, b.HandoverID)
			}
		}
		if _, rej := v.Check(rec); rej != nil {
			refusals[rec.Type+"."+rej.Field]++
			if refusals[rec.Type+"."+rej.Field] == 1 {
				t.Errorf("line %d: the validator refuses %s %s: %s: %s", it.Line, rec.Type, rec.Source.RecordID, rej.Field, rej.Reason)
			}
		}
	}

	wantNames := len(want.procuratorates)
	if want.unnamed > 0 {
		wantNames++ // UnnamedProcuratorate
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"rejected lines", rejects, want.lines - want.valid},
		{"court cases", courtCases, want.valid},
		{"prosecution cases", prosCases, want.valid - want.private},
		{"handovers", byType[ingest.TypeHandover], want.valid - want.private},
		{"defendants (persons)", byType[ingest.TypePerson], want.criminals},
		{"judgments", byType[ingest.TypeJudgment], want.criminals},
		{"charges", byType[ingest.TypeCharge], want.charges},
		{"distinct procuratorates", len(procNames), wantNames},
		{"unnamed procuratorate lines", stats.UnnamedProcuratorate, want.unnamed},
		{"private prosecutions", stats.PrivateProsecutions, want.private},
		{"charges without article", stats.ChargesWithoutArticle, byType[ingest.TypeCharge] - withArticle},
		{"stats lines", stats.Lines, want.lines},
		{"stats valid", stats.Valid, want.valid},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %d, the file has %d", c.what, c.got, c.want)
		}
	}
	for name := range want.procuratorates {
		if !procNames[name] {
			t.Errorf("procuratorate %s not emitted", name)
		}
	}
	for typ, n := range byType {
		if stats.Records[typ] != n {
			t.Errorf("stats: %d %s records, items have %d", stats.Records[typ], typ, n)
		}
	}
	t.Logf("%d lines: %d valid, %d rejected; %d distinct procuratorates (%d lines name none, %d private prosecutions, %d name the court); %d agencies",
		want.lines, want.valid, rejects, len(procNames), want.unnamed, want.private, stats.NamedCourts, byType[ingest.TypeAgency])
	t.Logf("records: %v; charges with an article %d of %d", byType, withArticle, byType[ingest.TypeCharge])
}

// TestDeterministic decodes the file twice and compares the output.
func TestDeterministic(t *testing.T) {
	path := filepath.Join(dataDir(t), "cail2018", "facts.jsonl")
	sum := func() [32]byte {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h := sha256.New()
		enc := ingest.NewEncoder(h)
		for _, it := range decodeAll(t, NewDecoder(f, "facts.jsonl")) {
			if it.Record != nil {
				if err := enc.Encode(it.Record.Body); err != nil {
					t.Fatal(err)
				}
			} else {
				fmt.Fprintf(h, "%+v\n", *it.Reject)
			}
		}
		if err := enc.Flush(); err != nil {
			t.Fatal(err)
		}
		var s [32]byte
		copy(s[:], h.Sum(nil))
		return s
	}
	if a, b := sum(), sum(); a != b {
		t.Errorf("two decodings differ: %x, %x", a, b)
	}
}

// TestArticleTable checks the charge → article table against the data
// set's own lists: every charge of accu.txt (but 经济犯) has articles, and
// every article is one of law.txt.
func TestArticleTable(t *testing.T) {
	dir := filepath.Join(dataDir(t), "cail2018")
	read := func(name string) []string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(b))
	}
	charges := map[string]bool{}
	for _, c := range read("accu.txt") {
		o := ingest.OffenseName(c)
		charges[o] = true
		if _, ok := articles[o]; !ok && c != "经济犯" {
			t.Errorf("accu.txt charge %s has no articles", o)
		}
	}
	laws := map[int]bool{}
	for _, l := range read("law.txt") {
		n, err := strconv.Atoi(l)
		if err != nil {
			t.Fatalf("law.txt: %q", l)
		}
		laws[n] = true
	}
	for o, arts := range articles {
		if !charges[o] {
			t.Errorf("table charge %s is not in accu.txt", o)
		}
		if len(arts) == 0 {
			t.Errorf("%s: no articles", o)
		}
		for _, a := range arts {
			if !laws[Base(a)] {
				t.Errorf("%s: article %s is not in law.txt", o, a)
			}
		}
	}
}

func TestArticleFor(t *testing.T) {
	cases := []struct {
		offense string
		charges int
		listed  []int
		want    string
	}{
		{"盗窃罪", 1, []int{264}, "264"},
		{"盗窃罪", 2, []int{267, 264}, "264"},
		{"抢夺罪", 2, []int{267, 264}, "267"},
		{"危险驾驶罪", 1, []int{133}, "133之一"},
		{"抢劫罪", 2, []int{264, 269}, "269"},
		{"故意伤害罪", 1, []int{134}, ""},     // the label contradicts the statute
		{"某新罪", 1, []int{999}, "999"},    // unknown charge, one article: the data's
		{"某新罪", 2, []int{999, 264}, ""},  // unknown charge among several
		{"经济犯罪", 1, []int{264, 266}, ""}, // unknown charge, several articles
	}
	for _, c := range cases {
		if got := articleFor(c.offense, c.charges, distinctArticles(c.listed)); got != c.want {
			t.Errorf("articleFor(%s, %d, %v) = %q, want %q", c.offense, c.charges, c.listed, got, c.want)
		}
	}
}

func TestParseAgencies(t *testing.T) {
	cases := []struct {
		fact                         string
		procuratorate, court, region string
		named                        bool
	}{
		{"北京市通州区人民检察院指控：2011年", "北京市通州区人民检察院", "北京市通州区人民法院", "北京市通州区", false},
		{"北京市人民检察院第一分院起诉书指控：", "北京市人民检察院第一分院", "北京市第一中级人民法院", "北京市", false},
		{"云南省人民检察院昆明铁路运输分院指控：", "云南省人民检察院昆明铁路运输分院", "云南省昆明铁路运输中级人民法院", "云南省", false},
		{"兰州市安宁区检察院起诉书指控，1、", "兰州市安宁区人民检察院", "兰州市安宁区人民法院", "兰州市安宁区", false},
		{"琼中黎族苗族自治县（以下简称琼中县）人民检察院指控，2012", "琼中黎族苗族自治县人民检察院", "琼中黎族苗族自治县人民法院", "琼中黎族苗族自治县", false},
		{"莱州市人民检察院以莱检公刑诉[2017]80号起诉书指控", "莱州市人民检察院", "莱州市人民法院", "莱州市", false},
		{"公诉机关魏县人民检察院指控，", "魏县人民检察院", "魏县人民法院", "魏县", false},
		{"吉林省辽源市中级人民法院审理辽源市人民检察院指控被告人", "辽源市人民检察院", "吉林省辽源市中级人民法院", "辽源市", true},
		{"公诉机关指控，2014年", "", "", "", false},
		{"经审理查明，2015年", "", "", "", false},
		{"被告人在某县人民检察院门口", "", "", "", false},
		{"人民检察院指控：", "", "", "", false},
	}
	for _, c := range cases {
		a := parseAgencies(c.fact)
		if a.procuratorate != c.procuratorate || a.court != c.court || a.region != c.region || a.courtNamed != c.named {
			t.Errorf("parseAgencies(%q) = %+v, want %s / %s / %s / %v", c.fact, a, c.procuratorate, c.court, c.region, c.named)
		}
		if got := testProcuratorate(c.fact); got != c.procuratorate {
			t.Errorf("the test's reading of %q = %q, want %q", c.fact, got, c.procuratorate)
		}
	}
}

// TestRejects feeds made-up lines (no real records) and checks that bad
// lines become rejects naming line and field, without stopping the rest.
func TestRejects(t *testing.T) {
	good := `{"fact":"某市某区人民检察院指控：被告人甲某盗窃。","meta":{"relevant_articles":[264],"accusation":["盗窃"],"punish_of_money":1000,"criminals":["甲某"],"term_of_imprisonment":{"death_penalty":false,"imprisonment":6,"life_imprisonment":false}}}`
	lines := []struct {
		text  string
		field string // of the reject; "-" for a good line, "" for a reject without field
	}{
		{good, "-"},
		{`{"fact": "x", "meta": `, ""},
		{`[1, 2]`, ""},
		{`{"meta":{"criminals":["甲某"]}}`, "fact"},
		{`{"fact":"  ","meta":{"criminals":["甲某"]}}`, "fact"},
		{`{"fact":"经审理查明，甲某盗窃。"}`, "meta"},
		{`{"fact":"经审理查明，甲某盗窃。","meta":{"criminals":[]}}`, "meta.criminals"},
		{`{"fact":"经审理查明，甲某盗窃。","meta":{"criminals":[" "]}}`, "meta.criminals[0]"},
		{`{"fact":"经审理查明，甲某盗窃。","meta":{"criminals":"甲某"}}`, "meta.criminals"},
		{`{"fact":"经审理查明，甲某盗窃。","meta":{"criminals":["甲某"],"term_of_imprisonment":{"imprisonment":1.5}}}`, "meta.term_of_imprisonment.imprisonment"},
		{`{"fact":"经审理查明，甲某盗窃。","meta":{"criminals":["甲某"],"punish_of_money":-1}}`, "meta.punish_of_money"},
		{"{\"fact\":\"\xff\",\"meta\":{}}", ""},
		{"", "blank"},
		{good, "-"},
	}
	var in bytes.Buffer
	for _, l := range lines {
		in.WriteString(l.text + "\n")
	}
	items := decodeAll(t, NewDecoder(&in, "made-up.jsonl"))
	byLine := map[int][]ingest.Item{}
	for _, it := range items {
		byLine[it.Line] = append(byLine[it.Line], it)
	}
	for i, l := range lines {
		got := byLine[i+1]
		switch l.field {
		case "blank":
			if len(got) != 0 {
				t.Errorf("line %d (blank): %d items", i+1, len(got))
			}
		case "-":
			if len(got) == 0 || got[len(got)-1].Record == nil {
				t.Errorf("line %d: no records", i+1)
			}
		default:
			if len(got) != 1 || got[0].Reject == nil {
				t.Errorf("line %d: want one reject, got %d items", i+1, len(got))
				continue
			}
			r := got[0].Reject
			if r.File != "made-up.jsonl" || r.Line != i+1 || r.Field != l.field || r.Reason == "" {
				t.Errorf("line %d: reject %+v, want field %q", i+1, *r, l.field)
			}
		}
	}
	// The second good line names the same procuratorate: no second agency.
	if n := len(byLine[len(lines)]); n != len(byLine[1])-2 {
		t.Errorf("last line: %d items, first line %d; the agencies should come only once", n, len(byLine[1]))
	}
}

func TestLongLine(t *testing.T) {
	long := `{"fact":"` + strings.Repeat("长", ingest.MaxLineBytes/3+10) + `","meta":{"criminals":["甲某"]}}`
	in := strings.NewReader(long + "\n" + `{"fact":"经审理查明。","meta":{"criminals":["甲某"]}}`)
	items := decodeAll(t, NewDecoder(in, "long.jsonl"))
	if len(items) == 0 || items[0].Reject == nil || items[0].Line != 1 {
		t.Fatalf("first item: %+v", items)
	}
	if last := items[len(items)-1]; last.Record == nil || last.Line != 2 {
		t.Errorf("the line after a long one: %+v", last)
	}
}
