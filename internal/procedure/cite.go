package procedure

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Laws maps the instrument codes of the domain reference (§0.1 of
// shared/domain/criminal-procedure.md) to the name a Chinese citation uses.
// The Criminal Procedure Law, the Criminal Law and the Organic Law are cited
// by their short names, as courts and procuratorates do; the judicial
// interpretations and the ministry's rules by their full titles.
var Laws = map[string]string{
	"CPL": "刑事诉讼法",
	"CL":  "刑法",
	"SPC": "最高人民法院《关于适用〈中华人民共和国刑事诉讼法〉的解释》",
	"SPP": "《人民检察院刑事诉讼规则》",
	"MPS": "《公安机关办理刑事案件程序规定》",
	"ADM": "《行政执法机关移送涉嫌犯罪案件的规定》",
	"PO":  "人民检察院组织法",
}

const chineseDigits = "零一二三四五六七八九"

// Numeral writes n (0 to 9999) in Chinese numerals the way statutes number
// their articles: 10 十, 16 十六, 105 一百零五, 110 一百一十, 1010 一千零一十.
// Other values are written in Arabic digits.
func Numeral(n int) string {
	if n < 0 || n > 9999 {
		return strconv.Itoa(n)
	}
	digit := func(d int) string { return string([]rune(chineseDigits)[d]) }
	if n < 10 {
		return digit(n)
	}
	if n < 20 {
		if n == 10 {
			return "十"
		}
		return "十" + digit(n-10)
	}
	var b strings.Builder
	zero, started := false, false
	for _, u := range []struct {
		v int
		s string
	}{{1000, "千"}, {100, "百"}, {10, "十"}, {1, ""}} {
		d := n / u.v % 10
		if d == 0 {
			if started {
				zero = true
			}
			continue
		}
		if zero {
			b.WriteString("零")
			zero = false
		}
		b.WriteString(digit(d))
		b.WriteString(u.s)
		started = true
	}
	return b.String()
}

// Citation converts an article reference in the compact form of the domain
// reference to the form a Chinese reader expects:
//
//	"CPL 172(1)"             刑事诉讼法第一百七十二条第一款
//	"CPL 16（二）"            刑事诉讼法第十六条第二项
//	"CPL 91(1)-(2); MPS 129" 刑事诉讼法第九十一条第一款、第二款；《公安机关办理刑事案件程序规定》第一百二十九条
//	"MPS 175–177"            《公安机关办理刑事案件程序规定》第一百七十五条至第一百七十七条
//	"CL 133之一(1)"           刑法第一百三十三条之一第一款
//
// Parenthesised Arabic numbers are paragraphs (款), parenthesised Chinese
// numerals are items (项), either bracket width is accepted. Groups are
// separated by ";", articles of one group by ","; consecutive groups of one
// instrument are merged. A reference to an instrument not in Laws is an error:
// such rules carry their citation in the data.
func Citation(ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", fmt.Errorf("citation: empty reference")
	}
	r := strings.NewReplacer("（", "(", "）", ")", "–", "-", "—", "-", "，", ",", "；", ";")
	ref = r.Replace(ref)
	var out []string
	lastLaw := ""
	for _, group := range strings.Split(ref, ";") {
		group = strings.TrimSpace(group)
		code, rest, ok := strings.Cut(group, " ")
		if !ok {
			return "", fmt.Errorf("citation %q: %q has no article number", ref, group)
		}
		name, ok := Laws[code]
		if !ok {
			return "", fmt.Errorf("citation %q: unknown instrument %q (known: CPL, CL, SPC, SPP, MPS, ADM, PO)", ref, code)
		}
		var arts []string
		for _, item := range strings.Split(rest, ",") {
			s, err := citeArticle(strings.TrimSpace(item))
			if err != nil {
				return "", fmt.Errorf("citation %q: %w", ref, err)
			}
			arts = append(arts, s)
		}
		if code == lastLaw {
			out[len(out)-1] += "、" + strings.Join(arts, "、")
		} else {
			out = append(out, name+strings.Join(arts, "、"))
		}
		lastLaw = code
	}
	return strings.Join(out, "；"), nil
}

// MustCitation is Citation for references known to be well formed; it panics
// on a malformed one.
func MustCitation(ref string) string {
	s, err := Citation(ref)
	if err != nil {
		panic(err)
	}
	return s
}

