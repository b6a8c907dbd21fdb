package gen

// Reference tables of the generator: districts of 宁波市 (Ningbo) with their
// streets, the charge mix, names, identity-number regions, mobile prefixes
// and plate prefixes.

// district is one county-level division (区, 县级市 or 县) of 宁波市.
type district struct {
	code     string  // GB/T 2260 code, e.g. 330203; the basic court's 案号 code is 浙 + code[2:]
	name     string  // 海曙区
	kind     byte    // 'D' 区 (police sub-bureau 分局), 'C' 县级市, 'X' 县
	abbr     string  // abbreviation in document numbers (文号), e.g. 甬海
	lat, lon float64 // centre
	streets  []string
}

// districts are the districts of 宁波市; Options.Districts takes the first n.
var districts = []district{
	{"330203", "海曙区", 'D', "甬海", 29.8746, 121.5490, []string{"鼓楼街道", "南门街道", "西门街道", "月湖街道", "白云街道", "段塘街道", "望春街道", "石碶街道"}},
	{"330212", "鄞州区", 'D', "甬鄞", 29.8170, 121.5468, []string{"钟公庙街道", "首南街道", "中河街道", "下应街道", "潘火街道", "百丈街道", "东胜街道", "明楼街道", "福明街道"}},
	{"330205", "江北区", 'D', "甬江", 29.8869, 121.5553, []string{"中马街道", "白沙街道", "孔浦街道", "文教街道", "甬江街道", "庄桥街道", "洪塘街道"}},
	{"330206", "北仑区", 'D', "甬仑", 29.8994, 121.8441, []string{"新碶街道", "小港街道", "大碶街道", "霞浦街道", "柴桥街道", "春晓街道"}},
	{"330211", "镇海区", 'D', "甬镇", 29.9490, 121.7168, []string{"招宝山街道", "蛟川街道", "骆驼街道", "庄市街道", "贵驷街道"}},
	{"330281", "余姚市", 'C', "余", 30.0372, 121.1546, []string{"凤山街道", "阳明街道", "梨洲街道", "兰江街道", "低塘街道"}},
	{"330282", "慈溪市", 'C', "慈", 30.1697, 121.2666, []string{"浒山街道", "古塘街道", "白沙路街道", "宗汉街道", "坎墩街道"}},
	{"330213", "奉化区", 'D', "甬奉", 29.6550, 121.4067, []string{"锦屏街道", "岳林街道", "江口街道", "西坞街道", "萧王庙街道"}},
	{"330226", "宁海县", 'X', "宁", 29.2885, 121.4296, []string{"跃龙街道", "桃源街道", "梅林街道", "桥头胡街道"}},
	{"330225", "象山县", 'X', "象", 29.4767, 121.8692, []string{"丹东街道", "丹西街道", "爵溪街道", "石浦镇"}},
}

// Intermediate court of 宁波市 (appeals): 案号 court code 浙02.
const (
	cityRegion      = "330200"
	cityCourtName   = "浙江省宁波市中级人民法院"
	cityCourtCode   = "浙02"
	cityCourtAbbr   = "甬"
	provinceCourt   = "浙"
	localPlate      = "浙B"
	cityName        = "宁波市"
	cityPoliceName  = "宁波市公安局"
	maxDistricts    = 10
	defaultDistrict = 6
)

// unknownAgencies are agency codes that the generator never describes: an
// invalid record of kind unknown-agency names one of them (330283 is the
// code 奉化市 had before it became 奉化区 330213 in 2016).
var unknownAgencies = []string{"330283GA", "330102GA", "330106JC", "310115FY"}

var roads = []string{"中山路", "解放路", "人民路", "环城南路", "世纪大道", "江东北路", "百丈路", "通途路", "天童路", "兴宁路", "民安路", "新河路", "学士路", "泰康路", "长春路", "环城西路"}

var places = []string{"某小区", "地铁站出口", "一超市内", "一网吧内", "菜市场", "地下停车场", "一快递驿站", "公交站台"}

// charge is a charge (罪名) of criminal-procedure.md §4 with what the
// generator needs to tell its cases.
type charge struct {
	name    string // 罪名 with the 罪 suffix, exactly as §4
	article string // 刑法 article
	weight  int    // relative frequency (see charges)
	group   float64
	victim  float64 // probability that the case has a victim
	detain  float64 // probability that a suspect is detained (拘留) when no arrest is requested
	vehicle bool    // the case always involves the suspect's vehicle
	termLo  int     // months (拘役 for 危险驾驶罪)
	termHi  int
	fineLo  int // yuan; 0 = no fine
	fineHi  int
	summary string // police summary template (see expand)
	report  string // 警情 template
}

