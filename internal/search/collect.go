package search

import (
	"container/heap"
	"context"
	"slices"

	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// topByScore collects the best n matches of a relevance-sorted search by
// score, best first, ties broken by uid, after an optional cursor: the
// order bleve gives with the sort [-_score, _id], without reading every
// match's uid. bleve's collector, asked for that sort, reads the stored _id
// of every match before comparing it (a random read of the stored-fields
// region per match: a quarter of a search's time on 300,000 cases). Here a
// match whose score cannot enter the page is dropped on its score alone,
// and the uid is read only for a match that enters the page or ties with
// the cursor or with the page's last hit, where the uid decides.
//
// It is installed as bleve's document-match handler (the hook bleve offers
// for custom collection, search.MakeDocumentMatchHandlerKey) on a request
// sorted by score alone, so that bleve's collector reads no uid and keeps
// no hits of its own: everything else of the search (the total, facets,
// the deadline check) stays bleve's.
type topByScore struct {
	n     int
	after *scoreKey // the cursor, or nil
	h     hitHeap
	// page holds the hits best first and types their types, once the
	// search is done.
	page  []*bsearch.DocumentMatch
	types []string
}

// scoreKey is the position of a hit in relevance order.
type scoreKey struct {
	score float64
	uid   string
}

// before reports whether a sorts before b: higher score, then lower uid.
func (a scoreKey) before(b scoreKey) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.uid < b.uid
}

// hitHeap is a heap of matches whose top is the worst (last in relevance
// order). Every match in it has its ID loaded.
type hitHeap []*bsearch.DocumentMatch

func key(d *bsearch.DocumentMatch) scoreKey { return scoreKey{d.Score, d.ID} }

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return key(h[j]).before(key(h[i])) }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(*bsearch.DocumentMatch)) }
func (h *hitHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	*h = old[:len(old)-1]
	return d
}

// install returns ctx with c as the document-match handler of the search
// run with it.
func (c *topByScore) install(ctx context.Context) context.Context {
	return context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(c.handler))
}

func (c *topByScore) handler(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
	r := sctx.IndexReader
	loadID := func(d *bsearch.DocumentMatch) error {
		if d.ID != "" {
			return nil
		}
		id, err := r.ExternalID(d.IndexInternalID)
		d.ID = id
		return err
	}
	drop := func(d *bsearch.DocumentMatch) error {
		sctx.DocumentMatchPool.Put(d)
		return nil
	}
	return func(d *bsearch.DocumentMatch) error {
		if d == nil { // the search is done
			return c.finish(r)
		}
		if c.after != nil {
			if d.Score > c.after.score {
				return drop(d)
			}
			if d.Score == c.after.score {
				if err := loadID(d); err != nil {
					return err
				}
				if d.ID <= c.after.uid {
					return drop(d)
				}
			}
		}
		if len(c.h) == c.n {
			worst := c.h[0]
			if d.Score < worst.Score {
				return drop(d)
			}
			if err := loadID(d); err != nil {
				return err
			}
			if !key(d).before(key(worst)) {
				return drop(d)
			}
			c.h[0] = d
			heap.Fix(&c.h, 0)
			return drop(worst)
		}
		if err := loadID(d); err != nil {
			return err
		}
		heap.Push(&c.h, d)
		return nil
	}, false, nil
}

// finish orders the page and reads the type of its hits from the type
// field's doc values, while the index reader is still open.
func (c *topByScore) finish(r index.IndexReader) error {
	c.page = slices.Clone(c.h)
	slices.SortFunc(c.page, func(a, b *bsearch.DocumentMatch) int {
		switch {
		case key(a).before(key(b)):
			return -1
		case key(b).before(key(a)):
			return 1
		}
		return 0
	})
	c.types = make([]string, len(c.page))
	if len(c.page) == 0 {
		return nil
	}
	dvr, err := r.DocValueReader([]string{fType})
	if err != nil {
		return err
	}
	for i, d := range c.page {
		err := dvr.VisitDocValues(d.IndexInternalID, func(field string, term []byte) {
			if field == fType {
				c.types[i] = string(term)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
