// Package synth generates deterministic synthetic case data in the canonical
// ingest format (docs/ingest.md), at any size, streamed: agencies of several
// districts of one city, and per police case a lineage through the
// procuratorate and the courts with persons, charges, custody measures,
// decisions, handovers, judgments, incidents, phones and vehicles.
//
// The mix follows shared/domain/criminal-procedure.md §4 (charges) and the
// rates of shared/data/cn-case-stats (see Defaults). The same Options give
// byte-identical output; memory does not grow with the number of cases
// (only bounded pools of repeat offenders, phones and vehicles are kept).
package synth

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/ingest"
)

// Options say what to generate.
type Options struct {
	Cases       int     // police cases
	Seed        uint64  // the same seed gives the same output
	InvalidRate float64 // share of records replaced by an invalid variant (agency records are never broken)
	Prefix      string  // prefixed to agency codes and person refs, to namespace test data
	Districts   int     // 1 to 8 (default 6)

	// Rates. Defaults holds their sources.
	ArrestRequestRate       float64 // police cases whose suspect is proposed for arrest (提请批准逮捕)
	NonArrestRate           float64 // of arrest requests: not approved (不批准逮捕)
	ProsecutionRate         float64 // police cases transferred for prosecution (移送审查起诉)
	SupplementaryRate       float64 // prosecution cases returned for supplementary investigation at least once (退回补充侦查)
	SecondSupplementaryRate float64 // of those returned once: returned a second time
	NonProsecutionRate      float64 // prosecution cases not prosecuted (不起诉)
	PleaRate                float64 // prosecuted cases under plea leniency (认罪认罚)
	AppealRate              float64 // court cases appealed (上诉)
	OverdueRate             float64 // lineages whose prosecution review runs past its statutory limit
	RepeatRate              float64 // suspects drawn from earlier cases (repeat offenders)
	JuvenileRate            float64 // new suspects aged 14–17
	NoIDRate                float64 // persons without identity number (local to their source)
	SharedObjectRate        float64 // phones and vehicles reused from earlier cases
}

// Defaults are realistic rates. Sources (shared/data/cn-case-stats/spp_spc_case_stats.csv):
// 不捕率 34–49% (SPP 2021–2024) → NonArrestRate 0.40; 不起诉率 20–24% → 0.22;
// 认罪认罚适用率 over 85% → PleaRate 0.86. The others are assumptions of this
// generator, documented in docs/gen.md.
func Defaults() Options {
	return Options{
		Districts: 6, ArrestRequestRate: 0.55, NonArrestRate: 0.40, ProsecutionRate: 0.75,
		SupplementaryRate: 0.15, SecondSupplementaryRate: 0.30, NonProsecutionRate: 0.22,
		PleaRate: 0.86, AppealRate: 0.10, OverdueRate: 0.05, RepeatRate: 0.08,
		JuvenileRate: 0.05, NoIDRate: 0.10, SharedObjectRate: 0.05,
	}
}

// Manifest counts what was generated, so that tests can compare loads and
// rates with what was asked for.
type Manifest struct {
	Records         int            `json:"records"`
	ByType          map[string]int `json:"byType"`
	Invalid         map[string]int `json:"invalid"`         // by record type
	InvalidByReason map[string]int `json:"invalidByReason"` // by kind of breakage
	PoliceCases     int            `json:"policeCases"`
	ArrestRequests  int            `json:"arrestRequests"`
	NonArrests      int            `json:"nonArrests"`
	Prosecutions    int            `json:"prosecutionCases"`
	Supplementary1  int            `json:"supplementaryOnce"`
	Supplementary2  int            `json:"supplementaryTwice"`
	NonProsecutions int            `json:"nonProsecutions"`
	CourtCases      int            `json:"courtCases"`
	PleaCases       int            `json:"pleaCases"`
	Appeals         int            `json:"appeals"`
	Overdue         int            `json:"overdue"`
	Juveniles       int            `json:"juveniles"`
	RepeatSuspects  int            `json:"repeatSuspects"`
	Persons         int            `json:"persons"`
}

type district struct {
	name, region, court, short string
}

// Districts of 宁波市 with their region codes and court codes (案号).
var districts = []district{
	{"海曙区", "330203", "浙0203", "海"}, {"江北区", "330205", "浙0205", "江"}, {"北仑区", "330206", "浙0206", "仑"},
	{"镇海区", "330211", "浙0211", "镇"}, {"鄞州区", "330212", "浙0212", "鄞"}, {"奉化区", "330213", "浙0213", "奉"},
	{"余姚市", "330281", "浙0281", "余"}, {"慈溪市", "330282", "浙0282", "慈"},
}

type charge struct {
	name, article string
	weight        int
	victim        bool
	vehicle       bool
	what          string // for titles and summaries
}

