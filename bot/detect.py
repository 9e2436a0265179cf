"""Danger detection: does a resident's message report gas, carbon monoxide, fire or someone unwell?

``detect(text)`` is pure and fast (bounded regexes only). It works on three views of one
``normalize``d text: the whole string, a *compact* one without spaces (Chinese, voice-to-text run-ons,
"燃 气 味") and a *token* one (English, typos corrected, repeated letters squeezed).

Decisions (each is pinned by the corpus in ``tests/bot/corpus``):
- Explicit negation of a smell or leak ("没有燃气味", "I don't smell gas", "no leak") is not danger
  unless other danger words are present. A hedge ("not sure", "不知道是不是") is not a negation.
- A smell that is *no longer* there ("no smell now, the valve is closed", "现在没味了", "没有燃气味了")
  is still a report: gas may linger and the leak is still there, so the card is shown (P2 controlled
  escape). The marker words are "now / anymore / no longer / gone", "了 / 现在 / 已经 / 不再".
- A gas or CO alarm that sounds is danger even if the resident thinks it is a false alarm.
- Words about gas without a smell, leak, hiss, alarm or damage ("燃气费", "gas bill", "我家没气了",
  "gas station", "打不着火") are not danger.
- "Someone unwell" alone (no gas, CO, heater or fire context) sets ``unwell`` but not ``any``: a gas
  card would be the wrong answer to "I have a headache". Symptoms *with* such context set
  ``co_symptoms`` (and ``any``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz.distance import Levenshtein

logger = logging.getLogger(__name__)

# Traditional -> simplified for every character of the danger patterns and the knowledge base that differs.
_T2S = """
氣气 洩泄 報报 響响 頭头 暈晕 噁恶 惡恶 嘔呕 著着 煙烟 菸烟 雞鸡 聞闻 聲声 閥阀 門门 關关 開开 熱热
掛挂 爐炉 鍋锅 廚厨 發发 現现 聽听 見见 沒没 們们 電电 燒烧 費费 單单 帳账 賬账 價价 錢钱 檢检 驗验
約约 預预 裡里 裏里 這这 個个 濃浓 嗆呛 鬆松 脫脱 斷断 損损 壞坏 鈴铃 嗶哔 醫医 紅红 櫻樱 霧雾 閃闪
轟轰 鄰邻 樓楼 軟软 連连 嗎吗 麼么 點点 兒儿 樣样 還还 處处 從从 進进 過过 為为 會会 應应 該该 問问
題题 舊旧 換换 裝装 錶表 讀读 數数 維维 車车 輛辆 說说 話话 讓让 給给 時时 間间 體体 異异 悶闷 渾浑
識识 塗涂 難难 無无 壓压 緊紧 閉闭 戶户 風风 機机 燈灯 滅灭 廳厅 臥卧 陽阳 臺台 颱台 檯台 計计 號号
碼码 線线 網网 購购 買买 賣卖 員员 證证 標标 區区 廠厂 國国 貓猫 條条 節节 長长 鐘钟 鍾钟 歷历 曆历
歸归 與与 對对 錯错 亂乱 確确 認认 實实 養养 護护 輕轻 遠远 邊边 內内 總总 並并 幾几 萬万 傷伤 災灾
險险 搶抢 隊队 趕赶 動动 鳴鸣 顯显 鎖锁 擰拧 轉转 濕湿 黴霉 鏽锈 銹锈 蝕蚀 爛烂 牆墙 櫃柜 櫥橱 廁厕
衛卫 噴喷 膠胶 鋼钢 鐵铁 屬属 紋纹 擋挡 蓋盖 嚴严 許许 違违 規规 範范 責责 負负 擔担 業业 辦办 續续
據据 書书 簽签 張张 餘余 額额 復复 複复 鑽钻 樁桩 佔占 竊窃 舉举 騙骗 詐诈 強强 產产 記记 隱隐 竄窜
燻熏 覺觉 甦苏 蘇苏 狀状 殘残 寵宠 遊游 慶庆 採采 竈灶 庫库 飯饭 場场 傳传 黃黄 灑洒 聯联 繫系 係系
撥拨 燙烫 測测 試试 設设 備备 儀仪 壽寿 態态 觸触 錄录 貼贴 籤签 週周 遲迟 準准 鬧闹 帶带 運运 輸输
鎮镇 穩稳 獨独 靈灵 暫暂 盡尽 項项 順顺 須须 領领 頻频 顏颜 殺杀 滾滚 當当 眾众 衆众 種种 絕绝 經经
蟲虫 觀观 詢询 誤误 請请 諮咨 資资 迴回 選选 鈕钮 銀银 鍵键 闆板 隻只 頂顶 馬马 髮发 鬍胡 魚鱼 鮮鲜
麵面 後后 於于 乾干 幹干 嚮向 瞭了 衝冲 沖冲 藍蓝 橫横 廢废 潔洁 結结 統统 纜缆 膚肤 臨临 補补 親亲
訴诉 議议 變变 賃赁 輪轮 銷销 閘闸 離离 絲丝 噝咝 綫线 喫吃 爲为 啓启 寫写 墊垫 東东 專专 噹当 劑剂
勢势 圍围 園园 寶宝 導导 彎弯 懷怀 擇择 敗败 暢畅 況况 溝沟 溫温 監监 窩窝 籃篮 繞绕 纏缠 蔥葱 製制
調调 講讲 豎竖 質质 達达 齣出 劃划 儲储 減减 掃扫 誰谁 桿杆 湯汤 誌志 兩两 側侧 兌兑 凍冻 撲扑 積积
繼继 營营 樹树 澆浇 潑泼 曬晒
"""


@cache
def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for pair in _T2S.split():
        if len(pair) == 2 and pair[0] != pair[1]:
            table[ord(pair[0])] = pair[1]
    table.update({ord(c): "'" for c in "\u2018\u2019\u02bc`\u00b4"})
    table.update(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None))
    return table


def normalize(text: str) -> str:
    """NFKC (full-width -> ASCII), casefold, traditional -> simplified, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_table())
    return re.sub(r"\s+", " ", folded).strip()