// charges is the charge mix. Weights are per mille of suspects and follow
// criminal-procedure.md §4: 危险驾驶罪 18.2% and 盗窃罪 13% of persons
// prosecuted in 2022 [S1]; the five charges 危险驾驶、盗窃、帮信、掩隐、诈骗
// together 53.7% of 审查起诉 in 2023 [S4] (帮信罪 about 9%: 12.9万 of the
// persons prosecuted in 2022 [S1]); 开设赌场罪 and 故意伤害罪 each about a
// quarter of 危险驾驶罪 (2021 H1 [S2]). Rows 8–20 of §4 have no sourced
// order: their weights decrease with the row and are assumptions.
var charges = []charge{
	{"危险驾驶罪", "133之一", 182, 0, 0, 0.2, true, 1, 6, 2000, 20000,
		"{date}{clock}，犯罪嫌疑人{names}酒后驾驶{plate}号小型普通客车行驶至{district}{street}{road}时被执勤民警查获。经鉴定，其血液中乙醇含量为{bac}mg/100ml，已达醉酒驾驶机动车标准。",
		"执勤民警在{road}设卡检查时发现一名驾驶员疑似酒后驾驶"},
	{"盗窃罪", "264", 130, 0.2, 0.95, 0.6, false, 3, 36, 1000, 20000,
		"{date}{clock}，犯罪嫌疑人{names}在{district}{street}{road}{place}，趁被害人{victim}不备，窃取其{item}，价值人民币{amount}元。",
		"{victim}报警称其在{road}{place}{item}被盗"},
	{"帮助信息网络犯罪活动罪", "287之二", 90, 0.35, 0, 0.5, false, 6, 24, 3000, 30000,
		"{date}起，犯罪嫌疑人{names}明知他人利用信息网络实施犯罪，仍将其名下{count}张银行卡及配套手机卡出租、出售给他人用于支付结算。经查，上述银行卡接收电信网络诈骗资金共计人民币{amount}元。",
		"反诈中心推送线索：{street}有人出租出售银行卡用于支付结算"},
	{"诈骗罪", "266", 70, 0.3, 0.95, 0.6, false, 6, 120, 5000, 100000,
		"{date}，犯罪嫌疑人{names}以{scheme}为由，通过微信骗取被害人{victim}人民币{amount}元。被害人发现被骗后报警。",
		"{victim}报警称其被人以{scheme}为由骗走人民币{amount}元"},
	{"掩饰、隐瞒犯罪所得、犯罪所得收益罪", "312", 65, 0.35, 0, 0.5, false, 6, 36, 2000, 30000,
		"{date}起，犯罪嫌疑人{names}明知是他人犯罪所得，仍在{district}{street}一带使用本人银行卡帮助转移、取现，共计人民币{amount}元。",
		"银行报告{street}一网点有人频繁大额取现，疑为转移赃款"},
	{"开设赌场罪", "303", 42, 0.55, 0, 0.7, false, 6, 60, 10000, 200000,
		"{date}起，犯罪嫌疑人{names}在{district}{street}{road}某出租房内开设赌场，组织他人以“{game}”方式赌博，抽头渔利共计人民币{amount}元。",
		"群众举报{road}某出租房内有人聚众赌博"},
	{"故意伤害罪", "234", 42, 0.25, 1, 0.7, false, 6, 60, 0, 0,
		"{date}{clock}，犯罪嫌疑人{names}在{district}{street}{road}因琐事与被害人{victim}发生争执，继而持械殴打，致被害人{injury}。经鉴定，被害人的损伤程度为轻伤二级。",
		"{road}有人打架，一人受伤"},
	{"寻衅滋事罪", "293", 35, 0.5, 0.8, 0.7, false, 6, 48, 0, 0,
		"{date}{clock}，犯罪嫌疑人{names}酒后在{district}{street}{road}一烧烤店内无故滋事，随意殴打被害人{victim}，并砸毁店内物品，造成恶劣社会影响。",
		"{road}一烧烤店有人闹事打人"},
	{"走私、贩卖、运输、制造毒品罪", "347", 30, 0.3, 0, 0.9, false, 6, 180, 1000, 50000,
		"{date}，犯罪嫌疑人{names}在{district}{street}{road}附近以人民币{amount}元的价格向他人贩卖甲基苯丙胺（冰毒）{weight}克，被公安民警当场抓获。",
		"禁毒大队线索：{road}附近有人贩卖毒品"},
	{"交通肇事罪", "133", 25, 0, 1, 0.2, true, 6, 36, 0, 0,
		"{date}{clock}，犯罪嫌疑人{names}驾驶{plate}号小型轿车行驶至{district}{street}{road}路口时未按规定让行，与被害人{victim}驾驶的电动自行车相撞，致被害人重伤。经认定，犯罪嫌疑人负事故主要责任。",
		"{road}路口发生交通事故，一人受伤"},
	{"容留他人吸毒罪", "354", 18, 0.1, 0, 0.8, false, 6, 24, 1000, 5000,
		"{date}，犯罪嫌疑人{names}在其位于{district}{street}的暂住处，先后{count}次容留他人吸食甲基苯丙胺（冰毒）。",
		"群众举报{street}某暂住处有人吸毒"},
	{"非法持有毒品罪", "348", 15, 0.1, 0, 0.8, false, 3, 36, 1000, 10000,
		"{date}，公安民警在{district}{street}{road}一宾馆房间内查获犯罪嫌疑人{names}非法持有的甲基苯丙胺（冰毒）{weight}克。",
		"旅馆业治安检查发现{road}一宾馆房间内疑有毒品"},
	{"聚众斗殴罪", "292", 14, 0.8, 0, 0.8, false, 6, 60, 0, 0,
		"{date}{clock}，犯罪嫌疑人{names}因经济纠纷纠集多人，持棍棒在{district}{street}{road}与对方人员互相斗殴，造成多人受伤。",
		"{road}有多人持械斗殴"},
	{"妨害公务罪", "277", 12, 0.1, 0.5, 0.8, false, 6, 24, 0, 0,
		"{date}{clock}，公安民警在{district}{street}依法处置警情时，犯罪嫌疑人{names}拒不配合，以推搡、撕扯等暴力方法阻碍民警依法执行职务。",
		"{street}处警过程中有人阻碍民警执行职务"},
	{"袭警罪", "277", 6, 0.1, 0.8, 0.9, false, 6, 36, 0, 0,
		"{date}{clock}，犯罪嫌疑人{names}在{district}{street}{road}拒绝接受民警盘查，并持械暴力袭击正在依法执行职务的民警，致一名民警受伤。",
		"{road}有人暴力袭击执勤民警"},
	{"抢劫罪", "263", 12, 0.35, 1, 0.9, false, 36, 180, 2000, 20000,
		"{date}{clock}，犯罪嫌疑人{names}在{district}{street}{road}持刀威胁被害人{victim}，劫取其手机一部及现金人民币{amount}元。",
		"{victim}报警称在{road}被人持刀抢劫"},
	{"敲诈勒索罪", "274", 11, 0.3, 1, 0.6, false, 6, 60, 2000, 50000,
		"{date}起，犯罪嫌疑人{names}以散布被害人{victim}隐私相威胁，多次向被害人索要钱款共计人民币{amount}元。",
		"{victim}报警称被人以隐私相要挟索要钱财"},
	{"非法拘禁罪", "238", 10, 0.5, 1, 0.8, false, 6, 36, 0, 0,
		"{date}，犯罪嫌疑人{names}为索取债务，将被害人{victim}强行带至{district}{street}一出租房内非法关押{count}天。",
		"{victim}家属报警称其被人强行带走"},
	{"故意毁坏财物罪", "275", 9, 0.2, 1, 0.5, false, 6, 24, 0, 0,
		"{date}{clock}，犯罪嫌疑人{names}因邻里纠纷，在{district}{street}{road}故意砸毁被害人{victim}停放的车辆，造成财物损失价值人民币{amount}元。",
		"{victim}报警称其停在{road}的车辆被人砸毁"},
	{"信用卡诈骗罪", "196", 9, 0.1, 0.9, 0.4, false, 6, 60, 20000, 100000,
		"{date}起，犯罪嫌疑人{names}冒用被害人{victim}的信用卡在{district}{street}多家商户消费，共计人民币{amount}元。",
		"{victim}报警称其信用卡被他人冒用"},
	{"组织、领导传销活动罪", "224之一", 6, 0.6, 0, 0.7, false, 12, 60, 10000, 100000,
		"{date}起，犯罪嫌疑人{names}以销售保健品为名，在{district}{street}组织、领导传销活动，发展下线{count}人，收取入门费共计人民币{amount}元。",
		"群众举报{street}有人以销售保健品为名从事传销"},
	{"偷越国（边）境罪", "322", 3, 0.4, 0, 0.9, false, 3, 12, 1000, 5000,
		"{date}，犯罪嫌疑人{names}违反国（边）境管理法规，在他人组织下经偷渡通道偷越国境，后被查获并移交{district}公安机关。",
		"移民管理机构移交偷越国境人员"},
}

