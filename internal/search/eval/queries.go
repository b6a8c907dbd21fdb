package eval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sources of evaluation documents.
const (
	SourceCAIL2018 = "cail2018"
	SourceCAIL2022 = "cail2022"
)

// Query classes. ClassMasked is a diagnostic: it is reported but left out of
// the overall averages (see BuildQueries).
const (
	ClassCharge    = "charge"
	ClassDrug      = "entity-drug"
	ClassPlace     = "entity-place"
	ClassName      = "name-full"
	ClassGivenName = "name-given"
	ClassMasked    = "name-masked"
)

// Classes lists the query classes in report order.
var Classes = []string{ClassCharge, ClassDrug, ClassPlace, ClassName, ClassGivenName, ClassMasked}

// Doc is one evaluation document.
type Doc struct {
	ID     string
	Source string
	Text   string
	// Charges are cail2018 meta.accusation values (without 罪).
	Charges []string
	// Criminals are cail2018 meta.criminals (defendants).
	Criminals []string
	// Entities are cail2022 entity mentions: label → mention texts.
	Entities map[string][]string
}

// Query is one labelled query. Relevant holds the ids of the relevant
// documents; Source restricts the query to the documents of one source.
type Query struct {
	ID       string
	Class    string
	Text     string
	Source   string
	Relevant map[string]bool
}

// Limits caps the number of queries per class (0: no cap).
type Limits struct {
	Charges, Drugs, Places, Names, Masked int
}

// DefaultLimits are the caps used for docs/search.md.
var DefaultLimits = Limits{Charges: 60, Drugs: 40, Places: 60, Names: 100, Masked: 40}

// DataDir finds the shared data folder: $CASEGRAPH_SHARED_DATA, else
// ../shared/data beside the module root (found by walking up from the
// working directory to go.mod).
func DataDir() (string, error) {
	if d := os.Getenv("CASEGRAPH_SHARED_DATA"); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(d); err != nil {
				return "", fmt.Errorf("shared data: %w", err)
			}
			return d, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("shared data: no go.mod above the working directory")
		}
		dir = parent
	}
}