@dataclass(frozen=True, slots=True)
class Danger:
    """What a message reports. ``rules`` names the rules that fired (for logs and tests; no user text)."""

    gas: bool = False  # smell of gas, leak, hissing, gas alarm sounding, damaged gas pipe
    co: bool = False  # CO alarm sounding, carbon monoxide / 煤气中毒 words, flue backdraft
    co_symptoms: bool = False  # headache, dizziness, fainting... with gas/CO/heater context
    fire: bool = False  # fire, explosion, smoke
    unwell: bool = False  # someone unwell or fainted, with or without context
    rules: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """Danger that needs a safety card now; ``unwell`` alone does not count (see the module doc)."""
        return self.gas or self.co or self.co_symptoms or self.fire


_PARTS = {
    "<GAS>": r"(?:燃气|煤气|天然气|液化石油气|液化气|石油气|管道气|瓦斯|沼气|(?<![a-z])gas{1,2}(?![a-z])"
    r"|lpg)",
    "<THING>": r"(?:(?<!支)气管|管道|管线|管子|软管|胶管|皮管|接头|阀门|阀|气表|燃气表|钢瓶|气瓶|气罐|罐子"
    r"|灶|热水器|壁挂炉|锅炉)",
    "<EGAS>": r"(?:gas|lpg|propane|butane|methane)",
    "<SMELL>": r"(?:smel\w*|odou?rs?|stink\w*|stench|whiff|sniff\w*|fumes?)",
    "<ETHING>": r"(?:pipes?|pipeline|lines?|mains?|meters?|valves?|hoses?|tubes?|cylinders?|tanks?|bottles?"
    r"|canisters?|stoves?|cookers?|hobs?|ovens?|boilers?|heaters?|burners?|connections?|joints?|regulators?|fittings?)",
}


def _rx(*parts: str) -> re.Pattern[str]:
    """Compile the alternatives ``parts`` after expanding the ``<GAS>``-style vocabularies above."""
    pattern = "|".join(parts)
    for name, value in _PARTS.items():
        pattern = pattern.replace(name, value)
    return re.compile(pattern)


