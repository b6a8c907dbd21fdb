package ident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testNow is the clock for date checks: 2026-06-14 20:00 UTC, which is
// already 2026-06-15 04:00 in China (UTC+8).
var testNow = time.Date(2026, 6, 14, 20, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Check digits below were computed with the algorithm of GB 11643-1999
// (ISO 7064 MOD 11-2): S = Σ Ai·Wi with W = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
// check = "10X98765432"[S mod 11]. Worked by hand for 33020319900101123:
//
//	3·7 + 3·9 + 0·10 + 2·5 + 0·8 + 3·4 + 1·2 + 9·1 + 9·6
//	  + 0·3 + 0·7 + 1·9 + 0·10 + 1·5 + 1·8 + 2·4 + 3·2
//	= 21 + 27 + 0 + 10 + 0 + 12 + 2 + 9 + 54 + 0 + 0 + 9 + 0 + 5 + 8 + 8 + 6 = 171,
//	171 mod 11 = 6, check = "10X98765432"[6] = '6'.
//
// The other sums are given beside each case as "S=…, mod 11=…".
func TestParseIDNumberValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want IDNumber
	}{
		// GB 11643-1999 annex examples, as recomputed in the domain reference.
		{"annex X check digit", "11010519491231002X", // S=167, mod 11=2 → X
			IDNumber{"11010519491231002X", "110105", date(1949, 12, 31), "F"}},
		{"annex lower-case x normalised", "11010519491231002x",
			IDNumber{"11010519491231002X", "110105", date(1949, 12, 31), "F"}},
		{"annex 1901", "370101190102039973", // S=262, mod 11=9 → 3; 17th digit 7 odd → male
			IDNumber{"370101190102039973", "370101", date(1901, 2, 3), "M"}},
		{"hand-worked", "330203199001011236", // S=171, mod 11=6 → 6
			IDNumber{"330203199001011236", "330203", date(1990, 1, 1), "M"}},
		// Month ends.
		{"31 January", "330212199001310013", // S=185, mod 11=9 → 3
			IDNumber{"330212199001310013", "330212", date(1990, 1, 31), "M"}},
		{"30 April", "110105198004300086", // S=182, mod 11=6 → 6
			IDNumber{"110105198004300086", "110105", date(1980, 4, 30), "F"}},
		{"31 December", "11010519801231009X", // S=178, mod 11=2 → X
			IDNumber{"11010519801231009X", "110105", date(1980, 12, 31), "M"}},
		// 29 February in leap years: divisible by 400, by 4.
		{"29 February 2000", "33021220000229003X", // S=167, mod 11=2 → X
			IDNumber{"33021220000229003X", "330212", date(2000, 2, 29), "M"}},
		{"29 February 1996", "330212199602290046", // S=248, mod 11=6 → 6
			IDNumber{"330212199602290046", "330212", date(1996, 2, 29), "F"}},
		{"29 February 2024", "110105202402290070", // S=166, mod 11=1 → 0
			IDNumber{"110105202402290070", "110105", date(2024, 2, 29), "M"}},
		// 1900 is the earliest year, and not a leap year.
		{"28 February 1900", "330212190002280054", // S=173, mod 11=8 → 4
			IDNumber{"330212190002280054", "330212", date(1900, 2, 28), "M"}},
		{"31 December 1900", "330212190012310069", // S=157, mod 11=3 → 9
			IDNumber{"330212190012310069", "330212", date(1900, 12, 31), "F"}},
		// Sequence 010: the 17th digit 0 is even, whatever the 16th.
		{"gender from 17th digit", "11010519700101010X", // S=112, mod 11=2 → X
			IDNumber{"11010519700101010X", "110105", date(1970, 1, 1), "F"}},
		// Province-level codes 71, 81, 82.
		{"Hong Kong 81", "810000198001010014", // S=140, mod 11=8 → 4
			IDNumber{"810000198001010014", "810000", date(1980, 1, 1), "M"}},
		{"Macao 82", "820000198001010024", // S=151, mod 11=8 → 4
			IDNumber{"820000198001010024", "820000", date(1980, 1, 1), "F"}},
		{"Taiwan 71", "710000198001010037", // S=137, mod 11=5 → 7
			IDNumber{"710000198001010037", "710000", date(1980, 1, 1), "M"}},
		{"Xinjiang 65", "650101198511111116", // S=215, mod 11=6 → 6
			IDNumber{"650101198511111116", "650101", date(1985, 11, 11), "M"}},
		// Born today in China (2026-06-15), although it is still 14 June in UTC.
		{"born today in China", "110105202606150010", // S=166, mod 11=1 → 0
			IDNumber{"110105202606150010", "110105", date(2026, 6, 15), "M"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseIDNumber(tt.in, testNow)
			if err != nil {
				t.Fatalf("parseIDNumber(%q): %v", tt.in, err)
			}
			if !sameID(got, tt.want) {
				t.Errorf("parseIDNumber(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if got.String() != tt.want.Number || got.Province() != tt.want.Region[:2] || got.Sequence() != tt.want.Number[14:17] {
				t.Errorf("String/Province/Sequence = %q/%q/%q", got.String(), got.Province(), got.Sequence())
			}
			again, err := parseIDNumber(got.Number, testNow)
			if err != nil || !sameID(again, got) {
				t.Errorf("reparse of %q = %#v, %v", got.Number, again, err)
			}
		})
	}
}

