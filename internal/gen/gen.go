// Package gen generates deterministic synthetic case data in the canonical
// ingest format (internal/ingest, docs/ingest.md), streamed, at any size.
//
// The data describe the criminal cases of several districts of 宁波市: per
// district a police sub-bureau (公安分局), a district procuratorate (人民检察院)
// and a basic court (基层人民法院), plus the intermediate court
// (中级人民法院) that hears the appeals. Each police case (刑事案件) is one
// lineage (criminal-procedure.md §2): 警情 → 立案 → 拘留 → 提请批准逮捕
// (a procuratorate arrest-review case, 审查逮捕) → 侦查终结 → 移送审查起诉
// (a procuratorate prosecution case) with up to two rounds of 退回补充侦查 →
// 起诉 or 不起诉 per suspect → 一审 (a court case with a valid 案号) →
// 上诉 or 抗诉 → 二审 at the intermediate court → 维持、改判 or 发回重审. Every
// lineage is cut at Options.End: what happens later is not written, so the
// cases filed last are still running, and handovers sent shortly before End
// are PENDING.
//
// What the records hold:
//
//   - charges: the mix of criminal-procedure.md §4 (weights in charges), 罪名
//     with the 罪 suffix and the 刑法 article, one per suspect and case;
//   - persons: 1–4 suspects per case (co-offender groups of 2–4 who KNOW each
//     other, the group share per charge in charges), victims and witnesses;
//     identity numbers with valid check digits and birth dates (juveniles
//     aged 14–17 at filing, JuvenileRate); a share of persons without identity
//     number (NoIDRate), who carry only a ref and so stay local to each source;
//     repeat offenders (RepeatOffenderRate): the same identity number in
//     several police cases over time;
//   - phones (11-digit mobile numbers) and vehicles (plates such as 浙B12345),
//     used by suspects (USES, OWNS) and involved in cases (INVOLVES); a share
//     of them shared across cases (SharedObjectRate), and repeat offenders
//     mostly keep theirs;
//   - durations within the statutory limits of criminal-procedure.md §1, and
//     a share beyond them (OverdueRate), per period: T15 拘留→提请批准逮捕
//     (7 days, 30 for groups), T16 审查批准逮捕 (7 days), T28 侦查羁押 (3
//     months with the extension), T23 取保候审 (12 months), T35 审查起诉 (one
//     month and 15 days, per round), T38 补充侦查 (one month), T49 一审 (3
//     months), T60 二审 (2 months). Manifest.Overdue counts them per rule;
//   - handovers ARREST_REQUEST, PROSECUTION, SUPPLEMENTARY, RESUBMISSION,
//     INDICTMENT, APPEAL, PROTEST and REMAND; a few REJECTED with a reason
//     (incomplete files, late appeals), a few PENDING at End;
//   - decisions 立案, 批准逮捕/不批准逮捕, 退回补充侦查, 起诉/不起诉 (法定, 酌定,
//     存疑, 附条件), 撤销案件 and 发回重审 rulings; custody measures 拘留, 逮捕,
//     取保候审 and 释放; judgments with terms, fines and probation.
//
// # Invalid records
//
// With Options.InvalidRate, each record but the agency records is, with that
// probability, replaced by a broken variant that the loader must refuse on
// its own (plus its knowledge of the agencies and of the filed dates of cases
// it has loaded). The kind is drawn uniformly among those that apply to the
// record (missing-key and unknown-agency apply to every type, so they are
// the most frequent). The kinds (Manifest.InvalidByReason keys):
//
//   - bad-check-digit: a person reference or person record whose identity
//     number has a wrong check digit (person, party, charge, measure,
//     judgment, link);
//   - impossible-date: a date that does not exist, such as 2023-02-30 or
//     2023-04-31 (case filedAt, person birthDate, incident reportedAt,
//     handover sentAt, decision decidedAt, measure from, judgment decidedAt,
//     link since);
//   - decided-before-filed: a judgment dated before its court case was filed;
//     only judgments whose court case record was written valid, earlier in
//     the stream, are broken this way, so the loader knows the filed date;
//   - unknown-stage: a case whose stage is no stage code of §2.1;
//   - unknown-role: a party whose role is none of SUSPECT, DEFENDANT, VICTIM,
//     WITNESS;
//   - unknown-agency: a record from an agency that is never described (its
//     source.agency), or a handover to one (its to.agency);
//   - bad-court-case-no: a court case number (案号) that does not parse (a
//     two-digit year, a civil type code, no 号, no bracket), in a court case,
//     party, charge, judgment or handover;
//   - missing-key: a required key left out (case caseNo, person name, party
//     person, charge offense, incident incidentNo, handover handoverId,
//     decision decisionId, measure measureId, judgment judgmentId, location
//     locationId, object value, link to).
//
// A broken record is still one JSON line of its type, and its source.recordId
// ends in "~" and the kind (see InvalidReason), so that a loader's rejects can
// be matched with the manifest. Breaking a record never makes another one
// invalid: the records that refer to a broken case or person refer to it by
// its natural key and stay valid. The invalid choices come from a random
// stream of their own, so the output with an InvalidRate differs from the
// output without one only in the broken lines.
//
// # Determinism and memory
//
// The same Options give byte-identical output (math/rand/v2 PCG seeded from
// Options.Seed; no map is iterated to produce output). Memory does not grow
// with Options.Cases: lineages are generated one at a time, and the pools of
// repeat offenders and shared objects and the filter of used identity
// numbers, phones and plates have fixed sizes.
//
// Identity numbers, phone numbers and plates are natural keys shared by every
// source: Options.Prefix namespaces agency codes, record ids and person refs,
// not them. Use another Seed to keep two generated data sets apart.
package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
)

