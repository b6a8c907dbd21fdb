package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/casegraph/casegraph/internal/config"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/workflow"
)

const ingestUsage = `Usage: casegraph ingest [flags] FILE...

Loads records into the graph. FILE is an NDJSON file of canonical records
(docs/ingest.md), or - for standard input; with --format pole it is the
directory of the POLE CSVs. Refused records are counted and, with --rejects,
written one JSON line each (file, line, recordId, field, reason); they never
stop the job. The exit status is 0 when every valid record was written, even
if some were refused, and non-zero only when the job itself failed.

Flags:
`

// formats maps --format to a function that opens one input as a decoder.
// Adapters register themselves in formats_*.go.
var formats = map[string]func(path string, r io.Reader, mapping string) (ingest.Decoder, error){
	"ndjson": func(path string, r io.Reader, _ string) (ingest.Decoder, error) {
		return ingest.NewNDJSONDecoder(r, path), nil
	},
}

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var cfg config.Config
	fs := flag.NewFlagSet("casegraph ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, ingestUsage); fs.PrintDefaults() }
	config.RegisterGroups(fs, &cfg, getenv, config.Neo4jFlags|config.LogFlags)
	format := fs.String("format", "ndjson", "input format: "+formatNames())
	mapping := fs.String("mapping", "", "mapping file for --format csv, e.g. mappings/policeuk-street.yaml")
	batch := fs.Int("batch", 1000, "records per transaction")
	dryRun := fs.Bool("dry-run", false, "validate only; write nothing")
	rejectsPath := fs.String("rejects", "", "write refused records to this file, one JSON line each")
	conflictsPath := fs.String("conflicts", "", "write conflicts between versions of a record to this file, one JSON line each")
	quiet := fs.Bool("quiet", false, "no progress display")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	open, ok := formats[*format]
	switch {
	case !ok:
		return usageError{fmt.Sprintf("--format %q: use one of %s", *format, formatNames())}
	case fs.NArg() == 0:
		fs.Usage()
		return usageError{"ingest needs at least one FILE (or - for standard input)"}
	case *batch < 1 || *batch > 50000:
		return usageError{fmt.Sprintf("--batch %d: use 1 to 50000", *batch)}
	case *format == "csv" && *mapping == "":
		return usageError{"--format csv needs --mapping FILE"}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	level, _ := config.ParseLevel(cfg.LogLevel)
	log := newLogger(stderr, cfg.LogFormat, level)

	// Open every input first: a missing file fails the job before it writes.
	var total int64 = -1
	var read atomic.Int64
	var decs []ingest.Decoder
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	sizes := int64(0)
	for _, path := range fs.Args() {
		var r io.Reader
		switch {
		case path == "-":
			r, sizes = os.Stdin, -1
		case *format == "pole":
			r = nil // a directory; the adapter reads it
		default:
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("ingest: %w", err)
			}
			closers = append(closers, f)
			if st, err := f.Stat(); err == nil && sizes >= 0 {
				sizes += st.Size()
			}
			r = f
		}
		if r != nil {
			r = &countingReader{r: r, n: &read}
		}
		dec, err := open(path, r, *mapping)
		if err != nil {
			return fmt.Errorf("ingest: %s: %w", path, err)
		}
		decs = append(decs, dec)
	}
	if sizes > 0 && *format != "pole" {
		total = sizes
	}

	var rejects *json.Encoder
	if *rejectsPath != "" {
		f, err := os.Create(*rejectsPath)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		defer f.Close()
		rejects = json.NewEncoder(f)
		rejects.SetEscapeHTML(false)
	}

	var conflicts *json.Encoder
	if *conflictsPath != "" {
		f, err := os.Create(*conflictsPath)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		defer f.Close()
		conflicts = json.NewEncoder(f)
		conflicts.SetEscapeHTML(false)
	}

	db, err := openDB(cfg, log)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))

	if !*dryRun {
		if _, err := db.Migrate(ctx); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	progress := newProgress(stderr, total, &read, !*quiet && isTerminal(stderr))
	opts := ingest.Options{
		BatchSize:  *batch,
		DryRun:     *dryRun,
		Log:        log,
		OnProgress: progress.update,
	}
	if !*dryRun {
		opts.OnCommit = syncProcedure(workflow.New(db, log, workflow.Options{}), log)
	}
	if rejects != nil {
		opts.OnReject = func(r ingest.Reject) error { return rejects.Encode(r) }
	}
	if conflicts != nil {
		opts.OnConflict = func(c ingest.Conflict) error { return conflicts.Encode(c) }
	}
	rep, err := ingest.Run(ctx, db, &multiDecoder{decs: decs}, opts)
	progress.done()
	summary := fmt.Sprintf("ingest: read %d, written %d, refused %d, conflicts %d (stale %d, replaced %d), %d batches in %s, %.0f records/s",
		rep.Read, rep.Written, rep.Refused, rep.Stale+rep.Replaced, rep.Stale, rep.Replaced, rep.Batches,
		rep.Elapsed.Round(time.Millisecond), float64(rep.Read)/max(rep.Elapsed.Seconds(), 1e-9))
	if *dryRun {
		summary += " (dry run: nothing written)"
	}
	fmt.Fprintln(stdout, summary)
	if rep.Refused > 0 && *rejectsPath != "" {
		fmt.Fprintf(stdout, "ingest: refused records are in %s\n", *rejectsPath)
	} else if rep.Refused > 0 {
		for _, r := range rep.Rejects[:min(len(rep.Rejects), 10)] {
			fmt.Fprintf(stdout, "  refused %s\n", r.Error())
		}
		if rep.Refused > 10 {
			fmt.Fprintf(stdout, "  … and %d more; use --rejects FILE to keep them all\n", rep.Refused-10)
		}
	}
	return err
}

func formatNames() string {
	names := []string{"ndjson", "csv", "cail2018", "pole"}
	var have []string
	for _, n := range names {
		if _, ok := formats[n]; ok {
			have = append(have, n)
		}
	}
	return strings.Join(have, ", ")
}

// multiDecoder reads its decoders one after the other.
type multiDecoder struct{ decs []ingest.Decoder }

func (m *multiDecoder) Next() (ingest.Item, error) {
	for len(m.decs) > 0 {
		it, err := m.decs[0].Next()
		if err == io.EOF {
			m.decs = m.decs[1:]
			continue
		}
		return it, err
	}
	return ingest.Item{}, io.EOF
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws a one-line progress bar on a terminal: records/s, refused
// count and, when the input size is known, percent and ETA.
type progress struct {
	w       io.Writer
	total   int64
	read    *atomic.Int64
	on      bool
	start   time.Time
	last    time.Time
	printed bool
}

func newProgress(w io.Writer, total int64, read *atomic.Int64, on bool) *progress {
	return &progress{w: w, total: total, read: read, on: on, start: time.Now()}
}

func (p *progress) update(r ingest.Report) {
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	el := time.Since(p.start).Seconds()
	rate := float64(r.Read) / max(el, 1e-9)
	line := fmt.Sprintf("%d records, %.0f/s, %d refused", r.Read, rate, r.Refused)
	if p.total > 0 {
		done := float64(p.read.Load()) / float64(p.total)
		const width = 30
		n := int(done * width)
		bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
		eta := "?"
		if done > 0 {
			eta = (time.Duration((el/done - el) * float64(time.Second))).Round(time.Second).String()
		}
		line = fmt.Sprintf("[%s] %3.0f%% %s, ETA %s", bar, done*100, line, eta)
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.printed = true
}

func (p *progress) done() {
	if p.printed {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
