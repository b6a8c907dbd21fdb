package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"

	// the keyword analyzer of the facet fields.
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
)

// Names registered in bleve's registry when the package is imported. An
// index mapping refers to them by name, so an index reopens from disk only
// in a binary that imports this package. Changing what a name does changes
// what an existing index holds: bump MappingVersion when you do.
const (
	// AnalyzerText indexes Chinese text (title, summary, charges): bleve's
	// unicode tokenizer, cjk_width, to_lower, overlapping character bigrams
	// with every character also kept as a unigram, and BreakGapFilter.
	AnalyzerText = "cg_search_text"
	// AnalyzerTextQuery analyses match and phrase queries on AnalyzerText
	// fields: the same chain, then DropCoveredUnigramsFilter.
	AnalyzerTextQuery = "cg_search_text_query"
	// AnalyzerName indexes person names. It is AnalyzerText's chain under
	// its own name: bigrams and unigrams find a full name (钱晓东), a given
	// name (晓东) or a one-character given name inside any full name.
	AnalyzerName = "cg_search_name"
	// AnalyzerNameQuery is AnalyzerTextQuery's chain for name fields.
	AnalyzerNameQuery = "cg_search_name_query"
	// AnalyzerExact keeps the whole value as one token, width-folded and
	// lower-cased, so that a case number typed with full-width brackets
	// （2024）浙0203刑初123号 finds (2024)浙0203刑初123号 and an identity
	// number ending in x finds the one ending in X.
	AnalyzerExact = "cg_search_exact"
	// AnalyzerKeyword is bleve's keyword analyzer (the value as it is): the
	// facet fields, whose indexed terms are returned as facet values.
	AnalyzerKeyword = "keyword"

	// FilterBigramUnigram is cjk_bigram with output_unigram set.
	FilterBigramUnigram = "cg_search_bigram_unigram"
	// FilterBreakGap is BreakGapFilter.
	FilterBreakGap = "cg_search_break_gap"
	// FilterDropCovered is DropCoveredUnigramsFilter.
	FilterDropCovered = "cg_search_drop_covered_unigrams"
)

// NewBigramUnigramFilter returns bleve's cjk_bigram filter with
// output_unigram set: overlapping bigrams of Han characters (危险驾驶 → 危险
// 险驾 驾驶) and every character also as a unigram at its bigram's position,
// so that a query ending in a lone character (K粉, 唐1某) still matches.
func NewBigramUnigramFilter() analysis.TokenFilter {
	return cjk.NewCJKBigramFilter(true)
}

// BreakGapFilter leaves one empty position wherever the tokenizer dropped
// text between two tokens (punctuation or spaces), so that a phrase query
// does not match words that a comma separates: bleve's cjk_bigram numbers
// its output consecutively, and with unigrams "危险，驾驶" would otherwise
// match the phrase 危险驾驶. The query is analysed the same way, so phrases
// that contain the same break still match. It expects tokens in position
// order, as cjk_bigram emits them.
type BreakGapFilter struct{}

// Filter implements analysis.TokenFilter.
func (BreakGapFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	shift, maxEnd, lastPos := 0, 0, 0
	for i, t := range input {
		if i > 0 && t.Start > maxEnd && t.Position > lastPos {
			shift++
		}
		lastPos = t.Position
		if t.End > maxEnd {
			maxEnd = t.End
		}
		t.Position += shift
	}
	return input
}

// DropCoveredUnigramsFilter removes the single-character tokens
// (analysis.Single) whose bytes lie inside a bigram (analysis.Double) of the
// same stream, keeping positions: applied to a query analysed like the
// index, it leaves the bigrams plus the characters no bigram covers (a
// lone 粉 in K粉, 某 in 唐1某), which the unigram index has. A phrase query
// then has one term per position; with the unigrams left in, bleve's phrase
// search tries every unigram/bigram path and takes hundreds of milliseconds
// on long queries (docs/search.md).
type DropCoveredUnigramsFilter struct{}

// Filter implements analysis.TokenFilter.
func (DropCoveredUnigramsFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	starts, ends := map[int]bool{}, map[int]bool{}
	for _, t := range input {
		if t.Type == analysis.Double {
			starts[t.Start], ends[t.End] = true, true
		}
	}
	rv := input[:0]
	for _, t := range input {
		if t.Type == analysis.Single && (starts[t.Start] || ends[t.End]) {
			continue
		}
		rv = append(rv, t)
	}
	return rv
}

// Chain builds an analyzer from registered tokenizer and token filter names.
func Chain(cache *registry.Cache, tokenizer string, filterNames ...string) (analysis.Analyzer, error) {
	tok, err := cache.TokenizerNamed(tokenizer)
	if err != nil {
		return nil, err
	}
	var filters []analysis.TokenFilter
	for _, name := range filterNames {
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			return nil, err
		}
		filters = append(filters, f)
	}
	return &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: filters}, nil
}

func chainConstructor(tokenizer string, filterNames ...string) registry.AnalyzerConstructor {
	return func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		return Chain(cache, tokenizer, filterNames...)
	}
}

var (
	indexChain = []string{cjk.WidthName, lowercase.Name, FilterBigramUnigram, FilterBreakGap}
	queryChain = []string{cjk.WidthName, lowercase.Name, FilterBigramUnigram, FilterBreakGap, FilterDropCovered}
)

func init() {
	must := func(err error) {
		if err != nil {
			panic(fmt.Sprintf("search: registering analysis: %v", err))
		}
	}
	must(registry.RegisterTokenFilter(FilterBigramUnigram,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return NewBigramUnigramFilter(), nil
		}))
	must(registry.RegisterTokenFilter(FilterBreakGap,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return BreakGapFilter{}, nil
		}))
	must(registry.RegisterTokenFilter(FilterDropCovered,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return DropCoveredUnigramsFilter{}, nil
		}))
	must(registry.RegisterAnalyzer(AnalyzerText, chainConstructor(unicodetok.Name, indexChain...)))
	must(registry.RegisterAnalyzer(AnalyzerTextQuery, chainConstructor(unicodetok.Name, queryChain...)))
	must(registry.RegisterAnalyzer(AnalyzerName, chainConstructor(unicodetok.Name, indexChain...)))
	must(registry.RegisterAnalyzer(AnalyzerNameQuery, chainConstructor(unicodetok.Name, queryChain...)))
	must(registry.RegisterAnalyzer(AnalyzerExact, chainConstructor(single.Name, cjk.WidthName, lowercase.Name)))
}