// Options say what to generate. A zero rate takes its default; a negative
// rate means none at all.
type Options struct {
	// Cases is the number of police cases (each may grow an arrest review, a
	// prosecution and court cases).
	Cases int `json:"cases"`
	// Seed selects the data: the same Options give the same bytes.
	Seed uint64 `json:"seed"`
	// InvalidRate is the share (0..1) of records, agency records aside,
	// replaced by an invalid variant.
	InvalidRate float64 `json:"invalidRate"`

	// ArrestRequestRate is the share of police cases in which the police
	// request arrest (提请批准逮捕) of their suspects.
	ArrestRequestRate float64 `json:"arrestRequestRate"`
	// NonArrestRate is the share of suspects reviewed for arrest who are not
	// arrested (不捕率).
	NonArrestRate float64 `json:"nonArrestRate"`
	// ProsecutionTransferRate is the share of police cases, of those whose
	// investigation ended, transferred for prosecution (移送审查起诉); the
	// others are withdrawn (撤销案件).
	ProsecutionTransferRate float64 `json:"prosecutionTransferRate"`
	// SupplementaryRate is the share of prosecution cases returned for
	// supplementary investigation (退回补充侦查) after their first round of
	// review.
	SupplementaryRate float64 `json:"supplementaryRate"`
	// SecondSupplementaryRate is the share of cases returned once that are
	// returned a second time.
	SecondSupplementaryRate float64 `json:"secondSupplementaryRate"`
	// NonProsecutionRate is the share of suspects decided upon who are not
	// prosecuted (不起诉率).
	NonProsecutionRate float64 `json:"nonProsecutionRate"`
	// ConvictionRate is the share of first-instance judgments that find the
	// defendant guilty and punish (the rest: 免予刑事处罚 or 无罪).
	ConvictionRate float64 `json:"convictionRate"`
	// PleaLeniencyRate is the share of prosecuted suspects who plead guilty
	// and accept punishment (认罪认罚).
	PleaLeniencyRate float64 `json:"pleaLeniencyRate"`
	// OverdueRate is the share of statutory periods (see the package
	// documentation) that run beyond their limit.
	OverdueRate float64 `json:"overdueRate"`
	// RepeatOffenderRate is the share of suspect places filled by a person
	// from an earlier police case.
	RepeatOffenderRate float64 `json:"repeatOffenderRate"`
	// JuvenileRate is the share of new suspects aged 14–17 at filing.
	JuvenileRate float64 `json:"juvenileRate"`
	// NoIDRate is the share of new persons without identity number.
	NoIDRate float64 `json:"noIdRate"`
	// SharedObjectRate is the share of phone and vehicle uses that take a
	// phone or vehicle of an earlier case.
	SharedObjectRate float64 `json:"sharedObjectRate"`

	// Districts is the number of districts (1–10, default 6).
	Districts int `json:"districts"`
	// Prefix is prepended to agency codes, record ids and person refs, so
	// that tests can namespace generated data. It may not contain a slash,
	// a space or "~".
	Prefix string `json:"prefix,omitempty"`
	// End is the last day of the data (default 2025-12-31); police cases
	// are filed over the four years up to it. It may not be in the future.
	End time.Time `json:"end"`
}

