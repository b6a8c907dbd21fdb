package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// ErrNeedsRebuild is matched (errors.Is) by the error Open returns when an
// index exists but cannot be used: its stored mapping version differs from
// MappingVersion, or it does not open (for instance after a crash left it
// corrupt). The caller rebuilds it from the graph.
var ErrNeedsRebuild = errors.New("search index needs a rebuild")

// RebuildError says why an index needs a rebuild.
type RebuildError struct {
	Dir    string
	Reason string
	Err    error // the underlying error, if any
}

// Error implements error.
func (e *RebuildError) Error() string {
	s := fmt.Sprintf("search index %s needs a rebuild: %s", e.Dir, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is ErrNeedsRebuild.
func (e *RebuildError) Is(target error) bool { return target == ErrNeedsRebuild }

// Unwrap returns the underlying error.
func (e *RebuildError) Unwrap() error { return e.Err }

// DefaultBatchSize is how many documents one bleve batch holds at most.
const DefaultBatchSize = 500

// Index is one bleve index on disk with casegraph's mapping. It is safe for
// concurrent use.
type Index struct {
	dir string
	bi  bleve.Index

	wmu sync.Mutex // serialises writers, so seq numbers batches in order
	seq uint64     // sequence number of the last batch written
	// BatchSize caps the documents of one bleve batch (DefaultBatchSize
	// when 0). Set it before use.
	BatchSize int
}

// Open opens the index in dir, creating it when dir does not exist or is
// empty. When the index exists but cannot be used it returns an error that
// matches ErrNeedsRebuild (a *RebuildError with the reason) and leaves dir
// as it is. It never panics on a damaged index.
func Open(dir string) (ix *Index, err error) {
	entries, statErr := os.ReadDir(dir)
	switch {
	case errors.Is(statErr, os.ErrNotExist) || (statErr == nil && len(entries) == 0):
		return Create(dir)
	case statErr != nil:
		return nil, fmt.Errorf("search.Open(%s): %w", dir, statErr)
	}
	bi, err := safeOpen(dir)
	if err != nil {
		return nil, &RebuildError{Dir: dir, Reason: "the index does not open", Err: err}
	}
	ix = &Index{dir: dir, bi: bi}
	v, err := ix.StoredMappingVersion()
	if err != nil {
		bi.Close()
		return nil, &RebuildError{Dir: dir, Reason: "the mapping version cannot be read", Err: err}
	}
	if v != MappingVersion {
		bi.Close()
		return nil, &RebuildError{Dir: dir, Reason: fmt.Sprintf("mapping version %d, this program uses %d", v, MappingVersion)}
	}
	// scorch opens a damaged index by falling back to an older snapshot,
	// silently. Every batch carries a sequence number, and the number of
	// the last batch bleve confirmed as persisted is also kept beside the
	// index: an index older than that has lost data.
	if ix.seq, err = ix.storedSeq(); err != nil {
		bi.Close()
		return nil, &RebuildError{Dir: dir, Reason: "the batch sequence number cannot be read", Err: err}
	}
	confirmed, err := readSeqFile(dir)
	if err != nil {
		bi.Close()
		return nil, &RebuildError{Dir: dir, Reason: "the confirmed batch sequence number cannot be read", Err: err}
	}
	if ix.seq < confirmed {
		bi.Close()
		return nil, &RebuildError{Dir: dir, Reason: fmt.Sprintf(
			"the index holds batches up to %d but had persisted up to %d: it lost writes (damaged or missing segment files)", ix.seq, confirmed)}
	}
	return ix, nil
}

// seqFile, inside the index directory, holds the sequence number of the
// last batch bleve confirmed as persisted (scorch's Batch returns only once
// the batch is on disk).
const seqFile = "casegraph.persisted-seq"

func readSeqFile(dir string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, seqFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(b))
	if s == "" { // a crash between create and write: no information
		return 0, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// writeSeqFile replaces seqFile atomically. It is not synced: after a power
// loss it may hold an older number, which only weakens the check.
func writeSeqFile(dir string, seq uint64) error {
	tmp := filepath.Join(dir, seqFile+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.FormatUint(seq, 10)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, seqFile))
}

func (ix *Index) storedSeq() (uint64, error) {
	b, err := ix.bi.GetInternal(keySeq)
	if err != nil || b == nil {
		return 0, err
	}
	return strconv.ParseUint(string(b), 10, 64)
}

// safeOpen opens a bleve index, turning a panic inside bleve (seen on
// damaged segment files) into an error.
func safeOpen(dir string) (bi bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			bi, err = nil, fmt.Errorf("bleve panicked opening the index: %v", r)
		}
	}()
	return bleve.Open(dir)
}

