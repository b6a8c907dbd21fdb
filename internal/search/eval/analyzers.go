// Package eval compares Chinese analyzers for casegraph's bleve full-text
// search on real judgment texts (cail2018 facts and cail2022 drug-crime
// paragraphs) and registers the analyzers with bleve so that the search
// package can use the one chosen (see docs/search.md).
//
// Importing the package registers, in bleve's global registry:
//
//   - AnalyzerCJK ("cg_cjk"): bleve's unicode tokenizer, cjk_width,
//     to_lower and cjk_bigram (overlapping character bigrams; the chain of
//     bleve's own "cjk" analyzer, under a name casegraph owns), then
//     BreakGapFilter so that phrases do not match across punctuation.
//   - AnalyzerCJKUnigram ("cg_cjk_uni"): the same with cjk_bigram's
//     output_unigram set, so each character is also indexed at its bigram's
//     position; a query ending in a lone character (K粉, 82号, 唐1某) then
//     matches, at the cost of a larger index.
//   - AnalyzerCJKQuery ("cg_cjk_uni_query"): the query side of
//     AnalyzerCJKUnigram: the same chain, then every unigram that a bigram
//     covers is dropped. Positions are those of the index analyzer, so
//     phrases line up, and a phrase query has one term per position (with
//     the unigrams left in, bleve's phrase search tries every unigram/bigram
//     path and takes hundreds of milliseconds on long queries).
//   - AnalyzerGse ("cg_gse"): the gse dictionary segmenter (simplified
//     Chinese dictionary embedded in the gse module, nothing is read from
//     disk or fetched) in search mode: every segmented word plus every
//     dictionary word of two or more characters inside it, followed by
//     to_lower.
//   - AnalyzerGsePrecise ("cg_gse_precise"): the same segmenter without the
//     inner dictionary words, kept as an evaluation row.
//
// Both gse tokenizers fold full-width and half-width forms (golang.org/x/
// text/width) before segmenting, report byte offsets into the original,
// unfolded input (so highlighting marks the right bytes), and number
// positions by character: a token's position is 1 + the number of
// non-space characters before it. Inner words therefore sit at the position
// of their first character, and a phrase query built from any segmentation
// of the query needs its words at the same character distances in the
// document, which is what makes phrase queries exact with overlapping
// tokens.
package eval

import (
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/go-ego/gse"
	"golang.org/x/text/width"

	"github.com/casegraph/casegraph/internal/search"

	// bleve's "standard" analyzer, the baseline row of the evaluation.
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	// the keyword analyzer used by the source field of the eval index.
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
)

// Analyzer names registered with bleve's registry by this package.
const (
	AnalyzerCJK        = "cg_cjk"
	AnalyzerCJKUnigram = "cg_cjk_uni"
	AnalyzerCJKQuery   = "cg_cjk_uni_query"
	AnalyzerGse        = "cg_gse"
	AnalyzerGsePrecise = "cg_gse_precise"
	// AnalyzerStandard is bleve's own standard analyzer (unicode word
	// segmentation, lower case, English stop words): the baseline.
	AnalyzerStandard = "standard"

	// TokenizerGse and TokenizerGsePrecise are the gse tokenizers.
	TokenizerGse        = "cg_gse_search"
	TokenizerGsePrecise = "cg_gse_precise"
	// FilterBigramUnigram is cjk_bigram with output_unigram.
	FilterBigramUnigram = "cg_cjk_bigram_unigram"
	// FilterBreakGap is BreakGapFilter.
	FilterBreakGap = "cg_break_gap"
	// FilterDropCovered is DropCoveredUnigramsFilter.
	FilterDropCovered = "cg_drop_covered_unigrams"
)

// The analyzers chosen for casegraph's Chinese full-text search by the
// evaluation in docs/search.md: text fields are indexed with
// DefaultAnalyzer, and match and match-phrase queries must set their
// Analyzer to DefaultQueryAnalyzer.
const (
	DefaultAnalyzer      = AnalyzerCJKUnigram
	DefaultQueryAnalyzer = AnalyzerCJKQuery
)

// Scheme is an index analyzer with the analyzer its queries use.
type Scheme struct {
	Name, Index, Query string
}