// Default rates. The source rows are those of
// shared/data/cn-case-stats/spp_spc_case_stats.csv (organ 最高人民检察院
// unless said otherwise); rates the file does not give are assumptions.
const (
	// DefaultArrestRequestRate: row 2022年全年 受理审查逮捕 83.7万人 over row
	// 2022年全年 受理审查起诉 209.2万人 = 0.40 persons reviewed for arrest
	// per person reviewed for prosecution, applied per police case.
	DefaultArrestRequestRate = 0.40
	// DefaultNonArrestRate: row 2024年1-6月 不捕率 34.2%.
	DefaultNonArrestRate = 0.342
	// DefaultProsecutionTransferRate is an assumption (police filing figures
	// are not in the file).
	DefaultProsecutionTransferRate = 0.85
	// DefaultSupplementaryRate is an assumption (退查率 is not in the file).
	DefaultSupplementaryRate = 0.15
	// DefaultSecondSupplementaryRate is an assumption.
	DefaultSecondSupplementaryRate = 0.25
	// DefaultNonProsecutionRate: row 2024年1-6月 不诉率 19.7%.
	DefaultNonProsecutionRate = 0.197
	// DefaultConvictionRate is an assumption: 免予刑事处罚 and 无罪 are about
	// one defendant in a hundred (not in the file).
	DefaultConvictionRate = 0.99
	// DefaultPleaLeniencyRate: row 2024年1-6月 认罪认罚从宽制度适用(审结人数占比)
	// >85%.
	DefaultPleaLeniencyRate = 0.86
	// DefaultOverdueRate is an assumption, high enough that supervision
	// (criminal-procedure.md §5) has cases to find.
	DefaultOverdueRate = 0.05
	// DefaultRepeatOffenderRate is an assumption.
	DefaultRepeatOffenderRate = 0.12
	// DefaultJuvenileRate: about 5% (the file's rows 2023年1-3月 give
	// 未成年 起诉 6200 + 不起诉 8200 of 起诉 30.8万 + 不起诉 12.2万 = 3.3% of
	// the persons decided upon; juveniles are more often not prosecuted).
	DefaultJuvenileRate = 0.05
	// DefaultNoIDRate is an assumption: 10% of persons without identity number.
	DefaultNoIDRate = 0.10
	// DefaultSharedObjectRate is an assumption.
	DefaultSharedObjectRate = 0.05
)

