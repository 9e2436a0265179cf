"""The vocabulary of danger: what each rule looks for, in which view, and what it must not be confused with.

Each rule names a *signal*: ``gas`` (smell, leak, hiss, damage, gas flowing), ``co`` (CO named, an alarm,
a ppm reading, a flue backdraft), ``poison`` (CO poisoning named), ``fire`` (fire, explosion, smoke),
``med`` (collapsed, unresponsive, not breathing, convulsing, several people ill) and ``sym`` (one
person's milder symptom). Whether a match is happening *now* is decided in ``bot.danger.mood``;
how the signals add up to an outcome, in ``bot.danger.detect``.
"""

from __future__ import annotations

from bot.danger.phrasings import BROADER
from bot.danger.vocab import COOKING, FIGURE_FIRE, GAS_CTX, MONEY, NOT_EN_GAS, NOT_GAS, NOT_GAS_SMELL, Rule, rx

_PERSON = (
    r"(?:他|她|人|爸|妈|爷|奶|婆|公|姥|叔|姨|伯|舅|哥|姐|弟|妹|儿子|女儿|孙|老伴|朋友|同事|病人|孩子|娃|老人|老公|老婆|宝宝|学生"
    r"|员工|工人|室友|邻居|店员|同学)"
)
_ZH_MED = (
    r"[叫喊推摇拍弄]不[太大]?[醒应]|(?<![睡])不醒(?:来|了|过来)|[叫喊][^，。]{0,4}?没(?:有)?应(?!该|用|聘|急)|说话不清|讲话不清|话都说不清|脸歪|嘴歪|手(?:也)?举不起来|噎住|憋得?发紫|憋紫|哮喘发作|全身(?:硬|僵)|咬(?:出血|破)了?舌头|舌头都咬|[叫喊]不答应|(?:叫|喊|推|摇|拍)(?:他|她)?(?:也|都)?不[醒应]|怎么(?:叫|喊|推|摇)都(?:不醒|不应)"
    r"|(?:人|他|她|叫|喊|推|摇|拍|倒).{0,6}?没(?:有)?(?:反应|动静)|倒[着在][^。]{0,12}?(?:没动|不动)|(?:现在|还|一直|都|仍然?)不醒(?!目)"
    rf"|{_PERSON}[^，。]{{0,6}}?(?:没(?:有)?(?:反应|动静|知觉)|不动了|倒了(?=$|[，。！？!?,.;；]|啊|呀|啦)|倒下)|[推摇拍叫喊](?:他|她)[^，。]{{0,3}}?(?:不动|没动)"
    r"|(?:躺|倒|趴)[在着]?[^，。]{0,8}?地(?:上|板)[^。]{0,12}?(?:叫不醒|不动|没动|不说话|没反应|不应|不醒)"
    r"|(?:看到|看见|发现)[^，。]{0,6}?(?:躺|倒|趴)[在着]?[^，。]{0,8}?地|怎么[叫喊推摇]都[叫喊推摇]?不(?:醒|应|起来)"
    r"|(?:敲门|打电话|叫|喊)[^，。]{0,6}?(?:都|也)(?:不应|没应|不回应|没回应)"
    r"|(?:叫|喊|敲门|敲)[^。]{0,8}?(?:不回话|不吭声|没回应|不回应)|(?:里面|里头)的?人[^，。]{0,3}?(?:不回话|不吭声|没回应|不回应|不应)|(?<![我头])(?:人|他|她)(?:突然|一下子?)?晕了(?!吗|么|呢)|不省人事|人事不省|昏迷|[昏晕]过去|(?<!想)晕倒|昏倒|晕厥"
    r"|晕了?在(?:地|床|厕所|卫生间|浴室|地上|驾驶座|车里|座位|沙发|椅子)|倒在地|倒地|(?<![把将])倒在(?!垃圾|桶|锅|碗|杯|水)|倒下(?:了|来|去)|瘫(?:倒|在地)|醒不过来"
    r"|躺着?不动了|一动不动|半天没(?:出来|动静|反应)|只(?:哼|嗯)|没意识|意识(?:不清|模糊)|神志不清"
    r"|没(?:有)?了?呼吸|不呼吸|没在喘|呼吸(?:停|没了|很弱|微弱|困难|急促)|呼吸[^。]{0,16}?(?:停了|就没了|没有了)"
    r"|感觉?不到[^，。]{0,3}?(?:呼吸|呼气|气息|出气|心跳|脉搏|脉)|摸不到[^，。]{0,2}?(?:脉|心跳)|胸口[^，。]{0,3}?没(?:有)?(?:起伏|动)"
    r"|听不到[^，。]{0,3}?(?:喘气|呼吸|出气)|(?:嘴(?:唇|巴)|口唇)[^，。]{0,4}?(?:紫|乌|青|发黑)(?!色?的?(?:口红|唇膏|唇彩))"
    r"|(?:他|她|人|爸|妈|爷|奶|婆|公|姥|叔|姨|伯|舅|哥|姐|弟|妹|儿子|女儿|朋友|同事|病人|孩子|老人|老公|老婆|宝宝|孙|老伴)"
    r".{0,3}?没(?:有)?气了|不喘气|没(?:有)?喘气|不出气了|(?<!得)(?<!得我)(?<!到)喘不(?:上|过)气|(?<![被停])断气(?![^。]{0,12}?(?:欠费|缴费|交费|供气|恢复|通气|燃气))|没(?:有)?心跳"
    r"|全身(?:一直)?(?:抽|震)|浑身(?:一直)?抽|手脚[^，。]{0,3}?(?:一直)?抽|一抽一抽|抽过去|(?:硬邦邦|僵硬|僵直)[^。]{0,10}?(?:抖|抽)|眼睛(?:往上)?翻|冒沫子|吐沫子|[眼睛两]{2}发直|咬到舌头"
    r"|(?:宝宝|孩子|他|她|人|妈|爸|老公|老婆|媳妇|奶奶|爷爷|老人)[^，。]{0,3}?(?:又|突然)?抽(?:了|起来|起了|完)"
    r"(?![^，。]{0,4}?(?:烟|奖|签|血|水|查|空|屉|样|时间|个|卡|纸))"
    r"|抽搐|(?<![腿脚])抽筋|抽风(?![机扇])|痉挛|口吐白沫|吐白沫|癫痫|羊癫疯|翻白眼|嘴唇(?:发紫|发青|青紫)|脸色发紫"
)
_ZH_SYM = (
    r"(?<![气烦愁急])(?:有点|有些|好|很|特别|一直|发)晕|胸口.{0,3}闷|上吐下泻|头(?:有点|有些|很|好|特别|非常|一直)?[晕昏沉]|眩晕|(?<![很真太好挺人])头(?:有点|有些|一直)?[疼痛](?!的是|这|那|死)"
    r"|恶心|想吐|想呕|作呕|呕吐|吐了|浑身无力|四肢无力|乏力|没劲|没力气|胸闷|心慌|气短|眼花|犯困|嗜睡|想睡|迷糊|昏昏沉沉"
    r"|晕乎乎|晕晕的|站不稳|腿软|嘴唇.{0,3}红|樱桃红|说胡话|反应迟钝|(?<!心里)不舒服|(?<!心里)难受"
)
_ZH_GROUP = (
    r"(?:全家|一家|家里人|家人|我们|大家|几个|好多|很多|不少|一个[二两]个|个个|每个人|人人|[两三四五六七八九俩\d]+(?:个|口)|孩子们|[俩两]个?孩子|爸妈|老人孩子|同事"
    r"|我[和跟同](?:我的?)?[^，。]{1,10}?(?:都|全|一起|同时)|夫妻俩|全班|全屋).{0,8}?(?:都|全|一起|同时|也)"
    rf".{{0,6}}?(?:{_ZH_SYM}|头晕|头痛|头疼|吐(?!槽)|晕)"
    r"|(?:学生|员工|工人|老人|孩子|小孩|同学|住户|客人|顾客|店员|病人|室友)们?[^，。]{0,3}?(?:都|全|一起|同时)"
    rf"[^，。]{{0,6}}?(?:{_ZH_SYM}|头晕|头痛|头疼|吐(?!槽)|晕)"
)

