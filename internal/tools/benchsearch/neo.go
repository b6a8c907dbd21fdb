package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph/internal/search/eval"
)

const database = "neo4j"

// The Neo4j side: (:Case) nodes of the generated corpus and (:EvalDoc)
// nodes of the labelled set, each with a full-text index on title and
// summary with Lucene's CJK analyzer (bigrams, as ours without unigrams).
const (
	caseIndex = "case_text"
	evalIndex = "eval_text"

	loadCases = `UNWIND $rows AS r CREATE (c:Case) SET c = r`
	loadEval  = `UNWIND $rows AS r CREATE (d:EvalDoc) SET d = r`

	createCaseIndex = "CREATE FULLTEXT INDEX case_text IF NOT EXISTS FOR (n:Case) ON EACH [n.title, n.summary] " +
		"OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
	createEvalIndex = "CREATE FULLTEXT INDEX eval_text IF NOT EXISTS FOR (n:EvalDoc) ON EACH [n.title, n.summary] " +
		"OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"

	awaitIndexes = `CALL db.awaitIndexes(86400)`
	indexState   = `SHOW INDEXES YIELD id, name, state, populationPercent WHERE name = $name RETURN id, state, populationPercent`

	queryCases = `CALL db.index.fulltext.queryNodes('case_text', $q) YIELD node, score RETURN node.uid, score LIMIT 20`
	queryEval  = `CALL db.index.fulltext.queryNodes('eval_text', $q) YIELD node, score
WHERE node.source = $source RETURN node.uid LIMIT $limit`
)

// resetNeo4j empties the bench server and starts it: the script wipes its
// data directory, which is faster and surer than deleting the nodes.
func resetNeo4j(script string) error {
	for _, verb := range []string{"wipe", "start"} {
		cmd := exec.Command(script, verb)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s: %w", script, verb, err)
		}
	}
	return nil
}

// loadRows writes the n rows that row makes with stmt, in transactions of
// batch rows each (made one batch at a time, so that millions of rows are
// never all in memory as maps).
func loadRows(ctx context.Context, d neo4j.DriverWithContext, stmt string, n, batch int, row func(int) map[string]any) error {
	s := d.NewSession(ctx, neo4j.SessionConfig{DatabaseName: database})
	defer s.Close(ctx)
	part := make([]map[string]any, 0, batch)
	for i := 0; i < n; i += batch {
		part = part[:0]
		for j := i; j < min(i+batch, n); j++ {
			part = append(part, row(j))
		}
		_, err := s.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, stmt, map[string]any{"rows": part})
			if err != nil {
				return nil, err
			}
			return res.Consume(ctx)
		})
		if err != nil {
			return fmt.Errorf("load rows %d–%d: %w", i, i+len(part), err)
		}
	}
	return nil
}

// buildIndex creates a full-text index and waits until it is ONLINE.
// It returns the index id, which names its directory.
func buildIndex(ctx context.Context, d neo4j.DriverWithContext, create, name string) (int64, error) {
	if err := run(ctx, d, create, nil); err != nil {
		return 0, fmt.Errorf("create index %s: %w", name, err)
	}
	if err := run(ctx, d, awaitIndexes, nil); err != nil {
		return 0, fmt.Errorf("await index %s: %w", name, err)
	}
	for {
		res, err := neo4j.ExecuteQuery(ctx, d, indexState, map[string]any{"name": name},
			neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(database))
		if err != nil {
			return 0, fmt.Errorf("index %s state: %w", name, err)
		}
		if len(res.Records) != 1 {
			return 0, fmt.Errorf("index %s: not found", name)
		}
		v := res.Records[0].Values
		if v[1] == "ONLINE" {
			return v[0].(int64), nil
		}
		if v[1] == "FAILED" {
			return 0, fmt.Errorf("index %s failed", name)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// indexBytes is the size on disk of the full-text index id. Population
// commits the Lucene index before the index goes ONLINE (Community has no
// db.checkpoint to force more).
func indexBytes(home string, id int64) (int64, error) {
	return eval.DirSize(filepath.Join(home, "data", "databases", database, "schema", "index", "fulltext-1.0", fmt.Sprint(id)))
}

func run(ctx context.Context, d neo4j.DriverWithContext, stmt string, params map[string]any) error {
	_, err := neo4j.ExecuteQuery(ctx, d, stmt, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(database))
	return err
}

// neoSearch runs one query of the latency set and returns the number of hits.
func neoSearch(ctx context.Context, d neo4j.DriverWithContext, q string) (int, error) {
	res, err := neo4j.ExecuteQuery(ctx, d, queryCases, map[string]any{"q": q},
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(database), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		return 0, err
	}
	return len(res.Records), nil
}

// neoEval returns the uids of the labelled set's documents of source that
// match q, best first, at most limit.
func neoEval(ctx context.Context, d neo4j.DriverWithContext, q, source string, limit int) ([]string, error) {
	res, err := neo4j.ExecuteQuery(ctx, d, queryEval, map[string]any{"q": q, "source": source, "limit": limit},
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(database), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Records))
	for i, r := range res.Records {
		ids[i], _ = r.Values[0].(string)
	}
	return ids, nil
}

func neo4jVersion(ctx context.Context, d neo4j.DriverWithContext) string {
	res, err := neo4j.ExecuteQuery(ctx, d, `CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0], edition`,
		nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase("system"))
	if err != nil || len(res.Records) == 0 {
		return "unknown"
	}
	v := res.Records[0].Values
	return fmt.Sprintf("%v %v %v", v[0], strings.ToUpper(fmt.Sprint(v[2])[:1])+fmt.Sprint(v[2])[1:], v[1])
}

// luceneEscape escapes the characters Lucene's classic query parser gives a
// meaning to, so that text is searched as text.
func luceneEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\+-&|!(){}[]^"~*?:/`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lucenePhrase quotes s as one phrase; inside quotes only \ and " need
// escaping.
func lucenePhrase(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
