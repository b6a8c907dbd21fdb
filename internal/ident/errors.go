package ident

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind says which rule an identifier broke. Callers that need to react to
// one kind of failure use errors.As to get the *Error and compare its Kind.
type Kind int

// The kinds of failure. The first group applies to resident identity
// numbers (公民身份号码), the second to court case numbers (案号);
// KindLength and KindCharacter apply to both.
const (
	// KindLength: the value is empty or has the wrong number of characters.
	KindLength Kind = iota + 1
	// KindCharacter: a character that may not appear at its position.
	KindCharacter
	// KindLegacy: a 15-digit first-generation identity number given where
	// an 18-character one is required.
	KindLegacy
	// KindRegion: the address code (地址码) has no valid province prefix.
	KindRegion
	// KindBirthDate: the birth date code (出生日期码) is not a real date,
	// is in the future, or is before 1900.
	KindBirthDate
	// KindCheckDigit: the check digit (校验码) does not match.
	KindCheckDigit

	// KindBracket: the year is not enclosed in ( ), （ ） or 〔 〕.
	KindBracket
	// KindYear: the year of receipt (收案年度) is not four digits or is out of range.
	KindYear
	// KindCourt: the court code (法院代字) is missing or malformed.
	KindCourt
	// KindType: the type code (类型代字) is missing or not a criminal type code.
	KindType
	// KindSeq: the case sequence number (案件编号) is missing or zero.
	KindSeq
	// KindSyntax: 号 is missing, or text follows the number.
	KindSyntax
	// KindSuffix: the derived-document suffix (之一, 之二 …) is malformed.
	KindSuffix
)

var kindNames = [...]string{
	KindLength:     "length",
	KindCharacter:  "character",
	KindLegacy:     "first-generation number",
	KindRegion:     "region code",
	KindBirthDate:  "birth date",
	KindCheckDigit: "check digit",
	KindBracket:    "bracket",
	KindYear:       "year",
	KindCourt:      "court code",
	KindType:       "type code",
	KindSeq:        "sequence number",
	KindSyntax:     "syntax",
	KindSuffix:     "suffix",
}

// String returns a short English name for the kind, such as "check digit".
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is the error returned by every parser in this package. Its message
// names the identifier, repeats the value and says what is wrong with it, for
// example "idNumber 33020319900101123X fails its check digit (expected 5)".
type Error struct {
	// Field names the identifier: "idNumber" or "caseNo".
	Field string
	// Value is the input exactly as given.
	Value string
	// Reason completes the sentence begun by Field and Value.
	Reason string
	// Kind is the rule that was broken.
	Kind Kind
	// Pos is the 1-based character (rune) position where the offending part
	// starts, or 0 when the fault is with the value as a whole.
	Pos int
}

// maxShownRunes bounds how much of a value an error message repeats.
const maxShownRunes = 48

// Error returns "<Field> <Value> <Reason>". The value is quoted when it is
// empty or contains spaces or unprintable characters, and shortened when long.
func (e *Error) Error() string {
	return e.Field + " " + showValue(e.Value) + " " + e.Reason
}

func showValue(v string) string {
	short := v
	if utf8.RuneCountInString(v) > maxShownRunes {
		n := 0
		for i := range v {
			if n == maxShownRunes {
				short = v[:i] + "…"
				break
			}
			n++
		}
	}
	if v == "" || !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || !unicode.IsPrint(r)
	}) >= 0 {
		return strconv.Quote(short)
	}
	return short
}

// quoteRune shows a single character in a message: 'A', '３', or an escape
// for an unprintable one.
func quoteRune(r rune) string {
	return strconv.QuoteRune(r)
}
