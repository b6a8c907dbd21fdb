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
	"time"
)

// DefaultTimeout bounds one search when Options.Timeout is 0.
const DefaultTimeout = 5 * time.Second

// Options configure a Manager.
type Options struct {
	// Timeout bounds each search (DefaultTimeout when 0); a search that
	// runs out of time fails with code EUNAVAILABLE.
	Timeout time.Duration
	// BatchSize caps the documents of one bleve batch (DefaultBatchSize
	// when 0).
	BatchSize int
}

// The files and directories a Manager keeps under its root.
const (
	currentFile = "current" // names the live index directory
	indexPrefix = "index-"  // index directories: index-<unix nanoseconds>-<n>
	tmpSuffix   = ".tmp"    // a current file being written
)

// ErrClosed is returned by a Manager's methods after Close.
var ErrClosed = errors.New("search index closed")

// generation is one index directory in use, counted so that it is closed
// only when the last search on it has finished.
type generation struct {
	ix      *Index
	refs    int
	retired bool // replaced or closed: close when refs reaches 0
	remove  bool // and remove its directory
}

// Manager owns the live index under a root directory and replaces it by a
// rebuilt one without stopping searches. It is safe for concurrent use.
type Manager struct {
	root string
	opts Options

	mu      sync.Mutex
	cur     *generation
	closed  bool
	needs   error // why the index needs a rebuild; nil when it does not
	rebuild sync.Mutex
}

var dirSeq atomic.Uint64

func newIndexName() string {
	return fmt.Sprintf("%s%d-%d", indexPrefix, time.Now().UnixNano(), dirSeq.Add(1))
}

// OpenManager opens the live index under root, creating root and an empty
// index when there is none. When there was no index, or the live one needs
// a rebuild (ErrNeedsRebuild: mapping version changed, damaged files), it
// starts on a new empty index and NeedsRebuild reports why: the caller
// logs it and calls Rebuild. Directories left by an interrupted rebuild are
// removed.
func OpenManager(root string, opts Options) (*Manager, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("search.OpenManager(%s): %w", root, err)
	}
	m := &Manager{root: root, opts: opts}
	name, err := readCurrent(root)
	var ix *Index
	switch {
	case errors.Is(err, os.ErrNotExist):
		m.needs = &RebuildError{Dir: root, Reason: "there is no index yet"}
	case err != nil:
		m.needs = &RebuildError{Dir: root, Reason: "the current file cannot be read", Err: err}
	default:
		dir := filepath.Join(root, name)
		if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
			// Open would create an empty index there; say it needs filling.
			m.needs = &RebuildError{Dir: dir, Reason: "the live index directory is missing or empty", Err: err}
			break
		}
		ix, err = Open(dir)
		if err != nil {
			if !errors.Is(err, ErrNeedsRebuild) {
				return nil, fmt.Errorf("search.OpenManager(%s): %w", root, err)
			}
			m.needs = err
		}
	}
	if ix == nil {
		if ix, err = Create(filepath.Join(root, newIndexName())); err != nil {
			return nil, fmt.Errorf("search.OpenManager(%s): %w", root, err)
		}
		if err := writeCurrent(root, filepath.Base(ix.Dir())); err != nil {
			ix.Close()
			return nil, fmt.Errorf("search.OpenManager(%s): %w", root, err)
		}
	}
	ix.BatchSize = opts.BatchSize
	m.cur = &generation{ix: ix}
	if err := removeStale(root, filepath.Base(ix.Dir())); err != nil {
		ix.Close()
		return nil, fmt.Errorf("search.OpenManager(%s): %w", root, err)
	}
	return m, nil
}

func readCurrent(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, currentFile))
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, indexPrefix) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("current names %q, not an index directory", name)
	}
	return name, nil
}