func TestBornTodayFixture(t *testing.T) {
	// The "born today" case above relies on this check digit.
	if c, _ := CheckDigit("11010520260615001"); c != '0' {
		t.Fatalf("CheckDigit(11010520260615001) = %c, want 0", c)
	}
}

func sameID(a, b IDNumber) bool {
	return a.Number == b.Number && a.Region == b.Region && a.BirthDate.Equal(b.BirthDate) &&
		a.BirthDate.Location() == time.UTC && a.Gender == b.Gender
}

func TestParseIDNumberErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind Kind
		pos  int
		msg  string // the whole message, or "" to check only kind and position
	}{
		{"empty", "", KindLength, 0,
			`idNumber "" is empty; a resident identity number (公民身份号码) has 18 characters`},
		{"17 characters", "11010519491231002", KindLength, 0,
			"idNumber 11010519491231002 has 17 characters; a resident identity number (公民身份号码) has 18"},
		{"19 characters", "11010519491231002X0", KindLength, 0, ""},
		{"Chinese text", "身份证号码", KindLength, 0, ""},
		{"15 digits", "110105491231002", KindLegacy, 0,
			"idNumber 110105491231002 is a 15-digit first-generation number (GB 11643-1989); " +
				"ParseIDNumber accepts only the 18-character form: keep the number as written " +
				"and derive the 18-character form with ConvertLegacyIDNumber"},
		{"15 characters, not digits", "11010549123100X", KindLength, 0, ""},
		{"letter in body", "11010519491231A02X", KindCharacter, 15,
			"idNumber 11010519491231A02X has 'A' at position 15; positions 1–17 must be digits 0–9"},
		{"X not last", "X10105194912310021", KindCharacter, 1,
			"idNumber X10105194912310021 has 'X' at position 1; X may only be the check digit, at position 18, and positions 1–17 must be digits 0–9"},
		{"bad last character", "11010519491231002Y", KindCharacter, 18,
			"idNumber 11010519491231002Y has 'Y' at position 18; the check digit at position 18 must be 0–9 or X"},
		{"leading space", " 1010519491231002X", KindCharacter, 1,
			`idNumber " 1010519491231002X" has ' ' at position 1; positions 1–17 must be digits 0–9`},
		{"full-width digit", "1101051949123100２X", KindCharacter, 17,
			"idNumber 1101051949123100２X has the full-width digit '２' at position 17; positions 1–17 must be digits 0–9 in ASCII"},
		{"full-width X", "11010519491231002Ｘ", KindCharacter, 18,
			"idNumber 11010519491231002Ｘ has the full-width 'Ｘ' at position 18; the check digit at position 18 must be 0–9 or X in ASCII"},
		{"hyphen", "110105-19491231002", KindCharacter, 7, ""},

		{"province 99", "990101199001011234", KindRegion, 1,
			"idNumber 990101199001011234 has region code 990101 whose first two digits 99 are not a province-level code of GB/T 2260 " +
				"(valid: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81 or 82)"},
		{"province 00", "000000199001011234", KindRegion, 1, ""},
		{"province 16 (gap)", "160101199001011234", KindRegion, 1, ""},
		{"province 10 (below range)", "100101199001011234", KindRegion, 1, ""},
		{"83 residence permit", "830000199001011234", KindRegion, 1, ""},
		{"province 91", "910101199001011234", KindRegion, 1, ""},

		{"month 13", "110105199013010011", KindBirthDate, 7,
			"idNumber 110105199013010011 has birth date 19901301 (positions 7–14), which is not a calendar date: there is no month 13"},
		{"month 00", "110105199000010011", KindBirthDate, 7, ""},
		{"day 00", "110105199001000011", KindBirthDate, 7,
			"idNumber 110105199001000011 has birth date 19900100 (positions 7–14), which is not a calendar date: January 1990 has 31 days"},
		{"32 January", "110105199001320011", KindBirthDate, 7, ""},
		{"30 February", "110105199602300011", KindBirthDate, 7, ""},
		{"29 February 2023", "110105202302290011", KindBirthDate, 7,
			"idNumber 110105202302290011 has birth date 20230229 (positions 7–14), which is not a calendar date: February 2023 has 28 days"},
		{"29 February 1900 (century)", "110105190002290011", KindBirthDate, 7, ""},
		{"29 February 2100 (century)", "110105210002290011", KindBirthDate, 7, ""},
		{"31 April", "110105198004310011", KindBirthDate, 7, ""},
		{"31 June", "110105198006310011", KindBirthDate, 7, ""},
		{"31 September", "110105198009310011", KindBirthDate, 7, ""},
		{"31 November", "110105198011310011", KindBirthDate, 7, ""},
		{"1899", "110105189912310011", KindBirthDate, 7,
			"idNumber 110105189912310011 has birth date 18991231 (positions 7–14), which is before 1900"},
		// The annex example 440524188001010014 (S=195, mod 11=8 → 4) has a
		// correct check digit but a birth date before 1900.
		{"annex example born 1880", "440524188001010014", KindBirthDate, 7, ""},
		{"tomorrow in China", "110105202606160011", KindBirthDate, 7,
			"idNumber 110105202606160011 has birth date 20260616 (positions 7–14), which is in the future"},
		{"next year", "110105202701010011", KindBirthDate, 7, ""},
		{"next month", "110105202607010011", KindBirthDate, 7, ""},

		{"check digit X for 6", "33020319900101123X", KindCheckDigit, 18,
			"idNumber 33020319900101123X fails its check digit (expected 6)"},
		{"check digit lower-case x for 6", "33020319900101123x", KindCheckDigit, 18,
			"idNumber 33020319900101123x fails its check digit (expected 6)"},
		{"check digit 1 for X", "110105194912310021", KindCheckDigit, 18,
			"idNumber 110105194912310021 fails its check digit (expected X)"},
		{"transposed digits", "110105194912130024", KindCheckDigit, 18, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseIDNumber(tt.in, testNow)
			if err == nil {
				t.Fatalf("parseIDNumber(%q) = %#v, want an error", tt.in, got)
			}
			if got != (IDNumber{}) {
				t.Errorf("parseIDNumber(%q) returned %#v with its error", tt.in, got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, want *Error", err, err)
			}
			if e.Field != "idNumber" || e.Value != tt.in || e.Kind != tt.kind || e.Pos != tt.pos {
				t.Errorf("error = {Field:%q Value:%q Kind:%v Pos:%d}, want {idNumber %q %v %d}; message: %v",
					e.Field, e.Value, e.Kind, e.Pos, tt.in, tt.kind, tt.pos, err)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message:\n got %s\nwant %s", err.Error(), tt.msg)
			}
		})
	}
}

