package main

import (
	"context"
	"fmt"
	"io"

	"github.com/casegraph/casegraph"
)

// runRollups checks or rebuilds the analytics roll-ups (docs/analytics.md):
//
//	casegraph rollups verify    recount every roll-up from the graph; exit 1 on a difference
//	casegraph rollups rebuild   drop them and count every case again
func runRollups(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "rebuild") {
		return usageError{"usage: casegraph rollups verify|rebuild [flags]"}
	}
	verb := args[0]
	cfg, log, err := setup("rollups "+verb, args[1:], stderr, getenv)
	if err != nil {
		return err
	}
	db, err := openDB(cfg, log)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	ctx = casegraph.WithScope(ctx, casegraph.SystemScope)
	if verb == "rebuild" {
		if err := db.ResetRollups(ctx); err != nil {
			return err
		}
		total := 0
		for {
			n, err := db.RepairRollups(ctx, 2000)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
			total += n
		}
		fmt.Fprintf(stdout, "roll-ups rebuilt from %d cases\n", total)
		return nil
	}
	ready, err := db.RollupsReady(ctx)
	if err != nil {
		return err
	}
	if !ready {
		fmt.Fprintln(stdout, "roll-ups incomplete: cases stored before them are not counted yet (casegraph serve counts them at start); analytics count cases meanwhile")
	}
	diffs, err := db.VerifyRollups(ctx)
	if err != nil {
		return err
	}
	for _, d := range diffs {
		fmt.Fprintf(stdout, "%s: stored %d, recounted %d\n", d.Key, d.Stored, d.Counted)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%d roll-ups differ from a recount; `casegraph rollups rebuild` rebuilds them", len(diffs))
	}
	fmt.Fprintln(stdout, "roll-ups equal a recount from the graph")
	return nil
}
