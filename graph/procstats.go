package graph

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// ProcStatsStore computes case-handling statistics.
type ProcStatsStore interface {
	ProcedureStats(ctx context.Context, q neo4jdb.ProcStatsQuery) (*neo4jdb.ProcStats, error)
}

func (r *queryResolver) procedureStats(ctx context.Context, filter *model.ProcedureStatsFilter, interval *model.Interval) (*model.ProcedureStats, error) {
	ps, ok := r.Store.(ProcStatsStore)
	if !ok {
		return nil, fmt.Errorf("procedureStats: the store %T computes no statistics", r.Store)
	}
	q := neo4jdb.ProcStatsQuery{Interval: neo4jdb.IntervalYear, Now: time.Now()}
	if interval != nil {
		q.Interval = neo4jdb.TrendInterval(*interval)
	}
	if filter != nil {
		q.From, q.To, q.Agencies, q.Districts = filter.From, filter.To, filter.Agencies, filter.Districts
	}
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		return nil, casegraph.Errorf(casegraph.EINVALID, "filter.to is before filter.from")
	}
	suppress := !casegraph.ScopeFrom(ctx).SmallCounts
	st, err := ps.ProcedureStats(ctx, q)
	if err != nil {
		return nil, err
	}
	return procStatsModel(st, suppress), nil
}

// shown is a count as the caller may see it: nil when 1 to 4 are withheld.
func shown(n int, suppress bool) *int {
	if suppress && n > 0 && n < neo4jdb.SuppressBelow {
		return nil
	}
	return &n
}

// rate is num/den, nil without a denominator or when either is withheld.
func rate(num, den *int) *float64 {
	if num == nil || den == nil || *den == 0 {
		return nil
	}
	v := float64(*num) / float64(*den)
	return &v
}

func dayStats(days neo4jdb.DayHist, suppress bool) *model.DayStats {
	out := &model.DayStats{Count: days.Count()}
	if suppress && out.Count < neo4jdb.SuppressBelow {
		return out
	}
	out.Median = days.Quantile(0.5)
	out.P90 = days.Quantile(0.9)
	return out
}

func procStatsModel(st *neo4jdb.ProcStats, suppress bool) *model.ProcedureStats {
	out := &model.ProcedureStats{Rows: []model.ProcedureStatsRow{}, Overdue: []model.AgencyCount{}}
	for _, x := range st.Rows {
		notPros := 0
		var subtypes []string
		for s, n := range x.NotProsecuted {
			notPros += n
			subtypes = append(subtypes, s)
		}
		sort.Strings(subtypes)
		approved, denied := shown(x.ArrestApproved, suppress), shown(x.ArrestDenied, suppress)
		arrests := shown(x.ArrestApproved+x.ArrestDenied, suppress)
		if approved == nil || denied == nil {
			arrests = nil
		}
		pros, np := shown(x.Prosecuted, suppress), shown(notPros, suppress)
		decided := shown(x.Prosecuted+notPros, suppress)
		if pros == nil || np == nil {
			decided = nil
		}
		cases, once, twice := shown(x.ProsecutionCases, suppress), shown(x.ReturnedOnce, suppress), shown(x.ReturnedTwice, suppress)
		judg, conv := shown(x.Judgments, suppress), shown(x.Convictions, suppress)
		row := model.ProcedureStatsRow{Agency: x.Agency, PeriodStart: x.Period,
			ArrestApproved: approved, ArrestDenied: denied, ArrestApprovalRate: rate(approved, arrests), NonArrestRate: rate(denied, arrests),
			ProsecutionCases: cases, ReturnedOnce: once, ReturnedTwice: twice,
			SupplementaryRate: rate(once, cases), SecondSupplementaryRate: rate(twice, once),
			Prosecuted: pros, NotProsecuted: np, NonProsecutionRate: rate(np, decided),
			PleaShare: rate(shown(x.PleaProsecuted, suppress), pros),
			Judgments: judg, Convictions: conv, ConvictionRate: rate(conv, judg),
			ArrestReviewDays: dayStats(x.ArrestReviewDays, suppress), ProsecutionReviewDays: dayStats(x.ProsecutionReviewDays, suppress),
			TrialDays: dayStats(x.TrialDays, suppress), NotProsecutedBySubtype: []model.SubtypeCount{}}
		for _, s := range subtypes {
			row.NotProsecutedBySubtype = append(row.NotProsecutedBySubtype, model.SubtypeCount{Subtype: s, Count: shown(x.NotProsecuted[s], suppress)})
		}
		out.Rows = append(out.Rows, row)
	}
	var agencies []string
	for a := range st.Overdue {
		agencies = append(agencies, a)
	}
	sort.Strings(agencies)
	for _, a := range agencies {
		out.Overdue = append(out.Overdue, model.AgencyCount{Agency: a, Cases: shown(st.Overdue[a], suppress)})
	}
	return out
}