@dataclass(frozen=True, slots=True)
class _Rule:
    flag: str  # gas, co, fire; poison (CO + ill); group (several ill); bad (unwell); sym (needs context)
    name: str
    pattern: re.Pattern[str]
    view: str = "zh"  # "zh": the compact view; "en": the token view
    neg: str = "both"  # look for a negation "before" the match, "both" before and inside it, or "none"
    smell: bool = False  # a negated smell with a "no longer" marker still counts
    hypo: bool = False  # a hypothetical ("会不会爆炸", "risk of explosion") does not count
    needs: re.Pattern[str] | None = None  # something else the message must mention...
    unless: re.Pattern[str] | None = None  # ...or must not mention
    named: bool = False  # ``unless`` is ignored when gas is named ("燃气管漏了，水管也坏了")


@dataclass(frozen=True, slots=True)
class _Views:
    zh: str  # normalised, without spaces
    en: str  # tokens joined by single spaces, typos corrected, Chinese words reduced to "gas" or "~"
    ctx: str  # both, for context look-ups


_HAS_GAS = _rx(r"<GAS>", r"\b<EGAS>\b")
_GAS_CTX = _rx(r"<GAS>|灶|厨房|管道|阀|气表|热水器|壁挂炉|气罐|钢瓶|气瓶", r"\b(?:gas|kitchen|<ETHING>)\b")
_HEAT_CTX = _rx(
    r"<GAS>|一氧化碳|热水器|壁挂炉|锅炉|暖气|取暖|炭|煤炉|炉子|火炉|蜂窝煤|灶|洗澡|浴室|卫生间|淋浴|门窗紧闭|关着[门窗]",
    r"密闭|不通风|烤火|火锅|烟道|烟囱|倒灌|\b(?:heaters?|boilers?|furnace|fireplace|stoves?|cookers?|hobs?|ovens?",
    r"charcoal|bbq|barbecue|brazier|generator|gas|flue|chimney|bathroom|shower|garage|heating|exhaust|fumes|monoxide",
    r"co|windows? (?:are |were )?closed)\b",
)
_NOT_GAS = _rx(  # a leak or damage of something else (unless gas is named)
    r"漏水|水管|暖气管|暖气片|下水|轮胎|车胎|气球|充气|气垫|篮球|足球|排球|游泳圈|空调|信息|隐私|数据|密码|号码",
    r"电缆|网线|光缆|电线|\b(?:water|oil|radiator|tyres?|tires?|sewer|phone line|power line|cable)\b",
)
_NOT_GAS_SMELL = _rx(
    r"下水道|地漏|垃圾|马桶|厕所|油烟|饭|做菜|炒菜|香味|烟味|糊味|焦味|霉味|油漆|甲醛|臭豆腐|榴莲|宠物|猫|狗|鱼",
    r"\b(?:sewer|drains?|garbage|trash|bins?|toilet|food|cooking|burnt|burning|cigarettes?|paint|mou?ld|dogs?|cats?|fish)\b",
)
_NOT_FIRE = _rx(r"隐患|防火|消防日|消防安全|保险|灭火器|11月9", r"\bfire (?:safety|drill|insurance|extinguisher)")

