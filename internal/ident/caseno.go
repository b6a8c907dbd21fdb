package ident

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// CourtCaseNo is a parsed criminal court case number (案号).
//
// New-style numbers (案号规定, in force 2016-01-01) read
// （收案年度）法院代字[专门审判代字]类型代字案件编号号[之N], for example
// （2024）浙0212刑初123号. Pre-2016 numbers read
// （收案年度）法院简称类型代字字第案件编号号[之N], for example
// （2014）浙甬刑初字第123号, and have Legacy set.
type CourtCaseNo struct {
	// Year is the year of receipt (收案年度).
	Year int
	// Court is the court code (法院代字): "最高法", a 高院 abbreviation such
	// as "浙", or that abbreviation followed by 2 digits (中级法院) or 4 digits
	// (基层法院), such as "浙02" or "浙0212". In a legacy number it is the
	// free-text court abbreviation before the type code, such as "浙甬",
	// and may be empty.
	Court string
	// SpecialTrial is the one-character specialised-trial code (专门审判代字)
	// added in 2018, or "" when there is none. Legacy numbers never have one.
	SpecialTrial string
	// Type is the case type code (类型代字), such as "刑初". In a legacy
	// number it is the text from the last 刑 up to 字第, such as "刑初" or
	// "刑一终".
	Type string
	// Seq is the case sequence number (案件编号) in ASCII digits. Leading
	// zeros are removed, except for 刑核 numbers, whose 8 digits are a
	// fixed-length random number (案号规定 第十条第二款).
	Seq string
	// Suffix marks a derived document, such as "之一", or is "".
	Suffix string
	// Legacy is true for a pre-2016 number with 字第.
	Legacy bool
}

// Proceeding is the kind of criminal proceeding a type code (类型代字) stands for.
type Proceeding int

// The proceedings of the criminal type codes (刑事类型代字).
const (
	ProceedingUnknown  Proceeding = iota
	Jurisdiction                  // 刑辖: 提级管辖 / 指定管辖 (jurisdiction transfer or designation)
	FirstInstance                 // 刑初: 一审 (first instance)
	SecondInstance                // 刑终: 二审 (second instance)
	RetrialReview                 // 刑监, 刑申, 刑抗: 再审审查 (review of whether to retry)
	Retrial                       // 刑再: 再审 (retrial)
	Confiscation                  // 刑没: 没收违法所得 (confiscation of illegal gains)
	SentenceReview                // 刑核: 复核 (death penalty, below-minimum sentence and special parole review)
	CompulsoryMedical             // 刑医, 刑医解, 刑医复, 刑医监: 强制医疗 (compulsory medical treatment)
	StayOfExecution               // 刑止, 刑止调, 刑止核: 停止执行死刑 (stay of a death sentence)
	SentenceChange                // 刑更, 刑更监, 刑更备: 刑罚与执行变更 (commutation, parole, temporary service outside prison)
	OtherCriminal                 // 刑他: 其他刑事案件 (other criminal matters)
	PlacementEducation            // 刑教, 刑教解, 刑教复, 刑教监: 安置教育 (placement education)
	JudicialAid                   // 司救刑: 刑事司法救助 (judicial aid in criminal cases)
)

var proceedingNames = [...]string{
	ProceedingUnknown:  "unknown proceeding",
	Jurisdiction:       "jurisdiction (管辖)",
	FirstInstance:      "first instance (一审)",
	SecondInstance:     "second instance (二审)",
	RetrialReview:      "retrial review (再审审查)",
	Retrial:            "retrial (再审)",
	Confiscation:       "confiscation of illegal gains (没收违法所得)",
	SentenceReview:     "sentence review (复核)",
	CompulsoryMedical:  "compulsory medical treatment (强制医疗)",
	StayOfExecution:    "stay of execution of a death sentence (停止执行死刑)",
	SentenceChange:     "change of sentence or its execution (刑罚与执行变更)",
	OtherCriminal:      "other criminal matter (其他刑事案件)",
	PlacementEducation: "placement education (安置教育)",
	JudicialAid:        "judicial aid (司法救助)",
}

// String returns the English name of the proceeding with the Chinese term,
// such as "first instance (一审)".
func (p Proceeding) String() string {
	if p >= 0 && int(p) < len(proceedingNames) {
		return proceedingNames[p]
	}
	return "Proceeding(" + strconv.Itoa(int(p)) + ")"
}