func TestParseIDNumberUsesClock(t *testing.T) {
	// ParseIDNumber checks against the real clock: a date far in the
	// future fails, a date long past passes.
	if _, err := ParseIDNumber("110105209912310011"); err == nil {
		t.Error("ParseIDNumber accepted a birth date in 2099")
	}
	if _, err := ParseIDNumber("11010519491231002X"); err != nil {
		t.Error(err)
	}
}

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'}, // S=167, mod 11=2
		{"44052418800101001", '4'}, // S=195, mod 11=8
		{"37010119010203997", '3'}, // S=262, mod 11=9
		{"33020319900101123", '6'}, // S=171, mod 11=6 (worked by hand above)
		{"33021219900101123", '2'}, // S=175, mod 11=10
		{"11010519491231001", '1'}, // S=165, mod 11=0
		{"33021219900131002", '1'}, // S=187, mod 11=0
		{"00000000000000000", '1'}, // S=0
	}
	for _, tt := range tests {
		got, err := CheckDigit(tt.first17)
		if err != nil || got != tt.want {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q", tt.first17, got, err, tt.want)
		}
	}
	// Every residue maps to a distinct character, as MOD 11-2 requires.
	seen := map[byte]bool{}
	for s := 0; s < 11; s++ {
		seen[idCheck[s]] = true
	}
	if len(seen) != 11 {
		t.Errorf("idCheck has %d distinct characters", len(seen))
	}
	// The weights are 2^(17−i) mod 11.
	for i, w := range idWeights {
		p := 1
		for k := 0; k < 17-i; k++ {
			p = p * 2 % 11
		}
		if w != p {
			t.Errorf("idWeights[%d] = %d, want 2^%d mod 11 = %d", i, w, 17-i, p)
		}
	}

	for _, tt := range []struct {
		in   string
		kind Kind
		pos  int
		msg  string
	}{
		{"1101051949123100", KindLength, 0, "idNumber 1101051949123100 has 16 characters; a check digit is computed from exactly 17 digits"},
		{"11010519491231002X", KindLength, 0, ""},
		{"", KindLength, 0, ""},
		{"1101051949123100X", KindCharacter, 17, "idNumber 1101051949123100X has 'X' at position 17; a check digit is computed from the digits 0–9 only"},
		{"１1010519491231002", KindCharacter, 1, ""},
	} {
		_, err := CheckDigit(tt.in)
		var e *Error
		if !errors.As(err, &e) || e.Kind != tt.kind || e.Pos != tt.pos {
			t.Errorf("CheckDigit(%q) error = %#v, want kind %v at %d", tt.in, err, tt.kind, tt.pos)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("message:\n got %s\nwant %s", err, tt.msg)
		}
	}
}