_RULES: tuple[_Rule, ...] = (
    _Rule("gas", "zh_smell", _rx(
        r"<GAS>的?(?:味道|气味|臭味|异味|味儿|味|臭)", r"闻.{0,4}?<GAS>", r"<GAS>.{0,3}?(?:呛|冲鼻|刺鼻|熏)",
        r"(?:像|似|跟|股|种).{0,3}?(?:[臭烂]鸡?蛋|坏鸡蛋)", r"(?:[臭烂]鸡?蛋|坏鸡蛋)的?(?:味|气味|臭)",
    ), smell=True),
    _Rule("gas", "zh_odour", _rx(
        r"(?:<GAS>的?)?(?:异味|怪味|臭味|气味|味道|味儿|(?<![口趣品美调香])味(?!精)|刺鼻|呛)"
    ), smell=True, needs=_GAS_CTX, unless=_NOT_GAS_SMELL),
    _Rule("gas", "zh_leak", _rx(
        r"漏气|跑气|泄[漏露]|外泄|漏出|漏[了着]?<GAS>", r"<GAS>.{0,6}?漏(?![水电费])",
        r"<THING>.{0,4}?漏(?![水电费])", r"嘶嘶|咝咝|挖[断破坏到着穿漏]",
    ), unless=_NOT_GAS, named=True),
    _Rule("gas", "zh_hiss", _rx(r"呲呲|滋滋|哧哧|嗤嗤|丝丝|呼呼|嘶[的地]?(?:一声|声|响)"),
          needs=_rx(r"<THING>|<GAS>")),
    _Rule("gas", "zh_damage", _rx(
        r"(?:管道|管线|管子|管|软管|胶管|皮管|表).{0,5}?(?:破|断|裂|爆|挖|撞|脱落|掉了|松了|松动|咬)"
    ), needs=_rx(r"<GAS>|挖|(?<!支)气管|软管|胶管"), unless=_NOT_GAS, named=True),
    _Rule("gas", "zh_valve", _rx(r"(?:阀门|阀|开关|旋钮).{0,4}?关不[上住严紧掉]"), neg="none"),
    _Rule("co", "zh_co", _rx(r"(?<![a-z0-9])co(?:中毒|超标|浓度|泄漏|超了|偏高)|倒灌|倒烟|回烟")),
    _Rule("poison", "zh_poison", _rx(
        r"(?:煤气|燃气|天然气|一氧化碳|(?<![a-z0-9])co|炭|煤|瓦斯)中毒|中了?煤气|煤气熏|被熏|熏[倒晕着]"
    ), neg="before", hypo=True),
    _Rule("fire", "zh_fire", _rx(
        r"(?<![打点不没能])着火|起火|失火|火灾|大火|冒火|[窜蹿]火|火苗[窜蹿]|[燃烧]起来|爆炸|爆燃|闪爆|冒烟|浓烟",
        r"(?<!\d)119(?!\d)|[轰嘭砰]的一声",
    ), neg="before", hypo=True, unless=_NOT_FIRE),
    _Rule("fire", "zh_bang", _rx(r"炸[了开裂]"), neg="before", hypo=True,
          needs=_rx(r"<GAS>|热水器|灶|罐|瓶|炉|管|表")),
    _Rule("bad", "zh_unwell", _rx(
        r"晕倒|昏倒|昏迷|晕过去|昏过去|不省人事|叫不[醒应]|倒在地|倒地|抽搐|没有?呼吸|不喘气|呼吸困难|喘不上气|口吐白沫",
        r"头(?:有点|有些|很|好|特别|非常)?[晕昏]|眩晕|(?<![很真太好挺人])头(?:有点|有些)?[疼痛](?!的是|这|那|死)|恶心|想吐|呕吐",
        r"浑身无力|四肢无力|乏力|胸闷",
        r"(?<!心里)不舒服|(?<!心里)难受|神志不清|意识模糊|意识不清",
    ), neg="before"),
    _Rule("sym", "zh_symptom", _rx(
        r"犯困|嗜睡|想睡|迷糊|没劲|没力气|心慌|腿软|嘴唇.{0,3}红|樱桃红|说胡话|反应迟钝|昏昏沉沉|晕乎乎|站不稳"
    ), neg="before"),
    _Rule("group", "zh_group", _rx(
        r"(?:全家|一家人|家里人|都|几个人|大家)(?:有点|有些|感觉|觉得|说)?(?:头晕|头痛|头疼|恶心|想吐|呕吐|难受|不舒服)"
    ), neg="before"),
    _Rule("gas", "en_smell", _rx(
        r"<SMELL>(?: \S+){0,4}? <EGAS>\b", r"\b<EGAS>(?: \S+){0,2}? <SMELL>", r"\bsul(?:ph|f)[ue]r",
        r"eggy smell",
        r"(?:smel\w*|odou?r|stink\w*|like|whiff) (?:\S+ ){0,3}?rotten eggs?",
        r"rotten eggs? (?:smel\w*|odou?r|stink\w*)",
    ), "en", smell=True),
    _Rule("gas", "en_odour", _rx(
        r"\b(?:strange|funny|weird|odd|bad|chemical|strong|horrible|terrible|nasty) smell",
        r"\bsmel\w*",
    ), "en", smell=True, needs=_GAS_CTX, unless=_NOT_GAS_SMELL),
    _Rule("gas", "en_leak", _rx(
        r"\b<EGAS>(?: \S+){0,2}? (?:leak\w*|escap\w*|hiss\w*|coming out|pouring out|blowing out)",
        r"\bleak\w*(?: \S+){0,3}? <EGAS>\b", r"\bhiss\w*",
    ), "en"),
    _Rule("gas", "en_thing_leak", _rx(
        r"\b<ETHING>(?: \S+){0,3}? leak\w*", r"\bleak\w*(?: \S+){0,3}? <ETHING>\b"
    ), "en", unless=_NOT_GAS, named=True),
    _Rule("gas", "en_whistle", _rx(r"\b(?:whistl\w*|whoosh\w*)"), "en", needs=_rx(r"\b<ETHING>\b")),
    _Rule("gas", "en_damage", _rx(
        r"\b(?:pipes?|lines?|mains?|pipeline|hoses?)\b(?: \S+){0,4}? (?:broken|broke|damaged|cracked|hit",
        r"cut|burst|severed|snapped|ruptured|struck|dug)\b",
        r"\b(?:hit|cut|struck|damaged|broke|severed|ruptured|dug up|dug into) (?:\S+ ){0,3}?"
        r"(?:pipes?|lines?|mains?)\b",
    ), "en", needs=_rx(r"\bgas\b|\bdig\w*|\bdug\b|excavat\w*|\bdrill\w*|construction|workers|builders"),
        unless=_NOT_GAS, named=True),
    _Rule("gas", "en_valve", _rx(
        r"\b(?:can't|cannot|won't|unable to|couldn't) (?:close|shut|turn off|switch off)(?: \S+){0,2}? "
        r"(?:gas|valve|tap|knob|stove|cooker)\b|\bvalve (?:is )?stuck"
    ), "en", neg="none"),
    _Rule("co", "en_co", _rx(
        r"\bco (?:levels?|reading|ppm|leak\w*|present|high|exposure)\b|\bbackdraft",
        r"\b(?:fumes|exhaust)\b(?: \S+){0,4}? <ETHING>", r"\b<ETHING>(?: \S+){0,4}? (?:fumes|exhaust)\b",
    ), "en"),
    _Rule("poison", "en_poison", _rx(
        r"\b(?:co|monoxide|gas) poison\w*|\bpoisoned by (?:the )?(?:co|gas|carbon monoxide|monoxide)\b"
    ), "en", neg="before", hypo=True),
    _Rule("fire", "en_fire", _rx(
        r"\bon fire\b|\bcaught fire|\bcatch\w* fire|\bflames\b|\bblaze\b|\bexplo(?:sion|ded?|ding)",
        r"\bblew up|\bblown up|burning smell|smel\w* (?:\S+ ){0,2}?burning|full of smoke",
        r"(?<!gas )(?<!electric )(?<!coal )(?<!log )(?<!camp )\bfire\b(?! (?:place|extinguishers?|safety"
        r"|station|brigade|department|dept|drill|door|insurance|fighters?|works|wood|man|men|proof|exit|escape"
        r"|hazard|risk|code|alarms?|detectors?))",
        r"(?:thick|black|lots of|a lot of) smoke",
        r"\bsmoke (?:is )?(?:coming|pouring|billowing|everywhere|from)",
    ), "en", neg="before", hypo=True, unless=_NOT_FIRE),
    _Rule("bad", "en_unwell", _rx(
        r"\bfaint(?:ed|ing)\b|\bfeel\w* faint|\bpass(?:ed|es|ing)? out\b|\bcollaps\w*|\bunconscious",
        r"\bunresponsive|(?:won't|can't|cannot|couldn't|not|doesn't) wak\w*|not breathing|stopped breathing",
        r"can't breathe|(?:hard|difficult|difficulty|trouble) (?:to )?breath\w*|short(?:ness)? of breath",
        r"\bseizure|\bconvuls\w*",
        r"\bheadaches?\b|\bhead ?ache|\bdizz\w*|light ?headed|\bnause\w*|\bvomit\w*|\bthrow\w* up|\bthrew up",
        r"\b(?:feel\w*|felt|is|are|am|being|got|getting|gone|went) (?:really |very |a bit |so |quite )?"
        r"(?:sick|ill|unwell|poorly)\b(?! of)|\bnot (?:feeling |feel )?(?:very |so )?well\b|\bchest pains?",
    ), "en", neg="before"),
    _Rule("sym", "en_symptom", _rx(
        r"\bweak\w*|\bdrowsy|\bsleepy|\btired|\bconfus\w*|\bdisorient\w*|blurr\w* vision|cherry red",
        r"red lips|groggy",
    ), "en", neg="before"),
    _Rule("group", "en_group", _rx(
        r"\b(?:we|everyone|everybody|all of us|whole family|both of us|family|kids|children) (?:\S+ ){0,5}?"
        r"(?:headaches?|dizz\w*|nause\w*|sick(?! of)|vomit\w*|drowsy|sleepy|faint\w*)"
    ), "en", neg="before"),
)  # fmt: skip

