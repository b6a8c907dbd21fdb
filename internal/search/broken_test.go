package search

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/casegraph/casegraph"
)

// panickingIndex is a bleve index that panics on reads, as bleve v2.6.3
// does after a segment failed to persist on a full disk (zapx: assignment
// to entry in nil map).
type panickingIndex struct{ bleveIndex }

type bleveIndex = bleve.Index

func (panickingIndex) SearchInContext(context.Context, *bleve.SearchRequest) (*bleve.SearchResult, error) {
	var m map[string]int
	m["segment"] = 1
	return nil, nil
}

// TestSearchBrokenIndex: a search on an index bleve panics on answers
// UNAVAILABLE with words for the user, not INTERNAL, and the panic stays in
// the error for the log.
func TestSearchBrokenIndex(t *testing.T) {
	ix := newTestIndex(t, fixtureDocs())
	ix.bi = panickingIndex{ix.bi}
	_, err := ix.Search(context.Background(), Request{Query: "盗窃", Scope: Scope{All: true}})
	var ce *casegraph.Error
	if !errors.As(err, &ce) || ce.Code != casegraph.EUNAVAILABLE {
		t.Fatalf("search on a broken index: %v, want UNAVAILABLE", err)
	}
	if !strings.Contains(ce.Message, "重建") || strings.Contains(ce.Message, "panic") {
		t.Errorf("message %q", ce.Message)
	}
	if !strings.Contains(err.Error(), "nil map") {
		t.Errorf("the error %q lacks the panic for the log", err)
	}
}
