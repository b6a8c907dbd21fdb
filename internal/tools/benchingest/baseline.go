package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph/internal/ingest"
)

// Baseline (a): the records as generic maps, loaded with plain UNWIND …
// MERGE statements on the same keys as casegraph (so the same nodes and
// relationships), one transaction per batch, without validation, versioning,
// conflict detection or entity resolution.

const (
	bCaseRef = `MERGE (c:Case {uid: r.case.uid}) ON CREATE SET c.agencyCode = r.case.agency, c.caseNo = r.case.caseNo`
	bPerson  = `MERGE (p:Person {uid: r.person.uid}) ON CREATE SET p.name = r.person.name, p.idNumber = r.person.idNumber`
)

var baselineStatements = map[string]string{
	"agency": `UNWIND $rows AS r MERGE (a:Agency {code: r.code}) SET a.name = r.name, a.kind = r.kind, a.region = r.region`,
	"case": `UNWIND $rows AS r MERGE (c:Case {uid: r.uid})
SET c.agencyCode = r.agency, c.caseNo = r.caseNo, c.kind = r.kind, c.title = r.title, c.summary = r.summary, c.stage = r.stage,
    c.filedAt = date(r.filedAt), c.closedAt = date(r.closedAt), c.district = r.district, c.sealed = r.sealed
WITH c, r MATCH (a:Agency {code: r.agency}) MERGE (c)-[:HANDLED_BY]->(a)`,
	"person": `UNWIND $rows AS r MERGE (p:Person {uid: r.uid})
SET p.name = r.name, p.idNumber = r.idNumber, p.birthDate = date(r.birthDate), p.gender = r.gender`,
	"party": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPerson + `
FOREACH (_ IN CASE WHEN r.role = 'SUSPECT' THEN [1] ELSE [] END | MERGE (p)-[:SUSPECT_IN]->(c))
FOREACH (_ IN CASE WHEN r.role = 'DEFENDANT' THEN [1] ELSE [] END | MERGE (p)-[:DEFENDANT_IN]->(c))
FOREACH (_ IN CASE WHEN r.role = 'VICTIM' THEN [1] ELSE [] END | MERGE (p)-[:VICTIM_IN]->(c))
FOREACH (_ IN CASE WHEN r.role = 'WITNESS' THEN [1] ELSE [] END | MERGE (p)-[:WITNESS_IN]->(c))`,
	"charge": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPerson + `
MERGE (o:Offense {code: r.offense}) SET o.name = r.offense, o.article = r.article
MERGE (ch:Charge {uid: r.uid}) MERGE (p)-[:CHARGED_WITH]->(ch) MERGE (ch)-[:IN_CASE]->(c) MERGE (ch)-[:OF_OFFENSE]->(o)`,
	"incident": `UNWIND $rows AS r MERGE (i:Incident {uid: r.uid}) SET i.incidentNo = r.incidentNo, i.summary = r.summary, i.district = r.district
FOREACH (ref IN CASE WHEN r.case IS NULL THEN [] ELSE [r.case] END | MERGE (c:Case {uid: ref.uid}) MERGE (i)-[:LED_TO]->(c))`,
	"handover": `UNWIND $rows AS r MERGE (f:Case {uid: r.from.uid}) MERGE (h:Handover {uid: r.uid})
SET h.type = r.kind, h.status = r.status, h.reason = r.reason
MERGE (f)-[:SENT]->(h)
FOREACH (ref IN CASE WHEN r.to IS NULL THEN [] ELSE [r.to] END |
  MERGE (t:Case {uid: ref.uid}) MERGE (h)-[:RECEIVED_BY]->(t)
  FOREACH (_ IN CASE WHEN r.status = 'ACCEPTED' THEN [1] ELSE [] END | MERGE (f)-[x:TRANSFERRED_TO {handover: r.uid}]->(t) SET x.type = r.kind))`,
	"decision": `UNWIND $rows AS r ` + bCaseRef + `
MERGE (d:Decision {uid: r.uid}) SET d.kind = r.kind, d.subtype = r.subtype, d.decidedAt = date(r.decidedAt)
MERGE (d)-[:IN_CASE]->(c)
FOREACH (pr IN CASE WHEN r.person IS NULL THEN [] ELSE [r.person] END | MERGE (p:Person {uid: pr.uid}) MERGE (d)-[:ON_PERSON]->(p))`,
	"measure": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPerson + `
MERGE (m:Measure {uid: r.uid}) SET m.kind = r.kind, m.from = date(r.from), m.to = date(r.to)
MERGE (m)-[:IN_CASE]->(c) MERGE (m)-[:ON_PERSON]->(p)`,
	"judgment": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPerson + `
MERGE (j:Judgment {uid: r.uid}) SET j.verdict = r.verdict, j.termMonths = r.termMonths, j.fine = r.fine, j.decidedAt = date(r.decidedAt)
MERGE (j)-[:IN_CASE]->(c) MERGE (j)-[:ON_PERSON]->(p)`,
	"location": `UNWIND $rows AS r MERGE (l:Location {uid: r.uid}) SET l.address = r.address, l.district = r.district, l.lat = r.lat, l.lon = r.lon`,
	"object":   `UNWIND $rows AS r MERGE (o:Object {uid: r.uid}) SET o.kind = r.kind, o.value = r.value`,
}