// CourtLevel is the level of the court a court code (法院代字) designates.
type CourtLevel int

// The court levels, as read from the shape of a new-style court code
// (案号规定 第四条、第五条).
const (
	CourtLevelUnknown CourtLevel = iota // legacy numbers
	SupremeCourt                        // 最高法: 最高人民法院
	HighCourt                           // one character, such as 浙: 高级人民法院 (also 军 and 兵)
	IntermediateCourt                   // character + 2 digits, such as 浙02: 中级人民法院 and special courts 71–99
	BasicCourt                          // character + 4 digits, such as 浙0212: 基层人民法院
)

var courtLevelNames = [...]string{
	CourtLevelUnknown: "unknown court level",
	SupremeCourt:      "supreme court (最高人民法院)",
	HighCourt:         "high court (高级人民法院)",
	IntermediateCourt: "intermediate court (中级人民法院)",
	BasicCourt:        "basic court (基层人民法院)",
}

// String returns the English name of the level with the Chinese term.
func (l CourtLevel) String() string {
	if l >= 0 && int(l) < len(courtLevelNames) {
		return courtLevelNames[l]
	}
	return "CourtLevel(" + strconv.Itoa(int(l)) + ")"
}

// criminalType describes one criminal type code (类型代字).
type criminalType struct {
	code       string
	proceeding Proceeding
	name       string // 案件类型
}

// criminalTypes are the criminal type codes of 《人民法院案件类型及其代字标准》
// (secondary source; the 刑教 family is a later, unverified addition).
var criminalTypes = []criminalType{
	{"刑辖", Jurisdiction, "刑事提级管辖案件、刑事指定管辖案件"},
	{"刑初", FirstInstance, "刑事一审案件"},
	{"刑终", SecondInstance, "刑事二审案件"},
	{"刑监", RetrialReview, "刑事依职权再审审查案件"},
	{"刑申", RetrialReview, "刑事申诉再审审查案件"},
	{"刑抗", RetrialReview, "刑事抗诉再审审查案件"},
	{"刑再", Retrial, "刑事再审案件"},
	{"刑没", Confiscation, "申请没收违法所得案件"},
	{"刑核", SentenceReview, "死刑复核案件、法定刑以下判处刑罚复核案件、特殊假释复核案件"},
	{"刑医", CompulsoryMedical, "申请强制医疗审查案件"},
	{"刑医解", CompulsoryMedical, "解除强制医疗审查案件"},
	{"刑医复", CompulsoryMedical, "强制医疗复议案件"},
	{"刑医监", CompulsoryMedical, "强制医疗监督案件"},
	{"刑止", StayOfExecution, "停止执行死刑请求审查案件、依职权停止执行死刑案件"},
	{"刑止调", StayOfExecution, "停止执行死刑调查案件"},
	{"刑止核", StayOfExecution, "停止执行死刑调查审核案件"},
	{"刑更", SentenceChange, "刑罚与执行变更审查案件"},
	{"刑更监", SentenceChange, "刑罚与执行变更监督案件"},
	{"刑更备", SentenceChange, "刑罚与执行变更备案案件"},
	{"刑他", OtherCriminal, "其他刑事案件"},
	{"刑教", PlacementEducation, "申请安置教育案件"},
	{"刑教解", PlacementEducation, "解除安置教育案件"},
	{"刑教复", PlacementEducation, "安置教育复议案件"},
	{"刑教监", PlacementEducation, "安置教育监督案件"},
	{"司救刑", JudicialAid, "刑事司法救助案件"},
}

var (
	typeByCode    = map[string]criminalType{}
	typeCodeList  string // for error messages
	highCourtList string // for error messages
)

// highCourts are the one-character 高院 codes: the 行政区划简称 of the
// provinces, autonomous regions and municipalities, plus 军 (军事法院) and
// 兵 (新疆生产建设兵团分院) (案号规定 第四条; list unverified against the
// published 法院代字表).
var highCourts = map[rune]bool{}

func init() {
	codes := make([]string, len(criminalTypes))
	for i, t := range criminalTypes {
		typeByCode[t.code] = t
		codes[i] = t.code
	}
	typeCodeList = strings.Join(codes, " ")
	const hc = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新军兵"
	for _, r := range hc {
		highCourts[r] = true
	}
	highCourtList = strings.Join(strings.Split(hc, ""), " ")
}

