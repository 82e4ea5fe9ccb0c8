"""Find quantities with units in normalised report text.

A quantity is a number followed by a unit or a measure word: 300万元, 13055户, 4551人次, 87%,
20余次, 近200亿元, 两个, 不少于2个. Numbers that are not figures are skipped by rule: years and
dates (年/月/日 are not units), durations (3个月), ordinals (第23个), list markers and house
numbers (no unit), numbers inside short quoted names and slogans (“五个一批”, 两不愁三保障),
the article 一 (一批, 一家), bare 百/千/万 (千家万户) and measure words followed by another
numeral or 不 (八个一批, 四个不摘).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from bangfu.ingest.text.numbers import (
    ARABIC,
    CHINESE,
    CHINESE_NUMERAL_CHARS,
    parse_number,
)


class Unit:
    YUAN = "yuan"
    PERSON = "person"
    HOUSEHOLD = "household"
    PERSON_TIME = "person_time"
    PERCENT = "percent"
    COUNT = "count"
    MU = "mu"
    TON = "ton"


class Qualifier:
    EXACT = "exact"
    APPROX = "approx"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


# Written unit → (unit, measure word kept for counts, multiplier). Longest first in the pattern.
UNITS: dict[str, tuple[str, str | None, int]] = {
    "元": (Unit.YUAN, None, 1),
    "人次": (Unit.PERSON_TIME, None, 1),
    "人": (Unit.PERSON, None, 1),
    "名": (Unit.PERSON, None, 1),
    "位": (Unit.PERSON, None, 1),
    "户": (Unit.HOUSEHOLD, None, 1),
    "%": (Unit.PERCENT, None, 1),
    "亩": (Unit.MU, None, 1),
    "吨": (Unit.TON, None, 1),
}
MEASURE_WORDS = (
    *("个", "家", "所", "场", "次", "期", "宗", "项", "处", "批", "座", "条", "间", "台", "套"),
    *("支", "件", "辆", "头", "只", "棵", "株", "张", "篇", "本", "份", "轮", "届", "趟", "栋"),
    *("县", "乡", "镇", "村"),
)
for _word in MEASURE_WORDS:
    UNITS[_word] = (Unit.COUNT, _word, 1)

# What may follow a unit and shows it was not one: 3个月 (duration), 四个不摘, 五个一批 (slogans),
# 名单, 所有, 人民, 位于, 处理…
_NOT_AFTER: dict[str, tuple[str, ...]] = {
    "个": ("月", "小时", "工作日", "星期", "年头", "字", "百分点", "多月", "半月"),
    "名": ("次", "单", "列", "义", "称", "片", "字"),
    "位": ("数", "于", "置", "列"),
    "处": ("理", "置", "于", "长", "室", "罚"),
    "所": ("有", "以", "在", "属", "谓", "得"),
    "人": ("民", "才", "员", "口", "大", "士"),
    "次": ("日", "性", "年", "要", "序"),
    "期": ("间", "限", "望", "待"),
    "家": ("庭", "乡", "门", "属", "长"),
    "场": ("所", "景", "面", "馆"),
    "间": ("隔", "断", "接"),
    "条": ("件", "例", "款"),
    "只": ("有", "是", "要", "能"),
    "本": ("地", "级", "次", "着"),
    "头": ("条", "脑"),
    "支": ("持", "付", "出"),
    "台": ("阶",),
    "县": ("级", "委", "城", "长", "区"),
    "乡": ("村", "镇", "级", "亲"),
    "镇": ("级", "长", "村"),
    "村": ("级", "民", "委", "干"),
}
_NUMERAL_OR_NOT = "一二两三四五六七八九十不"

# Well-known slogans written without quotes; numbers inside them are never figures.
SLOGANS = (
    "两不愁三保障",
    "两不愁、三保障",
    "三保障",
    "两不愁",
    "五个一批",
    "八个一批",
    "六个精准",
    "四个不摘",
    "四个意识",
    "四个自信",
    "两个维护",
    "四个全面",
    "五位一体",
    "三位一体",
    "三区三州",
    "两个一百年",
    "十三五",
    "十四五",
    "三农",
    "一带一路",
    "一把手",
    "一对一",
)
_SLOGAN = re.compile("|".join(re.escape(s) for s in sorted(SLOGANS, key=len, reverse=True)))
# A quoted name or slogan short enough not to be a sentence: “五个重点”, 《2020年工作报告》.
_SHORT_QUOTE = re.compile(r"“[^”\n]{1,14}”|「[^」\n]{1,14}」|《[^》\n]{1,30}》|\"[^\"\n]{1,14}\"")
_PERCENT_WORDS = re.compile(r"百分之(" + CHINESE + r"|" + ARABIC + r")")

_PREFIX_QUALIFIERS = {
    "不少于": Qualifier.AT_LEAST,
    "不低于": Qualifier.AT_LEAST,
    "至少": Qualifier.AT_LEAST,
    "超过": Qualifier.AT_LEAST,
    "多于": Qualifier.AT_LEAST,
    "逾": Qualifier.AT_LEAST,
    "超": Qualifier.AT_LEAST,
    "不超过": Qualifier.AT_MOST,
    "不足": Qualifier.AT_MOST,
    "不到": Qualifier.AT_MOST,
    "少于": Qualifier.AT_MOST,
    "近": Qualifier.APPROX,
    "约": Qualifier.APPROX,
    "大约": Qualifier.APPROX,
}
_SUFFIX_QUALIFIERS = {
    "余": Qualifier.APPROX,
    "多": Qualifier.APPROX,
    "左右": Qualifier.APPROX,
    "以上": Qualifier.AT_LEAST,
    "以下": Qualifier.AT_MOST,
    "以内": Qualifier.AT_MOST,
}


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


_QUANTITY = re.compile(
    # Cheap first-character test, so most positions are rejected at once.
    r"(?=[0-9" + CHINESE_NUMERAL_CHARS + "".join({w[0] for w in _PREFIX_QUALIFIERS}) + r"])"
    r"(?P<pre>" + _alternation(_PREFIX_QUALIFIERS) + r")?"
    r"(?P<num>" + ARABIC + r"|" + CHINESE + r")"
    r"(?P<mid>余|多)?"
    r"(?P<mult>万亿|万|亿|千)?"
    r"(?P<mid2>余|多)?"
    r"(?P<unit>" + _alternation(UNITS) + r")?"
    r"(?P<post>" + _alternation(_SUFFIX_QUALIFIERS) + r")?"
)
# Words near a bare 万/亿 that say it is money: 4500多万帮扶资金, 投入3000万.
_MONEY_AFTER = re.compile(r"^.{0,6}?(资金|元|款|经费|投资|资产)")
_MONEY_BEFORE = re.compile(
    r"(资金|投入|投资|捐赠|捐款|资助|金额|销售额|产值|收入|收益|税收|筹集|募集)"
)
_CLAUSE_BREAK = re.compile(r"[,;。!?:\n]")


@dataclass
class Quantity:
    value: Decimal
    unit: str
    measure: str | None
    qualifier: str
    start: int  # span in the normalised text
    end: int
    each: bool = False
    context: dict[str, object] = field(default_factory=dict)


def _blocked_spans(text: str) -> set[int]:
    """Positions inside short quotes and slogans."""
    blocked: set[int] = set()
    for pattern in (_SHORT_QUOTE, _SLOGAN):
        for match in pattern.finditer(text):
            blocked.update(range(match.start(), match.end()))
    return blocked


def _inside(position: int, blocked: set[int]) -> bool:
    return position in blocked


def _clause_before(text: str, position: int, limit: int = 30) -> str:
    window = text[max(0, position - limit) : position]
    parts = _CLAUSE_BREAK.split(window)
    return parts[-1] if parts else ""


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text` (normalised), in reading order."""
    blocked = _blocked_spans(text)
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        if match.group("unit") is None and match.group("mult") is None:
            continue  # a bare number: a list marker, a year in passing, a code
        quantity = _read(text, match, blocked)
        if quantity is not None:
            found.append(quantity)
    if "百分之" in text:
        for match in _PERCENT_WORDS.finditer(text):
            if _inside(match.start(), blocked):
                continue
            value = parse_number(match.group(1))
            found.append(
                Quantity(value, Unit.PERCENT, None, Qualifier.EXACT, match.start(), match.end())
            )
        found.sort(key=lambda q: q.start)
    return found


