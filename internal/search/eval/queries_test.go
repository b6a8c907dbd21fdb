package eval

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestChargeQuery(t *testing.T) {
	for in, want := range map[string]string{
		"盗窃":         "盗窃",
		"危险驾驶":       "危险驾驶",
		"帮助信息网络犯罪活动": "帮助信息网络犯罪活动",
		"[走私、贩卖、运输、制造]毒品":             "走私毒品",
		"非法[持有、私藏][枪支、弹药]":            "非法持有枪支",
		"[窝藏、包庇]":                     "窝藏",
		"[虚开增值税专用发票、用于骗取出口退税、抵扣税款发票]": "虚开增值税专用发票",
		"故意杀人罪":                       "故意杀人",
	} {
		if got := ChargeQuery(in); got != want {
			t.Errorf("ChargeQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsMasked(t *testing.T) {
	for name, want := range map[string]bool{"李×1": true, "林某某": true, "王某甲": true, "张X": true, "钱德彪": false} {
		if IsMasked(name) != want {
			t.Errorf("IsMasked(%q) = %v", name, !want)
		}
	}
}

// fixture data in the shapes of the shared files (made up, no real names).
const fixture2018 = `{"fact": "公诉机关指控，被告人钱德彪秘密窃取他人财物。", "meta": {"accusation": ["盗窃"], "criminals": ["钱德彪"]}}
{"fact": "公诉机关指控，被告人林某某醉酒驾驶机动车。", "meta": {"accusation": ["危险驾驶"], "criminals": ["林某某"]}}
{"fact": "公诉机关指控，被告人李×1贩卖甲基苯丙胺，钱德彪在场。", "meta": {"accusation": ["[走私、贩卖、运输、制造]毒品"], "criminals": ["李×1"]}}
`

const fixture2022 = `{"articleId": 7, "sentId": 1, "sentText": "被告人在昆明市贩卖“K粉”两包。", "entityMentions": [{"start": 4, "end": 7, "text": "昆明市", "label": "Ns"}, {"start": 10, "end": 12, "text": "K粉", "label": "NDR"}, {"start": 0, "end": 1, "text": "某某县", "label": "Ns"}], "relationMentions": []}
{"articleId": 7, "sentId": 2, "sentText": "其后又在昆明市出售ｋ粉。", "entityMentions": [], "relationMentions": []}
`

func writeFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for path, body := range map[string]string{
		"cail2018/facts.jsonl":         fixture2018,
		"cail2022-drug-ie/train.jsonl": fixture2022,
	} {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildQueries(t *testing.T) {
	docs, err := LoadAll(writeFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 5 || docs[0].ID != "cail2018-0001" || docs[3].ID != "cail2022-7-1" {
		t.Fatalf("docs: %d, ids %q %q", len(docs), docs[0].ID, docs[3].ID)
	}
	qs := BuildQueries(docs, DefaultLimits)
	got := map[string]map[string]bool{}
	for _, q := range qs {
		got[q.Class+" "+q.Text] = q.Relevant
	}
	want := map[string]map[string]bool{
		"charge 盗窃":        {"cail2018-0001": true},
		"charge 危险驾驶":      {"cail2018-0002": true},
		"charge 走私毒品":      {"cail2018-0003": true},
		"entity-drug k粉":   {"cail2022-7-1": true, "cail2022-7-2": true},
		"entity-place 昆明市": {"cail2022-7-1": true, "cail2022-7-2": true},
		"name-full 钱德彪":    {"cail2018-0001": true, "cail2018-0003": true},
		"name-given 德彪":    {"cail2018-0001": true, "cail2018-0003": true},
		"name-masked 林某某":  {"cail2018-0002": true},
		"name-masked 李×1":  {"cail2018-0003": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("queries:\n got %v\nwant %v", got, want)
	}
	if again := BuildQueries(docs, DefaultLimits); !reflect.DeepEqual(again, qs) {
		t.Error("BuildQueries is not deterministic")
	}
}

func TestScore(t *testing.T) {
	rel := map[string]bool{"a": true, "b": true, "c": true}
	m := Score([]string{"x", "a", "y", "b", "z"}, rel)
	want := Metrics{P10: 0.2, RPrec: 1.0 / 3, MRR10: 0.5, Recall: 2.0 / 3, SetPrec: 0.4, Hits: 5}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"P10", m.P10, want.P10}, {"RPrec", m.RPrec, want.RPrec}, {"MRR10", m.MRR10, want.MRR10},
		{"Recall", m.Recall, want.Recall}, {"SetPrec", m.SetPrec, want.SetPrec}, {"Hits", m.Hits, want.Hits},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if z := Score(nil, rel); z != (Metrics{}) {
		t.Errorf("no hits: %+v", z)
	}
	// a relevant document after rank 10 counts for recall only
	ranked := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "a"}
	if m := Score(ranked, map[string]bool{"a": true}); m.MRR10 != 0 || m.P10 != 0 || m.Recall != 1 {
		t.Errorf("rank 11: %+v", m)
	}
}

func TestEvaluatePipelineSmall(t *testing.T) {
	docs, err := LoadAll(writeFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	qs := BuildQueries(docs, DefaultLimits)
	idx, st, err := BuildIndex(filepath.Join(t.TempDir(), "idx"), AnalyzerCJKUnigram, docs)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if st.Docs != len(docs) || st.Bytes <= 0 {
		t.Fatalf("stats %+v", st)
	}
	rs, err := Run(idx, Scheme{"chosen", DefaultAnalyzer, DefaultQueryAnalyzer}, qs, len(docs))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Query.Class != ClassCharge && r.Recall != 1 {
			t.Errorf("%s %s %q: recall %v", r.Mode, r.Query.Class, r.Query.Text, r.Recall)
		}
	}
	if out := Report([]IndexStats{st}, rs); len(out) == 0 {
		t.Error("empty report")
	}
}
