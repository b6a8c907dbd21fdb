package main

import (
	"fmt"
	"io"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/ingest/cail2018"
	"github.com/casegraph/casegraph/internal/ingest/csvmap"
	"github.com/casegraph/casegraph/internal/ingest/pole"
)

func init() {
	formats["cail2018"] = func(path string, r io.Reader, _ string) (ingest.Decoder, error) {
		if r == nil {
			return nil, fmt.Errorf("cail2018 reads a facts.jsonl file")
		}
		return cail2018.NewDecoder(r, path), nil
	}
	formats["pole"] = func(path string, _ io.Reader, _ string) (ingest.Decoder, error) {
		return pole.NewDecoder(path)
	}
}

// csvMappings caches loaded mappings by path: one job may read many files
// with the same mapping.
var csvMappings = map[string]*csvmap.Mapping{}

func init() {
	formats["csv"] = func(path string, r io.Reader, mapping string) (ingest.Decoder, error) {
		if r == nil {
			return nil, fmt.Errorf("csv reads a file")
		}
		m, ok := csvMappings[mapping]
		if !ok {
			var err error
			if m, err = csvmap.Load(mapping); err != nil {
				return nil, err
			}
			csvMappings[mapping] = m
		}
		return m.NewDecoder(r, path)
	}
}