_CHINESE_NUMERAL_SET = frozenset(CHINESE_NUMERAL_CHARS)
_SPEECH_NUMERAL_SET = frozenset("十百千万亿")
_CODE_CHARS = frozenset("._#-/:")
_PLACE_COUNTS = frozenset(("县", "乡", "镇", "村"))
_NO_NUMERAL_AFTER = frozenset(("个", "位", "批", "项", "县"))
_MULTIPLIER_VALUES = {"万": 10_000, "亿": 100_000_000, "万亿": 10**12, "千": 1000}


def _read(text: str, match: re.Match[str], blocked: set[int]) -> Quantity | None:
    pre, num, mid, mult, mid2, unit_written, post = match.groups()
    if unit_written is None and mult is None:
        return None  # a bare number: a list marker, a year in passing, a code
    num_start = match.start("num")
    chinese = num[0] in _CHINESE_NUMERAL_SET
    before = text[num_start - 1] if num_start > 0 else ""
    if before and (before.isascii() and (before.isalnum() or before in _CODE_CHARS)):
        return None  # part of a code, a date (2020-12-21), a time or a masked name
    if before == "第" or (pre is None and text[max(0, num_start - 2) : num_start] == "第 "):
        return None  # ordinal
    if num_start in blocked:
        return None
    if chinese:
        if mult:  # 十万 is read by the numeral pattern itself; a stray 千 here is not a multiplier
            return None
        if num != "十" and _SPEECH_NUMERAL_SET.issuperset(num):
            return None  # 千家万户, 百万群众: figures of speech
        if num in ("一", "〇", "零"):
            return None  # the article: 一批, 一家, 一首
    if mult == "千" and unit_written != "元":
        return None
    if unit_written is None:
        return _bare_money(text, match) if mult in ("万", "亿", "万亿") and not chinese else None
    unit, measure, _ = UNITS[unit_written]
    unit_end = match.end("unit")
    after = text[unit_end : unit_end + 4]
    if unit == Unit.PERSON and unit_written == "人" and after.startswith("次"):
        return None  # handled as 人次 by the longer alternative; defensive
    not_after = _NOT_AFTER.get(unit_written)
    if not_after and after.startswith(not_after):
        return None
    if after[:1] and after[0] in _NUMERAL_OR_NOT and unit_written in _NO_NUMERAL_AFTER:
        return None  # 五个一批, 四个不摘, 三位一体
    if unit_written in _PLACE_COUNTS and not chinese:
        return None  # 12村 is unusual; Arabic digits before 县 are usually part of a name
    # (三县, 两县 written in Chinese numerals are counts of places.)
    # Arabic digits (the common case) need no numeral parsing: Decimal reads them.
    value = parse_number(num) if chinese else Decimal(num.replace(",", ""))
    if mult:
        value *= _MULTIPLIER_VALUES[mult]
    if unit == Unit.YUAN and chinese and value == 1:
        return None
    return Quantity(
        value=value,
        unit=unit,
        measure=measure,
        qualifier=_qualifier_of(pre, mid, mid2, post),
        start=match.start("pre") if pre else num_start,
        end=match.end(),
        each=_is_each(text, match.start()),
    )


