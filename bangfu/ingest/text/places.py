"""Find place names in text: every way the gazetteer's regions are written.

The gazetteer resolves a name; this module finds where names are. From a `GazetteerIndex` it
collects the written forms (凤山县, 凤山, 军船头村, 下察隅镇, 深圳) and scans for them, longest
first. Adjacent names form a chain
(深圳市龙华区, 西藏林芝市察隅县) that is resolved as one name, the most specific part winning.
Organisations are found by their suffix (公司, 学校, 医院, 街道…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bangfu.regions.codes import Level, shared_depth
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
_ORGANISATION_SUFFIX = re.compile(
    r"股份有限公司|有限公司|公司|集团|小学|中学|学校|幼儿园|医院|卫生院|商会|协会|基金会|慈善会|"
    r"银行|研究院|大学"
)
_MAX_REMEMBERED_CHAINS = 20_000
_NAME_CHARS = re.compile(r"[\u4e00-\u9fff]{2,14}$")
# Words that end the text before an organisation's name (的, 和, 在 …).
_NAME_STOP = re.compile(r".*[的和与及在到向为对由从、]")


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    written: str
    region: RegionRecord | None  # None when the name is ambiguous or unknown

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
        self._chains: dict[tuple[str, ...], tuple[str, RegionRecord | None]] = {}

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
        return Mention(chain[0][0], chain[-1][1], known[0], known[1])

    def _resolve_parts(self, parts: tuple[str, ...]) -> tuple[str, RegionRecord | None]:
        """(written name, region) of a chain of adjacent names."""
        whole = "".join(parts)
        answer = self.index.resolve(whole)
        if answer.region is not None:
            return whole, answer.region
        # The last part is the most specific; earlier parts are the place to look in.
        context = None
        for part in parts[:-1]:
            head = self.index.resolve(part, context=context)
            if head.region is not None:
                context = head.region.code
        return parts[-1], self.index.resolve(parts[-1], context=context).region


def _nearest(matches: tuple[RegionRecord, ...], known: list[str]) -> RegionRecord | None:
    if len(matches) < 2:
        return None
    scores = {m.code: max(shared_depth(m.code, k) for k in known) for m in matches}
    best = max(scores.values())
    winners = [m for m in matches if scores[m.code] == best]
    return winners[0] if len(winners) == 1 and best > 0 else None


def organisations(text: str) -> list[tuple[int, int, str]]:
    """Organisations named by suffix (公司, 学校, 医院…): (start, end, name)."""
    found = []
    for suffix in _ORGANISATION_SUFFIX.finditer(text):
        head = _NAME_CHARS.search(text, max(0, suffix.start() - 14), suffix.start())
        if head is None:
            continue
        name = head.group()
        stop = _NAME_STOP.match(name)
        if stop:
            name = name[stop.end() :]
        if len(name) < 2:
            continue
        found.append((suffix.start() - len(name), suffix.end(), name + suffix.group()))
    return found
