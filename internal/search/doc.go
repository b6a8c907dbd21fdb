// Package search is casegraph's Chinese full-text search on bleve v2: an
// index of cases and persons derived from the graph, its lifecycle on disk
// and the search API. It knows nothing of Neo4j; the caller feeds it
// documents (CaseDoc, PersonDoc) and a high-water mark.
//
//   - Analysis (analysis.go): bigrams plus unigrams of Han characters for
//     text and names, with a query-side analyzer that keeps one term per
//     position (the choice and its evaluation are in docs/search.md and
//     internal/search/eval, which imports the filters from here; this
//     package must not import eval, which links the gse dictionaries).
//   - Mapping (mapping.go): two static document types, a disabled default
//     mapping, and MappingVersion stored in every index.
//   - Lifecycle (index.go, manager.go): Open reports ErrNeedsRebuild for an
//     index of another mapping version or a damaged one; Manager rebuilds
//     into a sibling directory and swaps it in while searches run.
//   - Query syntax (query.go) and Search (search.go): words, "phrases",
//     field:value, -exclusion; scope and sealing enforced inside the bleve
//     query; facets, highlights and cursor pagination.
//
// docs/search.md, "The search index", describes all of it for users and
// operators.
package search
