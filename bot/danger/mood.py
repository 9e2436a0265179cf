"""Is a match happening now, asked about, or denied?

Every match of a rule gets one mood:
- ``NEG``: explicitly denied ("没有燃气味", "I don't smell gas"). A hedge ("不知道是不是", "not sure") is not
  a denial, and a smell that is *no longer* there ("现在没味了") still counts: gas lingers and the leak is
  still there.
- ``MAYBE``: asked as a hypothetical ("如果…", "what if"), as general knowledge ("什么症状", "how do I know"),
  in the past and over or fixed ("上周漏气已经修好了"), from the news or far away, or asked as a bare
  question with nothing that says it is the writer's own situation ("闻到燃气味怎么办？").
- ``NOW``: otherwise. A present report followed by 怎么办 / 吗 / "what do I do" is NOW: the question is the
  writer asking for help with what is happening ("厨房着火了怎么办").

Message-wide facts (present markers, question form, past, news) are read once per message (``Mood``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from bot.danger.normalize import Views
from bot.danger.vocab import rx


class M(IntEnum):
    NEG = 0
    MAYBE = 1
    NOW = 2


# --- Chinese ------------------------------------------------------------------------------------------
_ZH_HEDGES = rx(
    r"不知道|不确定|不清楚|不小心|不注意|不慎|是不是|不太确定|不停|不断|不住|说不定|要不要|得不行|不得了|不了|不行|受不了"
    r"|会不会|有没有|能不能|算不算|是否"
)  # questions of the form A-not-A ask, they do not deny; 不小心 (by accident) is no denial
_ZH_NEG_END = rx(
    r"(?:没有?|无|未|毫无|(?<!是)不是?|闻不[到出见]|听不[到见]|差(?:一)?点|险些)"
    r"(?:闻到|闻见|闻出|闻|发现|感觉到?|察觉到?|听到|听见|有|什么|任何|啥|明显的?|一点|的|再){0,3}$"
)
_ZH_NO_LONGER = rx(r"现在|已经|不再|没再")
_ZH_COND = rx(
    r"如果|假如|万一|要是|假设|倘若|一旦|若是|若|准备|计划|打算|将要|即将|要在|如何|怎样|怎么(?:预防|防止|避免|判断|知道|检查|看)|预防|防止"
    r"|避免|以免|会不会|会不会有|会导致|会引起|会造成|导致|引起|造成|容易|怕|担心|测试|试验|自检|按一下"
)
_ZH_COND_AFTER = rx(r"^(?:的)?(?:话|时候?|之前|以后|后应该|怎么预防|的危害|的症状|有什么|是什么|会怎样|会怎么样)")
# asking leave for what one would do this minute ("能开灯吗", "要不要先出去"): the writer is standing in it
_ZH_ACT_NOW = (
    r"|(?:能|可以|可不可以|能不能|要不要|该不该|敢|用不用|需要)[^，。？?]{0,5}?(?:开灯|关灯|开窗|关窗|开抽|开排|开风扇|排风扇|点火|打火"
    r"|关灶|关阀|关总阀|拉电闸|拉闸|出去|下楼|进屋|进去|回去|敲门|开门|开车|挪车|搬|报警|撤离|疏散)|在家"
)
_ZH_PRESENT = rx(
    r"我|咱|(?:他|她|[爸妈爷奶婆公]|老公|老婆|孩子|宝宝|老人)(?:现在|还|已经|没|不[动醒说]|突然|倒|躺)|家里|家中|屋里|显示|读数|测到|检测到|屋子|房间|厨房|卫生间|浴室|楼道|楼里|楼下|楼上|隔壁|对门|邻居家|门口|店里|饭店|餐厅|食堂|工地"
    r"|现在|正在|一直|还在|突然|刚才|刚刚|这会|马上|快来|快点|救命|急|赶紧|速来|求助|help|!|！|了|着呢|在响|在叫"
    r"|[响叫冒漏烧]紧|在[漏响叫冒烧喷]|(?:[漏着烧爆响坏断裂炸]|漏气|着火)啦|味[^，。]{0,2}(?:好|很|太|特别|超级?|挺|真|贼|蛮|老|相当|非常|巨|这么|那么)(?:大|重|浓|冲|臭)|越来越|[呲嘶咝滋嗞哧嗤滴嘀哔嘟咕][呲嘶咝滋嗞哧嗤滴嘀哔嘟噜]|这(?:样子?)?(?:正常|要紧|严重|没事)|[关拧扭转扳掰停熄灭叫喊推摇打点]不(?:[上住起掉动回紧醒应灭着]|下来)|派人|来人|过来|上门|嘶嘶响|好臭|好浓|好冲|很浓|很臭|很冲|这么冲|上面写|写着|叫唤|嗷嗷|呜呜|哔哔|滴滴|嘀嘀|客厅|卧室|阳台|楼梯|走廊|单元|小区|车库|地下室|公司|办公室|学校|这里|这边|那边|外面|路边|院子"
    + _ZH_ACT_NOW
)
_ZH_STRONG = rx(r"现在|正在|一直|还在|还有|又|再次|仍然|突然|刚才|刚刚|救命|快来|快点|赶紧|速来|!|！|help")
_ZH_QUESTION = rx(r"正常吗|是不是正常|怎么办|怎么处理|如何处理|怎么做|该怎么|吗|呢|么[?？]?$|[?？]")
_ZH_GENERIC = rx(
    r"是什么味|什么症状|哪些症状|有什么症状|什么危害|有什么危险|危害|为什么|为啥|是什么|怎么检查|怎么判断|怎么知道|怎么看出"
    r"|如何判断|如何检查|怎么预防|如何预防|怎么防止|会怎样|会怎么样|注意什么|注意哪些|注意事项"
    r"|有哪些|常识|知识|科普|宣传|原因|怎么急救|如何急救|急救方法|什么样|加了什么|(?<!一)动不动|误报|乱响"
    r"|作业|论文|课题|just curious|好奇问问"
    r"|(?<!时)有时候?(?!无)|有些时候|偶尔|时不时|隔三差五"  # now and then: asked about, not happening now
)
_ZH_WHEN_PAST = r"昨天|前天|上周|上星期|上礼拜|上个月|去年|上次|那次|当时|曾经|前几天|前段时间|几天前|几年前|小时候"
_ZH_PAST = rx(_ZH_WHEN_PAST, r"以前|之前|那天")
_ZH_PAST_NEAR = rx(_ZH_WHEN_PAST, r"上回")  # said of the match itself, in its own clause ("上次那个漏气的单号")
_ONGOING = rx(
    r"开始|到现在|至今|起来|越来越|更(?:厉害|严重|[大重浓多])|加重|\bsince\b|\bstarted\b|\bstill\b|\bkeeps?\b|\bworse\b"
)
_ZH_HYPO_LEAD = rx(r"^[^，。！？]{0,4}?(?:如果|假如|万一|要是|假设|倘若|假使|若是)")
_EN_HYPO_LEAD = rx(
    r"^(?:(?:so|ok|okay|hi|hello|hey|um|well|and|but|just|quick question),? )?"
    r"(?:if|suppose|supposing|hypothetically|imagine)\b"
)
_ZH_FIXED = rx(
    r"(?<!装)修好|已经好了|没事了|处理好|处理完|解决了|排除了|师傅.{0,4}(?:来过|修过|看过|走了)|已经修|维修过|恢复正常|早就好了|现在好了"
    r"|(?:说|讲|讲了|说了)[^，。]{0,8}?(?:就是这样|是正常的|正常现象|属于正常|没事的|没问题的)"
    r"|原来(?:戴|在放)|虚惊一场|(?:刚|还|我)以为[^。]{0,10}?(?:结果|原来)|人没事|没人受伤"
    # a harmless cause found ("原来是楼上搬柜子", "后来发现是净水器在排水"); a cause that is itself a danger is not
    r"|(?:原来|后来发现|结果|一看)(?:只|就)?是(?![^，。]{0,10}?(?:<GAS>|漏|泄|破|断|裂|着火|起火|烧|冒烟|爆|炸|晕|热水器|灶|阀|管|表|罐|瓶))"
)
_AGAIN = rx(r"又|再次|还有味|还在漏|还是有|\bagain\b|\bstill (?:smell|leak|hiss)\w*|\bcame back\b")
_DRILL = rx(
    r"(?<!不是)(?<!并非)(?:演练|演习)|保险|理赔|\b(?:exercise|insurance|insurer|claim|warden|training day)\b"
    r"|\b(?:fire|evacuation|emergency|safety|gas|leak|practice|school|building|office)\b drill\b|\bdrill (?:today"
    r"|tomorrow|this|next|at)\b"
    r"|(?<!not )(?<!n't )\b(?:was|is|just|only) (?:just |only )?a drill\b"
)  # exercises, insurance
_DRILLED = rx(
    r"drill(?:ed|ing)? ?(?:穿|破|坏|到|断|漏|through|into|a hole|holes)"
    r"|\b(?:drilled|drilling)\b(?: \S+){0,3}? (?:pipe|gas|main|line)"
)
_ZH_NEWS = rx(
    r"新闻|报道|听说|网上|视频里|电视(?:上|里|新闻|台|报道|剧)|朋友圈|微博|抖音|看到一个|据说|(?<!人在)(?<!我在)(?<!们在)外地|小说|电影|剧本|游戏里|装死|梦见|梦到|做梦|绘本|情景剧|短视频|拍视频"
    r"|(?:有没有|有无|是否|会不会)(?:去|来)?(?:检查|排查)[^，。]{0,4}?(?:我们|咱们|这边|这里|这一?片|本区|呢区)"
)  # ... or asked whether our own area was checked after it

# --- English ------------------------------------------------------------------------------------------
_EN_NEG = rx(
    r"^(?:no|not|never|nearly|almost|don't|didn't|doesn't|can't|cannot|couldn't|isn't|wasn't|aren't|ain't|haven't|hasn't"
    r"|won't|without|nor|nothing|none|nobody|noone|neither)$"
)
_EN_HEDGE = rx(r"^(?:sure|know|understand|want|mean|wanna|care|remember|matter|worry|think|stop|quit)$")
_EN_BREAK = rx(r"^(?:[.,;:!?~]|and|but|so|because|cause|though|although|however|then|while|which)$")
_EN_NO_LONGER = rx(r"\b(?:now|anymore|any more|longer|gone|stopped|disappeared)\b")
_EN_COND = rx(
    r"^(?:if|whether|suppose|supposing|imagine|case|prevent\w*|avoid\w*|risk|risks|cause|causes"
    r"|ever|press|button|signs?|symptoms?|chance)$"
)
_EN_PRESENT = rx(
    r"\b(?:i|i'm|im|i've|my|we|we're|our|us|me|here|now|currently|still|keeps?|help|please|urgent|asap|hurry"
    r"|emergency(?! (?:number|line|hotline|contact|phone))|there's|there is|it's|someone|somebody|mum|mom|dad|wife"
    r"|husband|son|daughter|baby|grandma|grandpa"
    r"|not sure|maybe|think|seems|probably|kind of|getting stronger|stronger than|worse today|like this|this smell"
    r"|this noise|this sound"
    r"|it's loud|kitchen|bathroom|hallway|hall|stair\w*|flat|apartment|house"
    r"|home|room|basement|garage|building|office|restaurant|shop|street|outside|downstairs|upstairs|next door)\b|!"
    r"|\b(?:can|should|shall|do|may) (?:i|we) (?:\S+ )?(?:turn|switch|open|leave|go|get|light|call|stay|move|use|run)\b"
    r"|\bis it safe to (?:turn|switch|open|stay|leave|go|use|light)\b"
)
_EN_STRONG = rx(
    r"\bjust (?:now|cut|hit|broke|drilled|smashed|noticed|started|knocked|burst|snapped|dug)\b"
    r"|\b(?:is|are) (?:spreading|getting worse)\b"
    r"|\b(?:now|right now|currently|still|keeps?|help|urgent|asap|hurry|again"
    r"|emergency(?! (?:number|line|hotline|contact|phone)))\b|!"
)
_EN_QUESTION = rx(
    r"\bis it (?:safe|dangerous|ok|okay|bad|normal)\b|\?"
    r"|^(?:what|how|why|is|are|can|could|should|do|does|which|where|when|will|would)\b"
)
_EN_GENERIC = rx(
    r"\bhow (?:do|can|would|should|could) (?:i|you|we|one) (?:know|tell|check|test|detect|find|spot|recogni[sz]e"
    r"|prevent|avoid|stop)|\bwhat (?:are|is) (?:the )?(?:signs?|symptoms?|dangers?|risks?|causes?)|\bwhat does\b"
    r"|\bwhy (?:does|do|is|would)|\bcan (?:a|an|the|gas|co|carbon)\b"
    r"|\bhow (?:long|often|many)|\bwhat happens (?:if|when)|\bwhat (?:to|should (?:i|you|we)|do (?:i|you)) do (?:if"
    r"|when|in case)|\bin case\b|\btips?\b|\badvice\b|\bguide\b|\bprevent\w*|\bavoid\w*|\bsymptoms? of\b|\bsigns of\b"
    r"|\bwhat if\b|\bfirst aid for\b|\bwhat is the first aid\b|\bis there (?:a|any) way\b|\bhow to\b|\bways? to\b"
    r"|\bsupposed to (?:have|smell)\b|\badded to (?:the )?gas\b|\bhomework\b|\bschool project\b"
    r"|\b(?:sometimes|occasionally|now and then|from time to time|every so often|once in a while)\b"
    r"|\bjust (?:want|wanted|wanna) to (?:save|know|ask|check|keep)|\bfor (?:future )?reference\b"
    r"|\bsave (?:it|the number)\b"
)
_EN_TOPIC = rx(r"\b(?:symptoms?|signs|tips?|advice|information|info)\b")  # general only when nothing says "mine, now"
_EN_PAST = rx(
    r"\b(?:yesterday|last (?:night|week|month|year|time|winter|spring|summer|autumn|fall)|ago|earlier this|used to"
    r"|once had|back in|the other"
    r" day|previously|before christmas|in the past)\b"
)
_EN_FIXED = rx(
    r"\b(?:fixed|repaired|sorted|resolved|replaced|was fine|been fine|fine since|fully recovered|all good now"
    r"|engineer came|came and fixed|we know (?:about it|what it is)|just saying"
    r"|(?:all|it's|its|everything's|everything is) (?:fine|ok|okay|good) now"
    r"|has been fixed|got fixed|been repaired|nothing (?:broken|damaged|burning)"
    r"|(?:no one|nobody)(?:'s| is| was)? hurt)\b"
    r"|\b(?:turns? out|turned out|(?:it|that) was (?:just|only)|but it was)\b"
    r"(?!(?: \S+){0,6}? (?:gas|leak\w*|pipes?|hose|meter|valve|fire|smoke|co|carbon|burning|heater|boiler)\b)"
)
_MISDIRECTED = rx(
    r"发错了|发错对话框|打错了|\bwrong (?:number|chat|group|department)\b|\bnot your (?:department|job|pipe)\b"
)
_EN_NEWS = rx(
    r"\b(?:news|heard about|read about|on tv|article|saw a video|in the paper|reported that|another city"
    r"|back home in|my hometown|novel|movie|film|in the game|in the script|episode|pretend\w*|playing dead|nightmare"
    r"|dreamt|dreamed|short story|a story|school play|scene|my game|a game|the game|video game|cartoon)\b"
)


@dataclass(frozen=True, slots=True)
class Mood:
    """What the whole message says about time and intent, read once."""

    zh_present: bool
    zh_strong: bool
    zh_question: bool
    zh_generic: bool
    zh_past: bool
    zh_fixed: bool
    zh_news: bool
    en_present: bool
    en_strong: bool
    en_question: bool
    en_generic: bool
    en_past: bool
    en_fixed: bool
    en_news: bool
    drill: bool
    mixed: bool  # Chinese and English in one message: what one part says of time holds for the other
    again: bool  # it came back ("又有味了", "smells again")
    misdirected: bool  # "wrong number", "发错了": a smell or a leak elsewhere is asked about, a person never
    settled: bool  # nothing says it is still going on: a match told of in the past in its own clause is over

    @classmethod
    def of(cls, v: Views) -> Mood:
        zh, en = v.zh, v.en
        return cls(
            zh_present=bool(_ZH_PRESENT.search(zh)),
            zh_strong=bool(_ZH_STRONG.search(zh)),
            zh_question=bool(_ZH_QUESTION.search(zh)),
            zh_generic=bool(_ZH_GENERIC.search(zh) or _ZH_HYPO_LEAD.search(zh)),
            zh_past=bool(_ZH_PAST.search(zh)),
            zh_fixed=bool(_ZH_FIXED.search(zh)),
            zh_news=bool(_ZH_NEWS.search(zh)),
            en_present=bool(_EN_PRESENT.search(en)),
            en_strong=bool(_EN_STRONG.search(en)),
            en_question=bool(_EN_QUESTION.search(en)),
            en_generic=bool(
                _EN_GENERIC.search(en)
                or _EN_HYPO_LEAD.search(en)
                or (_EN_TOPIC.search(en) and not _EN_PRESENT.search(en))
            ),
            en_past=bool(_EN_PAST.search(en)),
            en_fixed=bool(_EN_FIXED.search(en)),
            en_news=bool(_EN_NEWS.search(en)),
            drill=bool(_DRILL.search(v.ctx)) and not _DRILLED.search(v.ctx),  # "drilled through the pipe": a tool
            mixed=v.chinese and v.latin,
            again=bool(_AGAIN.search(v.ctx)),
            misdirected=bool(_MISDIRECTED.search(v.ctx)),
            settled=not (
                _ZH_STRONG.search(zh) or _EN_STRONG.search(en) or _AGAIN.search(v.ctx) or _ONGOING.search(v.ctx)
            ),
        )

    def message(self, view: str) -> M:
        """The message-wide mood in one view: MAYBE when it is general, past and over, from afar, or a bare question."""
        if view == "zh":
            present, strong, question, generic = self.zh_present, self.zh_strong, self.zh_question, self.zh_generic
            past, fixed, news = self.zh_past, self.zh_fixed, self.zh_news
        else:
            present, strong, question, generic = self.en_present, self.en_strong, self.en_question, self.en_generic
            past, fixed, news = self.en_past, self.en_fixed, self.en_news
        if self.mixed:
            present, strong = self.zh_present or self.en_present, self.zh_strong or self.en_strong
        if fixed and not self.again:
            return M.MAYBE  # over and repaired, asked about now ("修好了，现在还要注意什么")
        if strong:
            return M.NOW
        if self.drill:
            return M.NEG  # an exercise announced or asked about
        if news or generic or (past and not present and self.settled):
            return M.MAYBE
        if question and not present:
            return M.MAYBE
        return M.NOW


def clause_before(en: str, start: int, size: int = 5) -> list[str]:
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


def negated(view: str, text: str, start: int, end: int, inside: bool) -> bool:
    if view == "zh":
        before = _ZH_HEDGES.sub("", text[max(0, start - 8) : start])
        span = _ZH_HEDGES.sub("", text[start:end])
        return bool(_ZH_NEG_END.search(before) or (inside and re.search(r"[没不未别无]", span)))
    return _has_neg(clause_before(text, start, 4)) or (inside and _has_neg(text[start:end].split()[1:]))


def no_longer(view: str, text: str, start: int, end: int) -> bool:
    if view == "zh":
        return "了" in text[end : end + 2] or bool(_ZH_NO_LONGER.search(text[max(0, start - 8) : start]))
    return bool(_EN_NO_LONGER.search(" ".join([*clause_before(text, start, 6), *text[end:].split()[:6]])))


def _zh_clause_before(text: str, start: int) -> str:
    window = text[max(0, start - 10) : start]
    return re.split(r"[，。！？；,.!?;]", window)[-1]


def conditional(view: str, text: str, start: int, end: int) -> bool:
    """Asked as a hypothetical in the match's own clause ("如果燃气泄漏", "what if the alarm goes off")."""
    if view == "zh":
        return bool(_ZH_COND.search(_zh_clause_before(text, start)) or _ZH_COND_AFTER.search(text[end : end + 6]))
    return any(_EN_COND.match(tok) for tok in clause_before(text, start, 6))


def told_as_past(view: str, text: str, start: int) -> bool:
    """Its own clause puts the match in the past ("上次那个漏气", "the leak last week")."""
    if view == "zh":
        return bool(_ZH_PAST_NEAR.search(re.split(r"[，。！？；,.!?;]", text[max(0, start - 16) : start])[-1]))
    return bool(_EN_PAST.search(" ".join(clause_before(text, start, 8))))


def mood_of(view: str, text: str, span: tuple[int, int], *, neg: str, smell: bool, message: M, settled: bool) -> M:
    """The mood of one match: NEG, MAYBE or NOW (see the module doc)."""
    start, end = span
    denied = neg != "none" and negated(view, text, start, end, neg == "both")
    if denied and not (smell and no_longer(view, text, start, end)):
        return M.NEG
    if conditional(view, text, start, end) or (message is M.NOW and settled and told_as_past(view, text, start)):
        return M.MAYBE
    return message
