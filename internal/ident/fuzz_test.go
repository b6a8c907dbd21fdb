package ident

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkError asserts the shape every parser error must have.
func checkError(t *testing.T, err error, field, in string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v for %q is a %T, want *Error", err, in, err)
	}
	if e.Field != field || e.Value != in || e.Kind < KindLength || e.Kind > KindSuffix || e.Reason == "" {
		t.Fatalf("malformed error for %q: %#v", in, e)
	}
	if e.Pos < 0 || e.Pos > utf8.RuneCountInString(in)+1 {
		t.Fatalf("error position %d out of range for %q", e.Pos, in)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, field+" ") || !strings.HasSuffix(msg, e.Reason) {
		t.Fatalf("message %q does not read <field> <value> <reason>", msg)
	}
}

func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "370101190102039973", "440524188001010014",
		"33020319900101123X", "330212200002290032", "110105202302290011", "990101199001011234",
		"110105491231002", "11010549123100X", "1101051949123100２X", "", "X", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseIDNumber(s)
		if err != nil {
			checkError(t, err, "idNumber", s)
			var e *Error
			if errors.As(err, &e) && e.Kind == KindLegacy {
				// A refused first-generation number either converts to a
				// valid 18-character number or fails with an *Error.
				m, err := ConvertLegacyIDNumber(s)
				if err != nil {
					checkError(t, err, "idNumber", s)
				} else if again, err := ParseIDNumber(m.Number); err != nil || !sameID(again, m) {
					t.Fatalf("converted %q to %#v, which reparses as %#v, %v", s, m, again, err)
				}
			}
			return
		}
		if len(n.Number) != 18 || !strings.EqualFold(n.Number, s) || n.Number[17] == 'x' {
			t.Fatalf("ParseIDNumber(%q).Number = %q", s, n.Number)
		}
		if c, err := CheckDigit(n.Number[:17]); err != nil || c != n.Number[17] {
			t.Fatalf("CheckDigit(%q) = %c, %v; number %q", n.Number[:17], c, err, n.Number)
		}
		if n.Region != n.Number[:6] || (n.Gender != "M" && n.Gender != "F") ||
			n.BirthDate.Format("20060102") != n.Number[6:14] {
			t.Fatalf("ParseIDNumber(%q) = %#v", s, n)
		}
		again, err := ParseIDNumber(n.Number)
		if err != nil || !sameID(again, n) {
			t.Fatalf("ParseIDNumber(%q) = %#v, but its Number reparses as %#v, %v", s, n, again, err)
		}
	})
}

func FuzzParseCourtCaseNo(f *testing.F) {
	for _, s := range []string{
		"(2024)浙0212刑初123号", "（2017）浙0503刑初295号", "〔2019〕最高法刑核01234567号",
		"（2018）沪01刑更920号之三", "（2019）京刑终12号", "（2021）京73知刑初1号", "（2022）苏05司救刑3号",
		"（2014）浙甬刑初字第123号", "（2014）民一终字第174号", "(2012)京二中刑一终字第0056号之一",
		"（2024）浙0212民初123号", "（2024）浙021刑初123号", "（2024）浙0212刑初123号之一十",
		"（２０２４）浙0212刑初123号", "", "（", "号", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCourtCaseNo(s)
		if err != nil {
			checkError(t, err, "caseNo", s)
			return
		}
		canon := c.Canonical()
		if !strings.HasPrefix(canon, "（") || strings.ContainsAny(canon, "()〔〕") || !utf8.ValidString(canon) {
			t.Fatalf("Canonical() of %q = %q", s, canon)
		}
		again, err := ParseCourtCaseNo(canon)
		if err != nil || again != c {
			t.Fatalf("ParseCourtCaseNo(%q) = %#v, but Canonical %q reparses as %#v, %v", s, c, canon, again, err)
		}
		if again.Canonical() != canon {
			t.Fatalf("Canonical is not stable: %q → %q", canon, again.Canonical())
		}
		if !c.Legacy && (c.Proceeding() == ProceedingUnknown || c.CourtLevel() == CourtLevelUnknown || c.TypeName() == "") {
			t.Fatalf("%q: proceeding %v, level %v, type name %q", s, c.Proceeding(), c.CourtLevel(), c.TypeName())
		}
	})
}
