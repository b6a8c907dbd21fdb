package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(tb testing.TB, path string, logger *slog.Logger) *Log {
	tb.Helper()
	l, err := Open(context.Background(), path, logger)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func testEvent(i int) Event {
	return Event{
		Subject:    fmt.Sprintf("user%d", i%3),
		Agency:     "agency-a",
		Roles:      []string{"investigator"},
		Operation:  "query cases",
		Action:     "READ",
		CaseUIDs:   []string{fmt.Sprintf("case-%d", i%4)},
		PersonUIDs: []string{fmt.Sprintf("person-%d", i%5)},
		Outcome:    "OK",
		RequestID:  fmt.Sprintf("req-%d", i),
		ClientAddr: "127.0.0.1:1234",
	}
}

func appendN(tb testing.TB, l *Log, n int) []Event {
	tb.Helper()
	var out []Event
	for i := range n {
		e, err := l.Append(context.Background(), testEvent(i))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func readLines(tb testing.TB, path string) []string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func writeLines(tb testing.TB, path string, lines []string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
}

func verifyOK(tb testing.TB, path string, entries int64) {
	tb.Helper()
	rep, err := VerifyFile(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	if !rep.OK || rep.Entries != entries {
		tb.Fatalf("Verify: OK=%v entries=%d (want %d), problems %+v", rep.OK, rep.Entries, entries, rep.Problems)
	}
}

// tmpLog makes a closed log of n entries and returns its path.
func tmpLog(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "audit", "audit.log")
	l := openTest(tb, path, nil)
	appendN(tb, l, n)
	if err := l.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestAppendReopenContinuesChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "audit.log")
	l := openTest(t, path, nil)
	evs := appendN(t, l, 3)
	if evs[0].Seq != 1 || evs[0].PrevHash != Genesis || evs[2].Seq != 3 || evs[2].PrevHash != evs[1].Hash {
		t.Fatalf("bad chain: %+v", evs)
	}
	if evs[0].Time.IsZero() || evs[0].Time.Location() != time.UTC {
		t.Fatalf("time not set in UTC: %v", evs[0].Time)
	}
	if seq, h := l.Head(); seq != 3 || h != evs[2].Hash {
		t.Fatalf("Head = %d %s", seq, h)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := l.Append(context.Background(), testEvent(0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, fi.Mode().Perm(), want)
		}
	}

	l = openTest(t, path, nil)
	if seq, h := l.Head(); seq != 3 || h != evs[2].Hash {
		t.Fatalf("Head after reopen = %d %s", seq, h)
	}
	e, err := l.Append(context.Background(), testEvent(9))
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 4 || e.PrevHash != evs[2].Hash {
		t.Fatalf("after reopen got seq %d prev %s", e.Seq, e.PrevHash)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	verifyOK(t, path, 4)
}

func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := openTest(t, path, nil)
	const workers, each = 50, 20
	seqs := make(chan int64, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e, err := l.Append(context.Background(), testEvent(w*each+i))
				if err != nil {
					t.Error(err)
					return
				}
				seqs <- e.Seq
			}
		})
	}
	wg.Wait()
	close(seqs)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	seen := make(map[int64]bool)
	for s := range seqs {
		if seen[s] {
			t.Fatalf("seq %d returned twice", s)
		}
		seen[s] = true
	}
	for s := int64(1); s <= workers*each; s++ {
		if !seen[s] {
			t.Fatalf("seq %d missing", s)
		}
	}
	verifyOK(t, path, workers*each)
}

