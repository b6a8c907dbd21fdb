// Package csvmap turns CSV files into canonical ingest records through a
// declarative mapping file (YAML) instead of Go code: the mapping names the
// header the CSV must have, the source envelope, and the records each row
// becomes, field by field, from columns, constants, templates, value maps
// and transforms. docs/ingest-csv-mapping.md describes the language;
// mappings/policeuk-street.yaml is a complete mapping.
//
//	m, err := csvmap.Load("mappings/policeuk-street.yaml")
//	dec, err := m.NewDecoder(f, "2020-01-city-of-london-street.csv") // checks the header
//	for { item, err := dec.Next(); … }                                 // io.EOF at the end
//	stats := dec.(*csvmap.Decoder).Stats()
package csvmap

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/casegraph/casegraph/internal/ingest"
)

// Mapping is a parsed, validated mapping file. It is immutable and may be
// shared by any number of decoders, also concurrently.
type Mapping struct {
	// Name and Description are the mapping's own, as the file gives them.
	Name        string
	Description string

	columns     []string
	colIndex    map[string]int
	ignoreExtra bool
	comma       rune
	lazyQuotes  bool
	skips       []skipRule
	records     []*recordTemplate
}

type skipRule struct {
	when   *cond
	reason string
}

// sourceKeys are the keys of the source envelope, in evaluation order
// (recordId first, so that a reject can quote it).
var sourceKeys = []string{"recordId", "agency", "system", "at"}

type recordTemplate struct {
	typ    string
	once   bool
	when   *cond
	source map[string]*valueSpec
	fields []fieldAssign
}

type fieldAssign struct {
	name string   // the path as written, e.g. from.case.caseNo
	path []string // its parts
	val  *valueSpec
}

// Columns returns the header columns the mapping expects.
func (m *Mapping) Columns() []string { return slices.Clone(m.columns) }

// Problem is one thing wrong with a mapping file.
type Problem struct {
	Line    int    // 1-based line in the mapping file; 0 when unknown
	Path    string // where in the mapping, e.g. records[1].fields.stage
	Message string
}

// Error is a mapping file that cannot be used: every problem found, each
// with its line.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	file := e.File
	if file == "" {
		file = "mapping"
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(file)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// maxProblems bounds the problems one error reports.
const maxProblems = 50

// Load reads and validates a mapping file.
func Load(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("csvmap: %w", err)
	}
	return parse(data, filepath.Base(path))
}

// Parse reads and validates a mapping. Its errors are an *Error that names
// the line and place of every problem.
func Parse(data []byte) (*Mapping, error) { return parse(data, "") }

func parse(data []byte, file string) (*Mapping, error) {
	if !utf8.Valid(data) {
		return nil, &Error{File: file, Problems: []Problem{{Message: "the mapping file is not valid UTF-8"}}}
	}
	root, prob := parseYAML(data)
	if prob != nil {
		return nil, &Error{File: file, Problems: []Problem{*prob}}
	}
	p := &mparser{m: &Mapping{comma: ',', colIndex: map[string]int{}}}
	p.mapping(root)
	if len(p.problems) > 0 {
		return nil, &Error{File: file, Problems: p.problems}
	}
	return p.m, nil
}

type mparser struct {
	m        *Mapping
	problems []Problem
}