var items = []string{"手机一部", "电动自行车一辆", "钱包一个", "笔记本电脑一台", "黄金项链一条", "电动车电瓶两块", "香烟十二条", "现金"}

var schemes = []string{"投资理财", "刷单返利", "冒充客服退款", "网络贷款", "冒充公检法", "虚假购物", "网络游戏交易", "婚恋交友"}

var games = []string{"牌九", "推筒子", "斗地主", "麻将", "百家乐"}

var injuries = []string{"左手尺骨骨折", "鼻骨骨折", "多根肋骨骨折", "面部多处挫裂伤", "颅骨骨折"}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢傅钟姜崔谭陆汪范金石廖贾夏韦方邹熊白孟秦邱侯江尹薛")

var (
	maleGiven   = []rune("伟强磊军洋勇杰涛明超斌波辉刚健鹏飞浩宇凯龙俊峰亮建国华文志海东平林兵成斌鑫")
	femaleGiven = []rune("芳娜敏静丽艳娟霞燕玲婷雪红琳萍慧颖倩洁晶佳丹梅莉秀英")
)

// otherRegions are county-level codes outside 宁波市 for persons registered
// elsewhere (外来人口): 安徽 河南 四川 贵州 江西 湖南 福建 江苏 and other parts
// of 浙江.
var otherRegions = []string{"341221", "341222", "411522", "411524", "510121", "513030", "522121", "522427", "362321", "361124", "430521", "430523", "350583", "320923", "330302", "330683", "331081", "340823"}