func TestVerifyTamper(t *testing.T) {
	editSubject := func(line string) string {
		return strings.Replace(line, `"subject":"user`, `"subject":"xuser`, 1)
	}
	tests := []struct {
		name   string
		tamper func(tb testing.TB, lines []string) []string
		want   []Problem // Detail is not compared
	}{
		{
			name: "edit without recomputing the hash",
			tamper: func(tb testing.TB, lines []string) []string {
				lines[4] = editSubject(lines[4])
				return lines
			},
			want: []Problem{{Line: 5, Seq: 5, Kind: KindEdited}},
		},
		{
			name: "edit and recompute the hash",
			tamper: func(tb testing.TB, lines []string) []string {
				var e Event
				if err := json.Unmarshal([]byte(lines[4]), &e); err != nil {
					tb.Fatal(err)
				}
				e.Subject = "someone-else"
				h, err := computeHash(e)
				if err != nil {
					tb.Fatal(err)
				}
				e.Hash = h
				b, err := json.Marshal(e)
				if err != nil {
					tb.Fatal(err)
				}
				lines[4] = string(b)
				return lines
			},
			want: []Problem{{Line: 5, Seq: 5, Kind: KindEdited}},
		},
		{
			name: "add a field",
			tamper: func(tb testing.TB, lines []string) []string {
				lines[4] = strings.Replace(lines[4], "{", `{"extra":1,`, 1)
				return lines
			},
			want: []Problem{{Line: 5, Kind: KindMalformed}},
		},
		{
			name: "delete a line",
			tamper: func(tb testing.TB, lines []string) []string {
				return append(lines[:4:4], lines[5:]...)
			},
			want: []Problem{{Line: 5, Seq: 6, Kind: KindRemoved}},
		},
		{
			name: "delete the first line",
			tamper: func(tb testing.TB, lines []string) []string {
				return lines[1:]
			},
			want: []Problem{{Line: 1, Seq: 2, Kind: KindRemoved}},
		},
		{
			name: "swap adjacent lines",
			tamper: func(tb testing.TB, lines []string) []string {
				lines[3], lines[4] = lines[4], lines[3]
				return lines
			},
			want: []Problem{{Line: 4, Seq: 5, Kind: KindReordered}},
		},
		{
			name: "swap distant lines",
			tamper: func(tb testing.TB, lines []string) []string {
				lines[1], lines[7] = lines[7], lines[1]
				return lines
			},
			want: []Problem{{Line: 2, Seq: 8, Kind: KindReordered}, {Line: 8, Seq: 2, Kind: KindReordered}},
		},
		{
			name: "duplicate a line",
			tamper: func(tb testing.TB, lines []string) []string {
				return append(lines, lines[2])
			},
			want: []Problem{{Line: 11, Seq: 3, Kind: KindReordered}},
		},
		{
			name: "append garbage",
			tamper: func(tb testing.TB, lines []string) []string {
				return append(lines, "garbage")
			},
			want: []Problem{{Line: 11, Kind: KindMalformed}},
		},
		{
			name: "garble a middle line",
			tamper: func(tb testing.TB, lines []string) []string {
				lines[4] = lines[4][:20]
				return lines
			},
			want: []Problem{{Line: 5, Kind: KindMalformed}},
		},
		{
			name: "two problems",
			tamper: func(tb testing.TB, lines []string) []string {
				lines[1] = editSubject(lines[1])
				return append(lines[:6:6], lines[7:]...)
			},
			want: []Problem{{Line: 2, Seq: 2, Kind: KindEdited}, {Line: 7, Seq: 8, Kind: KindRemoved}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tmpLog(t, 10)
			writeLines(t, path, tt.tamper(t, readLines(t, path)))
			rep, err := VerifyFile(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			var got []Problem
			for _, p := range rep.Problems {
				if p.Detail == "" {
					t.Errorf("problem without detail: %+v", p)
				}
				p.Detail = ""
				got = append(got, p)
			}
			if rep.OK || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got OK=%v %+v\nwant %+v\nfull: %+v", rep.OK, got, tt.want, rep.Problems)
			}
		})
	}
}