# Alarms: what is sounding, and is "carbon monoxide" only the name of a device ("CO alarm battery")?
_ZH_ALARM = _rx(
    r"(?:报警器|报警仪|警报器|探测器|检测仪|报警装置|警报|烟感)(.{0,6}?)"
    r"(?:响|叫(?!什么|啥)|鸣|报警(?![器仪装])|滴滴|嘀嘀|哔哔|嘟嘟|红灯)"
)
_EN_ALARM = _rx(
    r"\b(?:alarms?|detectors?|sensors?|monitors?)\b(?: \S+){0,4}? (?:going off|goes off|went off|gone off"
    r"|go off|beep\w*|sound\w*|ring\w*|chirp\w*|scream\w*|shriek\w*|blar\w*|flash\w*|trigger\w*|activat\w*"
    r"|alarming|buzz\w*|wail\w*|is on|are on|red light)\b",
    r"\b(?:beep\w*|sounding|ringing|chirp\w*|scream\w*|blaring|flashing)(?: \S+){0,3}?"
    r" (?:alarms?|detectors?)\b",
)
_ZH_CO_TERM = _rx(r"一氧化碳(?!的?(?:报警|探测|检测|传感|监测|浓度计|测试))")
_EN_CO_TERM = _rx(
    r"\bmonoxide\b(?! (?:alarms?|detectors?|sensors?|monitors?|testers?|meters?|tests?|testing|batter\w*))"
)
_ALARM_CO = _rx(r"一氧化碳|(?<![a-z0-9])co(?![a-z0-9])|monoxide|carbon")
_ALARM_FIRE = _rx(r"烟雾|烟感|火灾|消防|火警|\b(?:smoke|fire|heat)\b")
_ALARM_OTHER = _rx(r"\b(?:clock|burglar|car|security|intruder|phone|house|wake|morning)\b")