_DIGGERS = r"勾机|钩机|挖机|挖掘机|黄色?的?管"  # an excavator, the yellow pipe that is gas in China
_ZH_ODOUR = (
    r"(?:<GAS>的?)?(?:异味|怪味|臭味|气味|味道|味儿|(?<![口趣品美调香人])味(?!精)|刺鼻|冲鼻|呛鼻|辣眼|臭臭"
    r"|(?:有点|有些|好|很|太|特别|一股|有股|挺|老)臭(?!豆腐|美|屁|脚|袜))"
)

# A fire word in a figure of speech ("头都要炸了", "our sales are on fire")
ZH_NOT_FIRE = rx(
    r"价格|物价|(?<!空气)炸[了掉]?(?:锅(?![里中内的])|毛|裂的?[屏手])|手机",
    r"头(?:像|要|快)?[^，。]{0,2}炸|爆炸性",
    FIGURE_FIRE,
)
EN_NOT_FIRE = rx(
    r"\bprices?\b|\bbills?\b|\bfire (?:drill|safety)|\b(?:inbox|emails?|phone|brain|head|twitter|market|stocks?|sales"
    r"|team"
    r"|game|song|outfit|business|chat|group)\b(?: \S+){0,3}? (?:on fire|explod\w*|blew up|blowing up)"
    r"|(?<!there )\b(?:is|are|was|so|too) fire\b(?! (?:in|inside|under|on|at|coming|from|near|behind|everywhere))"
    r"|not literally"
    r"|\b(?:latte|art|outfit|food|song|look|vibe|deal|price|track|album)s?(?: \S+){0,2}? fire\b"
    r"|\bfire (?:sale|pit|up)|\bfired up|\bdumpster fire|(?:going to|gonna|about to)"
    r" explode|\bexplode lol|\b(?:deal|price|outfit|song|look|track|vibe)s? (?:\S+ )?fire\b",
    FIGURE_FIRE,
)


