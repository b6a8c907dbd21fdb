package ingest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// awayStore is a graph that is unavailable for its first reads.
type awayStore struct{ fails, calls int }

func (s *awayStore) AgencyKinds(ctx context.Context) (map[string]string, error) {
	s.calls++
	if s.calls <= s.fails {
		return nil, casegraph.Errorf(casegraph.EUNAVAILABLE, "the case graph database is unavailable")
	}
	return map[string]string{}, nil
}

func (s *awayStore) CaseFiledDates(ctx context.Context, uids []string) (map[string]time.Time, error) {
	return map[string]time.Time{}, nil
}

func (s *awayStore) WriteIngestBatch(ctx context.Context, b *neo4jdb.IngestBatch, links neo4jdb.LinkRows, persons []string) (neo4jdb.IngestResult, error) {
	return neo4jdb.IngestResult{}, nil
}

// TestRunRetriesItsFirstRead: a job that starts while Neo4j is away waits
// for it as its batches do (found by the fault tests: it failed at once).
func TestRunRetriesItsFirstRead(t *testing.T) {
	s := &awayStore{fails: 2}
	if _, err := Run(context.Background(), s, NewNDJSONDecoder(strings.NewReader(""), "t"), Options{}); err != nil {
		t.Fatalf("Run with the graph away for two reads: %v", err)
	}
	if s.calls != 3 {
		t.Errorf("AgencyKinds called %d times, want 3", s.calls)
	}
	s = &awayStore{fails: 100}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := Run(ctx, s, NewNDJSONDecoder(strings.NewReader(""), "t"), Options{}); err == nil {
		t.Error("Run succeeded with the graph away")
	}
}
