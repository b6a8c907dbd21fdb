// Package audit is casegraph's tamper-evident, append-only audit log.
//
// Every operation that reads or writes case or person data appends an Event.
// The log is a file of JSON lines, one Event per line, in the field order of
// the Event struct. Each entry carries the SHA-256 of its own canonical
// encoding (the JSON encoding of the Event with Hash empty) and the hash of
// the entry before it (PrevHash); the first entry's PrevHash is Genesis.
//
// # What the chain proves, and what it does not
//
// Verify finds an entry whose content was edited (its hash no longer matches),
// an entry that was edited and given a recomputed hash (the next entry's
// PrevHash no longer matches), entries removed from the middle (Seq jumps),
// entries moved (Seq goes backwards) and lines that are not entries at all.
//
// The file alone cannot show that its tail was cut off, nor that the chain
// was rewritten consistently from some entry to the end: whoever can write
// the file can recompute every hash after the point they changed. To detect
// that, the head of the chain (Log.Head) must be anchored somewhere the
// attacker cannot write: the log writes it to slog at Open and Close, and the
// server should export it (a metric, a periodic log line to a remote
// collector, a signed daily note). A verifier then checks that the anchored
// (seq, hash) pair still appears in the file.
//
// # Writing
//
// Append is on the request path and fails closed: it returns only after the
// entry has been written and fsynced, and an error means the caller must fail
// its operation. Concurrent Appends are group-committed: one writer goroutine
// collects the waiting events, writes them with a single write and a single
// fsync, and gives every caller of the batch the same result. After a failed
// write or fsync the Log refuses every further Append (ErrFailed) until it is
// closed and opened again, because the state of the file's tail is then
// unknown; Open repairs a torn last line. A failed batch may have reached the
// disk in part, so the log can hold entries for operations that failed; it
// never lacks an entry for an operation that succeeded.
//
// One process must own a log file: two writers would fork the chain.
package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Genesis is the PrevHash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// maxBatch caps the number of events committed by one write and fsync.
const maxBatch = 512

// Errors returned by Append.
var (
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("audit log is closed")
	// ErrFailed is returned by Append after an earlier write or fsync failed.
	ErrFailed = errors.New("audit log failed earlier; reopen it")
)

// Event is one audit log entry.
type Event struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	Subject    string    `json:"subject"`
	Agency     string    `json:"agency,omitempty"`
	Roles      []string  `json:"roles,omitempty"`
	Operation  string    `json:"operation"` // e.g. "query cases", "mutation transferCase", "ingest job 42"
	Action     string    `json:"action"`    // READ, WRITE, INGEST, UNSEAL, DENIED ...
	CaseUIDs   []string  `json:"cases,omitempty"`
	PersonUIDs []string  `json:"persons,omitempty"`
	Outcome    string    `json:"outcome"`          // OK, DENIED, ERROR
	Reason     string    `json:"reason,omitempty"` // e.g. the reason given to unseal a record
	RequestID  string    `json:"requestId,omitempty"`
	ClientAddr string    `json:"client,omitempty"`
	PrevHash   string    `json:"prev"`
	Hash       string    `json:"hash"`
}

// computeHash returns the hex SHA-256 of the canonical encoding of e: its
// JSON encoding with Hash empty.
func computeHash(e Event) (string, error) {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// sink is what the writer goroutine writes to: the *os.File in production,
// a wrapper around it in tests that need a write or fsync to fail.
type sink interface {
	io.Writer
	Sync() error
}

type request struct {
	ev    Event
	reply chan result
}

type result struct {
	ev  Event
	err error
}

// Log is an open audit log. Its methods are safe for concurrent use.
type Log struct {
	path   string
	file   *os.File
	out    sink
	logger *slog.Logger
	// failures counts appends that fail (nil: not counted); set by Open
	// before the Log is shared.
	failures FailureCounter

	// mu guards closed and the sending side of reqs.
	mu     sync.RWMutex
	closed bool
	reqs   chan request
	done   chan struct{}

	// head guards seq and hash, the last committed entry, and failed.
	head   sync.Mutex
	seq    int64
	hash   string
	failed error
}

// Open opens the log at path, creating it (mode 0600, directory 0700) if it
// does not exist. It reads the file once to find the last entry. A torn last
// line (no trailing newline: the process died before its fsync returned, so
// no caller was told it succeeded) is truncated with a warning. A complete
// line that is not a valid entry is not repaired: Open logs an error and
// appends continue after the entry with the highest seq that parses, so a
// copied or moved line does not fork the chain; Verify reports it.
func Open(ctx context.Context, path string, logger *slog.Logger, opts ...Option) (*Log, error) {
	l, err := open(ctx, path, logger, nil)
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		o(l)
	}
	return l, nil
}