// Canonical returns the number in the storage form: full-width brackets
// （）, ASCII digits, and leading zeros removed from the sequence number
// (except for 刑核), for example （2024）浙0212刑初123号.
func (c CourtCaseNo) Canonical() string {
	var b strings.Builder
	b.WriteString("（")
	b.WriteString(strconv.Itoa(c.Year))
	b.WriteString("）")
	b.WriteString(c.Court)
	b.WriteString(c.SpecialTrial)
	b.WriteString(c.Type)
	if c.Legacy {
		b.WriteString("字第")
	}
	b.WriteString(c.Seq)
	b.WriteString("号")
	b.WriteString(c.Suffix)
	return b.String()
}

// String returns Canonical().
func (c CourtCaseNo) String() string { return c.Canonical() }

// Proceeding returns the proceeding of the type code, such as FirstInstance
// for 刑初. For a legacy number it is read from the last character of the
// type (初, 终, 核 …) when the type is 刑, an optional tribunal numeral
// (一, 二 …) and that character, and is ProceedingUnknown otherwise.
func (c CourtCaseNo) Proceeding() Proceeding {
	if !c.Legacy {
		return typeByCode[c.Type].proceeding
	}
	rs := []rune(c.Type)
	if len(rs) < 2 || rs[0] != '刑' {
		return ProceedingUnknown
	}
	for _, r := range rs[1 : len(rs)-1] {
		if chineseDigit(r) == 0 {
			return ProceedingUnknown
		}
	}
	switch rs[len(rs)-1] {
	case '初':
		return FirstInstance
	case '终':
		return SecondInstance
	case '核':
		return SentenceReview
	case '监', '申', '抗':
		return RetrialReview
	case '再':
		return Retrial
	case '更':
		return SentenceChange
	}
	return ProceedingUnknown
}

// TypeName returns the case type (案件类型) of a new-style type code, such
// as 刑事一审案件 for 刑初, or "" for a legacy number.
func (c CourtCaseNo) TypeName() string {
	if c.Legacy {
		return ""
	}
	return typeByCode[c.Type].name
}

// CourtLevel returns the level of the court, read from the shape of the
// court code. It is CourtLevelUnknown for legacy numbers.
func (c CourtCaseNo) CourtLevel() CourtLevel {
	if c.Legacy {
		return CourtLevelUnknown
	}
	if c.Court == "最高法" {
		return SupremeCourt
	}
	switch len([]rune(c.Court)) {
	case 1:
		return HighCourt
	case 3:
		return IntermediateCourt
	case 5:
		return BasicCourt
	}
	return CourtLevelUnknown
}

const caseField = "caseNo"

// minCaseYear is the earliest year of receipt accepted: the founding of the
// People's Republic and its people's courts.
const minCaseYear = 1949

// ParseCourtCaseNo parses a criminal court case number (案号) in the form
// of 最高人民法院《关于人民法院案件案号的若干规定》 (法〔2015〕137号, amended by
// 法〔2018〕335号):
//
//	（2024）浙0212刑初123号
//	(2019)京刑终12号
//	〔2019〕最高法刑核01234567号
//	（2018）沪01刑更920号之一
//
// The year may be enclosed in ASCII ( ), full-width （ ） or 〔 〕
// brackets. The court code must be 最高法 or a 高院 abbreviation, optionally
// followed by 2 or 4 digits; the type code must be one of the criminal
// type codes, optionally preceded by a one-character 专门审判代字 (any Han
// character but 刑). The year must be 1949 or later and not after the
// current year in China. Pre-2016 numbers with 字第, such as
// （2014）浙甬刑初字第123号, are accepted as Legacy numbers: their court
// abbreviation is free text and their type is the text from the last 刑,
// which must be present. Digits must be ASCII, and no spaces are allowed.
//
// Every error is an *Error naming the faulty part and its 1-based
// character position.
func ParseCourtCaseNo(s string) (CourtCaseNo, error) {
	return parseCourtCaseNo(s, time.Now())
}

