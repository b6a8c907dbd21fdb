package audit

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxPageSize is the largest page Query returns.
const MaxPageSize = 1000

// ErrBadCursor is returned by Query for a cursor it did not make.
var ErrBadCursor = errors.New("malformed cursor")

// ErrBadPageSize is returned by Query when first is out of range.
var ErrBadPageSize = errors.New("first must be between 1 and 1000")

// Filter selects events. Empty fields match everything; string fields match
// exactly. CaseUID and PersonUID match events that touched that uid. From is
// inclusive and To exclusive.
type Filter struct {
	Subject, Agency, Operation, Outcome, CaseUID, PersonUID string
	From, To                                                *time.Time
}

func (f Filter) match(e *Event) bool {
	switch {
	case f.Subject != "" && e.Subject != f.Subject,
		f.Agency != "" && e.Agency != f.Agency,
		f.Operation != "" && e.Operation != f.Operation,
		f.Outcome != "" && e.Outcome != f.Outcome,
		f.CaseUID != "" && !slices.Contains(e.CaseUIDs, f.CaseUID),
		f.PersonUID != "" && !slices.Contains(e.PersonUIDs, f.PersonUID),
		f.From != nil && e.Time.Before(*f.From),
		f.To != nil && !e.Time.Before(*f.To):
		return false
	}
	return true
}

// Page is one page of Query results, newest first.
type Page struct {
	Events    []Event
	HasNext   bool
	EndCursor string // pass as after for the next page; empty if Events is
}

// EncodeCursor returns the cursor that points at seq.
func EncodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.FormatInt(seq, 10)))
}

// DecodeCursor returns the seq a cursor points at.
func DecodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, ErrBadCursor
	}
	s, ok := strings.CutPrefix(string(b), "seq:")
	if !ok {
		return 0, ErrBadCursor
	}
	seq, err := strconv.ParseInt(s, 10, 64)
	if err != nil || seq < 1 {
		return 0, ErrBadCursor
	}
	return seq, nil
}

// Query returns up to first events matching f, newest first, that are older
// than the cursor after (all events if after is empty). It scans the file
// and keeps at most first+1 events in memory. Lines that are not valid
// entries are skipped; Verify reports them.
func (l *Log) Query(ctx context.Context, f Filter, first int, after string) (_ Page, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("audit.Query: %w", err)
		}
	}()
	if first < 1 || first > MaxPageSize {
		return Page{}, fmt.Errorf("%w (got %d)", ErrBadPageSize, first)
	}
	before := int64(-1)
	if after != "" {
		if before, err = DecodeCursor(after); err != nil {
			return Page{}, err
		}
	}
	// The file is appended to concurrently; only whole lines up to the
	// current end are read, and the head bounds what is returned so a
	// line being written (not yet acknowledged) is not shown.
	headSeq, _ := l.Head()
	fh, err := os.Open(l.path)
	if err != nil {
		return Page{}, err
	}
	defer fh.Close()

	// win is a ring of the newest first+1 matches seen so far.
	win := make([]Event, 0, first+1)
	start := 0
	r := bufio.NewReaderSize(fh, 64<<10)
	for lines := 0; ; lines++ {
		if lines%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return Page{}, err
			}
		}
		b, rerr := r.ReadBytes('\n')
		if len(b) > 0 && b[len(b)-1] == '\n' {
			if e, derr := decodeLine(b[:len(b)-1]); derr == nil && e.Seq <= headSeq &&
				(before < 0 || e.Seq < before) && f.match(e) {
				if len(win) < cap(win) {
					win = append(win, *e)
				} else {
					win[start] = *e
					start = (start + 1) % len(win)
				}
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return Page{}, rerr
		}
	}
	// Oldest to newest in the ring, then newest first.
	ordered := append(win[start:len(win):len(win)], win[:start]...)
	slices.Reverse(ordered)
	// The file is in seq order unless tampered with; sort so pages stay
	// consistent either way.
	slices.SortStableFunc(ordered, func(a, b Event) int {
		switch {
		case a.Seq > b.Seq:
			return -1
		case a.Seq < b.Seq:
			return 1
		}
		return 0
	})
	p := Page{Events: ordered}
	if len(ordered) > first {
		p.Events, p.HasNext = ordered[:first], true
	}
	if len(p.Events) > 0 {
		p.EndCursor = EncodeCursor(p.Events[len(p.Events)-1].Seq)
	}
	return p, nil
}
