package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
)

// Problem kinds reported by Verify.
const (
	KindEdited    = "EDITED"
	KindRemoved   = "REMOVED"
	KindReordered = "REORDERED"
	KindMalformed = "MALFORMED"
)

// Report is the result of Verify.
type Report struct {
	Entries  int64 // lines that parse as entries
	OK       bool
	Problems []Problem // ordered by line
}

// Problem is one finding of Verify. Line is 1-based; Seq is the Seq of the
// entry on that line, or 0 if it has none.
type Problem struct {
	Line   int64
	Seq    int64
	Kind   string // EDITED, REMOVED, REORDERED, MALFORMED
	Detail string
}

// checker holds the streaming checks shared by Open and Verify: each line
// on its own (MALFORMED, EDITED) and its link to the line before it.
type checker struct {
	prev         *Event
	prevLine     int64
	prevReported bool // prev already has an EDITED problem
}

// line checks one line (without its newline). It returns the parsed entry,
// or nil if the line is not one, and the problems found. A problem may
// concern the previous entry: an entry whose successor's PrevHash does not
// match its hash was rewritten, with its hash recomputed.
func (c *checker) line(n int64, b []byte) (*Event, []Problem) {
	var probs []Problem
	e, err := decodeLine(b)
	if err != nil {
		return nil, []Problem{{Line: n, Kind: KindMalformed, Detail: err.Error()}}
	}
	selfBad := false
	canon, err := json.Marshal(e)
	switch {
	case err != nil:
		selfBad = true
		probs = append(probs, Problem{Line: n, Seq: e.Seq, Kind: KindEdited, Detail: "cannot re-encode entry: " + err.Error()})
	default:
		h, _ := computeHash(*e)
		if h != e.Hash {
			selfBad = true
			probs = append(probs, Problem{Line: n, Seq: e.Seq, Kind: KindEdited,
				Detail: fmt.Sprintf("content does not match its hash (stored %s, computed %s)", shortHash(e.Hash), shortHash(h))})
		} else if !bytes.Equal(canon, b) {
			selfBad = true
			probs = append(probs, Problem{Line: n, Seq: e.Seq, Kind: KindEdited,
				Detail: "line is not in the form the log writes (fields added, reordered or reformatted)"})
		}
	}
	switch {
	case c.prev == nil && e.Seq == 1 && e.PrevHash != Genesis && !selfBad:
		probs = append(probs, Problem{Line: n, Seq: e.Seq, Kind: KindEdited,
			Detail: fmt.Sprintf("first entry's prev is %s, not the genesis hash", shortHash(e.PrevHash))})
	case c.prev != nil && e.Seq == c.prev.Seq+1 && e.PrevHash != c.prev.Hash && !c.prevReported:
		probs = append(probs, Problem{Line: c.prevLine, Seq: c.prev.Seq, Kind: KindEdited,
			Detail: fmt.Sprintf("hash chain broken after this entry: line %d (seq %d) names prev %s, this entry's hash is %s",
				n, e.Seq, shortHash(e.PrevHash), shortHash(c.prev.Hash))})
	}
	c.prev, c.prevLine, c.prevReported = e, n, selfBad
	return e, probs
}

func decodeLine(b []byte) (*Event, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("empty line")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e Event
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("not an audit entry: %v", err)
	}
	if dec.More() {
		return nil, errors.New("not an audit entry: data after the JSON object")
	}
	if e.Seq < 1 {
		return nil, fmt.Errorf("not an audit entry: seq %d", e.Seq)
	}
	return &e, nil
}

// record is what Verify keeps per entry for the ordering checks.
type record struct {
	line      int64
	seq       int64
	malformed int64 // malformed lines seen before this entry, in total
}

