"""The words recognition is built from: vocabularies, the contexts rules need or must not see, alarms.

``rx`` expands the ``<GAS>``-style vocabularies; ``Rule`` is one recognition rule (``bot.danger.rules``
holds the table of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARTS = {
    "<GAS>": r"(?:燃气|煤气|天然气|液化石油气|液化气|石油气|管道气|瓦斯|沼气|lpg"
    r"|(?<![a-z])(?:gas{1,2}|rq|mq)(?![a-z]))",  # rq, mq: the pinyin initials people type
    "<THING>": r"(?:(?<!支)气管|管道|管线|管子|软管|胶管|皮管|接头|阀门|阀|气表|燃气表|钢瓶|气瓶|气罐|罐子"
    r"|灶|热水器|壁挂炉|锅炉|调压箱|调压器|减压阀|喉|桶)",
    "<EGAS>": r"(?:gas|lpg|propane|butane|methane)",
    "<ZH_BLAST>": r"(?:onfire|exploded|blewup"
    r"|炸[了开裂掉](?![^，。]{0,3}(?:油条|鸡|丸子|薯条|鱼|肉|虾|串|糕|春卷|花生)))",
    "<BLAST_AT>": r"(?:燃气|煤气|天然气|液化气|石油气|瓦斯|罐|瓶|锅(?!炒)|炉|灶|热水器|表|管|楼|房|屋|家里|厨房"
    r"|窗|玻璃|门|墙"
    r"|车|店|工地|厂|声|响|烟|火|119|邻居|隔壁|对面|外面|那边|东西|什么|小区|街|路)",
    "<EN_BLAST>": r"(?:on fire|explod(?:ed|es|ing)|blew up|blown up|went up in flames|burst into flames)",
    "<EN_BLAST_AT>": r"(?:kitchen|stove|hob|cooker|pan|pot|wok|oven|fryer|house|home|flat|apartment|building|block"
    r"|room|bedroom|bathroom|car|van|truck|meter|pipes?|hose|cylinder|tank|bottle|canister|wall|curtains?|bin|balcony"
    r"|garage|heater|boiler|shop|restaurant|factory|warehouse|shed|roof|ceiling|upstairs|downstairs|next door"
    r"|neighbou?r\w*|window|street|road|something|gas|lpg|propane|bbq|grill|help|119|smoke|flames?|transformer"
    r"|fire brigade|firefighters?|everything|whole place|hallway|stairs|lift|basement|bus|coach|lorry|scooter"
    r"|e-?bike|motorbike|station|car park|parking|yard|site|market|stall|tree|battery|transformer)",
    "<SMELL>": r"(?:smel\w*|odou?rs?|stink\w*|stench|whiff\w*|sniff\w*|fumes?|reek\w*)",
    "<ETHING>": r"(?:pipes?|pipeline|lines?|mains?|meters?|valves?|hoses?|tubes?|cylinders?|tanks?|bottles?"
    r"|canisters?|stoves?|cookers?|hobs?|ovens?|boilers?|heaters?|burners?|connections?|joints?|regulators?"
    r"|fittings?|hotplates?|geysers?|taps?|knobs?|ranges?|griddles?|fryers?)",
}


def rx(*parts: str) -> re.Pattern[str]:
    """Compile the alternatives ``parts`` after expanding the ``<GAS>``-style vocabularies above."""
    pattern = "|".join(parts)
    for name, value in _PARTS.items():
        pattern = pattern.replace(name, value)
    return re.compile(_word_start_first(pattern))


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (outside every group and character class)."""
    out, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]" or pattern[i + 1 : i + 3] == "^]":
                i += 2 if pattern[i + 1] == "]" else 3
                continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def _word_start_first(pattern: str) -> str:
    """The same pattern with its alternatives that begin at a word boundary gathered behind one ``\\b``.

    A search tries every alternative at every position; with the boundary checked once, a position inside a
    word fails at once (a long English message reads in a fifth of the time). Which alternatives match is
    unchanged; at one position the gathered ones are tried before the others.
    """
    alternatives = _alternatives(pattern)
    bounded = [a[2:] for a in alternatives if a.startswith("\\b")]
    if len(bounded) < 2:
        return pattern
    rest = [a for a in alternatives if not a.startswith("\\b")]
    return "|".join([f"\\b(?:{'|'.join(bounded)})", *rest])


