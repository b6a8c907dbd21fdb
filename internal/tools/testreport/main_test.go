package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.1}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: needs Neo4j; skipped with -short\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"pass","Package":"p","Test":"TestC/sub"}
{"Action":"pass","Package":"p","Test":"TestC"}
{"Action":"pass","Package":"p","Elapsed":0.2}
`

func TestCountsAndSkips(t *testing.T) {
	var out bytes.Buffer
	if code := run(strings.NewReader(sample), &out, false); code != 0 {
		t.Errorf("exit %d, want 0:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "\n2 passed, 0 failed, 1 skipped\n") {
		t.Errorf("no closing line:\n%s", out.String())
	}
	out.Reset()
	if code := run(strings.NewReader(sample), &out, true); code == 0 {
		t.Errorf("with -no-skips a skipped test must fail the run:\n%s", out.String())
	}
}

func TestFailure(t *testing.T) {
	in := `{"Action":"output","Package":"p","Test":"TestX","Output":"boom\n"}
{"Action":"fail","Package":"p","Test":"TestX"}
{"Action":"fail","Package":"p"}
`
	var out bytes.Buffer
	if code := run(strings.NewReader(in), &out, false); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "boom") || !strings.Contains(out.String(), "0 passed, 1 failed, 0 skipped") {
		t.Errorf("output:\n%s", out.String())
	}
}
