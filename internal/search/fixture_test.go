package search

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
)

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// Agencies of the fixture.
const (
	agPolice = "330211GA" // 宁波市公安局镇海分局
	agCourt  = "330203FY" // 海曙区人民法院
	agOther  = "330100JC"
)

const courtCaseNo = "(2024)浙0203刑初123号"

// fixtureDocs is a small hand-made world: two police cases about drink
// driving (one with the phrase, one with the words apart), a court case, a
// sealed case that mentions the same person, and people.
func fixtureDocs() []Doc {
	return []Doc{
		&CaseDoc{
			UID: "c/330211GA/A1", CaseNo: "甬镇公刑立字〔2024〕0001号", AgencyCode: agPolice,
			Kind: casegraph.CasePolice, Stage: casegraph.StageInvestigating,
			Charges: []string{"危险驾驶罪"}, District: "镇海区", FiledAt: day("2024-03-01"),
			Title:   "钱晓东危险驾驶案",
			Summary: "犯罪嫌疑人钱晓东于2024年2月28日晚酒后驾驶小型轿车，在镇海区骆驼街道被民警查获，血液酒精含量为156mg/100ml。",
			Persons: []string{"钱晓东"}, IDNumbers: []string{"33020319900101123X"},
			ScopeAgencies: []string{agPolice},
		},
		&CaseDoc{
			UID: "c/330211GA/A2", CaseNo: "甬镇公刑立字〔2024〕0002号", AgencyCode: agPolice,
			Kind: casegraph.CasePolice, Stage: casegraph.StageArrestReview,
			Charges: []string{"交通肇事罪"}, District: "镇海区", FiledAt: day("2024-04-02"),
			Title:         "张某交通肇事案",
			Summary:       "张某在聚餐时饮酒后，次日驾驶货车发生事故；另查明当晚其酒后，驾驶员李某代驾。",
			Persons:       []string{"张某", "李某"},
			ScopeAgencies: []string{agPolice},
		},
		&CaseDoc{
			UID: "c/330203FY/" + courtCaseNo, CaseNo: courtCaseNo, AgencyCode: agCourt,
			Kind: casegraph.CaseCourt, Stage: casegraph.StageFirstInstance,
			Charges: []string{"盗窃罪"}, District: "海曙区", FiledAt: day("2024-05-10"),
			Title:   "王小明盗窃案",
			Summary: "被告人王小明多次在海曙区某商场盗窃财物，价值人民币八千元。",
			Persons: []string{"王小明"}, IDNumbers: []string{"330203198502023456"},
			ScopeAgencies: []string{agCourt, agPolice},
		},
		&CaseDoc{
			UID: "c/330211GA/S1", CaseNo: "甬镇公刑立字〔2023〕0099号", AgencyCode: agPolice,
			Kind: casegraph.CasePolice, Stage: casegraph.StageClosed,
			Charges: []string{"危险驾驶罪"}, District: "镇海区", FiledAt: day("2023-01-15"),
			Title:   "钱晓东酒后驾驶案（未成年）",
			Summary: "钱晓东酒后驾驶摩托车，犯罪记录已封存。",
			Persons: []string{"钱晓东"}, IDNumbers: []string{"33020319900101123X"},
			Sealed: true, ScopeAgencies: []string{agPolice, agCourt, agOther},
		},
		&CaseDoc{
			UID: "c/330100JC/O1", CaseNo: "杭检刑诉〔2024〕1号", AgencyCode: agOther,
			Kind: casegraph.CaseProsecution, Stage: casegraph.StageIndicted,
			Charges: []string{"危险驾驶罪"}, District: "上城区", FiledAt: day("2024-06-01"),
			Title:         "赵某危险驾驶案",
			Summary:       "赵某酒后驾驶机动车。",
			Persons:       []string{"赵某"},
			ScopeAgencies: []string{agOther},
		},
		&PersonDoc{UID: "p/33020319900101123X", Name: "钱晓东", IDNumber: "33020319900101123X",
			Agencies: []string{agPolice}, ScopeAgencies: []string{agPolice}},
		&PersonDoc{UID: "p/330203198502023456", Name: "王小明", IDNumber: "330203198502023456",
			Agencies: []string{agCourt}, ScopeAgencies: []string{agCourt, agPolice}},
		&PersonDoc{UID: "p/sealed", Name: "钱晓明", Agencies: []string{agPolice},
			ScopeAgencies: []string{agPolice}, Sealed: true},
	}
}

func newTestIndex(tb testing.TB, docs []Doc) *Index {
	tb.Helper()
	ix, err := Open(filepath.Join(tb.TempDir(), "idx"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Index(context.Background(), docs); err != nil {
		tb.Fatal(err)
	}
	return ix
}

// dataDir finds the shared data folder: $CASEGRAPH_SHARED_DATA, else
// ../shared/data beside the module root.
func dataDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("CASEGRAPH_SHARED_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(d); err != nil {
				tb.Fatalf("shared data (../shared/data beside the checkout, or $CASEGRAPH_SHARED_DATA): %v", err)
			}
			return d
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("shared data: no go.mod above the working directory")
		}
		dir = parent
	}
}

// cailFact is one cail2018 record as the tests use it.
type cailFact struct {
	Fact string `json:"fact"`
	Meta struct {
		Accusation []string `json:"accusation"`
	} `json:"meta"`
}

// cailDocs reads the first n cail2018 facts as court cases of three
// agencies, filed on dates that repeat (so the date sort has ties).
func cailDocs(tb testing.TB, n int) ([]Doc, []cailFact) {
	tb.Helper()
	f, err := os.Open(filepath.Join(dataDir(tb), "cail2018", "facts.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var docs []Doc
	var facts []cailFact
	agencies := []string{agPolice, agCourt, agOther}
	for len(docs) < n && sc.Scan() {
		var c cailFact
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatal(err)
		}
		i := len(docs)
		var charges []string
		for _, a := range c.Meta.Accusation {
			charges = append(charges, a+"罪")
		}
		d := &CaseDoc{
			UID: fmt.Sprintf("c/cail/%04d", i), CaseNo: fmt.Sprintf("(2018)cail%04d号", i),
			AgencyCode: agencies[i%3], Kind: casegraph.CaseCourt, Stage: casegraph.StageEffective,
			Charges: charges, District: "测试区", Summary: c.Fact,
			ScopeAgencies: []string{agencies[i%3]},
			Sealed:        i%17 == 0,
		}
		if i%10 != 0 { // every tenth has no filed date
			d.FiledAt = day(fmt.Sprintf("2018-%02d-01", 1+i%12))
		}
		docs = append(docs, d)
		facts = append(facts, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(docs) < n {
		tb.Fatalf("cail2018: %d facts, want %d", len(docs), n)
	}
	return docs, facts
}

// wantCode fails unless err is a *casegraph.Error with the code.
func wantCode(tb testing.TB, err error, code string) *casegraph.Error {
	tb.Helper()
	var e *casegraph.Error
	if !errors.As(err, &e) || e.Code != code {
		tb.Fatalf("error %v, want a *casegraph.Error with code %s", err, code)
	}
	return e
}
