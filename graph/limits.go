package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

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
	// Timelines, repeat offenders and linked cases lead back to cases:
	// without them, repeatOffenders { cases { timeline { case { timeline {
	// toCase { … } } } } } } was cheap on paper and took 13 s, starving
	// Neo4j (found by schemathesis).
	c.Case.Timeline = fan
	c.RepeatOffender.Cases = fan
	c.Query.RepeatOffenders = func(child int, _ *model.RepeatOffenderFilter, first *int) int {
		return 1 + child*sized(first, 20)
	}
	c.Query.LinkedCases = func(child int, _ string, first *int) int {
		return 1 + child*sized(first, 20)
	}
}

// sized is a list's page size: first when given, else the schema's default.
func sized(first *int, def int) int {
	if first != nil && *first > 0 {
		return *first
	}
	return def
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

// MaxFieldRepeats bounds how often one selection set may select the same
// response name, directly or through fragments, MaxDirectives the
// directives on one field, fragment or operation, and MaxTokens the length
// of a query document. gqlgen merges repeated fields, so they cost nothing
// to resolve, but the validator compares them pair by pair and gqlgen's
// parser has no token limit of its own: 14,000 copies of __typename
// (150 KB) took 12 s of CPU; 9,000 unknown directives (27 KB) drew 2.6 MB
// of errors (graphql-cop's field-duplication and directive-overloading
// probes, docs/security.md).
const (
	MaxFieldRepeats = 20
	MaxDirectives   = 4
	MaxTokens       = 10000
)

// documentLimit refuses documents that select one response name more than
// repeats times in a selection set or put more than directives directives
// in one place. It runs on the raw query, before gqlgen parses and
// validates it; a document that does not parse is left to gqlgen.
type documentLimit struct{ repeats, directives, tokens int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimit{}

func (documentLimit) ExtensionName() string { return "DocumentLimit" }

func (documentLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l documentLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.tokens)
	if err != nil {
		return nil
	}
	c := repeatCounter{frags: map[string]*ast.FragmentDefinition{}, memo: map[string]map[string]int{}, limit: l}
	for _, f := range doc.Fragments {
		c.frags[f.Name] = f
	}
	for _, op := range doc.Operations {
		if err := c.directives(op.Directives); err != nil {
			return err
		}
		if err := c.walk(op.SelectionSet); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := c.directives(f.Directives); err != nil {
			return err
		}
		if err := c.walk(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

type repeatCounter struct {
	frags map[string]*ast.FragmentDefinition
	memo  map[string]map[string]int // response names a fragment collects
	limit documentLimit
}

func (c *repeatCounter) directives(d ast.DirectiveList) *gqlerror.Error {
	if len(d) <= c.limit.directives {
		return nil
	}
	e := gqlerror.Errorf("query puts %d directives in one place; the limit is %d", len(d), c.limit.directives)
	e.Extensions = map[string]any{"code": "DIRECTIVE_LIMIT_EXCEEDED"}
	return e
}

// walk checks set and every selection set under it.
func (c *repeatCounter) walk(set ast.SelectionSet) *gqlerror.Error {
	for name, n := range c.collect(set, map[string]bool{}) {
		if n > c.limit.repeats {
			e := gqlerror.Errorf("query selects %q more than %d times in one selection set", name, c.limit.repeats)
			e.Extensions = map[string]any{"code": "FIELD_REPEAT_LIMIT_EXCEEDED"}
			return e
		}
	}
	for _, sel := range set {
		var sub ast.SelectionSet
		var dirs ast.DirectiveList
		switch s := sel.(type) {
		case *ast.Field:
			sub, dirs = s.SelectionSet, s.Directives
		case *ast.InlineFragment:
			sub, dirs = s.SelectionSet, s.Directives
		case *ast.FragmentSpread:
			dirs = s.Directives
		}
		if err := c.directives(dirs); err != nil {
			return err
		}
		if len(sub) > 0 {
			if err := c.walk(sub); err != nil {
				return err
			}
		}
	}
	return nil
}

// collect counts the response names set selects, through fragments, as
// gqlgen merges them; counts stop at the limit plus one.
func (c *repeatCounter) collect(set ast.SelectionSet, visiting map[string]bool) map[string]int {
	out := map[string]int{}
	add := func(name string, n int) { out[name] = min(out[name]+n, c.limit.repeats+1) }
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			add(name, 1)
		case *ast.InlineFragment:
			for name, n := range c.collect(s.SelectionSet, visiting) {
				add(name, n)
			}
		case *ast.FragmentSpread:
			m, ok := c.memo[s.Name]
			if f := c.frags[s.Name]; !ok && f != nil && !visiting[s.Name] { // unknown or cyclic: the validator says so
				visiting[s.Name] = true
				m = c.collect(f.SelectionSet, visiting)
				delete(visiting, s.Name)
				c.memo[s.Name] = m
			}
			for name, n := range m {
				add(name, n)
			}
		}
	}
	return out
}
