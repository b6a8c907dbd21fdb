package neo4jdb

import (
	"math"
	"testing"
)

func TestBinomialUpperTail(t *testing.T) {
	for _, tt := range []struct {
		k, n int
		want float64
	}{
		{0, 5, 1},
		{3, 3, 0.125},
		{1, 1, 0.5},
		{2, 4, 11.0 / 16},
		{30, 32, 529.0 / 4294967296},
		{6, 5, 0},
	} {
		if got := BinomialUpperTail(tt.k, tt.n); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("P(X >= %d | n=%d) = %g, want %g", tt.k, tt.n, got, tt.want)
		}
	}
}