// citeArticle converts one article with its paragraphs and items, e.g.
// "236(1)(一)(二)", "175-177", "219(1)(一)-(三)", "133之一(1)".
func citeArticle(s string) (string, error) {
	p := &citeParser{s: []rune(s)}
	a, err := p.article()
	if err != nil {
		return "", err
	}
	res := articleText(a)
	if p.peek() == '-' && p.peekAt(1) != '(' {
		p.i++
		b, err := p.article()
		if err != nil {
			return "", err
		}
		res += rangeSep(a.n, b.n) + articleText(b)
	}
	var paras, items [][2]string // each element: first and, for a range, last
	var paraNums, itemNums [][2]int
	for p.peek() == '(' {
		tok, num, chinese, err := p.bracket()
		if err != nil {
			return "", err
		}
		el := [2]string{tok, ""}
		nums := [2]int{num, 0}
		if p.peek() == '-' {
			p.i++
			tok2, num2, chinese2, err := p.bracket()
			if err != nil {
				return "", err
			}
			if chinese2 != chinese {
				return "", fmt.Errorf("%q: a range mixes a paragraph and an item", s)
			}
			el[1], nums[1] = tok2, num2
		}
		if chinese {
			items = append(items, el)
			itemNums = append(itemNums, nums)
		} else {
			if len(items) > 0 {
				return "", fmt.Errorf("%q: a paragraph after an item", s)
			}
			paras = append(paras, el)
			paraNums = append(paraNums, nums)
		}
	}
	if p.i != len(p.s) {
		return "", fmt.Errorf("%q: unexpected %q", s, string(p.s[p.i:]))
	}
	for i, el := range paras {
		if i > 0 {
			res += "、"
		}
		res += "第" + el[0] + "款"
		if el[1] != "" {
			res += rangeSep(paraNums[i][0], paraNums[i][1]) + "第" + el[1] + "款"
		}
	}
	for i, el := range items {
		if i > 0 {
			res += "、"
		}
		res += "第" + el[0] + "项"
		if el[1] != "" {
			res += rangeSep(itemNums[i][0], itemNums[i][1]) + "第" + el[1] + "项"
		}
	}
	return res, nil
}

type citeArt struct {
	n      int
	suffix string // 之一, 之二 …
}

func articleText(a citeArt) string { return "第" + Numeral(a.n) + "条" + a.suffix }

// rangeSep joins two neighbours with 、 and a longer range with 至.
func rangeSep(a, b int) string {
	if b == a+1 {
		return "、"
	}
	return "至"
}

type citeParser struct {
	s []rune
	i int
}

func (p *citeParser) peek() rune { return p.peekAt(0) }

func (p *citeParser) peekAt(k int) rune {
	if p.i+k < len(p.s) {
		return p.s[p.i+k]
	}
	return 0
}

func (p *citeParser) number() (int, error) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if start == p.i {
		return 0, fmt.Errorf("%q: expected an article number at %q", string(p.s), string(p.s[start:]))
	}
	return strconv.Atoi(string(p.s[start:p.i]))
}

func (p *citeParser) article() (citeArt, error) {
	n, err := p.number()
	if err != nil {
		return citeArt{}, err
	}
	a := citeArt{n: n}
	if p.peek() == '之' {
		start := p.i
		p.i++
		for p.i < len(p.s) && isChineseNumeral(p.s[p.i]) {
			p.i++
		}
		if p.i == start+1 {
			return citeArt{}, fmt.Errorf("%q: 之 without a numeral", string(p.s))
		}
		a.suffix = string(p.s[start:p.i])
	}
	return a, nil
}

// bracket reads "(2)" (a paragraph) or "(二)" (an item).
func (p *citeParser) bracket() (tok string, num int, chinese bool, err error) {
	if p.peek() != '(' {
		return "", 0, false, fmt.Errorf("%q: expected ( at %q", string(p.s), string(p.s[p.i:]))
	}
	p.i++
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ')' {
		p.i++
	}
	if p.i == len(p.s) {
		return "", 0, false, fmt.Errorf("%q: unclosed bracket", string(p.s))
	}
	inner := string(p.s[start:p.i])
	p.i++
	if n, err := strconv.Atoi(inner); err == nil && n > 0 {
		return Numeral(n), n, false, nil
	}
	if inner == "" {
		return "", 0, false, fmt.Errorf("%q: empty bracket", string(p.s))
	}
	n, ok := chineseValue(inner)
	if !ok {
		return "", 0, false, fmt.Errorf("%q: %q is neither a paragraph nor an item number", string(p.s), inner)
	}
	return inner, n, true, nil
}

// chineseValue reads the item numerals 一 to 九十九.
func chineseValue(s string) (int, bool) {
	for n := 1; n < 100; n++ {
		if Numeral(n) == s {
			return n, true
		}
	}
	return 0, false
}

func isChineseNumeral(r rune) bool {
	return unicode.Is(unicode.Han, r) && strings.ContainsRune("零一二三四五六七八九十百千", r)
}
