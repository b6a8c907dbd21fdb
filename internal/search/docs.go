package search

import (
	"strconv"
	"time"

	"github.com/casegraph/casegraph"
)

// Doc is a document of the index: a *CaseDoc or a *PersonDoc.
type Doc interface {
	// DocUID is the document's id in the index: the graph uid of the case or
	// person (casegraph's uids carry their type, c/… and p/…, so the two
	// kinds never collide).
	DocUID() string
	fields() map[string]any
}

// CaseDoc is what the index holds of one agency's case record.
type CaseDoc struct {
	UID        string
	CaseNo     string // the agency's number, e.g. a court's 案号 (2024)浙0203刑初123号
	AgencyCode string // 办案机关
	Kind       casegraph.CaseKind
	Stage      casegraph.Stage
	Charges    []string // 罪名 as named, e.g. 盗窃罪
	District   string
	FiledAt    *time.Time // 立案/受理日期, date only
	Title      string
	Summary    string
	Persons    []string // names of the people in the case
	IDNumbers  []string // their 公民身份号码, where known
	Sealed     bool     // 犯罪记录封存: never found by any search
	// ScopeAgencies are the agencies whose users may see the case.
	ScopeAgencies []string
}

// PersonDoc is what the index holds of a person.
type PersonDoc struct {
	UID      string
	Name     string
	IDNumber string
	// Agencies are the agencies that have the person in a case.
	Agencies []string
	// ScopeAgencies are the agencies whose users may see the person.
	ScopeAgencies []string
	Sealed        bool
}

// DocUID implements Doc.
func (d *CaseDoc) DocUID() string { return d.UID }

// DocUID implements Doc.
func (d *PersonDoc) DocUID() string { return d.UID }

func (d *CaseDoc) fields() map[string]any {
	m := map[string]any{
		fType:          TypeCase,
		fUID:           d.UID,
		fCaseNo:        d.CaseNo,
		fAgency:        d.AgencyCode,
		fKind:          string(d.Kind),
		fStage:         string(d.Stage),
		fCharges:       d.Charges,
		fCharge:        d.Charges,
		fDistrict:      d.District,
		fTitle:         d.Title,
		fSummary:       d.Summary,
		fPersons:       d.Persons,
		fIDNumbers:     d.IDNumbers,
		fSealed:        d.Sealed,
		fScopeAgencies: d.ScopeAgencies,
	}
	if d.FiledAt != nil {
		day := d.FiledAt.Format(time.DateOnly)
		m[fFiledAt] = d.FiledAt.UTC()
		m[fFiledDay] = day
		m[fYear] = strconv.Itoa(d.FiledAt.Year())
	}
	return dropEmpty(m)
}

func (d *PersonDoc) fields() map[string]any {
	return dropEmpty(map[string]any{
		fType:          TypePerson,
		fUID:           d.UID,
		fName:          d.Name,
		fNameExact:     d.Name,
		fIDNumber:      d.IDNumber,
		fAgencies:      d.Agencies,
		fScopeAgencies: d.ScopeAgencies,
		fSealed:        d.Sealed,
	})
}

// dropEmpty removes empty strings and slices: a keyword field indexed with
// "" would be a facet value of its own.
func dropEmpty(m map[string]any) map[string]any {
	for k, v := range m {
		switch v := v.(type) {
		case string:
			if v == "" {
				delete(m, k)
			}
		case []string:
			var keep []string
			for _, s := range v {
				if s != "" {
					keep = append(keep, s)
				}
			}
			if len(keep) == 0 {
				delete(m, k)
			} else {
				m[k] = keep
			}
		}
	}
	return m
}
