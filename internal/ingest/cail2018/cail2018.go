// Package cail2018 turns the CAIL2018 criminal judgment facts (one JSON
// object per line: fact, meta.accusation, meta.relevant_articles,
// meta.criminals, meta.term_of_imprisonment, meta.punish_of_money) into
// canonical ingest records: the indicting procuratorate and a court, a
// prosecution case handed over (INDICTMENT) to a court case, the
// defendants with their parties, charges and judgments.
//
// The data set names no court, gives no case numbers and no dates; the
// decoder makes deterministic stand-ins for them, described with the whole
// mapping in docs/ingest-adapters.md. Everything a line yields is derived
// from that line alone, so the same file always gives the same records.
package cail2018

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/ingest"
)

// System is the source system of every record.
const System = "cail2018"

// PlaceholderDate stands in for the dates the data set does not have: the
// handover's sentAt and receivedAt and the judgments' decidedAt. It is the
// first day of the month CAIL2018 was published (arXiv:1807.02478, July
// 2018), so every real date it stands for is earlier. Cases get no
// filedAt.
const PlaceholderDate = "2018-07-01"

// At is the source.at of every record: the placeholder date, midnight in
// China.
var At = time.Date(2018, 7, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*60*60))

// CaseYear is the year (收案年度) of the synthetic case numbers.
const CaseYear = 2018

// Marker is the court abbreviation of the synthetic court case numbers and
// the 院简称 of the synthetic procuratorate ones: 法研, from 法研杯, the
// Chinese name of the challenge CAIL2018 was made for. No court uses it.
const Marker = "法研"

// CourtCaseNo is the synthetic court case number (案号) of line n: a
// pre-2016-style number, whose court abbreviation is free text, so that
// ident.ParseCourtCaseNo accepts it (as Legacy) without it pretending to be
// a real court's code: （2018）法研刑初字第17号.
func CourtCaseNo(n int) string {
	return fmt.Sprintf("（%d）%s刑初字第%d号", CaseYear, Marker, n)
}

// ProsecutionCaseNo is the synthetic prosecution case number of line n,
// shaped like an indictment number (起诉书文号): 法研检刑诉〔2018〕17号.
func ProsecutionCaseNo(n int) string {
	return fmt.Sprintf("%s检刑诉〔%d〕%d号", Marker, CaseYear, n)
}

// PersonRef is the source's own id for defendant i (1-based) of line n.
func PersonRef(n, i int) string { return fmt.Sprintf("L%d-D%d", n, i) }

// The agencies of facts that name no procuratorate.
const (
	UnnamedProcuratorate = "未具名检察院（CAIL2018）"
	UnnamedCourt         = "未具名法院（CAIL2018）"
)

// AgencyCode is the code of the agency with this name: "CAIL-" and the
// first 10 hex digits of the SHA-256 of the name, so that the same name in
// many lines is one agency.
func AgencyCode(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "CAIL-" + strings.ToUpper(hex.EncodeToString(sum[:5]))
}

// Stats counts what a decoder did.
type Stats struct {
	Lines    int            // lines read, blank ones included
	Blank    int            // blank lines, skipped
	Rejected int            // lines refused (one Reject item each)
	Valid    int            // lines that became records
	Records  map[string]int // records emitted, by type (ingest.TypeCase …)
	// UnnamedProcuratorate counts valid lines whose fact names no
	// procuratorate (private prosecutions aside); they go to the
	// UnnamedProcuratorate agency and, unless the fact names the court, to
	// UnnamedCourt.
	UnnamedProcuratorate int
	// PrivateProsecutions counts valid lines of 自诉 cases (no procuratorate
	// named, 自诉人 in the fact): a court case only.
	PrivateProsecutions int
	// NamedCourts counts valid lines whose fact begins with the court
	// ("XX中级人民法院审理XX人民检察院指控…").
	NamedCourts int
	// ChargesWithoutArticle counts charges left without an article (see
	// articleFor).
	ChargesWithoutArticle int
}

// Decoder reads CAIL2018 lines. It keeps one line in memory, and the set
// of agency codes it has emitted.
type Decoder struct {
	r     *bufio.Reader
	file  string
	line  int
	seen  map[string]bool
	queue []ingest.Item
	stats Stats
}

// NewDecoder returns a decoder of r; file names r in items and rejects.
// The decoder is a *Decoder (for Stats).
func NewDecoder(r io.Reader, file string) ingest.Decoder { return newDecoder(r, file) }

func newDecoder(r io.Reader, file string) *Decoder {
	return &Decoder{
		r:     bufio.NewReaderSize(r, 64<<10),
		file:  file,
		seen:  map[string]bool{},
		stats: Stats{Records: map[string]int{}},
	}
}

