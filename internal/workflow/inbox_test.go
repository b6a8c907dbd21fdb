package workflow_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
	"github.com/casegraph/casegraph/internal/workflow"
)

// TestInboxPages sends handovers at two instants (so the keyset's tie on
// sentAt is exercised) and reads the procuratorate's inbox two at a time:
// every pending handover once, oldest first, then uid.
func TestInboxPages(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	e := setup(t, "IB")
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	ga := as(e.ga())
	var want []string
	for i := 0; i < 5; i++ {
		c := must(e.w.OpenCase(ga, workflow.OpenCaseInput{Agency: e.ga(), CaseNo: fmt.Sprintf("IB%d", i), At: at(2024, 3, 1, 9, 0)}))
		must(e.w.RecordDecision(ga, workflow.DecisionInput{Case: c, Kind: "FILE_CASE", At: at(2024, 3, 2, 10, 0)}))
		sent := at(2024, 3, 3, 10, 0)
		if i >= 3 {
			sent = at(2024, 3, 4, 10, 0)
		}
		want = append(want, must(e.w.TransferCase(ga, workflow.TransferInput{Case: c, Type: casegraph.HandoverProsecution, ToAgency: e.jc(), At: sent})))
	}
	var got []string
	var after *neo4jdb.HandoverKey
	for page := 0; page < 10; page++ {
		hs, more := must2(db.Inbox(ctx, e.jc(), "PENDING", 2, after))
		for _, h := range hs {
			got = append(got, h.UID)
		}
		if !more {
			break
		}
		last := hs[len(hs)-1]
		after = &neo4jdb.HandoverKey{SentAt: last.SentAt, UID: last.UID}
	}
	// Within one instant the order is by uid.
	if len(want) != 5 {
		t.Fatal(want)
	}
	sort.Strings(want[:3])
	sort.Strings(want[3:])
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inbox pages:\n got %v\nwant %v", got, want)
	}
	// Nothing pending for the court.
	if hs, _ := must2(db.Inbox(ctx, e.fy(), "PENDING", 2, nil)); len(hs) != 0 {
		t.Errorf("court inbox: %v", hs)
	}
}
