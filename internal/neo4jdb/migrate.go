package neo4jdb

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.cypher
var migrationFS embed.FS

// Migration is one numbered, embedded schema file.
type Migration struct {
	Version    int
	Name       string
	Checksum   string
	Statements []string
}

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.cypher")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", base)
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		m := Migration{Version: v, Name: strings.TrimSuffix(base, ".cypher"), Checksum: hex.EncodeToString(sum[:])}
		for _, stmt := range splitStatements(string(body)) {
			m.Statements = append(m.Statements, stmt)
		}
		if len(out) > 0 && out[len(out)-1].Version >= v {
			return nil, fmt.Errorf("migration %s: version %d is not above the previous one", base, v)
		}
		out = append(out, m)
	}
	return out, nil
}

// splitStatements drops // comment lines and splits on semicolons at line ends.
func splitStatements(body string) []string {
	var b strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	var out []string
	for _, s := range strings.Split(b.String(), ";\n") {
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// AppliedMigration is a migration recorded in the graph.
type AppliedMigration struct {
	Version  int
	Name     string
	Checksum string
}

const queryAppliedMigrations = `
MATCH (m:Migration)
RETURN m.version AS version, m.name AS name, m.checksum AS checksum
ORDER BY m.version`

// AppliedMigrations lists the migrations recorded in the graph.
func (db *DB) AppliedMigrations(ctx context.Context) ([]AppliedMigration, error) {
	recs, err := db.read(ctx, queryAppliedMigrations, nil)
	if err != nil {
		return nil, fmt.Errorf("AppliedMigrations: %w", err)
	}
	out := make([]AppliedMigration, 0, len(recs))
	for _, r := range recs {
		out = append(out, AppliedMigration{
			Version:  int(r.Values[0].(int64)),
			Name:     r.Values[1].(string),
			Checksum: r.Values[2].(string),
		})
	}
	return out, nil
}

const queryRecordMigration = `
MERGE (m:Migration {version: $version})
ON CREATE SET m.name = $name, m.checksum = $checksum, m.appliedAt = datetime()`

// Migrate applies every embedded migration the graph has not recorded, in
// order, and records each. Schema statements are idempotent (IF NOT EXISTS),
// so a run interrupted between a statement and its record is safe to repeat.
// It returns the migrations it applied.
func (db *DB) Migrate(ctx context.Context) (applied []Migration, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("Migrate: %w", err)
		}
	}()
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	done, err := db.AppliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	have := map[int]AppliedMigration{}
	for _, d := range done {
		have[d.Version] = d
	}
	for _, m := range all {
		if d, ok := have[m.Version]; ok {
			if d.Checksum != m.Checksum {
				return applied, fmt.Errorf("migration %s was changed after it was applied (recorded checksum %.12s, embedded %.12s); add a new migration instead", m.Name, d.Checksum, m.Checksum)
			}
			continue
		}
		for _, stmt := range m.Statements {
			// Schema changes may not share a transaction with data writes.
			if _, err := db.write(ctx, stmt, nil); err != nil {
				return applied, fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		if _, err := db.write(ctx, queryRecordMigration, map[string]any{
			"version": m.Version, "name": m.Name, "checksum": m.Checksum,
		}); err != nil {
			return applied, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		applied = append(applied, m)
		db.log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	return applied, nil
}

// SchemaCurrent reports whether every embedded migration is recorded in the
// graph, and if not, which is missing.
func (db *DB) SchemaCurrent(ctx context.Context) (ok bool, missing string, err error) {
	all, err := Migrations()
	if err != nil {
		return false, "", err
	}
	done, err := db.AppliedMigrations(ctx)
	if err != nil {
		return false, "", err
	}
	have := map[int]bool{}
	for _, d := range done {
		have[d.Version] = true
	}
	for _, m := range all {
		if !have[m.Version] {
			return false, m.Name, nil
		}
	}
	return true, "", nil
}

const (
	queryConstraintNames = `SHOW CONSTRAINTS YIELD name RETURN name`
	queryIndexNames      = `SHOW INDEXES YIELD name RETURN name`
)

// SchemaNames lists the names of every constraint and index, sorted.
func (db *DB) SchemaNames(ctx context.Context) ([]string, error) {
	var out []string
	for _, q := range []string{queryConstraintNames, queryIndexNames} {
		recs, err := db.read(ctx, q, nil)
		if err != nil {
			return nil, fmt.Errorf("SchemaNames: %w", err)
		}
		for _, r := range recs {
			out = append(out, r.Values[0].(string))
		}
	}
	sort.Strings(out)
	return out, nil
}
