package audit

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type countingFailures struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countingFailures) AuditWriteFailed(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[reason]++
}

// TestCountFailures: a failed write, the refusals after it and appends to a
// closed log are counted by reason; a cancelled caller is not.
func TestCountFailures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	var fs *failingSink
	l, err := open(context.Background(), path, nil, func(s sink) sink {
		fs = &failingSink{sink: s}
		return fs
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &countingFailures{n: map[string]int{}}
	CountFailures(c)(l)
	appendN(t, l, 1)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Append(cancelled, testEvent(0)); err == nil {
		t.Fatal("Append with a cancelled context succeeded")
	}
	fs.mu.Lock()
	fs.failSync = true
	fs.mu.Unlock()
	for range 3 {
		if _, err := l.Append(context.Background(), testEvent(0)); err == nil {
			t.Fatal("Append succeeded on a failing fsync")
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), testEvent(0)); err == nil {
		t.Fatal("Append after Close succeeded")
	}
	want := map[string]int{"write": 1, "refused": 2, "closed": 1}
	if diff := cmp.Diff(want, c.n); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}
