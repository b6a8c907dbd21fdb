package search

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func uids(res *Result) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.UID)
	}
	sort.Strings(out)
	return out
}

func TestSearch(t *testing.T) {
	ix := newTestIndex(t, fixtureDocs())
	all := Scope{All: true}
	police := Scope{Agencies: []string{agPolice}}
	for _, tc := range []struct {
		name  string
		req   Request
		want  []string
		frag  string // a field whose fragment must mark want[0]'s match
		marks string // the text inside <mark> in that fragment
	}{
		{name: "phrase only where adjacent", req: Request{Query: `"酒后驾驶"`, Scope: all},
			want: []string{"c/330100JC/O1", "c/330211GA/A1"}, frag: "summary", marks: "酒后驾驶"},
		{name: "words apart do not match a word", req: Request{Query: "酒后驾驶", Scope: all},
			want: []string{"c/330100JC/O1", "c/330211GA/A1"}},
		{name: "separate words", req: Request{Query: "酒后 驾驶员", Scope: all},
			want: []string{"c/330211GA/A2"}},
		{name: "given name", req: Request{Query: "晓东", Scope: all},
			want: []string{"c/330211GA/A1", "p/33020319900101123X"}},
		{name: "name field, given name", req: Request{Query: "name:晓东", Scope: all},
			want: []string{"c/330211GA/A1", "p/33020319900101123X"}},
		{name: "name field, full name", req: Request{Query: "name:钱晓东 type:person", Scope: all},
			want: []string{"p/33020319900101123X"}, frag: "name", marks: "钱晓东"},
		{name: "name is a phrase", req: Request{Query: "name:东晓", Scope: all}},
		{name: "case number exact", req: Request{Query: "caseNo:" + courtCaseNo, Scope: all},
			want: []string{"c/330203FY/" + courtCaseNo}},
		{name: "case number full-width brackets", req: Request{Query: "caseNo:（2024）浙0203刑初123号", Scope: all},
			want: []string{"c/330203FY/" + courtCaseNo}},
		{name: "case number is not a prefix", req: Request{Query: "caseNo:(2024)浙0203刑初12号", Scope: all}},
		{name: "case number as a plain word", req: Request{Query: courtCaseNo, Scope: all},
			want: []string{"c/330203FY/" + courtCaseNo}},
		{name: "id number exact, lower-case x", req: Request{Query: "idNumber:33020319900101123x", Scope: all},
			want: []string{"c/330211GA/A1", "p/33020319900101123X"}},
		{name: "id number as a plain word", req: Request{Query: "330203198502023456", Scope: all},
			want: []string{"c/330203FY/" + courtCaseNo, "p/330203198502023456"}},
		{name: "id number is exact", req: Request{Query: "idNumber:3302031990010112", Scope: all}},
		{name: "agency", req: Request{Query: "agency:330203FY", Scope: all},
			want: []string{"c/330203FY/" + courtCaseNo, "p/330203198502023456"}},
		{name: "stage, lower case", req: Request{Query: "stage:indicted", Scope: all},
			want: []string{"c/330100JC/O1"}},
		{name: "charge with 罪", req: Request{Query: "charge:盗窃罪", Scope: all},
			want: []string{"c/330203FY/" + courtCaseNo}},
		{name: "charge without 罪", req: Request{Query: "charge:危险驾驶", Scope: all},
			want: []string{"c/330100JC/O1", "c/330211GA/A1"}},
		{name: "district", req: Request{Query: "district:镇海区", Scope: all},
			want: []string{"c/330211GA/A1", "c/330211GA/A2"}},
		{name: "exclusion", req: Request{Query: "驾驶 -赵某", Scope: all},
			want: []string{"c/330211GA/A1", "c/330211GA/A2"}},
		{name: "field exclusion", req: Request{Query: "驾驶 -district:镇海区", Scope: all},
			want: []string{"c/330100JC/O1"}},
		{name: "exclusion only", req: Request{Query: "-驾驶", Scope: all},
			want: []string{"c/330203FY/" + courtCaseNo, "p/330203198502023456", "p/33020319900101123X"}},
		{name: "scope", req: Request{Query: "驾驶", Scope: police},
			want: []string{"c/330211GA/A1", "c/330211GA/A2"}},
		{name: "scope, person", req: Request{Query: "王小明", Scope: police},
			want: []string{"c/330203FY/" + courtCaseNo, "p/330203198502023456"}},
		{name: "empty scope sees nothing", req: Request{Query: "驾驶"}},
		{name: "sealed never", req: Request{Query: "钱晓东 摩托车", Scope: all}},
		{name: "sealed person never", req: Request{Query: "钱晓明", Scope: all}},
		{name: "filter and words", req: Request{Query: "驾驶", Filter: Filter{Agencies: []string{agOther}}, Scope: all},
			want: []string{"c/330100JC/O1"}},
		{name: "filter types", req: Request{Query: "钱晓东", Filter: Filter{Types: []string{TypePerson}}, Scope: all},
			want: []string{"p/33020319900101123X"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.Highlight = tc.frag != ""
			res, err := ix.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, uids(res)); diff != "" {
				t.Errorf("hits (-want +got):\n%s", diff)
			}
			if res.Total != uint64(len(tc.want)) {
				t.Errorf("total %d, want %d", res.Total, len(tc.want))
			}
			if tc.frag == "" {
				return
			}
			for _, h := range res.Hits {
				if h.UID != tc.want[len(tc.want)-1] {
					continue
				}
				frag := strings.Join(h.Fragments[tc.frag], "")
				if got := markedText(frag); got != tc.marks {
					t.Errorf("%s fragment %q marks %q, want %q", tc.frag, frag, got, tc.marks)
				}
			}
		})
	}
}