// mobilePrefixes are mobile number segments (号段) with their carrier.
var mobilePrefixes = []struct {
	prefix, carrier string
}{
	{"134", "中国移动"}, {"135", "中国移动"}, {"136", "中国移动"}, {"137", "中国移动"}, {"138", "中国移动"}, {"139", "中国移动"},
	{"147", "中国移动"}, {"150", "中国移动"}, {"151", "中国移动"}, {"152", "中国移动"}, {"157", "中国移动"}, {"158", "中国移动"},
	{"159", "中国移动"}, {"172", "中国移动"}, {"178", "中国移动"}, {"182", "中国移动"}, {"183", "中国移动"}, {"187", "中国移动"},
	{"188", "中国移动"}, {"195", "中国移动"}, {"198", "中国移动"},
	{"130", "中国联通"}, {"131", "中国联通"}, {"132", "中国联通"}, {"155", "中国联通"}, {"156", "中国联通"}, {"166", "中国联通"},
	{"175", "中国联通"}, {"176", "中国联通"}, {"185", "中国联通"}, {"186", "中国联通"},
	{"133", "中国电信"}, {"153", "中国电信"}, {"173", "中国电信"}, {"177", "中国电信"}, {"180", "中国电信"}, {"181", "中国电信"},
	{"189", "中国电信"}, {"191", "中国电信"}, {"193", "中国电信"}, {"199", "中国电信"},
}

// otherPlates are plate prefixes of other cities (浙A 杭州, 浙C 温州, 皖K 阜阳 …).
var otherPlates = []string{"浙A", "浙C", "浙D", "浙G", "皖K", "赣E", "豫S", "川R", "贵C", "湘E"}

// plateLetters are the letters used on plates (no I or O).
const plateLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ"

var vehicleLabels = []string{"小型普通客车", "小型轿车", "小型越野客车", "普通二轮摩托车", "轻型厢式货车"}

// Refused values of the invalid kinds unknown-stage and unknown-role.
var (
	badStages = []string{"UNDER_INVESTIGATION", "侦查中", "PROSECUTING", "TRIAL", "CLOSED_CASE", "審查起訴"}
	badRoles  = []string{"ACCUSED", "嫌疑人", "SUSPECTED", "OFFENDER", "VICTIMS", "被告"}
)