# Negation, hedges, "no longer", hypotheticals.
_ZH_HEDGES = _rx(r"不知道|不确定|不清楚|是不是|不太确定|不停|不断|不住|说不定|要不要|得不行|不得了")
_ZH_NEG_END = _rx(
    r"(?:没有?|无|未|毫无|(?<!是)不是?|闻不[到出见]|听不[到见])"
    r"(?:闻到|闻见|闻出|闻|发现|感觉到?|察觉到?|听到|听见|有|什么|任何|啥|明显的?|一点|的|再){0,3}$"
)
_ZH_NO_LONGER = _rx(r"现在|已经|不再|没再")
_ZH_HYPO = _rx(r"会不会|会|能不能|可能|防止|预防|避免|引起|导致|以免|怕|担心|造成|容易|如何|测试|试验|自检|按一下|应该")
_ZH_HYPO_AFTER = _rx(r"^.{0,2}(?:吗|么|危险|隐患|风险|正常)")
_EN_NEG = _rx(
    r"^(?:no|not|never|don't|didn't|doesn't|can't|cannot|couldn't|isn't|wasn't|aren't|ain't|haven't|hasn't"
    r"|won't|without|nor|nothing|none|nobody|noone|neither)$"
)
_EN_HEDGE = _rx(r"^(?:sure|know|understand|want|mean|wanna|care|remember|matter|worry)$")
_EN_BREAK = _rx(r"^(?:[.,;:!?~]|and|but|so|because|cause|though|although|however|then|while|which)$")
_EN_NO_LONGER = _rx(r"\b(?:now|anymore|any more|longer|gone|stopped|disappeared)\b")
_EN_HYPO = _rx(
    r"\b(?:risk|dangers?|cause|causes|prevent|avoid|chance|could|might|can|will|would|if|whether|signs|symptoms"
    r"|test|testing|tested|check|checking|press|button|should|supposed)\b"
)
_EN_FIX = {
    **dict.fromkeys(["gass", "gaz", "gas's", "gasses", "gases"], "gas"),
    **dict.fromkeys(["smel", "smeel", "smeell", "smelt"], "smell"),
    **dict.fromkeys(["smels", "smeels", "smellz", "smelz"], "smells"),
    **dict.fromkeys(["smeling", "smelin", "smellin", "smeeling", "smellng", "smellig"], "smelling"),
    **dict.fromkeys(["leek", "leack", "leik", "lek"], "leak"),
    **dict.fromkeys(["leeking", "leakin", "leakig", "leking", "leacking"], "leaking"),
    **dict.fromkeys(["hising", "hissin", "hisin", "hizzing"], "hissing"),
    **dict.fromkeys(["alarn", "alaram", "allarm", "alrm", "alarme"], "alarm"),
    **dict.fromkeys(["detecter", "dectector", "detektor", "dector"], "detector"),
    **dict.fromkeys(["beepin", "beping", "beaping", "bleeping", "beebing"], "beeping"),
    **dict.fromkeys(["headake", "hedache", "headach", "headace", "hedake"], "headache"),
    **dict.fromkeys(["dizy", "dizzi", "dizzey", "dissy", "dizzie"], "dizzy"),
    **dict.fromkeys(["nautious", "nauseus", "nausious", "nauseos"], "nauseous"),
    **dict.fromkeys(["roten", "rotton", "rottin", "rottn", "rottem"], "rotten"),
    **dict.fromkeys(["egs", "eggz", "egss"], "eggs"),
    **dict.fromkeys(["explotion", "explosian", "exploshun", "exploson"], "explosion"),
    **dict.fromkeys(["unconcious", "unconscius", "unconsious", "unconsciuos"], "unconscious"),
    **dict.fromkeys(["dont", "didnt", "doesnt", "cant", "couldnt", "isnt", "wasnt", "arent", "aint", "havent"], ""),
}
_EN_FIX.update({k: f"{k[:-2]}'t" for k, v in _EN_FIX.items() if not v})
_FUZZY = ("monoxide", "unconscious", "explosion", "headache", "dizziness", "sulphur")
_FUZZY_KEEP = frozenset(["conscious", "subconscious", "explosive", "business"])
_ZH_GAS_WORD = _rx(r"燃气|煤气|天然气|液化气|石油气|瓦斯|沼气")


