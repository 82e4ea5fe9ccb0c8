"""Context for a quantity: indicator, period, target or achievement, subject parties.

All functions work on the normalised text and positions in it; none touches the database.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bangfu.ingest.text.keywords import INDICATOR_KEYWORDS, TARGET_WORDS
from bangfu.ingest.text.places import Mention

_CLAUSE_BREAK = re.compile(r"[,;。!?:\n()]")
_SENTENCE_BREAK = re.compile(r"[。!?;\n]")

# One pattern of keywords per unit, longest first (so "其中贫困劳动力" wins over "培训").
_BY_UNIT: dict[str, list[tuple[str, str]]] = {}
for _code, (_unit, _words) in INDICATOR_KEYWORDS.items():
    for _word in _words:
        _BY_UNIT.setdefault(_unit, []).append((_word, _code))
_KEYWORD_CODE: dict[str, dict[str, str]] = {}
_KEYWORD_PATTERN: dict[str, re.Pattern[str]] = {}
for _unit, _pairs in _BY_UNIT.items():
    _pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
    _KEYWORD_CODE[_unit] = {}
    for _word, _code in _pairs:
        _KEYWORD_CODE[_unit].setdefault(_word, _code)
    _KEYWORD_PATTERN[_unit] = re.compile("|".join(re.escape(w) for w, _c in _pairs))


# Where the words right after a figure stop: a clause break, 、 or the next number.
_TAIL_STOP = re.compile(r"[,;。!?:\n()、\d]")
# Target words other than 将 (which needs a closer look: "will" or the object marker).
_TARGET_WORDS = re.compile("|".join(re.escape(w) for w in TARGET_WORDS if w != "将"))


class Breaks:
    """Clause and sentence boundaries of one text, found once (positions after each break)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.clauses = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
        self.sentences = [m.end() for m in _SENTENCE_BREAK.finditer(text)]

    def clause_start(self, position: int) -> int:
        at = bisect.bisect_right(self.clauses, position)
        start = self.clauses[at - 1] if at else 0
        return start if start > position - 60 else position - 60

    def sentence_bounds(self, position: int) -> tuple[int, int]:
        """The sentence around `position`, starting at most 200 characters before it."""
        start, end = self.sentence_span(position)
        return (start if start > position - 200 else position - 200), end

    def sentence_span(self, position: int) -> tuple[int, int]:
        """The whole sentence around `position` (without its closing punctuation)."""
        at = bisect.bisect_right(self.sentences, position)
        start = self.sentences[at - 1] if at else 0
        end = self.sentences[at] - 1 if at < len(self.sentences) else len(self.text)
        return start, end


class Context(Breaks):
    """The context of every figure of one (normalised) text: its clause and sentence breaks
    are found once, and the period phrases of each sentence are parsed once for all the
    figures in it. Build one per document; the module functions below do the same for one
    figure at a time."""

    def __init__(self, text: str, reported: dt.date | None = None) -> None:
        super().__init__(text)
        self.reported = reported
        self._periods: dict[tuple[int, int], list[_Candidate]] = {}

    def indicator(self, start: int, end: int, unit: str) -> str | None:
        """The indicator whose keyword sits nearest the figure in its clause (or right after
        it)."""
        pattern = _KEYWORD_PATTERN.get(unit)
        if pattern is None:
            return None
        text = self.text
        codes = _KEYWORD_CODE[unit]
        limit = min(len(text), end + 10)
        stop = _TAIL_STOP.search(text, end, limit)
        after = pattern.search(text, end, stop.start() if stop else limit)
        if after is not None:
            return codes[after.group()]
        best: tuple[int, int, str] | None = None
        for match in pattern.finditer(text, self.clause_start(start), start):
            score = (match.end(), len(match.group()))
            if best is None or score > best[:2]:
                best = (score[0], score[1], codes[match.group()])
        return best[2] if best else None

    def is_target(self, start: int) -> bool:
        """A plan or target (计划, 目标, 力争, 将…) rather than an achievement."""
        text = self.text
        sentence_start, _ = self.sentence_bounds(start)
        clause = self.clause_start(start)
        if text.find("已", clause, start) >= 0:
            return False
        lower = max(sentence_start, clause - 40)
        if _TARGET_WORDS.search(text, lower, start):
            return True
        return _will(text[lower:start])

    def period(self, start: int) -> dict[str, object] | None:
        """The period a figure belongs to, from the words of its sentence before it."""
        text = self.text
        lower, upper = self.sentence_bounds(start)
        if not _ANY_PERIOD.search(text, lower, start):
            return None
        candidates = self._periods.get((lower, upper))
        if candidates is None:
            candidates = self._periods[(lower, upper)] = _period_candidates(
                text, lower, upper, self.reported
            )
        cumulative = text.find("累计", lower, start) >= 0 or text.find("以来", lower, start) >= 0
        found: list[tuple[int, dict[str, object]]] = []
        for end, kind, period in candidates:
            if end > start:
                continue
            if kind == _FIXED:
                found.append((end, period))
            elif kind == _MONTH_END:
                found.append((end, {**period, "kind": "cumulative" if cumulative else "as_of"}))
            elif end + 2 <= start:  # _NOW: 截至目前, with 目前 before the figure
                found.append((end, period))
        reported = self.reported
        if reported is not None:
            for word, kind in _PERIOD_WORDS:
                at = text.rfind(word, lower, start)
                if at < 0 or (word == "上半年" and at > lower and text[at - 1] == "年"):
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
        return dict(max(found, key=lambda pair: pair[0])[1])

    def parties(
        self,
        start: int,
        mentions: Sequence[Mention],
        organisations: Sequence[tuple[int, int, str]],
    ) -> list[Party]:
        """Regions and organisations named in the figure's sentence before it (nearest last)."""
        sentence_start, _ = self.sentence_bounds(start)
        parties: list[Party] = []
        seen: set[str] = set()
        mention_starts = [m.start for m in mentions] if len(mentions) < 8 else _starts(mentions)
        first = bisect.bisect_left(mention_starts, sentence_start)
        last = bisect.bisect_left(mention_starts, start)
        for mention in mentions[first:last]:
            if mention.name not in seen:
                seen.add(mention.name)
                parties.append(Party(mention.name, mention.code, "region"))
        for org_start, _org_end, name in organisations:
            if sentence_start <= org_start < start and name not in seen:
                seen.add(name)
                parties.append(Party(name, None, "organisation"))
        return parties