var baselineOrder = []string{"agency", "case", "person", "object", "location", "incident", "party", "charge", "handover", "decision", "measure", "judgment"}

// Link statements by "KIND:FromLabel:ToLabel".
func linkStatement(key string) string {
	var rel, from, to string
	fmt.Sscanf(replaceColons(key), "%s %s %s", &rel, &from, &to)
	return `UNWIND $rows AS r MERGE (a:` + from + ` {uid: r.from}) MERGE (b:` + to + ` {uid: r.to}) MERGE (a)-[:` + rel + `]->(b)`
}

func replaceColons(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == ':' {
			b[i] = ' '
		}
	}
	return string(b)
}

var linkLabels = map[string]bool{
	"KNOWS:Person:Person": true, "FAMILY:Person:Person": true, "USES:Person:Object": true, "OWNS:Person:Object": true,
	"INVOLVES:Case:Object": true, "LIVES_AT:Person:Location": true, "OCCURRED_AT:Case:Location": true,
	"OCCURRED_AT:Incident:Location": true, "INVESTIGATED_BY:Case:Person": true,
}

type loader struct {
	agencyKind map[string]string
	rows       map[string][]map[string]any
	n          int
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func obj(m map[string]any, k string) map[string]any { o, _ := m[k].(map[string]any); return o }

func caseKind(agencyKind string) string {
	switch agencyKind {
	case "PROCURATORATE":
		return "PROSECUTION"
	case "COURT":
		return "COURT"
	}
	return "POLICE"
}

func (l *loader) caseRef(ref map[string]any, src map[string]any) map[string]any {
	if ref == nil {
		return nil
	}
	agency := str(ref, "agency")
	if agency == "" {
		agency = str(src, "agency")
	}
	no := str(ref, "caseNo")
	return map[string]any{"uid": "c/" + agency + "/" + no, "agency": agency, "caseNo": no}
}

func (l *loader) personRef(ref map[string]any, src map[string]any) map[string]any {
	if ref == nil {
		return nil
	}
	uid := "p/" + str(src, "agency") + "/" + str(src, "system") + "/" + str(ref, "ref")
	var id any
	if n := str(ref, "idNumber"); n != "" {
		uid, id = ingest.IDNumberUID(n), n
	}
	return map[string]any{"uid": uid, "idNumber": id, "name": ref["name"]}
}

func (l *loader) endpoint(e map[string]any, src map[string]any) (string, string) {
	switch {
	case e["person"] != nil:
		return "Person", l.personRef(obj(e, "person"), src)["uid"].(string)
	case e["case"] != nil:
		return "Case", l.caseRef(obj(e, "case"), src)["uid"].(string)
	case e["object"] != nil:
		o := obj(e, "object")
		return "Object", "o/" + str(o, "kind") + "/" + str(o, "value")
	case e["location"] != nil:
		return "Location", "l/" + str(src, "agency") + "/" + str(e, "location")
	default:
		return "Incident", "i/" + str(src, "agency") + "/" + str(e, "incident")
	}
}

func nilIfEmpty(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

func (l *loader) add(m map[string]any) {
	src := obj(m, "source")
	typ := str(m, "type")
	sa := str(src, "agency")
	r := map[string]any{}
	switch typ {
	case "agency":
		l.agencyKind[str(m, "code")] = str(m, "kind")
		r = map[string]any{"code": m["code"], "name": m["name"], "kind": m["kind"], "region": m["region"]}
	case "case":
		ref := l.caseRef(m, src)
		r = map[string]any{"uid": ref["uid"], "agency": ref["agency"], "caseNo": ref["caseNo"], "kind": caseKind(l.agencyKind[ref["agency"].(string)]),
			"title": m["title"], "summary": m["summary"], "stage": m["stage"], "filedAt": nilIfEmpty(m["filedAt"]), "closedAt": nilIfEmpty(m["closedAt"]),
			"district": m["district"], "sealed": m["sealed"]}
	case "person":
		ref := l.personRef(m, src)
		r = map[string]any{"uid": ref["uid"], "name": m["name"], "idNumber": ref["idNumber"], "birthDate": nilIfEmpty(m["birthDate"]), "gender": m["gender"]}
	case "party":
		r = map[string]any{"case": l.caseRef(obj(m, "case"), src), "person": l.personRef(obj(m, "person"), src), "role": m["role"]}
	case "charge":
		c, p := l.caseRef(obj(m, "case"), src), l.personRef(obj(m, "person"), src)
		r = map[string]any{"case": c, "person": p, "offense": m["offense"], "article": m["article"], "uid": "ch/" + c["uid"].(string) + "/" + p["uid"].(string) + "/" + str(m, "offense")}
	case "incident":
		r = map[string]any{"uid": "i/" + sa + "/" + str(m, "incidentNo"), "incidentNo": m["incidentNo"], "summary": m["summary"], "district": m["district"], "case": orNil(l.caseRef(obj(m, "case"), src))}
	case "handover":
		from := l.caseRef(obj(m, "from"), src)
		status := str(m, "status")
		if status == "" && m["to"] != nil && str(m, "receivedAt") != "" {
			status = "ACCEPTED" // the format's default
		}
		r = map[string]any{"uid": "h/" + from["agency"].(string) + "/" + str(m, "handoverId"), "from": from, "to": orNil(l.caseRef(obj(m, "to"), src)), "kind": m["kind"], "status": status, "reason": m["reason"]}
	case "decision":
		r = map[string]any{"uid": "d/" + sa + "/" + str(m, "decisionId"), "case": l.caseRef(obj(m, "case"), src), "person": orNil(l.personRef(obj(m, "person"), src)), "kind": m["kind"], "subtype": m["subtype"], "decidedAt": nilIfEmpty(m["decidedAt"])}
	case "measure":
		r = map[string]any{"uid": "m/" + sa + "/" + str(m, "measureId"), "case": l.caseRef(obj(m, "case"), src), "person": l.personRef(obj(m, "person"), src), "kind": m["kind"], "from": nilIfEmpty(m["from"]), "to": nilIfEmpty(m["to"])}
	case "judgment":
		r = map[string]any{"uid": "j/" + sa + "/" + str(m, "judgmentId"), "case": l.caseRef(obj(m, "case"), src), "person": l.personRef(obj(m, "person"), src), "verdict": m["verdict"], "termMonths": m["termMonths"], "fine": m["fine"], "decidedAt": nilIfEmpty(m["decidedAt"])}
	case "location":
		r = map[string]any{"uid": "l/" + sa + "/" + str(m, "locationId"), "address": m["address"], "district": m["district"], "lat": m["lat"], "lon": m["lon"]}
	case "object":
		r = map[string]any{"uid": "o/" + str(m, "kind") + "/" + str(m, "value"), "kind": m["kind"], "value": m["value"]}
	case "link":
		fl, fu := l.endpoint(obj(m, "from"), src)
		tl, tu := l.endpoint(obj(m, "to"), src)
		typ = str(m, "kind") + ":" + fl + ":" + tl
		if !linkLabels[typ] {
			return
		}
		r = map[string]any{"from": fu, "to": tu}
	default:
		return
	}
	l.rows[typ] = append(l.rows[typ], r)
	l.n++
}

func (l *loader) flush(ctx context.Context, d neo4j.DriverWithContext) error {
	if l.n == 0 {
		return nil
	}
	s := d.NewSession(ctx, neo4j.SessionConfig{DatabaseName: "neo4j"})
	defer s.Close(ctx)
	_, err := s.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		run := func(q string, rows []map[string]any) error {
			res, err := tx.Run(ctx, q, map[string]any{"rows": rows})
			if err == nil {
				_, err = res.Consume(ctx)
			}
			return err
		}
		for _, t := range baselineOrder {
			if rows := l.rows[t]; len(rows) > 0 {
				if err := run(baselineStatements[t], rows); err != nil {
					return nil, fmt.Errorf("%s: %w", t, err)
				}
			}
		}
		for key, rows := range l.rows {
			if linkLabels[key] {
				if err := run(linkStatement(key), rows); err != nil {
					return nil, fmt.Errorf("%s: %w", key, err)
				}
			}
		}
		return nil, nil
	})
	l.rows, l.n = map[string][]map[string]any{}, 0
	return err
}

func baseline(ctx context.Context, d neo4j.DriverWithContext, path string, batch int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	l := &loader{agencyKind: map[string]string{}, rows: map[string][]map[string]any{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<21)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		l.add(m)
		if l.n >= batch {
			if err := l.flush(ctx, d); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return l.flush(ctx, d)
}

// orNil sends an absent reference as null (the driver sends a nil map as {}).
func orNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}
