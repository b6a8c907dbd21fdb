package eval

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Query modes: a bleve match query (the analysed query's terms OR'ed,
// scored with tf-idf) and a match-phrase query (all terms at the query's
// relative positions).
const (
	ModeMatch  = "match"
	ModePhrase = "phrase"
)

// Modes lists the query modes in report order.
var Modes = []string{ModeMatch, ModePhrase}

// IndexStats describes one index build.
type IndexStats struct {
	Analyzer  string // the scheme's name in reports
	Docs      int
	TextBytes int64         // UTF-8 bytes of text indexed
	Bytes     int64         // on-disk size after Close
	Elapsed   time.Duration // bleve.New to Close, batches of BatchSize
}

// DocsPerSec is the indexing speed in documents per second.
func (s IndexStats) DocsPerSec() float64 { return float64(s.Docs) / s.Elapsed.Seconds() }

// BatchSize is the number of documents per bleve batch.
const BatchSize = 256

// BuildIndex creates a scorch index at dir with analyzer on the text field,
// indexes docs in batches, closes it (so its size on disk is final) and
// reopens it for searching.
func BuildIndex(dir, analyzer string, docs []Doc) (bleve.Index, IndexStats, error) {
	st := IndexStats{Analyzer: analyzer, Docs: len(docs)}
	start := time.Now()
	idx, err := bleve.New(dir, NewIndexMapping(analyzer, false))
	if err != nil {
		return nil, st, err
	}
	b := idx.NewBatch()
	for _, d := range docs {
		st.TextBytes += int64(len(d.Text))
		if err := b.Index(d.ID, map[string]interface{}{FieldText: d.Text, FieldSource: d.Source}); err != nil {
			idx.Close()
			return nil, st, err
		}
		if b.Size() >= BatchSize {
			if err := idx.Batch(b); err != nil {
				idx.Close()
				return nil, st, err
			}
			b.Reset()
		}
	}
	if b.Size() > 0 {
		if err := idx.Batch(b); err != nil {
			idx.Close()
			return nil, st, err
		}
	}
	if err := idx.Close(); err != nil {
		return nil, st, err
	}
	st.Elapsed = time.Since(start)
	st.Bytes, err = DirSize(dir)
	if err != nil {
		return nil, st, err
	}
	idx, err = bleve.Open(dir)
	return idx, st, err
}

// DirSize is the bytes of the files under dir (an index on disk).
func DirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// Search runs q in mode, analysed with analyzer, against the documents of
// q.Source and returns the ids of every matching document, best first
// (ties by id), at most limit.
func Search(idx bleve.Index, q Query, mode, analyzer string, limit int) ([]string, error) {
	var text query.Query
	switch mode {
	case ModeMatch:
		m := bleve.NewMatchQuery(q.Text)
		m.SetField(FieldText)
		m.Analyzer = analyzer
		text = m
	case ModePhrase:
		m := bleve.NewMatchPhraseQuery(q.Text)
		m.SetField(FieldText)
		m.Analyzer = analyzer
		text = m
	default:
		return nil, fmt.Errorf("unknown mode %q", mode)
	}
	src := bleve.NewTermQuery(q.Source)
	src.SetField(FieldSource)
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(text, src), limit, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := idx.Search(req)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// Metrics of one ranked result list against a relevant set.
//
//   - P10: relevant documents among the first 10, divided by 10.
//   - RPrec: recall at R = |relevant|: relevant documents among the first R,
//     divided by R (R-precision; 1 means the relevant set is ranked first).
//   - MRR10: 1/rank of the first relevant document within the first 10,
//     else 0.
//   - Recall: relevant documents matched at all (any rank), divided by R:
//     whether the analyzer can find them.
//   - SetPrec: relevant documents among all matches, divided by the number
//     of matches (0 when nothing matched): for phrase queries, whose
//     result set is the answer.
//   - Hits: number of matches.
type Metrics struct {
	P10, RPrec, MRR10, Recall, SetPrec float64
	Hits                               float64
	// Latency is only filled in by Mean (the mean of Result.Latency).
	Latency time.Duration
}

// Score computes Metrics for ranked (best first, every match) against rel.
func Score(ranked []string, rel map[string]bool) Metrics {
	var m Metrics
	r := len(rel)
	found := 0
	for i, id := range ranked {
		if !rel[id] {
			continue
		}
		found++
		if i < 10 {
			m.P10++
			if m.MRR10 == 0 {
				m.MRR10 = 1 / float64(i+1)
			}
		}
		if i < r {
			m.RPrec++
		}
	}
	m.P10 /= 10
	if r > 0 {
		m.RPrec /= float64(r)
		m.Recall = float64(found) / float64(r)
	}
	if len(ranked) > 0 {
		m.SetPrec = float64(found) / float64(len(ranked))
	}
	m.Hits = float64(len(ranked))
	return m
}

// Result is one query run. Latency is the time of a separate top-10
// search of the same query (what a search box asks for).
type Result struct {
	Analyzer, Mode string
	Query          Query
	Latency        time.Duration
	Metrics
}

// Run searches every query in every mode on an index built with s.Index
// and scores it. limit must be at least the number of documents of a
// source so that Recall sees every match.
func Run(idx bleve.Index, s Scheme, qs []Query, limit int) ([]Result, error) {
	var out []Result
	for _, q := range qs {
		for _, mode := range Modes {
			ids, err := Search(idx, q, mode, s.Query, limit)
			if err != nil {
				return nil, fmt.Errorf("%s %s %s: %w", s.Name, mode, q.ID, err)
			}
			start := time.Now()
			if _, err := Search(idx, q, mode, s.Query, 10); err != nil {
				return nil, fmt.Errorf("%s %s %s: %w", s.Name, mode, q.ID, err)
			}
			out = append(out, Result{Analyzer: s.Name, Mode: mode, Query: q,
				Latency: time.Since(start), Metrics: Score(ids, q.Relevant)})
		}
	}
	return out, nil
}

// Mean averages the metrics of the results that keep returns true for,
// and returns how many there were.
func Mean(rs []Result, keep func(Result) bool) (Metrics, int) {
	var m Metrics
	n := 0
	for _, r := range rs {
		if !keep(r) {
			continue
		}
		n++
		m.P10 += r.P10
		m.RPrec += r.RPrec
		m.MRR10 += r.MRR10
		m.Recall += r.Recall
		m.SetPrec += r.SetPrec
		m.Hits += r.Hits
		m.Latency += r.Latency
	}
	if n > 0 {
		f := float64(n)
		m.P10 /= f
		m.RPrec /= f
		m.MRR10 /= f
		m.Recall /= f
		m.SetPrec /= f
		m.Hits /= f
		m.Latency /= time.Duration(n)
	}
	return m, n
}

// InOverall reports whether a query class counts in the overall averages
// (the masked-name diagnostic does not).
func InOverall(class string) bool { return class != ClassMasked }

// Report writes the Markdown tables: one summary row per analyzer (index
// size and speed, overall match and phrase metrics) and one row per class,
// analyzer and mode.
func Report(stats []IndexStats, rs []Result) string {
	var b strings.Builder
	const mib = 1 << 20
	fmt.Fprintf(&b, "| analyzer | index size | bytes per text byte | index time | docs/s | match P@10 | match R-prec | match MRR@10 | match recall | match ms | phrase P@10 | phrase MRR@10 | phrase recall | phrase set precision | phrase ms |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range stats {
		mm, _ := Mean(rs, func(r Result) bool {
			return r.Analyzer == s.Analyzer && r.Mode == ModeMatch && InOverall(r.Query.Class)
		})
		pm, _ := Mean(rs, func(r Result) bool {
			return r.Analyzer == s.Analyzer && r.Mode == ModePhrase && InOverall(r.Query.Class)
		})
		fmt.Fprintf(&b, "| `%s` | %.1f MiB | %.2f | %.2f s | %.0f | %.3f | %.3f | %.3f | %.3f | %.2f | %.3f | %.3f | %.3f | %.3f | %.2f |\n",
			s.Analyzer, float64(s.Bytes)/mib, float64(s.Bytes)/float64(s.TextBytes), s.Elapsed.Seconds(), s.DocsPerSec(),
			mm.P10, mm.RPrec, mm.MRR10, mm.Recall, ms(mm.Latency), pm.P10, pm.MRR10, pm.Recall, pm.SetPrec, ms(pm.Latency))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "| class | queries | analyzer | mode | P@10 | R-prec | MRR@10 | recall | set precision | mean matches |\n")
	fmt.Fprintf(&b, "|---|---:|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, class := range Classes {
		for _, s := range stats {
			for _, mode := range Modes {
				m, n := Mean(rs, func(r Result) bool {
					return r.Analyzer == s.Analyzer && r.Mode == mode && r.Query.Class == class
				})
				if n == 0 {
					continue
				}
				fmt.Fprintf(&b, "| %s | %d | `%s` | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f |\n",
					class, n, s.Analyzer, mode, m.P10, m.RPrec, m.MRR10, m.Recall, m.SetPrec, m.Hits)
			}
		}
	}
	return b.String()
}

// QuerySetSummary describes the query set by class: number of queries and
// relevant-set sizes (no query texts, since some are people's names).
func QuerySetSummary(qs []Query) string {
	var b strings.Builder
	b.WriteString("| class | queries | relevant docs per query (min / median / max) |\n|---|---:|---|\n")
	for _, class := range Classes {
		var sizes []int
		for _, q := range qs {
			if q.Class == class {
				sizes = append(sizes, len(q.Relevant))
			}
		}
		if len(sizes) == 0 {
			continue
		}
		sort.Ints(sizes)
		fmt.Fprintf(&b, "| %s | %d | %d / %d / %d |\n", class, len(sizes), sizes[0], sizes[len(sizes)/2], sizes[len(sizes)-1])
	}
	return b.String()
}

// Differences lists, for the classes whose query texts are not names, the
// queries where analyzers a and b differ most in phrase recall or match
// MRR@10 (at most 12 of each), to show what the averages hide.
func Differences(rs []Result, a, b string) string {
	type pair struct {
		q      Query
		ma, mb Metrics
	}
	byKey := map[string]*pair{}
	var keys []string
	for _, r := range rs {
		if r.Analyzer != a && r.Analyzer != b {
			continue
		}
		switch r.Query.Class {
		case ClassCharge, ClassDrug, ClassPlace:
		default:
			continue
		}
		k := r.Mode + "\x00" + r.Query.ID
		p := byKey[k]
		if p == nil {
			p = &pair{q: r.Query}
			byKey[k] = p
			keys = append(keys, k)
		}
		if r.Analyzer == a {
			p.ma = r.Metrics
		} else {
			p.mb = r.Metrics
		}
	}
	var sb strings.Builder
	for _, sec := range []struct {
		mode, metric string
		get          func(Metrics) float64
	}{
		{ModePhrase, "phrase recall", func(m Metrics) float64 { return m.Recall }},
		{ModeMatch, "match MRR@10", func(m Metrics) float64 { return m.MRR10 }},
	} {
		var ps []*pair
		for _, k := range keys {
			p := byKey[k]
			if strings.HasPrefix(k, sec.mode+"\x00") && sec.get(p.ma) != sec.get(p.mb) {
				ps = append(ps, p)
			}
		}
		d := func(p *pair) float64 { return sec.get(p.mb) - sec.get(p.ma) }
		abs := func(x float64) float64 {
			if x < 0 {
				return -x
			}
			return x
		}
		sort.SliceStable(ps, func(i, j int) bool {
			di, dj := abs(d(ps[i])), abs(d(ps[j]))
			if di != dj {
				return di > dj
			}
			return ps[i].q.ID < ps[j].q.ID
		})
		fmt.Fprintf(&sb, "%s differs on %d queries (`%s` vs `%s`, largest first):\n\n", sec.metric, len(ps), a, b)
		fmt.Fprintf(&sb, "| class | query | relevant | `%s` | `%s` |\n|---|---|---:|---:|---:|\n", a, b)
		for i, p := range ps {
			if i == 12 {
				break
			}
			fmt.Fprintf(&sb, "| %s | %s | %d | %.3f | %.3f |\n", p.q.Class, p.q.Text, len(p.q.Relevant), sec.get(p.ma), sec.get(p.mb))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
