package csvmap

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The mapping file is read into a small tree of its own that keeps the line
// of every node, so that every validation error can name its line.

type yKind int

const (
	yNull yKind = iota
	yScalar
	yMap
	ySeq
)

type ynode struct {
	kind    yKind
	line    int
	val     any    // scalar: string, int64, uint64, float64 or bool
	text    string // scalar: as written, for keys and messages
	entries []yentry
	items   []*ynode
}

type yentry struct {
	key  string
	line int
	val  *ynode
}

func (k yKind) String() string {
	switch k {
	case yScalar:
		return "a scalar"
	case yMap:
		return "a mapping"
	case ySeq:
		return "a list"
	}
	return "null"
}

// describe names what a node is, for "… is X, not Y" messages.
func (n *ynode) describe() string {
	if n.kind != yScalar {
		return n.kind.String()
	}
	switch n.val.(type) {
	case string:
		return "the string " + strconv.Quote(n.text)
	case bool:
		return "the boolean " + n.text
	}
	return "the number " + n.text
}

// str returns a scalar as text, and whether it was a scalar.
func (n *ynode) str() (string, bool) {
	if n == nil || n.kind != yScalar {
		return "", false
	}
	if s, ok := n.val.(string); ok {
		return s, true
	}
	return n.text, true
}

var yamlErrPos = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*(.*)$`)

// parseYAML parses one YAML document into a tree. A syntax error is a
// Problem with its line.
func parseYAML(data []byte) (*ynode, *Problem) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		msg := strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0])
		p := &Problem{Message: "YAML syntax: " + msg}
		if m := yamlErrPos.FindStringSubmatch(msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = "YAML syntax: " + m[3]
		}
		return nil, p
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch len(docs) {
	case 0:
		return nil, &Problem{Message: "the mapping file is empty"}
	case 1:
	default:
		return nil, &Problem{Line: line(docs[1].Body), Message: "the mapping file holds more than one YAML document; keep one mapping per file"}
	}
	c := converter{anchors: map[string]*ynode{}}
	n := c.convert(docs[0].Body, 0)
	if c.problem != nil {
		return nil, c.problem
	}
	return n, nil
}

func line(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

type converter struct {
	anchors map[string]*ynode
	problem *Problem
}

func (c *converter) fail(n ast.Node, format string, args ...any) *ynode {
	if c.problem == nil {
		c.problem = &Problem{Line: line(n), Message: fmt.Sprintf(format, args...)}
	}
	return &ynode{kind: yNull, line: line(n)}
}

func (c *converter) convert(n ast.Node, depth int) *ynode {
	if c.problem != nil {
		return &ynode{}
	}
	if depth > 64 {
		return c.fail(n, "the mapping is nested more than 64 levels deep")
	}
	switch x := n.(type) {
	case nil:
		return &ynode{kind: yNull}
	case *ast.NullNode:
		return &ynode{kind: yNull, line: line(n), text: "null"}
	case *ast.StringNode:
		return &ynode{kind: yScalar, line: line(n), val: x.Value, text: x.Value}
	case *ast.LiteralNode:
		s := ""
		if x.Value != nil {
			s = x.Value.Value
		}
		return &ynode{kind: yScalar, line: line(n), val: s, text: s}
	case *ast.IntegerNode:
		return &ynode{kind: yScalar, line: line(n), val: x.Value, text: x.GetToken().Value}
	case *ast.FloatNode:
		return &ynode{kind: yScalar, line: line(n), val: x.Value, text: x.GetToken().Value}
	case *ast.BoolNode:
		return &ynode{kind: yScalar, line: line(n), val: x.Value, text: x.GetToken().Value}
	case *ast.InfinityNode, *ast.NanNode:
		return c.fail(n, "%s: infinities and NaN have no JSON form", x.GetToken().Value)
	case *ast.TagNode:
		v := c.convert(x.Value, depth+1)
		if x.Start != nil && x.Start.Value == "!!str" && v.kind == yScalar {
			v.val = v.text
		}
		return v
	case *ast.AnchorNode:
		v := c.convert(x.Value, depth+1)
		if x.Name != nil {
			c.anchors[x.Name.GetToken().Value] = v
		}
		return v
	case *ast.AliasNode:
		name := ""
		if x.Value != nil {
			name = x.Value.GetToken().Value
		}
		v, ok := c.anchors[name]
		if !ok {
			return c.fail(n, "alias *%s names no anchor defined before it", name)
		}
		return v
	case *ast.SequenceNode:
		out := &ynode{kind: ySeq, line: line(n)}
		for _, v := range x.Values {
			out.items = append(out.items, c.convert(v, depth+1))
		}
		return out
	case *ast.MappingNode:
		out := &ynode{kind: yMap, line: line(n)}
		for _, v := range x.Values {
			c.entry(out, v, depth)
		}
		return out
	case *ast.MappingValueNode:
		out := &ynode{kind: yMap, line: line(n)}
		c.entry(out, x, depth)
		return out
	}
	return c.fail(n, "unsupported YAML construct %T", n)
}

func (c *converter) entry(m *ynode, v *ast.MappingValueNode, depth int) {
	if v == nil || v.Key == nil {
		return
	}
	if v.Key.IsMergeKey() {
		c.fail(v.Key, "merge keys (<<) are not supported; repeat the keys or use an alias for a whole value")
		return
	}
	k := c.convert(v.Key, depth+1)
	key, ok := k.str()
	if !ok {
		c.fail(v.Key, "a key must be a scalar, not %s", k.kind)
		return
	}
	l := line(v.Key)
	for _, e := range m.entries {
		if e.key == key {
			c.fail(v.Key, "key %q appears twice (first on line %d)", key, e.line)
			return
		}
	}
	m.entries = append(m.entries, yentry{key: key, line: l, val: c.convert(v.Value, depth+1)})
	if m.line == 0 {
		m.line = l
	}
}
