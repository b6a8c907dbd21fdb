package search

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/casegraph/casegraph"
)

// MaxQueryRunes is the longest query string Search accepts, in characters.
const MaxQueryRunes = 512

// fieldKind says how a field:value clause is matched.
type fieldKind int

const (
	kindText  fieldKind = iota // analysed text: words as a match (all bigrams), quoted as a phrase
	kindName                   // person names: always a phrase, so 钱晓东 needs the characters adjacent
	kindExact                  // one normalised token: width-folded, lower-cased
	kindFacet                  // the value as it is, as a term
)

// queryField is a field name of the query syntax.
type queryField struct {
	name   string
	kind   fieldKind
	fields []string // index fields searched, any of them may match
	// values, when set, are the only values allowed (compared after
	// normalize).
	values    []string
	normalize func(string) string
}

// queryFields lists the fields of the query syntax, in the order error
// messages name them.
var queryFields = []queryField{
	{name: "type", kind: kindFacet, fields: []string{fType}, values: []string{TypeCase, TypePerson}, normalize: strings.ToLower},
	{name: "uid", kind: kindFacet, fields: []string{fUID}},
	{name: "caseNo", kind: kindExact, fields: []string{fCaseNo}},
	{name: "idNumber", kind: kindExact, fields: []string{fIDNumber, fIDNumbers}},
	{name: "agency", kind: kindFacet, fields: []string{fAgency, fAgencies}},
	{name: "kind", kind: kindFacet, fields: []string{fKind}, values: caseKinds(), normalize: strings.ToUpper},
	{name: "stage", kind: kindFacet, fields: []string{fStage}, values: stages(), normalize: strings.ToUpper},
	{name: "charge", kind: kindFacet, fields: []string{fCharge}},
	{name: "district", kind: kindFacet, fields: []string{fDistrict}},
	{name: "year", kind: kindFacet, fields: []string{fYear}},
	{name: "title", kind: kindText, fields: []string{fTitle}},
	{name: "summary", kind: kindText, fields: []string{fSummary}},
	{name: "charges", kind: kindText, fields: []string{fCharges}},
	{name: "name", kind: kindName, fields: []string{fName, fPersons}},
	{name: "persons", kind: kindName, fields: []string{fPersons}},
}

func caseKinds() []string {
	var out []string
	for _, k := range casegraph.CaseKinds {
		out = append(out, string(k))
	}
	return out
}

func stages() []string {
	var out []string
	for _, s := range casegraph.Stages {
		out = append(out, string(s))
	}
	return out
}

// FieldNames returns the field names the query syntax knows.
func FieldNames() []string {
	out := make([]string, len(queryFields))
	for i, f := range queryFields {
		out[i] = f.name
	}
	return out
}

func lookupField(name string) (queryField, bool) {
	for _, f := range queryFields {
		if strings.EqualFold(f.name, name) {
			return f, true
		}
	}
	return queryField{}, false
}

// Boosts of the fields a plain word searches.
var plainText = []struct {
	field, analyzer string
	boost           float64
}{
	{fTitle, AnalyzerTextQuery, 3},
	{fPersons, AnalyzerNameQuery, 3},
	{fName, AnalyzerNameQuery, 3},
	{fCharges, AnalyzerTextQuery, 2},
	{fSummary, AnalyzerTextQuery, 1},
}

// A plain word equal to a case number or an identity number finds it.
var plainExact = []string{fCaseNo, fIDNumbers, fIDNumber}

const plainExactBoost = 10

// clause is one term of a parsed query.
type clause struct {
	pos    int    // 1-based character position where the clause starts
	neg    bool   // -clause: must not match
	field  string // "" for a plain word or phrase
	value  string
	quoted bool
}

func syntaxError(pos int, zh, en string, args ...any) error {
	return casegraph.Errorf(casegraph.EINVALID, "查询语法错误：第%d个字符处%s (%s at position %d)",
		pos, zh, fmt.Sprintf(en, args...), pos)
}

func invalid(zh, en string) error {
	return casegraph.Errorf(casegraph.EINVALID, "%s (%s)", zh, en)
}

func isQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '＂':
		return true
	}
	return false
}

func isASCIILetter(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }

