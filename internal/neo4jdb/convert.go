package neo4jdb

import (
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/casegraph/casegraph"
)

// Property helpers: nodes come back as maps of properties whose absent keys
// read as zero values.

func str(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

func boolean(props map[string]any, key string) bool {
	b, _ := props[key].(bool)
	return b
}

func date(props map[string]any, key string) *time.Time {
	switch v := props[key].(type) {
	case dbtype.Date:
		t := v.Time()
		return &t
	case time.Time:
		t := time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
		return &t
	}
	return nil
}

func datetime(props map[string]any, key string) time.Time {
	switch v := props[key].(type) {
	case time.Time:
		return v
	case dbtype.LocalDateTime:
		return v.Time()
	}
	return time.Time{}
}

// dateParam turns an optional date into a Cypher Date parameter or nil.
func dateParam(t *time.Time) any {
	if t == nil {
		return nil
	}
	return neo4j.DateOf(*t)
}

func caseFromProps(p map[string]any) casegraph.Case {
	return casegraph.Case{
		UID:        str(p, "uid"),
		AgencyCode: str(p, "agencyCode"),
		CaseNo:     str(p, "caseNo"),
		Kind:       casegraph.CaseKind(str(p, "kind")),
		Title:      str(p, "title"),
		Summary:    str(p, "summary"),
		Stage:      casegraph.Stage(str(p, "stage")),
		FiledAt:    date(p, "filedAt"),
		ClosedAt:   date(p, "closedAt"),
		District:   str(p, "district"),
		Sealed:     boolean(p, "sealed"),
		UpdatedAt:  datetime(p, "updatedAt"),
	}
}

func personFromProps(p map[string]any) casegraph.Person {
	return casegraph.Person{
		UID:       str(p, "uid"),
		Name:      str(p, "name"),
		IDNumber:  str(p, "idNumber"),
		BirthDate: date(p, "birthDate"),
		Gender:    str(p, "gender"),
		UpdatedAt: datetime(p, "updatedAt"),
	}
}

func agencyFromProps(p map[string]any) casegraph.Agency {
	return casegraph.Agency{
		Code:   str(p, "code"),
		Name:   str(p, "name"),
		Kind:   casegraph.AgencyKind(str(p, "kind")),
		Region: str(p, "region"),
	}
}

func offenseFromProps(p map[string]any) casegraph.Offense {
	return casegraph.Offense{Code: str(p, "code"), Name: str(p, "name"), Article: str(p, "article")}
}

// props returns the properties of a node value, or nil.
func props(v any) map[string]any {
	if n, ok := v.(dbtype.Node); ok {
		return n.Props
	}
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return nil
}