@dataclass(frozen=True, slots=True)
class Rule:
    signal: str
    name: str
    pattern: re.Pattern[str]
    view: str = "zh"  # "zh": the compact view; "en": the token view
    neg: str = "before"  # look for a negation "before" the match, "both" before and inside it, or "none"
    smell: bool = False  # a negated smell with a "no longer" marker still counts
    needs: re.Pattern[str] | None = None  # something else the message must mention...
    unless: re.Pattern[str] | None = None  # ...or must not mention
    named: bool = False  # ``unless`` is ignored when gas is named ("燃气管漏了，水管也坏了")
    latin_too: bool = False  # a compact-view rule that also reads text without Chinese ("co 120", "1.2% ch4")


HAS_GAS = rx(r"<GAS>", r"\b<EGAS>\b")
GAS_CTX = rx(
    r"<GAS>|灶|厨房|锅炉|管道|管子|阀|气表|表箱|热水器|壁挂炉|气罐|钢瓶|气瓶|调压|黄色的?管|黄色的?[^，。]{0,3}桩|开灯|关灯|开关|电风扇|风扇|抱出去|叫醒|敲门|关火|后厨"
    r"|楼道|楼梯|走廊|单元|门口|门缝|地库|电梯|家里|屋里|储物间|后屋|罐子|进门",
    r"\b(?:gas|gassy|kitchen|<ETHING>|hallway|landing|corridor|stairwell|riser|grey box|flat|building|lobby)\b",
)
# Where CO comes from: a symptom with one of these nearby is CO until shown otherwise.
HEAT_CTX = rx(
    r"<GAS>|一氧化碳|热水器|热水炉|冲凉|炕|没熄火|暖风|煤球|炉|引擎|汽油|壁挂炉|锅炉|暖气|取暖|炭|煤炉|炉子|火炉|蜂窝煤|烤火|灶|洗澡|浴室|卫生间|淋浴|门窗紧闭",
    r"关着[门窗]|窗户?(?:都)?关|密闭|不通风|烟道|烟囱|倒灌|车库|发动机|发电机|车里.{0,6}(?:空调|睡)|烧烤|火锅",
    r"\b(?:heaters?|boilers?|furnace|fireplace|stoves?|cookers?|hobs?|ovens?|charcoal|bbq|barbecue|brazier",
    r"generator|gas|flue|chimney|bathroom|shower|garage|heating|exhaust|fumes|monoxide|co|geyser|engine|petrol",
    r"pressure washer|jetboil|camping stove|revving|roller door",
    r"windows? (?:are |were )?(?:closed|shut)|closed room|no ventilation|sealed)\b",
)
MONEY = rx(r"费|账单|气价|价格|涨价|缴费|交钱|欠费|钱|\b(?:bills?|price\w*|cost\w*|pay\w*|charges?|expensive|money)\b")
# An everyday source named for what was heard, smelled or seen (a pressure cooker's hiss, a drain's eggy smell, a
# meter asked about with the bill): unless gas is named, at most asked about
HISS_CAUSE = rx(
    r"高压锅|压力锅|水壶|鱼缸|气泵|氧气泵|暖气片|放气阀|排气阀|轮胎|车胎|打气|加湿器|咖啡机|蒸锅",
    r"\b(?:pressure cooker|kettle|aquarium|fish tank|air pump|radiators?|bleed\w*|tyres?|tires?|humidifier|espresso"
    r"|coffee machine|steamer)\b",
)
# Gas denied or only likened ("一股味，不是煤气哈", "放屁跟煤气泄漏一样"): at most asked about
GAS_DENIED = rx(
    r"(?<!是)(?<!是不)不是(?:<GAS>|漏气)(?![^，。]{0,6}?[吗吧呢?？])|(?:跟|像|好像|比)[^，。]{0,3}?<GAS>(?:泄漏|漏)[^，。]{0,2}?(?:一样|似的)",
    r"\b(?:it's|its|it is) not (?:the )?gas\b|\bisn't gas\b",
)
SMELL_CAUSE = rx(
    r"垃圾|下水道|地漏|化粪池|马桶|温泉|火柴|蚊香|硫磺皂|鸡蛋[^，。]{0,3}(?:坏|臭)|坏[了的]*鸡蛋|(?:炒|剥|捣|拍)[^，。]{0,3}蒜|蒜[蓉泥]",
    r"\b(?:drains?|sewer\w*|bins?|garbage|trash|septic|toilet|hot springs?|onsen|matches|match|incense"
    r"|eggs? (?:went|gone|going) off|garlic bread|chopping garlic|cooking garlic)\b",
)
NOT_GAS = rx(  # a leak or damage of something else (unless gas is named)
    r"漏水|水管|水阀|滴水|水龙头|蒸汽|氧气|暖气管|暖气片|下水|轮胎|车胎|气球|充气|气垫|篮球|足球|排球|游泳圈|(?<![装修])空调(?!安装|师傅|工人|的师傅|的工人|外机)|信息|隐私|数据|密码|号码",
    r"电缆|网线|光缆|电线|屋顶|房顶|机油|汽油|柴油|漏油|水壶|烧水|蒸(?:馒头|包子|饭|菜|鱼|糕)|蒸笼"
    r"|(?:消息|秘密|内幕|试题|考题|答案|剧透|风声|资料|名单)[^，。]{0,4}?漏|(?:脑子|脑袋|大脑|cpu|头顶)[^，。]{0,3}?冒"
    r"|\b(?:water|oil|radiator|tyres?|tires?|sewer|phone line|power line|cable|roof|steam|oxygen|petrol|diesel)\b",
)
NOT_GAS_SMELL = rx(
    r"下水道|地漏|垃圾|马桶|厕所|放屁|臭脚|脚臭|袜子|油烟(?!机)|油味|油条|火药味|艾草|熏香|香薰|烟熏|麻辣|很香|饭菜|饭香|煮饭|做菜|炒菜|香味|烟味|糊味|焦味|霉味|油漆|甲醛|臭豆腐|榴莲|宠物|猫|狗|鱼",
    r"\b(?:sewer|drains?|garbage|trash|bins?|toilet|food|cooking|burnt|cigarettes?|paint|mou?ld|dogs?|cats?|fish"
    r"|perfume|cologne|aftershave|dead (?:mouse|rat|bird)|incense|sewage|durian|hot spring|h2s|chemistry)\b"
    r"|死老鼠|老鼠|香火|烧香|上香|香水|冰箱里|鸡蛋放坏|榴莲|榴梿|中药|熬药|药味|温泉|入味|去味|老香|真香",
    r"\bsmel\w* (?:so |really |very )?(?:good|nice|great|lovely|fresh|clean|amazing|delicious)\b|\bbut amazing\b"
    r"|smells like christmas|\bcharred\b|\broasted\b",
    r"(?:新买|新装|新换|新的|第一次用|刚装)[^。]{0,14}?(?:塑料|油漆|胶|漆|皮革)味|说明书说(?:是)?正常",
)
NOT_EN_GAS = rx(  # "gas" as petrol or wind
    r"\bgas (?:station|prices?|tank|pedal|mileage|money|pump|can|guzzler)\b|\b(?:out of|run out of|step on the|fill up"
    r" with|stomach|tummy|belly|baby|trapped|passing|pass|intestinal|bloating and) gas\b"
)
COOKING = rx(
    r"大火|小火|中火|火候|火力|猛火|旺火|爆炒|炒菜|做饭|烧菜|炖|煎|蒸|火锅|烧烤|开火|\b(?:high heat|on high|wok",
    r"stir.?fry\w*|frying|saute\w*|searing|simmer\w*)\b",
)