// Rates of the lineage that are not options.
const (
	// appealPlea and appealOther: row 2023年全年 认罪认罚案件一审服判率 96.8%,
	// 高出未适用该制度案件36个百分点 — 3.2% of plea defendants appeal, 39.2%
	// of the others.
	appealPlea  = 0.032
	appealOther = 0.392
	// protestRate: row 2023年全年 对刑事裁判提出抗诉 7876件 over row 2020年全年
	// 审结一审刑事案件 111.6万件 (最高人民法院), the nearest year: 0.7%.
	protestRate = 0.007
	// Assumptions: rejected prosecution transfers (材料不全), late appeals,
	// 改判 and 发回重审 among second-instance outcomes.
	rejectRate    = 0.02
	lateAppeal    = 0.03
	revisedRate   = 0.15
	remandRate    = 0.05
	probationRate = 0.35
	witnessRate   = 0.3
	phoneRate     = 0.85
	vehicleRate   = 0.08
	keepOwnObject = 0.7
	familyRate    = 0.1
)

// DefaultEnd is the default last day of the data.
var DefaultEnd = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

// Defaults returns the options with every default filled in.
func Defaults() Options {
	o, _ := Options{}.WithDefaults()
	return o
}

// WithDefaults returns o with the defaults filled in, or an error that
// says which option is out of range.
func (o Options) WithDefaults() (Options, error) {
	rate := func(name string, p *float64, def float64) error {
		switch {
		case *p == 0:
			*p = def
		case *p < 0:
			*p = 0
		case *p > 1:
			return fmt.Errorf("gen: %s %v is above 1", name, *p)
		}
		return nil
	}
	rates := []struct {
		name string
		p    *float64
		def  float64
	}{
		{"ArrestRequestRate", &o.ArrestRequestRate, DefaultArrestRequestRate},
		{"NonArrestRate", &o.NonArrestRate, DefaultNonArrestRate},
		{"ProsecutionTransferRate", &o.ProsecutionTransferRate, DefaultProsecutionTransferRate},
		{"SupplementaryRate", &o.SupplementaryRate, DefaultSupplementaryRate},
		{"SecondSupplementaryRate", &o.SecondSupplementaryRate, DefaultSecondSupplementaryRate},
		{"NonProsecutionRate", &o.NonProsecutionRate, DefaultNonProsecutionRate},
		{"ConvictionRate", &o.ConvictionRate, DefaultConvictionRate},
		{"PleaLeniencyRate", &o.PleaLeniencyRate, DefaultPleaLeniencyRate},
		{"OverdueRate", &o.OverdueRate, DefaultOverdueRate},
		{"RepeatOffenderRate", &o.RepeatOffenderRate, DefaultRepeatOffenderRate},
		{"JuvenileRate", &o.JuvenileRate, DefaultJuvenileRate},
		{"NoIDRate", &o.NoIDRate, DefaultNoIDRate},
		{"SharedObjectRate", &o.SharedObjectRate, DefaultSharedObjectRate},
		{"InvalidRate", &o.InvalidRate, 0},
	}
	for _, r := range rates {
		if err := rate(r.name, r.p, r.def); err != nil {
			return o, err
		}
	}
	switch {
	case o.Cases < 0:
		return o, fmt.Errorf("gen: Cases %d is negative", o.Cases)
	case o.Districts == 0:
		o.Districts = defaultDistrict
	case o.Districts < 0 || o.Districts > maxDistricts:
		return o, fmt.Errorf("gen: Districts %d: use 1 to %d", o.Districts, maxDistricts)
	}
	if strings.ContainsAny(o.Prefix, "/ ~") {
		return o, fmt.Errorf("gen: Prefix %q contains a slash, a space or ~", o.Prefix)
	}
	if o.End.IsZero() {
		o.End = DefaultEnd
	}
	y, m, d := o.End.Date()
	o.End = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if o.End.After(time.Now()) {
		return o, fmt.Errorf("gen: End %s is in the future; the loader refuses future dates", o.End.Format(time.DateOnly))
	}
	if y < 2000 {
		return o, fmt.Errorf("gen: End %s is before 2000", o.End.Format(time.DateOnly))
	}
	return o, nil
}