// Verify reads a log and checks every entry: its hash, that its prev equals
// the previous entry's hash, and that seq increases by one. It reports every
// problem with its line. An error is returned only if r cannot be read.
//
// Entries that are out of order are found as the fewest entries whose
// removal leaves the seqs increasing (a longest increasing subsequence);
// each of those is REORDERED, and seqs that appear nowhere are REMOVED at
// the line where the next entry stands. Verify keeps about 40 bytes per
// entry in memory.
func Verify(ctx context.Context, r io.Reader) (Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		rep       Report
		c         checker
		n         int64
		malformed int64
		recs      []record
	)
	for {
		if err := ctx.Err(); err != nil {
			return Report{}, fmt.Errorf("audit.Verify: %w", err)
		}
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			n++
			if b[len(b)-1] != '\n' {
				malformed++
				rep.Problems = append(rep.Problems, Problem{Line: n, Kind: KindMalformed,
					Detail: "torn last line (no newline): an append that never completed; Open truncates it"})
			} else {
				e, probs := c.line(n, b[:len(b)-1])
				rep.Problems = append(rep.Problems, probs...)
				if e == nil {
					malformed++
				} else {
					rep.Entries++
					recs = append(recs, record{line: n, seq: e.Seq, malformed: malformed})
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Report{}, fmt.Errorf("audit.Verify: line %d: %w", n+1, err)
		}
	}
	rep.Problems = append(rep.Problems, orderProblems(recs)...)
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Line < rep.Problems[j].Line })
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

// orderProblems finds REORDERED and REMOVED entries.
func orderProblems(recs []record) []Problem {
	if len(recs) == 0 {
		return nil
	}
	var probs []Problem
	// Longest strictly increasing subsequence of seqs, by patience sorting.
	tails := make([]int, 0, 16)
	pred := make([]int, len(recs))
	for i, r := range recs {
		k := sort.Search(len(tails), func(k int) bool { return recs[tails[k]].seq >= r.seq })
		pred[i] = -1
		if k > 0 {
			pred[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	inOrder := make([]bool, len(recs))
	for i := tails[len(tails)-1]; i >= 0; i = pred[i] {
		inOrder[i] = true
	}
	// Seqs present anywhere, to tell a moved entry from a removed one.
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		seqs[i] = r.seq
	}
	slices.Sort(seqs)
	for i, r := range recs {
		if inOrder[i] {
			continue
		}
		d := "entry is out of order"
		if i > 0 {
			d = fmt.Sprintf("seq %d is out of order: the entry before it (line %d) has seq %d", r.seq, recs[i-1].line, recs[i-1].seq)
		}
		if lo, _ := slices.BinarySearch(seqs, r.seq); lo+1 < len(seqs) && seqs[lo+1] == r.seq {
			d = fmt.Sprintf("seq %d appears more than once (a copied entry)", r.seq)
		}
		probs = append(probs, Problem{Line: r.line, Seq: r.seq, Kind: KindReordered, Detail: d})
	}
	seqs = slices.Compact(seqs)
	present := func(lo, hi int64) int64 { // distinct seqs in (lo, hi)
		a := sort.Search(len(seqs), func(i int) bool { return seqs[i] > lo })
		b := sort.Search(len(seqs), func(i int) bool { return seqs[i] >= hi })
		return int64(b - a)
	}
	var lastSeq, lastMalformed int64
	for i, r := range recs {
		if !inOrder[i] {
			continue
		}
		missing := r.seq - lastSeq - 1 - present(lastSeq, r.seq)
		// A garbled line in between is presumably one of the missing
		// entries; it is already reported as MALFORMED.
		if missing > r.malformed-lastMalformed {
			probs = append(probs, Problem{Line: r.line, Seq: r.seq, Kind: KindRemoved,
				Detail: fmt.Sprintf("%d entries missing between seq %d and seq %d, before this line", missing, lastSeq, r.seq)})
		}
		lastSeq, lastMalformed = r.seq, r.malformed
	}
	return probs
}

// VerifyFile runs Verify on the file at path.
func VerifyFile(ctx context.Context, path string) (Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return Report{}, fmt.Errorf("audit.VerifyFile(%q): %w", path, err)
	}
	defer f.Close()
	rep, err := Verify(ctx, f)
	if err != nil {
		return Report{}, fmt.Errorf("audit.VerifyFile(%q): %w", path, err)
	}
	return rep, nil
}
