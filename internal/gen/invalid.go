package gen

import (
	"strings"

	"github.com/casegraph/casegraph/internal/ingest"
)

// breakRecord replaces body by an invalid variant: it picks one of the
// kinds that apply to the record (see the package documentation), applies
// it and marks the record id. It returns the record to write (body itself,
// changed, or its JSON without a key) and the kind.
func (g *generator) breakRecord(body any, c bctx) (any, string, error) {
	var buf [8]string
	reasons := append(buf[:0], ReasonMissingKey, ReasonUnknownAgency)
	withID := func(r ingest.PersonRef) {
		if r.IDNumber != "" {
			reasons = append(reasons, ReasonCheckDigit)
		}
	}
	switch b := body.(type) {
	case *ingest.Case:
		reasons = append(reasons, ReasonUnknownStage, ReasonImpossibleDate)
		if c.court {
			reasons = append(reasons, ReasonBadCourtCaseNo)
		}
	case *ingest.Person:
		reasons = append(reasons, ReasonImpossibleDate)
		withID(b.PersonRef)
	case *ingest.Party:
		reasons = append(reasons, ReasonUnknownRole)
		withID(b.Person)
		if c.court {
			reasons = append(reasons, ReasonBadCourtCaseNo)
		}
	case *ingest.Charge:
		withID(b.Person)
		if c.court {
			reasons = append(reasons, ReasonBadCourtCaseNo)
		}
	case *ingest.Incident, *ingest.Decision:
		reasons = append(reasons, ReasonImpossibleDate)
	case *ingest.Handover:
		reasons = append(reasons, ReasonImpossibleDate)
		if c.court && b.To != nil {
			reasons = append(reasons, ReasonBadCourtCaseNo)
		}
	case *ingest.Measure:
		reasons = append(reasons, ReasonImpossibleDate)
		withID(b.Person)
	case *ingest.Judgment:
		reasons = append(reasons, ReasonImpossibleDate, ReasonBadCourtCaseNo)
		withID(b.Person)
		if c.caseOK {
			reasons = append(reasons, ReasonDecidedBeforeFiled)
		}
	case *ingest.Link:
		if b.Since != "" {
			reasons = append(reasons, ReasonImpossibleDate)
		}
		for _, e := range []ingest.Endpoint{b.From, b.To} {
			if e.Person != nil && e.Person.IDNumber != "" {
				reasons = append(reasons, ReasonCheckDigit)
				break
			}
		}
	}
	reason := reasons[g.ri.IntN(len(reasons))]
	env := envelopeOf(body)
	env.Source.RecordID += InvalidMarker + reason
	switch reason {
	case ReasonMissingKey:
		out, err := dropKey(body, requiredKey(body))
		return out, reason, err
	case ReasonUnknownAgency:
		code := g.unknown[g.ri.IntN(len(g.unknown))]
		if h, ok := body.(*ingest.Handover); ok && h.To != nil {
			to := *h.To
			to.Agency = code
			h.To = &to
		} else {
			env.Source.Agency = code
		}
	case ReasonUnknownStage:
		body.(*ingest.Case).Stage = badStages[g.ri.IntN(len(badStages))]
	case ReasonUnknownRole:
		body.(*ingest.Party).Role = badRoles[g.ri.IntN(len(badRoles))]
	case ReasonImpossibleDate:
		g.breakDate(body)
	case ReasonDecidedBeforeFiled:
		body.(*ingest.Judgment).DecidedAt = (c.filed - day(g.ri.IntN(60)+1)).String()
	case ReasonCheckDigit:
		g.breakID(body)
	case ReasonBadCourtCaseNo:
		g.breakCourtNo(body)
	}
	return body, reason, nil
}

// requiredKey is the required key a missing-key variant leaves out.
func requiredKey(body any) string {
	switch body.(type) {
	case *ingest.Case:
		return "caseNo"
	case *ingest.Person:
		return "name"
	case *ingest.Party:
		return "person"
	case *ingest.Charge:
		return "offense"
	case *ingest.Incident:
		return "incidentNo"
	case *ingest.Handover:
		return "handoverId"
	case *ingest.Decision:
		return "decisionId"
	case *ingest.Measure:
		return "measureId"
	case *ingest.Judgment:
		return "judgmentId"
	case *ingest.Location:
		return "locationId"
	case *ingest.Object:
		return "value"
	case *ingest.Link:
		return "to"
	}
	panic("gen: no required key for this record")
}