// charges follow criminal-procedure.md §4; weights are per-mille shares,
// the top seven from the SPP figures quoted there, the rest even.
var charges = []charge{
	{"危险驾驶罪", "133之一", 180, false, true, "醉酒驾驶机动车"},
	{"盗窃罪", "264", 130, true, false, "盗窃他人财物"},
	{"帮助信息网络犯罪活动罪", "287之二", 120, false, false, "为电信网络诈骗提供银行卡和支付结算帮助"},
	{"诈骗罪", "266", 80, true, false, "以虚构事实的方法骗取他人钱款"},
	{"掩饰、隐瞒犯罪所得、犯罪所得收益罪", "312", 60, false, false, "明知是犯罪所得而予以转移"},
	{"开设赌场罪", "303", 50, false, false, "以营利为目的开设赌场"},
	{"故意伤害罪", "234", 50, true, false, "因琐事纠纷故意伤害他人身体"},
	{"寻衅滋事罪", "293", 40, true, false, "随意殴打他人，情节恶劣"},
	{"走私、贩卖、运输、制造毒品罪", "347", 40, false, false, "贩卖甲基苯丙胺"},
	{"交通肇事罪", "133", 30, true, true, "违反交通运输管理法规发生重大事故"},
	{"容留他人吸毒罪", "354", 20, false, false, "容留他人吸食毒品"},
	{"非法持有毒品罪", "348", 20, false, false, "非法持有毒品数量较大"},
	{"聚众斗殴罪", "292", 20, true, false, "纠集多人聚众斗殴"},
	{"妨害公务罪", "277", 20, false, false, "以暴力方法阻碍国家机关工作人员依法执行职务"},
	{"抢劫罪", "263", 10, true, false, "以暴力手段劫取他人财物"},
	{"敲诈勒索罪", "274", 10, true, false, "以威胁方法索取他人财物"},
	{"非法拘禁罪", "238", 10, true, false, "非法限制他人人身自由"},
	{"故意毁坏财物罪", "275", 10, true, false, "故意毁坏他人财物"},
	{"信用卡诈骗罪", "196", 20, true, false, "恶意透支信用卡"},
	{"组织、领导传销活动罪", "224之一", 10, false, false, "组织、领导传销活动"},
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "建国", "志强", "海燕", "晓东", "宇航", "子轩", "浩然", "欣怡", "梓涵", "一鸣", "思远", "佳怡", "俊杰", "雨桐"}
	streets  = []string{"中山路", "解放路", "人民路", "江东北路", "天童路", "四明路", "环城西路", "世纪大道", "兴宁路", "百丈路"}
	plates   = "ABCDEFGHJK"
)

// Window of filed dates: cases are filed from the first day to the last.
var (
	windowStart = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	windowDays  = 3*365 - 60
	loc         = time.FixedZone("CST", 8*3600)
)

type person struct {
	ref, idNumber, name, gender string
	birth                       time.Time
	juvenile                    bool
}

// Generate writes the records to enc and returns the manifest.
func Generate(opts Options, enc *ingest.Encoder) (Manifest, error) {
	d := Defaults()
	if opts.Districts <= 0 || opts.Districts > len(districts) {
		opts.Districts = d.Districts
	}
	g := &gen{opts: opts, enc: enc, r: rand.New(rand.NewPCG(opts.Seed, 0x63617365677261)),
		m: Manifest{ByType: map[string]int{}, Invalid: map[string]int{}, InvalidByReason: map[string]int{}}}
	g.weights()
	g.agencies()
	for i := 1; i <= opts.Cases; i++ {
		g.lineage(i)
		if g.err != nil {
			return g.m, g.err
		}
	}
	return g.m, g.err
}

type gen struct {
	opts  Options
	enc   *ingest.Encoder
	r     *rand.Rand
	m     Manifest
	err   error
	total int

	offenders []person // bounded pool of earlier suspects
	phones    []string
	vehicles  []string
	seq       map[string]int
	persons   int
}

func (g *gen) weights() {
	for _, c := range charges {
		g.total += c.weight
	}
	g.seq = map[string]int{}
}

func (g *gen) pick() charge {
	n := g.r.IntN(g.total)
	for _, c := range charges {
		if n < c.weight {
			return c
		}
		n -= c.weight
	}
	return charges[0]
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) code(d district, kind string) string { return g.opts.Prefix + d.region + kind }

