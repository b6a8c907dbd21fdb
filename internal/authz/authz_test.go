package authz

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/casegraph/casegraph"
)

func kinds(_ context.Context, code string) (string, error) {
	switch {
	case strings.HasSuffix(code, "GA"):
		return "POLICE", nil
	case strings.HasSuffix(code, "JC"):
		return "PROCURATORATE", nil
	case strings.HasSuffix(code, "FY"):
		return "COURT", nil
	}
	return "", nil
}

func newAuthorizer(t *testing.T) *Authorizer {
	t.Helper()
	a, err := NewAuthorizer("", "", kinds)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPermissions(t *testing.T) {
	a := newAuthorizer(t)
	ctx := context.Background()
	tests := []struct {
		role, agency string
		perm         Perm
		want         bool
	}{
		{RolePoliceInvestigator, "330203GA", CaseRead, true},
		{RolePoliceInvestigator, "330203GA", CaseWrite, true},
		{RolePoliceInvestigator, "330203GA", AlertRead, false},
		{RolePoliceInvestigator, "330203GA", SealedUnseal, false},
		// a police role in a procuratorate grants nothing
		{RolePoliceInvestigator, "330203JC", CaseRead, false},
		{RolePoliceLegal, "330203GA", CaseWrite, true}, // inherited
		{RolePoliceLegal, "330203GA", AlertRead, true},
		{RoleProsecutor, "330203JC", PIIRead, true},
		{RoleCaseManager, "330203JC", StatsRead, true},
		{RoleCaseManager, "330203JC", CaseWrite, true},
		{RoleCourtClerk, "330203FY", PIIRead, false},
		{RoleSupervisor, "", AlertRead, true},
		{RoleSupervisor, "", CaseRead, false},
		{RoleSupervisor, "", PersonRead, false},
		{RoleIntegrator, "", IngestWrite, true},
		{RoleIntegrator, "", CaseRead, false},
		{RoleAuditor, "", AuditRead, true},
		{RoleAuditor, "", SearchRead, false},
		{RoleAdmin, "", IndexRebuild, true},
		{RoleAdmin, "", PIIRead, false},
		{"nobody", "330203GA", CaseRead, false},
	}
	for _, tt := range tests {
		got, err := a.Allowed(ctx, casegraph.Caller{Subject: "u", Agency: tt.agency, Roles: []string{tt.role}}, tt.perm)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s at %q, %v: got %v, want %v", tt.role, tt.agency, tt.perm, got, tt.want)
		}
	}
}

