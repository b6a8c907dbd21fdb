package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
)

func indexDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func fillWith(docs []Doc, hw time.Time) func(*Index) error {
	return func(ix *Index) error {
		return ix.Apply(context.Background(), Batch{Upsert: docs, HighWater: hw})
	}
}

func TestManagerLifecycle(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "search")
	m, err := OpenManager(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.NeedsRebuild(); !errors.Is(err, ErrNeedsRebuild) || !strings.Contains(err.Error(), "no index yet") {
		t.Fatalf("new manager: NeedsRebuild = %v", err)
	}
	hw := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	if err := m.Rebuild(ctx, fillWith(fixtureDocs(), hw)); err != nil {
		t.Fatal(err)
	}
	if err := m.NeedsRebuild(); err != nil {
		t.Fatalf("after Rebuild: %v", err)
	}
	dir := m.Dir()
	if got, _ := m.HighWater(); !got.Equal(hw) {
		t.Errorf("high water %v, want %v", got, hw)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Search(ctx, Request{Query: "盗窃", Scope: Scope{All: true}}); !errors.Is(err, ErrClosed) {
		t.Errorf("search after Close: %v", err)
	}

	// reopen: the same index, nothing to rebuild, stale directories gone
	if err := os.Mkdir(filepath.Join(root, indexPrefix+"1-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	m, err = OpenManager(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.NeedsRebuild(); err != nil {
		t.Errorf("reopen: NeedsRebuild = %v", err)
	}
	if m.Dir() != dir {
		t.Errorf("reopened %s, want %s", m.Dir(), dir)
	}
	if got := indexDirs(t, root); len(got) != 1 || got[0] != filepath.Base(dir) {
		t.Errorf("directories %v, want only %s", got, filepath.Base(dir))
	}
	res, err := m.Search(ctx, Request{Query: "盗窃", Scope: Scope{All: true}})
	if err != nil || res.Total != 1 {
		t.Fatalf("search after reopen: %v, %+v", err, res)
	}

	// a failed fill leaves the live index as it was
	boom := errors.New("graph unavailable")
	if err := m.Rebuild(ctx, func(*Index) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Rebuild with a failing fill: %v", err)
	}
	if m.Dir() != dir || len(indexDirs(t, root)) != 1 {
		t.Errorf("after a failed rebuild: live %s, directories %v", m.Dir(), indexDirs(t, root))
	}

	// current names a directory that is gone: an empty index that says
	// it needs filling (and the directory current no longer names is
	// removed)
	m.Close()
	if err := writeCurrent(root, indexPrefix+"2-2"); err != nil {
		t.Fatal(err)
	}
	m, err = OpenManager(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.NeedsRebuild(); err == nil || !strings.Contains(err.Error(), "missing or empty") {
		t.Errorf("current names a missing directory: NeedsRebuild = %v", err)
	}
	m.Close()

	// a different mapping version: the manager starts on an empty index
	// and says why
	if err := writeCurrent(root, filepath.Base(dir)); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.bi.SetInternal(keyMappingVersion, []byte(fmt.Sprint(MappingVersion+1))); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	m, err = OpenManager(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var re *RebuildError
	if err := m.NeedsRebuild(); !errors.As(err, &re) || !strings.Contains(re.Reason, "mapping version") {
		t.Fatalf("mapping changed: NeedsRebuild = %v", err)
	}
	if n, err := m.Count(); err != nil || n != 0 {
		t.Errorf("replacement index has %d documents, %v", n, err)
	}
	if got := indexDirs(t, root); len(got) != 1 || got[0] == filepath.Base(dir) {
		t.Errorf("directories %v: the old index should be gone", got)
	}
}

// TestRebuildWhileSearching swaps indexes under searches running in other
// goroutines (run with -race): every search succeeds and sees one whole
// index, old or new, never a mix or a closed one.
func TestRebuildWhileSearching(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	m, err := OpenManager(root, Options{BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// generation g holds n documents all saying 第g代
	gen := func(g, n int) []Doc {
		var docs []Doc
		for i := 0; i < n; i++ {
			docs = append(docs, &CaseDoc{UID: fmt.Sprintf("c/g%d/%03d", g, i), AgencyCode: agPolice,
				Kind: casegraph.CasePolice, Summary: fmt.Sprintf("第%d代索引的第%d份案件材料，涉及盗窃。", g, i),
				ScopeAgencies: []string{agPolice}})
		}
		return docs
	}
	if err := m.Rebuild(ctx, fillWith(gen(0, 120), time.Now())); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var searches atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				res, err := m.Search(ctx, Request{Query: "盗窃", First: 100, Scope: Scope{Agencies: []string{agPolice}}})
				if err != nil {
					errs <- err
					return
				}
				if res.Total != 120 || len(res.Hits) != 100 {
					errs <- fmt.Errorf("total %d, %d hits", res.Total, len(res.Hits))
					return
				}
				g := strings.Split(res.Hits[0].UID, "/")[1]
				for _, h := range res.Hits {
					if !strings.HasPrefix(h.UID, "c/"+g+"/") {
						errs <- fmt.Errorf("hits from two indexes: %s and %s", res.Hits[0].UID, h.UID)
						return
					}
				}
				searches.Add(1)
			}
		}()
	}
	for g := 1; g <= 4; g++ {
		if err := m.Rebuild(ctx, fillWith(gen(g, 120), time.Now())); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if searches.Load() == 0 {
		t.Error("no search ran")
	}
	res, err := m.Search(ctx, Request{Query: "第4代", Scope: Scope{All: true}})
	if err != nil || res.Total != 120 {
		t.Errorf("after the last rebuild: %v, total %d", err, res.Total)
	}
	if got := indexDirs(t, root); len(got) != 1 {
		t.Errorf("directories %v, want only the live one", got)
	}
}

func TestSearchTimeout(t *testing.T) {
	root := t.TempDir()
	m, err := OpenManager(root, Options{Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	docs, _ := cailDocs(t, 300)
	if err := m.Rebuild(context.Background(), fillWith(docs, time.Now())); err != nil {
		t.Fatal(err)
	}
	_, err = m.Search(context.Background(), Request{Query: "被告人", Scope: Scope{All: true}})
	e := wantCode(t, err, casegraph.EUNAVAILABLE)
	if !strings.Contains(e.Message, "timed out") {
		t.Errorf("message %q", e.Message)
	}
}
