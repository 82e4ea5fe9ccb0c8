"""Context for a quantity: indicator, period, target or achievement, subject parties.

All functions work on the normalised text and positions in it; none touches the database.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bangfu.ingest.text.keywords import INDICATOR_KEYWORDS, TARGET_WORDS
from bangfu.ingest.text.places import Mention

_CLAUSE_BREAK = re.compile(r"[,;。!?:\n()]")
_SENTENCE_BREAK = re.compile(r"[。!?;\n]")

# Keywords by unit, longest first, so "其中贫困劳动力" is tried before "培训".
_BY_UNIT: dict[str, list[tuple[str, str]]] = {}
for _code, (_unit, _words) in INDICATOR_KEYWORDS.items():
    for _word in _words:
        _BY_UNIT.setdefault(_unit, []).append((_word, _code))
for _pairs in _BY_UNIT.values():
    _pairs.sort(key=lambda pair: len(pair[0]), reverse=True)


def clause_start(text: str, position: int) -> int:
    lookback = max(0, position - 60)
    window = text[lookback:position]
    ends = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
    return lookback + ends[-1] if ends else lookback


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    lookback = max(0, position - 200)
    ends = [m.end() for m in _SENTENCE_BREAK.finditer(text, lookback, position)]
    start = ends[-1] if ends else lookback
    following = _SENTENCE_BREAK.search(text, position)
    return start, following.start() if following else len(text)


def guess_indicator(text: str, start: int, end: int, unit: str) -> str | None:
    """The indicator whose keyword sits nearest the figure in its clause (or right after it)."""
    candidates = _BY_UNIT.get(unit)
    if not candidates:
        return None
    tail_end = end
    while tail_end < len(text) and tail_end - end < 10 and not _CLAUSE_BREAK.match(text[tail_end]):
        if text[tail_end] in "、" or text[tail_end].isdigit():
            break
        tail_end += 1
    after = text[end:tail_end]
    for word, code in candidates:
        if word in after:
            return code
    before = text[clause_start(text, start) : start]
    best: tuple[int, int, str] | None = None
    for word, code in candidates:
        at = before.rfind(word)
        if at < 0:
            continue
        score = (at + len(word), len(word))
        if best is None or score > best[:2]:
            best = (score[0], score[1], code)
    return best[2] if best else None


def is_target(text: str, start: int) -> bool:
    """A plan or target (计划, 目标, 力争, 将…) rather than an achievement."""
    sentence_start, _ = sentence_bounds(text, start)
    before = text[max(sentence_start, clause_start(text, start) - 40) : start]
    if "已" in text[clause_start(text, start) : start]:
        return False
    return any(word in before for word in TARGET_WORDS if word != "将") or _will(before)


def _will(before: str) -> bool:
    # 将 as "will", not as the object marker 将…融入 / 将…用于.
    at = before.rfind("将")
    if at < 0:
        return False
    rest = before[at + 1 :]
    return not any(w in rest for w in ("融入", "用于", "变为", "作为", "纳入"))


# ---------------------------------------------------------------------------------------------
# Periods

_ISO_DATE = re.compile(r"(20\d\d|19\d\d)[-/.](\d{1,2})[-/.](\d{1,2})")
_CN_DATE = re.compile(r"(20\d\d|19\d\d)年(\d{1,2})月(\d{1,2})日")
_AS_OF = re.compile(r"(?:截至|截止|至|到)(?:(20\d\d)年)?(?:(\d{1,2})月)?(底|末|初|\d{1,2}日)?")
_SINCE = re.compile(r"(?:自|从)?(20\d\d)年(?:(\d{1,2})月)?(?:以来|起)")
_RANGE = re.compile(r"(20\d\d)年(?:(\d{1,2})月)?[-—至到](20\d\d)年(?:(\d{1,2})月)?")
_YEAR_HALF = re.compile(r"(20\d\d)年(上半年|下半年)")
_YEAR = re.compile(r"(20\d\d)年(?!\d{1,2}月\d{1,2}日)")
_YEAR_MONTH = re.compile(r"(20\d\d)年(\d{1,2})月(?:底|末)")


def report_date(text: str) -> dt.date | None:
    """The date in the report's header (its first few lines), if it states one."""
    head = text[:300]
    for pattern in (_ISO_DATE, _CN_DATE):
        match = pattern.search(head)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _period(
    kind: str, start: dt.date | None, end: dt.date | None, written: str
) -> dict[str, object]:
    return {
        "kind": kind,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "text": written,
    }