// RateNames are the keys of Manifest.Rates: the rate options.
var RateNames = []string{
	"ArrestRequestRate", "NonArrestRate", "ProsecutionTransferRate", "SupplementaryRate",
	"SecondSupplementaryRate", "NonProsecutionRate", "ConvictionRate", "PleaLeniencyRate",
	"OverdueRate", "RepeatOffenderRate", "JuvenileRate", "NoIDRate", "SharedObjectRate",
}

// Rate returns the option of a rate by its name in RateNames.
func (o Options) Rate(name string) float64 {
	switch name {
	case "ArrestRequestRate":
		return o.ArrestRequestRate
	case "NonArrestRate":
		return o.NonArrestRate
	case "ProsecutionTransferRate":
		return o.ProsecutionTransferRate
	case "SupplementaryRate":
		return o.SupplementaryRate
	case "SecondSupplementaryRate":
		return o.SecondSupplementaryRate
	case "NonProsecutionRate":
		return o.NonProsecutionRate
	case "ConvictionRate":
		return o.ConvictionRate
	case "PleaLeniencyRate":
		return o.PleaLeniencyRate
	case "OverdueRate":
		return o.OverdueRate
	case "RepeatOffenderRate":
		return o.RepeatOffenderRate
	case "JuvenileRate":
		return o.JuvenileRate
	case "NoIDRate":
		return o.NoIDRate
	case "SharedObjectRate":
		return o.SharedObjectRate
	}
	return 0
}

// Ratio is a realised rate: Num of Den.
type Ratio struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Value is Num/Den, or 0 when Den is 0.
func (r Ratio) Value() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

func (r *Ratio) add(hit bool) {
	r.Den++
	if hit {
		r.Num++
	}
}

// Manifest counts what a run wrote.
type Manifest struct {
	// Options are the options in effect, defaults filled in.
	Options Options `json:"options"`
	// Records is the number of records (lines) written.
	Records int `json:"records"`
	// ByType counts the records by type, invalid ones included.
	ByType map[string]int `json:"byType"`
	// Invalid counts the invalid records by type.
	Invalid map[string]int `json:"invalid"`
	// InvalidByReason counts the invalid records by kind.
	InvalidByReason map[string]int `json:"invalidByReason"`

	Agencies            int `json:"agencies"`
	Cases               int `json:"cases"`               // case records
	PoliceCases         int `json:"policeCases"`         // 刑事案件 of the police
	ProsecutionCases    int `json:"prosecutionCases"`    // procuratorate cases: arrest reviews and prosecution reviews
	ArrestReviewCases   int `json:"arrestReviewCases"`   // of which 审查逮捕 (刑捕受)
	CourtCases          int `json:"courtCases"`          // court cases: first instance, second instance, retrials
	SecondInstanceCases int `json:"secondInstanceCases"` // of which 二审 (刑终)
	// Persons is the number of natural persons: distinct person refs.
	Persons int `json:"persons"`

	// Rates holds the realised numerator and denominator of each rate
	// option (keys RateNames), counted over what was written:
	//   - ArrestRequestRate: police cases with an ARREST_REQUEST handover / police cases;
	//   - NonArrestRate: DENY_ARREST / (APPROVE_ARREST + DENY_ARREST) decisions;
	//   - ProsecutionTransferRate: police cases with a PROSECUTION handover /
	//     (those + police cases with a WITHDRAW_CASE decision);
	//   - SupplementaryRate: prosecution cases returned after their first round /
	//     prosecution cases whose first round ended (a SUPPLEMENTARY handover or
	//     PROSECUTE/NOT_PROSECUTE decisions);
	//   - SecondSupplementaryRate: the same for the second round;
	//   - NonProsecutionRate: NOT_PROSECUTE / (PROSECUTE + NOT_PROSECUTE) decisions;
	//   - ConvictionRate: GUILTY first-instance (刑初) judgments / first-instance judgments;
	//   - PleaLeniencyRate: PROSECUTE decisions whose basis names 认罪认罚 / PROSECUTE decisions;
	//   - OverdueRate: periods beyond their limit / periods that ended (see Overdue);
	//   - RepeatOffenderRate: suspect places of police cases taken by a person of an
	//     earlier police case / suspect places;
	//   - JuvenileRate: new suspects aged 14–17 at filing / new suspects;
	//   - NoIDRate: persons without identity number / persons;
	//   - SharedObjectRate: phone and vehicle uses taken from the pool of earlier
	//     cases / phone and vehicle uses, repeat offenders' own objects aside
	//     (OwnObjectReuses).
	Rates map[string]Ratio `json:"rates"`
	// Overdue holds, per rule of criminal-procedure.md §1 (T15, T16, T23,
	// T28, T35, T38, T49, T60), the periods beyond the limit of the periods
	// that ended.
	Overdue map[string]Ratio `json:"overdue"`
	// OwnObjectReuses counts the phones and vehicles repeat offenders
	// brought from their earlier case.
	OwnObjectReuses int `json:"ownObjectReuses"`
	// Handovers counts handovers by kind.
	Handovers         map[string]int `json:"handovers"`
	PendingHandovers  int            `json:"pendingHandovers"`
	RejectedHandovers int            `json:"rejectedHandovers"`
	// CoOffenderCases counts police cases with 2–4 suspects.
	CoOffenderCases int `json:"coOffenderCases"`
	// Appeals counts APPEAL and PROTEST handovers that reached a second instance.
	Appeals int `json:"appeals"`
}