# Danger words as figures of speech ("the app makes me explode", "sales are on fire", "我晕")
FIGURE_FIRE = "|".join(
    (
        # moods, heat, spice, screens, sales and festive fireworks that "explode" or "burn"
        r"一点就[炸着]|(?:是个|像个|就是个)(?:<GAS>罐|煤气罐|炸药桶|火药桶)|原地爆炸|我(?:要)?爆炸|脑子[^，。]{0,3}炸|太炸了|热到[^，。]{0,3}冒烟|meeting[^，。]{0,4}爆炸|排队|炸开了锅|(?<!空气)炸锅(?![里中内的])",
        # social media in an uproar; the flame a cook wants, praised
        r"(?:朋友圈|群里|群|评论区?|热搜)[^，。]{0,4}?(?:炸|爆|火了)|炸了锅|打爆|锅气|颠勺|香得很|贼香|真香|火(?:很|真|贼|可)?旺(?!盛)",
        r"[挤撑饱胀](?:得|到)[^，。]{0,2}(?:爆炸|炸了)|整个[^，。]{0,4}炸了|(?:考试|考得|成绩|分数)[^，。]{0,6}?(?:爆炸|炸了)|我人没了|弹幕|直播间|球场|气氛[^，。]{0,4}炸|我要炸了|到爆炸|贵到爆|辣(?:得|到)|晒(?:得|到)|嘴里着火|眼睛都?冒火|上头",
        r"(?:结局|演技|表演|消息|新闻|好看|推荐)[^，。]{0,3}炸裂|全场[^，。]{0,4}炸|(?:真的|太|好|很|超)fire|心态炸|多到爆炸|忙到爆炸|烦到爆炸|到我爆炸",
        r"气到爆炸|卡得|轰炸|油炸|炒股|股票|热得|热到|(?<!空)气炸(?!锅)|炸毛|火大|(?<![墙台板面顶楼桌架])上火|恼火|发火|火冒三丈|人气|火爆|爆单|爆款|爆棚|烧钱|烧脑|笑炸",
        r"炸裂(?:的)?(?:演技|表演|消息)|熏腊肉|腊肉|(?:鞭炮|烟花|炮仗|火炮|爆竹|礼炮)(?![^。]{0,10}(?:点着|着了|烧|引燃|落在|掉进|掉在))",
        r"(?:我|整个人|人都)[^，。]{0,4}(?:燃|烧)起来|(?:手气|运气|心情|颜值|幸福感|开心|快乐|人品|分数|血压|血糖|电量|好感)[^，。]{0,2}爆表",
        r"(?:业绩|销量|流量|订单|粉丝|播放量|热度|人气)[^，。]{0,3}(?:爆|炸)|群消息",
        # the same in English, and the flames people want on a stove or a fireplace
        r"\bwok hei\b",
        r"\b(?:fireworks?|firecrackers?)\b(?! (?:\S+ ){0,4}?(?:landed|hit|set|caught|on fire|burn\w*|fell))",
        r"\b(?:killing it|smoking hot|blew up my phone|fired from|got fired|you're fired)\b",
        r"five.alarm fire|\bmarket'?s? (?:\S+ ){0,3}?on fire|\bflamb\w*|\bup in smoke\b|\bblazing row\b",
        r"\bdown in flames\b|\bwishlist\b|\bstadium\b|\bstriker\b|\bhat.trick\b",
        r"\bflame (?:failure|protection|safeguard|supervision|effect)|\breal flames? look",
        r"\b(?:want|prefer|like) (?:big|bigger|high|strong|more) flames?",
        r"\b(?:bill|price|cost)s? (?:\S+ )?explod\w*|\bmeltdown\b|群.{0,4}exploded|\bred packets?\b",
        r"\bmouth (?:is )?on fire|\btabs? (?:are )?exploding|\bpicks? (?:are )?on fire",
        r"\bblew up at (?:me|him|her|them|us|the tv|the kids)\b|\bspicy\b|\bchill?i\b",
        r"\b(?:boss|mum|mom|dad|teacher|wife|husband|gran) (?:\S+ )?explode",
        r"\bi(?:'m| am)? (?:going to |gonna |about to )?explode\b|breathing fire",
    )
)
# Someone "out cold" or "not breathing" in a figure of speech (the bill, a teenager who sleeps in, leaflets)
FIGURE_MED = rx(
    r"(?:账单|燃气费|费用|价格)[^。]{0,10}?(?:晕倒|晕过去|昏倒|昏过去|窒息|吐血)|(?:晕倒|吐血)[^。]{0,6}(?:账单|燃气费)",
    r"跟叫不醒一样|像叫不醒|叫不醒一样|睡到(?:中午|下午)|戴着耳机",
    # a degree said with a collapse ("笑到我抽筋", "看得我晕过去", "闷得人喘不过气"), the writer about to
    # ("我要口吐白沫了"), a machine or a pet that "will not wake", a part played on a stage
    r"(?:笑|虐|气|冷|热|闷|累|困|看|饿|忙|卷|烦|晒|挤|熬)[得到](?:我|人|我们|人家)?(?:整个人|全身|浑身)?(?:都|要|快|差点|直接|简直)?"
    r"(?:要|快)?(?:晕过去|晕倒|昏倒|昏过去|抽筋|抽搐|抽过去|没(?:有)?了?呼吸|翻白眼|喘不(?:上|过)气|不省人事|窒息|口吐白沫|吐白沫)",
    # laughing, joking, or shaking with a feeling: nobody is out cold
    r"哈哈|\b(?:lol|lmao|rofl)\b|\bwith (?:excitement|joy|laughter|happiness|rage|anger|nerves)\b",
    r"(?:让|把|搞得|弄得)我[^，。]{0,5}?(?:晕过去|晕倒|昏倒|昏过去|不省人事|窒息|口吐白沫|吐白沫)"
    r"|我(?:要|快要?|直接|简直|差点)(?:口吐白沫|晕倒|昏倒|晕过去|昏过去|窒息|不省人事)",
    r"(?:电脑|路由器|手机|系统|电视|网络|网|猫|狗|仓鼠|兔子|乌龟|鹦鹉|宠物)[^，。]{0,6}?(?:叫不醒|不理|没呼吸|没反应|不醒)"
    r"|死机|冬眠|演(?:一个|个)?[^，。]{0,6}?(?:病人|昏迷|晕倒)|扮演|剧本里|剧情",
    r"\b(?:wifi|wi-fi|router|internet|phone|laptop|computer|tv|battery)\b(?: \S+){0,3}? (?:is |isn't |not |stopped )?"
    r"(?:breathing|dead|died|unresponsive)",
    r"\bnot breathing a word\b|\bstopped breathing when i saw\b",
    r"\bpassed out (?:\S+ ){0,3}?(?:flyers|leaflets|papers|sweets|candy|forms|cards)\b",
    r"\b(?:app|website|site|page|phone|computer|system)\b(?: \S+){0,3}? not responding",
    r"\bdizzy from (?:overtime|work|the bill)",
    r"\bcan'?t wake (?:my |the )?(?:teenager|teen|son|daughter|kids?) (?:up )?for school",
)
FIGURE = rx(
    r"气得|气的我|被.{0,8}气|烦得|愁得|急得|吵得|算得|看得我|我晕|晕死|笑晕|累晕|头都大了|气死",
    r"\b(?:killing me|headache of a|pain in the"
    r"|such a headache|what a headache|makes me sick|sick of|sick and tired)\b",
)
# An everyday cause named for a headache or dizziness ("熬夜头疼", "hangover headache"): with no gas, heater or
# closed room around it, not carbon monoxide
SYMPTOM_CAUSE = rx(
    r"感冒|发烧|发热|熬夜|通宵|加班|宿醉|喝多|喝酒|醉了|考试|考完|刷题|献血|低血糖|贫血|晕车|晕船|晕机|坐车|坐船|失眠|没睡好|偏头痛|生理期|怀孕|孕吐|吹气球",
    r"\b(?:hangover|hungover|drank|drinking|overtime|a cold|the flu|flu|migraine|period|pregnan\w*|balloons?|exams?"
    r"|all.nighter|no sleep|didn'?t sleep|jet ?lag\w*|car ?sick|sea ?sick|motion sickness"
    r"|after (?:the |a |company )?party)\b",
)