@lru_cache(maxsize=4096)
def _fix(token: str) -> str:
    """One token, with its typo corrected; a Chinese run becomes "gas" or "~"."""
    if token in _EN_FIX:
        return _EN_FIX[token]
    if "\u3400" <= token[0] <= "\u9fff":
        return "gas" if _ZH_GAS_WORD.search(token) else "~"
    if len(token) >= 7 and token.isalpha() and token not in _FUZZY_KEEP:
        for word in _FUZZY:
            limit = 1 if len(word) <= 8 else 2
            if Levenshtein.distance(token, word, score_cutoff=limit) <= limit:
                return word
    return token


def _views(text: str) -> _Views:
    norm = normalize(text)
    zh = norm.replace(" ", "")
    squeezed = re.sub(r"([a-z])\1{2,}", r"\1\1", norm)
    tokens = re.findall(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u9fff]+|[.,;:!?。，；：！？、]", squeezed)
    en = " ".join(_fix(tok) for tok in tokens)
    return _Views(zh=zh, en=en, ctx=f"{zh} {en}")


def _clause_before(en: str, start: int, size: int = 4) -> list[str]:
    """Up to ``size`` tokens before ``start``, not reaching back past a clause break."""
    window: list[str] = []
    for tok in reversed(en[:start].split()[-size - 1 :]):
        if _EN_BREAK.match(tok) or len(window) >= size:
            break
        window.append(tok)
    return window[::-1]


def _has_neg(tokens: list[str]) -> bool:
    return any(
        _EN_NEG.match(tok) and (i + 1 == len(tokens) or not _EN_HEDGE.match(tokens[i + 1]))
        for i, tok in enumerate(tokens)
    )


