package main

import (
	"fmt"
	"io"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/ingest/cail2018"
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
