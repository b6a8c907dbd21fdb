package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/casegraph/casegraph/graph/generated"
	"github.com/casegraph/casegraph/graph/model"
)

// Limits on what one query may ask for. Both are checked before any resolver
// runs, so a refused query never reaches Neo4j.
const (
	// MaxDepth is the deepest nesting of fields a query may select.
	// Introspection fields (__schema, __type) are not counted: GraphiQL's own
	// schema query nests type references a dozen levels deep.
	MaxDepth = 12
	// MaxComplexity bounds the estimated work of a query; see complexity.
	MaxComplexity = 20000
	// listFanOut is the number of items assumed for lists without a size
	// argument (a case's parties, a person's cases …).
	listFanOut = 10
)

// depthLimit refuses operations that nest deeper than max.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string { return "DepthLimit" }

func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, map[string]bool{}); depth > d.max {
		err := gqlerror.Errorf("query is nested %d levels deep; the limit is %d", depth, d.max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen map[string]bool) int {
	max := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + selectionDepth(s.SelectionSet, frags, seen)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, seen)
		case *ast.FragmentSpread:
			if seen[s.Name] { // a cycle; the validator reports it
				continue
			}
			if f := frags.ForName(s.Name); f != nil {
				seen[s.Name] = true
				d = selectionDepth(f.SelectionSet, frags, seen)
				delete(seen, s.Name)
			}
		}
		if d > max {
			max = d
		}
	}
	return max
}

// complexity estimates work: one per field, times the page size for cases
// and times listFanOut for the lists that have no size argument.
func complexity(c *generated.ComplexityRoot) {
	fan := func(child int) int { return child * listFanOut }
	c.Query.Cases = func(child int, _ *model.CaseFilter, first *int, _ *string) int {
		n := defaultPageSize
		if first != nil && *first > 0 {
			n = *first
		}
		return 1 + child*n
	}
	c.Case.Parties = fan
	c.Case.Offenses = fan
	c.Case.TransferredFrom = fan
	c.Case.TransferredTo = fan
	c.Person.Cases = fan
}

// MaxAliases bounds the aliased fields of one operation: aliases let one
// request run the same expensive field many times under different names.
const MaxAliases = 15

// aliasLimit refuses operations with more than max aliases.
type aliasLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = aliasLimit{}

func (aliasLimit) ExtensionName() string { return "AliasLimit" }

func (aliasLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (a aliasLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if n := countAliases(oc.Operation.SelectionSet, oc.Doc.Fragments, map[string]bool{}); n > a.max {
		err := gqlerror.Errorf("query uses %d aliases; the limit is %d", n, a.max)
		err.Extensions = map[string]any{"code": "ALIAS_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

func countAliases(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen map[string]bool) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				n++
			}
			n += countAliases(s.SelectionSet, frags, seen)
		case *ast.InlineFragment:
			n += countAliases(s.SelectionSet, frags, seen)
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			if f := frags.ForName(s.Name); f != nil {
				seen[s.Name] = true
				n += countAliases(f.SelectionSet, frags, seen)
			}
		}
	}
	return n
}
