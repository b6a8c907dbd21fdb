package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/search"
)

// caseRec is one agency's case record as the benchmark indexes it: the
// newest version of its uid in the input.
type caseRec struct {
	UID, CaseNo, Title, Summary, Agency, District, Stage, FiledAt string
	Kind                                                          casegraph.CaseKind
}

// corpus is what readCorpus found in the input.
type corpus struct {
	Cases     []caseRec
	Records   int // case lines read, every version
	TextBytes int64
}

type line struct {
	Type   string `json:"type"`
	Source struct {
		Agency string `json:"agency"`
		At     string `json:"at"`
	} `json:"source"`
	Code     string `json:"code"`
	Kind     string `json:"kind"`
	CaseNo   string `json:"caseNo"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Stage    string `json:"stage"`
	FiledAt  string `json:"filedAt"`
	District string `json:"district"`
}

// readCorpus reads the case records of an NDJSON file from casegraph gen in
// two passes. The generator writes later versions of a case record (status
// updates) as new lines; as in casegraph ingest, the version with the newest
// source.at wins, so the first pass finds each uid's winning line and the
// second decodes only those. limit > 0 keeps the first limit uids in order
// of first appearance.
func readCorpus(path string, limit int) (*corpus, error) {
	type winner struct {
		at   time.Time
		line int
	}
	win := map[string]winner{}
	var order []string
	kinds := map[string]casegraph.CaseKind{}
	c := &corpus{}
	err := scanLines(path, func(n int, b []byte) error {
		if bytes.HasPrefix(b, []byte(`{"type":"agency"`)) {
			var l line
			if err := json.Unmarshal(b, &l); err != nil {
				return fmt.Errorf("line %d: %w", n, err)
			}
			kinds[l.Code] = agencyKind(l.Kind)
			return nil
		}
		if !bytes.HasPrefix(b, []byte(`{"type":"case"`)) {
			return nil
		}
		var l line
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		at, err := time.Parse(time.RFC3339, l.Source.At)
		if err != nil {
			return fmt.Errorf("line %d: source.at: %w", n, err)
		}
		c.Records++
		uid := "c/" + l.Source.Agency + "/" + l.CaseNo
		w, ok := win[uid]
		if !ok {
			if limit > 0 && len(order) >= limit {
				return nil
			}
			order = append(order, uid)
		}
		if !ok || !at.Before(w.at) {
			win[uid] = winner{at, n}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	keep := make(map[int]int, len(order)) // line → index in order
	for i, uid := range order {
		keep[win[uid].line] = i
	}
	c.Cases = make([]caseRec, len(order))
	err = scanLines(path, func(n int, b []byte) error {
		i, ok := keep[n]
		if !ok {
			return nil
		}
		var l line
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		c.Cases[i] = caseRec{
			UID: order[i], CaseNo: l.CaseNo, Title: l.Title, Summary: l.Summary, Agency: l.Source.Agency,
			District: l.District, Stage: l.Stage, FiledAt: l.FiledAt, Kind: kinds[l.Source.Agency],
		}
		c.TextBytes += int64(len(l.Title) + len(l.Summary))
		return nil
	})
	return c, err
}

func scanLines(path string, f func(n int, b []byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		if err := f(n, sc.Bytes()); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: line %d: %w", path, n+1, err)
	}
	return nil
}

func agencyKind(k string) casegraph.CaseKind {
	switch k {
	case "POLICE":
		return casegraph.CasePolice
	case "PROCURATORATE":
		return casegraph.CaseProsecution
	case "COURT":
		return casegraph.CaseCourt
	}
	return ""
}

// caseDoc is what casegraph's search index holds of r.
func (r *caseRec) caseDoc() *search.CaseDoc {
	d := &search.CaseDoc{
		UID: r.UID, CaseNo: r.CaseNo, AgencyCode: r.Agency, Kind: r.Kind, Stage: casegraph.Stage(r.Stage),
		District: r.District, Title: r.Title, Summary: r.Summary, ScopeAgencies: []string{r.Agency},
	}
	if t, err := time.Parse(time.DateOnly, r.FiledAt); err == nil {
		d.FiledAt = &t
	}
	return d
}

// row is what the Neo4j :Case node holds of r (empty values are left out).
func (r *caseRec) row() map[string]any {
	m := map[string]any{"uid": r.UID, "caseNo": r.CaseNo, "agency": r.Agency, "kind": string(r.Kind)}
	for k, v := range map[string]string{"title": r.Title, "summary": r.Summary, "district": r.District, "stage": r.Stage, "filedAt": r.FiledAt} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}