def _negated(view: str, text: str, start: int, end: int, inside: bool) -> bool:
    if view == "zh":
        before = _ZH_HEDGES.sub("", text[max(0, start - 8) : start])
        span = _ZH_HEDGES.sub("", text[start:end])
        return bool(_ZH_NEG_END.search(before) or (inside and re.search(r"[没不未别无]", span)))
    return _has_neg(_clause_before(text, start)) or (inside and _has_neg(text[start:end].split()[1:]))


def _no_longer(view: str, text: str, start: int, end: int) -> bool:
    if view == "zh":
        return "了" in text[end : end + 2] or bool(_ZH_NO_LONGER.search(text[max(0, start - 8) : start]))
    return bool(_EN_NO_LONGER.search(" ".join([*_clause_before(text, start, 6), *text[end:].split()[:6]])))


def _hypothetical(view: str, text: str, start: int, end: int) -> bool:
    if view == "zh":
        return bool(_ZH_HYPO.search(text[max(0, start - 6) : start]) or _ZH_HYPO_AFTER.search(text[end:]))
    return bool(_EN_HYPO.search(" ".join(_clause_before(text, start, 5)))) or text[end:].lstrip().startswith("?")


def _fires(rule: _Rule, views: _Views) -> str | None:
    """The rule's flag if it matches somewhere without being negated or hypothetical."""
    if rule.needs is not None and not rule.needs.search(views.ctx):
        return None
    if rule.unless is not None and rule.unless.search(views.ctx) and not (rule.named and _HAS_GAS.search(views.ctx)):
        return None
    text = views.zh if rule.view == "zh" else views.en
    for m in rule.pattern.finditer(text):
        start, end = m.span()
        negated = rule.neg != "none" and _negated(rule.view, text, start, end, rule.neg == "both")
        if negated and not (rule.smell and _no_longer(rule.view, text, start, end)):
            continue
        if rule.hypo and _hypothetical(rule.view, text, start, end):
            if rule.flag == "poison":
                return "co"  # "how to prevent CO poisoning": CO advice, but nobody is ill
            continue
        return rule.flag
    return None


def _alarms(views: _Views) -> list[tuple[str, str]]:
    """A sounding alarm: CO, smoke (fire) or, unqualified, gas."""
    found: list[tuple[str, str]] = []
    for view, pattern in (("zh", _ZH_ALARM), ("en", _EN_ALARM)):
        text = views.zh if view == "zh" else views.en
        for m in pattern.finditer(text):
            start, end = m.span()
            if _negated(view, text, start, end, True) or _hypothetical(view, text, start, end):
                continue
            near = text[max(0, start - 5) : end] if view == "zh" else " ".join(_clause_before(text, start, 3))
            near = f"{near} {m.group(0)}"
            if _ALARM_CO.search(near):
                found.append(("co", f"{view}_co_alarm"))
            elif _ALARM_FIRE.search(near):
                found.append(("fire", f"{view}_smoke_alarm"))
            elif not _ALARM_OTHER.search(near):
                found.append(("gas", f"{view}_gas_alarm"))
    return found


def _co_terms(views: _Views) -> list[tuple[str, str]]:
    """Carbon monoxide named (not only as the name of a device), and not negated."""
    for view, pattern in (("zh", _ZH_CO_TERM), ("en", _EN_CO_TERM)):
        text = views.zh if view == "zh" else views.en
        if any(not _negated(view, text, m.start(), m.end(), False) for m in pattern.finditer(text)):
            return [("co", f"{view}_co_term")]
    return []


def detect(text: str) -> Danger:
    """The dangers a message reports (pure, no I/O; safe and fast on any input)."""
    views = _views(text)
    fired = [(flag, rule.name) for rule in _RULES if (flag := _fires(rule, views))]
    fired += _alarms(views) + _co_terms(views)
    flags = {flag for flag, _ in fired}
    gas, fire, co = "gas" in flags, "fire" in flags, bool(flags & {"co", "poison"})
    context = gas or co or fire or bool(_HEAT_CTX.search(views.ctx))
    co_symptoms = bool(flags & {"poison", "group"}) or (bool(flags & {"sym", "bad"}) and context)
    rules = tuple(sorted({name for _, name in fired}))
    if rules:
        logger.debug("danger rules fired: %s", ", ".join(rules))
    return Danger(gas, co, co_symptoms, fire, "bad" in flags or co_symptoms, rules)