// parse splits a query string into clauses. Positions in errors count
// characters from 1.
func parse(q string) ([]clause, error) {
	if n := utf8.RuneCountInString(q); n > MaxQueryRunes {
		return nil, invalid(fmt.Sprintf("查询过长：%d个字符，最多%d个", n, MaxQueryRunes),
			fmt.Sprintf("query too long: %d characters, at most %d", n, MaxQueryRunes))
	}
	if !utf8.ValidString(q) {
		return nil, invalid("查询含有无效的字符编码", "the query is not valid UTF-8")
	}
	rs := []rune(q)
	var out []clause
	i := 0
	for i < len(rs) {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		c := clause{pos: i + 1}
		if rs[i] == '-' {
			c.neg = true
			i++
			if i == len(rs) || unicode.IsSpace(rs[i]) {
				return nil, syntaxError(c.pos, "的减号后缺少要排除的词", "nothing to exclude after '-'")
			}
		}
		// field:value, the field being ASCII letters; the full-width colon
		// of a Chinese keyboard is accepted too.
		j := i
		for j < len(rs) && isASCIILetter(rs[j]) {
			j++
		}
		if j > i && j < len(rs) && (rs[j] == ':' || rs[j] == '：') {
			name := string(rs[i:j])
			f, ok := lookupField(name)
			if !ok {
				return nil, syntaxError(i+1, fmt.Sprintf("的字段 %s 不存在，可用字段：%s", name, strings.Join(FieldNames(), ", ")),
					"unknown field %q; known fields: %s", name, strings.Join(FieldNames(), ", "))
			}
			c.field = f.name
			i = j + 1
			if i == len(rs) || unicode.IsSpace(rs[i]) {
				return nil, syntaxError(j+1, fmt.Sprintf("的字段 %s 缺少值", f.name), "field %s has no value", f.name)
			}
		}
		if isQuote(rs[i]) {
			open := i
			k := i + 1
			for k < len(rs) && !isQuote(rs[k]) {
				k++
			}
			if k == len(rs) {
				return nil, syntaxError(open+1, "引号未闭合", "unbalanced quote")
			}
			c.value, c.quoted = strings.TrimSpace(string(rs[open+1:k])), true
			i = k + 1
			if c.value == "" {
				return nil, syntaxError(open+1, "的引号内为空", "empty quotes")
			}
		} else {
			k := i
			for k < len(rs) && !unicode.IsSpace(rs[k]) && !isQuote(rs[k]) {
				if rs[k] == '*' {
					return nil, syntaxError(k+1, "有通配符*，不支持通配符；请输入完整的词或用引号括起短语",
						"unsupported wildcard '*'")
				}
				k++
			}
			c.value = string(rs[i:k])
			i = k
		}
		out = append(out, c)
	}
	return out, nil
}

var analyzerCache = registry.NewCache()

func analyze(name, text string) (analysis.TokenStream, error) {
	a, err := analyzerCache.AnalyzerNamed(name)
	if err != nil {
		return nil, err
	}
	return a.Analyze([]byte(text)), nil
}

func matchQuery(field, analyzer, value string, boost float64) query.Query {
	q := query.NewMatchQuery(value)
	q.SetField(field)
	q.Analyzer = analyzer
	q.SetOperator(query.MatchQueryOperatorAnd)
	if boost != 1 {
		q.SetBoost(boost)
	}
	return q
}

// phraseQuery matches value's tokens (analysed with analyzer) at
// consecutive positions of field. A value of one token (a two-character
// word is one bigram) needs no position check, so it becomes a term query:
// the same documents and scores without reading the positions of every
// match. Unless highlight is set, a longer phrase leaves out the bigrams
// its neighbours cover (coverPhrase): the same documents, fewer positions
// read; bleve's highlighter would mark such a phrase in pieces, so a
// highlighted search checks every bigram.
func phraseQuery(field, analyzer, value string, boost float64, highlight bool) query.Query {
	if toks, err := analyze(analyzer, value); err == nil && len(toks) == 1 {
		q := query.NewTermQuery(string(toks[0].Term))
		q.SetField(field)
		if boost != 1 {
			q.SetBoost(boost)
		}
		return q
	}
	if slots, _ := coverPhrase(toksOrNil(analyzer, value)); slots != nil && !highlight {
		return &adjacentQuery{Terms: slots, field: field, boost: boost}
	}
	q := query.NewMatchPhraseQuery(value)
	q.SetField(field)
	q.Analyzer = analyzer
	if boost != 1 {
		q.SetBoost(boost)
	}
	return q
}

func toksOrNil(analyzer, value string) analysis.TokenStream {
	toks, _ := analyze(analyzer, value)
	return toks
}

// coverPhrase returns the phrase of toks by position ("" for a position
// that may hold anything), with the middle bigrams of every run of
// consecutive bigrams left out where a neighbour on each side covers its
// characters, and whether it left any out. Positions are character
// positions (a bigram sits at its first character, dropped text leaves a
// gap), so 危险@p and 驾驶@p+2 in one field mean 危险驾驶 is there, 险驾@p+1
// included. It returns nil for fewer than two tokens or when a position
// holds more than one token.
func coverPhrase(toks analysis.TokenStream) (slots []string, dropped bool) {
	if len(toks) < 2 {
		return nil, false
	}
	first := toks[0].Position
	terms := make([]string, toks[len(toks)-1].Position-first+1)
	bigram := make([]bool, len(terms))
	for _, t := range toks {
		i := t.Position - first
		if i < 0 || i >= len(terms) || terms[i] != "" || len(t.Term) == 0 {
			return nil, false
		}
		terms[i] = string(t.Term)
		bigram[i] = utf8.RuneCount(t.Term) == 2 && t.Type == analysis.Double
	}
	for i := 0; i < len(terms); {
		if !bigram[i] {
			i++
			continue
		}
		j := i // the run of bigrams at consecutive positions is i..j
		for j+1 < len(terms) && bigram[j+1] {
			j++
		}
		// keep i, i+2, i+4, … and j: each kept bigram's second character
		// is the next kept one's first, or they overlap.
		for k := i + 1; k < j; k++ {
			if (k-i)%2 == 1 {
				terms[k] = ""
				dropped = true
			}
		}
		i = j + 1
	}
	return terms, dropped
}

