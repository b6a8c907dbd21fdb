// Package searchsync keeps the search index (internal/search) consistent
// with the graph. Three paths feed it:
//
//   - Touched: after ingest or a mutation commits, the cases it touched and
//     their persons are read from the graph and indexed (a case no longer in
//     the graph is deleted from the index);
//   - CatchUp: from the high-water mark kept inside the index, every case and
//     person whose updatedAt is at or after it (less an overlap, for
//     transactions that committed out of order) is read in keyset pages and
//     indexed, and the mark advances with the documents; Run does it at start
//     and then periodically, so a gap left by a crash or a failed Touched is
//     repaired;
//   - Rebuild: a new index is filled from the whole graph beside the live one
//     and swapped in while searches go on; the server does it when the index
//     cannot be opened or its mapping version changed.
package searchsync

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/search"
)

// Source is what the syncer reads from the graph.
type Source interface {
	SearchCasesByUID(ctx context.Context, uids []string) ([]neo4jdb.SearchCase, error)
	SearchPersonsOfCases(ctx context.Context, caseUIDs []string) ([]neo4jdb.SearchPerson, error)
	CasesChangedSince(ctx context.Context, since time.Time, after *neo4jdb.ChangeKey, limit int) ([]neo4jdb.SearchCase, error)
	PersonsChangedSince(ctx context.Context, since time.Time, after *neo4jdb.ChangeKey, limit int) ([]neo4jdb.SearchPerson, error)
}

// Overlap is how far before the high-water mark a catch-up starts reading:
// a transaction that took its updatedAt before the mark but committed after
// the last catch-up is still seen.
const Overlap = 2 * time.Minute

const page = 1000

// Syncer feeds one search index from one graph.
type Syncer struct {
	src Source
	idx *search.Manager
	log *slog.Logger
	mu  sync.Mutex // one catch-up or rebuild at a time

	// broken is set when bleve panicked applying a batch: the live index
	// is unusable and Run rebuilds it.
	broken atomic.Bool

	// The lag measurement (WithLag); covered and started belong to Run's
	// goroutine.
	newest  func(context.Context) (time.Time, error)
	gauge   LagGauge
	covered time.Time // the newest case change the index is known to hold
	started time.Time
}

// Option configures a Syncer.
type Option func(*Syncer)

// LagGauge receives how far the index is behind the graph, and when it last
// caught up (internal/metrics).
type LagGauge interface {
	SetIndexLag(d time.Duration)
	IndexCaughtUp(at time.Time)
}

// WithLag has Run measure, after each catch-up or rebuild, how far the index
// is behind the graph: the graph's newest case updatedAt (read by newest)
// less the newest change the index is known to hold — its high-water mark,
// or the graph's newest change read before a catch-up that then succeeded
// (everything up to it was read). The second matters because the mark is
// the older of the case and person streams' last change and stays behind
// while only cases change. While the index holds nothing the lag is the
// time since Run started. While the graph cannot be read the last value
// stays.
func WithLag(newest func(context.Context) (time.Time, error), g LagGauge) Option {
	return func(s *Syncer) { s.newest, s.gauge = newest, g }
}

// New returns a syncer.
func New(src Source, idx *search.Manager, log *slog.Logger, opts ...Option) *Syncer {
	if log == nil {
		log = slog.Default()
	}
	s := &Syncer{src: src, idx: idx, log: log}
	for _, o := range opts {
		o(s)
	}
	return s
}

// CaseDoc is the search document of a case.
func CaseDoc(c neo4jdb.SearchCase) *search.CaseDoc {
	return &search.CaseDoc{UID: c.UID, CaseNo: c.CaseNo, AgencyCode: c.Agency, Kind: c.Kind, Stage: c.Stage, Charges: c.Charges,
		District: c.District, FiledAt: c.FiledAt, Title: c.Title, Summary: c.Summary, Persons: c.Persons, IDNumbers: c.IDNumbers,
		Sealed: c.Sealed, ScopeAgencies: c.Scope}
}

