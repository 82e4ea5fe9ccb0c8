"""Find place names in text: every way the gazetteer's regions are written.

The gazetteer resolves a name; this module finds where names are. From a `GazetteerIndex` it
collects the written forms (凤山县, 凤山, 军船头村, 下察隅镇, 深圳) and scans for them, longest
first. Adjacent names form a chain
(深圳市龙华区, 西藏林芝市察隅县) that is resolved as one name, the most specific part winning.
Organisations are found by their suffix (公司, 学校, 医院, 街道…).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bangfu.regions.codes import Level, is_within, shared_depth
from bangfu.regions.gazetteer import GazetteerIndex, RegionRecord, short_name

# Short names that are ordinary words far more often than places.
_COMMON_WORDS = frozenset(
    {
        "城区",
        "新区",
        "矿区",
        "郊区",
        "高新",
        "开发",
        "东区",
        "西区",
        "南区",
        "北区",
        "中区",
        "市中",
        "长安",
        "和平",
        "新华",
        "人民",
        "解放",
        "团结",
        "胜利",
        "友谊",
        "幸福",
        "红旗",
        "东方",
        "中心",
        "前进",
        "建设",
        "光荣",
        "民主",
        "文化",
        "白云",
        "青山",
        "永安",
        "兴华",
        "太平",
        "新村",
        "新城",
        "城关",
        "城中",
        "朝阳",
        "凤凰",
        "宝山",
        "黄山",
        "江南",
        "河西",
        "河东",
        "新兴",
        "双创",
        "示范",
        "振兴",
        "发展",
        "合作",
        "共建",
        "产业",
    }
)
_SUFFIXES_BY_LEVEL: dict[str, tuple[str, ...]] = {
    Level.PROVINCE: ("省",),
    Level.PREFECTURE: ("市", "州", "地区"),
    Level.COUNTY: ("县", "区", "市"),
    Level.TOWNSHIP: ("镇", "乡", "街道"),
    Level.VILLAGE: ("村", "社区"),
}
# Written suffix of an organisation's name → its kind (the values of pairings.OrganisationKind).
ORGANISATION_KINDS: dict[str, str] = {
    "股份有限公司": "enterprise",
    "有限责任公司": "enterprise",
    "有限公司": "enterprise",
    "公司": "enterprise",
    "集团": "enterprise",
    "银行": "enterprise",
    "职业技术学校": "school",
    "职业学校": "school",
    "技工学校": "school",
    "小学": "school",
    "中学": "school",
    "学校": "school",
    "幼儿园": "school",
    "大学": "school",
    "学院": "school",
    "人民医院": "hospital",
    "中医医院": "hospital",
    "中医院": "hospital",
    "妇幼保健院": "hospital",
    "医院": "hospital",
    "卫生院": "hospital",
    "商会": "social_organisation",
    "协会": "social_organisation",
    "基金会": "social_organisation",
    "慈善会": "social_organisation",
    "研究院": "other",
}
_ORGANISATION_SUFFIX = re.compile(
    "|".join(re.escape(s) for s in sorted(ORGANISATION_KINDS, key=len, reverse=True))
)
_MAX_REMEMBERED_CHAINS = 20_000
_NAME_CHARS = re.compile(r"[\u4e00-\u9fff]{2,14}$")
# Words that end the text before an organisation's name (的, 和, 在 …, and the verbs that
# introduce one: 组织, 帮扶, 结对 …).
_NAME_STOP = re.compile(
    r".*(?:[的和与及在到向为对由从、同跟赴]|帮扶|结对|对口|援建|支援|协作|携手|共建|联合|组织|动员|"
    r"引导|推动|促成|协调|发动|邀请|通过|其中|包括|以及|举行|召开|开展|捐赠|参加|参与|走进|来到|"
    r"前往|深入|看望|慰问|落户|入驻|引进|引入|支持)"
)
# A name ending so is a kind of organisation, not one (相关医院, 各级学校, 定点医院).
_GENERIC_HEAD = re.compile(
    r"(?:相关|有关|各类|各级|各个|定点|其他|其它|所在|当地|上述|多家|等|所|家|各)$"
)
# A village or community written after a pairing word but missing from the gazetteer.
_UNKNOWN_VILLAGE = re.compile(
    r"(?![该本全各每其个])[\u4e00-\u9fff]{2,4}?(?:村委会|村|社区)(?![民委级干集两组务庄])"
)
_GENERIC_VILLAGE = re.compile(
    r"(?:贫困|行政|自然|示范|重点|帮扶|结对|脱贫|深度贫困|相对贫困|安置|搬迁|乡|农|城中|新农|"
    r"美丽乡|建档立卡贫困|出列)(?:村委会|村|社区)$"
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    written: str
    region: RegionRecord | None  # None when the name is ambiguous or unknown
    # For an organisation: its kind (enterprise, school …) and the code of the place its name
    # begins with (凤山县第二中学 → 凤山县), where it probably is.
    organisation: str | None = None
    located: str | None = None

    @property
    def code(self) -> str | None:
        return self.region.code if self.region else None

    @property
    def name(self) -> str:
        return self.region.name if self.region else self.written

    @property
    def full_name(self) -> str:
        """深圳市龙华区, 汕尾市城区: the name with its prefecture (not the province)."""
        return self.region.full_name if self.region else self.written


def written_forms(index: GazetteerIndex) -> set[str]:
    forms: set[str] = set()
    for record in index.records.values():
        if len(record.name) >= 2:
            forms.add(record.name)
        short = short_name(record.name)
        if not short or len(short) < 2:
            continue
        upper = record.level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
        if upper and short not in _COMMON_WORDS:
            forms.add(short)
        for suffix in _SUFFIXES_BY_LEVEL.get(record.level, ()):
            forms.add(short + suffix)
    return forms


class PlaceFinder:
    """Finds region mentions, longest written form first; build once per gazetteer index.

    Forms are grouped by their first two characters. A scan first finds, with one compiled
    character-class pattern, the positions whose character may begin a name and whose next
    character may continue one (about one position in five of Chinese text), and looks the
    bigram up only there (building a single regular expression of 10,000 names takes seconds).
    Resolved chains are remembered per finder, since reports repeat the same few hundred names.
    """

    def __init__(self, index: GazetteerIndex) -> None:
        self.index = index
        by_prefix: dict[str, list[str]] = {}
        for form in written_forms(index):
            by_prefix.setdefault(form[:2], []).append(form)
        self.by_prefix = {k: sorted(v, key=len, reverse=True) for k, v in by_prefix.items()}
        firsts = "".join(sorted({re.escape(k[0]) for k in self.by_prefix}))
        seconds = "".join(sorted({re.escape(k[1]) for k in self.by_prefix}))
        self._candidates = re.compile(f"[{firsts}](?=[{seconds}])") if firsts else None
        self._chains: dict[tuple[str, ...], tuple[str, RegionRecord | None, str | None]] = {}

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        if self._candidates is None:
            return found
        by_prefix = self.by_prefix
        position = 0
        for candidate in self._candidates.finditer(text):
            at = candidate.start()
            if at < position:
                continue
            forms = by_prefix.get(text[at : at + 2])
            if forms is None:
                continue
            for form in forms:
                if text.startswith(form, at):
                    found.append((at, at + len(form)))
                    position = at + len(form)
                    break
        return found

    def mentions(self, text: str) -> list[Mention]:
        chains: list[list[tuple[int, int]]] = []
        for span in self.spans(text):
            if chains and chains[-1][-1][1] == span[0]:
                chains[-1].append(span)
            else:
                chains.append([span])
        found = [self._resolve_chain(text, chain) for chain in chains]
        return self._settle_ambiguous(found)

    def _settle_ambiguous(self, found: list[Mention]) -> list[Mention]:
        """An ambiguous name (凤凰街道) is read as the one near places the report names."""
        known = sorted({m.region.code for m in found if m.region is not None})
        if not known:
            return found
        settled = []
        for mention in found:
            if mention.region is None:
                answer = self.index.resolve(mention.written)
                best = _nearest(answer.matches, known)
                if best is not None:
                    mention = Mention(mention.start, mention.end, mention.written, best)
            settled.append(mention)
        return settled

    def _resolve_chain(self, text: str, chain: list[tuple[int, int]]) -> Mention:
        key = tuple(text[a:b] for a, b in chain)
        known = self._chains.get(key)
        if known is None:
            if len(self._chains) >= _MAX_REMEMBERED_CHAINS:
                self._chains.clear()
            known = self._chains[key] = self._resolve_parts(key)
        return Mention(chain[0][0], chain[-1][1], known[0], known[1], None, known[2])

    def _resolve_parts(self, parts: tuple[str, ...]) -> tuple[str, RegionRecord | None, str | None]:
        """(written name, region, code of the place it is written in) of a chain of adjacent
        names. A last part that is not inside the places written before it (凤山县大坡村 when
        the only 大坡村 known is in another province) is a place the gazetteer does not know,
        located in them."""
        whole = "".join(parts)
        answer = self.index.resolve(whole)
        if answer.region is not None:
            return whole, answer.region, None
        # The last part is the most specific; earlier parts are the place to look in.
        context = None
        for part in parts[:-1]:
            head = self.index.resolve(part, context=context)
            if head.region is not None:
                context = head.region.code
        region = self.index.resolve(parts[-1], context=context).region
        if region is not None and context is not None and not is_within(region.code, context):
            return parts[-1], None, context
        return parts[-1], region, None


def _nearest(matches: tuple[RegionRecord, ...], known: list[str]) -> RegionRecord | None:
    if len(matches) < 2:
        return None
    scores = {m.code: max(shared_depth(m.code, k) for k in known) for m in matches}
    best = max(scores.values())
    winners = [m for m in matches if scores[m.code] == best]
    return winners[0] if len(winners) == 1 and best > 0 else None


def organisation_mentions(text: str, places: Sequence[Mention] = ()) -> list[Mention]:
    """Organisations named by suffix (公司, 中学, 医院…), each a Mention without a region.

    The name runs back from the suffix over Chinese characters to the last word that cannot be
    part of it (的, 与, 帮扶 …); when a place is named inside that stretch, the name begins with
    the place (今年以来龙华区实验学校 → 龙华区实验学校), which is also where the organisation
    probably is.
    """
    found: list[Mention] = []
    floor = 0
    place_starts = [m.start for m in places]
    for suffix in _ORGANISATION_SUFFIX.finditer(text):
        at = suffix.start()
        if at < floor:
            continue
        head = _NAME_CHARS.search(text, max(0, at - 14, floor), at)
        if head is None:
            continue
        start = head.start()
        stop = _NAME_STOP.match(text, start, at)
        if stop:
            start = stop.end()
        first = bisect.bisect_left(place_starts, start)
        inside = [m for m in places[first:] if m.start < at]
        if inside and inside[0].start > start:
            start = inside[0].start
        if at - start < 2 or _GENERIC_HEAD.search(text, start, at):
            continue
        located = next((m.code for m in reversed(inside) if m.end <= at and m.code), None)
        kind = ORGANISATION_KINDS[suffix.group()]
        found.append(Mention(start, suffix.end(), text[start : suffix.end()], None, kind, located))
        floor = suffix.end()
    return found


def organisations(text: str) -> list[tuple[int, int, str]]:
    """Organisations named by suffix (公司, 学校, 医院…): (start, end, name)."""
    return [(m.start, m.end, m.written) for m in organisation_mentions(text)]


def unknown_villages(text: str, starts: Sequence[int], known: Sequence[Mention]) -> list[Mention]:
    """Villages or communities written at `starts` (right after a pairing word) that the
    gazetteer does not know, located at the place written just before them if any."""
    ends = {m.end: m for m in known if m.region is not None}
    taken = {m.start for m in known}
    found = []
    for at in starts:
        if at in taken:
            continue
        match = _UNKNOWN_VILLAGE.match(text, at)
        if match is None or _GENERIC_VILLAGE.search(match.group()):
            continue
        before = ends.get(at)
        if before is None:
            found.append(Mention(at, match.end(), match.group(), None))
        else:  # 凤山县金牙村: one party, located in the place
            written = text[before.start : match.end()]
            found.append(Mention(before.start, match.end(), written, None, None, before.code))
    return found