// Reasons of invalid records (Manifest.InvalidByReason keys); see the
// package documentation.
const (
	ReasonCheckDigit         = "bad-check-digit"
	ReasonImpossibleDate     = "impossible-date"
	ReasonDecidedBeforeFiled = "decided-before-filed"
	ReasonUnknownStage       = "unknown-stage"
	ReasonUnknownRole        = "unknown-role"
	ReasonUnknownAgency      = "unknown-agency"
	ReasonBadCourtCaseNo     = "bad-court-case-no"
	ReasonMissingKey         = "missing-key"
)

// Reasons lists the kinds of invalid records.
var Reasons = []string{
	ReasonCheckDigit, ReasonImpossibleDate, ReasonDecidedBeforeFiled, ReasonUnknownStage,
	ReasonUnknownRole, ReasonUnknownAgency, ReasonBadCourtCaseNo, ReasonMissingKey,
}

// InvalidMarker ends the source.recordId of an invalid record, followed by
// the reason.
const InvalidMarker = "~"

// InvalidReason returns the reason an invalid record's source.recordId
// carries, and false for a valid record.
func InvalidReason(recordID string) (string, bool) {
	i := strings.LastIndex(recordID, InvalidMarker)
	if i < 0 {
		return "", false
	}
	return recordID[i+len(InvalidMarker):], true
}

// Generate writes the records of opts to enc, flushes it and returns the
// manifest.
func Generate(opts Options, enc *ingest.Encoder) (Manifest, error) {
	m, err := GenerateFunc(opts, enc.Encode)
	if err != nil {
		return m, err
	}
	return m, enc.Flush()
}

// GenerateFunc passes each record of opts to sink, in order: a pointer to
// one of the record types of internal/ingest, or, for an invalid record
// with a missing key, its JSON as a json.RawMessage. It stops at the first
// error of sink.
func GenerateFunc(opts Options, sink func(body any) error) (Manifest, error) {
	o, err := opts.WithDefaults()
	if err != nil {
		return Manifest{}, err
	}
	g := newGenerator(o, sink)
	if err := g.run(); err != nil {
		return *g.m, err
	}
	g.m.Persons = g.personSerial
	return *g.m, nil
}