// Create makes a new, empty index in dir, which must not exist or be empty,
// with the current mapping and MappingVersion stored in it.
func Create(dir string) (*Index, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) == 0 {
		// bleve refuses an existing directory.
		if err := os.Remove(dir); err != nil {
			return nil, fmt.Errorf("search.Create(%s): %w", dir, err)
		}
	}
	bi, err := bleve.New(dir, NewMapping())
	if err != nil {
		return nil, fmt.Errorf("search.Create(%s): %w", dir, err)
	}
	if err := bi.SetInternal(keyMappingVersion, []byte(strconv.Itoa(MappingVersion))); err != nil {
		bi.Close()
		return nil, fmt.Errorf("search.Create(%s): %w", dir, err)
	}
	return &Index{dir: dir, bi: bi}, nil
}

// Dir is the index's directory.
func (ix *Index) Dir() string { return ix.dir }

// StoredMappingVersion returns the mapping version stored in the index.
func (ix *Index) StoredMappingVersion() (int, error) {
	b, err := ix.bi.GetInternal(keyMappingVersion)
	if err != nil {
		return 0, err
	}
	if b == nil {
		return 0, errors.New("no mapping version stored")
	}
	v, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, fmt.Errorf("mapping version %q: %w", b, err)
	}
	return v, nil
}

// Batch is one change to the index: documents to add or replace, uids to
// delete and, when not zero, the new high-water mark. Apply writes them
// together, the high-water mark with the last bleve batch, so the mark
// never runs ahead of the documents.
type Batch struct {
	Upsert    []Doc
	Delete    []string
	HighWater time.Time
}

// Apply writes b. Documents are written in bleve batches of BatchSize; the
// context is checked between them. If Apply fails part way, the batches
// already written stay and the high-water mark is unchanged, so writing the
// same Batch again is safe.
func (ix *Index) Apply(ctx context.Context, b Batch) error {
	size := ix.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	bb := ix.bi.NewBatch()
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		next := ix.seq + 1
		bb.SetInternal(keySeq, []byte(strconv.FormatUint(next, 10)))
		if err := ix.bi.Batch(bb); err != nil {
			return err
		}
		ix.seq = next
		bb.Reset()
		return writeSeqFile(ix.dir, next)
	}
	for _, d := range b.Upsert {
		if d == nil || d.DocUID() == "" {
			return fmt.Errorf("search.Apply: a document without a uid")
		}
		if err := bb.Index(d.DocUID(), d.fields()); err != nil {
			return fmt.Errorf("search.Apply(%s): %w", d.DocUID(), err)
		}
		if bb.Size() >= size {
			if err := flush(); err != nil {
				return fmt.Errorf("search.Apply: %w", err)
			}
		}
	}
	for _, uid := range b.Delete {
		bb.Delete(uid)
		if bb.Size() >= size {
			if err := flush(); err != nil {
				return fmt.Errorf("search.Apply: %w", err)
			}
		}
	}
	if !b.HighWater.IsZero() {
		bb.SetInternal(keyHighWater, []byte(b.HighWater.UTC().Format(time.RFC3339Nano)))
	}
	if bb.Size() > 0 { // SetInternal counts
		if err := flush(); err != nil {
			return fmt.Errorf("search.Apply: %w", err)
		}
	}
	return nil
}

// Index adds or replaces docs.
func (ix *Index) Index(ctx context.Context, docs []Doc) error {
	return ix.Apply(ctx, Batch{Upsert: docs})
}

// Delete removes the documents with these uids; unknown uids are ignored.
func (ix *Index) Delete(ctx context.Context, uids []string) error {
	return ix.Apply(ctx, Batch{Delete: uids})
}

// SetHighWater stores the high-water mark alone. To move it with the
// documents it covers, use Apply.
func (ix *Index) SetHighWater(ctx context.Context, t time.Time) error {
	if t.IsZero() {
		return errors.New("search.SetHighWater: zero time")
	}
	return ix.Apply(ctx, Batch{HighWater: t})
}

// HighWater returns the stored high-water mark: the time up to which the
// graph's changes are in the index. It is the zero time when none is
// stored (a new index: fill it from the start).
func (ix *Index) HighWater() (time.Time, error) {
	b, err := ix.bi.GetInternal(keyHighWater)
	if err != nil || b == nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("search.HighWater: %q: %w", b, err)
	}
	return t, nil
}

// Count returns the number of documents in the index, sealed ones included.
func (ix *Index) Count() (uint64, error) {
	return ix.bi.DocCount()
}

// Close closes the index.
func (ix *Index) Close() error {
	return ix.bi.Close()
}