RULES: tuple[Rule, ...] = (
    # --- gas: a smell, a leak, a hiss ------------------------------------------------------------------
    Rule("gas", "zh_smell", rx(
        r"<GAS>的?(?:味道|气味|臭味|异味|味儿|味|臭)", r"(?<![新听传旧丑趣奇见要])闻.{0,4}?<GAS>",
        r"<GAS>.{0,3}?(?:呛|冲鼻|刺鼻|熏)", r"(?:像|似|跟|股|种).{0,3}?(?:[臭烂]鸡?蛋|坏鸡蛋|烂洋葱|大蒜|烂白菜)",
        r"(?:大蒜|蒜)(?:似的|一样|的)?(?:臭)?味", r"臭(?:掉)?的?蛋",
        r"(?:像|似|跟)[^，。]{0,3}?(?:划过?的?)?火柴", r"硫[磺黄](?:那种|的)?味|像[^，。]{0,4}硫[磺黄]",
        r"跟上[次回][^，。]{0,8}?(?:漏气|来修)[^，。]{0,8}?(?:一样|差不多|一模一样)|闻到了?[^。]{0,12}?(?:排风扇|开灯|关灯|电器|开关)",
        r"(?:[臭烂]鸡?蛋|坏鸡蛋|烂洋葱)的?(?:味|气味|臭)",
    ), smell=True, unless=rx(r"冰箱里|鸡蛋放坏|榴莲|温泉|化粪池|腊肉|放(?:太|了)?多[^，。]{0,3}蒜")),
    Rule("gas", "zh_odour", rx(_ZH_ODOUR, "呛"), smell=True, needs=GAS_CTX, unless=NOT_GAS_SMELL),
    Rule("gas", "zh_leak", rx(
        r"漏气|跑气|泄[漏露](?!报警|警报|检测|探测|保护|防护|出去)|外泄|漏出|漏[了着]?<GAS>|冒气|出气声|<GAS>.{0,6}?漏(?![水电费交缴发看填签掉写报接])",
        r"<THING>.{0,4}?漏(?![水电费])", r"渗出?来?的?[气汽]|[跑漏]汽",
        r"<GAS>(?!公司|费|价|站|卡)[^，。人员工送]{0,6}?(?:泄(?!压|愤|密)|跑(?!了?[一两几这那]趟|腿|步|路|业务|单)|渗|喷(?!漆|涂|嘴|头|枪)|外?溢(?!价)|窜|串(?!门|联|烧))",
        r"(?:一直|还在|正在|在)(?:往外)?(?:漏|冒|喷)(?![水油电雨])|往外(?:喷|吹|冒|窜|蹿|渗)|气[^，。]{0,3}?往外(?:跑|出)|(?:一直|还|正)在?往外出",
        r"(?:<THING>|表|阀)[^，。]{0,8}?(?:走气|[窜蹿]气|过气|渗)",
        r"(?:白雾|白烟|白气|白白的雾|白色的雾|一股雾)[^，。]{0,4}?(?:往外|冒|飘|喷)|(?:管|喉|阀|罐|瓶)[^，。]{0,8}?(?:冻冰冰|冰冰凉)|(?:阀|瓶|桶|罐|管)[^，。]{0,4}?(?:结霜|结冰|结了?.{0,3}霜)|(?:像|好像|就像)[^，。]{0,10}?(?:撒气|放气|漏气|泄气)",
        r"嘶嘶|咝咝|呲呲|哧哧|嗤嗤|嗞嗞|丝丝[的地]?(?:响|声)|咻咻|嗖嗖|(?:吹|像)[^，。]{0,2}哨子?",
    ), neg="both", unless=NOT_GAS, named=True),
    # a smell reported to the gas hotline with nothing saying it is gas: asked, never ignored
    Rule("odd", "zh_odour_any", rx(_ZH_ODOUR),
         unless=rx(r"吃|好吃|不错|好香|好闻|香薰|蜡烛|口感|冰箱", NOT_GAS_SMELL.pattern)),
    Rule("gas", "zh_hiss", rx(r"滋滋|呼呼|噗噗|吱吱(?!叫)|嘶[的地]?(?:一声|声|响)|(?:气|风)声"), neg="both",
         needs=rx(r"<THING>|<GAS>")),
    # --- gas: damage, detachment, excavation --------------------------------------------------------
    Rule("gas", "zh_damage", rx(
        r"(?:管道|管线|管子|管|软管|胶管|皮管|表|接口|接头|三通|弯头|螺母|卡箍|进气口|阀|调压箱|调压器|调压柜|减压阀|阀门|表箱|立管|喉|pipe|hose|meter)(?:被)?.{0,6}?"
        r"(?:破|断|裂|爆|挖|撞|刮|压|砸|钻|锯|钉|扎|戳|捅|撬|扁|瘪|折(?!扣|旧)|弯|摔"
        r"|脱落|脱开|脱了|掉了|掉下|松了|松动|咬|啃|拔|变形|歪了|漏|穿|洞|缺口|甩|烂|(?<![老硬退])化了|熔|划了|口子)",
        r"(?:挖|钻|打|凿|撞|砸|压|锯|钉|扎|戳|捅|撬|挤"
        r"|drill(?:ed)? ?|dig ?|dug ?|hit ?)(?:断|破|坏|到|着|穿|漏|裂|歪|翻|弯|掉)了?.{0,6}?"
        r"(?:<GAS>|管|喉|表|调压|阀|meter|pipe|hose)|(?:咬|啃)了?[^，。]{0,6}?(?:管|喉)",
        r"(?:罐(?!头)|钢瓶|气瓶)[^。]{0,10}?(?:头|阀|嘴|口)(?:都|也)?(?:歪|断|裂|掉|松|坏|弯)",  # a cylinder's valve
    ), neg="both", needs=rx(r"<GAS>|挖|钻|(?<!支)气管|立管|引入管|进户管|入户管|户内管|波纹管|铝塑管"
                            r"|黄管|黄色的?管|表[前后]|软管|胶管|胶喉|调压|减压阀|表箱|燃气表|气表",
                            r"有气|冒气|出气|气出来|在漏|嘶嘶|吱吱|呲呲|咝咝|滋滋|有声音|有响声|钢瓶|气瓶|阀门|外墙",
                            r"meter|yellow pipe|(?:门口|外面|楼下|墙上|户外)[^，。]{0,4}?表",
                            r"热水器|热水炉|壁挂炉|灶|炉头|罐|装修", _DIGGERS),
         unless=NOT_GAS, named=True),
    # --- gas: flowing without a smell word ----------------------------------------------------------
    Rule("gas", "zh_flow", rx(
        r"(?:表|meter|字|数字|读数).{0,14}?(?:还|一直|照样|自己|也)在?(?:走|转|跳|动|变|涨|加)",
        r"(?:火|火苗).{0,3}?(?:灭了|熄了|被浇灭|扑灭).{0,8}?(?:气|阀|开关|旋钮)?(?:还|没)(?:开着|关|在出)",
        r"(?:溢|扑|潽|浇)(?:出来|灭).{0,8}?(?:火|灭)", r"(?:没点着|没着火|没打着|没有火).{0,6}?(?:开着|出气|一直开)",
        r"(?:开着|忘关|没关|打开了?).{0,6}?(?:没点着|没有?火|没着|忘了?点火?|没点火)",
        r"(?:肥皂水?|洗洁精|洗衣粉|泡沫水).{0,14}?(?:冒泡|起泡|有泡|泡泡)",
        r"关了?火?[^。]{0,12}?(?:还|仍)[^。]{0,8}?(?:火苗|蓝火|小火)|关掉了[^。]{0,6}?还有[^。]{0,6}?火|关了[^。]{0,6}?(?:一直|还)在?烧|"
        r"(?:可|但)?火还在[^，。]{0,4}?烧|表keeps?(?:spinning|turning|moving|running)|(?:风|气)[^，。]{0,6}?吹出来|关[^，。]{0,4}(?:还有火|还在烧|还在?[出冒]火)|还留着[^，。]{0,10}?火苗|(?:gas|气)还在出|(?:<GAS>|灶|阀门?|火)(?:好像|可能|也)?(?:没|忘了?)关|(?:忘|没)了?关(?:<GAS>|灶|阀|火)",
        r"(?:冒泡|起泡).{0,6}?(?:接头|软管|阀|管)",
        r"(?:阀门|阀|开关|旋钮|总阀|角阀|掣).{0,4}?(?:关不[上住严紧掉了起到]|拧不[动紧上]|转不动|卡住|关不住|坏了关不)",
    ), neg="none", needs=rx(r"<GAS>|灶|阀|表|meter|火|软管|接头|肥皂|洗洁精|罐(?!头)|钢瓶|气瓶")),
    Rule("gas", "zh_red_light", rx(r"(?:闪|亮)着?红灯|红灯(?:一直)?(?:闪|亮)|灯是红的"),
         needs=rx(r"厨房|灶|<GAS>|报警|探头|墙上")),
    Rule("gas", "zh_flow_open", rx(
        r"(?:开关|阀|气阀|掣|旋钮)[^，。]{0,3}?(?:还|仍|一直|还是)[^，。]{0,4}?开",
        r"(?:数字|读数|字|表)[^，。]{0,4}?在(?:跑|走|转|跳|动)|表[^，。]{0,2}(?:走|转|跑)得?(?:飞快|很快|特别快|好快)|用(?:气)?量[^，。]{0,6}?(?:一直|还|不停)?在?(?:涨|增加|往上|跳|走)|正在用气|(?:一直|还|不停)在?用气|回来[^。]{0,6}?(?:数|读数)[^。]{0,4}?(?:变|多|跑)|多跑了|用了[^，。]{0,3}(?:两|几|\d)方",
        r"(?:表|读数)[^，。]{0,4}?(?:走了|跑了|用了|多了|跳了|涨了)[^，。]{0,3}?(?:\d|[一二两三四五六七八九十几])[^，。]{0,4}?(?:方|立方|度|个字)",
    ), neg="none",
         needs=rx(r"灭|熄|没(?:有)?(?:在)?(?:用|开)|都关|关着|没人|没有?火",
                  r"外地|空着|一个人都没有|不在家|没在家|出门|都出去|外出|出差|只(?:开|用|点)了?")),
    Rule("gas", "gas_reading", rx(r"\d{1,3}(?:\.\d+)?\s?%\s?(?:lel|ch4|methane|gas)"
                                  r"|浓度[^，。]{0,4}?(?:升|高|超|上去)|越来越(?:浓|大|重|冲)"),
         needs=rx(r"<GAS>|可燃|报警|sensor|探头|一氧化碳"), latin_too=True),
    Rule("gas", "en_beeping", rx(
        r"\b(?:pi|bi|di|beep|bee) (?:pi|bi|di|beep|bee)\b|\bred light\b",
        r"\b(?:box|thing|device|gadget|unit|sensor)\b(?: \S+){0,6}? (?:is |started |keeps |has been |was )?"
        r"(?:beep\w*|chirp\w*|flashing|going off|screaming|shrieking|wailing|squealing|alarming)",
    ), "en", needs=rx(r"\b(?:ceiling|kitchen|wall|machine|device|box|alarm|detector|sensor)\b")),
    Rule("gas", "zh_beeping", rx(
        r"(?:盒子|东西|小玩意|那个|白色的|圆的)[^，。]{0,6}?(?:滴滴|嘀嘀|哔哔|响个不停|一直在?叫|一直在?响|闪红灯|叫个不停)",
    ), needs=rx(r"厨房|天花板|顶上|墙上|屋顶|吊顶")),
    Rule("odd", "zh_odd", rx(r"不对劲|怪怪的|不太对|有问题"), needs=rx(r"<GAS>|灶|热水器|壁挂炉|气表|管")),
    # --- CO ----------------------------------------------------------------------------------------
    Rule("co", "zh_co", rx(
        r"(?<![a-z0-9])co(?:中毒|超标|浓度|泄漏|超了|偏高|报警|数值|读数)|倒灌|倒烟|回烟|(?:烟道|烟管|排烟管|排气管)"
        r".{0,4}?(?:掉了|脱落|脱开|断了|松了|漏烟|裂|堵)",
        r"(?:热水器|壁挂炉|锅炉|炉子|灶)(?:冒|有|出)黑烟",
    )),
    Rule("poison", "zh_poison", rx(
        r"(?:煤气|燃气|天然气|一氧化碳|(?<![a-z0-9])co|炭|煤|瓦斯)中毒|中了?煤气|煤气熏|被熏|熏[倒晕着]"
    )),
    # --- fire --------------------------------------------------------------------------------------
    Rule("fire", "zh_fire", rx(
        r"(?<![打点不没能])着[了大]?火(?!了吗?没)|起[了大]?火|失火|火灾(?!隐患|保险|险|预防|演练|知识|报警|探测)|冒火|[窜蹿]火"
        r"|火苗[窜蹿]|[燃烧]起来了?|烧着了|爆炸(?!头|性|新闻)|爆燃|闪爆|浓烟|黑烟|火势|火光|(?<!\d)119(?!\d)"
        r"|[轰嘭砰]的一声|(?:爆|炸)[了开]?[^。]{0,6}?(?:好大声|好大一声|一声巨响|巨响|震得)|气爆|着起来|还在烧|一直在烧|火苗.{0,3}(?:冒|窜|喷)出|[冒喷窜]出[^，。]{0,4}?(?:火|火苗)(?!车|锅|腿|柴|花)",
    ), unless=ZH_NOT_FIRE),
    # "炸", "on fire", "exploded", "blew up" are figures of speech as often as not ("老板又炸了", "Messi was on
    # fire", "rent is exploding"): a blast counts when a place or a thing that can burst is in the same clause
    Rule("fire", "zh_blast", rx(
        r"<BLAST_AT>[^，。！？!?]{0,10}?<ZH_BLAST>|<ZH_BLAST>[^，。！？!?]{0,6}?<BLAST_AT>",
    ), unless=rx(ZH_NOT_FIRE.pattern, MONEY.pattern, EN_NOT_FIRE.pattern,
                 r"爆米花|玉米|栗子|油温|下锅|开花|炸串|油炸|炸酱|锅包肉")),
    Rule("fire", "en_blast", rx(
        r"\b<EN_BLAST_AT>\b(?: \S+){0,6}? <EN_BLAST>|<EN_BLAST>(?: \S+){0,5}? <EN_BLAST_AT>\b",
    ), "en", unless=rx(EN_NOT_FIRE.pattern, r"\b(?:chestnuts?|popcorn|kernels?|eggs?|potato\w*|sausages?|tomato\w*"
                       r"|corn|marshmallows?|lol|haha|lmao)\b")),
    Rule("fire", "en_smoke", rx(
        r"(?:thick|black|lots of|a lot of) smoke", r"\bsmoke (?:is )?(?:coming|pouring|billowing|everywhere|from)",
    ), "en", unless=rx(EN_NOT_FIRE.pattern, r"\b(?:bbq|barbecue|grill\w*|sear\w*|steak|toast\w*|incense|cigarettes?"
                       r"|vap\w*|smok(?:er|ing) (?:fish|meat|ribs|sausages?|bacon|ham)|fireworks?|bonfire)\b")),
    Rule("fire", "zh_smoke", rx(r"冒[灰黑白青]?烟|有烟(?:出来|冒出|飘出)|烟出来|烟很大|满屋(?:子)?(?:都是)?烟",
                                r"烟雾(?!报警|探测|侦测|感应|检测)"),
         unless=rx(r"锅|油|菜|烟囱|炒|嗓子|脑门|头顶|脑袋|脑子|热得|写到|急得|热气|气得|气到",
                   r"雾霾|霾|天气", COOKING.pattern)),
    # --- people ------------------------------------------------------------------------------------
    Rule("med", "zh_medical", rx(_ZH_MED)),
    Rule("med", "zh_group", rx(_ZH_GROUP)),
    Rule("sym", "zh_symptom", rx(_ZH_SYM)),
    # --- English -----------------------------------------------------------------------------------
    Rule("gas", "en_smell", rx(
        r"<SMELL>(?: \S+){0,4}? <EGAS>\b", r"\b<EGAS>(?: \S+){0,2}? <SMELL>", r"\bsul(?:ph|f)[ue]r",
        r"eggy smell", r"\bgassy\b", r"\blike (?:a )?(?:struck|lit|burnt) match(?:es)?\b|\blike matches\b",
        r"\bskunk\w*|chemical eggs|\blike (?:rotten )?eggs?\b|\bthe whole (?:place|flat|house) reeks",
        r"(?:smel\w*|odou?r|stink\w*|like|whiff|reek\w*) (?:\S+ ){0,3}?"
        r"(?:rotten eggs?|garlic|skunk|boiled cabbage)",
        r"rotten eggs? (?:smel\w*|odou?r|stink\w*)",
    ), "en", smell=True, unless=NOT_EN_GAS),
    Rule("gas", "en_odour", rx(
        r"\b(?:strange|funny|weird|odd|bad|chemical|strong|horrible|terrible|nasty) smell", r"\bsmel\w*", r"\breek\w*",
    ), "en", smell=True, needs=GAS_CTX, unless=NOT_GAS_SMELL),
    Rule("gas", "en_leak", rx(
        r"\b<EGAS>(?: \S+){0,3}? (?:leak\w*|escap\w*|hiss\w*|seep\w*|bleed\w*|spew\w*|gush\w*|spurt\w*|vent\w*"
        r"|coming out|pouring out"
        r"|blowing out|rushing out)",
        r"\bleak\w*(?: \S+){0,3}? <EGAS>\b", r"\bhiss\w*",
    ), "en", neg="both", unless=NOT_EN_GAS),
    Rule("gas", "en_thing_leak", rx(
        r"\b<ETHING>(?: \S+){0,6}? leak\w*", r"\bleak\w*(?: \S+){0,3}? <ETHING>\b",
        r"\b(?:escap\w*|seep\w*|spew\w*|blowing out|hiss\w*) (?:\S+ ){0,2}?(?:from|out of|around|at)"
        r" (?:\S+ ){0,3}?<ETHING>\b"
    ), "en", neg="both", unless=NOT_GAS, named=True),
    Rule("gas", "zh_hiss_like", rx(r"(?:像|好像|就像)[^，。]{0,10}?(?:撒气|放气|漏气|泄气)"),
         needs=rx(r"表|灶|管|阀|接口|油烟机")),
    Rule("gas", "en_whistle", rx(
        r"\b(?:whistl\w*|whoosh\w*|rushing sound)|\bss\b|\bp+s{2,}t*\b|\bhs+t*\b"
        r"|\b(?:make|makes|making|made) (?:a |some |strange |weird |funny )?"
        r"(?:sound|noise)"
    ), "en", needs=rx(r"\b(?:gas|<ETHING>|drill\w*|oven|stove|hob|cooker|boiler|heater)\b")),
    Rule("gas", "en_damage", rx(
        r"\b(?:pipes?|lines?|mains?|pipeline|hoses?|tubes?|meters?|regulators?|boxe?s?|connections?|connectors?|flexi?|pigtails?|fittings?|valves?|risers?)(?:'s)?\b"
        r"(?: \S+){0,6}? "
        r"(?:broken|broke|damaged|cracked|cracks?|hit|cut|burst|severed|snapped|ruptured|struck|dug|came off|come off"
        r"|fell off"
        r"|falling off|detached|disconnected|popped off|loose|split|chewed|smashed|crushed|bent|knocked|ripped|torn"
        r"|tore"
        r"|fallen off|broken off|broke off|come loose|came loose|came apart|come apart|split open|sawn|sawed"
        r"|kinked|pierced|punctured|snapped off|half off|hanging off|melted|corroded|rotted through|rusted through)\b",
        r"\b(?:hit|cut|struck|damaged|broke|severed|ruptured|dug up|dug into|drill\w*|nailed|punctured|smashed|crashed"
        r"|melted|burnt through"
        r"|chewed(?: through)?|gnawed(?: through)?|bit through"
        r" into|knocked|ran over|reversed into|backed into|crushed|ripped|tore|torn|snapped|bent|kinked|pierced"
        r"|flattened|yanked|pulled|sawed(?: through)?|sawn through|cut through|took out|taken out"
        r"|(?:went|gone|goes) (?:straight |right )?(?:through|into)"
        r"|fell on|fell onto|fallen on|fallen onto|landed on|came down on|dropped on)"
        r" (?:\S+ ){0,5}?(?:pipes?|lines?|mains?|meters?|regulators?"
        r"|boxe?s?|hoses?|tubes?|flue|valves?|risers?|connectors?|pigtails?)\b",
    ), "en", neg="both", needs=rx(r"\bgas\b|\bdig\w*|\bdug\b|excavat\w*|\bdrill\w*|construction|workers|builders"
                                  r"|plumbers?|handyman|renovat\w*|corrugated"
                                  r"|digger|backhoe|\bhoses?\b|\b(?:car|van|truck|lorry|vehicle|reversed|backed)\b",
                                  r"\b(?:regulator|cylinder|tank|flexi|burners?|hob|stove|cooker|wok|lpg|propane|boiler|heater|riser"
                                  r"|meter)\b",
                                  r"pile driver|\bsite\b|workmen|excavator|\bjcb\b"),
         unless=rx(NOT_GAS.pattern, r"\b(?:app|readings?|bills?|account|website|online|display|screen)\b",
                   # "my meter is broken" is a fault to book; hit, crushed or knocked, it is damage
                   r"^(?!.*\b(?:hit|crash\w*|car|van|truck|tree|knock\w*|smash\w*|crush\w*|storm|bent|crack\w*)\b)"
                   r".*\bmeters?\b(?: \S+){0,3}? (?:is |was |seems |looks )?(?:broken|broke|damaged|faulty)\b(?! off)"),
         named=True),
    Rule("gas", "en_flow", rx(
        r"\b(?:meter|needle|dial|dile|pointer|digits)\b(?: \S+){0,8}? (?:still |keeps )?"
        r"(?:runn\w*|moving|moves|movin|spinn?\w*|turn(?:s|ing|in)\b|tick\w*|going)\b",
        r"\b(?:meter|digits?|numbers?|dial|reading)\b(?: \S+){0,4}? (?:went|goes|going|gone|keeps going|creep\w*) up\b"
        r"(?: \S+){0,8}? (?:nothing|everything)(?:'s| is)? (?:on|off|switched off|turned off)\b",
        r"\b(?:bubbl\w*|frost\w*|icing|iced up)\b(?: \S+){0,5}? (?:hose|joint|pipe|valve|clip|connector|regulator"
        r"|fitting"
        r"|cylinder|tank|bottle)s?\b"
        r"|\b(?:hose|joint|pipe|valve|clip|connector|regulator|fitting|cylinder|tank|bottle)s?\b(?: \S+){0,6}? "
        r"(?:is |are |keeps |was )?(?:bubbl\w*|frost\w*|iced up|icing up)\b",
        r"\b(?:burner|hob|ring|knob|stove|cooker|gas)\b(?: \S+){0,4}? (?:on|open)\b(?: \S+){0,4}? (?:no flame|no fire"
        r"|not lit"
        r"|unlit|without a flame|without flame|never lit)",
        r"\b(?:flame|fire|pilot light|pilot) (?:went|blew|got|was|goes|keeps going|is) (?:out|put out)"
        r"|\b(?:blew|blown|put|knocked|doused) (?:\S+ ){0,3}?(?:flame|fire|pilot)s? out\b"
        r"|\b(?:none|not one) of (?:them|the \w+) (?:\S+ )?(?:lit|caught|lighting)\b"
        r"|\bboil\w* over\b(?: \S+){0,4}? (?:flame|out)",
        r"\bsoap\w*(?: \S+){0,16}? bubbl\w*|\b(?:puddle|water|ground|mud|pond|ditch|soil|grass"
        r"|snow)\b(?: \S+){0,8}? bubbl\w*"
        r"|\bgauge\b(?: \S+){0,3}? (?:dropping|falling|going down|drops|falls)\b"
        r"|\bbubbl\w*(?: \S+){0,8}? soap\w*"
        r"|\bbubbl\w*(?: \S+){0,3}? (?:joint|hose|pipe|valve|connection|fitting)",
        r"\b(?:can't|cannot|won't|unable to|couldn't|doesn't) (?:close|shut|turn off|switch off|turn)(?: \S+){0,2}? "
        r"(?:gas|valve|tap|knob|stove|cooker|it)\b|\b(?:valve|knob|tap) (?:is |got )?(?:stuck|jammed|broken)"
        r"|\b(?:valve|knob|tap)s? (?:\S+ )?(?:cannot|can't|won't|doesn't|will not|wont|cant) (?:close|shut|turn"
        r"|move)\b",
    ), "en", neg="none",
         needs=rx(r"\b(?:gas|meter|burner|hob|stove|cooker|valve|knob|soap\w*|flame|pilot|hose|cylinder|regulator|propane"
                  r"|lpg|tank|bottle)\b")),
    Rule("odd", "maybe_gas", rx(  # gas named as a possibility: asked, never ignored
        r"\b(?:could|might|may|must) (?:also )?be (?:the |a )?(?:gas|lpg|propane)\b|\b(?:is|was) (?:it|this"
        r"|that) (?:the )?gas\b"
        r"|\b(?:could|can|might) (?:it|this|that) be (?:the )?gas\b"
        r"|\bnot sure (?:if|whether) (?:it's |its |it is |this is )?(?:the )?gas\b",
    ), "en", unless=NOT_EN_GAS),
    Rule("odd", "zh_short_damage", rx(  # "管子断了" and nothing else: which pipe is unclear, so it is asked
        r"^[^，。]{0,3}(?:管|管子|阀|阀门|表|罐|瓶|软管)[^，。]{0,2}(?:断|裂|破|坏|掉|松|爆)了?[!！?？。]*$"
    )),
    Rule("odd", "zh_maybe_gas", rx(r"(?:是不是|会不会是|可能是|好像是|难道是|怀疑是)(?:漏)?<GAS>(?!费|公司|价)")),
    Rule("odd", "en_odd", rx(
        r"\b(?:something|anything)(?:'s| is)? (?:wrong|not right|weird|off|funny|strange) (?:with|about) "
        r"(?:the |my |our )?"
        r"(?:gas|boiler|stove|cooker|heater|meter)"
    ), "en"),
    Rule("co", "en_co", rx(
        r"\bco (?:levels?|reading|ppm|leak\w*|present|high|exposure|poison\w*)\b|\bbackdraft|\bback ?draught"
        r"|\bleak detected|\bgas detected",
        r"\b(?:fumes|exhaust)\b(?: \S+){0,4}? <ETHING>", r"\b<ETHING>(?: \S+){0,4}? (?:fumes|exhaust)\b",
        r"\bflue\b(?: \S+){0,8}? (?:came off|come off|fell|fallen|detached|disconnected|broken|cracked|blocked|loose"
        r"|apart|separated"
        r"|hanging)",
        r"\b(?:boiler|heater|stove|furnace|geyser)\b(?: \S+){0,4}? (?:black|sooty) smoke|soot (?:marks|stains)",
    ), "en"),
    Rule("poison", "en_poison", rx(
        r"\b(?:co|monoxide|gas) poison\w*|\bpoisoned by (?:the )?(?:co|gas|carbon monoxide|monoxide|fumes)\b"
    ), "en"),
    Rule("fire", "en_fire", rx(
        r"\bcaught fire|\bcatch\w* fire|\bflames\b(?! (?:is|are) (?:small|yellow|orange|blue|low|weak))"
        r"|\b(?:is|are|was|were|started|keeps|still) burning\b|\bburning (?:at|from|near|on) the\b"
        r"|\bflames? (?:is |are )?(?:burning (?:out of|from)|shooting|coming|spreading|everywhere|out of"
        r"|from the (?:hose|pipe|meter|regulator|cylinder))"
        r"|\bblaze\b|\bexplosion|burning smell|smel\w* (?:\S+ ){0,2}?burning"
        r"|full of smoke|\bbang\b(?: \S+){0,4}? (?:smoke|fire|glass)|\b(?:loud|big|huge|massive) (?:bang|boom)"
        r"|\bblown (?:off|out|in)\b",
        r"(?<!gas )(?<!electric )(?<!coal )(?<!log )(?<!camp )(?<!on )\bfire\b(?! (?:place|extinguishers?|safety"
        r"|station|brigade|department|dept|drill|door|insurance|fighters?|works|wood|man|men|proof|exit|escape"
        r"|hazard|risk|code|alarms?|detectors?|blanket|prevention))",
    ), "en", unless=EN_NOT_FIRE),
    Rule("med", "en_medical", rx(
        r"\bfaint(?:ed|ing)\b|\bpass(?:ed|es|ing)? out\b|\bcollaps\w*|\bunconscious|\bunresponsive|\bblack(?:ed)? out",
        r"(?:won't|can't|cannot|couldn't|not|doesn't|isn't|no) (?:\S+ )?(?:wak\w*|respond\w*|moving)",
        r"\b(?:he|she|they|him|her|dad|mum|mom|baby|son|daughter|kid|child|husband|wife|grandma|grandpa|gran"
        r"|granny|grandad|grandmother|grandfather|roommate|flatmate|friend|neighbou?r|toddler|boy|girl|man|woman)"
        r"(?:'s)? (?:\S+ ){0,6}?(?:(?:won't|can't|doesn't|isn't|not|is not|wont|cant) (?:\S+ )?"
        r"(?:answer\w*(?! (?:\S+ )?(?:phone|calls?|texts?|messages?|emails?|door|question\w*|wechat))|open\w* "
        r"(?:his|her|their|its) eyes)|(?:is|are|went|gone|going|looks?|'s) (?:all |really |very )?(?:limp|floppy|blue)"
        r"|(?:is )?gasping|breathing (?:is )?(?:weird|strange|funny|badly|shallow\w*|noisy|oddly))\b",
        r"\bnot breathing|stopped breathing|barely breathing|isn't breathing|can't breathe|not breath\w*",
        r"(?:lips|face|skin) (?:\S+ )?(?:blue|purple)|turning blue|\bseizure|\bconvuls\w*|\bfitting\b"
        r"|\bshaking (?:all over|(?:his |her |the )?whole body|uncontrollabl\w*)|\bjaw (?:is )?clenched"
        r"|\bwhole body (?:is )?(?:shaking|jerking|stiff)|(?:can't|cannot|don't|can not) (?:see|hear|feel) (?:him|her"
        r"|them)"
        r" breath\w*"
        r"|foam\w* at the mouth|\bfoam\w*(?: \S+){0,2}? mouth\b|\bmouth\b(?: \S+){0,2}? foam\w*"
        r"|\bno pulse|\bepileptic|\bhaving (?:an? )?fit\b|\bfit (?:won'?t|wont|doesn'?t) stop"
        r"|(?:kid|child|son|daughter|baby|he|she|mum|mom|dad) (?:is |'s )?having a"
        r" (?:fit|seizure)",
    ), "en"),
    Rule("med", "en_group", rx(
        r"\b(?:we|we're|everyone|everybody|all of us|whole family|both of us|family|kids|children|my parents"
        r"|my wife and i|my husband and i|the two of us|both kids|both children|(?:two|three|four|five|several|all)"
        r" of us|the (?:whole|entire) (?:class|office|house|household|family)"
        r"|(?:\d+|two|three|four|five|six|several|many|some|a few|lots of|all the|most of the)"
        r" (?:students|people|workers|kids|children|staff|residents|guests|customers|employees|colleagues|roommates"
        r"|pupils|tenants)) (?:\S+ ){0,8}?"
        r"(?:headaches?|dizz\w*|nause\w*|sick(?! of)|vomit\w*|throwing up|threw up|drowsy|sleepy|faint\w*|woozy|ill\b"
        r"|unwell|puk\w*|passed out)"
    ), "en"),
    Rule("sym", "en_symptom", rx(
        r"\bheadache\b|\bhead ?ache|\bhead (?:hurts|is pounding|is killing|aches|spinning)|\bdizz\w*|light ?headed"
        r"|\bwoozy|\bnause\w*|\bvomit\w*|\bthrow\w* up|\bthrew up|\bdrowsy|\bgroggy|\bconfus(?!ing|es?\b)\w*"
        r"|\bdisorient\w*"
        r"|blurr\w* vision|cherry red|red lips|chest (?:pain|tight)|short(?:ness)? of breath|hard to breathe",
        r"\b(?:feel\w*|felt) (?:really |very |a bit |so |quite |kind of )?(?:weak|sleepy|faint)\b",
        r"\b(?:feel\w*|felt|is|are|am|being|got|getting|gone|went) (?:really |very |a bit |so |quite |kind of )?"
        r"(?:sick|ill|unwell|poorly)\b(?! of)|\bnot (?:feeling |feel )?(?:very |so )?well\b",
    ), "en"),
) + BROADER  # fmt: skip