_contexts: dict[int, Context] = {}


def context_of(text: str, reported: dt.date | None = None) -> Context:
    """The context of `text`, kept for the last text asked about (so one-figure-at-a-time
    callers do not find the breaks again for every figure)."""
    cached = _contexts.get(id(text))
    if cached is None or cached.text is not text or cached.reported != reported:
        _contexts.clear()
        cached = _contexts[id(text)] = Context(text, reported)
    return cached


def breaks_of(text: str) -> Context:
    """The cached context of `text`, whatever report date it was built with (the breaks, the
    indicator, the target and the parties do not depend on it)."""
    cached = _contexts.get(id(text))
    if cached is not None and cached.text is text:
        return cached
    return context_of(text)


def clause_start(text: str, position: int) -> int:
    return breaks_of(text).clause_start(position)


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    return breaks_of(text).sentence_bounds(position)


def guess_indicator(text: str, start: int, end: int, unit: str) -> str | None:
    """The indicator whose keyword sits nearest the figure in its clause (or right after it)."""
    return breaks_of(text).indicator(start, end, unit) if unit in _KEYWORD_PATTERN else None


def is_target(text: str, start: int) -> bool:
    """A plan or target (计划, 目标, 力争, 将…) rather than an achievement."""
    return breaks_of(text).is_target(start)


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
_ANY_PERIOD = re.compile(r"(?:19|20)\d\d年|今年|全年|上半年|去年|累计|以来")
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
    return context_of(text, reported).period(start)


# What a period phrase found in a sentence stands for: a period as it is (_FIXED), an end of
# month that is cumulative or as-of depending on the words before the figure (_MONTH_END), or
# 截至目前 (_NOW: only when 目前 too comes before the figure).
_FIXED, _MONTH_END, _NOW = "fixed", "month_end", "now"
_Candidate = tuple[int, str, dict[str, object]]
_PERIOD_WORDS = (("今年", "year"), ("全年", "year"), ("上半年", "half_year"), ("去年", "year"))


def _period_candidates(
    text: str, lower: int, upper: int, reported: dt.date | None
) -> list[_Candidate]:
    """Every period phrase of text[lower:upper] as (end, kind, period), in order of preference
    among phrases ending at the same place. A figure takes those ending before it: no phrase
    runs into a figure (phrases end in 年, 月, 日, 底, 以来…, figures begin with a number or a
    qualifier), so this is what parsing the words before each figure would find."""
    before = text[lower:upper]
    found: list[_Candidate] = []
    for m in _RANGE.finditer(before):
        first = dt.date(int(m[1]), int(m[2] or 1), 1)
        last = _month_end(int(m[3]), int(m[4] or 12))
        found.append((lower + m.end(), _FIXED, _period("range", first, last, m.group())))
    for m in _SINCE.finditer(before):
        since = dt.date(int(m[1]), int(m[2] or 1), 1)
        found.append((lower + m.end(), _FIXED, _period("cumulative", since, reported, m.group())))
    for m in _YEAR_MONTH.finditer(before):
        end = _month_end(int(m[1]), int(m[2]))
        found.append((lower + m.end(), _MONTH_END, _period("as_of", None, end, m.group())))
    for m in _AS_OF.finditer(before):
        if m[1] and m[2]:
            end = _month_end(int(m[1]), int(m[2]))
            found.append((lower + m.end(), _FIXED, _period("as_of", None, end, m.group())))
        elif before.startswith("目前", m.end()) and reported:
            period = _period("as_of", None, reported, m.group() + "目前")
            found.append((lower + m.end(), _NOW, period))
    for m in _YEAR_HALF.finditer(before):
        year = int(m[1])
        first = dt.date(year, 1 if m[2] == "上半年" else 7, 1)
        last = dt.date(year, 6, 30) if m[2] == "上半年" else dt.date(year, 12, 31)
        found.append((lower + m.end(), _FIXED, _period("half_year", first, last, m.group())))
    for m in _YEAR.finditer(before):
        if _YEAR_HALF.match(before, m.start()) or _RANGE.match(before, m.start()):
            continue
        if _SINCE.match(before, m.start()) or _YEAR_MONTH.match(before, m.start()):
            continue
        year = int(m[1])
        period = _period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), m.group())
        found.append((lower + m.end(), _FIXED, period))
    return found


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
    return breaks_of(text).parties(start, mentions, organisations)


_starts_cache: dict[int, tuple[Sequence[Mention], list[int]]] = {}


def _starts(mentions: Sequence[Mention]) -> list[int]:
    cached = _starts_cache.get(id(mentions))
    if cached is None or cached[0] is not mentions:
        _starts_cache.clear()
        cached = _starts_cache[id(mentions)] = (mentions, [m.start for m in mentions])
    return cached[1]
