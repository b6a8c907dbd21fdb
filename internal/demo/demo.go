// Package demo builds the small demonstration graph that `make run` loads
// into an empty database: a police sub-bureau, a district procuratorate and
// a district court of one city district, with a few dozen cases whose
// lineages run police → procuratorate → court. It is deterministic: the same
// graph every time, so that it can be loaded twice without change.
package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// Agency codes of the demo graph.
const (
	PoliceCode        = "330203GA" // 宁波市公安局海曙分局
	ProcuratorateCode = "330203JC" // 宁波市海曙区人民检察院
	CourtCode         = "330203FY" // 宁波市海曙区人民法院 (案号 court code 浙0203)
)

// Number of police cases in the demo graph.
const PoliceCases = 30

// offenses are common charges (shared/domain/criminal-procedure.md §4).
var offenses = []casegraph.Offense{
	{Code: "CL133-1", Name: "危险驾驶罪", Article: "133之一"},
	{Code: "CL264", Name: "盗窃罪", Article: "264"},
	{Code: "CL287-2", Name: "帮助信息网络犯罪活动罪", Article: "287之二"},
	{Code: "CL266", Name: "诈骗罪", Article: "266"},
	{Code: "CL312", Name: "掩饰、隐瞒犯罪所得、犯罪所得收益罪", Article: "312"},
	{Code: "CL303", Name: "开设赌场罪", Article: "303"},
	{Code: "CL234", Name: "故意伤害罪", Article: "234"},
	{Code: "CL293", Name: "寻衅滋事罪", Article: "293"},
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑")
	given    = []string{"伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "军", "杰", "强", "婷", "斌", "浩", "亮", "霞", "涛", "明", "超", "秀英"}
	streets  = []string{"鼓楼街道", "南门街道", "西门街道", "月湖街道", "白云街道", "段塘街道", "望春街道", "石碶街道"}
)

// Graph returns the demo graph.
func Graph() neo4jdb.Graph {
	r := rand.New(rand.NewPCG(2024, 330203))
	g := neo4jdb.Graph{
		Agencies: []casegraph.Agency{
			{Code: PoliceCode, Name: "宁波市公安局海曙分局", Kind: casegraph.AgencyPolice, Region: "330203"},
			{Code: ProcuratorateCode, Name: "宁波市海曙区人民检察院", Kind: casegraph.AgencyProcuratorate, Region: "330203"},
			{Code: CourtCode, Name: "宁波市海曙区人民法院", Kind: casegraph.AgencyCourt, Region: "330203"},
		},
		Offenses: offenses,
	}
	persons := 0
	newPerson := func() casegraph.Person {
		persons++
		birth := time.Date(1965+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		gender := "M"
		seq := 2*r.IntN(500) + 1 // odd: male
		if r.IntN(4) == 0 {
			gender, seq = "F", seq-1
		}
		first17 := fmt.Sprintf("330203%s%03d", birth.Format("20060102"), seq)
		check, err := ident.CheckDigit(first17)
		if err != nil {
			panic(err) // the inputs above are always 17 digits
		}
		return casegraph.Person{
			UID:       fmt.Sprintf("demo-person-%03d", persons),
			Name:      string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))],
			IDNumber:  first17 + string(check),
			BirthDate: &birth,
			Gender:    gender,
		}
	}
	prosSeq, courtSeq := 0, 0
	for i := 1; i <= PoliceCases; i++ {
		off := offenses[r.IntN(len(offenses))]
		street := streets[r.IntN(len(streets))]
		filed := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(600))
		police := casegraph.Case{
			UID:        fmt.Sprintf("demo-police-%03d", i),
			AgencyCode: PoliceCode,
			CaseNo:     fmt.Sprintf("A330203%s%04d", filed.Format("200601"), i),
			Kind:       casegraph.CasePolice,
			Title:      fmt.Sprintf("海曙区%s%s案", street, off.Name[:len(off.Name)-len("罪")]),
			Summary:    fmt.Sprintf("%s，犯罪嫌疑人在海曙区%s涉嫌%s，经立案侦查。", filed.Format("2006年1月2日"), street, off.Name),
			Stage:      casegraph.StageInvestigating,
			FiledAt:    &filed,
			District:   "海曙区",
		}
		suspects := []casegraph.Person{newPerson()}
		if r.IntN(3) == 0 {
			suspects = append(suspects, newPerson())
		}
		if r.IntN(10) == 0 {
			police.Sealed = true // 未成年人犯罪记录封存
		}
		g.Persons = append(g.Persons, suspects...)
		addParties := func(c casegraph.Case, role casegraph.Role) {
			for j, s := range suspects {
				g.Parties = append(g.Parties, neo4jdb.PartyRef{CaseUID: c.UID, PersonUID: s.UID, Role: role})
				g.Charges = append(g.Charges, neo4jdb.ChargeRef{
					UID: fmt.Sprintf("%s-charge-%d", c.UID, j+1), CaseUID: c.UID, PersonUID: s.UID, OffenseCode: off.Code,
				})
			}
		}
		addParties(police, casegraph.RoleSuspect)
		if off.Code == "CL264" || off.Code == "CL266" || off.Code == "CL234" {
			victim := newPerson()
			g.Persons = append(g.Persons, victim)
			g.Parties = append(g.Parties, neo4jdb.PartyRef{CaseUID: police.UID, PersonUID: victim.UID, Role: casegraph.RoleVictim})
		}

		// Two in three cases go on to the procuratorate, and most of those to
		// court.
		if i%3 == 0 {
			g.Cases = append(g.Cases, police)
			continue
		}
		prosSeq++
		sent := filed.AddDate(0, 1+r.IntN(3), r.IntN(20))
		police.Stage = casegraph.StageProsecutionReview
		pros := casegraph.Case{
			UID:        fmt.Sprintf("demo-pros-%03d", prosSeq),
			AgencyCode: ProcuratorateCode,
			CaseNo:     fmt.Sprintf("甬海检刑诉受〔%d〕%d号", sent.Year(), prosSeq),
			Kind:       casegraph.CaseProsecution,
			Title:      police.Title,
			Summary:    police.Summary + "公安机关侦查终结，移送审查起诉。",
			Stage:      casegraph.StageProsecutionReview,
			FiledAt:    &sent,
			District:   "海曙区",
			Sealed:     police.Sealed,
		}
		addParties(pros, casegraph.RoleSuspect)
		g.Transfers = append(g.Transfers, neo4jdb.TransferRef{
			HandoverUID: fmt.Sprintf("demo-handover-%s", pros.UID), Type: casegraph.HandoverProsecution,
			FromCaseUID: police.UID, ToCaseUID: pros.UID, At: sent.Add(9 * time.Hour),
		})
		if prosSeq%4 == 0 {
			g.Cases = append(g.Cases, police, pros)
			continue
		}
		courtSeq++
		indicted := sent.AddDate(0, 0, 20+r.IntN(25))
		pros.Stage = casegraph.StageIndicted
		court := casegraph.Case{
			UID:        fmt.Sprintf("demo-court-%03d", courtSeq),
			AgencyCode: CourtCode,
			CaseNo:     fmt.Sprintf("(%d)浙0203刑初%d号", indicted.Year(), courtSeq),
			Kind:       casegraph.CaseCourt,
			Title:      police.Title,
			Summary:    pros.Summary + "人民检察院提起公诉。",
			Stage:      casegraph.StageFirstInstance,
			FiledAt:    &indicted,
			District:   "海曙区",
			Sealed:     police.Sealed,
		}
		addParties(court, casegraph.RoleDefendant)
		g.Transfers = append(g.Transfers, neo4jdb.TransferRef{
			HandoverUID: fmt.Sprintf("demo-handover-%s", court.UID), Type: casegraph.HandoverIndictment,
			FromCaseUID: pros.UID, ToCaseUID: court.UID, At: indicted.Add(10 * time.Hour),
		})
		if courtSeq%3 == 0 {
			closed := indicted.AddDate(0, 2, 0)
			court.Stage, court.ClosedAt = casegraph.StageEffective, &closed
		}
		g.Cases = append(g.Cases, police, pros, court)
	}
	return g
}