// PersonDoc is the search document of a person.
func PersonDoc(p neo4jdb.SearchPerson) *search.PersonDoc {
	return &search.PersonDoc{UID: p.UID, Name: p.Name, IDNumber: p.IDNumber, Agencies: p.Agencies, ScopeAgencies: p.Scope, Sealed: p.Sealed}
}

// apply writes a batch to an index, turning a panic inside bleve into an
// error and marking the index for a rebuild. After a segment fails to
// persist (the index directory's disk full) bleve v2.6.3 keeps the closed
// segment in its root, and every later batch on that index panics in zapx
// ("assignment to entry in nil map"); without this the panic would end the
// process from the ingest job or the mutation that committed.
func (s *Syncer) apply(ctx context.Context, apply func(context.Context, search.Batch) error, b search.Batch) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.broken.Store(true)
			err = fmt.Errorf("search index unusable (bleve panicked: %v); it is rebuilt from the graph", p)
		}
	}()
	return apply(ctx, b)
}

// Touched indexes the given cases and their persons as the graph holds them
// now; cases the graph no longer has are deleted from the index.
func (s *Syncer) Touched(ctx context.Context, caseUIDs []string) error {
	if len(caseUIDs) == 0 {
		return nil
	}
	cases, err := s.src.SearchCasesByUID(ctx, caseUIDs)
	if err != nil {
		return err
	}
	persons, err := s.src.SearchPersonsOfCases(ctx, caseUIDs)
	if err != nil {
		return err
	}
	var b search.Batch
	found := map[string]bool{}
	for _, c := range cases {
		found[c.UID] = true
		b.Upsert = append(b.Upsert, CaseDoc(c))
	}
	for _, p := range persons {
		b.Upsert = append(b.Upsert, PersonDoc(p))
	}
	for _, uid := range caseUIDs {
		if !found[uid] {
			b.Delete = append(b.Delete, uid)
		}
	}
	return s.apply(ctx, s.idx.Apply, b)
}

// CatchUp indexes everything changed since the index's high-water mark and
// returns how many documents it wrote.
func (s *Syncer) CatchUp(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hw, err := s.idx.HighWater()
	if err != nil {
		return 0, err
	}
	since := time.Time{}
	if !hw.IsZero() {
		since = hw.Add(-Overlap)
	}
	return fill(ctx, s.src, since, func(ctx context.Context, b search.Batch) error { return s.apply(ctx, s.idx.Apply, b) })
}

