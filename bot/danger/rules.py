"""The vocabulary of danger: what each rule looks for, in which view, and what it must not be confused with.

Each rule names a *signal*: ``gas`` (smell, leak, hiss, damage, gas flowing), ``co`` (CO named, an alarm,
a ppm reading, a flue backdraft), ``poison`` (CO poisoning named), ``fire`` (fire, explosion, smoke),
``med`` (collapsed, unresponsive, not breathing, convulsing, several people ill) and ``sym`` (one
person's milder symptom). Whether a match is happening *now* is decided in ``bot.danger.mood``;
how the signals add up to an outcome, in ``bot.danger.detect``.
"""

from __future__ import annotations

from bot.danger.vocab import COOKING, FIGURE_FIRE, GAS_CTX, MONEY, NOT_EN_GAS, NOT_GAS, NOT_GAS_SMELL, Rule, rx

_ZH_MED = (
    r"[叫喊推摇拍弄]不[太大]?[醒应]|说话不清|讲话不清|话都说不清|脸歪|嘴歪|手(?:也)?举不起来|噎住|憋得?发紫|憋紫|哮喘发作|全身(?:硬|僵)|咬(?:出血|破)了?舌头|舌头都咬|[叫喊]不答应|(?:叫|喊|推|摇|拍)(?:他|她)?(?:也|都)?不[醒应]|怎么(?:叫|喊|推|摇)都(?:不醒|不应)"
    r"|(?:人|他|她|叫|喊|推|摇|拍|倒).{0,6}?没(?:有)?(?:反应|动静)|不省人事|人事不省|昏迷|[昏晕]过去|(?<!想)晕倒|昏倒|晕厥"
    r"|晕了?在(?:地|床|厕所|卫生间|浴室|地上|驾驶座|车里|座位|沙发|椅子)|倒在地|倒地|(?<![把将])倒在(?!垃圾|桶|锅|碗|杯|水)|倒下(?:了|来|去)|瘫(?:倒|在地)|醒不过来"
    r"|躺着?不动了|一动不动|半天没(?:出来|动静|反应)|只(?:哼|嗯)|没意识|意识(?:不清|模糊)|神志不清"
    r"|没(?:有)?了?呼吸|不呼吸|没在喘|呼吸(?:停|没了|很弱|微弱|困难|急促)|(?:他|她|人|爸|妈|爷|奶|孩子|老人|老公|老婆|宝宝)"
    r".{0,3}?没气了|不喘气|(?<!得)(?<!得我)(?<!到)喘不(?:上|过)气|(?<![被停])断气(?![^。]{0,12}?(?:欠费|缴费|交费|供气|恢复|通气|燃气))|没(?:有)?心跳"
    r"|抽搐|(?<![腿脚])抽筋|抽风|痉挛|口吐白沫|吐白沫|癫痫|羊癫疯|翻白眼|嘴唇(?:发紫|发青|青紫)|脸色发紫"
)
_ZH_SYM = (
    r"(?<![气烦愁急])(?:有点|有些|好|很|特别|一直|发)晕|胸口.{0,3}闷|上吐下泻|头(?:有点|有些|很|好|特别|非常|一直)?[晕昏沉]|眩晕|(?<![很真太好挺人])头(?:有点|有些|一直)?[疼痛](?!的是|这|那|死)"
    r"|恶心|想吐|呕吐|吐了|浑身无力|四肢无力|乏力|没劲|没力气|胸闷|心慌|气短|眼花|犯困|嗜睡|想睡|迷糊|昏昏沉沉"
    r"|晕乎乎|晕晕的|站不稳|腿软|嘴唇.{0,3}红|樱桃红|说胡话|反应迟钝|(?<!心里)不舒服|(?<!心里)难受"
)
_ZH_GROUP = (
    r"(?:全家|一家|家里人|家人|我们|大家|几个|[两三四五六七八九俩\d]+(?:个|口)|孩子们|[俩两]个?孩子|爸妈|老人孩子|同事"
    r"|我[和跟]老[婆公伴]|我[和跟](?:我)?[爸妈儿女]|夫妻俩|全班|全屋).{0,8}?(?:都|全|一起|同时|也)"
    rf".{{0,6}}?(?:{_ZH_SYM}|头晕|头痛|头疼|吐|晕)"
)

_DIGGERS = r"勾机|钩机|挖机|挖掘机|黄色?的?管"  # an excavator, the yellow pipe that is gas in China
_ZH_ODOUR = r"(?:<GAS>的?)?(?:异味|怪味|臭味|气味|味道|味儿|(?<![口趣品美调香人])味(?!精)|刺鼻|冲鼻|呛鼻|辣眼|臭臭)"