// agency is one generated agency.
type agency struct {
	code, name, kind, region string
	system                   string
	abbr                     string // 文号 abbreviation
	court                    string // 案号 court code (courts)
	dist                     *district
	idx                      int
}

// Systems of the three branches.
const (
	systemPolice = "police-cms"
	systemPros   = "tyyw" // 统一业务应用系统
	systemCourt  = "court-trial"
)

type generator struct {
	o    Options
	r    *rand.Rand // the data
	ri   *rand.Rand // the invalid choices
	sink func(any) error
	m    *Manifest

	start, end day
	police     []*agency
	pros       []*agency
	courts     []*agency
	mid        *agency
	unknown    []string

	counters     map[counterKey]int
	serial       [len13]int
	personSerial int
	seen         *bloom
	offenders    *ring[offender]
	phones       *ring[pooled]
	vehicles     *ring[pooled]

	l          lineage // the lineage being generated, reused
	lastBroken bool    // whether put broke the last record
}

const len13 = 13

// counterKey numbers documents per agency, year and kind.
type counterKey struct {
	agency, period int
	kind           byte
}

func newGenerator(o Options, sink func(any) error) *generator {
	g := &generator{
		o:    o,
		r:    rand.New(rand.NewPCG(o.Seed, 0x63617365677261)), // "casegra"
		ri:   rand.New(rand.NewPCG(o.Seed, 0x696e76616c6964)), // "invalid"
		sink: sink,
		m: &Manifest{
			Options: o, ByType: map[string]int{}, Invalid: map[string]int{}, InvalidByReason: map[string]int{},
			Rates: map[string]Ratio{}, Overdue: map[string]Ratio{}, Handovers: map[string]int{},
		},
		end:       dayOf(o.End),
		counters:  map[counterKey]int{},
		seen:      newBloom(),
		offenders: newRing[offender](4096),
		phones:    newRing[pooled](4096),
		vehicles:  newRing[pooled](2048),
	}
	g.start = addMonths(g.end, -48) + 1
	for _, c := range unknownAgencies {
		g.unknown = append(g.unknown, o.Prefix+c)
	}
	for _, name := range RateNames {
		g.m.Rates[name] = Ratio{}
	}
	return g
}

func (g *generator) run() error {
	if err := g.agencies(); err != nil {
		return err
	}
	span := int64(g.end - g.start + 1)
	for i := 0; i < g.o.Cases; i++ {
		filed := g.start + day(int64(i)*span/int64(g.o.Cases))
		if err := g.lineage(filed); err != nil {
			return err
		}
	}
	return nil
}

// agencies writes the agency records: per district a police sub-bureau, a
// procuratorate and a basic court, then the intermediate court.
func (g *generator) agencies() error {
	at := g.start.at(8 * 60)
	add := func(a *agency) error {
		g.m.Agencies++
		return g.put(&ingest.Agency{
			Envelope: ingest.Envelope{Type: ingest.TypeAgency, Source: ingest.Source{
				Agency: a.code, System: a.system, RecordID: g.o.Prefix + "agency-" + a.code, At: at}},
			Code: a.code, Name: a.name, Kind: a.kind, Region: a.region,
		}, bctx{})
	}
	for i := 0; i < g.o.Districts; i++ {
		d := &districts[i]
		short := strings.TrimRight(d.name, "区")
		var police, pros, court string
		if d.kind == 'D' {
			police = cityPoliceName + short + "分局"
			pros = cityName + d.name + "人民检察院"
			court = cityName + d.name + "人民法院"
		} else {
			police = d.name + "公安局"
			pros = d.name + "人民检察院"
			court = d.name + "人民法院"
		}
		p := &agency{code: g.o.Prefix + d.code + "GA", name: police, kind: "POLICE", region: d.code, system: systemPolice, abbr: d.abbr, dist: d, idx: 3 * i}
		j := &agency{code: g.o.Prefix + d.code + "JC", name: pros, kind: "PROCURATORATE", region: d.code, system: systemPros, abbr: d.abbr, dist: d, idx: 3*i + 1}
		c := &agency{code: g.o.Prefix + d.code + "FY", name: court, kind: "COURT", region: d.code, system: systemCourt, abbr: d.abbr, court: provinceCourt + d.code[2:], dist: d, idx: 3*i + 2}
		g.police, g.pros, g.courts = append(g.police, p), append(g.pros, j), append(g.courts, c)
		for _, a := range []*agency{p, j, c} {
			if err := add(a); err != nil {
				return err
			}
		}
	}
	g.mid = &agency{code: g.o.Prefix + cityRegion + "FY", name: cityCourtName, kind: "COURT", region: cityRegion,
		system: systemCourt, abbr: cityCourtAbbr, court: cityCourtCode, idx: 3 * maxDistricts}
	return add(g.mid)
}