func TestTornTailTruncated(t *testing.T) {
	path := tmpLog(t, 5)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	torn := readLines(t, path)[2][:40]
	if err := os.WriteFile(path, append(bytes.Clone(before), torn...), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	l := openTest(t, path, slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), fmt.Sprintf("offset=%d", len(before))) {
		t.Errorf("no warning naming offset %d: %s", len(before), logs.String())
	}
	e, err := l.Append(context.Background(), testEvent(0))
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 6 {
		t.Errorf("seq %d, want 6", e.Seq)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	verifyOK(t, path, 6)
}

func TestOpenAfterCopiedLine(t *testing.T) {
	path := tmpLog(t, 5)
	lines := readLines(t, path)
	writeLines(t, path, append(lines, lines[1]))
	l := openTest(t, path, nil)
	e, err := l.Append(context.Background(), testEvent(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if e.Seq != 6 {
		t.Fatalf("seq %d, want 6", e.Seq)
	}
	rep, err := VerifyFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Line != 6 || rep.Problems[0].Kind != KindReordered {
		t.Errorf("problems %+v", rep.Problems)
	}
}

func TestOpenCorruptMiddleLine(t *testing.T) {
	path := tmpLog(t, 5)
	lines := readLines(t, path)
	lines[2] = strings.Replace(lines[2], `"outcome":"OK"`, `"outcome":"DENIED"`, 1)
	writeLines(t, path, lines)
	var logs bytes.Buffer
	l := openTest(t, path, slog.New(slog.NewTextHandler(&logs, nil)))
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "line=3") {
		t.Errorf("no error naming line 3: %s", logs.String())
	}
	if e, err := l.Append(context.Background(), testEvent(0)); err != nil || e.Seq != 6 {
		t.Fatalf("Append: seq %d err %v", e.Seq, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Line != 3 || rep.Problems[0].Kind != KindEdited {
		t.Errorf("problems %+v", rep.Problems)
	}
}

// failingSink fails writes or fsyncs on demand.
type failingSink struct {
	sink
	mu                  sync.Mutex
	failWrite, failSync bool
	partial             bool // write half the bytes before failing
}

func (f *failingSink) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failWrite {
		if f.partial {
			n, _ := f.sink.Write(b[:len(b)/2])
			return n, errors.New("disk full")
		}
		return 0, errors.New("disk full")
	}
	return f.sink.Write(b)
}

func (f *failingSink) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSync {
		return errors.New("fsync: input/output error")
	}
	return f.sink.Sync()
}

func TestAppendFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*failingSink)
	}{
		{"write", func(f *failingSink) { f.failWrite = true }},
		{"partial write", func(f *failingSink) { f.failWrite, f.partial = true, true }},
		{"fsync", func(f *failingSink) { f.failSync = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			var fs *failingSink
			l, err := open(context.Background(), path, nil, func(s sink) sink {
				fs = &failingSink{sink: s}
				return fs
			})
			if err != nil {
				t.Fatal(err)
			}
			appendN(t, l, 2)
			fs.mu.Lock()
			tc.set(fs)
			fs.mu.Unlock()
			if _, err := l.Append(context.Background(), testEvent(0)); err == nil {
				t.Fatal("Append succeeded on a failing write")
			}
			if seq, _ := l.Head(); seq != 2 {
				t.Errorf("Head seq %d after failure, want 2", seq)
			}
			fs.mu.Lock()
			fs.failWrite, fs.failSync = false, false
			fs.mu.Unlock()
			if _, err := l.Append(context.Background(), testEvent(0)); !errors.Is(err, ErrFailed) {
				t.Fatalf("Append after failure: %v, want ErrFailed", err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			// Reopening repairs a torn tail and continues the chain.
			l = openTest(t, path, nil)
			if _, err := l.Append(context.Background(), testEvent(0)); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			rep, err := VerifyFile(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK {
				t.Errorf("problems %+v", rep.Problems)
			}
		})
	}
}

func TestQuery(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := openTest(t, path, nil)
	defer l.Close()
	all := appendN(t, l, 40)
	ctx := context.Background()

	collect := func(f Filter, first int) []int64 {
		t.Helper()
		var seqs []int64
		after := ""
		for range 100 {
			p, err := l.Query(ctx, f, first, after)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) > first {
				t.Fatalf("page of %d > first %d", len(p.Events), first)
			}
			for _, e := range p.Events {
				seqs = append(seqs, e.Seq)
			}
			if !p.HasNext {
				return seqs
			}
			after = p.EndCursor
		}
		t.Fatal("pagination does not end")
		return nil
	}
	want := func(match func(Event) bool) []int64 {
		var seqs []int64
		for i := len(all) - 1; i >= 0; i-- {
			if match(all[i]) {
				seqs = append(seqs, all[i].Seq)
			}
		}
		return seqs
	}
	from, to := all[10].Time, all[20].Time
	tests := []struct {
		name  string
		f     Filter
		match func(Event) bool
	}{
		{"all", Filter{}, func(Event) bool { return true }},
		{"subject", Filter{Subject: "user1"}, func(e Event) bool { return e.Subject == "user1" }},
		{"case", Filter{CaseUID: "case-2"}, func(e Event) bool { return e.CaseUIDs[0] == "case-2" }},
		{"person and subject", Filter{PersonUID: "person-3", Subject: "user0"}, func(e Event) bool {
			return e.PersonUIDs[0] == "person-3" && e.Subject == "user0"
		}},
		{"time", Filter{From: &from, To: &to}, func(e Event) bool { return !e.Time.Before(from) && e.Time.Before(to) }},
		{"none", Filter{Outcome: "DENIED"}, func(Event) bool { return false }},
		{"agency op", Filter{Agency: "agency-a", Operation: "query cases"}, func(Event) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := want(tt.match)
			for _, first := range []int{1, 3, 7, 1000} {
				if got := collect(tt.f, first); fmt.Sprint(got) != fmt.Sprint(w) {
					t.Errorf("first=%d: got %v, want %v", first, got, w)
				}
			}
		})
	}

	p, err := l.Query(ctx, Filter{}, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p.Events[0].Roles, p.Events[0].RequestID) != fmt.Sprint(all[39].Roles, all[39].RequestID) || !p.HasNext || p.EndCursor != EncodeCursor(39) {
		t.Errorf("page %+v", p)
	}
	for _, first := range []int{0, -1, 1001} {
		if _, err := l.Query(ctx, Filter{}, first, ""); !errors.Is(err, ErrBadPageSize) {
			t.Errorf("first=%d: err %v", first, err)
		}
	}
	for _, c := range []string{"!!", "eHl6", EncodeCursor(0), "c2VxOmFi"} {
		if _, err := l.Query(ctx, Filter{}, 10, c); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: err %v", c, err)
		}
	}
}

