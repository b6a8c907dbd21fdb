package search

import (
	"container/heap"
	"context"
	"slices"
	"strings"

	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// topByScore collects the best n matches of a relevance-sorted search by
// score, best first, ties broken by uid, after an optional cursor: the
// order bleve gives with the sort [-_score, _id], without reading every
// match's uid. bleve's collector, asked for that sort, reads the stored _id
// of every match before comparing it (a random read of the stored-fields
// region per match: a quarter of a search's time on 300,000 cases). Here a
// match scoring below the n-th best score so far is dropped on its score
// alone. A match that ties with the n-th score is put aside without its
// uid; if a better match arrives before many have been put aside, the n-th
// score rises and they are dropped unread. Once maxTies are put aside, the
// uids of that score's matches are read and only the ones with the lowest
// uids kept; further matches of that score are then compared with the
// n-th by uid as they come. Uids are otherwise read at the end, for the n
// matches kept (and, with a cursor, for matches with the cursor's score).
//
// It is installed as bleve's document-match handler (the hook bleve offers
// for custom collection, search.MakeDocumentMatchHandlerKey) on a request
// sorted by score alone, so that bleve's collector reads no uid and keeps
// no hits of its own: everything else of the search (the total, facets,
// the deadline check) stays bleve's.
type topByScore struct {
	n     int
	after *scoreKey // the cursor, or nil
	// best holds at most n matches, the worst on top: lowest score, then
	// highest uid where both uids are known.
	best scoreHeap
	// ties are matches that scored best[0].score, did not fit in best and
	// whose uids are not read yet.
	ties []scored
	// sorted says that the matches in best with best[0].score all have
	// their uids read and that best[0] is the last of them by uid.
	sorted bool
	// page is the result, best first, once the search is done.
	page []scored
}

// maxTies is how many matches of the n-th score topByScore puts aside
// before it reads their uids. A variable for tests.
var maxTies = 64

// collectByScore selects topByScore for relevance pages without
// highlights. Tests turn it off to compare with bleve's own collector.
var collectByScore = true

// scored is a match kept by topByScore.
type scored struct {
	scoreKey
	iid  index.IndexInternalID
	typ  string
	seen bool // uid read
}

// readUID reads the match's uid (its stored _id), once.
func (m *scored) readUID(r index.IndexReader) error {
	if m.seen {
		return nil
	}
	id, err := r.ExternalID(m.iid)
	m.uid, m.seen = id, err == nil
	return err
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

// scoreHeap is a heap of matches with the worst on top.
type scoreHeap []scored

func (h scoreHeap) Len() int { return len(h) }
func (h scoreHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].seen && h[j].seen && h[i].uid > h[j].uid
}
func (h scoreHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *scoreHeap) Push(x any)   { *h = append(*h, x.(scored)) }
func (h *scoreHeap) Pop() any {
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
	return func(d *bsearch.DocumentMatch) error {
		if d == nil { // the search is done
			return c.finish(r)
		}
		err := c.add(r, d)
		sctx.DocumentMatchPool.Put(d)
		return err
	}, false, nil
}

func (c *topByScore) add(r index.IndexReader, d *bsearch.DocumentMatch) error {
	// m.iid borrows the pooled match's id until m is kept (cloned then).
	m := scored{scoreKey: scoreKey{score: d.Score}, iid: d.IndexInternalID}
	readUID := func() error { return m.readUID(r) }
	if c.after != nil {
		if d.Score > c.after.score {
			return nil
		}
		if d.Score == c.after.score {
			if err := readUID(); err != nil {
				return err
			}
			if m.uid <= c.after.uid {
				return nil
			}
		}
	}
	if len(c.best) < c.n {
		m.iid = slices.Clone(d.IndexInternalID)
		heap.Push(&c.best, m)
		c.sorted = false
		return nil
	}
	worst := c.best[0]
	switch {
	case d.Score < worst.score:
	case d.Score == worst.score && c.sorted:
		if err := readUID(); err != nil {
			return err
		}
		if m.uid < worst.uid {
			m.iid = slices.Clone(d.IndexInternalID)
			c.best[0] = m
			heap.Fix(&c.best, 0)
		}
	case d.Score == worst.score:
		m.iid = slices.Clone(d.IndexInternalID)
		c.ties = append(c.ties, m)
		if len(c.ties) >= maxTies {
			return c.settle(r)
		}
	default:
		m.iid = slices.Clone(d.IndexInternalID)
		c.best[0] = m
		heap.Fix(&c.best, 0)
		switch {
		case c.best[0].score != worst.score:
			// n matches now score higher than the ties
			c.ties, c.sorted = c.ties[:0], false
		case !c.sorted:
			c.ties = append(c.ties, worst)
		}
		// sorted: worst was the last of its score by uid; it goes.
	}
	return nil
}

// settle reads the uids of the matches of the n-th score, in best and put
// aside, and keeps in best those with the lowest uids.
func (c *topByScore) settle(r index.IndexReader) error {
	low := c.best[0].score
	group := c.ties
	keep := c.best[:0]
	for _, m := range c.best {
		if m.score == low {
			group = append(group, m)
		} else {
			keep = append(keep, m)
		}
	}
	room := c.n - len(keep)
	for i := range group {
		if err := group[i].readUID(r); err != nil {
			return err
		}
	}
	slices.SortFunc(group, func(a, b scored) int { return strings.Compare(a.uid, b.uid) })
	c.best = append(keep, group[:room]...)
	heap.Init(&c.best)
	c.ties, c.sorted = group[:0], true
	return nil
}

// finish reads the uids of the matches kept, orders them and reads the
// types of the page's hits from the type field's doc values, while the
// index reader is still open.
func (c *topByScore) finish(r index.IndexReader) error {
	if len(c.ties) > 0 {
		if err := c.settle(r); err != nil {
			return err
		}
	}
	page := []scored(c.best)
	for i := range page {
		if err := page[i].readUID(r); err != nil {
			return err
		}
	}
	slices.SortFunc(page, func(a, b scored) int {
		switch {
		case a.before(b.scoreKey):
			return -1
		case b.before(a.scoreKey):
			return 1
		}
		return 0
	})
	c.page = page
	if len(c.page) == 0 {
		return nil
	}
	dvr, err := r.DocValueReader([]string{fType})
	if err != nil {
		return err
	}
	for i := range c.page {
		err := dvr.VisitDocValues(c.page[i].iid, func(field string, term []byte) {
			if field == fType {
				c.page[i].typ = string(term)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