// Schemes lists what the evaluation compares, in table order.
var Schemes = []Scheme{
	{AnalyzerStandard, AnalyzerStandard, AnalyzerStandard},
	{AnalyzerCJK, AnalyzerCJK, AnalyzerCJK},
	{AnalyzerCJKUnigram, AnalyzerCJKUnigram, AnalyzerCJKUnigram},
	{AnalyzerCJKUnigram + " + " + AnalyzerCJKQuery, AnalyzerCJKUnigram, AnalyzerCJKQuery},
	{AnalyzerGsePrecise, AnalyzerGsePrecise, AnalyzerGsePrecise},
	{AnalyzerGse, AnalyzerGse, AnalyzerGse},
}

var (
	segOnce sync.Once
	segErr  error
	seg     *gse.Segmenter
)

// Segmenter returns the process-wide gse segmenter, loading the embedded
// simplified-Chinese dictionary on first use (about a second of CPU and
// tens of MB). The segmenter is only read after loading, so it is safe for
// concurrent use.
func Segmenter() (*gse.Segmenter, error) {
	segOnce.Do(func() {
		s := &gse.Segmenter{SkipLog: true, NotLoadHMM: true}
		if err := s.LoadDictEmbed("zh_s"); err != nil {
			segErr = err
			return
		}
		seg = s
	})
	return seg, segErr
}

// GseTokenizer is a bleve analysis.Tokenizer backed by gse.
type GseTokenizer struct {
	seg *gse.Segmenter
	// Inner adds the dictionary words inside each segmented word (search
	// mode), at their own character positions and byte offsets.
	Inner bool
}

// NewGseTokenizer returns a tokenizer sharing the process-wide segmenter.
func NewGseTokenizer(inner bool) (*GseTokenizer, error) {
	s, err := Segmenter()
	if err != nil {
		return nil, err
	}
	return &GseTokenizer{seg: s, Inner: inner}, nil
}

// fold returns the width-folded input and, for every byte of it (and one
// past the end), the byte offset in input it came from.
func fold(input []byte) ([]byte, []int) {
	out := make([]byte, 0, len(input))
	offs := make([]int, 0, len(input)+1)
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(input); {
		r, n := utf8.DecodeRune(input[i:])
		if r == utf8.RuneError && n <= 1 {
			out = append(out, input[i])
			offs = append(offs, i)
			i++
			continue
		}
		src := input[i : i+n]
		if f := width.LookupRune(r).Folded(); f != 0 {
			m := utf8.EncodeRune(buf[:], f)
			src = buf[:m]
		}
		for range src {
			offs = append(offs, i)
		}
		out = append(out, src...)
		i += n
	}
	offs = append(offs, len(input))
	return out, offs
}

func tokenType(b []byte) (analysis.TokenType, bool) {
	han, letter, digit := false, false, false
	for _, r := range string(b) {
		switch {
		case unicode.Is(unicode.Han, r):
			han = true
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsNumber(r):
			digit = true
		}
	}
	switch {
	case han:
		return analysis.Ideographic, true
	case letter:
		return analysis.AlphaNumeric, true
	case digit:
		return analysis.Numeric, true
	}
	return 0, false
}

