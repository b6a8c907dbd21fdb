package synth

import (
	"math/rand/v2"

	"github.com/casegraph/casegraph/internal/ingest"
)

// Reasons an invalid record is invalid. Each breaks a record on its own, so
// that the loader refuses exactly the records counted in the manifest.
const (
	BadStage       = "unknown stage"
	BadDate        = "impossible date"
	MissingCaseNo  = "missing case number"
	BadCheckDigit  = "identity number check digit"
	BadRole        = "unknown role"
	MissingOffense = "missing offense"
	BadVerdict     = "unknown verdict"
	UnknownAgency  = "unknown agency"
	BadDecision    = "unknown decision kind"
	BadMeasure     = "unknown custody measure"
	BadObjectKind  = "unknown object kind"
	BadLinkKind    = "unknown link kind"
	BadCourtNo     = "court case number that does not parse"
)

// breakRecord turns body into an invalid record and says how; "" when it
// has no way to break this body.
func breakRecord(body any, r *rand.Rand) string {
	switch b := body.(type) {
	case *ingest.Case:
		switch r.IntN(3) {
		case 0:
			b.Stage = "SOMEWHERE"
			return BadStage
		case 1:
			b.FiledAt = "2023-02-30"
			return BadDate
		default:
			if len(b.CaseNo) > 0 && (b.CaseNo[0] == '(') {
				b.CaseNo = "刑初" + b.CaseNo
				return BadCourtNo
			}
			b.CaseNo = ""
			return MissingCaseNo
		}
	case *ingest.Person:
		if n := len(b.IDNumber); n == 18 {
			last := b.IDNumber[17]
			repl := byte('0')
			if last == '0' {
				repl = '1'
			}
			b.IDNumber = b.IDNumber[:17] + string(repl)
			return BadCheckDigit
		}
		b.BirthDate = "1990-13-01"
		return BadDate
	case *ingest.Party:
		b.Role = "BYSTANDER"
		return BadRole
	case *ingest.Charge:
		b.Offense = ""
		return MissingOffense
	case *ingest.Judgment:
		b.Verdict = "MAYBE"
		return BadVerdict
	case *ingest.Handover:
		if b.To != nil {
			to := *b.To
			to.Agency = "NO-SUCH-AGENCY"
			b.To = &to
			return UnknownAgency
		}
	case *ingest.Decision:
		b.Kind = "MAYBE_DECIDE"
		return BadDecision
	case *ingest.Measure:
		b.Kind = "软禁"
		return BadMeasure
	case *ingest.Incident:
		b.ReportedAt = "2023-02-30"
		return BadDate
	case *ingest.Object:
		b.Kind = "SPACESHIP"
		return BadObjectKind
	case *ingest.Link:
		b.Kind = "LOVES"
		return BadLinkKind
	}
	return ""
}
