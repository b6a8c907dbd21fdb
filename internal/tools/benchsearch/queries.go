package main

import (
	"math/rand/v2"
	"strings"
	"unicode"
)

// benchQuery is one query of the latency set in the two syntaxes.
type benchQuery struct {
	Text  string `json:"text"`  // as sampled: one or two words
	Ours  string `json:"ours"`  // casegraph query syntax
	Neo4j string `json:"neo4j"` // Lucene classic query syntax
}

// named are phrases a user of casegraph types; they are used when the corpus
// has them.
var named = []string{"盗窃", "电动车", "危险驾驶", "醉酒", "交通肇事", "诈骗", "故意伤害", "毒品", "手机", "网络", "赌博", "抢劫"}

// sampleQueries draws n queries from the corpus, deterministically: the
// named phrases the corpus contains, then substrings of two to six Han
// characters of random titles and summaries, and one query in ten of two
// words taken from the same record (so that something matches). Every word
// is a phrase in both engines: "w" in ours (characters adjacent, in order, in
// one field) and "w" in Lucene's syntax (the same bigrams at consecutive
// positions in one field); two words are "a" "b" in ours and "a" AND "b" in
// Lucene's (both must match, each in any field).
func sampleQueries(cases []caseRec, n int, seed uint64) []benchQuery {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	seen := map[string]bool{}
	var qs []benchQuery
	add := func(words ...string) {
		k := strings.Join(words, " ")
		if seen[k] || len(qs) >= n {
			return
		}
		seen[k] = true
		q := benchQuery{Text: k}
		var ours, neo []string
		for _, w := range words {
			ours = append(ours, `"`+w+`"`)
			neo = append(neo, lucenePhrase(w))
		}
		q.Ours, q.Neo4j = strings.Join(ours, " "), strings.Join(neo, " AND ")
		qs = append(qs, q)
	}
	for _, w := range named {
		for _, c := range cases {
			if strings.Contains(c.Title, w) || strings.Contains(c.Summary, w) {
				add(w)
				break
			}
		}
	}
	for tries := 0; len(qs) < n && tries < 100*n; tries++ {
		c := cases[rng.IntN(len(cases))]
		runs := hanRuns(c.Title + "。" + c.Summary)
		if len(runs) == 0 {
			continue
		}
		a := substring(rng, runs[rng.IntN(len(runs))])
		if a == "" {
			continue
		}
		if rng.IntN(10) == 0 {
			b := substring(rng, runs[rng.IntN(len(runs))])
			if b == "" || strings.Contains(a, b) || strings.Contains(b, a) {
				continue
			}
			add(a, b)
			continue
		}
		add(a)
	}
	return qs
}

// hanRuns splits s into maximal runs of Han characters of length two or more.
func hanRuns(s string) [][]rune {
	var runs [][]rune
	var cur []rune
	for _, r := range s + " " {
		if unicode.Is(unicode.Han, r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) >= 2 {
			runs = append(runs, cur)
		}
		cur = nil
	}
	return runs
}

// substring returns a random substring of run of two to six characters.
func substring(rng *rand.Rand, run []rune) string {
	if len(run) < 2 {
		return ""
	}
	l := 2 + rng.IntN(min(6, len(run))-1)
	i := rng.IntN(len(run) - l + 1)
	return string(run[i : i+l])
}