func TestScope(t *testing.T) {
	a := newAuthorizer(t)
	ctx := context.Background()
	s, err := a.Scope(ctx, casegraph.Caller{Subject: "u", Agency: "330203JC", Region: "330203", Roles: []string{RoleCaseManager}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"330203JC", "POLICE@330203"}; !slices.Equal(s.Tokens, want) || s.All || !s.PII || s.Unseal || !s.SmallCounts {
		t.Errorf("case manager scope = %+v, want tokens %v, PII", s, want)
	}
	s, err = a.Scope(ctx, casegraph.Caller{Subject: "u", Region: "330200", Roles: []string{RoleSupervisor}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"POLICE@3302", "PROSECUTION@3302", "COURT@3302"}; !slices.Equal(s.Tokens, want) || s.PII || s.SmallCounts {
		t.Errorf("supervisor scope = %+v, want tokens %v, no PII", s, want)
	}
	s, err = a.Scope(ctx, casegraph.Caller{Subject: "u", Agency: "330203GA", Roles: []string{RolePoliceInvestigator}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"330203GA"}; !slices.Equal(s.Tokens, want) {
		t.Errorf("investigator tokens = %v, want %v", s.Tokens, want)
	}
	// Unsealing: refused without the permission, granted with it and a reason.
	_, err = a.Scope(ctx, casegraph.Caller{Subject: "u", Agency: "330203GA", Roles: []string{RolePoliceInvestigator}}, "复查前科")
	if casegraph.ErrorCode(err) != casegraph.EFORBIDDEN {
		t.Errorf("unseal without permission: err = %v, want FORBIDDEN", err)
	}
	s, err = a.Scope(ctx, casegraph.Caller{Subject: "u", Agency: "330203JC", Roles: []string{RoleProsecutor}}, "审查起诉需要查阅前科")
	if err != nil || !s.Unseal || s.UnsealReason != "审查起诉需要查阅前科" {
		t.Errorf("unseal with permission: %+v, %v", s, err)
	}
	s, err = a.Scope(ctx, casegraph.Caller{Subject: "u", Roles: []string{RoleAdmin}}, "")
	if err != nil || !s.All || s.PII {
		t.Errorf("admin scope = %+v, %v; want All without PII", s, err)
	}
}

func TestPolicyFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "policy.csv")
	os.WriteFile(bad, []byte("p, judge, COURT, case, read\np, judge, COURT\n"), 0o600)
	_, err := NewAuthorizer("", bad, kinds)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want one naming line 2", err)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("# only judges read\np, judge, COURT, case, read\n"), 0o600)
	a, err := NewAuthorizer("", good, kinds)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.Allowed(context.Background(), casegraph.Caller{Agency: "1FY", Roles: []string{RoleJudge}}, CaseWrite); ok {
		t.Error("the overriding policy did not replace the default one")
	}
}

func TestTokens(t *testing.T) {
	secret := strings.Repeat("s", 32)
	v, err := NewHS256Verifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	c := casegraph.Caller{Subject: "u1", Name: "王检察官", Agency: "330203JC", Roles: []string{RoleProsecutor}, Region: "330203"}
	tok, err := Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != c.Subject || got.Name != c.Name || got.Agency != c.Agency || got.Region != c.Region || !slices.Equal(got.Roles, c.Roles) {
		t.Errorf("verified caller = %+v, want %+v", got, c)
	}
	expired, _ := Mint(secret, c, -time.Hour)
	other, _ := Mint(strings.Repeat("x", 32), c, time.Hour)
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"expired":      expired,
		"other secret": other,
		"garbage":      "not.a.token",
		"alg none":     "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		"empty":        "",
	} {
		if _, err := v.Verify(bad); !errors.Is(err, ErrToken) {
			t.Errorf("%s: err = %v, want ErrToken", name, err)
		}
	}
	if _, err := NewHS256Verifier("short"); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	if _, err := Mint(secret, casegraph.Caller{Subject: "u", Roles: []string{"god"}}, time.Hour); err == nil {
		t.Error("an unknown role was minted")
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		"33020319900101233X": "330203**********3X",
		"330203900101233":    "330203********3",
		"ab":                 "**",
	} {
		if got := MaskIDNumber(in); got != want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskPhone("13812345678"); got != "138****5678" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := MaskObject("VEHICLE", "浙B12345"); got != "浙B***45" {
		t.Errorf("MaskObject = %q", got)
	}
	if got := MaskAddress("宁波市海曙区中山西路100号"); got != "宁波市海曙区********" {
		t.Errorf("MaskAddress = %q", got)
	}
	text := "被告人张某（身份证号33020319900101233X，电话13812345678）于2023年"
	want := "被告人张某（身份证号330203**********3X，电话138****5678）于2023年"
	if got := MaskText(text); got != want {
		t.Errorf("MaskText = %q, want %q", got, want)
	}
}

func TestKeyVerifiers(t *testing.T) {
	dir := t.TempDir()
	writePub := func(name string, pub any) string {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)
		return p
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	claims := Claims{Agency: "330203FY", Roles: []string{RoleJudge}, RegisteredClaims: jwt.RegisteredClaims{
		Subject: "judge-1", Issuer: Issuer, ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}
	sign := func(m jwt.SigningMethod, key any) string {
		s, err := jwt.NewWithClaims(m, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rv, err := NewKeyVerifier(writePub("rsa.pem", &rsaKey.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewKeyVerifier(writePub("ec.pem", &ecKey.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := rv.Verify(sign(jwt.SigningMethodRS256, rsaKey)); err != nil || c.Subject != "judge-1" || c.Agency != "330203FY" {
		t.Errorf("RS256: %+v %v", c, err)
	}
	if c, err := ev.Verify(sign(jwt.SigningMethodES256, ecKey)); err != nil || c.Subject != "judge-1" {
		t.Errorf("ES256: %+v %v", c, err)
	}
	// Algorithm confusion: an HS256 token keyed with the public key's bytes,
	// and an ES256 token shown to the RSA verifier, are refused.
	pubBytes, _ := os.ReadFile(filepath.Join(dir, "rsa.pem"))
	if _, err := rv.Verify(sign(jwt.SigningMethodHS256, pubBytes)); !errors.Is(err, ErrToken) {
		t.Errorf("HS256 with the RSA public key accepted: %v", err)
	}
	if _, err := rv.Verify(sign(jwt.SigningMethodES256, ecKey)); !errors.Is(err, ErrToken) {
		t.Errorf("ES256 token accepted by the RS256 verifier: %v", err)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := NewKeyVerifier(writePub("small.pem", &small.PublicKey)); err == nil {
		t.Error("a 1024-bit RSA key was accepted")
	}
	os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("not pem"), 0o600)
	if _, err := NewKeyVerifier(filepath.Join(dir, "junk.pem")); err == nil {
		t.Error("a file without PEM was accepted")
	}
}
