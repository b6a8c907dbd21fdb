package search

import (
	"context"
	"strings"
	"testing"

	"github.com/casegraph/casegraph"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []clause
	}{
		{"盗窃 镇海区", []clause{{pos: 1, value: "盗窃"}, {pos: 4, value: "镇海区"}}},
		{`"酒后驾驶"`, []clause{{pos: 1, value: "酒后驾驶", quoted: true}}},
		{`“酒后驾驶”　-盗窃`, []clause{{pos: 1, value: "酒后驾驶", quoted: true}, {pos: 8, neg: true, value: "盗窃"}}},
		{"caseNo:(2024)浙0203刑初123号", []clause{{pos: 1, field: "caseNo", value: "(2024)浙0203刑初123号"}}},
		{"CASENO：X1 -stage:indicted", []clause{{pos: 1, field: "caseNo", value: "X1"}, {pos: 11, neg: true, field: "stage", value: "indicted"}}},
		{`title:"危险 驾驶"`, []clause{{pos: 1, field: "title", value: "危险 驾驶", quoted: true}}},
		{"10:30", []clause{{pos: 1, value: "10:30"}}},
		{"  ", nil},
	} {
		got, err := parse(tc.in)
		if err != nil {
			t.Errorf("parse(%q): %v", tc.in, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("parse(%q) = %+v, want %+v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("parse(%q)[%d] = %+v, want %+v", tc.in, i, got[i], tc.want[i])
			}
		}
	}
}

// TestBadInput checks every rule of docs/search.md's bad-input table: the
// error is EINVALID, names the position when there is one, and says it in
// Chinese and English.
func TestBadInput(t *testing.T) {
	ix := newTestIndex(t, fixtureDocs())
	all := Scope{All: true}
	long := strings.Repeat("盗", MaxQueryRunes+1)
	for _, tc := range []struct {
		name string
		req  Request
		want []string // substrings of the message
	}{
		{"empty", Request{Scope: all}, []string{"请输入查询词", "query is empty"}},
		{"blank", Request{Query: " 　 ", Scope: all}, []string{"query is empty"}},
		{"too long", Request{Query: long, Scope: all}, []string{"查询过长", "at most 512"}},
		{"star only", Request{Query: "*", Scope: all}, []string{"第1个字符", "unsupported wildcard '*' at position 1"}},
		{"wildcard in word", Request{Query: "盗窃 钱*", Scope: all}, []string{"第5个字符", "position 5"}},
		{"unbalanced quote", Request{Query: `盗窃 "酒后驾驶`, Scope: all}, []string{"查询语法错误：第4个字符处引号未闭合", "unbalanced quote at position 4"}},
		{"unbalanced quote in field", Request{Query: `-title:"酒后`, Scope: all}, []string{"第8个字符处引号未闭合"}},
		{"unbalanced chinese quote", Request{Query: `“酒后驾驶`, Scope: all}, []string{"position 1"}},
		{"empty quotes", Request{Query: `盗窃 ""`, Scope: all}, []string{"empty quotes at position 4"}},
		{"unknown field", Request{Query: "盗窃 sealed:false", Scope: all}, []string{"第4个字符处的字段 sealed 不存在", "caseNo", "idNumber", "unknown field \"sealed\""}},
		{"unknown field scope", Request{Query: "scopeAgencies:330211GA", Scope: all}, []string{"unknown field"}},
		{"field without value", Request{Query: "name: 钱晓东", Scope: all}, []string{"第5个字符", "field name has no value at position 5"}},
		{"lone minus", Request{Query: "盗窃 - 钱", Scope: all}, []string{"nothing to exclude after '-' at position 4"}},
		{"bad stage", Request{Query: "stage:INDICTD", Scope: all}, []string{"INDICTD", "INDICTED"}},
		{"bad kind", Request{Query: "kind:police2", Scope: all}, []string{"POLICE, PROSECUTION, COURT"}},
		{"punctuation only", Request{Query: "，。", Scope: all}, []string{"nothing searchable"}},
		{"punctuation field value", Request{Query: "title:，", Scope: all}, []string{"position 1"}},
		{"page too large", Request{Query: "盗窃", First: MaxPageSize + 1, Scope: all}, []string{"first: 101 is out of range"}},
		{"negative page", Request{Query: "盗窃", First: -1, Scope: all}, []string{"out of range"}},
		{"bad sort", Request{Query: "盗窃", Sort: "NEWEST", Scope: all}, []string{"NEWEST"}},
		{"bad cursor", Request{Query: "盗窃", After: "not-a-cursor", Scope: all}, []string{"endCursor"}},
		{"bad filter kind", Request{Filter: Filter{Kinds: []casegraph.CaseKind{"POLICEX"}}, Scope: all}, []string{"POLICEX"}},
		{"bad filter stage", Request{Filter: Filter{Stages: []casegraph.Stage{"X"}}, Scope: all}, []string{"stage"}},
		{"bad filter type", Request{Filter: Filter{Types: []string{"file"}}, Scope: all}, []string{"file"}},
		{"dates reversed", Request{Filter: Filter{FiledFrom: day("2024-05-01"), FiledTo: day("2024-04-01")}, Scope: all}, []string{"after filedTo"}},
		{"invalid utf8", Request{Query: "盗窃\xff", Scope: all}, []string{"UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tc.req)
			if err == nil {
				t.Fatalf("no error; %d hits", len(res.Hits))
			}
			e := wantCode(t, err, casegraph.EINVALID)
			for _, w := range tc.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q does not contain %q", e.Message, w)
				}
			}
		})
	}
}

