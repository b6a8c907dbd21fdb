package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOpenCreatesAndReopens(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ix.StoredMappingVersion(); err != nil || v != MappingVersion {
		t.Fatalf("stored mapping version %d, %v; want %d", v, err, MappingVersion)
	}
	if hw, err := ix.HighWater(); err != nil || !hw.IsZero() {
		t.Fatalf("new index high water %v, %v; want zero", hw, err)
	}
	hw := time.Date(2024, 6, 1, 8, 30, 0, 123, time.UTC)
	ix.BatchSize = 3 // several bleve batches
	if err := ix.Apply(ctx, Batch{Upsert: fixtureDocs(), HighWater: hw}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(ctx, []string{"p/sealed", "no/such/uid"}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	n, err := ix.Count()
	if want := uint64(len(fixtureDocs()) - 1); err != nil || n != want {
		t.Errorf("count %d, %v; want %d", n, err, want)
	}
	if got, err := ix.HighWater(); err != nil || !got.Equal(hw) {
		t.Errorf("high water %v, %v; want %v", got, err, hw)
	}
	later := hw.Add(time.Hour)
	if err := ix.SetHighWater(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.HighWater(); !got.Equal(later) {
		t.Errorf("high water %v after SetHighWater, want %v", got, later)
	}
}

// TestApplyCancelledKeepsHighWater: a write that fails part way leaves the
// high-water mark where it was, so the caller replays from there.
func TestApplyCancelledKeepsHighWater(t *testing.T) {
	ix := newTestIndex(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ix.BatchSize = 2
	err := ix.Apply(ctx, Batch{Upsert: fixtureDocs(), HighWater: time.Now()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply with a cancelled context: %v", err)
	}
	if hw, _ := ix.HighWater(); !hw.IsZero() {
		t.Errorf("high water moved to %v by a failed Apply", hw)
	}
}

func TestOpenNeedsRebuild(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
		reason string // one of the reasons, separated by |
	}{
		{"mapping version", func(t *testing.T, dir string) {
			ix, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := ix.bi.SetInternal(keyMappingVersion, []byte("0")); err != nil {
				t.Fatal(err)
			}
			ix.Close()
		}, "mapping version 0"},
		{"no mapping version", func(t *testing.T, dir string) {
			ix, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := ix.bi.DeleteInternal(keyMappingVersion); err != nil {
				t.Fatal(err)
			}
			ix.Close()
		}, "mapping version cannot be read"},
		{"garbage in every file", func(t *testing.T, dir string) {
			overwrite(t, dir, func(string) bool { return true })
		}, "does not open"},
		{"garbage in the segments", func(t *testing.T, dir string) {
			// scorch falls back to an older snapshot, silently, or
			// fails when no snapshot loads
			overwrite(t, dir, func(p string) bool { return strings.HasSuffix(p, ".zap") })
		}, "lost writes|does not open"},
		{"garbage in the bolt root", func(t *testing.T, dir string) {
			overwrite(t, dir, func(p string) bool { return strings.HasSuffix(p, ".bolt") })
		}, "does not open"},
		{"index_meta.json truncated", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte(`{"storage":`), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "does not open"},
		{"not an index", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "does not open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "idx")
			if tc.name == "not an index" {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			} else {
				ix := newIndexIn(t, dir)
				ix.Close()
			}
			tc.damage(t, dir)
			ix, err := Open(dir)
			if err == nil {
				ix.Close()
				t.Fatal("Open succeeded on a damaged index")
			}
			var re *RebuildError
			if !errors.Is(err, ErrNeedsRebuild) || !errors.As(err, &re) {
				t.Fatalf("Open: %v, want ErrNeedsRebuild", err)
			}
			if !slices.ContainsFunc(strings.Split(tc.reason, "|"), func(r string) bool { return strings.Contains(re.Reason, r) }) {
				t.Errorf("reason %q, want it to say %q", re.Reason, tc.reason)
			}
		})
	}
}

func newIndexIn(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Index(context.Background(), fixtureDocs()); err != nil {
		t.Fatal(err)
	}
	return ix
}

// overwrite replaces the contents of the index files that match with
// garbage of the same length, as a crash or a bad disk might.
func overwrite(t *testing.T, dir string, match func(string) bool) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !match(p) {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		junk := make([]byte, max(info.Size(), 64))
		for i := range junk {
			junk[i] = byte(i*7 + 13)
		}
		n++
		return os.WriteFile(p, junk, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no file to damage")
	}
}
