"""Broader phrasings of the signals in ``bot.danger.rules``: people describe the same thing in many words
(a meter still turning told ten ways, plain-word damage and seizures, alarms not called alarms). Same rule
shape and meaning as there; kept apart only so each file stays readable."""

from __future__ import annotations

from bot.danger.vocab import FIGURE_FIRE, MONEY, NOT_GAS, Rule, rx

# the colour of a burning gas flame: blue is right, yellow, orange or red is burning badly
_ZH_FLAME_COLOUR = (
    r"(?<![上发恼红])(?:火|火苗|火焰)(?![车锅腿柴机箭龙狐山])[^，。]{0,4}?(?:是|变|变成|发|呈|都|全)?[^，。]{0,2}?"
    r"(?:黄|橙|橘|红(?!火)|orange|yellow)"
)
_NOT_FLAME_COLOUR = rx(r"火红|红火|生意|日子|火锅|蜡烛|篝火|炭火|烧烤|壁炉|烟花|照片|画", FIGURE_FIRE)
_EN_FLAME_COLOUR = (
    r"\b(?:flames?|burners?|pilot(?: light)?|fire) (?:is |are |was |were |went |has gone |have gone |turned "
    r"|burn\w* |looks? |all )?(?:\S+ )?(?:yellow|orange|red)\b|\b(?:yellow|orange|red)(?:ish)? flames?\b"
)