// writeCurrent points root/current at name atomically: write a temporary
// file, sync it, rename it over current, sync the directory.
func writeCurrent(root, name string) error {
	tmp := filepath.Join(root, currentFile+tmpSuffix)
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(name + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(root, currentFile)); err != nil {
		return err
	}
	if d, err := os.Open(root); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// removeStale removes index directories other than keep.
func removeStale(root, keep string) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), indexPrefix) && e.Name() != keep {
			if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// NeedsRebuild returns why the index needs a rebuild (an error matching
// ErrNeedsRebuild), or nil. It is cleared by a successful Rebuild.
func (m *Manager) NeedsRebuild() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.needs
}

// acquire returns the live generation, counted until release.
func (m *Manager) acquire() (*generation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	m.cur.refs++
	return m.cur, nil
}

func (m *Manager) release(g *generation) {
	m.mu.Lock()
	g.refs--
	done := g.retired && g.refs == 0
	m.mu.Unlock()
	if done {
		g.dispose()
	}
}

// dispose closes a retired generation and removes its directory if asked.
// Errors are ignored: OpenManager removes whatever is left.
func (g *generation) dispose() {
	g.ix.Close()
	if g.remove {
		os.RemoveAll(g.ix.Dir())
	}
}

// Search runs r on the live index, bounded by Options.Timeout.
func (m *Manager) Search(ctx context.Context, r Request) (*Result, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer m.release(g)
	timeout := m.opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return g.ix.Search(ctx, r)
}

// Apply writes b to the live index (see Index.Apply).
func (m *Manager) Apply(ctx context.Context, b Batch) error {
	g, err := m.acquire()
	if err != nil {
		return err
	}
	defer m.release(g)
	return g.ix.Apply(ctx, b)
}

// HighWater returns the live index's high-water mark (see Index.HighWater).
// Read it afresh before each catch-up: a Rebuild replaces it.
func (m *Manager) HighWater() (time.Time, error) {
	g, err := m.acquire()
	if err != nil {
		return time.Time{}, err
	}
	defer m.release(g)
	return g.ix.HighWater()
}

// Count returns the number of documents in the live index.
func (m *Manager) Count() (uint64, error) {
	g, err := m.acquire()
	if err != nil {
		return 0, err
	}
	defer m.release(g)
	return g.ix.Count()
}

// Dir returns the live index's directory.
func (m *Manager) Dir() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur.ix.Dir()
}

// Rebuild builds a new index beside the live one, fills it with fill (which
// should also set the high-water mark the fill reached, with Apply), and
// swaps it in: root/current is renamed to point at it, new searches use it,
// and the old index is closed and removed once the searches running on it
// have finished. Searches and writes keep using the old index until the
// swap; writes made to it during the fill are not copied, so the caller's
// catch-up must restart from HighWater after Rebuild returns. If fill or
// the swap fails, the new directory is removed and the live index is left
// as it was. One rebuild runs at a time.
func (m *Manager) Rebuild(ctx context.Context, fill func(*Index) error) error {
	m.rebuild.Lock()
	defer m.rebuild.Unlock()
	if m.isClosed() {
		return ErrClosed
	}
	name := newIndexName()
	ix, err := Create(filepath.Join(m.root, name))
	if err != nil {
		return fmt.Errorf("search.Rebuild: %w", err)
	}
	ix.BatchSize = m.opts.BatchSize
	abandon := func(err error) error {
		ix.Close()
		os.RemoveAll(ix.Dir())
		return fmt.Errorf("search.Rebuild: %w", err)
	}
	if err := fill(ix); err != nil {
		return abandon(err)
	}
	if err := ctx.Err(); err != nil {
		return abandon(err)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return abandon(ErrClosed)
	}
	if err := writeCurrent(m.root, name); err != nil {
		m.mu.Unlock()
		return abandon(err)
	}
	old := m.cur
	m.cur = &generation{ix: ix}
	m.needs = nil
	old.retired, old.remove = true, true
	done := old.refs == 0
	m.mu.Unlock()
	if done {
		old.dispose()
	}
	return nil
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// Close closes the live index once the searches running on it finish.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	g := m.cur
	g.retired = true
	done := g.refs == 0
	m.mu.Unlock()
	if done {
		return g.ix.Close()
	}
	return nil
}
