package ident

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// IDNumber is a parsed resident identity number (公民身份号码) in the
// 18-character form of GB 11643-1999.
type IDNumber struct {
	// Number is the 18-character number with an upper-case check digit X.
	Number string
	// Region is the 6-digit address code (地址码), a GB/T 2260 county-level
	// administrative division code.
	Region string
	// BirthDate is the birth date (出生日期码) at midnight UTC. Only its
	// year, month and day are meaningful.
	BirthDate time.Time
	// Gender is "M" (male, 男) when the 17th digit is odd and "F" (female, 女)
	// when it is even.
	Gender string
}

// String returns the number.
func (n IDNumber) String() string { return n.Number }

// Province returns the 2-digit province-level part of the region code,
// such as "33" for 浙江省.
func (n IDNumber) Province() string {
	if len(n.Region) < 2 {
		return ""
	}
	return n.Region[:2]
}

// Sequence returns the 3-digit sequence code (顺序码), positions 15–17.
func (n IDNumber) Sequence() string {
	if len(n.Number) < 17 {
		return ""
	}
	return n.Number[14:17]
}

const idField = "idNumber"

// idWeights are the ISO 7064 MOD 11-2 weights 2^(17−i) mod 11 for i = 0..16.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum modulo 11 to the check character.
const idCheck = "10X98765432"

// provinces are the province-level codes of GB/T 2260: the only valid first
// two digits of an address code.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, // 北京 天津 河北 山西 内蒙古
	"21": true, "22": true, "23": true, // 辽宁 吉林 黑龙江
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true, // 上海 江苏 浙江 安徽 福建 江西 山东
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true, // 河南 湖北 湖南 广东 广西 海南
	"50": true, "51": true, "52": true, "53": true, "54": true, // 重庆 四川 贵州 云南 西藏
	"61": true, "62": true, "63": true, "64": true, "65": true, // 陕西 甘肃 青海 宁夏 新疆
	"71": true, "81": true, "82": true, // 台湾 香港 澳门
}

const provinceList = "11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81 or 82"

// minBirthYear is the earliest birth year accepted.
const minBirthYear = 1900

// chinaTime is China Standard Time (UTC+8), in which "today" is reckoned
// when deciding whether a date is in the future. A fixed zone needs no
// time zone database.
var chinaTime = time.FixedZone("CST", 8*60*60)

// ParseIDNumber parses and validates an 18-character resident identity
// number (公民身份号码, GB 11643-1999). It checks, in this order: the
// length; that positions 1–17 are ASCII digits and position 18 is a digit or
// X (a lower-case x is accepted and stored as X); that the first two digits
// are a GB/T 2260 province-level code; that positions 7–14 are a real
// calendar date YYYYMMDD, not before 1900 and not after today in China; and
// the ISO 7064 MOD 11-2 check digit. The remaining four digits of the
// address code are not checked against a county table, because codes of
// abolished counties stay valid for life.
//
// A 15-digit first-generation number (GB 11643-1989) is refused with Kind
// KindLegacy; use ConvertLegacyIDNumber to derive its 18-character form.
//
// Every error is an *Error.
func ParseIDNumber(s string) (IDNumber, error) {
	return parseIDNumber(s, time.Now())
}

func parseIDNumber(s string, now time.Time) (IDNumber, error) {
	fail := func(kind Kind, pos int, format string, args ...any) (IDNumber, error) {
		return IDNumber{}, &Error{Field: idField, Value: s, Reason: fmt.Sprintf(format, args...), Kind: kind, Pos: pos}
	}
	if s == "" {
		return fail(KindLength, 0, "is empty; a resident identity number (公民身份号码) has 18 characters")
	}
	if n := utf8.RuneCountInString(s); n != 18 {
		if n == 15 && allDigits(s) {
			return fail(KindLegacy, 0, "is a 15-digit first-generation number (GB 11643-1989); "+
				"ParseIDNumber accepts only the 18-character form: keep the number as written "+
				"and derive the 18-character form with ConvertLegacyIDNumber")
		}
		return fail(KindLength, 0, "has %s; a resident identity number (公民身份号码) has 18", characters(n))
	}
	// The rune count is 18; any multi-byte rune is caught below.
	pos := 0
	for _, r := range s {
		pos++
		if r >= '0' && r <= '9' {
			continue
		}
		if pos == 18 && (r == 'X' || r == 'x') {
			continue
		}
		return fail(KindCharacter, pos, "%s", badIDChar(r, pos))
	}
	number := s
	if s[17] == 'x' {
		number = s[:17] + "X"
	}
	id, err := idFields(number, 14, now)
	if err != nil {
		err.Value = s
		return IDNumber{}, err
	}
	want := idCheck[weightedSum(number[:17])%11]
	if number[17] != want {
		return fail(KindCheckDigit, 18, "fails its check digit (expected %c)", want)
	}
	return id, nil
}