// typeIndex numbers the record types for record ids.
func typeIndex(typ string) int {
	for i, t := range ingest.Types {
		if t == typ {
			return i
		}
	}
	panic("gen: unknown type " + typ)
}

var recordAbbr = [len13]string{"ag", "case", "per", "pty", "chg", "inc", "ho", "dec", "msr", "jdg", "loc", "obj", "lnk"}

// env returns the envelope of a new record of a, at minute min of day d.
func (g *generator) env(typ string, a *agency, d day, min int) ingest.Envelope {
	i := typeIndex(typ)
	g.serial[i]++
	return ingest.Envelope{Type: typ, Source: ingest.Source{
		Agency: a.code, System: a.system,
		RecordID: g.o.Prefix + recordAbbr[i] + "-" + strconv.Itoa(g.serial[i]),
		At:       d.at(min),
	}}
}

// bctx is what breaking a record needs to know beyond the record.
type bctx struct {
	court  bool // the record's case, or the handover's receiving case, is a court case
	caseOK bool // a judgment's court case record was written valid
	filed  day  // a judgment's court case filed day
}

// put counts a record, breaks it with probability InvalidRate, and passes
// it on.
func (g *generator) put(body any, c bctx) error {
	env := envelopeOf(body)
	typ := env.Type
	g.m.Records++
	g.m.ByType[typ]++
	g.lastBroken = false
	if typ != ingest.TypeAgency && g.o.InvalidRate > 0 && g.ri.Float64() < g.o.InvalidRate {
		out, reason, err := g.breakRecord(body, c)
		if err != nil {
			return err
		}
		g.m.Invalid[typ]++
		g.m.InvalidByReason[reason]++
		g.lastBroken = true
		body = out
	}
	return g.sink(body)
}

func envelopeOf(body any) *ingest.Envelope {
	switch b := body.(type) {
	case *ingest.Agency:
		return &b.Envelope
	case *ingest.Case:
		return &b.Envelope
	case *ingest.Person:
		return &b.Envelope
	case *ingest.Party:
		return &b.Envelope
	case *ingest.Charge:
		return &b.Envelope
	case *ingest.Incident:
		return &b.Envelope
	case *ingest.Handover:
		return &b.Envelope
	case *ingest.Decision:
		return &b.Envelope
	case *ingest.Measure:
		return &b.Envelope
	case *ingest.Judgment:
		return &b.Envelope
	case *ingest.Location:
		return &b.Envelope
	case *ingest.Object:
		return &b.Envelope
	case *ingest.Link:
		return &b.Envelope
	}
	panic(fmt.Sprintf("gen: %T is not a record", body))
}

// dropKey returns the JSON of body without its top-level key.
func dropKey(body any, key string) (json.RawMessage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if _, ok := m[key]; !ok {
		return nil, errors.New("gen: no key " + key + " to drop")
	}
	delete(m, key)
	return json.Marshal(m) // sorted keys: deterministic
}
