package search

import (
	"fmt"
	"strings"
	"testing"
)

func terms(t *testing.T, analyzer, text string) []string {
	t.Helper()
	toks, err := analyze(analyzer, text)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tk := range toks {
		out = append(out, fmt.Sprintf("%s@%d", tk.Term, tk.Position))
	}
	return out
}

func TestAnalyzers(t *testing.T) {
	for _, tc := range []struct {
		analyzer, text, want string
	}{
		{AnalyzerTextQuery, "危险驾驶", "危险@1 险驾@2 驾驶@3"},
		{AnalyzerTextQuery, "危险，驾驶", "危险@1 驾驶@4"},
		{AnalyzerTextQuery, "Ｋ粉", "k@1 粉@2"},
		{AnalyzerText, "晓东", "晓@1 晓东@1 东@2"},
		{AnalyzerNameQuery, "钱晓东", "钱晓@1 晓东@2"},
		{AnalyzerNameQuery, "东", "东@1"},
		// full-width brackets and a lower-case check digit fold
		{AnalyzerExact, "（2024）浙0203刑初123号", "(2024)浙0203刑初123号@1"},
		{AnalyzerExact, "33020319900101123x", "33020319900101123x@1"},
		{AnalyzerExact, "33020319900101123X", "33020319900101123x@1"},
	} {
		if got := strings.Join(terms(t, tc.analyzer, tc.text), " "); got != tc.want {
			t.Errorf("%s(%q) = %s, want %s", tc.analyzer, tc.text, got, tc.want)
		}
	}
}

// TestQueryTokensInIndex checks that the query analyzers yield a subset of
// their index analyzer's tokens at the same positions, so phrases line up.
func TestQueryTokensInIndex(t *testing.T) {
	pairs := [][2]string{{AnalyzerText, AnalyzerTextQuery}, {AnalyzerName, AnalyzerNameQuery}}
	for _, text := range []string{"被告人李×1于２０１５年驾驶ＢＭＷ轿车　在北京市朝阳区危险驾驶，涉嫌电信诈骗。", "唐1某与", "阿卜杜·热合曼"} {
		for _, p := range pairs {
			idx := map[string]bool{}
			for _, s := range terms(t, p[0], text) {
				idx[s] = true
			}
			for _, s := range terms(t, p[1], text) {
				if !idx[s] {
					t.Errorf("%s(%q): token %s not in %s's stream", p[1], text, s, p[0])
				}
			}
		}
	}
}