// Stats returns the counts so far.
func (d *Decoder) Stats() Stats {
	s := d.stats
	s.Records = make(map[string]int, len(d.stats.Records))
	for k, v := range d.stats.Records {
		s.Records[k] = v
	}
	return s
}

// Next returns the next record or reject, and io.EOF at the end.
func (d *Decoder) Next() (ingest.Item, error) {
	for len(d.queue) == 0 {
		line, tooLong, err := d.readLine()
		if err != nil {
			return ingest.Item{}, err
		}
		d.line++
		d.stats.Lines++
		if tooLong {
			d.stats.Rejected++
			d.queue = append(d.queue, ingest.Item{File: d.file, Line: d.line, Reject: d.reject("", fmt.Sprintf("line is longer than %d bytes", ingest.MaxLineBytes))})
			continue
		}
		if d.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		recs, rej := d.decodeLine(line)
		switch {
		case rej != nil:
			d.stats.Rejected++
			d.queue = append(d.queue, ingest.Item{File: d.file, Line: d.line, Reject: rej})
		case len(recs) == 0:
			d.stats.Blank++
		default:
			d.stats.Valid++
			for _, rec := range recs {
				d.stats.Records[rec.Type]++
				d.queue = append(d.queue, ingest.Item{File: d.file, Line: d.line, Record: rec})
			}
		}
	}
	item := d.queue[0]
	d.queue[0] = ingest.Item{}
	d.queue = d.queue[1:]
	if len(d.queue) == 0 {
		d.queue = nil
	}
	return item, nil
}

// readLine reads one line without its line end. A line over
// ingest.MaxLineBytes is read to its end and reported as tooLong without
// being kept. At the end it returns io.EOF.
func (d *Decoder) readLine() (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := d.r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > ingest.MaxLineBytes+2 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		if err == io.EOF && len(buf) == 0 && !tooLong {
			return nil, false, io.EOF
		}
		buf = bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
		return buf, tooLong, nil
	}
}

func (d *Decoder) reject(field, reason string) *ingest.Reject {
	return &ingest.Reject{File: d.file, Line: d.line, RecordID: fmt.Sprintf("L%d", d.line), Field: field, Reason: reason}
}

// fact is one line of the data set.
type fact struct {
	Fact *string `json:"fact"`
	Meta *struct {
		Accusation       []string `json:"accusation"`
		RelevantArticles []int    `json:"relevant_articles"`
		Criminals        []string `json:"criminals"`
		Term             *struct {
			Imprisonment     float64 `json:"imprisonment"`
			DeathPenalty     bool    `json:"death_penalty"`
			LifeImprisonment bool    `json:"life_imprisonment"`
		} `json:"term_of_imprisonment"`
		PunishOfMoney float64 `json:"punish_of_money"`
	} `json:"meta"`
}

