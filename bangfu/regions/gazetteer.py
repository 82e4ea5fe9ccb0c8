"""Find regions by the names reports write: 凤山县, 凤山, 都安, 汕尾市城区, 广西凤山县.

The first half is pure functions over names (no database); the second half is an in-memory
index of every region, built once per process and rebuilt when `invalidate()` is called (the
import service does so) or when another process has bumped the shared version key.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.core.cache import cache
from django.db import transaction

from bangfu.regions import codes
from bangfu.regions.codes import Level

# ---------------------------------------------------------------------------------------------
# Names (pure)

# The 55 recognised minorities (and 汉), longest first so 布依 is tried before 依-like tails.
ETHNIC_GROUPS: tuple[str, ...] = tuple(
    sorted(
        [
            "汉",
            "蒙古",
            "回",
            "藏",
            "维吾尔",
            "苗",
            "彝",
            "壮",
            "布依",
            "朝鲜",
            "满",
            "侗",
            "瑶",
            "白",
            "土家",
            "哈尼",
            "哈萨克",
            "傣",
            "黎",
            "傈僳",
            "佤",
            "畲",
            "高山",
            "拉祜",
            "水",
            "东乡",
            "纳西",
            "景颇",
            "柯尔克孜",
            "土",
            "达斡尔",
            "仫佬",
            "羌",
            "布朗",
            "撒拉",
            "毛南",
            "仡佬",
            "锡伯",
            "阿昌",
            "普米",
            "塔吉克",
            "怒",
            "乌孜别克",
            "俄罗斯",
            "鄂温克",
            "德昂",
            "保安",
            "裕固",
            "京",
            "塔塔尔",
            "独龙",
            "鄂伦春",
            "赫哲",
            "门巴",
            "珞巴",
            "基诺",
        ],
        key=len,
        reverse=True,
    )
)
# "X族" (or "各族"), repeated, at the end of a name once 自治县/自治州/乡 is gone. 维吾尔 is
# written without 族 in 新疆维吾尔自治区.
_ETHNIC_TAIL = re.compile(
    "(?:" + "|".join(f"{g}族" for g in ETHNIC_GROUPS) + "|各族|维吾尔)+$",
)

# Suffixes that name the kind of division, longest first, with the levels each can denote.
_ALL_ABOVE_TOWNSHIP = frozenset({Level.PROVINCE, Level.PREFECTURE, Level.COUNTY})
SUFFIX_LEVELS: dict[str, frozenset[str]] = {
    "社区居民委员会": frozenset({Level.VILLAGE}),
    "村民委员会": frozenset({Level.VILLAGE}),
    "居民委员会": frozenset({Level.VILLAGE}),
    "社区居委会": frozenset({Level.VILLAGE}),
    "街道办事处": frozenset({Level.TOWNSHIP}),
    "自治区": frozenset({Level.PROVINCE}),
    "自治州": frozenset({Level.PREFECTURE}),
    "自治县": frozenset({Level.COUNTY}),
    "自治旗": frozenset({Level.COUNTY}),
    "村委会": frozenset({Level.VILLAGE}),
    "居委会": frozenset({Level.VILLAGE}),
    "委员会": frozenset({Level.VILLAGE}),
    "地区": frozenset({Level.PREFECTURE}),
    "林区": frozenset({Level.COUNTY}),
    "特区": frozenset({Level.COUNTY}),
    "街道": frozenset({Level.TOWNSHIP}),
    "社区": frozenset({Level.VILLAGE}),
    "苏木": frozenset({Level.TOWNSHIP}),
    "省": frozenset({Level.PROVINCE}),
    "市": frozenset({Level.PROVINCE, Level.PREFECTURE, Level.COUNTY}),
    "盟": frozenset({Level.PREFECTURE}),
    "州": frozenset({Level.PREFECTURE}),
    "县": frozenset({Level.COUNTY}),
    "区": frozenset({Level.COUNTY}),
    "旗": frozenset({Level.COUNTY}),
    "镇": frozenset({Level.TOWNSHIP}),
    "乡": frozenset({Level.TOWNSHIP}),
    "村": frozenset({Level.VILLAGE}),
}
# Suffixes by their last character, longest first: most names need one or two endswith calls.
_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {
    last: tuple(sorted((s for s in SUFFIX_LEVELS if s.endswith(last)), key=len, reverse=True))
    for last in {s[-1] for s in SUFFIX_LEVELS}
}

# Statistical placeholders, not names anyone writes in a report.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# A short name shorter than this is too ambiguous to index (易县 → 易, 城区 → 城).
MIN_STEM = 2

MAX_REMEMBERED_ANSWERS = 100_000

_NOISE = re.compile(r"[\s·•・．.,，、/\\()（）\[\]【】\"'“”‘’_-]+")


def clean(name: str) -> str:
    """The name as typed, without full-width forms, spaces or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name))


