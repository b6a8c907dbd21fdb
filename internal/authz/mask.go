package authz

import (
	"regexp"
	"strings"
)

// MaskIDNumber masks a 公民身份号码: the six-digit region, the last digit
// and the check character stay, as in 330203**********3X. A 15-digit
// number keeps its region and last digit; anything else is masked whole
// but for its first two characters.
func MaskIDNumber(id string) string {
	r := []rune(id)
	switch {
	case len(r) == 18:
		return string(r[:6]) + strings.Repeat("*", 10) + string(r[16:])
	case len(r) == 15:
		return string(r[:6]) + strings.Repeat("*", 8) + string(r[14:])
	case len(r) <= 2:
		return strings.Repeat("*", len(r))
	default:
		return string(r[:2]) + strings.Repeat("*", len(r)-2)
	}
}

// MaskPhone keeps the first three and the last four digits of a mobile
// number (138****5678); shorter numbers keep their last two.
func MaskPhone(p string) string {
	r := []rune(p)
	switch {
	case len(r) >= 11:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) > 2:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	default:
		return strings.Repeat("*", len(r))
	}
}

// MaskAddress keeps the administrative part of an address (up to and
// including the first 区, 县 or 市 after the start) and masks the rest.
func MaskAddress(a string) string {
	r := []rune(a)
	cut := 0
	for i, c := range r {
		if i > 0 && (c == '区' || c == '县' || c == '市' || c == '镇' || c == '乡') {
			cut = i + 1
		}
		if i >= 12 {
			break
		}
	}
	if cut == 0 {
		cut = min(2, len(r))
	}
	return string(r[:cut]) + strings.Repeat("*", min(len(r)-cut, 8))
}

var (
	// An identity number inside text: 17 digits and a digit or X, not part
	// of a longer digit run.
	idInText = regexp.MustCompile(`(^|[^0-9])([1-9][0-9]{5})([0-9]{10})([0-9][0-9Xx])($|[^0-9])`)
	// A mainland mobile number inside text.
	phoneInText = regexp.MustCompile(`(^|[^0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})($|[^0-9])`)
)

// MaskText masks the identity numbers and mobile numbers that free text
// (a case summary, a search fragment) contains.
func MaskText(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	s = idInText.ReplaceAllString(s, "${1}${2}**********${4}${5}")
	return phoneInText.ReplaceAllString(s, "${1}${2}****${4}${5}")
}

// MaskObject masks the value of an object or place that links cases or
// persons: a phone as MaskPhone, an address as MaskAddress, anything else
// (a plate, an account, an e-mail) down to its first and last two
// characters.
func MaskObject(kind, value string) string {
	switch kind {
	case "PHONE":
		return MaskPhone(value)
	case "ADDRESS":
		return MaskAddress(value)
	}
	r := []rune(value)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
}
