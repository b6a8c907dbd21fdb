package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
)

func generate(t testing.TB, o Options) ([]byte, Manifest) {
	t.Helper()
	var buf bytes.Buffer
	enc := ingest.NewEncoder(&buf)
	m, err := Generate(o, enc)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), m
}

func opts(cases int, seed uint64, invalid float64) Options {
	o := Defaults()
	o.Cases, o.Seed, o.InvalidRate = cases, seed, invalid
	return o
}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, opts(300, 42, 0.05))
	b, _ := generate(t, opts(300, 42, 0.05))
	c, _ := generate(t, opts(300, 43, 0.05))
	if !bytes.Equal(a, b) {
		t.Error("the same options gave different output")
	}
	if bytes.Equal(a, c) {
		t.Error("another seed gave the same output")
	}
}

// validate runs every line through the real decoder and validator, as a
// job would (agencies first, known to the validator as they come).
func validate(t *testing.T, data []byte) (valid, refused map[string]int) {
	t.Helper()
	valid, refused = map[string]int{}, map[string]int{}
	v := ingest.NewValidator(nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		rec, rej := ingest.DecodeLine(sc.Bytes())
		if rej != nil {
			var env struct{ Type string }
			json.Unmarshal(sc.Bytes(), &env)
			refused[env.Type]++
			continue
		}
		if _, rej := v.Check(rec); rej != nil {
			refused[rec.Type]++
			continue
		}
		valid[rec.Type]++
	}
	return valid, refused
}

func TestEveryRecordValidAndCountsMatch(t *testing.T) {
	data, m := generate(t, opts(2000, 7, 0))
	valid, refused := validate(t, data)
	if len(refused) != 0 {
		t.Errorf("refused records without --invalid-rate: %v", refused)
	}
	total := 0
	for typ, n := range m.ByType {
		if valid[typ] != n {
			t.Errorf("%s: manifest says %d, output has %d", typ, n, valid[typ])
		}
		total += n
	}
	if total != m.Records || m.PoliceCases != 2000 {
		t.Errorf("manifest records %d, sum %d, police cases %d", m.Records, total, m.PoliceCases)
	}
}

func TestInvalidRecordsAreExactlyTheCountedOnes(t *testing.T) {
	data, m := generate(t, opts(2000, 9, 0.05))
	valid, refused := validate(t, data)
	inv := 0
	for typ, n := range m.Invalid {
		inv += n
		if refused[typ] != n {
			t.Errorf("%s: %d made invalid, %d refused", typ, n, refused[typ])
		}
	}
	for typ, n := range refused {
		if m.Invalid[typ] != n {
			t.Errorf("%s: %d refused but %d made invalid", typ, n, m.Invalid[typ])
		}
	}
	share := float64(inv) / float64(m.Records-m.ByType["agency"])
	if math.Abs(share-0.05) > 0.01 {
		t.Errorf("invalid share %.3f, asked for 0.05", share)
	}
	if len(m.InvalidByReason) < 8 {
		t.Errorf("only %d kinds of invalid records: %v", len(m.InvalidByReason), m.InvalidByReason)
	}
	_ = valid
}

// within checks a realised rate against the requested one, allowing four
// standard errors of a binomial proportion.
func within(t *testing.T, what string, k, n int, p float64) {
	t.Helper()
	if n == 0 {
		t.Errorf("%s: no trials", what)
		return
	}
	got := float64(k) / float64(n)
	se := math.Sqrt(p * (1 - p) / float64(n))
	if math.Abs(got-p) > 4*se {
		t.Errorf("%s: %.3f (%d/%d), asked for %.3f ± %.3f", what, got, k, n, p, 4*se)
	}
}

func TestRatesAsRequested(t *testing.T) {
	o := opts(5000, 11, 0)
	_, m := generate(t, o)
	within(t, "arrest requests", m.ArrestRequests, m.PoliceCases, o.ArrestRequestRate)
	within(t, "non-arrest", m.NonArrests, m.ArrestRequests, o.NonArrestRate)
	within(t, "non-prosecution", m.NonProsecutions, m.NonProsecutions+m.CourtCases, o.NonProsecutionRate)
	within(t, "plea leniency", m.PleaCases, m.CourtCases, o.PleaRate)
	if m.Supplementary1 == 0 || m.Supplementary2 == 0 || m.Appeals == 0 || m.Overdue == 0 || m.Juveniles == 0 || m.RepeatSuspects == 0 {
		t.Errorf("a feature is missing: %+v", m)
	}
}

func TestMemoryDoesNotGrowWithCases(t *testing.T) {
	heap := func(cases int) uint64 {
		enc := ingest.NewEncoder(discard{})
		runtime.GC()
		if _, err := Generate(opts(cases, 3, 0.01), enc); err != nil {
			t.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	small, large := heap(2000), heap(40000)
	if large > small+8<<20 {
		t.Errorf("heap in use %d MB after 40,000 cases, %d MB after 2,000", large>>20, small>>20)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkGenerate(b *testing.B) {
	for i := 0; i < b.N; i++ {
		enc := ingest.NewEncoder(discard{})
		m, err := Generate(opts(1000, uint64(i), 0), enc)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.Records), "records/op")
	}
}
