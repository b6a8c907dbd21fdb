package graph

import (
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/casegraph/casegraph/graph/generated"
	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/search"
	"github.com/casegraph/casegraph/internal/workflow"
)

// Options tune the GraphQL handler.
type Options struct {
	// Jobs answers ingestJob; nil when the server runs no ingest jobs.
	Jobs JobSource
	// Introspection lets clients read the schema; GraphiQL needs it.
	Introspection bool
	// Workflow runs the handover mutations; when nil, one is made on the
	// store.
	Workflow *workflow.Workflow
	// Search is the search index; nil answers search UNAVAILABLE.
	Search *search.Manager
	// Authorizer checks @can; required (without it every guarded field is
	// FORBIDDEN).
	Authorizer *authz.Authorizer
	// Audit receives one event per operation; required: the handler fails
	// closed without it.
	Audit *audit.Log
	// Metrics counts and times operations (internal/metrics); nil counts
	// nothing.
	Metrics graphql.HandlerExtension
}

// NewHandler returns the GraphQL endpoint over store: POST with a JSON body,
// depth and complexity limits, per-request dataloaders and the error
// presenter. It is built with handler.New, not NewDefaultServer, so that
// nothing is enabled that we did not choose.
func NewHandler(store Store, log *slog.Logger, opts Options) http.Handler {
	if opts.Workflow == nil {
		if ws, ok := store.(workflow.Store); ok {
			opts.Workflow = workflow.New(ws, log, workflow.Options{})
		}
	}
	cfg := generated.Config{Resolvers: &Resolver{Store: store, Jobs: opts.Jobs, Workflow: opts.Workflow, Index: opts.Search, Audit: opts.Audit}}
	cfg.Directives.Can = canDirective(opts.Authorizer)
	complexity(&cfg.Complexity)
	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opts.Metrics != nil {
		// First, so that it wraps the other extensions and counts what they
		// refuse too.
		srv.Use(opts.Metrics)
	}
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		// Without introspection the schema is not public: validation
		// errors must not name fields either ("Did you mean …", a
		// graphql-cop finding).
		srv.SetDisableSuggestion(true)
	}
	srv.Use(depthLimit{max: MaxDepth})
	srv.Use(aliasLimit{max: MaxAliases})
	srv.Use(documentLimit{repeats: MaxFieldRepeats, directives: MaxDirectives, tokens: MaxTokens})
	srv.SetParserTokenLimit(MaxTokens)
	srv.Use(auditExtension{log: opts.Audit, logger: log})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.SetErrorPresenter(errorPresenter(log))
	srv.SetRecoverFunc(recoverFunc(log))
	return LoadersMiddleware(store)(srv)
}