# A fire word in a figure of speech ("头都要炸了", "our sales are on fire")
ZH_NOT_FIRE = rx(
    r"价格|物价|(?<!空气)炸[了掉]?(?:锅(?![里中内的])|毛|裂的?[屏手])|手机",
    r"头(?:像|要|快)?[^，。]{0,2}炸|爆炸性",
    r"朋友圈|群里|评论|热搜|打爆",
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
        r"(?:大蒜|蒜)(?:似的|一样|的)?(?:臭)?味", r"臭(?:掉)?的?蛋", r"硫[磺黄](?:那种|的)?味|像[^，。]{0,4}硫[磺黄]",
        r"跟上[次回][^，。]{0,8}?(?:漏气|来修)[^，。]{0,8}?(?:一样|差不多|一模一样)|闻到了?[^。]{0,12}?(?:排风扇|开灯|关灯|电器|开关)",
        r"(?:[臭烂]鸡?蛋|坏鸡蛋|烂洋葱)的?(?:味|气味|臭)",
    ), smell=True, unless=rx(r"冰箱里|鸡蛋放坏|榴莲|温泉|化粪池|腊肉|放(?:太|了)?多[^，。]{0,3}蒜")),
    Rule("gas", "zh_odour", rx(_ZH_ODOUR, "呛"), smell=True, needs=GAS_CTX, unless=NOT_GAS_SMELL),
    Rule("gas", "zh_leak", rx(
        r"漏气|跑气|泄[漏露](?!报警|警报|检测|探测|保护|防护|出去)|外泄|漏出|漏[了着]?<GAS>|冒气|出气声|<GAS>.{0,6}?漏(?![水电费交缴发看填签掉写报接])",
        r"<THING>.{0,4}?漏(?![水电费])", r"(?:一直|还在|正在|在)(?:往外)?(?:漏|冒|喷)(?![水油电雨])|往外(?:喷|吹|冒)",
        r"(?:白雾|白烟|白气|白白的雾|白色的雾|一股雾)[^，。]{0,4}?(?:往外|冒|飘|喷)|(?:管|喉|阀|罐|瓶)[^，。]{0,8}?(?:冻冰冰|冰冰凉)|(?:阀|瓶|桶|罐|管)[^，。]{0,4}?(?:结霜|结冰|结了?.{0,3}霜)|(?:像|好像|就像)[^，。]{0,10}?(?:撒气|放气|漏气|泄气)",
        r"嘶嘶|咝咝|呲呲|哧哧|嗤嗤|嗞嗞|丝丝[的地]?(?:响|声)|咻咻|嗖嗖|(?:吹|像)[^，。]{0,2}哨子?",
    ), neg="both", unless=NOT_GAS, named=True),
    # a smell reported to the gas hotline with nothing saying it is gas: asked, never ignored
    Rule("odd", "zh_odour_any", rx(_ZH_ODOUR),
         unless=rx(r"吃|好吃|不错|好香|好闻|香薰|蜡烛|口感|冰箱", NOT_GAS_SMELL.pattern)),
    Rule("gas", "zh_hiss", rx(r"滋滋|呼呼|嘶[的地]?(?:一声|声|响)|(?:气|风)声"), neg="both",
         needs=rx(r"<THING>|<GAS>")),
    # --- gas: damage, detachment, excavation --------------------------------------------------------
    Rule("gas", "zh_damage", rx(
        r"(?:管道|管线|管子|管|软管|胶管|皮管|表|接口|接头|调压箱|调压器|调压柜|减压阀|阀门|表箱|立管|喉|pipe|hose|meter)(?:被)?.{0,6}?"
        r"(?:破|断|裂|爆|挖|撞|刮|压|砸|钻|脱落|脱开|掉了|掉下|松了|松动|咬|啃|拔|变形|歪了|漏|穿|洞|缺口|甩|烂|(?<![老硬退])化了|熔|划了|口子)",
        r"(?:挖|钻|打|凿|撞|砸|压)(?:断|破|坏|到|着|穿|漏|裂|歪|翻|弯|掉)了?.{0,6}?(?:<GAS>|管|表|调压|阀|meter|pipe|hose)|(?:咬|啃)了?[^，。]{0,6}?(?:管|喉)",
    ), neg="both", needs=rx(r"<GAS>|挖|钻|(?<!支)气管|软管|胶管|胶喉|调压|减压阀|表箱|燃气表|气表",
                            r"热水器|热水炉|壁挂炉|灶|炉头|罐|装修", _DIGGERS),
         unless=NOT_GAS, named=True),
    # --- gas: flowing without a smell word ----------------------------------------------------------
    Rule("gas", "zh_flow", rx(
        r"(?:表|meter|字|数字|读数).{0,14}?(?:还|一直|照样|自己|也)在?(?:走|转|跳|动|变)",
        r"(?:火|火苗).{0,3}?(?:灭了|熄了|被浇灭|扑灭).{0,8}?(?:气|阀|开关|旋钮)?(?:还|没)(?:开着|关|在出)",
        r"(?:溢|扑|潽|浇)(?:出来|灭).{0,8}?(?:火|灭)", r"(?:没点着|没着火|没打着|没有火).{0,6}?(?:开着|出气|一直开)",
        r"(?:开着|忘关|没关|打开了?).{0,6}?(?:没点着|没有?火|没着)",
        r"(?:肥皂水?|洗洁精|洗衣粉|泡沫水).{0,14}?(?:冒泡|起泡|有泡|泡泡)",
        r"关了?火?[^。]{0,12}?(?:还|仍)[^。]{0,8}?(?:火苗|蓝火|小火)|关掉了[^。]{0,6}?还有[^。]{0,6}?火|关了[^。]{0,6}?(?:一直|还)在?烧|"
        r"(?:可|但)?火还在[^，。]{0,4}?烧|表keeps?(?:spinning|turning|moving|running)|(?:风|气)[^，。]{0,6}?吹出来|关[^，。]{0,4}(?:还有火|还在烧)|还留着[^，。]{0,10}?火苗|(?:gas|气)还在出|(?:<GAS>|灶|阀门?|火)(?:好像|可能|也)?(?:没|忘了?)关|(?:忘|没)了?关(?:<GAS>|灶|阀|火)",
        r"(?:冒泡|起泡).{0,6}?(?:接头|软管|阀|管)",
        r"(?:阀门|阀|开关|旋钮|总阀|角阀).{0,4}?(?:关不[上住严紧掉了起]|拧不[动紧上]|转不动|卡住|关不住|坏了关不)",
    ), neg="none", needs=rx(r"<GAS>|灶|阀|表|meter|火|软管|接头|肥皂|洗洁精")),
    Rule("gas", "zh_red_light", rx(r"(?:闪|亮)着?红灯|红灯(?:一直)?(?:闪|亮)|灯是红的"),
         needs=rx(r"厨房|灶|<GAS>|报警|探头|墙上")),
    Rule("gas", "zh_flow_open", rx(
        r"(?:开关|阀|气阀|掣|旋钮)[^，。]{0,3}?(?:还|仍|一直|还是)[^，。]{0,4}?开",
        r"(?:数字|读数|字|表)[^，。]{0,4}?在(?:跑|走|转|跳|动)|表[^，。]{0,2}(?:走|转|跑)得?(?:飞快|很快|特别快|好快)|用(?:气)?量[^，。]{0,6}?(?:一直|还|不停)?在?(?:涨|增加|往上|跳|走)|正在用气|回来[^。]{0,6}?(?:数|读数)[^。]{0,4}?(?:变|多|跑)|多跑了|用了[^，。]{0,3}(?:两|几|\d)方",
    ), neg="none",
         needs=rx(r"灭|熄|没(?:有)?(?:在)?(?:用|开)|都关|关着|没人|没有?火", r"外地|空着|一个人都没有|不在家|出差")),
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
        r"|[轰嘭砰]的一声|气爆|着起来|还在烧|一直在烧|火苗.{0,3}(?:冒|窜|喷)出|[冒喷窜]出[^，。]{0,4}?(?:火|火苗)(?!车|锅|腿|柴|花)",
    ), unless=ZH_NOT_FIRE),
    # "炸", "on fire", "exploded", "blew up" are figures of speech as often as not ("老板又炸了", "Messi was on
    # fire", "rent is exploding"): a blast counts when a place or a thing that can burst is in the same clause
    Rule("fire", "zh_blast", rx(
        r"<BLAST_AT>[^，。！？!?]{0,10}?<ZH_BLAST>|<ZH_BLAST>[^，。！？!?]{0,6}?<BLAST_AT>",
    ), unless=rx(ZH_NOT_FIRE.pattern, MONEY.pattern, r"爆米花|玉米|栗子|油温|下锅|开花|炸串|油炸|炸酱|锅包肉")),
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
        r"eggy smell", r"\bgassy\b",
        r"\bskunk\w*|chemical eggs|\blike (?:rotten )?eggs?\b|\bthe whole (?:place|flat|house) reeks",
        r"(?:smel\w*|odou?r|stink\w*|like|whiff|reek\w*) (?:\S+ ){0,3}?"
        r"(?:rotten eggs?|garlic|skunk|boiled cabbage)",
        r"rotten eggs? (?:smel\w*|odou?r|stink\w*)",
    ), "en", smell=True, unless=NOT_EN_GAS),
    Rule("gas", "en_odour", rx(
        r"\b(?:strange|funny|weird|odd|bad|chemical|strong|horrible|terrible|nasty) smell", r"\bsmel\w*", r"\breek\w*",
    ), "en", smell=True, needs=GAS_CTX, unless=NOT_GAS_SMELL),
    Rule("gas", "en_leak", rx(
        r"\b<EGAS>(?: \S+){0,3}? (?:leak\w*|escap\w*|hiss\w*|coming out|pouring out|blowing out|rushing out)",
        r"\bleak\w*(?: \S+){0,3}? <EGAS>\b", r"\bhiss\w*",
    ), "en", neg="both", unless=NOT_EN_GAS),
    Rule("gas", "en_thing_leak", rx(
        r"\b<ETHING>(?: \S+){0,6}? leak\w*", r"\bleak\w*(?: \S+){0,3}? <ETHING>\b"
    ), "en", neg="both", unless=NOT_GAS, named=True),
    Rule("gas", "zh_hiss_like", rx(r"(?:像|好像|就像)[^，。]{0,10}?(?:撒气|放气|漏气|泄气)"),
         needs=rx(r"表|灶|管|阀|接口|油烟机")),
    Rule("gas", "en_whistle", rx(
        r"\b(?:whistl\w*|whoosh\w*|rushing sound)|\bss\b"
        r"|\b(?:make|makes|making|made) (?:a |some |strange |weird |funny )?"
        r"(?:sound|noise)"
    ), "en", needs=rx(r"\b(?:gas|<ETHING>|drill\w*)\b")),
    Rule("gas", "en_damage", rx(
        r"\b(?:pipes?|lines?|mains?|pipeline|hoses?|tubes?|meters?|regulators?|boxe?s?|connections?)(?:'s)?\b"
        r"(?: \S+){0,6}? "
        r"(?:broken|broke|damaged|cracked|hit|cut|burst|severed|snapped|ruptured|struck|dug|came off|come off|fell off"
        r"|falling off|detached|disconnected|popped off|loose|split|chewed|smashed|crushed|bent|knocked|ripped|torn"
        r"|tore"
        r"|kinked|pierced|punctured|snapped off|half off|hanging off)\b",
        r"\b(?:hit|cut|struck|damaged|broke|severed|ruptured|dug up|dug into|drill\w*|nailed|punctured|smashed|crashed"
        r"|melted|burnt through"
        r"|chewed(?: through)?|gnawed(?: through)?|bit through"
        r" into|knocked|ran over|reversed into|backed into|crushed|ripped|tore|torn|snapped|bent|kinked|pierced"
        r"|flattened|yanked|pulled) (?:\S+ ){0,5}?(?:pipes?|lines?|mains?|meters?|regulators?"
        r"|boxe?s?|hoses?|tubes?|flue)\b",
    ), "en", neg="both", needs=rx(r"\bgas\b|\bdig\w*|\bdug\b|excavat\w*|\bdrill\w*|construction|workers|builders"
                                  r"|digger|backhoe|\bhoses?\b|\b(?:car|van|truck|lorry|vehicle|reversed|backed)\b",
                                  r"\b(?:regulator|cylinder|tank|flexi|burners?|hob|stove|cooker|wok|lpg|propane|boiler|heater)\b",
                                  r"pile driver|\bsite\b|workmen|excavator|\bjcb\b"),
         unless=rx(NOT_GAS.pattern, r"\b(?:app|readings?|bills?|account|website|online|display|screen)\b"), named=True),
    Rule("gas", "en_flow", rx(
        r"\b(?:meter|needle|dial|pointer|digits)\b(?: \S+){0,8}? (?:still |keeps )?"
        r"(?:running|moving|spinning|turning|ticking|going)\b",
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
                  r"|lpg|tank)\b")),
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
        r"\bflue\b(?: \S+){0,8}? (?:came off|come off|fell|detached|disconnected|broken|cracked|blocked|loose"
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
        r"|foam\w* at the mouth|\bno pulse|\bepileptic|\bhaving (?:an? )?fit\b|\bfit (?:won'?t|wont|doesn'?t) stop"
        r"|(?:kid|child|son|daughter|baby|he|she|mum|mom|dad) (?:is |'s )?having a"
        r" (?:fit|seizure)",
    ), "en"),
    Rule("med", "en_group", rx(
        r"\b(?:we|we're|everyone|everybody|all of us|whole family|both of us|family|kids|children|my parents"
        r"|my wife and i|my husband and i|the two of us|both kids|both children|(?:two|three|four|five|several|all)"
        r" of us|the (?:whole|entire) (?:class|office|house|household|family)) (?:\S+ ){0,6}?"
        r"(?:headaches?|dizz\w*|nause\w*|sick(?! of)|vomit\w*|throwing up|threw up|drowsy|sleepy|faint\w*|woozy|ill\b"
        r"|unwell)"
    ), "en"),
    Rule("sym", "en_symptom", rx(
        r"\bheadache\b|\bhead ?ache|\bhead (?:hurts|is pounding|is killing|aches|spinning)|\bdizz\w*|light ?headed"
        r"|\bwoozy|\bnause\w*|\bvomit\w*|\bthrow\w* up|\bthrew up|\bdrowsy|\bgroggy|\bconfus(?!ing)\w*|\bdisorient\w*"
        r"|blurr\w* vision|cherry red|red lips|chest (?:pain|tight)|short(?:ness)? of breath|hard to breathe",
        r"\b(?:feel\w*|felt) (?:really |very |a bit |so |quite |kind of )?(?:weak|sleepy|faint)\b",
        r"\b(?:feel\w*|felt|is|are|am|being|got|getting|gone|went) (?:really |very |a bit |so |quite |kind of )?"
        r"(?:sick|ill|unwell|poorly)\b(?! of)|\bnot (?:feeling |feel )?(?:very |so )?well\b",
    ), "en"),
)  # fmt: skip