func TestVerifyEmpty(t *testing.T) {
	rep, err := Verify(context.Background(), strings.NewReader(""))
	if err != nil || !rep.OK || rep.Entries != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// BenchmarkAppend compares group commit with the baseline of one write and
// one fsync per event under a mutex, both from parallel goroutines.
func BenchmarkAppend(b *testing.B) {
	line := bytes.Repeat([]byte("x"), 300)
	line[len(line)-1] = '\n'
	b.Run("baseline-fsync-per-event", func(b *testing.B) {
		f, err := os.OpenFile(filepath.Join(b.TempDir(), "base.log"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		var mu sync.Mutex
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				_, err := f.Write(line)
				if err == nil {
					err = f.Sync()
				}
				mu.Unlock()
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	for _, par := range []int{1, 16} {
		b.Run(fmt.Sprintf("group-commit-par%d", par), func(b *testing.B) {
			l := openTest(b, filepath.Join(b.TempDir(), "audit.log"), nil)
			defer l.Close()
			ev := testEvent(1)
			b.SetParallelism(par)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := l.Append(context.Background(), ev); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("serial", func(b *testing.B) {
		l := openTest(b, filepath.Join(b.TempDir(), "audit.log"), nil)
		defer l.Close()
		ev := testEvent(1)
		for b.Loop() {
			if _, err := l.Append(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzVerify checks that Verify never fails or panics on arbitrary input and
// that it only calls a log OK when every line is an entry.
func FuzzVerify(f *testing.F) {
	path := tmpLog(f, 4)
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("garbage\n"))
	f.Add([]byte("{}\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rep, err := Verify(context.Background(), bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK && int64(bytes.Count(in, []byte("\n"))) != rep.Entries {
			t.Fatalf("OK with %d entries for %d lines", rep.Entries, bytes.Count(in, []byte("\n")))
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor(42))
	f.Add("!!")
	f.Fuzz(func(t *testing.T, c string) {
		seq, err := DecodeCursor(c)
		if err == nil && (seq < 1 || decodeCursorMust(t, EncodeCursor(seq)) != seq) {
			t.Fatalf("cursor %q decodes to %d", c, seq)
		}
	})
}

func decodeCursorMust(tb testing.TB, c string) int64 {
	tb.Helper()
	seq, err := DecodeCursor(c)
	if err != nil {
		tb.Fatal(err)
	}
	return seq
}