// Option configures a Log at Open.
type Option func(*Log)

// FailureCounter is told of every event that could not be written, by
// reason: "write" (the write or fsync failed), "refused" (the log failed
// earlier and refuses appends until reopened) or "closed". An append given
// up because its caller's context ended is not a failure of the log and is
// not counted.
type FailureCounter interface {
	AuditWriteFailed(reason string)
}

// CountFailures has the Log report failed appends to c (internal/metrics).
func CountFailures(c FailureCounter) Option {
	return func(l *Log) { l.failures = c }
}

// countFailure reports a failed append, unless it was the caller's context
// that ended.
func (l *Log) countFailure(err error) {
	if l.failures == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	switch {
	case errors.Is(err, ErrClosed):
		l.failures.AuditWriteFailed("closed")
	case errors.Is(err, ErrFailed):
		l.failures.AuditWriteFailed("refused")
	default:
		l.failures.AuditWriteFailed("write")
	}
}

// open is Open with a hook that wraps the file the writer writes to; tests
// use it to make writes fail. Production passes nil.
func open(ctx context.Context, path string, logger *slog.Logger, wrap func(sink) sink) (_ *Log, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("audit.Open(%q): %w", path, err)
		}
	}()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	l := &Log{path: path, file: f, out: f, logger: logger, seq: 0, hash: Genesis}
	if err := l.recover(ctx); err != nil {
		_ = f.Close()
		return nil, err
	}
	if wrap != nil {
		l.out = wrap(f)
	}
	l.reqs = make(chan request, maxBatch)
	l.done = make(chan struct{})
	go l.run()
	logger.InfoContext(ctx, "audit log opened", "path", path, "head_seq", l.seq, "head_hash", l.hash)
	return l, nil
}

// recover scans the file, truncates a torn last line and sets the head to
// the entry with the highest seq that parses.
func (l *Log) recover(ctx context.Context) error {
	if _, err := l.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(l.file, 64<<10)
	var (
		off    int64
		lineNo int64
		c      checker
		logged int
	)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := r.ReadBytes('\n')
		if len(b) > 0 && b[len(b)-1] != '\n' {
			// Torn tail: the write of this line never completed, so its
			// fsync never returned and no caller was acknowledged.
			l.logger.WarnContext(ctx, "audit log: truncating torn last line",
				"path", l.path, "offset", off, "bytes", len(b))
			if err := l.file.Truncate(off); err != nil {
				return fmt.Errorf("truncate torn line at offset %d: %w", off, err)
			}
			if err := l.file.Sync(); err != nil {
				return err
			}
			break
		}
		if len(b) > 0 {
			lineNo++
			ev, probs := c.line(lineNo, b[:len(b)-1])
			for _, p := range probs {
				if logged < 20 {
					l.logger.ErrorContext(ctx, "audit log: corrupt entry; run casegraph audit verify",
						"path", l.path, "line", p.Line, "seq", p.Seq, "kind", p.Kind, "detail", p.Detail)
				}
				logged++
			}
			if ev != nil && ev.Seq > l.seq {
				l.seq, l.hash = ev.Seq, ev.Hash
			}
			off += int64(len(b))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if logged > 20 {
		l.logger.ErrorContext(ctx, "audit log: more corrupt entries not logged", "path", l.path, "count", logged-20)
	}
	return nil
}

// Append stores e and returns it as stored. It assigns Seq (the previous
// entry's plus one, starting at 1), Time (now, if zero; always converted to
// UTC), PrevHash and Hash, and returns only after the entry is on disk.
// Any error means the entry may not be stored: the caller must fail its
// operation. If ctx ends while the entry waits for its batch, Append returns
// the context's error although the entry may still be written.
func (l *Log) Append(ctx context.Context, e Event) (_ Event, err error) {
	defer func() {
		if err != nil {
			l.countFailure(err)
		}
	}()
	if err := ctx.Err(); err != nil {
		return Event{}, fmt.Errorf("audit.Append: %w", err)
	}
	reply := make(chan result, 1)
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return Event{}, fmt.Errorf("audit.Append: %w", ErrClosed)
	}
	select {
	case l.reqs <- request{ev: e, reply: reply}:
	case <-ctx.Done():
		l.mu.RUnlock()
		return Event{}, fmt.Errorf("audit.Append: %w", ctx.Err())
	}
	l.mu.RUnlock()
	select {
	case res := <-reply:
		if res.err != nil {
			return Event{}, fmt.Errorf("audit.Append: %w", res.err)
		}
		return res.ev, nil
	case <-ctx.Done():
		return Event{}, fmt.Errorf("audit.Append: %w", ctx.Err())
	}
}

