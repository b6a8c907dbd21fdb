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
	demo := fs.Bool("demo", false, "print ready-made tokens for the demo graph's users, one per role, for GraphiQL's Headers pane")
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
	if *demo {
		if *secret == "" {
			return usageError{"token needs the HS256 secret: set CASEGRAPH_JWT_SECRET or pass --secret"}
		}
		return printDemoTokens(stdout, *secret, *ttl)
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

// demoUsers are one user per role on the demo graph (casegraph gen: the
// districts of 宁波市; 海曙区 is 330203, 鄞州区 330212).
var demoUsers = []struct {
	label string
	c     casegraph.Caller
}{
	{"police investigator, 海曙分局 (侦查员)", casegraph.Caller{Subject: "police-haishu-1", Name: "李侦查", Agency: "330203GA", Roles: []string{authz.RolePoliceInvestigator}, Region: "330203"}},
	{"police legal officer, 海曙分局 (法制)", casegraph.Caller{Subject: "police-haishu-legal", Name: "赵法制", Agency: "330203GA", Roles: []string{authz.RolePoliceLegal}, Region: "330203"}},
	{"prosecutor, 海曙区人民检察院 (检察官)", casegraph.Caller{Subject: "prosecutor-haishu-1", Name: "王检察", Agency: "330203JC", Roles: []string{authz.RoleProsecutor}, Region: "330203"}},
	{"case manager, 海曙区人民检察院 (案管)", casegraph.Caller{Subject: "casemgr-haishu", Name: "钱案管", Agency: "330203JC", Roles: []string{authz.RoleCaseManager}, Region: "330203"}},
	{"judge, 海曙区人民法院 (法官)", casegraph.Caller{Subject: "judge-haishu-1", Name: "孙法官", Agency: "330203FY", Roles: []string{authz.RoleJudge}, Region: "330203"}},
	{"court clerk, 海曙区人民法院 (书记员)", casegraph.Caller{Subject: "clerk-haishu-1", Name: "周书记", Agency: "330203FY", Roles: []string{authz.RoleCourtClerk}, Region: "330203"}},
	{"supervisor, 宁波市委政法委 (政法委)", casegraph.Caller{Subject: "zfw-ningbo", Name: "吴督查", Roles: []string{authz.RoleSupervisor}, Region: "330200"}},
	{"integrator (对接)", casegraph.Caller{Subject: "integrator-1", Name: "ingest", Roles: []string{authz.RoleIntegrator}}},
	{"auditor (审计)", casegraph.Caller{Subject: "auditor-1", Name: "郑审计", Roles: []string{authz.RoleAuditor}}},
	{"admin (管理员)", casegraph.Caller{Subject: "admin-1", Name: "运维", Roles: []string{authz.RoleAdmin}}},
}

func printDemoTokens(w io.Writer, secret string, ttl time.Duration) error {
	fmt.Fprintf(w, "Development tokens (valid %s). In GraphiQL, open Headers and paste one line, e.g.\n  {\"Authorization\": \"Bearer <token>\"}\n\n", ttl)
	for _, u := range demoUsers {
		tok, err := authz.Mint(secret, u.c, ttl)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\n  {\"Authorization\": \"Bearer %s\"}\n", u.label, tok)
	}
	return nil
}