// decodeLine turns line d.line into records, agency records first for
// agencies not emitted before; a blank line gives neither records nor a
// reject.
func (d *Decoder) decodeLine(line []byte) ([]*ingest.Record, *ingest.Reject) {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, nil
	}
	if !utf8.Valid(line) {
		return nil, d.reject("", fmt.Sprintf("line is not valid UTF-8 (byte %d); convert GBK files first, e.g. iconv -f GBK -t UTF-8", invalidUTF8At(line)+1))
	}
	var f fact
	if err := json.Unmarshal(line, &f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, d.reject("", fmt.Sprintf("malformed JSON: %s at byte %d", se.Error(), se.Offset))
		case errors.As(err, &te) && te.Field == "":
			return nil, d.reject("", "the line is a JSON "+te.Value+", not an object with fact and meta")
		case errors.As(err, &te):
			return nil, d.reject(te.Field, fmt.Sprintf("is a JSON %s, not %s", te.Value, jsonKind(te.Type.String())))
		}
		return nil, d.reject("", "malformed JSON: "+err.Error())
	}

	// Check everything before building anything.
	if f.Fact == nil || strings.TrimSpace(*f.Fact) == "" {
		return nil, d.reject("fact", "missing; every line needs the fact text")
	}
	if f.Meta == nil {
		return nil, d.reject("meta", "missing; every line needs meta with criminals")
	}
	m := f.Meta
	if len(m.Criminals) == 0 {
		return nil, d.reject("meta.criminals", "missing or empty; every line needs at least one defendant")
	}
	names := make([]string, len(m.Criminals))
	for i, c := range m.Criminals {
		names[i] = strings.TrimSpace(c)
		if names[i] == "" {
			return nil, d.reject(fmt.Sprintf("meta.criminals[%d]", i), "is empty; give the defendant's name as the judgment writes it")
		}
	}
	var offenses []string
	for i, a := range m.Accusation {
		o := ingest.OffenseName(a)
		if o == "" || o == "罪" {
			return nil, d.reject(fmt.Sprintf("meta.accusation[%d]", i), "is empty")
		}
		if !containsString(offenses, o) {
			offenses = append(offenses, o)
		}
	}
	var term int
	var life, death bool
	if t := m.Term; t != nil {
		life, death = t.LifeImprisonment, t.DeathPenalty
		switch months := t.Imprisonment; {
		case months != math.Trunc(months) || math.IsInf(months, 0):
			return nil, d.reject("meta.term_of_imprisonment.imprisonment", fmt.Sprintf("%v is not a whole number of months", months))
		case months == -1: // an older CAIL encoding of life imprisonment
			life = true
		case months == -2: // … and of the death penalty
			death = true
		case months < 0 || months > 1e6:
			return nil, d.reject("meta.term_of_imprisonment.imprisonment", fmt.Sprintf("%v months is not a term", months))
		default:
			term = int(months)
		}
	}
	if m.PunishOfMoney < 0 || math.IsInf(m.PunishOfMoney, 0) {
		return nil, d.reject("meta.punish_of_money", fmt.Sprintf("%v is not a fine", m.PunishOfMoney))
	}

	text := strings.TrimSpace(*f.Fact)
	ag := parseAgencies(text)
	n := d.line
	var recs []*ingest.Record
	src := func(agency, id string) ingest.Source {
		return ingest.Source{Agency: agency, System: System, RecordID: fmt.Sprintf("L%d:%s", n, id), At: At}
	}
	agency := func(name, kind, region string) string {
		code := AgencyCode(name)
		if !d.seen[code] {
			d.seen[code] = true
			recs = append(recs, ingest.NewRecord(&ingest.Agency{
				Envelope: ingest.Envelope{Type: ingest.TypeAgency, Source: ingest.Source{Agency: code, System: System, RecordID: "agency:" + code, At: At}},
				Code:     code, Name: name, Kind: kind, Region: region,
			}))
		}
		return code
	}

	private := ag.procuratorate == "" && strings.Contains(text, "自诉人") && !strings.Contains(text, "公诉")
	procName, courtName := ag.procuratorate, ag.court
	if courtName == "" {
		courtName = UnnamedCourt
	}
	if ag.courtNamed {
		d.stats.NamedCourts++
	}
	var procCode string
	switch {
	case private:
		d.stats.PrivateProsecutions++
	case procName == "":
		d.stats.UnnamedProcuratorate++
		procCode = agency(UnnamedProcuratorate, string(casegraph.AgencyProcuratorate), "")
	default:
		procCode = agency(procName, string(casegraph.AgencyProcuratorate), ag.region)
	}
	courtCode := agency(courtName, string(casegraph.AgencyCourt), ag.courtRegion)

	title := strings.Join(offenses, "、")
	courtCase := ingest.CaseRef{Agency: courtCode, CaseNo: CourtCaseNo(n)}
	prosCase := ingest.CaseRef{Agency: procCode, CaseNo: ProsecutionCaseNo(n)}
	if !private {
		recs = append(recs, ingest.NewRecord(&ingest.Case{
			Envelope: ingest.Envelope{Type: ingest.TypeCase, Source: src(procCode, "prosecution-case")},
			CaseRef:  prosCase,
			Title:    title,
			Stage:    string(casegraph.StageIndicted),
		}))
	}
	recs = append(recs, ingest.NewRecord(&ingest.Case{
		Envelope: ingest.Envelope{Type: ingest.TypeCase, Source: src(courtCode, "court-case")},
		CaseRef:  courtCase,
		Title:    title,
		Summary:  text,
		Stage:    string(casegraph.StageFirstInstanceJudged),
	}))
	if !private {
		to := courtCase
		recs = append(recs, ingest.NewRecord(&ingest.Handover{
			Envelope:   ingest.Envelope{Type: ingest.TypeHandover, Source: src(procCode, "handover")},
			HandoverID: fmt.Sprintf("L%d", n),
			Kind:       string(casegraph.HandoverIndictment),
			From:       prosCase,
			To:         &to,
			SentAt:     PlaceholderDate,
			ReceivedAt: PlaceholderDate,
			Status:     "ACCEPTED",
		}))
	}

	listed := distinctArticles(m.RelevantArticles)
	for i, name := range names {
		di := fmt.Sprintf("D%d", i+1)
		person := ingest.PersonRef{Ref: PersonRef(n, i+1), Name: name}
		// Everything about a defendant comes from the court's judgment and
		// has the court as source agency: a person without identity number
		// is local to its source agency (ingest.PersonUID), so this keeps
		// one person node for both cases.
		recs = append(recs, ingest.NewRecord(&ingest.Person{
			Envelope:  ingest.Envelope{Type: ingest.TypePerson, Source: src(courtCode, di+":person")},
			PersonRef: person,
		}))
		if !private {
			recs = append(recs, ingest.NewRecord(&ingest.Party{
				Envelope: ingest.Envelope{Type: ingest.TypeParty, Source: src(courtCode, di+":suspect")},
				Case:     prosCase, Person: person, Role: string(casegraph.RoleSuspect),
			}))
		}
		recs = append(recs, ingest.NewRecord(&ingest.Party{
			Envelope: ingest.Envelope{Type: ingest.TypeParty, Source: src(courtCode, di+":defendant")},
			Case:     courtCase, Person: person, Role: string(casegraph.RoleDefendant),
		}))
		for k, o := range offenses {
			article := articleFor(o, len(offenses), listed)
			if article == "" {
				d.stats.ChargesWithoutArticle++
			}
			recs = append(recs, ingest.NewRecord(&ingest.Charge{
				Envelope: ingest.Envelope{Type: ingest.TypeCharge, Source: src(courtCode, fmt.Sprintf("%s:charge:%d", di, k+1))},
				Case:     courtCase, Person: person, Offense: o, Article: article,
			}))
		}
		recs = append(recs, ingest.NewRecord(&ingest.Judgment{
			Envelope:         ingest.Envelope{Type: ingest.TypeJudgment, Source: src(courtCode, di+":judgment")},
			JudgmentID:       fmt.Sprintf("L%d-%s", n, di),
			Case:             courtCase,
			Person:           person,
			Verdict:          "GUILTY",
			TermMonths:       term,
			LifeImprisonment: life,
			DeathPenalty:     death,
			Fine:             m.PunishOfMoney,
			DecidedAt:        PlaceholderDate,
		}))
	}
	return recs, nil
}