def guess_period(text: str, start: int, reported: dt.date | None) -> dict[str, object] | None:
    """The period a figure belongs to, from the words of its sentence before it."""
    sentence_start, _ = sentence_bounds(text, start)
    before = text[sentence_start:start]
    cumulative = "累计" in before or "以来" in before
    found: list[tuple[int, dict[str, object]]] = []

    def add(match: re.Match[str], period: dict[str, object] | None) -> None:
        if period is not None:
            found.append((match.end(), period))

    for m in _RANGE.finditer(before):
        first = dt.date(int(m[1]), int(m[2] or 1), 1)
        last = _month_end(int(m[3]), int(m[4] or 12))
        add(m, _period("range", first, last, m.group()))
    for m in _SINCE.finditer(before):
        add(m, _period("cumulative", dt.date(int(m[1]), int(m[2] or 1), 1), reported, m.group()))
    for m in _YEAR_MONTH.finditer(before):
        end = _month_end(int(m[1]), int(m[2]))
        add(m, _period("cumulative" if cumulative else "as_of", None, end, m.group()))
    for m in _AS_OF.finditer(before):
        if m[1] and m[2]:
            end = _month_end(int(m[1]), int(m[2]))
            add(m, _period("as_of", None, end, m.group()))
        elif "目前" in before[m.end() : m.end() + 2] and reported:
            add(m, _period("as_of", None, reported, m.group() + "目前"))
    for m in _YEAR_HALF.finditer(before):
        year = int(m[1])
        first = dt.date(year, 1 if m[2] == "上半年" else 7, 1)
        last = dt.date(year, 6, 30) if m[2] == "上半年" else dt.date(year, 12, 31)
        add(m, _period("half_year", first, last, m.group()))
    for m in _YEAR.finditer(before):
        if _YEAR_HALF.match(before, m.start()) or _RANGE.match(before, m.start()):
            continue
        if _SINCE.match(before, m.start()) or _YEAR_MONTH.match(before, m.start()):
            continue
        year = int(m[1])
        add(m, _period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), m.group()))
    if reported is not None:
        for word, kind in (
            ("今年", "year"),
            ("全年", "year"),
            ("上半年", "half_year"),
            ("去年", "year"),
        ):
            at = before.rfind(word)
            if at < 0 or (word == "上半年" and before[max(0, at - 1) : at] == "年"):
                continue
            year = reported.year - 1 if word == "去年" else reported.year
            first = dt.date(year, 1, 1)
            last = dt.date(year, 6, 30) if word == "上半年" else dt.date(year, 12, 31)
            if cumulative and word == "今年":
                found.append((at + 2, _period("cumulative", first, reported, word)))
            else:
                found.append((at + len(word), _period(kind, first, last, word)))
        if cumulative and not found:
            found.append((0, _period("cumulative", None, reported, "累计")))
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]


# ---------------------------------------------------------------------------------------------
# Parties


@dataclass(frozen=True)
class Party:
    name: str
    region_code: str | None
    kind: str  # "region" | "organisation"


def guess_parties(
    text: str,
    start: int,
    mentions: Sequence[Mention],
    organisations: Sequence[tuple[int, int, str]],
) -> list[Party]:
    """Regions and organisations named in the figure's sentence before it (nearest last)."""
    sentence_start, _ = sentence_bounds(text, start)
    parties: list[Party] = []
    seen: set[str] = set()
    for mention in mentions:
        if sentence_start <= mention.start < start and mention.name not in seen:
            seen.add(mention.name)
            parties.append(Party(mention.name, mention.code, "region"))
    for org_start, _org_end, name in organisations:
        if sentence_start <= org_start < start and name not in seen:
            seen.add(name)
            parties.append(Party(name, None, "organisation"))
    return parties