func parseCourtCaseNo(s string, now time.Time) (CourtCaseNo, error) {
	rs := []rune(s)
	// i is the 0-based index into rs; messages report i+1.
	fail := func(kind Kind, i int, format string, args ...any) (CourtCaseNo, error) {
		return CourtCaseNo{}, &Error{Field: caseField, Value: s, Reason: fmt.Sprintf(format, args...), Kind: kind, Pos: i + 1}
	}
	found := func(i int) string {
		if i >= len(rs) {
			return "but the number ends there"
		}
		r := rs[i]
		if r >= '０' && r <= '９' {
			return "found the full-width digit " + quoteRune(r) + " (use ASCII digits)"
		}
		return "found " + quoteRune(r)
	}
	if len(rs) == 0 {
		return CourtCaseNo{}, &Error{Field: caseField, Value: s, Kind: KindLength,
			Reason: "is empty; a court case number (案号) looks like （2024）浙0212刑初123号"}
	}
	var c CourtCaseNo

	// （收案年度）
	if !isOpenBracket(rs[0]) {
		return fail(KindBracket, 0, "must begin with ( （ or 〔 before the year (收案年度) at position 1, %s", found(0))
	}
	i := 1
	j := digitsEnd(rs, i)
	if j-i != 4 {
		if j == i {
			return fail(KindYear, i, "must have the 4-digit year (收案年度) at position %d, %s", i+1, found(i))
		}
		return fail(KindYear, i, "has the %d-digit year %s at position %d; the year of receipt (收案年度) has 4 digits",
			j-i, string(rs[i:j]), i+1)
	}
	c.Year = atoi(string(rs[i:j]))
	if thisYear := now.In(chinaTime).Year(); c.Year < minCaseYear || c.Year > thisYear {
		return fail(KindYear, i, "has the year %d at position %d, outside %d–%d", c.Year, i+1, minCaseYear, thisYear)
	}
	i = j
	if i >= len(rs) || !isCloseBracket(rs[i]) {
		return fail(KindBracket, i, "must close the year with ) ） or 〕 at position %d, %s", i+1, found(i))
	}
	i++

	// The run of Han characters after the year holds the court code, or
	// the court and the type code, or, in a legacy number, both plus 字第.
	runEnd := i
	for runEnd < len(rs) && unicode.Is(unicode.Han, rs[runEnd]) && rs[runEnd] != '号' {
		runEnd++
	}
	run := rs[i:runEnd]
	var typeStart int
	var typ []rune
	switch {
	case len(run) >= 2 && string(run[len(run)-2:]) == "字第":
		c.Legacy = true
		x := run[:len(run)-2]
		k := len(x) - 1
		for k >= 0 && x[k] != '刑' {
			k--
		}
		if k < 0 {
			return fail(KindType, i, "is not a criminal case number: the court and type %q at position %d before 字第 contain no 刑",
				string(x), i+1)
		}
		c.Court, c.Type = string(x[:k]), string(x[k:])
		i = runEnd

	case len(run) == 0:
		return fail(KindCourt, i, "must have the court code (法院代字) at position %d, %s", i+1, found(i))

	case strings.HasPrefix(string(run), "最高法"):
		c.Court = "最高法"
		typeStart, typ = i+3, run[3:]
		if len(typ) == 0 && digitsEnd(rs, runEnd) > runEnd {
			return fail(KindCourt, runEnd, "has digits after the court code 最高法 at position %d; the Supreme People's Court code takes none", runEnd+1)
		}

	case !highCourts[run[0]]:
		return fail(KindCourt, i, "has the court code (法院代字) beginning %s at position %d, which is neither 最高法 nor a 高院 code (%s)",
			quoteRune(run[0]), i+1, highCourtList)

	case len(run) > 1: // 高院: no digits
		c.Court = string(run[0])
		typeStart, typ = i+1, run[1:]

	default: // a court character followed by its digits, then the type code
		c.Court = string(run[0])
		d := runEnd
		e := digitsEnd(rs, d)
		switch e - d {
		case 0:
			// No digits and no type code: reported below as a missing type.
			typeStart = d
		case 2, 4:
			c.Court += string(rs[d:e])
			typeStart = e
			k := e
			for k < len(rs) && unicode.Is(unicode.Han, rs[k]) && rs[k] != '号' {
				k++
			}
			typ = rs[e:k]
		default:
			return fail(KindCourt, d, "has the court code %s%s with %d digits at position %d; an intermediate court (中级法院) has 2 and a basic court (基层法院) has 4",
				c.Court, string(rs[d:e]), e-d, d+1)
		}
	}

	if !c.Legacy {
		if len(typ) == 0 {
			return fail(KindType, typeStart, "must have the criminal type code (类型代字), such as 刑初, at position %d, %s", typeStart+1, found(typeStart))
		}
		special, code, ok := lookupType(typ)
		if !ok {
			t := string(typ)
			if !strings.ContainsRune(t, '刑') {
				return fail(KindType, typeStart, "is not a criminal case number: its type code %q at position %d is not one of the criminal type codes (类型代字) %s",
					t, typeStart+1, typeCodeList)
			}
			return fail(KindType, typeStart, "has the type code %q at position %d, which is not a criminal type code (类型代字); known codes: %s",
				t, typeStart+1, typeCodeList)
		}
		c.SpecialTrial, c.Type = special, code
		i = typeStart + len(typ)
	}

	// 案件编号
	j = digitsEnd(rs, i)
	if j == i {
		return fail(KindSeq, i, "must have the case sequence number (案件编号) at position %d, %s", i+1, found(i))
	}
	seq := string(rs[i:j])
	if strings.Trim(seq, "0") == "" {
		return fail(KindSeq, i, "has the case sequence number %s at position %d; it must be 1 or more", seq, i+1)
	}
	if c.Type != "刑核" {
		seq = strings.TrimLeft(seq, "0")
	}
	c.Seq = seq
	i = j

	// 号
	if i >= len(rs) {
		return fail(KindSyntax, i, "must end the case sequence number with 号 at position %d, but the number ends there", i+1)
	}
	if rs[i] != '号' {
		return fail(KindSyntax, i, "must have 号 after the case sequence number at position %d, %s", i+1, found(i))
	}
	i++

	// 之一, 之二 …
	if i == len(rs) {
		return c, nil
	}
	if rs[i] != '之' {
		return fail(KindSyntax, i, "has unexpected text %q after 号 at position %d; only a suffix such as 之一 may follow", string(rs[i:]), i+1)
	}
	num := string(rs[i+1:])
	if n := chineseNumber(num); n == 0 {
		if num == "" {
			return fail(KindSuffix, i, "has the suffix 之 at position %d without a number; write 之一, 之二 …", i+1)
		}
		return fail(KindSuffix, i, "has the suffix %q at position %d; after 之 write a Chinese number from 一 to 九十九, such as 之一 or 之十二",
			string(rs[i:]), i+1)
	}
	c.Suffix = string(rs[i:])
	return c, nil
}

