// Package authz is casegraph's access control: it verifies bearer tokens
// (JWT), answers "may this caller do this" with a casbin SyncedEnforcer,
// derives the caller's visibility scope (which cases and persons they may
// see, applied inside every query) and masks personal identifiers.
// docs/security.md explains roles, scopes, sealing and masking.
package authz

import (
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/casegraph/casegraph"
)

//go:embed model.conf
var defaultModel string

//go:embed policy.csv
var defaultPolicy string

// Roles known to the default policy.
const (
	RolePoliceInvestigator = "police_investigator"      // 侦查员
	RolePoliceLegal        = "police_legal"             // 法制
	RoleProsecutor         = "prosecutor"               // 检察官
	RoleCaseManager        = "prosecution_case_manager" // 案管
	RoleJudge              = "judge"                    // 法官
	RoleCourtClerk         = "court_clerk"              // 书记员
	RoleSupervisor         = "supervisor"               // 政法委
	RoleIntegrator         = "integrator"               // 对接
	RoleAuditor            = "auditor"                  // 审计
	RoleAdmin              = "admin"                    // 管理员
)

// Roles lists every role of the default policy.
var Roles = []string{RolePoliceInvestigator, RolePoliceLegal, RoleProsecutor, RoleCaseManager, RoleJudge,
	RoleCourtClerk, RoleSupervisor, RoleIntegrator, RoleAuditor, RoleAdmin}

// Perm is an (object, action) pair of the policy.
type Perm struct{ Obj, Act string }

// The permissions operations check.
var (
	CaseRead      = Perm{"case", "read"}
	CaseWrite     = Perm{"case", "write"}
	PersonRead    = Perm{"person", "read"}
	PIIRead       = Perm{"pii", "read"}
	SealedUnseal  = Perm{"sealed", "unseal"}
	SearchRead    = Perm{"search", "read"}
	HandoverRead  = Perm{"handover", "read"}
	AlertRead     = Perm{"alert", "read"}
	StatsRead     = Perm{"stats", "read"}
	IngestWrite   = Perm{"ingest", "write"}
	JobRead       = Perm{"job", "read"}
	AuditRead     = Perm{"audit", "read"}
	IndexRebuild  = Perm{"index", "rebuild"}
	superviseKind = []string{"POLICE", "PROSECUTION", "COURT"}
)

// AgencyKinds tells the kind (POLICE, PROCURATORATE, COURT) of an agency
// code; "" when the agency is unknown.
type AgencyKinds func(ctx context.Context, code string) (string, error)

// Authorizer answers permission questions and builds scopes.
type Authorizer struct {
	enforcer *casbin.SyncedEnforcer
	kinds    AgencyKinds

	mu    sync.Mutex
	cache map[string]kindEntry
}

type kindEntry struct {
	kind string
	at   time.Time
}

// NewAuthorizer loads the model and policy: the embedded ones, or the files
// named (either may be ""). A policy line that does not parse is an error
// naming its file and line.
func NewAuthorizer(modelFile, policyFile string, kinds AgencyKinds) (*Authorizer, error) {
	mtext, ptext, pname := defaultModel, defaultPolicy, "embedded policy.csv"
	if modelFile != "" {
		b, err := os.ReadFile(modelFile)
		if err != nil {
			return nil, fmt.Errorf("authz model: %w", err)
		}
		mtext = string(b)
	}
	if policyFile != "" {
		b, err := os.ReadFile(policyFile)
		if err != nil {
			return nil, fmt.Errorf("authz policy: %w", err)
		}
		ptext, pname = string(b), policyFile
	}
	m, err := model.NewModelFromString(mtext)
	if err != nil {
		return nil, fmt.Errorf("authz model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: %w", err)
	}
	for i, line := range strings.Split(ptext, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.TrimLeadingSpace = true
		f, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", pname, i+1, err)
		}
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		switch {
		case f[0] == "p" && len(f) == 5:
			_, err = e.AddPolicy(f[1], f[2], f[3], f[4])
		case f[0] == "g" && len(f) == 3:
			_, err = e.AddGroupingPolicy(f[1], f[2])
		default:
			err = fmt.Errorf("want \"p, role, agency kind, object, action\" or \"g, role, inherited role\", got %q", line)
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", pname, i+1, err)
		}
	}
	return &Authorizer{enforcer: e, kinds: kinds, cache: map[string]kindEntry{}}, nil
}