BROADER: tuple[Rule, ...] = (
    Rule("gas", "zh_flow_more", rx(
        r"(?:表|meter|数字|读数)[^，。]{0,10}?(?:还|一直|仍|照样|自己|也|都)[^，。]{0,8}?(?:走|转|跳|动|变|加|往上|跑)",
        r"(?:还|一直|仍然?)在?[^，。]{0,3}?(?:出气|冒气|往外冒|出瓦斯|出燃气|有气出|有<GAS>(?:出|冒|跑))|(?:气阀|阀门?|开关)还(?:是)?开着|有气出",
        r"(?:阀门?|开关|旋钮|把手|总阀|角阀|knob|掣)[^，。]{0,12}?(?:关不[上住严紧掉了起死到]|拧不[动紧上回]|转不[动紧回]|[扳掰]不动"
        r"|扭不[回动]|卡(?:住|死)|空转|坏[了掉咯].{0,4}关不|断了)",
        r"火关不[掉了上死]|关不[死掉]|关了[^。]{0,10}?火(?:还|仍)(?:在|有|着)|关了[^。]{0,10}?还在[^，。]{0,3}?(?:烧|响|出气|点火|打火)|(?:还|一直)[^，。]{0,12}?(?:打火|点火)|点火[^，。]{0,4}停不下来|火从[^，。]{0,8}?(?:窜|冒|喷)|火[^，。]{0,3}不灭|关到底[^。]{0,6}?(?:还|不灭)|余额[^，。]{0,6}?(?:掉|少|减)|流量[^，。]{0,6}?(?:不是零|不为零|不为0|在走)|还开着[^。]{0,6}?火[^，。]{0,3}?灭|火[^，。]{0,3}?灭[^。]{0,8}?还开着|(?:开关|阀|气阀|掣)[^，。]{0,3}?被[^，。]{0,6}?(?:碰开|打开)|(?:一点火都没有|里面没(?:有)?火)|灭不掉|关了[^。]{0,8}?(?:还有|还在)[^。]{0,6}?火苗|(?:打开|拧开|开着|开了|踩到|碰到|碰开|拧到)[^。]{0,16}?没(?:有)?(?:点着|打着|着火|点火|火|着)",
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
    ), unless=rx(r"价格|物价|手机|爆炸性",
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
        r"(?:锈|烂|腐蚀|磨)[^，。]{0,3}?(?:穿了|穿孔|出[^，。]{0,2}洞|破了)",
        r"[锯切割]断|[锯切割]了一[刀下]|压弯|(?:罐|瓶)[^。]{0,8}(?:头|嘴|阀)[^，。]{0,2}歪",
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
        r"\b(?:ripped|tore|torn|snapped|gone through|went through|knocked through|rusted through|hole in|cracks?|gash"
        r"|split)\b"
        r"(?: \S+){0,5}?"
        r" (?:gas )?(?:pipes?|mains?|lines?)\b",
    ), "en", neg="both", needs=rx(r"\bgas\b|digger|builders?|workmen|storm"), unless=NOT_GAS, named=True),
    Rule("gas", "zh_flame_out", rx(
        r"(?:火|火苗|炉火|灶火|小火)[^，。]{0,6}?(?:自己|被风吹?|被[汤水粥]|突然|不知道什么时候)[^，。]{0,3}?(?:灭|熄)",
    ), neg="none", needs=rx(r"<GAS>|灶|炉|锅|汤|煮|炖|烧水|热水器|做饭|做菜|炒菜"),
         unless=rx(r"关(?:了|掉了|好了|上了)|没事了|已经好了")),
    Rule("gas", "zh_meter_taken", rx(
        r"(?:<GAS>表|气表|燃气表|表|阀门|调压器|调压箱)[^，。]{0,4}?被[^，。]{0,4}?(?:偷|拆|卸|拿走|剪)",
        r"(?:管|管子|管口|接口)[^，。]{0,4}?(?:露着|敞着|裸露|没堵|没封|开着口)",
    ), neg="both", needs=rx(r"<GAS>|燃气表|气表|调压"),
         unless=rx(r"换|更换|公司|师傅|工作人员|营业厅|预约|销户|停用|过户|欠费")),
    # a flame that will not turn down, jumps and roars, or will not go out: the pressure or a valve is wrong
    Rule("gas", "zh_flame_wild", rx(
        r"(?:火|火苗|火焰|火力)[^，。]{0,4}?(?:忽大忽小|一跳一跳|乱跳|乱窜|往外窜|往外扑|呼呼[地的]?(?:响|往上)|噗噗)",
        r"(?:调小|关小|拧小|调到最小|最小档?|小火)[^，。]{0,6}?(?:没用|不管用|也是大火|还是[^，。]{0,2}大|下不来|调不下)|[调关拧]不小",
        r"(?:火|火苗|火焰)[^，。]{0,8}?(?:喷火枪|喷枪|火焰枪)",
        r"(?:火|火苗|火焰|火力)[^，。]{0,3}?(?:突然|一下子?|莫名)[^，。]{0,4}?(?:特别|很|好|超|非常|老)?(?:大|高|猛|旺)",
        r"(?:火|火苗|火焰)[^，。]{0,3}?越(?:来|烧)越(?:大|旺|猛|高)",
        r"(?:火|火苗|火焰)[^，。]{0,3}?往(?:外|外面|侧边|侧面|旁边|两边|上)[^，。]{0,2}?(?:喷|窜|冒|扑|跑|蹿)",
        r"(?:火|火苗|火焰)[^，。]{0,4}?(?:烧|窜|跑|扑|冒|喷)(?:到|出)了?[^，。]{0,3}?(?:外面|外边|外头|出来|壳)",
    ), neg="before", needs=rx(r"<GAS>|灶|炉|点火|打火|火苗|火焰|火力|调小|最小档|开关|旋钮|热水器|喷枪"),
         unless=rx(r"游戏|火力全开|火力输出|枪战|吵架|脾气|火气|炒股|想要|希望|怎么(?:调|开)大|大火收汁", FIGURE_FIRE)),
    # a flame that cannot be turned off, whatever else is said: the tap or the valve no longer holds the gas
    Rule("gas", "zh_flame_stuck", rx(
        r"(?<![上发恼])火(?![车锅腿柴机箭龙狐山])[^，。]{0,6}?(?:无法|不能|没法|没办法)(?:熄灭|熄|关闭|关掉|关)"
        r"|关(?:了|掉|机|闭)?(?:后|以后|之后)[^。]{0,6}?(?:还|仍|仍然|依然)在?燃?烧"
        r"|(?:关|拧|熄|灭|调)不(?:掉|了|灭|住|小|下来|到|熄)[^，。]{0,3}?火(?![车锅腿柴机箭龙狐])"
        r"|(?<![上发恼])火(?![车锅腿柴机箭龙狐山])[^，。]{0,8}?(?:关|拧|熄|灭|调)不(?:掉|了|灭|住|小|下来|到|熄)",
    ), neg="none", unless=rx(r"游戏|手机|浏览器|电脑|火气|脾气|心里|蜡烛|打火机|篝火|炭火|烧烤", FIGURE_FIRE)),
    # a yellow, orange or red flame burns badly (carbon monoxide): with a smell, soot or someone ill it is now
    # (alone, it is a repair to book and the knowledge base's answer)
    Rule("gas", "zh_flame_colour", rx(_ZH_FLAME_COLOUR), neg="before",
         needs=rx(r"味|smell|臭|熏|呛|头晕|头疼|头痛|恶心|想吐|黑烟|冒烟|熏黑|发黑|烟大"), unless=_NOT_FLAME_COLOUR),
    Rule("gas", "en_flame_colour", rx(_EN_FLAME_COLOUR), "en", neg="before",
         needs=rx(r"\b(?:smell\w*|stink\w*|soot\w*|sooty|black|smok\w*|fumes|headaches?|dizzy|sick|nause\w*)\b")),
    Rule("gas", "en_flame_wild", rx(
        r"\bflames?\b(?: \S+){0,4}? (?:roaring|jumping|leaping|shooting up|huge|massive|enormous|way (?:too )?(?:big"
        r"|high)"
        r"|much (?:bigger|higher)|(?:bigger|higher) than (?:normal|usual|ever)|like a (?:blow ?torch|torch|jet))\b",
        r"\bflames?\b(?: \S+){0,6}? even on (?:low|the lowest|minimum|min)\b",
        r"\b(?:flame|fire|pilot(?: light)?|burner)s?\b (?:\S+ ){0,3}?"
        r"(?:won't|wont|will not|doesn't|does not|can't|not)"
        r" (?:go out|turn off|switch off|die down|extinguish|stop|go off)",
        r"\b(?:valve|knob|tap)s?\b (?:\S+ ){0,2}?(?:not|won't|wont|doesn't|does not|can't)"
        r" (?:close|closing|shut|turn off)",
        r"\b(?:valve|knob|gas|tap)\b(?: \S+){0,3}? (?:off|closed|shut)\b(?: \S+){0,6}? (?:flame|fire|pilot|burner|hob"
        r"|ring|oven|stove)s?\b(?: \S+){0,2}? (?:still|keeps) (?:lit|on|burning|going|there)",
        r"\b(?:flame|burner|oven|hob|stove|ring|pilot)s? (?:stays?|staying|remains?|still) (?:lit|on|burning)\b"
        r"(?: \S+){0,5}? (?:off|closed|shut)\b",
        r"\bflames?\b(?: \S+){0,3}? (?:blowing|coming|shooting|licking|rolling|spilling|spitting) (?:\S+ )?"
        r"(?:out|sideways|outside)\b",
        r"\bbubbl\w*(?: \S+){0,4}? (?:out of |from |through |in |around )?(?:the )?(?:ground|puddle|water|mud|soil"
        r"|drain|grass|pavement)",
        r"\bbubbl\w* water\b",
    ), "en", neg="before", needs=rx(r"\b(?:stove|hob|burner|cooker|flame|gas|boiler|heater|knob|range|valve|pilot"
                                    r"|pipe|oven)\b"),
         unless=rx(FIGURE_FIRE, r"\b(?:want|prefer|how (?:do|can) i (?:get|make))\b|\bi(?:'d)? like\b")),
    Rule("gas", "en_used_away", rx(
        r"\b(?:used|usage|using|consum\w*|reading|went up|gone up|ran up)\b(?: \S+){0,10}? (?:nobody|no one"
        r"|noone)(?:'s)?"
        r"(?: \S+){0,2}? (?:home|here|in|living)\b",
        r"\b(?:used|usage|using|consum\w*|went up|gone up|ran up)\b(?: \S+){0,10}? (?:while|when) (?:i was|we were|i'm"
        r"|we're"
        r"|we are|i am|i've been|we've been) (?:away|out|abroad|on holiday|on vacation)\b",
    ), "en", needs=rx(r"\b(?:gas|meter)\b")),
    # an appliance clicking on and on without lighting lets gas out each time: asked, never ignored
    Rule("odd", "zh_no_light", rx(
        r"(?:打|点|按)(?:了|咗)?[^，。]{0,4}?(?:不|唔)[着著]|点都唔[着著]|(?:打|点)不[着著]火?|(?:咔|哒|喀)[^，。]{0,3}(?:不|唔)[着著]",
    ), needs=rx(r"一直|好多次|好几次|多次|几次|成日|还要|继续|分钟|咔|哒|喀"),
         unless=rx(r"(?:好几次|几次|多次)才[着著]|电池|打火机")),
    Rule("odd", "en_no_light", rx(
        r"\b(?:click\w*|tick\w*)\b(?: \S+){0,6}? (?:no (?:fire|flame)|won'?t light|doesn'?t light|not light\w*)",
        r"\b(?:won'?t|doesn'?t|will not|does not) (?:light|ignite|catch)\b(?: \S+){0,6}? (?:click\w*|keeps? trying"
        r"|minutes)",
    ), "en", needs=rx(r"\b(?:heater|stove|boiler|hob|burner|cooker|geyser|oven|range)\b")),
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
