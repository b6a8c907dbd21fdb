package search

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
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
