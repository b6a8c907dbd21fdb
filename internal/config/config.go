// Package config reads casegraph's configuration from flags and CASEGRAPH_*
// environment variables; a flag given on the command line wins.
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Config is everything casegraph is told from outside.
type Config struct {
	Addr          string // CASEGRAPH_ADDR
	Neo4jURI      string // CASEGRAPH_NEO4J_URI
	Neo4jUser     string // CASEGRAPH_NEO4J_USER
	Neo4jPassword string // CASEGRAPH_NEO4J_PASSWORD (secret)
	Neo4jDatabase string // CASEGRAPH_NEO4J_DATABASE
	DataDir       string // CASEGRAPH_DATA_DIR: search index, job files
	LogFormat     string // CASEGRAPH_LOG_FORMAT: text or json
	LogLevel      string // CASEGRAPH_LOG_LEVEL: debug, info, warn, error
	Demo          bool   // CASEGRAPH_DEMO: load the demo graph when the database has no cases
	Introspection bool   // CASEGRAPH_INTROSPECTION: allow GraphQL schema introspection
	GraphiQL      bool   // CASEGRAPH_GRAPHIQL: serve the GraphiQL page
	JWTSecret     string // CASEGRAPH_JWT_SECRET (secret): HS256 key, development
	JWTPublicKey  string // CASEGRAPH_JWT_PUBLIC_KEY: PEM file of the RS256/ES256 verification key, production
	PolicyFile    string // CASEGRAPH_AUTHZ_POLICY: casbin policy CSV replacing the embedded one
	ModelFile     string // CASEGRAPH_AUTHZ_MODEL: casbin model replacing the embedded one
	RatePerMinute int    // CASEGRAPH_RATE_PER_MINUTE: requests per subject per minute
	MetricsAddr   string // CASEGRAPH_METRICS_ADDR: listen address of /metrics; empty: not served
}

// DefaultNeo4jPassword is the development password scripts/neo4j sets too.
const DefaultNeo4jPassword = "casegraph-dev"

// Flag groups: a command registers the groups it uses.
const (
	Neo4jFlags = 1 << iota // --neo4j-*
	LogFlags               // --log-*
	ServeFlags             // --addr, --data-dir, --demo, --introspection
	AllFlags   = Neo4jFlags | LogFlags | ServeFlags
)

// Register defines every flag of cfg on fs, with defaults taken from the
// environment (getenv) or built in.
func Register(fs *flag.FlagSet, cfg *Config, getenv func(string) string) {
	RegisterGroups(fs, cfg, getenv, AllFlags)
}