# Broader phrasings of the same signals (people describe the same thing in many words).
RULES += (
    Rule("gas", "zh_flow_more", rx(
        r"(?:表|meter|数字|读数)[^，。]{0,10}?(?:还|一直|仍|照样|自己|也|都)[^，。]{0,8}?(?:走|转|跳|动|变|加|往上|跑)",
        r"(?:还|一直|仍然?)在?[^，。]{0,3}?(?:出气|冒气|往外冒|出瓦斯|出燃气|有气出)|(?:气阀|阀门?|开关)还(?:是)?开着|有气出",
        r"(?:阀门?|开关|旋钮|把手|总阀|角阀|knob|掣)[^，。]{0,12}?(?:关不[上住严紧掉了起死到]|拧不[动紧上回]|转不[动紧回]|[扳掰]不动"
        r"|扭不[回动]|卡(?:住|死)|空转|坏[了掉咯].{0,4}关不|断了)",
        r"火关不[掉了上死]|关不[死掉]|关了[^。]{0,10}?还在[^，。]{0,3}?(?:烧|响|出气|点火|打火)|(?:还|一直)[^，。]{0,12}?(?:打火|点火)|点火[^，。]{0,4}停不下来|火从[^，。]{0,8}?(?:窜|冒|喷)|火[^，。]{0,3}不灭|关到底[^。]{0,6}?(?:还|不灭)|余额[^，。]{0,6}?(?:掉|少|减)|流量[^，。]{0,6}?(?:不是零|不为零|不为0|在走)|还开着[^。]{0,6}?火[^，。]{0,3}?灭|火[^，。]{0,3}?灭[^。]{0,8}?还开着|(?:开关|阀|气阀|掣)[^，。]{0,3}?被[^，。]{0,6}?(?:碰开|打开)|(?:一点火都没有|里面没(?:有)?火)|灭不掉|关了[^。]{0,8}?(?:还有|还在)[^。]{0,6}?火苗|(?:打开|拧开|开着|开了|踩到|碰到|碰开|拧到)[^。]{0,16}?没(?:有)?(?:点着|打着|着火|点火|火|着)",
        r"(?:肥皂|洗洁精|洗衣粉|泡沫水|soap)[^。]{0,16}?(?:冒泡|起泡|有泡|泡泡|小泡|起了.{0,3}泡)",
        r"(?:<GAS>|气)[^，。]{0,4}?(?:一直|还|仍然?)在?(?:往外)?(?:出|冒|喷|放)(?=$|[，。！？!?,.]|来|着|呢|啊)",
        r"表[^，。]{0,4}?(?:嘎嘎|哗哗|呼呼|飞快|飞速|不停|一直)地?(?:转|走|跑)|开着的?[^。]{0,12}?火[^，。]{0,3}?(?:是)?(?:灭|熄)"
        r"|[汤锅]没关|(?:开了?|打开了?|扭开了?)(?:灶|火|炉|煤气|燃气)[^，。]{0,6}?(?:忘了?|没)点火",
        r"(?:点不着|打不着|点不燃|打不燃|点不上|打不上)[^。]{0,14}?(?:一直开|开着|在出|出气|开了)",
        r"(?:火|火苗)[^，。]{0,3}?(?:灭|熄)了?[^。]{0,10}?(?:开着|开了[^，。]{0,3}(?:好久|很久|半天)|还开|还有声|还在响|嘶嘶)"
        r"|(?:灭|熄)了?火[^。]{0,8}?(?:还开|还有声|还在响|嘶嘶|还有气)",
        r"(?:桶|罐|瓶|<GAS>)[^，。]{0,4}?(?:关不[上住严紧掉了起死到]|拧不[动紧上回]|转不[动紧回]|[扳掰]不动)",
        r"(?:软管|管子|胶管|皮管|管)[^，。]{0,6}?(?:脱出来|脱落|松脱|脱开|掉出来|拔出来|滑出来)",
        r"(?:拆了|拆掉了|露在外面|没接上|断开了)[^。]{0,14}?(?:阀门?|开关)[^，。]{0,3}?开着"
        r"|(?:阀门?|开关)[^，。]{0,3}?开着[^。]{0,14}?(?:拆了|拆掉了|露在外面|没接上|断开了)",
        r"(?:压力表|指针|气压|读数|表针)[^，。]{0,6}?(?:一直|不停|快速|很快)?(?:往下掉|下降|在掉|掉得|往下走)",
        r"(?:积水|水坑|水洼|泥|土|地面|地上|草地|草坪)[^，。]{0,10}?(?:冒泡|起泡|咕噜)",
        r"(?:手机|app|推送)[^，。]{0,8}?(?:报警|警报|泄漏|超标)",
    ), neg="none",
         needs=rx(r"<GAS>|灶|炉|阀|表|meter|软管|接口|接头|旋钮|knob|stove|hob|gas",
                  r"热水器|烤箱|干衣机|气还|火[^，。]{0,3}灭|管|断口")),
    Rule("fire", "zh_fire_more", rx(
        r"(?:锅|油|罐|瓶|阀|灶|管|阳台|厨房|楼|房子?|车|柜|炉|下面|底下)[^，。]{0,3}?(?<![打点不没])(?:着了|燃着|烧着|在燃|在烧|燃了"
        r"|着起(?:了|来)?)|着了火|引着了|引燃|(?:走廊|楼道|楼梯)[^，。]{0,3}有烟|碰一声|墙[^，。]{0,3}震|闷闷地响|杯子都在晃|bang一声|窗[^，。]{0,3}震|火苗从[^。]{0,10}?出来|(?:表|管|阀|罐|瓶|热水器|插座|灶|口)[^，。]{0,6}?有[^，。]{0,3}火(?![车锅腿柴])|冒[小大]?火苗|烟越来越浓|(?:瓶|罐|表|热水器|燃气管|气管)[^，。]{0,2}爆了|火舌|火焰[^，。]{0,4}?(?:冒|窜|喷)出|烧(?:到)?变形|闷响|(?:表|管|阀|罐|瓶|热水器|插座)[^，。]{0,6}?(?:有|冒|窜)火苗|烟[^，。]{0,8}?(?:飘进|灌进|涌进)|把[^，。]{1,8}点着了|爆了?(?:<GAS>)|<GAS>爆了|玻璃[^，。]{0,6}碎|烟[^，。]{0,3}冒出|冒出烟|火{2,}.{0,4}(?:厨房|家里|屋里|楼)|火.{0,4}(?:救命|快来|help)",
        r"火[^，。]{0,6}?往[^，。]{0,4}?(?:管|软管|里面|后面|里)[^，。]{0,4}?(?:跑|窜|烧|走|钻)|爆了?一声|天花板[^，。]{0,3}掉",
        r"(?:接头|管|阀|桶|罐|瓶)[^，。]{0,2}在烧|(?:锅|壶)[^，。]{0,4}烧干|锅底[^，。]{0,3}红了|把[^，。]{0,8}?火[^，。]{0,2}?(?:吹灭|浇灭|弄灭)|一直烧|[熄灭]不[掉灭了]|[轰嘭砰]的一下|崩开|崩飞|燎了|一团火|有火在烧|火在烧|火苗[^，。]{0,6}?(?:窜|蹿|冒|往上|喷)|[窜蹿]出.{0,3}火|好大的火|大火苗|呼的一下(?:着|烧|燃)",
        r"一下子?(?:着|烧|燃)(?:了|起来)|(?:冒|打|迸)火(?:星|花)|火花|好大一声|一声巨响|巨响|[轰嘭砰]一声|炸飞|震碎|炸碎",
        r"(?:玻璃|窗户|窗|门)[^，。]{0,4}?(?:震碎|碎了|炸飞|炸碎|震坏|全碎)|全是烟|都是烟|烟[^，。]{0,3}往上冒|冒紧烟",
    ), unless=rx(r"价格|物价|手机|爆炸性|朋友圈|群里|评论|热搜",
                 r"烧烤|火锅|烟囱正常|抽烟|吸烟|烟味|烟头|烟熏|熏[鱼肉鸡鸭制]|颠锅", FIGURE_FIRE)),
    Rule("co", "co_reading", rx(
        r"(?<![a-z])co:?\d{2,4}(?!\d)|(?:一氧化碳|(?<![a-z])co(?![a-z])|报警器|检测仪|侦测器|探测器|仪器|仪表|detector|alarm|sensor)[^。]{0,12}?(?:显示|读数|数字|数值|浓度|到了|写|跳到|升到|涨到)"
        r"[^。\d]{0,10}?\d{2,4}|数字[^，。]{0,3}(?:涨|升|往上)",
    ), neg="none", latin_too=True),
    Rule("co", "en_co_reading", rx(
        r"\b(?:co|carbon monoxide|detector|alarm|monitor)\b(?: \S+){0,4}? "
        r"(?:says?|shows?|reads?|reading|at|showing|displays?|is at) \d{2,4}",
    ), "en", neg="none"),
    Rule("gas", "zh_damage_more", rx(
        r"(?:管道|管线|管子|管|软管|胶管|皮管|接口|接头|调压箱|调压器|调压柜|表箱|立管|喉|pipe|hose)[^，。]{0,6}?"
        r"(?:崩|脱下|脱了|钉|切|割|锯|碰倒|倒了|掉在|窟窿|锈穿|锈了个|松脱|扯|拽|拉断|弯|[打钻]了?个?(?:眼|洞|孔))",
        r"(?:钉|切|割|锯|铲|砸|撞|钻)(?:到|了|穿|破|断|进)?[^，。]{0,8}?(?:<GAS>管|燃气管|煤气管|管道|调压|表箱)",
        r"压在[^，。]{0,4}?(?:<GAS>管|燃气管|煤气管|管道|气管|燃气表|调压)",
        r"(?:软管|管子|胶管)[^，。]{0,4}?(?:comeoff|cameoff|felloff|fell off|come off|came off)",
        r"(?:连接|接口|接头)[^，。]{0,4}?(?:断开|脱开|松开|断了|脱了)",
    ), neg="both", needs=rx(r"<GAS>|调压|表箱|胶管|软管|黄色的?(?:管|喉)"), unless=NOT_GAS, named=True),
    Rule("co", "zh_flue_more", rx(r"(?:烟道|烟管|排烟管|排气管)[^，。]{0,4}?(?:松|掉|脱)")),
    Rule("sym", "zh_symptom_more", rx(
        r"(?:脑壳|脑袋|头)(?:很|好|有点)?(?:痛|疼|晕)|含含糊糊|昏昏|吐(?:了|咧|啦)|迷迷瞪瞪|迷瞪|含糊不清|口齿不清|眼前发黑|(?<!我)晕了(?!吧|吗)|(?:腿|脚|身上)(?:就|都)?(?:发)?软|发沉|昏沉|颠三倒四|胡言乱语|说话不清|讲话不清|语无伦次|脸(?:色)?(?:通红|很红|发红|好红)|打瞌睡|迷迷糊糊|头[^，。]{0,3}炸|吐奶|哭闹不止"
    )),
    Rule("med", "zh_medical_more", rx(
        r"(?:叫|喊|推|摇|拍|弄)[^，。]{0,5}?(?:不醒|醒不|没醒|不应|不答应|不回应|不理|不吭声|没(?:有)?(?:反应|回应|动静))",
        r"休克|(?:两眼|眼睛|眼)[^，。]{0,2}翻白(?!眼)|(?:^|[，。！？\s])(?:人|他|她)[^，。]{0,2}倒(?:了|下了|地)(?![^，。]{0,2}(?:杯|碗|水|茶|酒|垃圾|霉))",
        r"软塌塌|瘫软|软绵绵|不睁眼|一动(?:也)?不动|倒下去|趴在(?:桌|地)|(?:两眼|眼睛)(?:往)?上翻|眼睛往上|在抖[^。]{0,8}?不说话|手脚[^，。]{0,2}(?:抖|抽)",
        r"牙关(?:咬)?紧|一声不吭|喘不了气|不会?呼吸|不识抖气|抽了[^，。]{0,4}(?:分|秒)|在抽(?!烟|水|奖|签|空|血)|起不来|站不起来|白沫|(?:脸|(?<!表)面|嘴唇)(?:色)?(?:都)?(?:发紫|发青|发黑|青了|紫了)|(?:坐|趴|躺|倒)[^，。]{0,4}?就?不动了|不喘了|摸不到心跳|拿不住|说话[^，。]{0,2}含糊|胸口[^，。]{0,4}(?:不起伏|没在动|不动|没动|不会动)"
        r"|没有?晒?(?:在)?呼吸|鼻子[^，。]{0,3}没(?:有)?气|(?:好像|已经|现在)没气了|栽(?:倒|地)|一头栽|不吱声|说不出话|嘴(?:也)?歪"
        r"|手(?:脚)?抬不起来|喘不上来气|抽起来了|还在抽|抽了好[几久]|(?:没有?了?|失去)知觉",
        r"(?:突然|一下子?)(?:就)?倒(?:了|下|在)",
    )),
    Rule("med", "zh_group_more", rx(
        r"(?:老老小小|一家老小|全家老小|[两三四五六七八九十几\d]+(?:个|口|位|名).{0,3}人?)[^。]{0,12}?"
        r"(?:都|全|一起|同时|同一时间|一齐)[^。]{0,4}?"
        r"(?:晕|吐|倒|头疼|头痛|不舒服|难受)",
        r"(?:[两三四五六七八九十\d]{1,3}个|好几个|一群)[^。]{0,8}?(?:头晕|呕吐|吐了|晕倒|倒下|趴下|不舒服|上吐下泻|都在吐)"
    )),
    Rule("gas", "en_flow_more", rx(
        r"\b(?:on|open)\b(?: \S+){0,3}? (?:with )?no flame|\bno flame\b|\bwithout (?:a )?flame\b"
        r"|\bnot lit\b|\bunlit\b|\bfroth\w*|\bfoam\w*",
        r"\b(?:won't|can't|cannot|couldn't) (?:shut|turn|switch) (?:it )?off\b",
        r"\b(?:seized|won't budge|won't turn|jammed|just spins|spins freely|won't (?:turn|switch|go) off|stays on)\b",
        r"\bpilot(?: light)?(?: \S+){0,5}? (?:went|goes|blew|is|has gone) out\b",
        r"\bgas (?:is )?still (?:coming|on|flowing)",
        r"\bstill (?:a |see |see a )?(?:\S+ ){0,3}?flame|\bstill going\b|\bhear it firing|\bbeing used right now"
        r"|number'?s? (?:has )?gone up"
        r"|\b(?:credit|balance) (?:is )?dropping|\bgas flowing|\bstill firing"
        r"|\b(?:regulator|meter|valve|cylinder|pipe|boiler|heater|flue|gas)\b(?: \S+){0,6}? venting\b"
        r"|\b(?:tap|valve|cock)\b(?: \S+){0,4}? is (?:open|on)\b|\bnever lit\b|\bdidn't (?:catch|light)"
        r"|\bdid not (?:catch|light)"
        r"|\b(?:knob|tap|valve)'?s? (?:is )?still (?:on|open)"
        r"|\bnothing (?:shuts|turns) off|\bkeeps? (?:re)?light\w*|\bkeeps? firing|\bvalve (?:is )?(?:on|open)\b"
        r"|creep\w* up",
        r"\bno (?:fire|flame)\b(?: \S+){0,4}? (?:knob|tap|valve|gas)\b(?: \S+){0,2}? (?:open|on)\b"
        r"|\b(?:cold )?air (?:is )?(?:coming|blowing|rushing|hissing) (?:out )?(?:of|from) (?:the )?(?:meter|pipe|valve"
        r"|regulator|cylinder|tank)\b",
        r"\b(?:blowing|pumping|pouring|spewing|spraying|belching) (?:out )?(?:gas|lpg|propane)\b",
        r"\bin the on position\b|\bgas (?:has been|is|'s been|was|kept) (?:running|flowing|coming out|pouring)\b"
        r"|\bgas going (?:in|into|through)\b|\bbeing used\b(?: \S+){0,10}? (?:empty|nobody|no one|away)\b",
        r"\bstuck on\b|\bspraying\b|\bclick\w* (?:click\w* )?(?:and )?(?:won't|doesn't|not) stop",
    ), "en", neg="none", needs=rx(r"\b(?:gas|meter|burner|hob|stove|cooker|valve|knobs?|dials?|tap|soap\w*"
                                   r"|flame|pilot|boiler"
                                   r"|heater|regulator|ranges?|rings?|oven|display"
                                   r"|isolation|isolator|washing)\b")),
    Rule("fire", "en_fire_more", rx(
        r"\bblazing\b|\bin flames\b|\b(?:hood|cupboard|curtains?|towel|pan|oil|fat) (?:has )?caught\b|\bcaught and\b"
        r"|\bsmoke (?:drifting|seeping|creeping|curling)|\bhaze coming|\bball of flame|\balight\b|\bwhoo?mp|\bwhump"
        r"|\bbang and a flash|\bflash and a bang|\b(?:window|windows|glass)\b(?: \S+){0,3}? (?:shattered|blown out"
        r"|blew out)"
        r"|\bblew (?:its|the) door off|\bhas caught\b|\bcaught (?:alight|light)|\bbillowing\b(?: \S+)? smoke"
        r"|\bsmoke seeping"
        r"|\bhazy with smoke|\bsoot\b|\bwent up in (?:flames|smoke)|\b(?:just|all|whole \w+) went up\b|\bfireball"
        r"|\bsinged\b|\bboom\b",
        r"\bsparks?\b(?: \S+){0,4}? (?:meter|pipe|gas|box|regulator|cylinder)",
        r"\b(?:filling|filled) (?:up )?with smoke",
        r"\b(?:meter|cupboard|wall|heater|boiler|stove|cooker|hob|pipe|box|socket|fryer|oven|cylinder|appliance)\b"
        r"(?: \S+){0,5}? (?:is|are|was|it's) smoking\b"
        r"|\bsmoke (?:in|filling|coming up) the|\bcan't see for (?:the )?smoke",
    ), "en", unless=rx(r"\bprices?\b|\bfire (?:drill|safety)|\bfireworks?\b", FIGURE_FIRE)),
    Rule("gas", "en_damage_more", rx(
        r"\b(?:ripped|tore|torn|snapped|gone through|went through|knocked through|rusted through|hole in)\b"
        r"(?: \S+){0,4}?"
        r" (?:gas )?(?:pipes?|mains?|lines?)\b",
    ), "en", neg="both", needs=rx(r"\bgas\b|digger|builders?|workmen|storm"), unless=NOT_GAS, named=True),
    Rule("gas", "zh_flame_out", rx(
        r"(?:火|火苗|炉火|灶火|小火)[^，。]{0,6}?(?:自己|被风吹?|被[汤水粥]|突然|不知道什么时候)[^，。]{0,3}?(?:灭|熄)",
    ), neg="none", needs=rx(r"<GAS>|灶|炉|锅|汤|煮|炖|烧水|热水器"),
         unless=rx(r"关(?:了|掉了|好了|上了)|没事了|已经好了")),
    Rule("co", "en_flue_more", rx(r"\bflue\b(?: \S+){0,6}? (?:fallen off|falling off|venting into|hanging off)")),
    Rule("sym", "en_symptom_more", rx(
        r"\bhead (?:\S+ )?(?:pain|hurt\w*|ache\w*)|\b(?:can't|cannot) (?:stand|walk) (?:up|straight)"
        r"|\bface (?:is |went |turned )?(?:\S+ )?red\b|\b(?:gone|turned|going) grey\b|talking nonsense"
        r"|\bstumbling|not making sense|\bslurr\w*|\bsleepy\b|\bdrowsy\b"
    ), "en"),
    Rule("med", "en_medical_more", rx(
        r"\bkeeled over|\b(?:isn't|not|isnt) answering|\bgone limp|\bwent limp|\bfloppy\b|\bslumped|can't rouse"
        r"|\beyes rolled|\bdropped (?:to|on) the (?:\S+ )?(?:floor|ground)|\btwitching|\bnot responding|\blifeless"
        r"|\bno response\b|\bout cold\b|\bjerking\b|\bhaving a fit\b|\bface (?:has )?droop\w*|\barm went weak"
        r"|can't talk properly|\bstops? breathing|\bseizing\b|\bno breath\w*|\b(?:don't|doesn't) breathe"
        r"|\bfoam\w* (?:from|at|out of) (?:the |his |her )?mouth"
        r"|\b(?:she|he|they|wife|husband|mum|mom|dad|grandma|grandpa|son|daughter|baby|kid|child|friend)\b"
        r" (?:\S+ ){0,2}?"
        r"(?:faint|fall down|fell down|falls down|collapse)\b",
    ), "en"),
    Rule("med", "zh_group_plain", rx(
        r"(?:一家人?|全家|一家门|好多人|几个人|大家|我们|我跟[^，。]{1,4}|我和[^，。]{1,4}|规家伙仔|兜一家人)[^，。]{0,6}?"
        r"(?:都|侪|攏|同时|一起)?[^，。]{0,3}(?:头晕|头昏|想吐|恶心|呕吐)"
    ), unless=MONEY),
    Rule("med", "en_group_plain", rx(
        r"\b(?:entire|whole) (?:office|family|dorm\w*|floor|house|household|class|flat|team)\b(?: \S+){0,5}? "
        r"(?:dizzy|sick|headaches?|vomit\w*|nause\w*|throwing up)",
        r"\b(?:me and (?:my )?\w+|\w+ and i|we|they) (?:\S+ ){0,3}?(?:both|all)\b(?: \S+){0,5}? "
        r"(?:dizzy|sick|headaches?|vomit\w*|nause\w*|throwing up)",
    ), "en", unless=MONEY),
    Rule("med", "en_group_more", rx(
        r"\b(?:all )?\d+ of us\b(?: \S+){0,6}? (?:headaches?|dizz\w*|nause\w*|sick|vomit\w*|throwing up|faint\w*)"
    ), "en"),
)  # fmt: skip