// agencies are the agencies a fact names, or "" when it names none.
type agencies struct {
	procuratorate string // official name, e.g. 北京市通州区人民检察院
	region        string // the place part of it, e.g. 北京市通州区
	court         string // named or derived court name
	courtRegion   string
	courtNamed    bool // the fact names the court
}

var (
	// "云南省昆明市中级人民法院审理昆明市人民检察院指控…" (some second-instance facts)
	leadingCourt = regexp.MustCompile(`^(\p{Han}{2,30}?法院)审理`)
	// "北京市通州区人民检察院指控", "北京市人民检察院第一分院起诉书指控",
	// "云南省人民检察院昆明铁路运输分院指控", "兰州市安宁区检察院起诉书指控",
	// "琼中黎族苗族自治县（以下简称琼中县）人民检察院指控", and masked
	// place names such as "唐山市曹1某甸区人民检察院".
	leadingProcuratorate = regexp.MustCompile(`^([\p{Han}0-9×（）()]{1,40}?检察院)(第[一二三四五六七八九十]+分院|\p{Han}{2,8}?铁路运输分院)?`)
	parenthetical        = regexp.MustCompile(`[（(][^（）()]*[）)]`)
)

// parseAgencies reads the indicting procuratorate from the start of a fact
// and derives the court: the court the fact names, else "<place>人民法院"
// for "<place>人民检察院", "<city>第N中级人民法院" for
// "<city>人民检察院第N分院".
func parseAgencies(text string) agencies {
	var a agencies
	s := strings.TrimPrefix(text, "公诉机关")
	if m := leadingCourt.FindStringSubmatch(s); m != nil && !strings.Contains(m[1], "检察院") {
		a.court = parenthetical.ReplaceAllString(m[1], "")
		a.courtRegion = trimAny(a.court, "中级人民法院", "人民法院", "法院")
		a.courtNamed = true
		s = s[len(m[0]):]
	}
	m := leadingProcuratorate.FindStringSubmatch(s)
	if m == nil {
		return a
	}
	name, branch := m[1], m[2]
	for _, bad := range []string{"被告", "审理", "指控", "查明", "法院", "机关"} {
		if strings.Contains(name, bad) {
			return a
		}
	}
	// What follows must be the indictment: 指控, 起诉(书)指控, 以…起诉书指控 …
	rest := []rune(s[len(m[0]):])
	if len(rest) > 30 {
		rest = rest[:30]
	}
	if !strings.Contains(string(rest), "指控") && !strings.Contains(string(rest), "诉") {
		return a
	}
	place := parenthetical.ReplaceAllString(name, "")
	place = strings.TrimSuffix(strings.TrimSuffix(place, "检察院"), "人民")
	if place == "" || strings.ContainsAny(place, "（）()") {
		return a
	}
	a.procuratorate = place + "人民检察院" + branch
	a.region = place
	if a.court == "" {
		if branch == "" {
			a.court = place + "人民法院"
		} else {
			a.court = place + strings.TrimSuffix(branch, "分院") + "中级人民法院"
		}
		a.courtRegion = place
	}
	return a
}

func trimAny(s string, suffixes ...string) string {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return strings.TrimSuffix(s, x)
		}
	}
	return s
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func jsonKind(goType string) string {
	switch {
	case goType == "string" || goType == "*string":
		return "a string"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}