// emit writes a record (after, maybe, breaking it).
func (g *gen) emit(typ string, body any) {
	if g.err != nil {
		return
	}
	if typ != ingest.TypeAgency && g.opts.InvalidRate > 0 && g.chance(g.opts.InvalidRate) {
		// Break a copy: the caller may emit later versions of the original.
		cp := reflect.New(reflect.TypeOf(body).Elem())
		cp.Elem().Set(reflect.ValueOf(body).Elem())
		body = cp.Interface()
		if reason := breakRecord(body, g.r); reason != "" {
			g.m.Invalid[typ]++
			g.m.InvalidByReason[reason]++
		}
	}
	g.m.Records++
	g.m.ByType[typ]++
	g.err = g.enc.Encode(body)
}

func env(typ, agency, system, id string, at time.Time) ingest.Envelope {
	return ingest.Envelope{Type: typ, Source: ingest.Source{Agency: agency, System: system, RecordID: id, At: at.In(loc)}}
}

func date(t time.Time) string { return t.Format(time.DateOnly) }

func (g *gen) agencies() {
	at := windowStart
	for i := 0; i < g.opts.Districts; i++ {
		d := districts[i]
		city := "宁波市"
		g.emit(ingest.TypeAgency, &ingest.Agency{Envelope: env(ingest.TypeAgency, g.code(d, "GA"), "police-cms", "agency", at),
			Code: g.code(d, "GA"), Name: city + "公安局" + d.name[:len(d.name)-3] + "分局", Kind: "POLICE", Region: d.region})
		g.emit(ingest.TypeAgency, &ingest.Agency{Envelope: env(ingest.TypeAgency, g.code(d, "JC"), "tyyw", "agency", at),
			Code: g.code(d, "JC"), Name: city + d.name + "人民检察院", Kind: "PROCURATORATE", Region: d.region})
		g.emit(ingest.TypeAgency, &ingest.Agency{Envelope: env(ingest.TypeAgency, g.code(d, "FY"), "court-trial", "agency", at),
			Code: g.code(d, "FY"), Name: city + d.name + "人民法院", Kind: "COURT", Region: d.region})
	}
	g.emit(ingest.TypeAgency, &ingest.Agency{Envelope: env(ingest.TypeAgency, g.opts.Prefix+"330200FY", "court-trial", "agency", at),
		Code: g.opts.Prefix + "330200FY", Name: "宁波市中级人民法院", Kind: "COURT", Region: "330200"})
}

func (g *gen) next(key string) int { g.seq[key]++; return g.seq[key] }

// newPerson makes a person; juvenile persons are 14–17 at the reference date.
func (g *gen) newPerson(ref time.Time, d district, juvenile bool) person {
	g.persons++
	g.m.Persons++
	age := 18 + g.r.IntN(50)
	if juvenile {
		age = 14 + g.r.IntN(4)
	}
	birth := ref.AddDate(-age, -g.r.IntN(12), -g.r.IntN(28))
	birth = time.Date(birth.Year(), birth.Month(), birth.Day(), 0, 0, 0, 0, time.UTC)
	seq := 2*g.r.IntN(500) + 1
	gender := "M"
	if g.chance(0.2) {
		gender, seq = "F", seq-1
	}
	p := person{
		ref:      fmt.Sprintf("%sP%07d", g.opts.Prefix, g.persons),
		name:     string(surnames[g.r.IntN(len(surnames))]) + given[g.r.IntN(len(given))],
		gender:   gender,
		birth:    birth,
		juvenile: juvenile,
	}
	if !g.chance(g.opts.NoIDRate) {
		first := fmt.Sprintf("%s%s%03d", d.region, birth.Format("20060102"), seq)
		check, err := ident.CheckDigit(first)
		if err != nil {
			panic(err) // 17 digits by construction
		}
		p.idNumber = first + string(check)
	}
	return p
}

func (p person) ref2() ingest.PersonRef {
	return ingest.PersonRef{Ref: p.ref, IDNumber: p.idNumber, Name: p.name}
}

func (g *gen) phone() string {
	if len(g.phones) > 0 && g.chance(g.opts.SharedObjectRate) {
		return g.phones[g.r.IntN(len(g.phones))]
	}
	p := fmt.Sprintf("1%d%09d", 3+g.r.IntN(7), g.r.IntN(1_000_000_000))
	if len(g.phones) < 2000 {
		g.phones = append(g.phones, p)
	} else {
		g.phones[g.r.IntN(len(g.phones))] = p
	}
	return p
}

func (g *gen) vehicle() string {
	if len(g.vehicles) > 0 && g.chance(g.opts.SharedObjectRate) {
		return g.vehicles[g.r.IntN(len(g.vehicles))]
	}
	v := fmt.Sprintf("浙B%c%04d", plates[g.r.IntN(len(plates))], g.r.IntN(10000))
	if len(g.vehicles) < 2000 {
		g.vehicles = append(g.vehicles, v)
	} else {
		g.vehicles[g.r.IntN(len(g.vehicles))] = v
	}
	return v
}