// RegisterGroups defines the flags of the given groups on fs. Fields of
// other groups keep their defaults.
func RegisterGroups(fs *flag.FlagSet, cfg *Config, getenv func(string) string, groups int) {
	if groups&AllFlags != AllFlags {
		// Fill the defaults of unregistered groups through a scratch set.
		scratch := flag.NewFlagSet("", flag.ContinueOnError)
		RegisterGroups(scratch, cfg, getenv, AllFlags)
	}
	str := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" ($"+env+")")
	}
	boolean := func(p *bool, name, env string, def bool, usage string) {
		switch strings.ToLower(getenv(env)) {
		case "1", "true", "yes", "on":
			def = true
		case "0", "false", "no", "off":
			def = false
		}
		fs.BoolVar(p, name, def, usage+" ($"+env+")")
	}
	if groups&ServeFlags != 0 {
		str(&cfg.Addr, "addr", "CASEGRAPH_ADDR", "127.0.0.1:8080", "HTTP listen address")
		str(&cfg.DataDir, "data-dir", "CASEGRAPH_DATA_DIR", filepath.Join("var", "casegraph"), "directory for the search index and job files")
		boolean(&cfg.Demo, "demo", "CASEGRAPH_DEMO", false, "load the demo graph when the database has no cases")
		boolean(&cfg.Introspection, "introspection", "CASEGRAPH_INTROSPECTION", true, "allow GraphQL introspection (GraphiQL needs it)")
		boolean(&cfg.GraphiQL, "graphiql", "CASEGRAPH_GRAPHIQL", true, "serve the GraphiQL page at /graphiql")
		str(&cfg.JWTSecret, "jwt-secret", "CASEGRAPH_JWT_SECRET", "", "HS256 secret of bearer tokens, at least 32 bytes (development)")
		str(&cfg.JWTPublicKey, "jwt-public-key", "CASEGRAPH_JWT_PUBLIC_KEY", "", "PEM file with the RS256 or ES256 public key of bearer tokens (production)")
		str(&cfg.PolicyFile, "authz-policy", "CASEGRAPH_AUTHZ_POLICY", "", "casbin policy CSV replacing the embedded default")
		str(&cfg.ModelFile, "authz-model", "CASEGRAPH_AUTHZ_MODEL", "", "casbin model replacing the embedded default")
		rate := 600
		if v := getenv("CASEGRAPH_RATE_PER_MINUTE"); v != "" {
			fmt.Sscan(v, &rate)
		}
		fs.IntVar(&cfg.RatePerMinute, "rate-per-minute", rate, "requests per subject per minute ($CASEGRAPH_RATE_PER_MINUTE)")
		str(&cfg.MetricsAddr, "metrics-addr", "CASEGRAPH_METRICS_ADDR", "", "listen address of the Prometheus /metrics endpoint, apart from the API (default: not served)")
	}
	if groups&Neo4jFlags != 0 {
		str(&cfg.Neo4jURI, "neo4j-uri", "CASEGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687", "Neo4j Bolt URI")
		str(&cfg.Neo4jUser, "neo4j-user", "CASEGRAPH_NEO4J_USER", "neo4j", "Neo4j user")
		str(&cfg.Neo4jPassword, "neo4j-password", "CASEGRAPH_NEO4J_PASSWORD", DefaultNeo4jPassword, "Neo4j password")
		str(&cfg.Neo4jDatabase, "neo4j-database", "CASEGRAPH_NEO4J_DATABASE", "neo4j", "Neo4j database name")
	}
	if groups&LogFlags != 0 {
		str(&cfg.LogFormat, "log-format", "CASEGRAPH_LOG_FORMAT", "", "log format: text or json (default: text on a terminal, else json)")
		str(&cfg.LogLevel, "log-level", "CASEGRAPH_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	}
}

// Validate says what is wrong with cfg in words an operator can act on.
func (c Config) Validate() error {
	if c.Neo4jURI == "" {
		return fmt.Errorf("neo4j-uri is empty")
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		return fmt.Errorf("log-format %q: use text or json", c.LogFormat)
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
		return fmt.Errorf("metrics-addr %q is the API's address: /metrics has a listener of its own, give it another port", c.MetricsAddr)
	}
	return nil
}

// ParseLevel reads a log level name.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log-level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

// LogValue prints the configuration with secrets masked, so that it can be
// logged at start.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("neo4j_uri", c.Neo4jURI),
		slog.String("neo4j_user", c.Neo4jUser),
		slog.String("neo4j_password", mask(c.Neo4jPassword)),
		slog.String("neo4j_database", c.Neo4jDatabase),
		slog.String("data_dir", c.DataDir),
		slog.String("log_format", c.LogFormat),
		slog.String("log_level", c.LogLevel),
		slog.Bool("demo", c.Demo),
		slog.Bool("introspection", c.Introspection),
		slog.Bool("graphiql", c.GraphiQL),
		slog.String("jwt_secret", mask(c.JWTSecret)),
		slog.String("jwt_public_key", c.JWTPublicKey),
		slog.String("authz_policy", c.PolicyFile),
		slog.String("authz_model", c.ModelFile),
		slog.Int("rate_per_minute", c.RatePerMinute),
		slog.String("metrics_addr", c.MetricsAddr),
	)
}

func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return "********"
}

// Getenv is os.Getenv; tests pass their own.
var Getenv = os.Getenv
