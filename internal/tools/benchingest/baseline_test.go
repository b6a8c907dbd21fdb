package main

import (
	"bufio"
	"bytes"
	"context"
	"sort"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/synth"
)

// TestDerive runs the baseline's derivations over generated cases without
// a database: the procedure sync through workflow's code on the model, the
// roll-ups, the alert counters and entity resolution. It checks that they
// run and that what they derive holds together; the bench compares the
// graph with casegraph's.
func TestDerive(t *testing.T) {
	opts := synth.Defaults()
	opts.Cases, opts.Seed = 300, 1
	var buf bytes.Buffer
	enc := ingest.NewEncoder(&buf)
	if _, err := synth.Generate(opts, enc); err != nil {
		t.Fatal(err)
	}
	enc.Flush()
	l := &loader{m: newModel(), rows: map[string][]map[string]any{}, touch: map[string]bool{}, court: map[string]string{},
		stats: &phaseStats{rows: map[string]int{}, took: map[string]time.Duration{}}}
	events, deadlines, pairs := 0, 0, 0
	flush := func() {
		touched := make([]string, 0, len(l.touch))
		for uid := range l.touch {
			touched = append(touched, uid)
		}
		sort.Strings(touched)
		stmts, err := l.m.derive(context.Background(), touched, l.people)
		if err != nil {
			t.Fatal(err)
		}
		events += len(stmts[2].rows)
		deadlines += len(stmts[4].rows)
		pairs += len(stmts[0].rows)
		l.rows, l.n, l.touch, l.people = map[string][]map[string]any{}, 0, map[string]bool{}, nil
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 1<<20), 1<<21)
	for sc.Scan() {
		l.add(sc.Bytes())
		if l.n >= 1000 {
			flush()
		}
	}
	flush()
	if events == 0 || deadlines == 0 {
		t.Fatalf("derived %d events and %d deadlines", events, deadlines)
	}
	cases, n := 0, 0
	for _, c := range l.m.cases {
		if !c.hasScope || !c.hasRollup {
			t.Errorf("case %s: scope %v, roll-ups %v: not synced", c.uid, c.hasScope, c.hasRollup)
		}
		if c.filedAt != nil {
			cases++
		}
	}
	for key, c := range l.m.rollups {
		if c.props["m"] == "case*" {
			n += c.n
		}
		if c.n < 0 {
			t.Errorf("roll-up %s counts %d", key, c.n)
		}
	}
	if n != cases {
		t.Errorf("the case roll-ups count %d cases; %d have a filed date", n, cases)
	}
	t.Logf("%d cases, %d events and %d deadlines written, %d roll-ups, %d alert counters, %d candidate pairs",
		len(l.m.cases), events, deadlines, len(l.m.rollups), len(l.m.alerts), len(l.m.sameAs))
}