func allHan(b []byte) bool {
	for _, r := range string(b) {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// Tokenize implements analysis.Tokenizer.
func (t *GseTokenizer) Tokenize(input []byte) analysis.TokenStream {
	if len(input) == 0 {
		return nil
	}
	norm, offs := fold(input)
	segs := t.seg.Segment(norm)
	rv := make(analysis.TokenStream, 0, len(segs))
	pos := 1 // 1 + non-space characters before the current segment
	for i := range segs {
		s, e := segs[i].Start(), segs[i].End()
		word := norm[s:e]
		if typ, ok := tokenType(word); ok {
			rv = append(rv, &analysis.Token{
				Term: append([]byte(nil), word...), Start: offs[s], End: offs[e],
				Position: pos, Type: typ,
			})
			if t.Inner && typ == analysis.Ideographic && allHan(word) {
				rv = t.inner(rv, norm, offs, s, e, pos)
			}
		}
		for _, r := range string(word) {
			if !unicode.IsSpace(r) {
				pos++
			}
		}
	}
	return rv
}

// inner appends the dictionary words of two or more characters strictly
// inside norm[s:e], ordered by start then by length.
func (t *GseTokenizer) inner(rv analysis.TokenStream, norm []byte, offs []int, s, e, pos int) analysis.TokenStream {
	var starts []int // byte offsets of each rune in norm[s:e], plus e
	for i := s; i < e; {
		_, n := utf8.DecodeRune(norm[i:])
		starts = append(starts, i)
		i += n
	}
	starts = append(starts, e)
	runes := len(starts) - 1
	if runes <= 2 {
		return rv
	}
	var found analysis.TokenStream
	for a := 0; a < runes; a++ {
		for b := a + 2; b <= runes; b++ {
			if a == 0 && b == runes {
				continue
			}
			sub := norm[starts[a]:starts[b]]
			if freq, _, ok := t.seg.Dict.Find(sub); ok && freq > 0 {
				found = append(found, &analysis.Token{
					Term: append([]byte(nil), sub...), Start: offs[starts[a]], End: offs[starts[b]],
					Position: pos + a, Type: analysis.Ideographic,
				})
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Position < found[j].Position })
	return append(rv, found...)
}

// BreakGapFilter and DropCoveredUnigramsFilter are the search package's
// filters (see there), registered here under this package's own names.
type (
	BreakGapFilter            = search.BreakGapFilter
	DropCoveredUnigramsFilter = search.DropCoveredUnigramsFilter
)

func gseTokenizerConstructor(inner bool) registry.TokenizerConstructor {
	return func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return NewGseTokenizer(inner)
	}
}

func gseAnalyzerConstructor(tokenizer string) registry.AnalyzerConstructor {
	return func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		return chain(cache, tokenizer, lowercase.Name)
	}
}

func cjkAnalyzerConstructor(bigram string) registry.AnalyzerConstructor {
	return func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		return chain(cache, unicodetok.Name, cjk.WidthName, lowercase.Name, bigram, FilterBreakGap)
	}
}

func chain(cache *registry.Cache, tokenizer string, filterNames ...string) (analysis.Analyzer, error) {
	return search.Chain(cache, tokenizer, filterNames...)
}

func init() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(registry.RegisterTokenizer(TokenizerGse, gseTokenizerConstructor(true)))
	must(registry.RegisterTokenizer(TokenizerGsePrecise, gseTokenizerConstructor(false)))
	must(registry.RegisterAnalyzer(AnalyzerGse, gseAnalyzerConstructor(TokenizerGse)))
	must(registry.RegisterAnalyzer(AnalyzerGsePrecise, gseAnalyzerConstructor(TokenizerGsePrecise)))
	must(registry.RegisterTokenFilter(FilterBigramUnigram,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return search.NewBigramUnigramFilter(), nil
		}))
	must(registry.RegisterTokenFilter(FilterBreakGap,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return BreakGapFilter{}, nil
		}))
	must(registry.RegisterTokenFilter(FilterDropCovered,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return DropCoveredUnigramsFilter{}, nil
		}))
	must(registry.RegisterAnalyzer(AnalyzerCJKQuery,
		func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
			return chain(cache, unicodetok.Name, cjk.WidthName, lowercase.Name, FilterBigramUnigram, FilterBreakGap, FilterDropCovered)
		}))
	must(registry.RegisterAnalyzer(AnalyzerCJK, cjkAnalyzerConstructor(cjk.BigramName)))
	must(registry.RegisterAnalyzer(AnalyzerCJKUnigram, cjkAnalyzerConstructor(FilterBigramUnigram)))
}

// Field names of the evaluation index.
const (
	FieldText   = "text"
	FieldSource = "source"
)

// NewIndexMapping returns a mapping whose default document has a text field analysed by analyzer (a registered name such as AnalyzerGse)
// with term vectors for phrase queries and highlighting, and a keyword
// source field; store keeps the text for highlighting. Registration happens in init, so the returned mapping also
// reopens from disk.
func NewIndexMapping(analyzer string, store bool) *mapping.IndexMappingImpl {
	m := mapping.NewIndexMapping()
	m.DefaultAnalyzer = analyzer
	doc := mapping.NewDocumentStaticMapping()
	text := mapping.NewTextFieldMapping()
	text.Analyzer = analyzer
	text.Store = store
	text.IncludeTermVectors = true
	text.IncludeInAll = false
	doc.AddFieldMappingsAt(FieldText, text)
	src := mapping.NewKeywordFieldMapping()
	src.IncludeInAll = false
	src.Store = false
	doc.AddFieldMappingsAt(FieldSource, src)
	m.DefaultMapping = doc
	return m
}
