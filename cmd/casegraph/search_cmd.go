package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The search index belongs to the running server (bleve keeps its files
// locked), so `casegraph search` and `casegraph reindex` are clients of it:
// they answer while the server keeps serving.

func serverFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	def := "http://127.0.0.1:8080"
	if a := getenv("CASEGRAPH_ADDR"); a != "" {
		def = "http://" + a
	}
	return fs.String("server", def, "the casegraph server to ask (default from CASEGRAPH_ADDR)")
}

const searchQuery = `query($q: String!, $first: Int, $types: [SearchType!]) {
  search(query: $q, first: $first, filter: {types: $types}) {
    totalCount
    hits { type id score highlights { field fragments }
      case { caseNo title stage agency { name } }
      person { name idNumber } }
    facets { field values { value count } }
  }
}`

var markTags = regexp.MustCompile(`</?mark>`)

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("casegraph search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := serverFlag(fs, getenv)
	token := tokenFlag(fs, getenv)
	first := fs.Int("first", 10, "hits to show, 1 to 100")
	typ := fs.String("type", "", "only CASE or PERSON hits")
	asJSON := fs.Bool("json", false, "print the GraphQL answer as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: casegraph search [flags] QUERY\n\nSearches the running server's index (query syntax: docs/search.md).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageError{"search needs a QUERY"}
	}
	vars := map[string]any{"q": strings.Join(fs.Args(), " "), "first": *first}
	if *typ != "" {
		vars["types"] = []string{strings.ToUpper(*typ)}
	}
	tok, err := bearer(*token, getenv)
	if err != nil {
		return err
	}
	body, err := postJSON(ctx, *server+"/graphql", tok, map[string]any{"query": searchQuery, "variables": vars})
	if err != nil {
		return err
	}
	var resp struct {
		Data struct {
			Search struct {
				TotalCount int
				Hits       []struct {
					Type, ID   string
					Score      float64
					Highlights []struct {
						Field     string
						Fragments []string
					}
					Case *struct {
						CaseNo, Title, Stage string
						Agency               struct{ Name string }
					}
					Person *struct{ Name, IDNumber string }
				}
				Facets []struct {
					Field  string
					Values []struct {
						Value string
						Count int
					}
				}
			}
		}
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("search: the server's answer is not JSON: %w", err)
	}
	if len(resp.Errors) > 0 {
		return fmt.Errorf("search: %s (%v)", resp.Errors[0].Message, resp.Errors[0].Extensions["code"])
	}
	if *asJSON {
		_, err := stdout.Write(append(body, '\n'))
		return err
	}
	s := resp.Data.Search
	fmt.Fprintf(stdout, "%d matches\n", s.TotalCount)
	for i, h := range s.Hits {
		switch {
		case h.Case != nil:
			fmt.Fprintf(stdout, "%2d. [案件] %s %s — %s, %s (%.2f)\n", i+1, h.Case.CaseNo, h.Case.Title, h.Case.Agency.Name, h.Case.Stage, h.Score)
		case h.Person != nil:
			fmt.Fprintf(stdout, "%2d. [人员] %s %s (%.2f)\n", i+1, h.Person.Name, h.Person.IDNumber, h.Score)
		default:
			fmt.Fprintf(stdout, "%2d. [%s] %s (%.2f)\n", i+1, h.Type, h.ID, h.Score)
		}
		for _, hl := range h.Highlights {
			for _, f := range hl.Fragments {
				fmt.Fprintf(stdout, "      %s: %s\n", hl.Field, markTags.ReplaceAllStringFunc(f, func(t string) string {
					if t == "<mark>" {
						return "【"
					}
					return "】"
				}))
			}
		}
	}
	for _, f := range s.Facets {
		var parts []string
		for _, v := range f.Values {
			parts = append(parts, fmt.Sprintf("%s %d", v.Value, v.Count))
		}
		if len(parts) > 0 {
			fmt.Fprintf(stdout, "  %s: %s\n", f.Field, strings.Join(parts, ", "))
		}
	}
	return nil
}

func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("casegraph reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := serverFlag(fs, getenv)
	token := tokenFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	tok, err := bearer(*token, getenv)
	if err != nil {
		return err
	}
	body, err := postJSON(ctx, *server+"/api/search/reindex", tok, nil)
	if err != nil {
		return err
	}
	var r struct {
		Documents int
		Seconds   float64
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("reindex: the server's answer is not JSON: %w", err)
	}
	fmt.Fprintf(stdout, "reindex: %d documents indexed into a new index and swapped in, in %.1fs\n", r.Documents, r.Seconds)
	return nil
}

// postJSON posts v (or nothing) and returns the body of a 2xx answer.
func postJSON(ctx context.Context, url, token string, v any) ([]byte, error) {
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return nil, usageError{fmt.Sprintf("bad server address: %v", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the casegraph server at %s (is `casegraph serve` running?): %w", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s answered %s: %s", url, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}
