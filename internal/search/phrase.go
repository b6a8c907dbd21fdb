package search

import (
	"context"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// adjacentQuery is an exact phrase of single terms in one field: Terms[i]
// at position p+i for some p, an empty term being a slot that may hold
// anything. It matches the documents and gives the scores of bleve's
// MultiPhraseQuery with one term per slot, but checks positions directly on
// the term locations of each candidate, where bleve's phrase searcher first
// copies them into maps (DocumentMatch.Complete) and walks every path.
// It records no locations, so it is only for searches without highlights.
type adjacentQuery struct {
	Terms []string
	field string
	boost float64
}

// Field implements query.FieldableQuery.
func (q *adjacentQuery) Field() string { return q.field }

// SetField implements query.FieldableQuery.
func (q *adjacentQuery) SetField(f string) { q.field = f }

// Searcher implements query.Query.
func (q *adjacentQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	if !options.IncludeTermVectors && !options.Explain && options.Score != "none" && plainScoring(ctx) {
		return q.phraseSearcher(ctx, r, options)
	}
	keepLocations := options.IncludeTermVectors
	options.IncludeTermVectors = true
	s := &adjacentSearcher{keepLocations: keepLocations}
	var ts []bsearch.Searcher
	for i, t := range q.Terms {
		if t == "" {
			continue
		}
		s.terms = append(s.terms, t)
		s.offsets = append(s.offsets, uint64(i))
		t, err := searcher.NewTermSearcher(ctx, r, t, q.field, q.boost, options)
		if err != nil {
			for _, t := range ts {
				_ = t.Close()
			}
			return nil, err
		}
		ts = append(ts, t)
	}
	must, err := searcher.NewConjunctionSearcher(ctx, r, ts, options)
	if err != nil {
		for _, t := range ts {
			_ = t.Close()
		}
		return nil, err
	}
	s.must = must
	// as bleve's phrase searcher: the norm of its own weight until a parent
	// sets one
	s.must.SetQueryNorm(1 / math.Sqrt(s.must.Weight()))
	return s, nil
}

type adjacentSearcher struct {
	must          bsearch.Searcher
	terms         []string
	offsets       []uint64 // position of terms[i] relative to terms[0]
	keepLocations bool
}

// matches reports whether dm's term locations hold every term at its
// offset from one occurrence of the first term, in one array element.
func (s *adjacentSearcher) matches(dm *bsearch.DocumentMatch) bool {
	ftls := dm.FieldTermLocations
	for _, first := range ftls {
		if first.Term != s.terms[0] {
			continue
		}
		ok := true
		for i := 1; i < len(s.terms) && ok; i++ {
			ok = false
			for _, l := range ftls {
				if l.Term == s.terms[i] && l.Location.Pos == first.Location.Pos+s.offsets[i] &&
					l.Location.ArrayPositions.Equals(first.Location.ArrayPositions) {
					ok = true
					break
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (s *adjacentSearcher) check(ctx *bsearch.SearchContext, dm *bsearch.DocumentMatch, err error) (*bsearch.DocumentMatch, error) {
	for dm != nil && err == nil {
		if s.matches(dm) {
			if !s.keepLocations {
				dm.FieldTermLocations = dm.FieldTermLocations[:0]
			}
			return dm, nil
		}
		ctx.DocumentMatchPool.Put(dm)
		dm, err = s.must.Next(ctx)
	}
	return dm, err
}

func (s *adjacentSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	dm, err := s.must.Next(ctx)
	return s.check(ctx, dm, err)
}

func (s *adjacentSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	dm, err := s.must.Advance(ctx, id)
	return s.check(ctx, dm, err)
}

func (s *adjacentSearcher) Close() error               { return s.must.Close() }
func (s *adjacentSearcher) Weight() float64            { return s.must.Weight() }
func (s *adjacentSearcher) SetQueryNorm(n float64)     { s.must.SetQueryNorm(n) }
func (s *adjacentSearcher) Count() uint64              { return s.must.Count() }
func (s *adjacentSearcher) Min() int                   { return 0 }
func (s *adjacentSearcher) Size() int                  { return s.must.Size() + 64 }
func (s *adjacentSearcher) DocumentMatchPoolSize() int { return s.must.DocumentMatchPoolSize() + 1 }

// plainScoring reports whether ctx leaves bleve's term searchers as they
// are by default: tf-idf scoring and no synonyms. phraseSearcher scores as
// such a term searcher does.
func plainScoring(ctx context.Context) bool {
	if ctx == nil {
		return true
	}
	if ctx.Value(bsearch.FieldTermSynonymMapKey) != nil {
		return false
	}
	// bleve sets the callback on every search; it names BM25 when the
	// mapping asks for it
	if cb, ok := ctx.Value(bsearch.GetScoringModelCallbackKey).(bsearch.GetScoringModelCallbackFn); ok && cb() == index.BM25Scoring {
		return false
	}
	return true
}

// phraseSearcher is adjacentQuery's searcher for a search that wants
// neither term locations nor explanations (every search without
// highlights). It reads the phrase's postings directly, leapfrogging to
// the documents that hold every term, checks positions there and scores
// only the documents where the phrase is: the score of bleve's conjunction
// of the terms' term searchers (the same tf-idf term scorers, summed in the
// same order), without a term searcher's document match and term locations
// for every candidate. Its tests compare it with the searcher of
// adjacentSearcher, which is made of bleve's own term and conjunction
// searchers.
type phraseSearcher struct {
	// the terms in the order of bleve's conjunction searcher: by
	// ascending postings count, as sort.Sort leaves them
	readers []index.TermFieldReader
	scorers []*scorer.TermQueryScorer
	terms   []string
	offsets []uint64 // position of terms[i] relative to the phrase's first term
	counts  []uint64
	first   int // index of the phrase's first term (offset 0)
	tfds    []index.TermFieldDoc
	currs   []*index.TermFieldDoc
	started bool
	done    bool
}

// phraseOrder sorts the parallel slices of a phraseSearcher as bleve's
// OrderedSearcherList sorts term searchers, by Count.
type phraseOrder struct{ s *phraseSearcher }

func (o phraseOrder) Len() int           { return len(o.s.readers) }
func (o phraseOrder) Less(i, j int) bool { return o.s.counts[i] < o.s.counts[j] }
func (o phraseOrder) Swap(i, j int) {
	s := o.s
	s.readers[i], s.readers[j] = s.readers[j], s.readers[i]
	s.scorers[i], s.scorers[j] = s.scorers[j], s.scorers[i]
	s.terms[i], s.terms[j] = s.terms[j], s.terms[i]
	s.offsets[i], s.offsets[j] = s.offsets[j], s.offsets[i]
	s.counts[i], s.counts[j] = s.counts[j], s.counts[i]
}

func (q *adjacentQuery) phraseSearcher(ctx context.Context, r index.IndexReader, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	docTotal, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	s := &phraseSearcher{}
	for i, t := range q.Terms {
		if t == "" {
			continue
		}
		if err := bsearch.RecordTermSearcher(ctx); err != nil {
			_ = s.Close()
			return nil, err
		}
		tr, err := r.TermFieldReader(ctx, []byte(t), q.field, true, true, true)
		if err != nil {
			_ = s.Close()
			return nil, err
		}
		s.readers = append(s.readers, tr)
		s.scorers = append(s.scorers, scorer.NewTermQueryScorer([]byte(t), q.field, q.boost, docTotal, tr.Count(), 0, options))
		s.terms = append(s.terms, t)
		s.offsets = append(s.offsets, uint64(i))
		s.counts = append(s.counts, tr.Count())
	}
	sort.Sort(phraseOrder{s})
	for i, o := range s.offsets {
		if o == 0 {
			s.first = i
		}
	}
	s.tfds = make([]index.TermFieldDoc, len(s.readers))
	s.currs = make([]*index.TermFieldDoc, len(s.readers))
	// as adjacentSearcher: the norm of its own weight until a parent sets
	// one
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

func (s *phraseSearcher) read(i int, to index.IndexInternalID) error {
	var err error
	if to == nil {
		s.currs[i], err = s.readers[i].Next(s.tfds[i].Reset())
	} else {
		s.currs[i], err = s.readers[i].Advance(to, s.tfds[i].Reset())
	}
	if s.currs[i] == nil {
		s.done = true
	}
	return err
}

// align moves the readers until all are on one document or one is done.
func (s *phraseSearcher) align() error {
	for !s.done {
		maxID := s.currs[0].ID
		for _, c := range s.currs[1:] {
			if c.ID.Compare(maxID) > 0 {
				maxID = c.ID
			}
		}
		aligned := true
		for i, c := range s.currs {
			if c.ID.Compare(maxID) < 0 {
				aligned = false
				if err := s.read(i, maxID); err != nil || s.done {
					return err
				}
			}
		}
		if aligned {
			return nil
		}
	}
	return nil
}

// matches reports whether the current documents' locations hold every
// term at its offset from one occurrence of the first, in one array
// element.
func (s *phraseSearcher) matches() bool {
	for _, f := range s.currs[s.first].Vectors {
		ok := true
		for i := 0; i < len(s.currs) && ok; i++ {
			if i == s.first {
				continue
			}
			ok = false
			for _, v := range s.currs[i].Vectors {
				if v.Pos == f.Pos+s.offsets[i] && bsearch.ArrayPositions(v.ArrayPositions).Equals(f.ArrayPositions) {
					ok = true
					break
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// next returns the next document with the phrase, starting from where the
// readers are.
func (s *phraseSearcher) next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	for !s.done {
		if err := s.align(); err != nil || s.done {
			return nil, err
		}
		if s.matches() {
			var rv *bsearch.DocumentMatch
			var sum float64
			for i, c := range s.currs {
				vs := c.Vectors
				c.Vectors = nil // a score without locations
				dm := s.scorers[i].Score(ctx, c)
				c.Vectors = vs
				sum += dm.Score
				if i == 0 {
					rv = dm
				} else {
					ctx.DocumentMatchPool.Put(dm)
				}
			}
			rv.Score = sum
			// bleve's conjunction moves every reader on after a match
			for i := range s.currs {
				if err := s.read(i, nil); err != nil {
					return nil, err
				}
			}
			return rv, nil
		}
		if err := s.read(0, nil); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (s *phraseSearcher) start() error {
	s.started = true
	if len(s.readers) == 0 {
		s.done = true
	}
	for i := range s.readers {
		if err := s.read(i, nil); err != nil || s.done {
			return err
		}
	}
	return nil
}

func (s *phraseSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if !s.started {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	return s.next(ctx)
}

func (s *phraseSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	if !s.started {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	for i, c := range s.currs {
		if s.done {
			return nil, nil
		}
		if c.ID.Compare(id) < 0 {
			if err := s.read(i, id); err != nil {
				return nil, err
			}
		}
	}
	return s.next(ctx)
}

func (s *phraseSearcher) Close() error {
	var err error
	for _, r := range s.readers {
		if e := r.Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// Weight is the sum of the term scorers' weights, as a conjunction's.
func (s *phraseSearcher) Weight() float64 {
	var w float64
	for _, sc := range s.scorers {
		w += sc.Weight()
	}
	return w
}

func (s *phraseSearcher) SetQueryNorm(n float64) {
	for _, sc := range s.scorers {
		sc.SetQueryNorm(n)
	}
}

// Count is the sum of the terms' postings counts, as a conjunction's.
func (s *phraseSearcher) Count() uint64 {
	var n uint64
	for _, c := range s.counts {
		n += c
	}
	return n
}

func (s *phraseSearcher) Min() int                   { return 0 }
func (s *phraseSearcher) Size() int                  { return 64 + 128*len(s.readers) }
func (s *phraseSearcher) DocumentMatchPoolSize() int { return len(s.readers) + 1 }
