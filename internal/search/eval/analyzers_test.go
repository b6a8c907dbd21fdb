package eval

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// sentence mixes Chinese, full-width Latin and digits, an ideographic space,
// punctuation and a masked name.
const sentence = "被告人李×1于２０１５年驾驶ＢＭＷ轿车　在北京市朝阳区危险驾驶，涉嫌电信诈骗与帮助信息网络犯罪活动。"

func analyze(t *testing.T, name, text string) analysis.TokenStream {
	t.Helper()
	a, err := registry.NewCache().AnalyzerNamed(name)
	if err != nil {
		t.Fatalf("analyzer %s: %v", name, err)
	}
	return a.Analyze([]byte(text))
}

func TestAnalyzersRegistered(t *testing.T) {
	names := []string{DefaultAnalyzer, DefaultQueryAnalyzer}
	for _, s := range Schemes {
		names = append(names, s.Index, s.Query)
	}
	for _, name := range names {
		m := NewIndexMapping(name, true)
		if err := m.Validate(); err != nil {
			t.Errorf("%s: mapping: %v", name, err)
		}
		if m.AnalyzerNamed(name) == nil {
			t.Errorf("%s: not registered", name)
		}
	}
	for _, name := range []string{TokenizerGse, TokenizerGsePrecise} {
		if _, err := registry.NewCache().TokenizerNamed(name); err != nil {
			t.Errorf("tokenizer %s: %v", name, err)
		}
	}
}

// TestGseOffsetsAndPositions checks that every gse token maps back to the
// exact input bytes (width-folded and lower-cased to its term), that the
// top-level words tile the text in order, and that positions count the
// non-space characters before the token.
func TestGseOffsetsAndPositions(t *testing.T) {
	for _, name := range []string{AnalyzerGse, AnalyzerGsePrecise} {
		toks := analyze(t, name, sentence)
		if len(toks) == 0 {
			t.Fatalf("%s: no tokens", name)
		}
		prevPos := 0
		for _, tk := range toks {
			src := sentence[tk.Start:tk.End]
			if !utf8.ValidString(src) {
				t.Fatalf("%s: token %q offsets [%d,%d) split a character", name, tk.Term, tk.Start, tk.End)
			}
			if got := Normalize(src); got != string(tk.Term) {
				t.Errorf("%s: token %q maps back to %q (folded %q)", name, tk.Term, src, got)
			}
			want := 1
			for _, r := range sentence[:tk.Start] {
				if !unicode.IsSpace(r) {
					want++
				}
			}
			if tk.Position != want {
				t.Errorf("%s: token %q at byte %d: position %d, want %d", name, tk.Term, tk.Start, tk.Position, want)
			}
			if tk.Position < prevPos {
				t.Errorf("%s: token %q: positions go back (%d after %d)", name, tk.Term, tk.Position, prevPos)
			}
			prevPos = tk.Position
		}
		terms := map[string]bool{}
		for _, tk := range toks {
			terms[string(tk.Term)] = true
		}
		for _, w := range []string{"2015", "bmw", "北京市", "诈骗"} {
			if !terms[w] {
				t.Errorf("%s: no token %q in %v", name, w, termList(toks))
			}
		}
	}
	// the search-mode analyzer also has the dictionary words inside longer
	// words, at the position of their first character
	toks := analyze(t, AnalyzerGse, "甲基苯丙胺")
	got := termList(toks)
	for _, w := range []string{"甲基苯丙胺@1", "甲基@1", "苯丙胺@3"} {
		if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
			t.Errorf("gse search mode: missing %s in %v", w, got)
		}
	}
}

func termList(toks analysis.TokenStream) []string {
	var out []string
	for _, tk := range toks {
		out = append(out, fmt.Sprintf("%s@%d", tk.Term, tk.Position))
	}
	return out
}

func TestBreakGap(t *testing.T) {
	for _, name := range []string{AnalyzerCJK, AnalyzerCJKUnigram} {
		a := termList(analyze(t, name, "危险驾驶"))
		b := termList(analyze(t, name, "危险，驾驶"))
		if strings.Join(a, " ") == strings.Join(b, " ") {
			t.Errorf("%s: a comma leaves no gap: %v", name, b)
		}
	}
	// offsets of the cjk analyzers also map back to the input
	for _, tk := range analyze(t, AnalyzerCJKUnigram, sentence) {
		if got := Normalize(sentence[tk.Start:tk.End]); got != string(tk.Term) {
			t.Errorf("cjk: token %q maps back to %q", tk.Term, got)
		}
	}
}