func readJSONL(path string, fn func(line int, raw []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		if err := fn(line, sc.Bytes()); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	return sc.Err()
}

// LoadCAIL2018 reads cail2018 facts.jsonl; a fact's id is "cail2018-" and
// its 1-based line number.
func LoadCAIL2018(path string) ([]Doc, error) {
	var docs []Doc
	err := readJSONL(path, func(line int, raw []byte) error {
		var r struct {
			Fact string `json:"fact"`
			Meta struct {
				Accusation []string `json:"accusation"`
				Criminals  []string `json:"criminals"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		docs = append(docs, Doc{
			ID: fmt.Sprintf("%s-%04d", SourceCAIL2018, line), Source: SourceCAIL2018, Text: r.Fact,
			Charges: r.Meta.Accusation, Criminals: r.Meta.Criminals,
		})
		return nil
	})
	return docs, err
}

// LoadCAIL2022 reads cail2022-drug-ie train.jsonl; a paragraph's id is
// "cail2022-" articleId "-" sentId.
func LoadCAIL2022(path string) ([]Doc, error) {
	var docs []Doc
	err := readJSONL(path, func(line int, raw []byte) error {
		var r struct {
			ArticleID int    `json:"articleId"`
			SentID    int    `json:"sentId"`
			Text      string `json:"sentText"`
			Mentions  []struct {
				Text  string `json:"text"`
				Label string `json:"label"`
			} `json:"entityMentions"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		d := Doc{
			ID: fmt.Sprintf("%s-%d-%d", SourceCAIL2022, r.ArticleID, r.SentID), Source: SourceCAIL2022,
			Text: r.Text, Entities: map[string][]string{},
		}
		for _, m := range r.Mentions {
			d.Entities[m.Label] = append(d.Entities[m.Label], m.Text)
		}
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

// LoadAll reads both corpora from the shared data folder.
func LoadAll(dataDir string) ([]Doc, error) {
	a, err := LoadCAIL2018(filepath.Join(dataDir, "cail2018", "facts.jsonl"))
	if err != nil {
		return nil, err
	}
	b, err := LoadCAIL2022(filepath.Join(dataDir, "cail2022-drug-ie", "train.jsonl"))
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}

// ChargeQuery turns a cail2018 charge label into what a person types: the
// label has no 罪 already; of each bracketed group of alternatives the first
// is kept, so "[走私、贩卖、运输、制造]毒品" becomes "走私毒品" and
// "非法[持有、私藏][枪支、弹药]" becomes "非法持有枪支".
func ChargeQuery(charge string) string {
	var b strings.Builder
	for rest := charge; rest != ""; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], ']')
		if j < 0 {
			b.WriteString(rest[i+1:])
			break
		}
		group := rest[i+1 : i+j]
		first, _, _ := strings.Cut(group, "、")
		b.WriteString(first)
		rest = rest[i+j+1:]
	}
	return strings.TrimSuffix(b.String(), "罪")
}

// Normalize folds width and case: the form used to decide whether a text
// contains an entity or a name (the analyzers fold the same way).
func Normalize(s string) string {
	b, _ := fold([]byte(s))
	return strings.ToLower(string(b))
}

// IsMasked reports whether a defendant name is masked by the publisher
// (李×1, 林某某, 王某甲, 张X).
func IsMasked(name string) bool {
	return strings.ContainsAny(name, "某×xX*＊○Ｘｘ")
}

func allHanString(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// cleanMasked keeps masked names made only of Han characters, 某, × and
// digits (drops junk such as a trailing bracket left by the publisher).
func cleanMasked(s string) bool {
	if !IsMasked(s) || utf8.RuneCountInString(s) < 2 {
		return false
	}
	for _, r := range s {
		if !(unicode.Is(unicode.Han, r) || r == '×' || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// sample sorts keys by FNV-1a hash (a deterministic shuffle) and keeps n.
func sample(keys []string, n int) []string {
	sort.Slice(keys, func(i, j int) bool {
		hi, hj := hash(keys[i]), hash(keys[j])
		if hi != hj {
			return hi < hj
		}
		return keys[i] < keys[j]
	})
	if n > 0 && len(keys) > n {
		keys = keys[:n]
	}
	sort.Strings(keys)
	return keys
}

func containing(docs []Doc, source, needle string) map[string]bool {
	rel := map[string]bool{}
	n := Normalize(needle)
	for _, d := range docs {
		if d.Source == source && strings.Contains(Normalize(d.Text), n) {
			rel[d.ID] = true
		}
	}
	return rel
}

// BuildQueries builds the labelled query set from the documents. It is
// deterministic: every sample is a sort by FNV-1a hash of the query text.
//
//   - charge: each cail2018 charge label (the most frequent lim.Charges),
//     typed as ChargeQuery gives it; relevant = the facts labelled with that
//     charge (per-document labels: a fact about 盗窃 that mentions 诈骗 in
//     passing is not relevant to 诈骗).
//   - entity-drug, entity-place: distinct cail2022 NDR and Ns mention texts
//     (quotes trimmed, width and case folded, at least two characters,
//     masked places such as 某某市 left out; up to lim.Drugs and lim.Places
//     sampled); relevant = the paragraphs whose folded text contains the
//     string, whether or not the annotators marked that occurrence.
//   - name-full: unmasked cail2018 defendant names (all Han characters, no
//     某 or ×); relevant = the facts whose text contains the name.
//   - name-given: the same names without the one-character surname, for
//     names of three or more characters (a one-character given name is not
//     a search anyone makes); relevant = the facts containing the full name,
//     that is, the person looked for.
//   - name-masked (diagnostic, not in the overall average): masked names
//     such as 林某某 or 李×1 are the publisher's placeholders, not people:
//     the same string stands for different people in different judgments,
//     and casegraph's own records will carry real names. They are reported
//     to show how each analyzer handles the mask characters, with relevant
//     = the facts containing the string.
//
// Queries with no relevant document are dropped.
func BuildQueries(docs []Doc, lim Limits) []Query {
	var qs []Query
	add := func(class, text, source string, rel map[string]bool) {
		if len(rel) == 0 {
			return
		}
		qs = append(qs, Query{
			ID: fmt.Sprintf("%s-%03d", class, countClass(qs, class)+1), Class: class,
			Text: text, Source: source, Relevant: rel,
		})
	}

	// charges, most frequent first (ties by label)
	chargeDocs := map[string]map[string]bool{}
	for _, d := range docs {
		for _, c := range d.Charges {
			if chargeDocs[c] == nil {
				chargeDocs[c] = map[string]bool{}
			}
			chargeDocs[c][d.ID] = true
		}
	}
	charges := make([]string, 0, len(chargeDocs))
	for c := range chargeDocs {
		charges = append(charges, c)
	}
	sort.Slice(charges, func(i, j int) bool {
		ni, nj := len(chargeDocs[charges[i]]), len(chargeDocs[charges[j]])
		if ni != nj {
			return ni > nj
		}
		return charges[i] < charges[j]
	})
	if lim.Charges > 0 && len(charges) > lim.Charges {
		charges = charges[:lim.Charges]
	}
	sort.Strings(charges)
	for _, c := range charges {
		add(ClassCharge, ChargeQuery(c), SourceCAIL2018, chargeDocs[c])
	}

	// cail2022 entities
	for _, e := range []struct {
		label, class string
		n            int
	}{{"NDR", ClassDrug, lim.Drugs}, {"Ns", ClassPlace, lim.Places}} {
		seen := map[string]bool{}
		var texts []string
		for _, d := range docs {
			for _, m := range d.Entities[e.label] {
				t := Normalize(strings.Trim(strings.TrimSpace(m), "“”\"'‘’《》「」"))
				if utf8.RuneCountInString(t) < 2 || IsMasked(t) || seen[t] {
					continue
				}
				seen[t] = true
				texts = append(texts, t)
			}
		}
		for _, t := range sample(texts, e.n) {
			add(e.class, t, SourceCAIL2022, containing(docs, SourceCAIL2022, t))
		}
	}

	// defendant names
	seenName := map[string]bool{}
	var names, masked []string
	for _, d := range docs {
		for _, n := range d.Criminals {
			n = strings.TrimSpace(n)
			if seenName[n] {
				continue
			}
			seenName[n] = true
			switch {
			case cleanMasked(n):
				masked = append(masked, n)
			case !IsMasked(n) && allHanString(n) && utf8.RuneCountInString(n) >= 2:
				names = append(names, n)
			}
		}
	}
	names = sample(names, lim.Names)
	for _, n := range names {
		add(ClassName, n, SourceCAIL2018, containing(docs, SourceCAIL2018, n))
	}
	for _, n := range names {
		if utf8.RuneCountInString(n) < 3 {
			continue
		}
		_, size := utf8.DecodeRuneInString(n)
		add(ClassGivenName, n[size:], SourceCAIL2018, containing(docs, SourceCAIL2018, n))
	}
	for _, n := range sample(masked, lim.Masked) {
		add(ClassMasked, n, SourceCAIL2018, containing(docs, SourceCAIL2018, n))
	}
	return qs
}

func countClass(qs []Query, class string) int {
	n := 0
	for _, q := range qs {
		if q.Class == class {
			n++
		}
	}
	return n
}
