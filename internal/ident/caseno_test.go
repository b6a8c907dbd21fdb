package ident

import (
	"errors"
	"testing"
)

func TestParseCourtCaseNoValid(t *testing.T) {
	tests := []struct {
		in         string
		want       CourtCaseNo
		canonical  string
		proceeding Proceeding
		level      CourtLevel
		typeName   string
	}{
		// The example of the brief, ASCII brackets.
		{"(2024)浙0212刑初123号", CourtCaseNo{Year: 2024, Court: "浙0212", Type: "刑初", Seq: "123"},
			"（2024）浙0212刑初123号", FirstInstance, BasicCourt, "刑事一审案件"},
		// Observed numbers quoted in the domain reference (§3.2).
		{"（2017）浙0503刑初295号", CourtCaseNo{Year: 2017, Court: "浙0503", Type: "刑初", Seq: "295"},
			"（2017）浙0503刑初295号", FirstInstance, BasicCourt, "刑事一审案件"},
		{"（2018）川34刑更2110号", CourtCaseNo{Year: 2018, Court: "川34", Type: "刑更", Seq: "2110"},
			"（2018）川34刑更2110号", SentenceChange, IntermediateCourt, "刑罚与执行变更审查案件"},
		{"（2016）鄂0102刑初1223号", CourtCaseNo{Year: 2016, Court: "鄂0102", Type: "刑初", Seq: "1223"},
			"（2016）鄂0102刑初1223号", FirstInstance, BasicCourt, "刑事一审案件"},
		{"(2016)渝0113刑初696号", CourtCaseNo{Year: 2016, Court: "渝0113", Type: "刑初", Seq: "696"},
			"（2016）渝0113刑初696号", FirstInstance, BasicCourt, "刑事一审案件"},
		{"（2018）沪01刑更920号", CourtCaseNo{Year: 2018, Court: "沪01", Type: "刑更", Seq: "920"},
			"（2018）沪01刑更920号", SentenceChange, IntermediateCourt, "刑罚与执行变更审查案件"},
		{"（2019）京刑终12号", CourtCaseNo{Year: 2019, Court: "京", Type: "刑终", Seq: "12"},
			"（2019）京刑终12号", SecondInstance, HighCourt, "刑事二审案件"},
		{"（2019）最高法刑核12345678号", CourtCaseNo{Year: 2019, Court: "最高法", Type: "刑核", Seq: "12345678"},
			"（2019）最高法刑核12345678号", SentenceReview, SupremeCourt,
			"死刑复核案件、法定刑以下判处刑罚复核案件、特殊假释复核案件"},
		// 〔〕 brackets; a 刑核 number keeps its leading zero (fixed 8 digits).
		{"〔2019〕最高法刑核01234567号", CourtCaseNo{Year: 2019, Court: "最高法", Type: "刑核", Seq: "01234567"},
			"（2019）最高法刑核01234567号", SentenceReview, SupremeCourt,
			"死刑复核案件、法定刑以下判处刑罚复核案件、特殊假释复核案件"},
		// Other types lose leading zeros.
		{"（2020）浙02刑初0045号", CourtCaseNo{Year: 2020, Court: "浙02", Type: "刑初", Seq: "45"},
			"（2020）浙02刑初45号", FirstInstance, IntermediateCourt, "刑事一审案件"},
		// Mixed bracket styles.
		{"(2024）浙0212刑初1号", CourtCaseNo{Year: 2024, Court: "浙0212", Type: "刑初", Seq: "1"},
			"（2024）浙0212刑初1号", FirstInstance, BasicCourt, "刑事一审案件"},
		{"（2024〕浙0212刑终1号", CourtCaseNo{Year: 2024, Court: "浙0212", Type: "刑终", Seq: "1"},
			"（2024）浙0212刑终1号", SecondInstance, BasicCourt, "刑事二审案件"},
		// Derived-document suffixes.
		{"（2018）沪01刑更920号之三", CourtCaseNo{Year: 2018, Court: "沪01", Type: "刑更", Seq: "920", Suffix: "之三"},
			"（2018）沪01刑更920号之三", SentenceChange, IntermediateCourt, "刑罚与执行变更审查案件"},
		{"(2018)沪01刑初9号之十", CourtCaseNo{Year: 2018, Court: "沪01", Type: "刑初", Seq: "9", Suffix: "之十"},
			"（2018）沪01刑初9号之十", FirstInstance, IntermediateCourt, "刑事一审案件"},
		{"(2018)沪01刑初9号之十二", CourtCaseNo{Year: 2018, Court: "沪01", Type: "刑初", Seq: "9", Suffix: "之十二"},
			"（2018）沪01刑初9号之十二", FirstInstance, IntermediateCourt, "刑事一审案件"},
		{"(2018)沪01刑初9号之九十九", CourtCaseNo{Year: 2018, Court: "沪01", Type: "刑初", Seq: "9", Suffix: "之九十九"},
			"（2018）沪01刑初9号之九十九", FirstInstance, IntermediateCourt, "刑事一审案件"},
		// Three-character type codes and 司救刑.
		{"（2021）粤0703刑医解2号", CourtCaseNo{Year: 2021, Court: "粤0703", Type: "刑医解", Seq: "2"},
			"（2021）粤0703刑医解2号", CompulsoryMedical, BasicCourt, "解除强制医疗审查案件"},
		{"（2021）最高法刑止核3号", CourtCaseNo{Year: 2021, Court: "最高法", Type: "刑止核", Seq: "3"},
			"（2021）最高法刑止核3号", StayOfExecution, SupremeCourt, "停止执行死刑调查审核案件"},
		{"（2022）苏05司救刑3号", CourtCaseNo{Year: 2022, Court: "苏05", Type: "司救刑", Seq: "3"},
			"（2022）苏05司救刑3号", JudicialAid, IntermediateCourt, "刑事司法救助案件"},
		{"（2022）苏刑辖4号", CourtCaseNo{Year: 2022, Court: "苏", Type: "刑辖", Seq: "4"},
			"（2022）苏刑辖4号", Jurisdiction, HighCourt, "刑事提级管辖案件、刑事指定管辖案件"},
		{"（2022）苏刑申4号", CourtCaseNo{Year: 2022, Court: "苏", Type: "刑申", Seq: "4"},
			"（2022）苏刑申4号", RetrialReview, HighCourt, "刑事申诉再审审查案件"},
		{"（2022）苏刑再4号", CourtCaseNo{Year: 2022, Court: "苏", Type: "刑再", Seq: "4"},
			"（2022）苏刑再4号", Retrial, HighCourt, "刑事再审案件"},
		{"（2022）苏01刑没4号", CourtCaseNo{Year: 2022, Court: "苏01", Type: "刑没", Seq: "4"},
			"（2022）苏01刑没4号", Confiscation, IntermediateCourt, "申请没收违法所得案件"},
		{"（2022）苏01刑他4号", CourtCaseNo{Year: 2022, Court: "苏01", Type: "刑他", Seq: "4"},
			"（2022）苏01刑他4号", OtherCriminal, IntermediateCourt, "其他刑事案件"},
		{"（2022）苏01刑教监4号", CourtCaseNo{Year: 2022, Court: "苏01", Type: "刑教监", Seq: "4"},
			"（2022）苏01刑教监4号", PlacementEducation, IntermediateCourt, "安置教育监督案件"},
		// 兵 and 军 court codes.
		{"（2019）兵07刑终5号", CourtCaseNo{Year: 2019, Court: "兵07", Type: "刑终", Seq: "5"},
			"（2019）兵07刑终5号", SecondInstance, IntermediateCourt, "刑事二审案件"},
		{"（2019）军刑终5号", CourtCaseNo{Year: 2019, Court: "军", Type: "刑终", Seq: "5"},
			"（2019）军刑终5号", SecondInstance, HighCourt, "刑事二审案件"},
		// A 专门审判代字 (2018 amendment) before the type code.
		{"（2021）京73知刑初1号", CourtCaseNo{Year: 2021, Court: "京73", SpecialTrial: "知", Type: "刑初", Seq: "1"},
			"（2021）京73知刑初1号", FirstInstance, IntermediateCourt, "刑事一审案件"},
		{"（2021）最高法知刑终1号", CourtCaseNo{Year: 2021, Court: "最高法", SpecialTrial: "知", Type: "刑终", Seq: "1"},
			"（2021）最高法知刑终1号", SecondInstance, SupremeCourt, "刑事二审案件"},
		// The current year (testNow is 2026) is allowed.
		{"（2026）浙0212刑初1号", CourtCaseNo{Year: 2026, Court: "浙0212", Type: "刑初", Seq: "1"},
			"（2026）浙0212刑初1号", FirstInstance, BasicCourt, "刑事一审案件"},
		// Pre-2016 numbers with 字第.
		{"（2014）浙甬刑初字第123号", CourtCaseNo{Year: 2014, Court: "浙甬", Type: "刑初", Seq: "123", Legacy: true},
			"（2014）浙甬刑初字第123号", FirstInstance, CourtLevelUnknown, ""},
		{"(2012)京二中刑一终字第0056号之一", CourtCaseNo{Year: 2012, Court: "京二中", Type: "刑一终", Seq: "56", Suffix: "之一", Legacy: true},
			"（2012）京二中刑一终字第56号之一", SecondInstance, CourtLevelUnknown, ""},
		{"（2010）刑字第1号", CourtCaseNo{Year: 2010, Type: "刑", Seq: "1", Legacy: true},
			"（2010）刑字第1号", ProceedingUnknown, CourtLevelUnknown, ""},
		{"（2015）沪刑法字第1号", CourtCaseNo{Year: 2015, Court: "沪", Type: "刑法", Seq: "1", Legacy: true},
			"（2015）沪刑法字第1号", ProceedingUnknown, CourtLevelUnknown, ""},
		{"（2015）沪高刑核字第1号", CourtCaseNo{Year: 2015, Court: "沪高", Type: "刑核", Seq: "1", Legacy: true},
			"（2015）沪高刑核字第1号", SentenceReview, CourtLevelUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseCourtCaseNo(tt.in, testNow)
			if err != nil {
				t.Fatalf("parseCourtCaseNo(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("parseCourtCaseNo(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if c := got.Canonical(); c != tt.canonical || got.String() != c {
				t.Errorf("Canonical() = %q, String() = %q, want %q", c, got.String(), tt.canonical)
			}
			if p := got.Proceeding(); p != tt.proceeding {
				t.Errorf("Proceeding() = %v, want %v", p, tt.proceeding)
			}
			if l := got.CourtLevel(); l != tt.level {
				t.Errorf("CourtLevel() = %v, want %v", l, tt.level)
			}
			if n := got.TypeName(); n != tt.typeName {
				t.Errorf("TypeName() = %q, want %q", n, tt.typeName)
			}
			again, err := parseCourtCaseNo(got.Canonical(), testNow)
			if err != nil || again != got {
				t.Errorf("reparse of %q = %#v, %v", got.Canonical(), again, err)
			}
		})
	}
}

func TestParseCourtCaseNoErrors(t *testing.T) {
	// Positions count characters from 1: in （2024）浙0212刑初123号 the year is
	// at 2–5, the court code at 7–11, the type code at 12–13, the number at
	// 14–16 and 号 at 17.
	tests := []struct {
		name string
		in   string
		kind Kind
		pos  int
		msg  string // the whole message, or "" to check only kind and position
	}{
		{"empty", "", KindLength, 0,
			`caseNo "" is empty; a court case number (案号) looks like （2024）浙0212刑初123号`},
		{"no bracket", "2024浙0212刑初123号", KindBracket, 1,
			"caseNo 2024浙0212刑初123号 must begin with ( （ or 〔 before the year (收案年度) at position 1, found '2'"},
		{"square bracket", "[2024]浙0212刑初123号", KindBracket, 1, ""},
		{"lenticular bracket", "【2024】浙0212刑初123号", KindBracket, 1, ""},
		{"missing close", "（2024浙0212刑初123号", KindBracket, 6,
			"caseNo （2024浙0212刑初123号 must close the year with ) ） or 〕 at position 6, found '浙'"},
		{"only a bracket", "（", KindYear, 2,
			"caseNo （ must have the 4-digit year (收案年度) at position 2, but the number ends there"},
		{"two-digit year", "（24）浙0212刑初123号", KindYear, 2,
			"caseNo （24）浙0212刑初123号 has the 2-digit year 24 at position 2; the year of receipt (收案年度) has 4 digits"},
		{"five-digit year", "（20245）浙0212刑初123号", KindYear, 2, ""},
		{"empty year", "（）浙0212刑初123号", KindYear, 2, ""},
		{"full-width year", "（２０２４）浙0212刑初123号", KindYear, 2,
			"caseNo （２０２４）浙0212刑初123号 must have the 4-digit year (收案年度) at position 2, found the full-width digit '２' (use ASCII digits)"},
		{"year 1948", "（1948）浙0212刑初123号", KindYear, 2,
			"caseNo （1948）浙0212刑初123号 has the year 1948 at position 2, outside 1949–2026"},
		{"next year", "（2027）浙0212刑初123号", KindYear, 2, ""},

		{"missing court", "（2024）0212刑初123号", KindCourt, 7,
			"caseNo （2024）0212刑初123号 must have the court code (法院代字) at position 7, found '0'"},
		{"ends after year", "（2024）", KindCourt, 7, ""},
		{"unknown province", "（2024）港0212刑初123号", KindCourt, 7,
			"caseNo （2024）港0212刑初123号 has the court code (法院代字) beginning '港' at position 7, which is neither 最高法 nor a 高院 code " +
				"(京 津 冀 晋 内 辽 吉 黑 沪 苏 浙 皖 闽 赣 鲁 豫 鄂 湘 粤 桂 琼 渝 川 黔 云 藏 陕 甘 青 宁 新 军 兵)"},
		{"three court digits", "（2024）浙021刑初123号", KindCourt, 8,
			"caseNo （2024）浙021刑初123号 has the court code 浙021 with 3 digits at position 8; an intermediate court (中级法院) has 2 and a basic court (基层法院) has 4"},
		{"one court digit", "（2024）浙2刑初123号", KindCourt, 8, ""},
		{"five court digits", "（2024）浙02123刑初123号", KindCourt, 8, ""},
		{"digits after 最高法", "（2024）最高法12刑核1号", KindCourt, 10, ""},
		{"最高 without 法", "（2024）最高刑核1号", KindCourt, 7, ""},

		{"civil type", "（2024）浙0212民初123号", KindType, 12,
			"caseNo （2024）浙0212民初123号 is not a criminal case number: its type code \"民初\" at position 12 is not one of the criminal type codes (类型代字) " +
				"刑辖 刑初 刑终 刑监 刑申 刑抗 刑再 刑没 刑核 刑医 刑医解 刑医复 刑医监 刑止 刑止调 刑止核 刑更 刑更监 刑更备 刑他 刑教 刑教解 刑教复 刑教监 司救刑"},
		{"civil type at high court", "（2018）沪民初937号之三", KindType, 8, ""},
		{"unknown criminal type", "（2024）浙0212刑X123号", KindType, 12, ""},
		{"unknown criminal type, Han", "（2024）浙0212刑审123号", KindType, 12, ""},
		{"doubled 刑", "（2024）浙0212刑刑初123号", KindType, 12, ""},
		{"two-character prefix", "（2024）浙0212知知刑初123号", KindType, 12, ""},
		{"missing type", "（2024）浙0212号", KindType, 12,
			"caseNo （2024）浙0212号 must have the criminal type code (类型代字), such as 刑初, at position 12, found '号'"},
		// Without a type code the court digits and the number run together.
		{"missing type, digits run on", "（2024）浙0212123号", KindCourt, 8, ""},
		{"court then end", "（2024）浙", KindType, 8, ""},
		{"court then space", "（2024）浙 刑初1号", KindType, 8, ""},
		{"new-style court with 字第", "（2020）浙0212刑初字第5号", KindType, 12, ""},
		{"legacy civil", "（2014）民一终字第174号", KindType, 7,
			`caseNo （2014）民一终字第174号 is not a criminal case number: the court and type "民一终" at position 7 before 字第 contain no 刑`},
		{"legacy civil with court", "（2015）沪一中民保字第7号之一", KindType, 7, ""},

		{"missing number", "（2024）浙0212刑初号", KindSeq, 14,
			"caseNo （2024）浙0212刑初号 must have the case sequence number (案件编号) at position 14, found '号'"},
		{"zero", "（2024）浙0212刑初000号", KindSeq, 14,
			"caseNo （2024）浙0212刑初000号 has the case sequence number 000 at position 14; it must be 1 or more"},
		{"full-width number", "（2024）浙0212刑初１２３号", KindSeq, 14, ""},
		{"legacy missing number", "（2014）浙甬刑初字第号", KindSeq, 13, ""},

		{"no 号", "（2024）浙0212刑初123", KindSyntax, 17,
			"caseNo （2024）浙0212刑初123 must end the case sequence number with 号 at position 17, but the number ends there"},
		{"space before 号", "（2024）浙0212刑初123 号", KindSyntax, 17,
			`caseNo "（2024）浙0212刑初123 号" must have 号 after the case sequence number at position 17, found ' '`},
		{"trailing text", "（2024）浙0212刑初123号判决书", KindSyntax, 18,
			`caseNo （2024）浙0212刑初123号判决书 has unexpected text "判决书" after 号 at position 18; only a suffix such as 之一 may follow`},

		{"bare 之", "（2024）浙0212刑初123号之", KindSuffix, 18,
			"caseNo （2024）浙0212刑初123号之 has the suffix 之 at position 18 without a number; write 之一, 之二 …"},
		{"之一十", "（2024）浙0212刑初123号之一十", KindSuffix, 18,
			`caseNo （2024）浙0212刑初123号之一十 has the suffix "之一十" at position 18; after 之 write a Chinese number from 一 to 九十九, such as 之一 or 之十二`},
		{"之〇", "（2024）浙0212刑初123号之〇", KindSuffix, 18, ""},
		{"之1", "（2024）浙0212刑初123号之1", KindSuffix, 18, ""},
		{"之十十", "（2024）浙0212刑初123号之十十", KindSuffix, 18, ""},
		{"之一百", "（2024）浙0212刑初123号之一百", KindSuffix, 18, ""},
		{"之二十一一", "（2024）浙0212刑初123号之二十一一", KindSuffix, 18, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCourtCaseNo(tt.in, testNow)
			if err == nil {
				t.Fatalf("parseCourtCaseNo(%q) = %#v, want an error", tt.in, got)
			}
			if got != (CourtCaseNo{}) {
				t.Errorf("parseCourtCaseNo(%q) returned %#v with its error", tt.in, got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, want *Error", err, err)
			}
			if e.Field != "caseNo" || e.Value != tt.in || e.Kind != tt.kind || e.Pos != tt.pos {
				t.Errorf("error = {Field:%q Value:%q Kind:%v Pos:%d}, want {caseNo %q %v %d}; message: %v",
					e.Field, e.Value, e.Kind, e.Pos, tt.in, tt.kind, tt.pos, err)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message:\n got %s\nwant %s", err.Error(), tt.msg)
			}
		})
	}
}

func TestChineseNumber(t *testing.T) {
	names := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	for n := 1; n <= 99; n++ {
		var s string
		switch {
		case n < 10:
			s = names[n]
		case n < 20:
			s = "十" + names[n-10]
		default:
			s = names[n/10] + "十" + names[n%10]
		}
		if got := chineseNumber(s); got != n {
			t.Errorf("chineseNumber(%q) = %d, want %d", s, got, n)
		}
	}
	for _, s := range []string{"", "零", "〇", "一十", "十十", "一一", "二十十", "一百", "十二三", "1"} {
		if got := chineseNumber(s); got != 0 {
			t.Errorf("chineseNumber(%q) = %d, want 0", s, got)
		}
	}
}

func TestParseCourtCaseNoUsesClock(t *testing.T) {
	if _, err := ParseCourtCaseNo("（2099）浙0212刑初1号"); err == nil {
		t.Error("ParseCourtCaseNo accepted the year 2099")
	}
	if _, err := ParseCourtCaseNo("（2024）浙0212刑初1号"); err != nil {
		t.Error(err)
	}
}

func TestEnumStrings(t *testing.T) {
	for p := ProceedingUnknown; p <= JudicialAid; p++ {
		if s := p.String(); s == "" || s[0] == 'P' {
			t.Errorf("Proceeding(%d).String() = %q", int(p), s)
		}
	}
	if s := Proceeding(-1).String(); s != "Proceeding(-1)" {
		t.Errorf("Proceeding(-1).String() = %q", s)
	}
	if s := FirstInstance.String(); s != "first instance (一审)" {
		t.Errorf("FirstInstance.String() = %q", s)
	}
	for l := CourtLevelUnknown; l <= BasicCourt; l++ {
		if s := l.String(); s == "" || s[0] == 'C' {
			t.Errorf("CourtLevel(%d).String() = %q", int(l), s)
		}
	}
	if s := CourtLevel(9).String(); s != "CourtLevel(9)" {
		t.Errorf("CourtLevel(9).String() = %q", s)
	}
	// Every type code has a proceeding and a name.
	for _, ct := range criminalTypes {
		if ct.proceeding == ProceedingUnknown || ct.name == "" {
			t.Errorf("type %s: %v %q", ct.code, ct.proceeding, ct.name)
		}
	}
}
