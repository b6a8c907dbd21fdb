// Command testreport reads `go test -json` on standard input, prints each
// package's result and the output of every failed test, and ends with the
// line "N passed, N failed, N skipped". With -no-skips it fails when any
// test was skipped: in the full suite a skipped integration test is a test
// that did not run.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	ImportPath string
	Action     string
	Package    string
	Test       string
	Output     string
	Elapsed    float64
}

func main() {
	noSkips := flag.Bool("no-skips", false, "fail when a test was skipped")
	flag.Parse()
	os.Exit(run(os.Stdin, os.Stdout, *noSkips))
}

func run(in io.Reader, out io.Writer, noSkips bool) int {
	var passed, failed, skipped int
	var skippedNames, failedPkgs []string
	output := map[string]*strings.Builder{} // "pkg test" → output
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			fmt.Fprintln(out, string(line)) // build errors and the like
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			failedPkgs = append(failedPkgs, e.Package)
		case "output":
			b := output[key]
			if b == nil {
				b = &strings.Builder{}
				output[key] = b
			}
			b.WriteString(e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				status := map[string]string{"pass": "ok  ", "fail": "FAIL", "skip": "----"}[e.Action]
				fmt.Fprintf(out, "%s %s %.1fs\n", status, e.Package, e.Elapsed)
				if e.Action == "fail" {
					failedPkgs = append(failedPkgs, e.Package)
					if b := output[key]; b != nil {
						fmt.Fprint(out, indent(b.String()))
					}
				}
				continue
			}
			if strings.Contains(e.Test, "/") && e.Action != "fail" {
				continue // count top-level tests; subtests show in failures
			}
			switch e.Action {
			case "pass":
				passed++
				fmt.Fprintf(out, "--- PASS: %s (%s, %.2fs)\n", e.Test, shortPkg(e.Package), e.Elapsed)
			case "fail":
				failed++
				fmt.Fprintf(out, "--- FAIL: %s (%s)\n%s", e.Test, e.Package, indent(output[key].String()))
			case "skip":
				skipped++
				reason := ""
				if b := output[key]; b != nil {
					reason = lastLine(b.String())
				}
				skippedNames = append(skippedNames, fmt.Sprintf("%s %s: %s", e.Package, e.Test, reason))
			}
		}
	}
	sort.Strings(skippedNames)
	for _, s := range skippedNames {
		fmt.Fprintln(out, "skipped:", s)
	}
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	switch {
	case failed > 0 || len(failedPkgs) > 0:
		return 1
	case noSkips && skipped > 0:
		fmt.Fprintln(out, "testreport: tests were skipped in a run that must run them all")
		return 1
	}
	return 0
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func shortPkg(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}
