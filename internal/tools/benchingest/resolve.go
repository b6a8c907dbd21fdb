package main

import "slices"

// Entity resolution as casegraph does it after each batch: each person of
// the batch without an identity number gets POSSIBLY_SAME_AS candidates —
// same name and birth date (0.9), or same name and a shared object they
// USE (0.7) — from the smaller uid to the larger; a pair found again keeps
// its best score and gathers its reasons. The baseline finds them in the
// model instead of querying the graph.

type sameAs struct {
	score   float64
	reasons []string
}

var (
	reasonsBirth  = []string{"same name", "same birth date"}
	reasonsShared = []string{"same name", "shared phone or object"}
)

func (m *model) resolve(people []string) {
	for _, uid := range people {
		p := m.persons[uid]
		if p == nil || p.hasID || p.name == "" {
			continue
		}
		type cand struct {
			score   float64
			reasons [][]string
		}
		found := map[string]*cand{}
		add := func(q string, score float64, reasons []string) {
			c := found[q]
			if c == nil {
				c = &cand{}
				found[q] = c
			}
			c.score = max(c.score, score)
			c.reasons = append(c.reasons, reasons)
		}
		if p.birthDate != "" {
			for q := range m.byName[p.name] {
				if q != uid && m.persons[q].birthDate == p.birthDate {
					add(q, 0.9, reasonsBirth)
				}
			}
		}
		for o := range m.usesP[uid] {
			for q := range m.usesO[o] {
				if q != uid && m.persons[q].name == p.name {
					add(q, 0.7, reasonsShared)
				}
			}
		}
		for q, c := range found {
			pair := [2]string{uid, q}
			if q < uid {
				pair = [2]string{q, uid}
			}
			r := m.sameAs[pair]
			if r == nil {
				r = &sameAs{}
				m.sameAs[pair] = r
			}
			r.score = max(r.score, c.score)
			for _, rs := range c.reasons {
				for _, x := range rs {
					if !slices.Contains(r.reasons, x) {
						r.reasons = append(r.reasons, x)
					}
				}
			}
			m.out.sameAs[pair] = true
		}
	}
}