@functools.lru_cache(maxsize=65_536)
def split_suffix(name: str) -> tuple[str, str]:
    """(stem, suffix): 都安瑶族自治县 → (都安, 自治县); 凤城镇 → (凤城, 镇); 凤山 → (凤山, "")."""
    for suffix in _SUFFIXES_BY_LAST.get(name[-1:], ()):
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if "族" in stem or stem.endswith("维吾尔"):
                stem = _ETHNIC_TAIL.sub("", stem)
            if len(stem) >= MIN_STEM:
                return stem, suffix
            return name, ""
    return name, ""


def short_name(name: str) -> str | None:
    """The name without its kind suffix (凤山县 → 凤山, 广西壮族自治区 → 广西), or None."""
    stem, suffix = split_suffix(name)
    return stem if suffix else None


def suffix_levels(name: str) -> frozenset[str] | None:
    """The levels a name's suffix can denote, or None for a bare name such as 凤山."""
    _stem, suffix = split_suffix(name)
    return SUFFIX_LEVELS[suffix] if suffix else None


# ---------------------------------------------------------------------------------------------
# Resolution


@dataclass(frozen=True)
class RegionRecord:
    code: str
    name: str
    level: str
    full_name: str


Status = Literal["found", "ambiguous", "not_found"]
RESOLUTION_STATUSES: tuple[Status, ...] = ("found", "ambiguous", "not_found")


@dataclass(frozen=True)
class Resolution:
    query: str
    status: Status
    matches: tuple[RegionRecord, ...] = ()
    region: RegionRecord | None = None


@dataclass
class GazetteerIndex:
    """Every region by exact name and by short name. Build with `GazetteerIndex.build`."""

    records: dict[str, RegionRecord] = field(default_factory=dict)
    by_name: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_short: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Reports repeat the same few hundred names; answers are kept per index (and die with it).
    answers: dict[tuple[str, str | None], Resolution] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str]]) -> GazetteerIndex:
        """From (code, name, level) rows; parents must be among the rows to appear in full names."""
        ordered = sorted(rows)
        names = {code: name for code, name, _level in ordered}
        index = cls()
        by_name: dict[str, list[str]] = {}
        by_short: dict[str, list[str]] = {}
        for code, name, level in ordered:
            parts = [
                names[a]
                for a in codes.ancestor_codes(code)
                if a in names
                and codes.level_of(a) != Level.PROVINCE
                and names[a] not in PLACEHOLDER_NAMES
            ]
            index.records[code] = RegionRecord(code, name, level, "".join([*parts, name]))
            by_name.setdefault(name, []).append(code)
            short = None if name in PLACEHOLDER_NAMES else short_name(name)
            if short is not None:
                by_short.setdefault(short, []).append(code)
        index.by_name = {k: tuple(v) for k, v in by_name.items()}
        index.by_short = {k: tuple(v) for k, v in by_short.items()}
        return index

    def lookup(self, name: str) -> tuple[str, ...]:
        """Codes whose exact name, or whose short name, is `name` (exact names win)."""
        exact = self.by_name.get(name)
        if exact:
            return exact
        stem, suffix = split_suffix(name)
        if not suffix:
            return self.by_short.get(name, ())
        # 都安县 → short 都安 → 都安瑶族自治县, but only at a level the written suffix allows.
        allowed = SUFFIX_LEVELS[suffix]
        return tuple(c for c in self.by_short.get(stem, ()) if self.records[c].level in allowed)

    def candidates(
        self, name: str, memo: dict[str, tuple[str, ...]] | None = None
    ) -> tuple[str, ...]:
        """Codes the name can denote, reading a leading region name as a place to look in."""
        memo = {} if memo is None else memo
        if name in memo:
            return memo[name]
        memo[name] = ()  # guards against re-entry while this name is being worked out
        direct = self.lookup(name)
        if direct:
            memo[name] = direct
            return direct
        found: dict[str, None] = {}
        for cut in range(MIN_STEM, len(name) - 1):
            heads = self.lookup(name[:cut])
            if not heads:
                continue
            tails = self.candidates(name[cut:], memo)
            for tail in tails:
                if any(tail != head and codes.is_within(tail, head) for head in heads):
                    found[tail] = None
        memo[name] = tuple(found)
        return memo[name]

    def resolve(self, name: str, *, context: str | None = None) -> Resolution:
        key = (name, context)
        answer = self.answers.get(key)
        if answer is None:
            if len(self.answers) >= MAX_REMEMBERED_ANSWERS:
                self.answers.clear()
            answer = self.answers[key] = self._resolve(name, context=context)
        return answer

    def _resolve(self, name: str, *, context: str | None) -> Resolution:
        query = clean(name)
        found = list(self.candidates(query)) if query else []
        # A bare stem such as 凤山 means the county, not a village that shares it.
        if suffix_levels(query) is None:
            upper = [c for c in found if self.records[c].level in _ALL_ABOVE_TOWNSHIP]
            found = upper or found
        if context and len(found) > 1:
            found = _prefer_near(found, context)
        matches = tuple(self.records[c] for c in sorted(found))
        if not matches:
            return Resolution(query=name, status="not_found")
        if len(matches) == 1:
            return Resolution(query=name, status="found", matches=matches, region=matches[0])
        return Resolution(query=name, status="ambiguous", matches=matches)


