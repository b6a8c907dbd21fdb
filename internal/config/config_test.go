package config

import (
	"bytes"
	"flag"
	"log/slog"
	"strings"
	"testing"
)

func TestFlagsOverrideEnvironment(t *testing.T) {
	env := map[string]string{
		"CASEGRAPH_ADDR":           "127.0.0.1:9999",
		"CASEGRAPH_NEO4J_PASSWORD": "s3cret-password",
		"CASEGRAPH_DEMO":           "true",
	}
	var cfg Config
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Register(fs, &cfg, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"-addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:0" {
		t.Errorf("Addr = %q, want the flag's 127.0.0.1:0", cfg.Addr)
	}
	if cfg.Neo4jPassword != "s3cret-password" || !cfg.Demo {
		t.Errorf("environment not read: %+v", cfg)
	}
	if cfg.Neo4jURI != "bolt://127.0.0.1:7687" || cfg.Neo4jDatabase != "neo4j" || cfg.MetricsAddr != "" {
		t.Errorf("defaults wrong: %+v", cfg)
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	cfg := Config{Neo4jPassword: "s3cret-password", Neo4jURI: "bolt://x"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", cfg)
	out := buf.String()
	if strings.Contains(out, "s3cret") {
		t.Errorf("password leaked into the log: %s", out)
	}
	if !strings.Contains(out, "neo4j_password=********") || !strings.Contains(out, "neo4j_uri=bolt://x") {
		t.Errorf("log line lacks fields: %s", out)
	}
}

func TestValidate(t *testing.T) {
	base := Config{Neo4jURI: "bolt://x", LogLevel: "info"}
	if err := base.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Config{
		{LogLevel: "info"},
		{Neo4jURI: "bolt://x", LogLevel: "loud"},
		{Neo4jURI: "bolt://x", LogLevel: "info", LogFormat: "xml"},
		{Neo4jURI: "bolt://x", LogLevel: "info", Addr: "127.0.0.1:8080", MetricsAddr: "127.0.0.1:8080"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", bad)
		}
	}
}
