package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

var update = flag.Bool("update", false, "rewrite schemas/record.schema.json")

const schemaPath = "../../schemas/record.schema.json"

// required lists, per type, the fields the validator refuses to do without
// (beyond type and source). TestSchemaAgreesWithValidator proves each.
var required = map[string][]string{
	TypeAgency:   {"code", "name", "kind"},
	TypeCase:     {"caseNo"},
	TypePerson:   {"name"},
	TypeParty:    {"case", "person", "role"},
	TypeCharge:   {"case", "person", "offense"},
	TypeIncident: {"incidentNo"},
	TypeHandover: {"handoverId", "kind", "from", "sentAt"},
	TypeDecision: {"decisionId", "case", "kind", "decidedAt"},
	TypeMeasure:  {"measureId", "case", "person", "kind", "from"},
	TypeJudgment: {"judgmentId", "case", "person", "verdict", "decidedAt"},
	TypeLocation: {"locationId"},
	TypeObject:   {"kind", "value"},
	TypeLink:     {"kind", "from", "to"},
}

func names[T ~string](l []T) []any {
	out := make([]any, len(l))
	for i, x := range l {
		out[i] = string(x)
	}
	return out
}

func keysAndValues(m map[string]string) []any {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	sort.Strings(out)
	return names(out)
}

// enums are the enumerations of the schema, taken from the Go definitions
// the validator uses.
func enums() map[string]map[string][]any {
	var linkKinds []string
	for _, s := range neo4jdb.LinkShapes {
		if !oneOf(s.Rel, linkKinds) {
			linkKinds = append(linkKinds, s.Rel)
		}
	}
	var roles []string
	for r := range roleRels {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	var measures []string
	for name, code := range MeasureKinds {
		measures = append(measures, name, code)
	}
	sort.Strings(measures)
	return map[string]map[string][]any{
		TypeAgency:   {"kind": names(casegraph.AgencyKinds)},
		TypeCase:     {"stage": names(casegraph.Stages)},
		TypePerson:   {"gender": {"M", "F"}},
		TypeParty:    {"role": names(roles)},
		TypeHandover: {"kind": names(casegraph.HandoverTypes), "status": {"PENDING", "ACCEPTED", "REJECTED"}},
		TypeDecision: {"kind": keysAndValues(DecisionKinds)},
		TypeMeasure:  {"kind": names(measures)},
		TypeJudgment: {"verdict": {"GUILTY", "NOT_GUILTY", "EXEMPT"}},
		TypeObject:   {"kind": names(ObjectKinds)},
		TypeLink:     {"kind": names(linkKinds)},
	}
}

var formats = map[string]string{
	"filedAt": "date", "closedAt": "date", "birthDate": "date", "decidedAt": "date", "since": "date",
	"sentAt": "date-time or date", "receivedAt": "date-time or date", "reportedAt": "date-time or date",
}

// jsonSchema describes a Go struct type as a JSON Schema object.
func jsonSchema(t reflect.Type, defs map[string]any) map[string]any {
	props := map[string]any{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				if f.Type.Name() == "Envelope" {
					continue
				}
				walk(f.Type)
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			props[name] = fieldSchema(f.Type, name, defs)
		}
	}
	walk(t)
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func fieldSchema(t reflect.Type, name string, defs map[string]any) any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		s := map[string]any{"type": "string"}
		if f, ok := formats[name]; ok {
			s["description"] = f
			if f == "date" {
				s["pattern"] = `^\d{4}-\d{2}-\d{2}$`
			}
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Struct:
		if t == reflect.TypeOf(time.Time{}) {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		if _, ok := defs[t.Name()]; !ok {
			defs[t.Name()] = nil // break cycles
			defs[t.Name()] = jsonSchema(t, defs)
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	}
	panic("no schema for " + t.String())
}

func buildSchema() map[string]any {
	defs := map[string]any{
		"Source": map[string]any{
			"type": "object", "additionalProperties": false,
			"required": []any{"agency", "system", "recordId", "at"},
			"properties": map[string]any{
				"agency": map[string]any{"type": "string"}, "system": map[string]any{"type": "string"},
				"recordId": map[string]any{"type": "string"}, "at": map[string]any{"type": "string", "format": "date-time"},
			},
		},
	}
	var oneOf []any
	en := enums()
	for _, typ := range Types {
		s := jsonSchema(reflect.TypeOf(newBody(typ)).Elem(), defs)
		props := s["properties"].(map[string]any)
		props["type"] = map[string]any{"const": typ}
		props["source"] = map[string]any{"$ref": "#/$defs/Source"}
		for field, values := range en[typ] {
			props[field].(map[string]any)["enum"] = values
		}
		req := []any{"type", "source"}
		for _, r := range required[typ] {
			req = append(req, r)
		}
		s["required"] = req
		oneOf = append(oneOf, s)
	}
	return map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://casegraph.example/schemas/record.schema.json",
		"title":       "casegraph canonical ingest record",
		"description": "One line of a casegraph NDJSON ingest file. Generated from internal/ingest by `go test ./internal/ingest -run TestSchema -update`; docs/ingest.md explains every field. Cross-field rules (identity-number check digits, court case numbers, date order, known agencies) are the validator's and are listed in docs/ingest.md.",
		"oneOf":       oneOf,
		"$defs":       defs,
	}
}

func TestSchemaFileIsCurrent(t *testing.T) {
	b, _ := json.MarshalIndent(buildSchema(), "", "  ")
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(schemaPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/ingest -run TestSchema -update)", err)
	}
	if !bytes.Equal(have, b) {
		t.Errorf("%s is out of date with the record types; run go test ./internal/ingest -run TestSchema -update", schemaPath)
	}
}