def _prefer_near(found: Sequence[str], context: str) -> list[str]:
    """Matches inside the context region's subtree, else those sharing the most levels with it."""
    inside = [c for c in found if codes.is_within(c, context)]
    if inside:
        return inside
    depths = {c: codes.shared_depth(c, context) for c in found}
    best = max(depths.values())
    return [c for c in found if depths[c] == best]


# ---------------------------------------------------------------------------------------------
# The process-wide index

VERSION_CACHE_KEY = "bangfu:regions:gazetteer-version"
# How often (seconds) a process asks the shared cache whether another process imported regions.
RECHECK_SECONDS = 5.0

_lock = threading.Lock()
_index: GazetteerIndex | None = None
_index_version: object = None
_checked_at = 0.0


def _load() -> GazetteerIndex:
    from bangfu.regions.models import Region

    return GazetteerIndex.build(Region.objects.values_list("code", "name", "level"))


def get_index() -> GazetteerIndex:
    """The index, rebuilt when it was invalidated here or (within seconds) in another process."""
    global _index, _index_version, _checked_at
    now = time.monotonic()
    index = _index
    if index is not None and now - _checked_at < RECHECK_SECONDS:
        return index
    with _lock:
        version = cache.get(VERSION_CACHE_KEY)
        if _index is None or version != _index_version:
            _index = _load()
            _index_version = version
        _checked_at = now
        return _index


def forget() -> None:
    """Drop this process's index; the next lookup rebuilds it."""
    global _index
    with _lock:
        _index = None


def invalidate() -> None:
    """Regions changed: drop the index here now and in every process (shared version key).

    Called inside the writing transaction; the index is dropped again on commit so a lookup
    made in between cannot keep rows that a rollback removed.
    """
    cache.set(VERSION_CACHE_KEY, time.time_ns(), timeout=None)
    forget()
    transaction.on_commit(forget)


def resolve(name: str, *, context: str | None = None) -> Resolution:
    """Resolve a name as written in a report; `context` (a region code) breaks ties.

    Raises codes.InvalidCode for a malformed context code.
    """
    if context:
        codes.level_of(context)
    return get_index().resolve(name, context=context)


def resolve_many(names: Iterable[str], *, context: str | None = None) -> list[Resolution]:
    if context:
        codes.level_of(context)
    index = get_index()
    return [index.resolve(name, context=context) for name in names]
