// Package graph is casegraph's GraphQL layer: gqlgen resolvers, dataloaders,
// limits and the error presenter. Resolvers are thin: they take what they
// need from the context, call one store method or loader, and return.
package graph

import (
	"context"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/search"
	"github.com/casegraph/casegraph/internal/workflow"
)

// Store is what the GraphQL layer needs from the graph database.
type Store interface {
	Agencies(ctx context.Context) ([]casegraph.Agency, error)
	CaseByNumber(ctx context.Context, agency, number string) (*casegraph.Case, error)
	ListCases(ctx context.Context, f casegraph.CaseFilter, first int, after *casegraph.CaseKey) ([]casegraph.Case, bool, error)
	CountCases(ctx context.Context, f casegraph.CaseFilter) (int, error)
	BatchStore
	WorkflowStore
}

// BatchStore loads many things by key in one round trip; dataloaders call it.
type BatchStore interface {
	AgenciesByCode(ctx context.Context, codes []string) (map[string]casegraph.Agency, error)
	CasesByUID(ctx context.Context, uids []string) (map[string]casegraph.Case, error)
	PersonsByUID(ctx context.Context, uids []string) (map[string]casegraph.Person, error)
	PartiesByCase(ctx context.Context, caseUIDs []string) (map[string][]casegraph.Party, error)
	OffensesByCase(ctx context.Context, caseUIDs []string) (map[string][]casegraph.Offense, error)
	TransfersByCase(ctx context.Context, caseUIDs []string) (map[string]casegraph.Lineage, error)
	InvolvementsByPerson(ctx context.Context, personUIDs []string) (map[string][]casegraph.Involvement, error)
}

// JobSource tells the state of ingest jobs.
type JobSource interface {
	Status(id string) (ingest.JobStatus, bool)
}

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	Store Store
	Jobs  JobSource // nil when the server runs no ingest jobs
	// Workflow runs the handover mutations and the procedure reads.
	Workflow *workflow.Workflow
	// Search answers search; nil when the server has no index.
	Index *search.Manager
	// Audit is the audit log auditEvents reads.
	Audit *audit.Log
}