func (p *mparser) errf(line int, path, format string, args ...any) {
	if len(p.problems) < maxProblems {
		p.problems = append(p.problems, Problem{Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
	}
}

// object checks that n is a mapping whose keys are all allowed and returns
// its entries by key.
func (p *mparser) object(n *ynode, path string, allowed ...string) map[string]yentry {
	out := map[string]yentry{}
	if n.kind != yMap {
		p.errf(n.line, path, "must be a mapping with keys %s, not %s", strings.Join(allowed, ", "), n.describe())
		return out
	}
	for _, e := range n.entries {
		if !slices.Contains(allowed, e.key) {
			p.errf(e.line, join(path, e.key), "unknown key %q; the keys here are %s", e.key, strings.Join(allowed, ", "))
			continue
		}
		out[e.key] = e
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (p *mparser) str(e yentry, path string) (string, bool) {
	s, ok := e.val.str()
	if !ok || e.val.kind != yScalar {
		p.errf(e.line, path, "must be a string, not %s", e.val.describe())
		return "", false
	}
	if _, isStr := e.val.val.(string); !isStr {
		p.errf(e.line, path, "must be a string, not %s (quote it)", e.val.describe())
		return "", false
	}
	return s, true
}

func (p *mparser) boolean(e yentry, path string) bool {
	b, ok := e.val.val.(bool)
	if e.val.kind != yScalar || !ok {
		p.errf(e.line, path, "must be true or false, not %s", e.val.describe())
	}
	return b
}

func (p *mparser) mapping(root *ynode) {
	m := p.m
	top := p.object(root, "", "name", "description", "columns", "extraColumns", "csv", "source", "skip", "records")
	if root.kind != yMap {
		return
	}
	if e, ok := top["name"]; ok {
		m.Name, _ = p.str(e, "name")
	}
	if e, ok := top["description"]; ok {
		m.Description, _ = p.str(e, "description")
	}
	if e, ok := top["columns"]; ok {
		p.columns(e)
	} else {
		p.errf(root.line, "columns", "missing: list the header columns the CSV must have")
	}
	if e, ok := top["extraColumns"]; ok {
		switch s, _ := p.str(e, "extraColumns"); s {
		case "reject":
		case "ignore":
			m.ignoreExtra = true
		default:
			p.errf(e.line, "extraColumns", "%q: use reject (a column not in columns fails the file, the default) or ignore", s)
		}
	}
	if e, ok := top["csv"]; ok {
		p.csvOptions(e)
	}
	var source map[string]*valueSpec
	if e, ok := top["source"]; ok {
		source = p.source(e.val, "source")
	}
	if e, ok := top["skip"]; ok {
		p.skips(e)
	}
	e, ok := top["records"]
	switch {
	case !ok:
		p.errf(root.line, "records", "missing: list the records each row becomes")
	case e.val.kind != ySeq || len(e.val.items) == 0:
		p.errf(e.line, "records", "must be a list of record templates, not %s", e.val.describe())
	default:
		for i, n := range e.val.items {
			if t := p.record(n, fmt.Sprintf("records[%d]", i), source); t != nil {
				m.records = append(m.records, t)
			}
		}
	}
}

func (p *mparser) columns(e yentry) {
	if e.val.kind != ySeq || len(e.val.items) == 0 {
		p.errf(e.line, "columns", "must be a list of the header's column names, not %s", e.val.describe())
		return
	}
	for i, n := range e.val.items {
		path := fmt.Sprintf("columns[%d]", i)
		s, ok := n.str()
		switch {
		case !ok:
			p.errf(n.line, path, "must be a column name, not %s", n.describe())
			continue
		case strings.TrimSpace(s) == "":
			p.errf(n.line, path, "a column name cannot be empty")
			continue
		case s != strings.TrimSpace(s):
			p.errf(n.line, path, "%q has leading or trailing spaces; header names are compared without them", s)
			continue
		}
		if _, dup := p.m.colIndex[s]; dup {
			p.errf(n.line, path, "column %q is listed twice", s)
			continue
		}
		p.m.colIndex[s] = len(p.m.columns)
		p.m.columns = append(p.m.columns, s)
	}
}

func (p *mparser) csvOptions(e yentry) {
	o := p.object(e.val, "csv", "delimiter", "lazyQuotes")
	if d, ok := o["delimiter"]; ok {
		s, _ := p.str(d, "csv.delimiter")
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 || size != len(s) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
			p.errf(d.line, "csv.delimiter", "%q: give one character other than a quote or a line break, e.g. \",\", \";\" or \"\\t\"", s)
		} else {
			p.m.comma = r
		}
	}
	if l, ok := o["lazyQuotes"]; ok {
		p.m.lazyQuotes = p.boolean(l, "csv.lazyQuotes")
	}
}

// column resolves a column name used in the mapping.
func (p *mparser) column(name string, line int, path string) (int, bool) {
	if i, ok := p.m.colIndex[name]; ok {
		return i, true
	}
	hint := ""
	for _, c := range p.m.columns {
		if strings.EqualFold(c, name) || strings.EqualFold(c, strings.TrimSpace(name)) {
			hint = fmt.Sprintf(" (did you mean %q?)", c)
		}
	}
	if len(p.m.columns) == 0 {
		p.errf(line, path, "column %q: no columns are declared", name)
	} else {
		p.errf(line, path, "column %q is not in columns%s", name, hint)
	}
	return 0, false
}

func (p *mparser) columnList(n *ynode, line int, path string) []int {
	var names []*ynode
	switch n.kind {
	case yScalar:
		names = []*ynode{n}
	case ySeq:
		names = n.items
	}
	if len(names) == 0 {
		p.errf(line, path, "must be a column name or a list of them, not %s", n.describe())
		return nil
	}
	var out []int
	for _, c := range names {
		s, _ := c.str()
		if c.kind != yScalar {
			p.errf(c.line, path, "must be a column name, not %s", c.describe())
			continue
		}
		if i, ok := p.column(s, c.line, path); ok {
			out = append(out, i)
		}
	}
	return out
}

func (p *mparser) cond(n *ynode, line int, path string) *cond {
	o := p.object(n, path, "empty", "nonEmpty", "equals")
	if n.kind == yMap && len(n.entries) == 0 {
		p.errf(line, path, "is empty; give empty, nonEmpty or equals")
	}
	c := &cond{}
	if e, ok := o["empty"]; ok {
		c.empty = p.columnList(e.val, e.line, path+".empty")
	}
	if e, ok := o["nonEmpty"]; ok {
		c.nonEmpty = p.columnList(e.val, e.line, path+".nonEmpty")
	}
	if e, ok := o["equals"]; ok {
		if e.val.kind != yMap || len(e.val.entries) == 0 {
			p.errf(e.line, path+".equals", "must map column names to a value or a list of values, e.g. {Crime type: Burglary}")
		}
		for _, eq := range e.val.entries {
			col, ok := p.column(eq.key, eq.line, path+".equals")
			if !ok {
				continue
			}
			vals := []*ynode{eq.val}
			if eq.val.kind == ySeq {
				vals = eq.val.items
			}
			ec := equalsCond{col: col}
			for _, v := range vals {
				s, ok := v.str()
				if !ok {
					p.errf(v.line, path+".equals."+eq.key, "must be a value or a list of values, not %s", v.describe())
					continue
				}
				ec.values = append(ec.values, strings.TrimSpace(s))
			}
			c.equals = append(c.equals, ec)
		}
	}
	return c
}

func (p *mparser) skips(e yentry) {
	if e.val.kind != ySeq {
		p.errf(e.line, "skip", "must be a list of {when, reason}, not %s", e.val.describe())
		return
	}
	for i, n := range e.val.items {
		path := fmt.Sprintf("skip[%d]", i)
		o := p.object(n, path, "when", "reason")
		if n.kind != yMap {
			continue
		}
		var r skipRule
		if w, ok := o["when"]; ok {
			r.when = p.cond(w.val, w.line, path+".when")
		} else {
			p.errf(n.line, path+".when", "missing: say which rows to skip")
		}
		if rs, ok := o["reason"]; ok {
			r.reason, _ = p.str(rs, path+".reason")
			if strings.TrimSpace(r.reason) == "" {
				p.errf(rs.line, path+".reason", "is empty; say why these rows are skipped (the reason is counted in the stats)")
			}
		} else {
			p.errf(n.line, path+".reason", "missing: say why these rows are skipped (the reason is counted in the stats)")
		}
		p.m.skips = append(p.m.skips, r)
	}
}

func (p *mparser) source(n *ynode, path string) map[string]*valueSpec {
	o := p.object(n, path, sourceKeys...)
	out := map[string]*valueSpec{}
	for _, k := range sourceKeys {
		if e, ok := o[k]; ok {
			if v := p.value(e.val, e.line, join(path, k), kString); v != nil {
				v.required = true
				out[k] = v
			}
		}
	}
	return out
}

func (p *mparser) record(n *ynode, path string, source map[string]*valueSpec) *recordTemplate {
	o := p.object(n, path, "type", "once", "when", "source", "fields")
	if n.kind != yMap {
		return nil
	}
	t := &recordTemplate{source: map[string]*valueSpec{}}
	e, ok := o["type"]
	if !ok {
		p.errf(n.line, path+".type", "missing: give the record type, one of %s", strings.Join(ingest.Types, ", "))
		return nil
	}
	t.typ, _ = p.str(e, path+".type")
	schema, known := schemas[t.typ]
	if !known {
		p.errf(e.line, path+".type", "unknown record type %q; use one of %s", t.typ, strings.Join(ingest.Types, ", "))
	}
	if e, ok := o["once"]; ok {
		t.once = p.boolean(e, path+".once")
	}
	if e, ok := o["when"]; ok {
		t.when = p.cond(e.val, e.line, path+".when")
	}
	for k, v := range source {
		t.source[k] = v
	}
	if e, ok := o["source"]; ok {
		for k, v := range p.source(e.val, path+".source") {
			t.source[k] = v
		}
	}
	var unset []string
	for _, k := range sourceKeys {
		if t.source[k] == nil {
			unset = append(unset, k)
		}
	}
	if len(unset) > 0 {
		p.errf(n.line, path+".source", "%s not set, here or in the top-level source; a record's source needs agency, system, recordId and at", strings.Join(unset, ", "))
	}
	fe, ok := o["fields"]
	switch {
	case !ok:
		p.errf(n.line, path+".fields", "missing: set the record's fields")
		return nil
	case fe.val.kind != yMap || len(fe.val.entries) == 0:
		p.errf(fe.line, path+".fields", "must map field paths to values, not %s", fe.val.describe())
		return nil
	}
	for _, f := range fe.val.entries {
		fpath := path + ".fields." + f.key
		if !known {
			continue
		}
		parts := strings.Split(f.key, ".")
		leaf, ok := p.fieldPath(schema, t.typ, parts, f.line, fpath)
		if !ok {
			continue
		}
		v := p.value(f.val, f.line, fpath, leaf.kind)
		if v == nil {
			continue
		}
		t.fields = append(t.fields, fieldAssign{name: f.key, path: parts, val: v})
	}
	return t
}

// fieldPath resolves a dotted field path in a record type.
func (p *mparser) fieldPath(schema *fieldNode, typ string, parts []string, line int, path string) (*fieldNode, bool) {
	if slices.Contains(parts, "") {
		p.errf(line, path, "%q is not a field path: write field names separated by single dots, e.g. from.case.caseNo", strings.Join(parts, "."))
		return nil, false
	}
	n := schema
	for i, part := range parts {
		sofar := strings.Join(parts[:i+1], ".")
		if i == 0 && (part == "type" || part == "source") {
			p.errf(line, path, "%s is the envelope: set it with the template's %s key, not in fields", part, part)
			return nil, false
		}
		if n.kind != kObject {
			p.errf(line, path, "%s is %s, not an object: it has no field %q", strings.Join(parts[:i], "."), n.kind, part)
			return nil, false
		}
		child, ok := n.children[part]
		if !ok {
			where := "a " + typ + " record"
			if i > 0 {
				where = strings.Join(parts[:i], ".")
			}
			p.errf(line, path, "unknown field %q of %s; its fields are %s", part, where, n.fieldNames(i == 0))
			return nil, false
		}
		if child.kind == 0 {
			p.errf(line, path, "%s cannot be set from a mapping", sofar)
			return nil, false
		}
		n = child
	}
	if n.kind == kObject {
		p.errf(line, path, "%s is an object; set its fields one by one (%s)", strings.Join(parts, "."), prefixed(strings.Join(parts, "."), n.fieldNames(false)))
		return nil, false
	}
	return n, true
}

func prefixed(prefix, names string) string {
	var out []string
	for _, n := range strings.Split(names, ", ") {
		out = append(out, prefix+"."+n)
	}
	return strings.Join(out, ", ")
}

var valueKeys = []string{"column", "const", "template", "transform", "map", "default", "unmapped", "required"}

// value parses a value spec for a field of kind want.
func (p *mparser) value(n *ynode, line int, path string, want fieldKind) *valueSpec {
	if n.kind != yMap {
		hint := ""
		if s, ok := n.str(); ok {
			hint = fmt.Sprintf(": write {const: %s} for the constant, or {column: %s} for a column", s, s)
		}
		p.errf(line, path, "a value must be a mapping with column, const or template, not %s%s", n.describe(), hint)
		return nil
	}
	before := len(p.problems)
	o := p.object(n, path, valueKeys...)
	v := &valueSpec{line: line}
	var sources []string
	for _, k := range []string{"column", "const", "template"} {
		if _, ok := o[k]; ok {
			sources = append(sources, k)
		}
	}
	switch len(sources) {
	case 0:
		p.errf(line, path, "give one of column, const and template")
		return nil
	case 1:
	default:
		p.errf(line, path, "give only one of column, const and template, not %s", strings.Join(sources, " and "))
		return nil
	}
	switch sources[0] {
	case "column":
		e := o["column"]
		name, ok := e.val.str()
		if !ok || e.val.kind != yScalar {
			p.errf(e.line, path+".column", "must be a column name, not %s", e.val.describe())
			return nil
		}
		v.source = srcColumn
		v.column, _ = p.column(name, e.line, path+".column")
		v.out = kString
	case "const":
		e := o["const"]
		v.source = srcConst
		switch e.val.kind {
		case yNull:
			p.errf(e.line, path+".const", "is null; leave the field out instead")
		case yScalar:
			v.cnst, v.out = scalar(e.val)
		default:
			p.errf(e.line, path+".const", "must be a scalar, not %s; set the fields of an object one by one", e.val.describe())
		}
		for _, k := range []string{"transform", "map", "default", "unmapped", "required"} {
			if x, ok := o[k]; ok {
				p.errf(x.line, path+"."+k, "a const takes no %s", k)
			}
		}
	case "template":
		e := o["template"]
		s, ok := p.str(e, path+".template")
		if !ok {
			return nil
		}
		v.source, v.tmpl, v.out = srcTemplate, s, kString
		v.parts = p.template(s, e.line, path+".template")
	}
	if e, ok := o["transform"]; ok {
		p.transforms(v, e, path+".transform")
	}
	if e, ok := o["map"]; ok {
		if v.typed != nil {
			p.errf(e.line, path+".map", "a value map cannot follow transform %s; map the text and give the map typed values instead", v.typed.name)
		}
		if e.val.kind != yMap {
			p.errf(e.line, path+".map", "must map values to values, not %s", e.val.describe())
		} else {
			v.hasMap, v.mapped, v.out = true, map[string]any{}, 0
			for _, me := range e.val.entries {
				switch me.val.kind {
				case yNull:
					v.mapped[me.key] = nil
				case yScalar:
					val, k := scalar(me.val)
					v.mapped[me.key], v.out = val, v.out|k
				default:
					p.errf(me.line, path+".map."+me.key, "must be a scalar or null, not %s", me.val.describe())
				}
			}
		}
	}
	if e, ok := o["default"]; ok {
		v.hasDef = true
		switch e.val.kind {
		case yNull:
		case yScalar:
			var k fieldKind
			v.def, k = scalar(e.val)
			v.out |= k
		default:
			p.errf(e.line, path+".default", "must be a scalar or null, not %s", e.val.describe())
		}
	}
	if e, ok := o["unmapped"]; ok {
		switch s, _ := p.str(e, path+".unmapped"); {
		case !v.hasMap:
			p.errf(e.line, path+".unmapped", "applies to a value map; there is no map here")
		case s == "reject":
			v.reject = true
			if v.hasDef {
				p.errf(e.line, path+".unmapped", "unmapped: reject and default exclude each other; keep one")
			}
		case s == "keep":
			if v.hasDef {
				p.errf(e.line, path+".unmapped", "unmapped: keep and default exclude each other; keep one")
			}
		default:
			p.errf(e.line, path+".unmapped", "%q: use keep (the value passes unchanged, the default) or reject (the row is refused)", s)
		}
	}
	if v.hasMap && !v.reject && !v.hasDef {
		v.out |= kString // unmapped values pass unchanged
	}
	if e, ok := o["required"]; ok {
		v.required = p.boolean(e, path+".required")
	}
	if len(p.problems) > before {
		return nil
	}
	if bad := v.out &^ accepts(want); bad != 0 {
		hint := ""
		switch {
		case want&(kFloat|kInt) != 0 && bad&kString != 0:
			hint = "; add transform: float (or int)"
		case want&kBool != 0 && bad&kString != 0:
			hint = "; add transform: bool"
		case want&kString != 0:
			hint = "; quote the value to make it a string"
		}
		p.errf(line, path, "the field takes %s, but this value gives %s%s", want, bad, hint)
		return nil
	}
	return v
}

// accepts gives the value kinds a field of kind k accepts.
func accepts(k fieldKind) fieldKind {
	if k == kFloat {
		return kFloat | kInt
	}
	return k
}

// scalar returns a YAML scalar's value for JSON and its kind.
func scalar(n *ynode) (any, fieldKind) {
	switch x := n.val.(type) {
	case string:
		return x, kString
	case bool:
		return x, kBool
	case float64:
		return x, kFloat
	case int64, uint64:
		return x, kInt
	}
	return n.text, kString
}

// template parses "{Month}-01": literal text and {Column} or {Column?}
// placeholders; {{ and }} stand for braces.
func (p *mparser) template(s string, line int, path string) []tmplPart {
	var parts []tmplPart
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "{{"), strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte(s[i])
			i++
		case s[i] == '}':
			p.errf(line, path, "%q: a } without its {; write }} for a literal brace", s)
			return nil
		case s[i] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				p.errf(line, path, "%q: a { without its }; write {{ for a literal brace", s)
				return nil
			}
			name := s[i+1 : i+end]
			opt := strings.HasSuffix(name, "?")
			name = strings.TrimSuffix(name, "?")
			col, ok := p.column(name, line, path)
			if !ok {
				return nil
			}
			if lit.Len() > 0 {
				parts = append(parts, tmplPart{lit: lit.String(), col: -1})
				lit.Reset()
			}
			parts = append(parts, tmplPart{col: col, optional: opt})
			i += end
		default:
			lit.WriteByte(s[i])
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, tmplPart{lit: lit.String(), col: -1})
	}
	return parts
}

