package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/casegraph/casegraph/internal/gen"
	"github.com/casegraph/casegraph/internal/ingest"
)

const runGenUsage = `Usage: casegraph gen --cases N --seed S [flags]

Writes deterministic synthetic case records in the canonical format
(docs/ingest.md) to standard output, one JSON object per line: the agencies
of several districts of 宁波市, then per police case its lineage through the
procuratorate and the courts. The same flags give the same bytes. With
--invalid-rate a known share of the records is broken on purpose; their
source.recordId ends in ~KIND. --manifest writes what was generated (counts
per type, invalid records per kind, realised rates) as JSON.

  casegraph gen --cases 1000 --seed 7 | casegraph ingest -

Flags:
`

// runGen implements casegraph gen.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	_ = getenv // no environment settings
	fs := flag.NewFlagSet("casegraph gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, runGenUsage); fs.PrintDefaults() }
	cases := fs.Int("cases", 100, "number of police cases")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same records")
	invalid := fs.Float64("invalid-rate", 0, "share of records (agencies aside) made invalid on purpose, 0 to 1")
	prefix := fs.String("prefix", "", "prefix of agency codes, record ids and person refs, to namespace the data")
	manifest := fs.String("manifest", "", "write the manifest (JSON) to this file")
	districts := fs.Int("districts", 6, "number of districts, 1 to 10")
	end := fs.String("end", gen.DefaultEnd.Format(time.DateOnly), "last day of the data (YYYY-MM-DD); cases are filed over the four years up to it")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Sprintf("gen takes no arguments, got %q", fs.Arg(0))}
	}
	endDay, err := time.Parse(time.DateOnly, *end)
	switch {
	case err != nil:
		return usageError{fmt.Sprintf("--end %q: use a date such as 2025-12-31", *end)}
	case *cases < 0:
		return usageError{fmt.Sprintf("--cases %d: use 0 or more", *cases)}
	case *invalid < 0 || *invalid > 1:
		return usageError{fmt.Sprintf("--invalid-rate %v: use 0 to 1", *invalid)}
	case *districts < 1 || *districts > 10:
		return usageError{fmt.Sprintf("--districts %d: use 1 to 10", *districts)}
	}
	opts := gen.Options{Cases: *cases, Seed: *seed, InvalidRate: *invalid, Prefix: *prefix, Districts: *districts, End: endDay}
	if _, err := opts.WithDefaults(); err != nil {
		return usageError{err.Error()}
	}

	enc := ingest.NewEncoder(stdout)
	n := 0
	m, err := gen.GenerateFunc(opts, func(body any) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return enc.Encode(body)
	})
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := enc.Flush(); err != nil {
		return fmt.Errorf("gen: writing records: %w", err)
	}
	if *manifest != "" {
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		if err := os.WriteFile(*manifest, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("gen: writing the manifest: %w", err)
		}
	}
	invalidTotal := 0
	for _, k := range gen.Reasons {
		invalidTotal += m.InvalidByReason[k]
	}
	fmt.Fprintf(stderr, "gen: %d records (%d invalid): %d agencies, %d cases (%d police, %d procuratorate, %d court), %d persons; seed %d\n",
		m.Records, invalidTotal, m.Agencies, m.Cases, m.PoliceCases, m.ProsecutionCases, m.CourtCases, m.Persons, *seed)
	return nil
}
