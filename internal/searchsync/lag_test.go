package searchsync

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/search"
)

type lagRecorder struct {
	lag      time.Duration
	set      int
	caughtUp int
}

func (r *lagRecorder) SetIndexLag(d time.Duration) { r.lag, r.set = d, r.set+1 }
func (r *lagRecorder) IndexCaughtUp(time.Time)     { r.caughtUp++ }

// TestMeasureLag: the lag is the graph's newest change less what the index
// is known to hold, through failed and successful catch-ups.
func TestMeasureLag(t *testing.T) {
	ctx := context.Background()
	idx, err := search.OpenManager(t.TempDir(), search.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	newest, down := t0, false
	read := func(context.Context) (time.Time, error) {
		if down {
			return time.Time{}, errors.New("neo4j away")
		}
		return newest, nil
	}
	rec := &lagRecorder{}
	s := New(nil, idx, nil, WithLag(read, rec))
	s.started = time.Now().Add(-time.Hour)

	// The index holds nothing yet and the catch-up failed: lag since start.
	s.measureLag(ctx, t0, false)
	if rec.lag < time.Hour || rec.caughtUp != 0 {
		t.Errorf("empty index: lag %v (want ≥ 1h), caught up %d times", rec.lag, rec.caughtUp)
	}
	// A catch-up that started when t0 was the newest change succeeded.
	s.measureLag(ctx, t0, true)
	if rec.lag != 0 || rec.caughtUp != 1 {
		t.Errorf("after catch-up: lag %v, caught up %d times; want 0, 1", rec.lag, rec.caughtUp)
	}
	// The graph moves on 30 s and the next catch-up fails.
	newest = t0.Add(30 * time.Second)
	s.measureLag(ctx, newest, false)
	if rec.lag != 30*time.Second {
		t.Errorf("after a failed catch-up: lag %v, want 30s", rec.lag)
	}
	// Neo4j away: the value stays.
	down, newest = true, t0.Add(time.Hour)
	sets := rec.set
	s.measureLag(ctx, time.Time{}, false)
	if rec.set != sets || rec.lag != 30*time.Second {
		t.Errorf("graph unreadable: lag set %d times more, now %v; want unchanged 30s", rec.set-sets, rec.lag)
	}
	// The high-water mark alone counts too.
	down = false
	if err := idx.Apply(ctx, search.Batch{HighWater: t0.Add(50 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	s.measureLag(ctx, time.Time{}, false)
	if rec.lag != 10*time.Minute {
		t.Errorf("high-water mark 10 min behind: lag %v", rec.lag)
	}
	s.measureLag(ctx, newest, true)
	if rec.lag != 0 {
		t.Errorf("caught up: lag %v, want 0", rec.lag)
	}
}