// TestCursorOfOtherSort: a cursor only continues the sort it came from.
func TestCursorOfOtherSort(t *testing.T) {
	ix := newTestIndex(t, fixtureDocs())
	ctx := context.Background()
	res, err := ix.Search(ctx, Request{Query: "驾驶", First: 1, Scope: Scope{All: true}})
	if err != nil || res.EndCursor == "" {
		t.Fatalf("%v, cursor %q", err, res.EndCursor)
	}
	_, err = ix.Search(ctx, Request{Query: "驾驶", First: 1, Sort: SortFiledDesc, After: res.EndCursor, Scope: Scope{All: true}})
	wantCode(t, err, casegraph.EINVALID)
}

// TestEmptyQueryWithFilter: with a filter, an empty query matches all.
func TestEmptyQueryWithFilter(t *testing.T) {
	ix := newTestIndex(t, fixtureDocs())
	res, err := ix.Search(context.Background(), Request{
		Filter: Filter{FiledFrom: day("2024-01-01"), FiledTo: day("2024-05-10")}, Scope: Scope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	// A1 (03-01), A2 (04-02), the court case (05-10: the bound is inclusive);
	// the sealed case is from 2023 anyway, O1 is after.
	if got := uids(res); strings.Join(got, " ") != "c/330203FY/"+courtCaseNo+" c/330211GA/A1 c/330211GA/A2" {
		t.Errorf("filed in range: %v", got)
	}
}

// FuzzSearch: no query string makes the parser, the query builder or the
// search panic, and every error is EINVALID.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"盗窃", `"酒后驾驶"`, "caseNo:(2024)浙0203刑初123号", "-name:钱晓东", "*", `"`, "a:",
		"-", "：：", "stage:indicted -\"x\"", "year:2024 -驾驶", "title:\"危险 驾驶\" charges:盗窃", "－盗窃", "k粉"} {
		f.Add(s)
	}
	ix := newTestIndex(f, fixtureDocs())
	f.Fuzz(func(t *testing.T, s string) {
		_, err := ix.Search(context.Background(), Request{Query: s, Scope: Scope{Agencies: []string{agPolice}}})
		if err != nil && casegraph.ErrorCode(err) != casegraph.EINVALID {
			t.Errorf("Search(%q): %v", s, err)
		}
	})
}