ZH_ALARM = rx(
    r"(?:报警器|报警仪|警报器|探测器|检测仪|检测器|侦测器|侦测仪|传感器|报警装置|警报|烟感|报警|探头|alarm|detector"
    r"|(?<![a-z0-9])co(?![a-z0-9]))"
    r"(.{0,10}?)(?:响|叫(?!什么|啥)|[在又还]报(?![警告名销修价表案])|报(?:了|个?不停|个没完|起来)"
    r"|鸣|beep|going ?off|启动|触发|报警(?![器仪装])|滴滴|嘀嘀|哔哔|嘟嘟|红灯|亮红"
    r"|一闪一闪|ringing|beeping)"
)
EN_ALARM = rx(
    r"\b(?:alarms?|detectors?|sensors?|monitors?)\b(?: \S+){0,6}? (?:"
    r"going off|goes off|went off|gone off|go off|keeps? going|still going|won't stop|wont stop"
    r"|beep\w*|sound\w*|ring\w*|chirp\w*|scream\w*|shriek\w*|blar\w*|flash\w*|trigger\w*|activat\w*|alarming|buzz\w*|wail\w*"
    r"|is on|are on|red light|showing|reads|reading|says|light (?:is |turned |went )?red"
    r"|mak\w* (?:a |loud |some )?(?:noise|sound)"
    r")\b",
    r"\b(?:beep\w*|sounding|ringing|chirp\w*|scream\w*|blaring|flashing)(?: \S+){0,3}? (?:alarms?|detectors?)\b",
    r"\b(?:gas|co|carbon monoxide) detected\b",
    r"\b(?:gas|co|methane) (?:detection|detector) \S+(?: \S+){0,6}? (?:alarm|showing|triggered)",
)
ZH_CO_TERM = rx(r"一氧化碳(?!的?(?:报警|探测|检测|传感|监测|浓度计|测试))")
EN_CO_TERM = rx(r"\bmonoxide\b(?! (?:alarms?|detectors?|sensors?|monitors?|testers?|meters?|tests?|testing|batter\w*))")
ALARM_CO = rx(r"一氧化碳|(?<![a-z0-9])co(?![a-z0-9])|monoxide|carbon")
ALARM_FIRE = rx(r"烟雾|烟感|火灾|消防|火警|\b(?:smoke|fire|heat)\b")
ALARM_BATTERY = rx(
    r"(?<!not the )(?<!not a )(?<!不是)(?<!or )(?<!or low )(?<!is that the )(?<!is it the )(?<!是不是)(?<!是)"
    r"(?:\bbatter(?:y|ies)\b|电池|没电)"
)  # the chirp of a flat battery
ALARM_OTHER = rx(
    r"\bgreen\b|绿灯|\btest\w*|\bsteam\b|测试"
    r"|\b(?:clock|burglar|car(?! park)|security|intruder|phone|house|wake|morning|door|timer)\b"
    r"|闹钟|防盗|门铃|手机"
    r"|车"
)
# A smoke alarm with its harmless cause named ("went off because I burned the toast"): asked, not a fire
ALARM_KNOWN_CAUSE = rx(
    r"(?<![没不无])(?<!没人)(?<!没有)(?:烤焦|烧焦|煎糊|烧糊|炒菜|做饭|洗澡|水蒸气|蒸汽|点蜡烛|烧香|测试)",
    r"\b(?:burn[te]d? (?:the |my )?(?:toast|food|dinner|bacon|pan|rice)"
    r"|toast|cooking|shower\w*|steam|candles?|fry\w*|steak|searing|incense|test\w*)\b",
)
ALARM_TESTED = rx(r"测试|试一下|试试|\btest\w*")  # an alarm's harmless cause: it is being tested
PPM = re.compile(r"(\d{1,5})\s?ppm")

# A bare word or two about gas with nothing else ("燃气？", "smoke"): unclear, so asked, never ignored.
FRAGMENT = rx(
    r"燃气|煤气|天然气|瓦斯|报警器?|味道|管子|[气味漏火烟管阀]"
    r"|\b(?:gas|smoke|fire|leak\w*|smell\w*|alarm|burning|fumes|co)\b"
)
FRAGMENT_FILLER = rx(
    r"那个|就是|是不是|有点|好像|一下|怎么办|会不会|喂|[你您]好|在吗|在不在|师傅|你们|有?问题|不对|回(?:个)?电(?:话)?|麻烦"
    r"|[的了吗呢啊吧呀嘛哦哈有是在]|[^\w]|\b(?:a|the|is|it|there|some|hello|hi|problem|with|pls|please|my)\b"
)