// markedText concatenates the text inside <mark> elements.
func markedText(frag string) string {
	var b strings.Builder
	for {
		i := strings.Index(frag, "<mark>")
		if i < 0 {
			return b.String()
		}
		frag = frag[i+len("<mark>"):]
		j := strings.Index(frag, "</mark>")
		if j < 0 {
			return b.String()
		}
		b.WriteString(frag[:j])
		frag = frag[j+len("</mark>"):]
	}
}

func TestFacets(t *testing.T) {
	ix := newTestIndex(t, fixtureDocs())
	for _, tc := range []struct {
		name  string
		scope Scope
		want  map[string][]FacetCount
	}{
		{"all", Scope{All: true}, map[string][]FacetCount{
			FacetType:     {{"case", 4}, {"person", 2}},
			FacetAgency:   {{agPolice, 2}, {agOther, 1}, {agCourt, 1}},
			FacetKind:     {{"POLICE", 2}, {"COURT", 1}, {"PROSECUTION", 1}},
			FacetStage:    {{"ARREST_REVIEW", 1}, {"FIRST_INSTANCE", 1}, {"INDICTED", 1}, {"INVESTIGATING", 1}},
			FacetCharge:   {{"危险驾驶罪", 2}, {"交通肇事罪", 1}, {"盗窃罪", 1}},
			FacetDistrict: {{"镇海区", 2}, {"上城区", 1}, {"海曙区", 1}},
			FacetYear:     {{"2024", 4}},
		}},
		// the sealed 2023 case is in every scope and counted in none
		{"court", Scope{Agencies: []string{agCourt}}, map[string][]FacetCount{
			FacetType:     {{"case", 1}, {"person", 1}},
			FacetAgency:   {{agCourt, 1}},
			FacetKind:     {{"COURT", 1}},
			FacetStage:    {{"FIRST_INSTANCE", 1}},
			FacetCharge:   {{"盗窃罪", 1}},
			FacetDistrict: {{"海曙区", 1}},
			FacetYear:     {{"2024", 1}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Request{Filter: Filter{Types: []string{TypeCase, TypePerson}}, Scope: tc.scope, Facets: true})
			if err != nil {
				t.Fatal(err)
			}
			for name, counts := range res.Facets {
				if len(counts) == 0 {
					delete(res.Facets, name)
				}
			}
			if diff := cmp.Diff(tc.want, res.Facets); diff != "" {
				t.Errorf("facets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFacetsAndHighlightsOnlyWhenAsked checks that a request without Facets
// or Highlight gets neither, with the same hits and total as one that asks.
func TestFacetsAndHighlightsOnlyWhenAsked(t *testing.T) {
	ix := newTestIndex(t, fixtureDocs())
	ctx := context.Background()
	req := Request{Query: `"酒后驾驶"`, Scope: Scope{All: true}}
	bare, err := ix.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Facets, req.Highlight = true, true
	full, err := ix.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(bare.Facets) != 0 {
		t.Errorf("facets without Facets: %v", bare.Facets)
	}
	for _, h := range bare.Hits {
		if h.Fragments != nil {
			t.Errorf("%s: fragments without Highlight: %v", h.UID, h.Fragments)
		}
	}
	if len(full.Facets) == 0 {
		t.Error("no facets with Facets")
	}
	for _, h := range full.Hits {
		// the phrase is marked whole, not bigram by bigram
		if frag := strings.Join(h.Fragments[fSummary], ""); !strings.Contains(frag, "<mark>酒后驾驶</mark>") {
			t.Errorf("%s: summary fragment %q does not mark the phrase whole", h.UID, frag)
		}
	}
	if bare.Total != full.Total || bare.Total == 0 {
		t.Errorf("total %d without facets and highlights, %d with", bare.Total, full.Total)
	}
	if diff := cmp.Diff(uids(full), uids(bare)); diff != "" {
		t.Errorf("hits (-with +without):\n%s", diff)
	}
}
