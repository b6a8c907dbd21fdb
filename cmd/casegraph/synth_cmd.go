package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/synth"
)

const genUsage = `Usage: casegraph gen --cases N [--seed S] [--invalid-rate R] [--prefix P] [--manifest FILE]

Writes deterministic synthetic case records in the canonical ingest format
(docs/ingest.md, docs/gen.md) to standard output, streamed: the same flags
give the same bytes. Pipe it into 'casegraph ingest -'.

Flags:
`

func runSynth(ctx context.Context, args []string, stdout, stderr io.Writer, _ func(string) string) error {
	opts := synth.Defaults()
	fs := flag.NewFlagSet("casegraph gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, genUsage); fs.PrintDefaults() }
	fs.IntVar(&opts.Cases, "cases", 0, "number of police cases (each may grow prosecution and court cases)")
	fs.Uint64Var(&opts.Seed, "seed", 1, "random seed")
	fs.Float64Var(&opts.InvalidRate, "invalid-rate", 0, "share of records (agencies aside) made invalid, 0 to 1")
	fs.StringVar(&opts.Prefix, "prefix", "", "prefix for agency codes and person refs, to namespace the data")
	fs.IntVar(&opts.Districts, "districts", opts.Districts, "districts of the city, 1 to 8")
	manifest := fs.String("manifest", "", "write the manifest (counts of what was generated) as JSON to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("gen takes no arguments, got %q", fs.Args())}
	case opts.Cases < 1:
		fs.Usage()
		return usageError{"--cases must be at least 1"}
	case opts.InvalidRate < 0 || opts.InvalidRate > 1:
		return usageError{fmt.Sprintf("--invalid-rate %v: use 0 to 1", opts.InvalidRate)}
	}
	enc := ingest.NewEncoder(stdout)
	m, err := synth.Generate(opts, enc)
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if *manifest != "" {
		b, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(*manifest, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
	}
	invalid := 0
	for _, n := range m.Invalid {
		invalid += n
	}
	fmt.Fprintf(stderr, "gen: %d records (%d invalid) for %d police cases, %d prosecution cases, %d court cases, %d persons\n",
		m.Records, invalid, m.PoliceCases, m.Prosecutions, m.CourtCases, m.Persons)
	return nil
}