func (p *mparser) transforms(v *valueSpec, e yentry, path string) {
	if v.source == srcConst {
		return // reported: a const takes no transform
	}
	steps := []*ynode{e.val}
	if e.val.kind == ySeq {
		steps = e.val.items
	}
	for i, n := range steps {
		where := path
		if e.val.kind == ySeq {
			where = fmt.Sprintf("%s[%d]", path, i)
		}
		var name, arg string
		hasArg := false
		switch {
		case n.kind == yScalar:
			name, _ = n.str()
		case n.kind == yMap && len(n.entries) == 1:
			name = n.entries[0].key
			a, ok := n.entries[0].val.str()
			if !ok {
				p.errf(n.line, where, "the argument of transform %s must be a scalar, not %s", name, n.entries[0].val.describe())
				continue
			}
			arg, hasArg = a, true
		default:
			p.errf(n.line, where, "a transform is a name (trim) or a name with its argument ({date: DD/MM/YYYY}), not %s", n.describe())
			continue
		}
		t, err := newTransform(name, arg, hasArg)
		if err != nil {
			p.errf(n.line, where, "%v", err)
			continue
		}
		if v.typed != nil {
			p.errf(n.line, where, "transform %s cannot follow %s: float, int and bool must come last", name, v.typed.name)
			continue
		}
		if t.typed != nil {
			v.typed, v.out = t, t.out
		} else {
			v.transforms = append(v.transforms, *t)
		}
	}
}