func TestConvertLegacyIDNumber(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want IDNumber
	}{
		// 110105 491231 002 → 11010519491231002 + X (S=167): the annex example.
		{"110105491231002", IDNumber{"11010519491231002X", "110105", date(1949, 12, 31), "F"}},
		// 440524 800101 001 → 44052419800101001 + 3 (S=196, mod 11=9).
		{"440524800101001", IDNumber{"440524198001010013", "440524", date(1980, 1, 1), "M"}},
		// 29 February 1996.
		{"330212960229004", IDNumber{"330212199602290046", "330212", date(1996, 2, 29), "F"}},
	} {
		got, err := convertLegacyIDNumber(tt.in, testNow)
		if err != nil || !sameID(got, tt.want) {
			t.Errorf("convertLegacyIDNumber(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		kind Kind
		pos  int
		msg  string
	}{
		{"11010519491231002X", KindLength, 0,
			"idNumber 11010519491231002X has 18 characters; a first-generation identity number (GB 11643-1989) has 15 digits"},
		{"11010549123100X", KindCharacter, 15, ""},
		{"990101491231002", KindRegion, 1, ""},
		{"110105490230002", KindBirthDate, 7,
			"idNumber 110105490230002 has birth date 490230 (positions 7–12), which is not a calendar date: February 1949 has 28 days"},
		{"110105000229002", KindBirthDate, 7, ""}, // 1900 was not a leap year
	} {
		_, err := convertLegacyIDNumber(tt.in, testNow)
		var e *Error
		if !errors.As(err, &e) || e.Kind != tt.kind || e.Pos != tt.pos || e.Value != tt.in {
			t.Errorf("convertLegacyIDNumber(%q) error = %#v, want kind %v at %d", tt.in, err, tt.kind, tt.pos)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("message:\n got %s\nwant %s", err, tt.msg)
		}
	}
	if _, err := ConvertLegacyIDNumber("110105491231002"); err != nil {
		t.Error(err)
	}
}

func TestErrorMessage(t *testing.T) {
	long := strings.Repeat("1", 100)
	_, err := parseIDNumber(long, testNow)
	want := "idNumber " + strings.Repeat("1", maxShownRunes) + "… has 100 characters; a resident identity number (公民身份号码) has 18"
	if err == nil || err.Error() != want {
		t.Errorf("long value message = %v, want %s", err, want)
	}
	_, err = parseIDNumber("\xff", testNow)
	if err == nil || !strings.HasPrefix(err.Error(), `idNumber "\xff" has 1 character;`) {
		t.Errorf("invalid UTF-8 message = %v", err)
	}
	for k := KindLength; k <= KindSuffix; k++ {
		if strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("Kind %d has no name", int(k))
		}
	}
	if got := Kind(99).String(); got != "Kind(99)" {
		t.Errorf("Kind(99).String() = %q", got)
	}
}