func termQuery(field, value string) query.Query {
	q := query.NewTermQuery(value)
	q.SetField(field)
	return q
}

func anyOf(qs ...query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// searchable reports whether the text analyser keeps anything of value.
func searchable(value string) (bool, error) {
	toks, err := analyze(AnalyzerTextQuery, value)
	return len(toks) > 0, err
}

// build turns a clause into a bleve query. It returns nil for a plain word
// with nothing searchable in it (punctuation only), which is skipped.
// highlight builds phrases for highlighting (phraseQuery).
func (c clause) build(highlight bool) (query.Query, error) {
	ok, err := searchable(c.value)
	if err != nil {
		return nil, err
	}
	if c.field == "" {
		if !ok {
			return nil, nil
		}
		var qs []query.Query
		for _, f := range plainText {
			if c.quoted {
				qs = append(qs, phraseQuery(f.field, f.analyzer, c.value, f.boost, highlight))
			} else {
				qs = append(qs, matchQuery(f.field, f.analyzer, c.value, f.boost))
			}
		}
		for _, f := range plainExact {
			qs = append(qs, matchQuery(f, AnalyzerExact, c.value, plainExactBoost))
		}
		return anyOf(qs...), nil
	}
	f, _ := lookupField(c.field)
	var qs []query.Query
	switch f.kind {
	case kindText, kindName:
		if !ok {
			return nil, syntaxError(c.pos, fmt.Sprintf("的 %s 值不含可检索的文字", f.name), "the value of %s has nothing searchable", f.name)
		}
		for _, field := range f.fields {
			switch {
			case f.kind == kindName:
				qs = append(qs, phraseQuery(field, AnalyzerNameQuery, c.value, 1, highlight))
			case c.quoted:
				qs = append(qs, phraseQuery(field, AnalyzerTextQuery, c.value, 1, highlight))
			default:
				qs = append(qs, matchQuery(field, AnalyzerTextQuery, c.value, 1))
			}
		}
	case kindExact:
		for _, field := range f.fields {
			qs = append(qs, matchQuery(field, AnalyzerExact, c.value, 1))
		}
	case kindFacet:
		v, err := facetValue(f, c.value)
		if err != nil {
			return nil, syntaxError(c.pos, fmt.Sprintf("的 %s 值 %s 无效，可选：%s", f.name, c.value, strings.Join(f.values, ", ")),
				"%s: %q is not one of %s", f.name, c.value, strings.Join(f.values, ", "))
		}
		for _, field := range f.fields {
			qs = append(qs, termQuery(field, v))
			// 罪名 are stored with 罪 (盗窃罪); people often leave it off.
			if field == fCharge && !strings.HasSuffix(v, "罪") {
				qs = append(qs, termQuery(field, v+"罪"))
			}
		}
	}
	return anyOf(qs...), nil
}

// facetValue normalises a facet value and checks it against the field's
// allowed values.
func facetValue(f queryField, v string) (string, error) {
	v = strings.TrimSpace(v)
	if f.normalize != nil {
		v = f.normalize(v)
	}
	if f.values != nil && !slices.Contains(f.values, v) {
		return "", fmt.Errorf("not allowed")
	}
	return v, nil
}

// parsedQuery is a query string as bleve queries.
type parsedQuery struct {
	must, mustNot []query.Query
}

func (p parsedQuery) empty() bool { return len(p.must) == 0 && len(p.mustNot) == 0 }

// parseQuery parses and builds a query string. An empty or blank query
// gives an empty parsedQuery; the caller decides whether that is allowed.
// highlight builds phrases for highlighting (phraseQuery).
func parseQuery(q string, highlight bool) (parsedQuery, error) {
	var p parsedQuery
	clauses, err := parse(q)
	if err != nil {
		return p, err
	}
	for _, c := range clauses {
		bq, err := c.build(highlight)
		if err != nil {
			return p, err
		}
		if bq == nil {
			continue
		}
		if c.neg {
			p.mustNot = append(p.mustNot, bq)
		} else {
			p.must = append(p.must, bq)
		}
	}
	if len(clauses) > 0 && p.empty() {
		return p, invalid("查询不含可检索的文字", "the query has nothing searchable in it")
	}
	return p, nil
}
