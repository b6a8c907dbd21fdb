package csvmap

import (
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
)

// The fields a mapping may set are read from the canonical record types
// themselves, so that a mapping can never name a field the records do not
// have (and the JSON decoding with DisallowUnknownFields guards the rest).

type fieldKind int

const (
	kString fieldKind = 1 << iota
	kInt
	kFloat
	kBool
	kObject
)

func (k fieldKind) String() string {
	var names []string
	for _, x := range []struct {
		k fieldKind
		n string
	}{{kString, "a string"}, {kInt, "an integer"}, {kFloat, "a number"}, {kBool, "true or false"}, {kObject, "an object"}} {
		if k&x.k != 0 {
			names = append(names, x.n)
		}
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, " or ")
}

type fieldNode struct {
	kind     fieldKind
	children map[string]*fieldNode
}

// recordTypes are the canonical record types by their type name.
var recordTypes = map[string]reflect.Type{
	ingest.TypeAgency:   reflect.TypeFor[ingest.Agency](),
	ingest.TypeCase:     reflect.TypeFor[ingest.Case](),
	ingest.TypePerson:   reflect.TypeFor[ingest.Person](),
	ingest.TypeParty:    reflect.TypeFor[ingest.Party](),
	ingest.TypeCharge:   reflect.TypeFor[ingest.Charge](),
	ingest.TypeIncident: reflect.TypeFor[ingest.Incident](),
	ingest.TypeHandover: reflect.TypeFor[ingest.Handover](),
	ingest.TypeDecision: reflect.TypeFor[ingest.Decision](),
	ingest.TypeMeasure:  reflect.TypeFor[ingest.Measure](),
	ingest.TypeJudgment: reflect.TypeFor[ingest.Judgment](),
	ingest.TypeLocation: reflect.TypeFor[ingest.Location](),
	ingest.TypeObject:   reflect.TypeFor[ingest.Object](),
	ingest.TypeLink:     reflect.TypeFor[ingest.Link](),
}

var schemas = func() map[string]*fieldNode {
	m := map[string]*fieldNode{}
	for name, t := range recordTypes {
		m[name] = schemaOf(t)
	}
	return m
}()

var timeType = reflect.TypeFor[time.Time]()

func schemaOf(t reflect.Type) *fieldNode {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType || t.Kind() == reflect.String:
		return &fieldNode{kind: kString}
	case t.Kind() == reflect.Bool:
		return &fieldNode{kind: kBool}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return &fieldNode{kind: kInt}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return &fieldNode{kind: kFloat}
	case t.Kind() != reflect.Struct:
		return &fieldNode{} // no kind: cannot be set from a mapping
	}
	n := &fieldNode{kind: kObject, children: map[string]*fieldNode{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && tag == "" {
			for k, v := range schemaOf(f.Type).children {
				n.children[k] = v
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		n.children[tag] = schemaOf(f.Type)
	}
	return n
}

// fieldNames lists the fields of an object node, sorted, leaving out the
// envelope (type and source are set by the template, not by fields).
func (n *fieldNode) fieldNames(top bool) string {
	var names []string
	for k := range n.children {
		if top && (k == "type" || k == "source") {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
