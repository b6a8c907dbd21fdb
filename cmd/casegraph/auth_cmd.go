package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/authz"
)

// tokenFlag is --token of the commands that talk to a running server.
func tokenFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("token", getenv("CASEGRAPH_TOKEN"), "bearer token to send ($CASEGRAPH_TOKEN); without one, an admin token is minted from $CASEGRAPH_JWT_SECRET")
}

// bearer is the token to send: the one given, or — on a development
// machine that holds the HS256 secret — a short-lived admin token.
func bearer(token string, getenv func(string) string) (string, error) {
	if token != "" {
		return token, nil
	}
	secret := getenv("CASEGRAPH_JWT_SECRET")
	if secret == "" {
		return "", usageError{"no token: pass --token or set CASEGRAPH_TOKEN (or CASEGRAPH_JWT_SECRET on a development machine)"}
	}
	user := getenv("USER")
	if user == "" {
		user = "operator"
	}
	return authz.Mint(secret, casegraph.Caller{Subject: "cli:" + user, Name: user, Roles: []string{authz.RoleAdmin}}, 10*time.Minute)
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("casegraph token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "subject: the user's id (required)")
	name := fs.String("name", "", "the user's name")
	agency := fs.String("agency", "", "code of the agency the user acts for, e.g. 330203GA")
	roles := fs.String("role", "", "role(s), comma-separated: "+strings.Join(authz.Roles, ", ")+" (required)")
	region := fs.String("region", "", "行政区划代码 of the user's jurisdiction, e.g. 330203 (supervision scopes)")
	ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
	secret := fs.String("secret", getenv("CASEGRAPH_JWT_SECRET"), "HS256 secret ($CASEGRAPH_JWT_SECRET)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: casegraph token --sub ID --role ROLE [--agency CODE] [--region CODE]\n\nMints a development bearer token (HS256). Production tokens come from the identity provider.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if *sub == "" || *roles == "" {
		fs.Usage()
		return usageError{"token needs --sub and --role"}
	}
	if *secret == "" {
		return usageError{"token needs the HS256 secret: set CASEGRAPH_JWT_SECRET or pass --secret"}
	}
	var rs []string
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			rs = append(rs, r)
		}
	}
	tok, err := authz.Mint(*secret, casegraph.Caller{Subject: *sub, Name: *name, Agency: *agency, Roles: rs, Region: *region}, *ttl)
	if err != nil {
		return usageError{err.Error()}
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"usage: casegraph audit verify [--file PATH]"}
	}
	fs := flag.NewFlagSet("casegraph audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := getenv("CASEGRAPH_DATA_DIR")
	if dataDir == "" {
		dataDir = filepath.Join("var", "casegraph")
	}
	file := fs.String("file", auditPath(dataDir), "the audit log to verify (default: under $CASEGRAPH_DATA_DIR)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if _, err := os.Stat(*file); err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	rep, err := audit.VerifyFile(ctx, *file)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "line %d (seq %d): %s: %s\n", p.Line, p.Seq, p.Kind, p.Detail)
	}
	if !rep.OK {
		return fmt.Errorf("audit verify: %s: %d entries, %d problems: the log was edited, cut or reordered", *file, rep.Entries, len(rep.Problems))
	}
	fmt.Fprintf(stdout, "%s: %d entries, hash chain intact\n", *file, rep.Entries)
	return nil
}

// auditPath is where the server keeps its audit log.
func auditPath(dataDir string) string { return filepath.Join(dataDir, "audit", "audit.log") }
