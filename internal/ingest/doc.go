// Package ingest will hold casegraph's ingest jobs: the canonical NDJSON
// record format, the decoders and adapters, validation and batched,
// idempotent loading into the graph. It arrives with the ingest issue; the
// identifier rules it will apply are already in internal/ident.
package ingest