// lookupType resolves the type run: a criminal type code, or a
// one-character 专门审判代字 other than 刑 followed by one.
func lookupType(typ []rune) (special, code string, ok bool) {
	if _, ok := typeByCode[string(typ)]; ok {
		return "", string(typ), true
	}
	if len(typ) >= 2 && typ[0] != '刑' {
		if _, ok := typeByCode[string(typ[1:])]; ok {
			return string(typ[0]), string(typ[1:]), true
		}
	}
	return "", "", false
}

func isOpenBracket(r rune) bool  { return r == '(' || r == '（' || r == '〔' }
func isCloseBracket(r rune) bool { return r == ')' || r == '）' || r == '〕' }

// digitsEnd returns the index after the run of ASCII digits starting at i.
func digitsEnd(rs []rune, i int) int {
	for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
		i++
	}
	return i
}

// chineseDigit returns the value 1–9 of 一 … 九, or 0.
func chineseDigit(r rune) int {
	for i, d := range []rune("一二三四五六七八九") {
		if r == d {
			return i + 1
		}
	}
	return 0
}

// chineseNumber returns the value of a Chinese number from 一 (1) to 九十九
// (99) in its usual form (十, 十一, 二十, 二十一 …), or 0 if s is not one.
func chineseNumber(s string) int {
	rs := []rune(s)
	switch len(rs) {
	case 1:
		if rs[0] == '十' {
			return 10
		}
		return chineseDigit(rs[0])
	case 2:
		if rs[0] == '十' {
			if d := chineseDigit(rs[1]); d > 0 {
				return 10 + d
			}
		} else if d := chineseDigit(rs[0]); d >= 2 && rs[1] == '十' {
			return 10 * d
		}
	case 3:
		if t, u := chineseDigit(rs[0]), chineseDigit(rs[2]); t >= 2 && rs[1] == '十' && u > 0 {
			return 10*t + u
		}
	}
	return 0
}