// impossible turns a date (or the date of a timestamp) into one that does
// not exist in the same year: 2023-02-30, 2023-04-31, 2023-13-01 …
func (g *generator) impossible(s string) string {
	variants := [...]string{"-02-30", "-02-31", "-04-31", "-06-31", "-09-31", "-11-31", "-13-01", "-00-10"}
	return s[:4] + variants[g.ri.IntN(len(variants))] + s[10:]
}

func (g *generator) breakDate(body any) {
	switch b := body.(type) {
	case *ingest.Case:
		b.FiledAt = g.impossible(b.FiledAt)
	case *ingest.Person:
		b.BirthDate = g.impossible(b.BirthDate)
	case *ingest.Incident:
		b.ReportedAt = g.impossible(b.ReportedAt)
	case *ingest.Handover:
		b.SentAt = g.impossible(b.SentAt)
	case *ingest.Decision:
		b.DecidedAt = g.impossible(b.DecidedAt)
	case *ingest.Measure:
		b.From = g.impossible(b.From)
	case *ingest.Judgment:
		b.DecidedAt = g.impossible(b.DecidedAt)
	case *ingest.Link:
		b.Since = g.impossible(b.Since)
	}
}

// wrongCheck returns id with another check digit.
func (g *generator) wrongCheck(id string) string {
	const checks = "0123456789X"
	for {
		c := checks[g.ri.IntN(len(checks))]
		if c != id[17] {
			return id[:17] + string(c)
		}
	}
}

func (g *generator) breakID(body any) {
	switch b := body.(type) {
	case *ingest.Person:
		b.IDNumber = g.wrongCheck(b.IDNumber)
	case *ingest.Party:
		b.Person.IDNumber = g.wrongCheck(b.Person.IDNumber)
	case *ingest.Charge:
		b.Person.IDNumber = g.wrongCheck(b.Person.IDNumber)
	case *ingest.Measure:
		b.Person.IDNumber = g.wrongCheck(b.Person.IDNumber)
	case *ingest.Judgment:
		b.Person.IDNumber = g.wrongCheck(b.Person.IDNumber)
	case *ingest.Link:
		for _, e := range []*ingest.Endpoint{&b.From, &b.To} {
			if e.Person != nil && e.Person.IDNumber != "" {
				p := *e.Person
				p.IDNumber = g.wrongCheck(p.IDNumber)
				e.Person = &p
				return
			}
		}
	}
}

// badCourtNo spoils a court case number (案号) so that it no longer parses.
func (g *generator) badCourtNo(no string) string {
	rs := []rune(no)
	switch g.ri.IntN(4) {
	case 0: // a two-digit year: (24)浙0203刑初123号
		return string(rs[:1]) + string(rs[3:])
	case 1: // a civil type code: （2024）浙0203民初123号
		return strings.Replace(no, "刑", "民", 1)
	case 2: // no 号
		return strings.TrimSuffix(no, "号")
	default: // no bracket: 2024浙0203刑初123号
		return string(rs[1:5]) + string(rs[6:])
	}
}

func (g *generator) breakCourtNo(body any) {
	switch b := body.(type) {
	case *ingest.Case:
		b.CaseNo = g.badCourtNo(b.CaseNo)
	case *ingest.Party:
		b.Case.CaseNo = g.badCourtNo(b.Case.CaseNo)
	case *ingest.Charge:
		b.Case.CaseNo = g.badCourtNo(b.Case.CaseNo)
	case *ingest.Judgment:
		b.Case.CaseNo = g.badCourtNo(b.Case.CaseNo)
	case *ingest.Handover:
		to := *b.To
		to.CaseNo = g.badCourtNo(to.CaseNo)
		b.To = &to
	}
}