// run is the writer goroutine: it commits the waiting requests in batches
// until reqs is closed.
func (l *Log) run() {
	defer close(l.done)
	batch := make([]request, 0, maxBatch)
	var buf bytes.Buffer
	for req := range l.reqs {
		batch = append(batch[:0], req)
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		l.commit(batch, &buf)
	}
}

// commit writes one batch with one write and one fsync and answers every
// request in it.
func (l *Log) commit(batch []request, buf *bytes.Buffer) {
	l.head.Lock()
	seq, hash, failed := l.seq, l.hash, l.failed
	l.head.Unlock()
	fail := func(err error) {
		for _, r := range batch {
			r.reply <- result{err: err}
		}
	}
	if failed != nil {
		fail(fmt.Errorf("%w: %v", ErrFailed, failed))
		return
	}
	buf.Reset()
	now := time.Now().UTC()
	events := make([]Event, len(batch))
	for i, r := range batch {
		e := r.ev
		if e.Time.IsZero() {
			e.Time = now
		}
		e.Time = e.Time.UTC()
		seq++
		e.Seq, e.PrevHash = seq, hash
		h, err := computeHash(e)
		if err != nil {
			// Cannot happen for this struct; fail the batch rather than
			// write an entry that Verify would reject.
			fail(fmt.Errorf("encode event: %w", err))
			return
		}
		e.Hash = h
		b, err := json.Marshal(e)
		if err != nil {
			fail(fmt.Errorf("encode event: %w", err))
			return
		}
		buf.Write(b)
		buf.WriteByte('\n')
		events[i] = e
		hash = h
	}
	err := writeAll(l.out, buf.Bytes())
	if err == nil {
		err = l.out.Sync()
	}
	if err != nil {
		l.head.Lock()
		l.failed = err
		l.head.Unlock()
		l.logger.Error("audit log write failed; refusing further appends until reopened",
			"path", l.path, "batch", len(batch), "first_seq", events[0].Seq, "err", err)
		fail(err)
		return
	}
	l.head.Lock()
	l.seq, l.hash = seq, hash
	l.head.Unlock()
	l.logger.Debug("audit batch committed", "path", l.path, "batch", len(batch), "head_seq", seq, "head_hash", hash)
	for i, r := range batch {
		r.reply <- result{ev: events[i]}
	}
}

func writeAll(w io.Writer, b []byte) error {
	n, err := w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}

// Head returns the Seq and Hash of the last entry committed to the log
// (0 and Genesis for an empty log). Export it so that truncation or a
// rewrite of the chain's tail can be detected; see the package doc.
func (l *Log) Head() (seq int64, hash string) {
	l.head.Lock()
	defer l.head.Unlock()
	return l.seq, l.hash
}

// Close stops accepting appends, waits for the appends already accepted to
// be committed, logs the head and closes the file. It is safe to call twice.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.reqs)
	l.mu.Unlock()
	<-l.done
	seq, hash := l.Head()
	l.logger.Info("audit log closed", "path", l.path, "head_seq", seq, "head_hash", hash)
	if err := l.file.Close(); err != nil {
		return fmt.Errorf("audit.Close(%q): %w", l.path, err)
	}
	return nil
}

// shortHash shortens a hash for messages.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	if strings.TrimSpace(h) == "" {
		return `""`
	}
	return h
}
