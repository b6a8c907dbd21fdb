// Package search will hold casegraph's Chinese full-text search on bleve v2,
// derived from the graph and kept consistent with it. It arrives with the
// search issue.
package search