// examples are valid records of every type; the agreement test takes them
// apart.
var examples = map[string]string{
	TypeAgency:   `{"type":"agency","source":%S,"code":"X-GA","name":"分局","kind":"POLICE","region":"330203"}`,
	TypeCase:     `{"type":"case","source":%S,"caseNo":"A1","title":"t","stage":"INVESTIGATING","filedAt":"2024-01-02"}`,
	TypePerson:   `{"type":"person","source":%S,"ref":"p1","name":"张三","gender":"M"}`,
	TypeParty:    `{"type":"party","source":%S,"case":{"caseNo":"A1"},"person":{"ref":"p1"},"role":"SUSPECT"}`,
	TypeCharge:   `{"type":"charge","source":%S,"case":{"caseNo":"A1"},"person":{"ref":"p1"},"offense":"盗窃罪","article":"264"}`,
	TypeIncident: `{"type":"incident","source":%S,"incidentNo":"J1","reportedAt":"2024-01-01T08:00:00+08:00"}`,
	TypeHandover: `{"type":"handover","source":%S,"handoverId":"h1","kind":"PROSECUTION","from":{"caseNo":"A1"},"to":{"caseNo":"A2"},"sentAt":"2024-01-03","status":"PENDING"}`,
	TypeDecision: `{"type":"decision","source":%S,"decisionId":"d1","case":{"caseNo":"A1"},"kind":"APPROVE_ARREST","decidedAt":"2024-01-04"}`,
	TypeMeasure:  `{"type":"measure","source":%S,"measureId":"m1","case":{"caseNo":"A1"},"person":{"ref":"p1"},"kind":"拘留","from":"2024-01-02"}`,
	TypeJudgment: `{"type":"judgment","source":%S,"judgmentId":"j1","case":{"caseNo":"A1"},"person":{"ref":"p1"},"verdict":"GUILTY","decidedAt":"2024-06-01"}`,
	TypeLocation: `{"type":"location","source":%S,"locationId":"l1","address":"中山路1号"}`,
	TypeObject:   `{"type":"object","source":%S,"kind":"PHONE","value":"13800138000"}`,
	TypeLink:     `{"type":"link","source":%S,"kind":"KNOWS","from":{"person":{"ref":"p1"}},"to":{"person":{"ref":"p2"}}}`,
}

// TestSchemaAgreesWithValidator: every example is valid; dropping any field
// the schema requires makes the validator refuse it; every enum value the
// schema lists is accepted and a value outside it is refused.
func TestSchemaAgreesWithValidator(t *testing.T) {
	src := `{"agency":"X-GA","system":"s","recordId":"r","at":"2024-01-01T00:00:00Z"}`
	check := func(line string) *Reject {
		v := NewValidator(map[string]string{"X-GA": "POLICE"}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		rec, rej := DecodeLine([]byte(line))
		if rej != nil {
			return rej
		}
		_, rej = v.Check(rec)
		return rej
	}
	for _, typ := range Types {
		ex := strings.Replace(examples[typ], "%S", src, 1)
		if rej := check(ex); rej != nil {
			t.Fatalf("%s example refused: %+v", typ, rej)
		}
		for _, field := range append([]string{"type", "source"}, required[typ]...) {
			var m map[string]any
			json.Unmarshal([]byte(ex), &m)
			delete(m, field)
			b, _ := json.Marshal(m)
			if check(string(b)) == nil {
				t.Errorf("%s without required %s was accepted", typ, field)
			}
		}
		for field, values := range enums()[typ] {
			for _, val := range append(values, "NOT-A-VALUE") {
				var m map[string]any
				json.Unmarshal([]byte(ex), &m)
				m[field] = val
				if typ == TypeLink && field == "kind" && val != "KNOWS" && val != "FAMILY" && val != "NOT-A-VALUE" {
					continue // other link kinds join other endpoint types
				}
				if typ == TypeHandover && field == "status" && val == "ACCEPTED" {
					m["receivedAt"] = "2024-01-04"
				}
				if typ == TypeHandover && field == "status" && val == "REJECTED" {
					m["reason"] = "不属本院管辖"
				}
				if typ == TypeAgency && field == "kind" {
					m["code"] = "NEW-" + val.(string)
				}
				b, _ := json.Marshal(m)
				rej := check(string(b))
				if val == "NOT-A-VALUE" && rej == nil {
					t.Errorf("%s.%s = NOT-A-VALUE was accepted", typ, field)
				}
				if val != "NOT-A-VALUE" && rej != nil {
					t.Errorf("%s.%s = %v (in the schema's enum) was refused: %+v", typ, field, val, rej)
				}
			}
		}
	}
}