// badIDChar describes an unexpected character r at 1-based position pos.
func badIDChar(r rune, pos int) string {
	allowed := "positions 1–17 must be digits 0–9"
	if pos == 18 {
		allowed = "the check digit at position 18 must be 0–9 or X"
	}
	switch {
	case r >= '０' && r <= '９':
		return fmt.Sprintf("has the full-width digit %s at position %d; %s in ASCII", quoteRune(r), pos, allowed)
	case (r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ') && pos != 18:
		return fmt.Sprintf("has %s at position %d; X may only be the check digit, at position 18, and %s", quoteRune(r), pos, allowed)
	case r == 'Ｘ' || r == 'ｘ':
		return fmt.Sprintf("has the full-width %s at position %d; %s in ASCII", quoteRune(r), pos, allowed)
	}
	return fmt.Sprintf("has %s at position %d; %s", quoteRune(r), pos, allowed)
}

// idFields validates the region and birth date of an all-ASCII number whose
// birth date ends at byte dateEnd (14 for YYYYMMDD at positions 7–14, 12 for
// the YYMMDD of first-generation numbers) and returns the parsed fields. The gender digit
// is the one just before the check digit, or the last digit when there is
// none. The check digit itself is not checked.
func idFields(number string, dateEnd int, now time.Time) (IDNumber, *Error) {
	fail := func(kind Kind, pos int, format string, args ...any) (IDNumber, *Error) {
		return IDNumber{}, &Error{Field: idField, Value: number, Reason: fmt.Sprintf(format, args...), Kind: kind, Pos: pos}
	}
	region := number[:6]
	if !provinces[region[:2]] {
		return fail(KindRegion, 1, "has region code %s whose first two digits %s are not a province-level code of GB/T 2260 (valid: %s)",
			region, region[:2], provinceList)
	}
	date := number[6:dateEnd]
	var year int
	var rest string
	if len(date) == 8 {
		year = atoi(date[:4])
		rest = date[4:]
	} else {
		year = 1900 + atoi(date[:2])
		rest = date[2:]
	}
	month, day := atoi(rest[:2]), atoi(rest[2:])
	where := fmt.Sprintf("birth date %s (positions 7–%d)", date, dateEnd)
	if month < 1 || month > 12 {
		return fail(KindBirthDate, 7, "has %s, which is not a calendar date: there is no month %02d", where, month)
	}
	if dim := daysIn(year, time.Month(month)); day < 1 || day > dim {
		return fail(KindBirthDate, 7, "has %s, which is not a calendar date: %s %d has %d days",
			where, time.Month(month), year, dim)
	}
	if year < minBirthYear {
		return fail(KindBirthDate, 7, "has %s, which is before %d", where, minBirthYear)
	}
	ty, tm, td := now.In(chinaTime).Date()
	if year > ty || year == ty && (month > int(tm) || month == int(tm) && day > td) {
		return fail(KindBirthDate, 7, "has %s, which is in the future", where)
	}
	gender := "F"
	genderDigit := number[dateEnd+2]
	if (genderDigit-'0')%2 == 1 {
		gender = "M"
	}
	return IDNumber{
		Number:    number,
		Region:    region,
		BirthDate: time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC),
		Gender:    gender,
	}, nil
}

// CheckDigit returns the ISO 7064 MOD 11-2 check digit ('0'–'9' or 'X') for
// the first 17 digits of an 18-character resident identity number. It checks
// only that first17 is 17 ASCII digits; every error is an *Error.
func CheckDigit(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, &Error{Field: idField, Value: first17, Kind: KindLength,
			Reason: fmt.Sprintf("has %s; a check digit is computed from exactly 17 digits", characters(n))}
	}
	pos := 0
	for _, r := range first17 {
		pos++
		if r < '0' || r > '9' {
			return 0, &Error{Field: idField, Value: first17, Kind: KindCharacter, Pos: pos,
				Reason: fmt.Sprintf("has %s at position %d; a check digit is computed from the digits 0–9 only", quoteRune(r), pos)}
		}
	}
	return idCheck[weightedSum(first17)%11], nil
}

// ConvertLegacyIDNumber derives the 18-character form of a 15-digit
// first-generation resident identity number (GB 11643-1989: 6-digit address
// code, 6-digit birth date YYMMDD without the century, 3-digit sequence
// code, no check digit) by inserting "19" before the birth date and
// appending the check digit. This is common practice rather than a
// normative rule, so keep the 15-digit number as written and store the
// derived one beside it. The region and birth date are validated as in
// ParseIDNumber; the gender comes from the 15th digit. Every error is an
// *Error.
func ConvertLegacyIDNumber(s string) (IDNumber, error) {
	return convertLegacyIDNumber(s, time.Now())
}

func convertLegacyIDNumber(s string, now time.Time) (IDNumber, error) {
	fail := func(kind Kind, pos int, format string, args ...any) (IDNumber, error) {
		return IDNumber{}, &Error{Field: idField, Value: s, Reason: fmt.Sprintf(format, args...), Kind: kind, Pos: pos}
	}
	if n := utf8.RuneCountInString(s); n != 15 {
		return fail(KindLength, 0, "has %s; a first-generation identity number (GB 11643-1989) has 15 digits", characters(n))
	}
	pos := 0
	for _, r := range s {
		pos++
		if r < '0' || r > '9' {
			return fail(KindCharacter, pos, "has %s at position %d; a first-generation identity number has only the digits 0–9", quoteRune(r), pos)
		}
	}
	if _, err := idFields(s, 12, now); err != nil {
		err.Value = s
		return IDNumber{}, err
	}
	first17 := s[:6] + "19" + s[6:]
	return parseIDNumber(first17+string(idCheck[weightedSum(first17)%11]), now)
}

// weightedSum returns Σ Ai·Wi over 17 ASCII digits.
func weightedSum(first17 string) int {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return sum
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// characters returns "1 character" or "n characters".
func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return fmt.Sprintf("%d characters", n)
}

// atoi converts a short string of ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// daysIn returns the number of days in the month of the proleptic Gregorian year.
func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