// agencyKind looks the caller's agency up, caching the answer a minute.
func (a *Authorizer) agencyKind(ctx context.Context, code string) (string, error) {
	if code == "" || a.kinds == nil {
		return "", nil
	}
	a.mu.Lock()
	e, ok := a.cache[code]
	a.mu.Unlock()
	if ok && time.Since(e.at) < time.Minute {
		return e.kind, nil
	}
	kind, err := a.kinds(ctx, code)
	if err != nil {
		return "", fmt.Errorf("authz: agency %s: %w", code, err)
	}
	a.mu.Lock()
	a.cache[code] = kindEntry{kind, time.Now()}
	a.mu.Unlock()
	return kind, nil
}

// Allowed says whether any of the caller's roles holds p in the kind of the
// caller's agency.
func (a *Authorizer) Allowed(ctx context.Context, c casegraph.Caller, p Perm) (bool, error) {
	kind, err := a.agencyKind(ctx, c.Agency)
	if err != nil {
		return false, err
	}
	return a.allowed(c.Roles, kind, p)
}

func (a *Authorizer) allowed(roles []string, kind string, p Perm) (bool, error) {
	for _, r := range roles {
		ok, err := a.enforcer.Enforce(r, kind, p.Obj, p.Act)
		if err != nil {
			return false, fmt.Errorf("authz: %w", err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// Require is Allowed as an error: FORBIDDEN naming the permission.
func (a *Authorizer) Require(ctx context.Context, c casegraph.Caller, p Perm) error {
	ok, err := a.Allowed(ctx, c, p)
	if err != nil {
		return err
	}
	if !ok {
		return casegraph.Errorf(casegraph.EFORBIDDEN, "%s may not %s %s", roleList(c.Roles), p.Act, p.Obj)
	}
	return nil
}

func roleList(roles []string) string {
	if len(roles) == 0 {
		return "a caller with no role"
	}
	return "role " + strings.Join(roles, ", ")
}

// Scope builds the caller's visibility scope. unsealReason is the reason
// the caller gave to see sealed records (the X-Unseal-Reason header); it
// unseals only when a role holds sealed/unseal, and is refused otherwise.
func (a *Authorizer) Scope(ctx context.Context, c casegraph.Caller, unsealReason string) (casegraph.Scope, error) {
	kind, err := a.agencyKind(ctx, c.Agency)
	if err != nil {
		return casegraph.Scope{}, err
	}
	var s casegraph.Scope
	if ok, err := a.allowed(c.Roles, kind, Perm{"scope", "ALL"}); err != nil {
		return s, err
	} else if ok {
		s.All = true
	}
	if c.Agency != "" && kind != "" {
		s.Tokens = append(s.Tokens, c.Agency)
	}
	if region := RegionPrefix(c.Region); region != "" {
		for _, k := range superviseKind {
			act := k
			if k == "PROSECUTION" {
				act = "PROCURATORATE"
			}
			ok, err := a.allowed(c.Roles, kind, Perm{"scope", act})
			if err != nil {
				return s, err
			}
			if ok {
				s.Tokens = append(s.Tokens, k+"@"+region)
			}
		}
	}
	if s.PII, err = a.allowed(c.Roles, kind, PIIRead); err != nil {
		return s, err
	}
	if s.SmallCounts, err = a.allowed(c.Roles, kind, CaseRead); err != nil {
		return s, err
	}
	if reason := strings.TrimSpace(unsealReason); reason != "" {
		ok, err := a.allowed(c.Roles, kind, SealedUnseal)
		if err != nil {
			return s, err
		}
		if !ok {
			return s, casegraph.Errorf(casegraph.EFORBIDDEN,
				"%s may not see sealed records (犯罪记录封存, 刑事诉讼法第二百八十六条); remove X-Unseal-Reason", roleList(c.Roles))
		}
		if len([]rune(reason)) < 4 || len(reason) > 500 {
			return s, casegraph.Errorf(casegraph.EINVALID, "X-Unseal-Reason must say why, in 4 to 500 bytes")
		}
		s.Unseal, s.UnsealReason = true, reason
	}
	return s, nil
}

// RegionPrefix is the significant part of a 行政区划代码: 330200 (a city)
// is 3302, 330000 (a province) is 33, 330203 (a district) stays. Cases
// carry the tokens KIND@33, KIND@3302 and KIND@330203 of their agency's
// region, so a supervisor of the city matches every district in it.
func RegionPrefix(region string) string {
	region = strings.TrimSpace(region)
	for len(region) > 2 && strings.HasSuffix(region, "00") {
		region = region[:len(region)-2]
	}
	return region
}

// ValidRole says whether r is a role of the default policy.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }
