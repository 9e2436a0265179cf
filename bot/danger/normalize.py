"""One form for every way a resident may write the same words.

``normalize(text)``: NFKC (full width -> ASCII), casefold, traditional -> simplified with OpenCC (the
maintained converter; a hand-written table missed characters), invisible characters dropped, curly
apostrophes straightened, whitespace collapsed. Then the near-spellings of the gas words that input
methods and hurried thumbs produce (燃汽, 然气, 媒气, 煤汽, 天燃气, "ranqi") become the words, and a few
Cantonese and northern dialect words become Mandarin (冇 -> 没有, 咋整 -> 怎么办), so the rules see one
vocabulary. ``views(text)`` adds the two views the rules read: a compact one without spaces (Chinese,
voice-to-text run-ons) and a token one (English, typos corrected by edit distance on the key words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import opencc
from rapidfuzz.distance import Levenshtein

from bot.danger import foreign

# Emoji that stand for words ("🔥🔥 厨房 救命").
_EMOJI = {ord("🔥"): "火", ord("💨"): "气味", ord("👃"): "闻到", ord("🤢"): "恶心", ord("🤮"): "呕吐", ord("😵"): "晕",
          ord("🚒"): "119", ord("🆘"): "救命", ord("💥"): "爆炸"}  # fmt: skip
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_APOSTROPHES = {ord(c): "'" for c in "\u2018\u2019\u02bc`\u00b4"}

# Near-spellings of the gas words (pinyin input picks the wrong character of the same sound, or 汽 for 气).
_ZH_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), word)
    for pattern, word in (
        (
            r"(?<![当虽突自果居显依仍既忽偶竟飘安井必截俨欣黯浑昂])然[气汽器]|燃[汽器]|燃起(?=味|泄|漏|表|灶|管|阀|公司)",
            "燃气",
        ),
        (r"媒[气汽]|煤汽", "煤气"),
        (r"天[燃然]气", "天然气"),
        (r"液化[汽器]", "液化气"),
        (r"沼汽", "沼气"),
        (r"着活(?=了|啦|啊)", "着火"),
        (r"(?<=[点打烧燃])著|著(?=火|了火|咗火|起来)", "着"),
        (r"瓦丝", "瓦斯"),
        (r"(?<=燃气|煤气|瓦斯|没气)[为喂](?=很|好|太|特别|有点|挺|重|浓|大|[，。！？,.!?]|$|怎么办|呢|啊|呀|道)", "味"),
        (r"没气味", "煤气味"),
        (r"煤起(?=罐|味|灶|表|管|泄|漏|瓶)|[燃然]期(?=味|泄|漏|表|灶|管|阀|罐)", "燃气"),
        (r"(?<=厨房|家里|屋里|管道|管子|阀门)楼气|(?<=[在有])楼气(?=了|啦)", "漏气"),
        (r"报[尽进紧敬井景静]器", "报警器"),
        (r"(?<=[臭烂坏])[几机鸡]蛋", "鸡蛋"),
        (r"一氧化[谈炭探叹]", "一氧化碳"),
        (r"[卸泻谢]漏", "泄漏"),
        (r"係咪|是咪", "是不是"),
        (r"(?<=一直|还在)再(?=[转走跳漏响叫冒])|(?<=一直)再", "在"),
        (r"唔知", "不知道"),
        (r"咗", "了"),
        (r"(?<=[熄关停坏满结烂甩])晒", "了"),  # Cantonese 晒 after a verb: all, completely
        (r"(?:喺|在|响)度(?=[转走跳动郁漏响叫冒出])", "在"),
        (r"(?<=[在都不会没喺])郁(?![闷])|郁(?=来郁去|动)", "动"),
        (r"番[枧梘]|番皂", "肥皂"),
        (r"驳口|驳位", "接口"),
        (r"(?<=气)樽|樽(?=装|底|口|头)", "瓶"),
        (r"眼瞓", "困"),
        (r"唔记得|唔記得", "忘了"),
        (r"[闩閂](?=[唔不]|晒|咗|埋|好)", "关"),
        (r"袂(?=醒|应|动|喘|呼吸|讲)", "不"),  # Minnan
        (r"[無无]咧(?=喘|呼吸|动)", "没在"),
        (r"没得(?=呼吸|反应|动静|知觉|心跳|气了)", "没有"),  # Sichuan
        (r"[晕暈]低|瞓低", "晕倒"),
        (r"好耐", "好久"),
        (r"漏器|(?<!蒸)漏汽", "漏气"),
        (r"(?<=表)仲?行[紧緊]", "还在走"),
        (r"使[唔不]使", "要不要"),
        (r"仲係", "还是"),
        (r"仲(?=开|在|有|系|未|喺)", "还"),
        (r"喺度(?=$|[^\u4e00-\u9fff])", "在"),  # "火仲喺度": the flame is still there
        (r"出起(?=了|来|呢|$)", "出气"),
        (r"扭唔返|扭不返", "扭不回"),
        (r"伊(?=勿|不|就|在|也)", "他"),
        (r"勿(?=应|醒|动|响)", "不"),
        (r"透唔到气|抖唔到气|唔识抖气", "喘不了气"),
        (r"[唔冇无不]抖气|没有?抖气", "没呼吸"),  # Cantonese 抖气: to breathe
        (r"跌低", "摔倒"),
        (r"而家|依家|宜家", "现在"),
        (r"成身|成个人", "全身"),
        (r"(?<=[硬僵紫])晒", "了"),
        (r"[攏拢](?=[没无不])", "都"),  # Minnan: 叫伊攏無應 (called him, no answer at all)
        (r"(?<![一二两三四五六七八九十几有])无(?=应|反应|喘气|喘|呼吸|动静|知觉|心跳)", "没"),
        (r"佇", "在"),
        (r"莫得|冇得", "没有"),  # Sichuan, Cantonese
        (r"同埋", "和"),
        (r"昏去(?!了?一下)", "昏过去"),
        (r"头壳", "头"),
        (r"想欲", "想"),
        (r"欲(?=昏|晕|死|吐)", "要"),
        (r"规家伙|规家", "全家"),
        (r"嚟", "来"),
        (r"哋", "们"),
        (r"睇", "看"),
        (r"乜", "什么"),
        (r"点解", "为什么"),
        (r"屋企|屋头", "家里"),
        (r"咋个整|咋个办|咋整|咋办|咋搞|点算|点办|怎么搞|怎么整|怎么弄|咋弄|如何是好|怎么是好", "怎么办"),
        (r"冇", "没有"),
        (r"唔", "不"),
        (r"係", "是"),
        (r"嘅", "的"),
        (r"佢", "他"),
        (r"喺", "在"),
        (r"啲", "些"),
        (r"俺|偶(?=家|们)", "我"),
        (r"啥子|啥", "什么"),
    )
)

# English: exact misspellings first, then edit distance against the key words (tokens of 6+ letters).
_EN_FIX = {
    **dict.fromkeys(["gass", "gaz", "gas's", "gasses", "gases", "gaas", "gsa", "gsa's"], "gas"),
    **dict.fromkeys(["smel", "smeel", "smeell", "smelt", "smelled", "smelld", "smellt"], "smell"),
    **dict.fromkeys(["smels", "smeels", "smellz", "smelz", "smellls"], "smells"),
    **dict.fromkeys(["smeling", "smelin", "smellin", "smeeling", "smellng", "smellig"], "smelling"),
    **dict.fromkeys(["leek", "leack", "leik", "lek", "leke"], "leak"),
    **dict.fromkeys(["leeking", "leakin", "leakig", "leking", "leacking"], "leaking"),
    **dict.fromkeys(["hising", "hissin", "hisin", "hizzing", "hissng", "hissig"], "hissing"),
    **dict.fromkeys(["alarn", "alaram", "allarm", "alrm", "alarme", "alram", "alaarm"], "alarm"),
    **dict.fromkeys(["detecter", "dectector", "detektor", "dector", "detetor"], "detector"),
    **dict.fromkeys(["beepin", "beping", "beaping", "bleeping", "beebing"], "beeping"),
    **dict.fromkeys(["headake", "hedache", "headach", "headace", "hedake", "headaches"], "headache"),
    **dict.fromkeys(["dizy", "dizzi", "dizzey", "dissy", "dizzie", "dizzyy"], "dizzy"),
    **dict.fromkeys(["nautious", "nauseus", "nausious", "nauseos", "nausous"], "nauseous"),
    **dict.fromkeys(["roten", "rotton", "rottin", "rottn", "rottem"], "rotten"),
    **dict.fromkeys(["egs", "eggz", "egss"], "eggs"),
    **dict.fromkeys(["breating", "breathin", "breething", "braething", "breahting"], "breathing"),
    **dict.fromkeys(
        [
            "dont",
            "didnt",
            "doesnt",
            "cant",
            "couldnt",
            "isnt",
            "wasnt",
            "arent",
            "aint",
            "havent",
            "wont",
            "hasnt",
            "shouldnt",
            "wouldnt",
        ],
        "",
    ),
}
_EN_FIX.update({k: f"{k[:-1]}'t" for k, v in _EN_FIX.items() if not v})
_FUZZY = (
    "monoxide", "unconscious", "explosion", "exploded", "headache", "dizziness", "sulphur", "detector",
    "breathing", "collapsed", "unresponsive", "seizure", "convulsing", "propane", "cylinder", "regulator",
    "smelling", "leaking", "hissing", "nauseous", "carbon", "burning",
)  # fmt: skip
_FUZZY_KEEP = frozenset(
    ["conscious", "subconscious", "explosive", "business", "breathe", "breathes", "leaning", "learning",
     "leasing", "kissing", "missing", "leaving", "leaves", "leafing", "heating", "hearing", "testing",
     "hisself", "detective", "cylinders", "burner", "burners", "burnt",
     "expansion", "expression", "exposition", "explains", "exploring", "explored",
     "turning", "burying", "smiling", "selling", "spelling", "swelling", "dwelling", "regular", "regulate",
     "confusing", "confused", "confusion", "compulsive", "consulting", "converting"]
)  # fmt: skip
_ZH_GAS_WORD = re.compile(r"燃气|煤气|天然气|液化气|石油气|瓦斯|沼气")


# Chinese typed as toneless pinyin (a phone without a Chinese keyboard): the danger words, as Chinese.
_SYLLABLE = re.compile(
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er"
    r"|in|un|ia|ie|iu|ua|uo|ue|ui|a|o|e|i|u|v)"
)
_PINYIN_WORD = re.compile(f"(?:{_SYLLABLE.pattern}){{1,6}}")
_PINYIN = {
    "tianranqi": "天然气", "ranqi": "燃气", "meiqi": "煤气", "yehuaqi": "液化气", "wasi": "瓦斯", "louqi": "漏气",
    "xielou": "泄漏", "wei": "味", "chouwei": "臭味", "zhaohuo": "着火", "qihuo": "起火", "baozha": "爆炸",
    "maoyan": "冒烟", "baojingqi": "报警器", "xiang": "响", "yiyanghuatan": "一氧化碳", "zhongdu": "中毒",
    "hundao": "昏倒", "yundao": "晕倒", "hunmi": "昏迷", "jiaobuxing": "叫不醒", "meiyouhuxi": "没有呼吸",
    "bu huxi": "不呼吸", "touyun": "头晕", "touteng": "头疼", "exin": "恶心", "chouchu": "抽搐", "jiuming": "救命",
    "kuailai": "快来", "wojia": "我家", "jiali": "家里", "chufang": "厨房", "le": "了", "wo": "我",
    "guanzi": "管子", "guandao": "管道", "zaduan": "砸断", "duanle": "断了", "wapo": "挖破", "maoqi": "冒气",
    "zaotai": "灶台", "famen": "阀门", "guanbudiao": "关不掉", "guanbuxiao": "关不小",
    "guanbushang": "关不上",
    "huo": "火", "bianda": "变大", "yizhi": "一直", "ruguo": "如果", "wanyi": "万一", "zenmeban": "怎么办",
    "hennong": "很浓", "zongfa": "总阀", "zuotian": "昨天", "shifu": "师傅", "laiguo": "来过", "xiuhao": "修好",
    "xianzai": "现在", "meiwei": "没味",
}  # fmt: skip
_PINYIN_KEYS = re.compile("|".join(sorted((k.replace(" ", "") for k in _PINYIN), key=len, reverse=True)))


def _pinyin(text: str) -> str | None:
    """The danger words of a message typed in pinyin ("wo jia you ranqi wei"), or None when it is not pinyin."""
    tokens = re.findall(r"[a-z]+", text)
    if not 2 <= len(tokens) <= 200:
        return None
    if sum(len(t) <= 24 and bool(_PINYIN_WORD.fullmatch(t)) for t in tokens) < 0.8 * len(tokens):
        return None
    joined = "".join(tokens)
    found = [
        _PINYIN.get(m.group(0), _PINYIN.get(m.group(0).replace("huxi", " huxi"), ""))
        for m in _PINYIN_KEYS.finditer(joined)
    ]
    return "".join(found) if any(len(w) > 1 for w in found) else None


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """The folded form every rule and the knowledge base read (see the module doc)."""
    text = text.replace("\U0001f62e\u200d\U0001f4a8", " ")  # a sigh, not a gas
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_INVISIBLE).translate(_APOSTROPHES)
    folded = foreign.translate(folded)
    if any(ord(ch) in _EMOJI for ch in folded):
        folded = folded.translate(_EMOJI)
    if any("\u3400" <= ch <= "\u9fff" for ch in folded):
        folded = _converter().convert(folded)
        for pattern, word in _ZH_FOLDS:
            folded = pattern.sub(word, folded)
    elif (words := _pinyin(folded)) is not None:
        folded = f"{folded} {words}"
    return re.sub(r"\s+", " ", folded).strip()


@lru_cache(maxsize=8192)
def _fix(token: str) -> str:
    """One token, with its typo corrected; a Chinese run becomes "gas" or "~"."""
    if token in _EN_FIX:
        return _EN_FIX[token]
    if "\u3400" <= token[0] <= "\u9fff":
        return "gas" if _ZH_GAS_WORD.search(token) else "~"
    if len(token) >= 6 and token.isalpha() and token not in _FUZZY_KEEP:
        for word in _FUZZY:
            limit = 1 if len(word) <= 8 else 2
            if abs(len(word) - len(token)) <= limit and Levenshtein.distance(token, word, score_cutoff=limit) <= limit:
                return word
    return token


@dataclass(frozen=True, slots=True)
class Views:
    zh: str  # normalised, without spaces
    en: str  # tokens joined by single spaces, typos corrected, Chinese runs reduced to "gas" or "~"
    ctx: str  # both, for context look-ups
    chinese: bool  # any Chinese at all (else the rules of the compact view have nothing to read)
    latin: bool  # any word in Latin letters besides "gas" (else the token view's rules have nothing to read)


def views(text: str) -> Views:
    norm = normalize(text)
    zh = re.sub(r"[ \"'“”‘’「」『』‐–—―…~～]", "", norm)
    squeezed = re.sub(r"([a-z])\1{2,}", r"\1\1", norm)
    tokens = re.findall(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u9fff]+|[.,;:!?。，；：！？、]", squeezed)
    en = " ".join(filter(None, (_fix(tok) for tok in tokens)))
    chinese = any("\u3400" <= ch <= "\u9fff" for ch in zh)
    latin = any(tok.isalpha() and tok.isascii() and tok != "gas" for tok in en.split())
    return Views(zh=zh, en=en, ctx=f"{zh} {en}", chinese=chinese, latin=latin)