// fill reads every case and person changed since a time, in pages, and
// applies them; the high-water mark rises to the last updatedAt written.
func fill(ctx context.Context, src Source, since time.Time, apply func(context.Context, search.Batch) error) (int, error) {
	n := 0
	var after *neo4jdb.ChangeKey
	for {
		cs, err := src.CasesChangedSince(ctx, since, after, page)
		if err != nil {
			return n, err
		}
		if len(cs) == 0 {
			break
		}
		// The mark covers persons too, so it is written once both kinds
		// are indexed (below).
		var b search.Batch
		for _, c := range cs {
			b.Upsert = append(b.Upsert, CaseDoc(c))
		}
		last := cs[len(cs)-1]
		after = &neo4jdb.ChangeKey{At: last.UpdatedAt, UID: last.UID}
		if err := apply(ctx, b); err != nil {
			return n, err
		}
		n += len(cs)
		if len(cs) < page {
			break
		}
	}
	caseMark := time.Time{}
	if after != nil {
		caseMark = after.At
	}
	after = nil
	var personMark time.Time
	for {
		ps, err := src.PersonsChangedSince(ctx, since, after, page)
		if err != nil {
			return n, err
		}
		if len(ps) == 0 {
			break
		}
		var b search.Batch
		for _, p := range ps {
			b.Upsert = append(b.Upsert, PersonDoc(p))
		}
		last := ps[len(ps)-1]
		after = &neo4jdb.ChangeKey{At: last.UpdatedAt, UID: last.UID}
		personMark = last.UpdatedAt
		if err := apply(ctx, b); err != nil {
			return n, err
		}
		n += len(ps)
		if len(ps) < page {
			break
		}
	}
	// The new mark is the older of the two streams' last change: everything
	// at or before it of both kinds is indexed.
	mark := caseMark
	if mark.IsZero() || (!personMark.IsZero() && personMark.Before(mark)) {
		mark = personMark
	}
	if !mark.IsZero() {
		if err := apply(ctx, search.Batch{HighWater: mark}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Rebuild fills a new index from the whole graph and swaps it in, then
// catches up with what changed during the fill.
func (s *Syncer) Rebuild(ctx context.Context) (int, error) {
	s.mu.Lock()
	n := 0
	err := s.idx.Rebuild(ctx, func(ix *search.Index) error {
		var err error
		n, err = fill(ctx, s.src, time.Time{}, func(ctx context.Context, b search.Batch) error { return s.apply(ctx, ix.Apply, b) })
		return err
	})
	s.mu.Unlock()
	if err != nil {
		return n, fmt.Errorf("searchsync.Rebuild: %w", err)
	}
	s.broken.Store(false)
	m, err := s.CatchUp(ctx)
	return n + m, err
}

// Run brings the index up to date when the server starts — rebuilding it
// when it cannot be used, with a log line that says why — then catches up
// every interval until ctx ends. A failed rebuild is tried again at the
// next interval.
func (s *Syncer) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	s.started = time.Now()
	for {
		before, known := s.readNewest(ctx)
		ok := false
		why := s.idx.NeedsRebuild()
		if why == nil && s.broken.Load() {
			why = fmt.Errorf("a batch could not be applied to the live index (see the earlier error)")
		}
		if why != nil {
			s.log.WarnContext(ctx, "search index is being rebuilt from the graph", "reason", why.Error())
			start := time.Now()
			n, err := s.Rebuild(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				s.log.ErrorContext(ctx, "search index rebuild failed; searches answer from an incomplete index until the next attempt", "err", err)
			default:
				ok = true
				s.log.InfoContext(ctx, "search index rebuilt", "documents", n, "elapsed", time.Since(start).Round(time.Millisecond))
			}
		} else if n, err := s.CatchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.WarnContext(ctx, "search catch-up failed; retrying", "err", err)
		} else {
			ok = true
			if n > 0 {
				s.log.DebugContext(ctx, "search index caught up", "documents", n)
			}
		}
		if !known {
			before = time.Time{}
		}
		s.measureLag(ctx, before, ok)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readNewest reads the graph's newest case change, if the lag is measured
// and the graph answers.
func (s *Syncer) readNewest(ctx context.Context) (time.Time, bool) {
	if s.newest == nil {
		return time.Time{}, false
	}
	t, err := s.newest(ctx)
	return t, err == nil
}

// measureLag updates the lag after a catch-up or rebuild: before is the
// graph's newest change read before it (zero if unknown), ok whether it
// succeeded.
func (s *Syncer) measureLag(ctx context.Context, before time.Time, ok bool) {
	if s.gauge == nil {
		return
	}
	if ok {
		s.gauge.IndexCaughtUp(time.Now())
		if before.After(s.covered) {
			s.covered = before
		}
	}
	if hw, err := s.idx.HighWater(); err == nil && hw.After(s.covered) {
		s.covered = hw
	}
	newest, known := s.readNewest(ctx)
	switch {
	case !known:
		// The graph cannot be read: the last value stays.
	case !newest.After(s.covered):
		s.gauge.SetIndexLag(0)
	case s.covered.IsZero():
		s.gauge.SetIndexLag(time.Since(s.started))
	default:
		s.gauge.SetIndexLag(newest.Sub(s.covered))
	}
}