def _bare_money(text: str, match: re.Match[str]) -> Quantity | None:
    """4500多万 with no 元: money when the words around it are about money."""
    after = text[match.end() : match.end() + 8]
    clause = _clause_before(text, match.start())
    if not (_MONEY_AFTER.match(after) or _MONEY_BEFORE.search(clause)):
        return None
    if after[:1] and after[0] in "人户名位个家所次":
        return None
    multiplier = {"万": 10_000, "亿": 100_000_000, "万亿": 10**12}[match.group("mult")]
    value = parse_number(match.group("num")) * multiplier
    return Quantity(
        value=value,
        unit=Unit.YUAN,
        measure=None,
        qualifier=_qualifier(match),
        start=match.start("pre") if match.group("pre") else match.start("num"),
        end=match.end(),
        each=_is_each(text, match.start()),
    )


def _qualifier(match: re.Match[str]) -> str:
    return _qualifier_of(
        match.group("pre"), match.group("mid"), match.group("mid2"), match.group("post")
    )


def _qualifier_of(pre: str | None, mid: str | None, mid2: str | None, post: str | None) -> str:
    if pre:
        return _PREFIX_QUALIFIERS[pre]
    if post:
        return _SUFFIX_QUALIFIERS[post]
    if mid or mid2:
        return Qualifier.APPROX
    return Qualifier.EXACT


def _is_each(text: str, position: int) -> bool:
    """各 right before the number, or 各 + a short verb (各选派16名, 各培训50名)."""
    if "各" not in text[max(0, position - 16) : position]:
        return False
    clause = _clause_before(text, position, limit=16)
    at = clause.rfind("各")
    return at >= 0 and clause[at : at + 2] not in _EACH_NOT


_EACH_NOT = ("各类", "各项", "各种", "各级", "各地", "各界", "各个", "各方", "各自", "各部")