// TestGseConcurrent tokenizes from several goroutines (run with -race).
func TestGseConcurrent(t *testing.T) {
	tok, err := NewGseTokenizer(true)
	if err != nil {
		t.Fatal(err)
	}
	want := termList(tok.Tokenize([]byte(sentence)))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if got := termList(tok.Tokenize([]byte(sentence))); strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("concurrent tokenize differs: %v", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// phraseDocs: each phrase appears verbatim in one document, and its
// characters appear apart (or across a comma) in the others.
var phraseDocs = map[string]string{
	"hit-dd":   "被告人张某某于2016年5月在道路上危险驾驶机动车，血液酒精含量超标。",
	"apart-dd": "被告人驾驶车辆时情况危险，后被查获。",
	"comma-dd": "现场情况十分危险，驾驶员弃车逃离。",
	"hit-tf":   "被告人以冒充客服的方式实施电信诈骗，骗得人民币三万元。",
	"apart-tf": "被告人利用电信网络实施诈骗活动。",
	"comma-tf": "被害人在电信，诈骗分子冒充其亲属。",
}

func phraseIndex(t *testing.T, analyzer string) bleve.Index {
	t.Helper()
	idx, err := bleve.NewMemOnly(NewIndexMapping(analyzer, true))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	b := idx.NewBatch()
	for id, text := range phraseDocs {
		if err := b.Index(id, map[string]interface{}{FieldText: text, FieldSource: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	return idx
}

func TestPhraseQueries(t *testing.T) {
	for _, s := range Schemes {
		if s.Index == AnalyzerStandard {
			continue
		}
		analyzer := s.Name
		idx := phraseIndex(t, s.Index)
		for phrase, want := range map[string]string{"危险驾驶": "hit-dd", "电信诈骗": "hit-tf"} {
			q := bleve.NewMatchPhraseQuery(phrase)
			q.SetField(FieldText)
			q.Analyzer = s.Query
			req := bleve.NewSearchRequest(q)
			req.Highlight = bleve.NewHighlightWithStyle("html")
			req.Highlight.AddField(FieldText)
			res, err := idx.Search(req)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			sort.Strings(ids)
			if len(ids) != 1 || ids[0] != want {
				t.Errorf("%s: phrase %q matched %v, want [%s]", analyzer, phrase, ids, want)
				continue
			}
			// the highlighted fragment marks exactly the phrase's characters
			frag := strings.Join(res.Hits[0].Fragments[FieldText], "")
			marked := markedText(frag)
			if marked != phrase {
				t.Errorf("%s: phrase %q: highlight marks %q in %q", analyzer, phrase, marked, frag)
			}
		}
	}
}

// markedText concatenates the text inside <mark> elements.
func markedText(frag string) string {
	var b strings.Builder
	for {
		i := strings.Index(frag, "<mark>")
		if i < 0 {
			return b.String()
		}
		frag = frag[i+len("<mark>"):]
		j := strings.Index(frag, "</mark>")
		if j < 0 {
			return b.String()
		}
		b.WriteString(frag[:j])
		frag = frag[j+len("</mark>"):]
	}
}

// TestQueryAnalyzerPositions checks on real-looking text that the query
// analyzer of the chosen scheme yields a subset of the index analyzer's
// tokens at the same positions, and that a lone trailing character is kept.
func TestQueryAnalyzerPositions(t *testing.T) {
	for _, text := range []string{sentence, "危险，驾驶", "k粉", "唐1某与", "渝中区南纪门下回水沟82号附近", "Ｋ粉 两包"} {
		idx := map[string]bool{}
		for _, tk := range analyze(t, DefaultAnalyzer, text) {
			idx[fmt.Sprintf("%s@%d[%d:%d]", tk.Term, tk.Position, tk.Start, tk.End)] = true
		}
		for _, tk := range analyze(t, DefaultQueryAnalyzer, text) {
			if k := fmt.Sprintf("%s@%d[%d:%d]", tk.Term, tk.Position, tk.Start, tk.End); !idx[k] {
				t.Errorf("%q: query token %s not in the index stream", text, k)
			}
		}
	}
	for text, want := range map[string]string{
		"k粉":    "k@1 粉@2",
		"唐1某":   "唐@1 1@2 某@3",
		"危险驾驶":  "危险@1 险驾@2 驾驶@3",
		"危险，驾驶": "危险@1 驾驶@4",
	} {
		if got := strings.Join(termList(analyze(t, DefaultQueryAnalyzer, text)), " "); got != want {
			t.Errorf("query analysis of %q = %s, want %s", text, got, want)
		}
	}
}

func TestMatchQueryFindsPartialName(t *testing.T) {
	// the bigram analyzers find a given name inside an unknown full name
	for _, analyzer := range []string{AnalyzerCJK, AnalyzerCJKUnigram} {
		idx, err := bleve.NewMemOnly(NewIndexMapping(analyzer, false))
		if err != nil {
			t.Fatal(err)
		}
		if err := idx.Index("d1", map[string]interface{}{FieldText: "被告人钱德彪于当日被抓获。"}); err != nil {
			t.Fatal(err)
		}
		q := bleve.NewMatchPhraseQuery("德彪")
		q.SetField(FieldText)
		if analyzer == DefaultAnalyzer {
			q.Analyzer = DefaultQueryAnalyzer
		}
		res, err := idx.Search(bleve.NewSearchRequest(q))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 {
			t.Errorf("%s: given name not found (%d hits)", analyzer, res.Total)
		}
		idx.Close()
	}
}
