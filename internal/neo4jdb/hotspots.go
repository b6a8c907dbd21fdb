package neo4jdb

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
)

// HotspotQuery asks where the visible cases happened.
type HotspotQuery struct {
	Grid      bool    // by grid cell; else by district
	Cell      float64 // the cell's side in degrees (GRID)
	From, To  *time.Time
	Charges   []string
	Districts []string
	Agencies  []string
	Suppress  bool // withhold counts 1 to SuppressBelow-1
}

// HotspotCell is one district or grid cell with its count; Count is nil
// when suppressed.
type HotspotCell struct {
	District                 string
	South, West, North, East float64
	Count                    *int
	Suppressed               bool
}

// Hotspots is the answer: cells, most cases first, and the visible cases
// without a position (GRID) or a district (DISTRICT).
type Hotspots struct {
	Cells              []HotspotCell
	Unplaced           int
	UnplacedSuppressed bool
	Truncated          bool
}

// MaxHotspotCells bounds an answer; the rest is cut and Truncated set.
const MaxHotspotCells = 10_000

const hotspotWhere = `
WHERE ($from IS NULL OR c.filedAt >= $from) AND ($to IS NULL OR c.filedAt <= $to) AND `

var hotspotDistrictQuery = `
MATCH (c:Case)` + hotspotWhere + visibleCase("c") + trendFilters + `
RETURN c.district AS district, count(c) AS n`

// hotspotGridQuery counts each visible case once per grid cell it has a
// location in (OCCURRED_AT, with lat and lon); cases with none are counted
// apart.
var hotspotGridQuery = `
MATCH (c:Case)` + hotspotWhere + visibleCase("c") + trendFilters + `
OPTIONAL MATCH (c)-[:OCCURRED_AT]->(l:Location)
WHERE l.lat IS NOT NULL AND l.lon IS NOT NULL
WITH c, l, CASE WHEN l IS NULL THEN null ELSE toInteger(floor(l.lat / $cell)) END AS row,
     CASE WHEN l IS NULL THEN null ELSE toInteger(floor(l.lon / $cell)) END AS col
RETURN row, col, count(DISTINCT c) AS n`

// CaseHotspots counts the visible cases by district or by grid cell.
func (db *DB) CaseHotspots(ctx context.Context, q HotspotQuery) (*Hotspots, error) {
	params := map[string]any{"agencies": orEmpty(q.Agencies), "districts": orEmpty(q.Districts), "charges": orEmpty(q.Charges),
		"from": nil, "to": nil, "cell": q.Cell}
	if q.From != nil {
		params["from"] = neo4j.DateOf(*q.From)
	}
	if q.To != nil {
		params["to"] = neo4j.DateOf(*q.To)
	}
	query := hotspotDistrictQuery
	if q.Grid {
		if q.Cell <= 0 || q.Cell > 10 || math.IsNaN(q.Cell) {
			return nil, casegraph.Errorf(casegraph.EINVALID, "cellDegrees must be above 0 and at most 10, not %v", q.Cell)
		}
		query = hotspotGridQuery
	}
	recs, err := db.read(ctx, query, scoped(ctx, params))
	if err != nil {
		return nil, fmt.Errorf("CaseHotspots: %w", err)
	}
	out := &Hotspots{}
	for _, r := range recs {
		n64, _ := get(r, "n").(int64)
		n := int(n64)
		var cell HotspotCell
		if q.Grid {
			row, ok1 := get(r, "row").(int64)
			col, ok2 := get(r, "col").(int64)
			if !ok1 || !ok2 {
				out.Unplaced += n
				continue
			}
			cell = HotspotCell{South: float64(row) * q.Cell, North: float64(row+1) * q.Cell,
				West: float64(col) * q.Cell, East: float64(col+1) * q.Cell}
		} else {
			d, _ := get(r, "district").(string)
			if d == "" {
				out.Unplaced += n
				continue
			}
			cell.District = d
		}
		if q.Suppress && n > 0 && n < SuppressBelow {
			cell.Suppressed = true
		} else {
			cell.Count = &n
		}
		out.Cells = append(out.Cells, cell)
	}
	if q.Suppress && out.Unplaced > 0 && out.Unplaced < SuppressBelow {
		out.Unplaced, out.UnplacedSuppressed = 0, true
	}
	sort.Slice(out.Cells, func(i, j int) bool {
		a, b := out.Cells[i], out.Cells[j]
		switch {
		case a.Suppressed != b.Suppressed:
			return b.Suppressed
		case a.Count != nil && b.Count != nil && *a.Count != *b.Count:
			return *a.Count > *b.Count
		case a.District != b.District:
			return a.District < b.District
		case a.South != b.South:
			return a.South < b.South
		}
		return a.West < b.West
	})
	if len(out.Cells) > MaxHotspotCells {
		out.Cells, out.Truncated = out.Cells[:MaxHotspotCells], true
	}
	return out, nil
}
