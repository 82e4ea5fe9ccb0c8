"""Pairings stated in a report: who assists whom.

Patterns (each a small function over one sentence and its place mentions):
- verb: X 对口帮扶 / 结对帮扶 / 扶贫协作 / 对口支援 / 帮扶 / 结对 / 援建 … Y (Y right after the
  verb; a list Y1、Y2 gives several). X is the place just before the verb in the same clause,
  else the sentence's first place before the verb, else the donor last named in the report.
- visit: X … 到/赴 Y 开展对口帮扶 (X the sentence's first place).
- with: X … 与/和 Y … 结对/携手/协作.
- dash: X-Y 粤桂协作框架协议 (X-Y followed by 协作/协议/共建/帮扶/结对).
- towards: X 向 Y 捐赠.
- unit: Y … 帮扶单位 X (the assisting unit named as such).

Parties are places and organisations (X公司与Y村结对, X中学帮扶Y中学): `pairing_parties` merges the
organisations named by suffix into the place mentions, with the villages written after a
pairing word in their sentences that the gazetteer does not know. An organisation takes part in
the verb and "with" patterns only (a company donating to a county is not a pairing).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bangfu.ingest.text.context import Breaks
from bangfu.ingest.text.places import Mention, organisation_mentions, unknown_villages
from bangfu.regions.codes import is_within

_VERBS = re.compile(
    "东西部扶贫协作|对口帮扶|结对帮扶|扶贫协作|对口支援|对口扶持|对口协作|精准扶贫|帮扶|援建|结对|对口"
)
_LIST_JOINERS = ("、", "和", "及", "与")
_GAP_BEFORE_VERB = re.compile(r"[^,;:()、]{0,14}")
_UNIT_WORDS = re.compile(r"帮扶单位|帮扶方|帮扶责任单位|结对单位")
_WITH_TAIL = re.compile(r"[^,;:]{0,18}?(结对|携手|协作|共建)")
_ORGANISATION_WITH_TAIL = re.compile(r"[^,;:。]{0,12}?(结对|结成|携手|建立帮扶|签订帮扶|开展帮扶)")
_DASH_TAIL = re.compile(r"[^,;:]{0,10}?(协作|协议|共建|帮扶|结对)")
_LIST_PUNCTUATION = re.compile(r"[,;:、]")
_VISIT_TAIL = re.compile(r"[^,;:]{0,6}?开展(对口帮扶|扶贫协作|对口支援|结对帮扶|帮扶)")


Found = list[tuple[Mention | None, Mention, int, int]]


@dataclass(frozen=True)
class StatedPairing:
    donor: Mention
    recipient: Mention
    start: int  # span of the sentence part that states it (normalised text)
    end: int


@dataclass
class _Sentence:
    text: str
    start: int
    end: int
    mentions: list[Mention]


def _recipients_after(sentence: _Sentence, position: int) -> list[Mention]:
    """Places starting right at `position`, and the ones listed after them (Y1、Y2和Y3);
    a listed place followed by a verb starts a new statement (A结对B、C结对D)."""
    found: list[Mention] = []
    for mention in sentence.mentions:
        if mention.start < position:
            continue
        if mention.start == position:
            found.append(mention)
            position = mention.end
            continue
        gap = sentence.text[position - sentence.start : mention.start - sentence.start]
        follows_verb = _VERBS.match(sentence.text, mention.end - sentence.start) is not None
        if found and gap in _LIST_JOINERS and not follows_verb:
            found.append(mention)
            position = mention.end
            continue
        break
    return found


def _donor_before(sentence: _Sentence, position: int, taken: set[str]) -> Mention | None:
    """The place that does the assisting: just before the verb in its clause, else the first
    place of the sentence; places already named as recipients in the sentence are skipped."""
    before = [m for m in sentence.mentions if m.end <= position and _key(m) not in taken]
    if not before:
        return None
    nearest = before[-1]
    gap = sentence.text[nearest.end - sentence.start : position - sentence.start]
    if _GAP_BEFORE_VERB.fullmatch(gap) and not gap.startswith(("对", "为", "向", "和", "与", "及")):
        return nearest
    return before[0]


def _by_verb(sentence: _Sentence) -> Found:
    found: Found = []
    taken: set[str] = set()
    for verb in _VERBS.finditer(sentence.text):
        verb_start = sentence.start + verb.start()
        verb_end = sentence.start + verb.end()
        if sentence.text[max(0, verb.start() - 1) : verb.start()] in ("受", "被"):
            continue
        recipients = _recipients_after(sentence, verb_end)
        if not recipients:
            continue
        donor = _donor_before(sentence, verb_start, taken)
        for recipient in recipients:
            taken.add(_key(recipient))
            found.append((donor, recipient, donor.start if donor else verb_start, recipient.end))
    return found


def _by_visit(sentence: _Sentence) -> Found:
    found: Found = []
    for index, mention in enumerate(sentence.mentions):
        local = mention.start - sentence.start
        if not index or local == 0 or sentence.text[local - 1] not in "到赴":
            continue
        if _VISIT_TAIL.match(sentence.text, mention.end - sentence.start):
            donor = sentence.mentions[0]
            found.append((donor, mention, donor.start, mention.end))
    return found


def _by_pair_words(sentence: _Sentence) -> Found:
    found: Found = []
    text, offset = sentence.text, sentence.start
    for left, right in itertools.pairwise(sentence.mentions):
        gap = text[left.end - offset : right.start - offset]
        after = right.end - offset
        places = left.organisation is None and right.organisation is None
        dash = places and gap in ("-", "—", "–", "——") and _DASH_TAIL.match(text, after)
        towards = (
            places and gap == "向" and text.startswith(("捐赠", "捐款", "捐资", "援建"), after)
        )
        if places:
            together = (
                len(gap) <= 16
                and gap[-1:] in ("与", "和", "同")
                and not _LIST_PUNCTUATION.search(gap)
                and _WITH_TAIL.match(text, after)
            )
        else:  # an organisation: joined right to the other party, and paired in so many words
            together = gap in ("与", "和", "同") and _ORGANISATION_WITH_TAIL.match(text, after)
        if dash or towards or together:
            found.append((left, right, left.start, right.end))
    return found


def _by_unit(sentence: _Sentence) -> Found:
    found: Found = []
    for unit in _UNIT_WORDS.finditer(sentence.text):
        at = sentence.start + unit.end()
        donors = [m for m in sentence.mentions if m.start == at]
        if not donors:
            continue
        others = [m for m in sentence.mentions if m.end <= sentence.start + unit.start()]
        others = [m for m in others if m.name != donors[0].name]
        if others:
            found.append((donors[0], others[-1], others[-1].start, donors[0].end))
    return found


PATTERNS: tuple[Callable[[_Sentence], Found], ...] = (
    _by_verb,
    _by_visit,
    _by_pair_words,
    _by_unit,
)


# Where the other party of an organisation's pairing begins: after a pairing verb or 与/和/同.
_PARTY_START = re.compile(_VERBS.pattern + "|与|和|同")


def pairing_parties(text: str, places: Sequence[Mention], breaks: Breaks) -> list[Mention]:
    """The places and organisations of `text`, in reading order: places written inside an
    organisation's name (凤山县 in 凤山县第二中学) give way to it, and in the sentences naming an
    organisation, villages the gazetteer does not know are added where a party may begin."""
    organisations = organisation_mentions(text, places)
    if not organisations:
        return list(places)
    org_starts = [o.start for o in organisations]  # in order, not overlapping

    def inside_organisation(mention: Mention) -> bool:
        at = bisect.bisect_right(org_starts, mention.start) - 1
        return at >= 0 and mention.end <= organisations[at].end

    kept = [m for m in places if not inside_organisation(m)]
    starts: list[int] = []
    for sentence_start, sentence_end in sorted(
        {breaks.sentence_span(o.start) for o in organisations}
    ):
        starts.extend(m.end() for m in _PARTY_START.finditer(text, sentence_start, sentence_end))
    # 与凤山县金牙村: the village may follow the place that locates it.
    opening = set(starts)
    starts.extend(m.end for m in kept if m.start in opening and m.region is not None)
    known = sorted([*kept, *organisations], key=lambda m: m.start)
    villages = [
        v
        for v in unknown_villages(text, starts, known)
        if not any(m.start < v.end and v.start < m.end and m.start != v.start for m in known)
    ]
    if not villages:
        return known
    known = [m for m in known if not any(v.start <= m.start < v.end for v in villages)]
    return sorted([*known, *villages], key=lambda m: m.start)


def find_pairings(
    text: str, mentions: Sequence[Mention], breaks: Breaks | None = None
) -> list[StatedPairing]:
    """Pairings stated in `text` (normalised), one per donor–recipient, in reading order.
    `breaks` (the text's sentence breaks, when the caller has them) spares finding them again."""
    sentences: list[_Sentence] = []
    if mentions:
        breaks = breaks if breaks is not None and breaks.text is text else Breaks(text)
        # Only sentences that name a place can state a pairing: go from place to sentence.
        current: _Sentence | None = None
        for mention in sorted(mentions, key=lambda m: m.start):
            if current is not None and mention.start < current.end:
                current.mentions.append(mention)
                continue
            start, end = breaks.sentence_span(mention.start)
            current = _Sentence(text[start:end], start, end, [mention])
            sentences.append(current)
    explicit: list[StatedPairing] = []
    implicit: list[tuple[Mention, int, int]] = []
    for sentence in sentences:
        for pattern in PATTERNS:
            for donor, recipient, start, end in pattern(sentence):
                if donor is None:
                    implicit.append((recipient, start, end))
                else:
                    explicit.append(StatedPairing(donor, recipient, start, end))
    # A statement without its donor ("帮扶田林:" as a heading) means the report's main donor:
    # the one most often named as such.
    if implicit and explicit:
        counts = Counter(_key(p.donor) for p in explicit)
        main = max(explicit, key=lambda p: counts[_key(p.donor)]).donor
        explicit.extend(StatedPairing(main, r, s, e) for r, s, e in implicit)
    return _distinct(explicit)


def _key(mention: Mention) -> str:
    return mention.code or mention.written


def _distinct(found: list[StatedPairing]) -> list[StatedPairing]:
    """One per donor–recipient; a place inside the donor is not a pairing. When one donor's
    recipients nest (汕尾市 / 汕尾市城区, 上察隅镇 / 毕达村) the level pairings are usually made
    at wins (county, then township, then village); when donors nest for one recipient (深圳 /
    光明区) the more specific donor wins."""
    seen: set[tuple[str, str]] = set()
    kept: list[StatedPairing] = []
    for pairing in sorted(found, key=lambda p: p.start):
        key = (_key(pairing.donor), _key(pairing.recipient))
        if key[0] == key[1] or key in seen or (key[1], key[0]) in seen:
            continue
        inside_donor = bool(
            pairing.donor.code
            and pairing.recipient.code
            and is_within(pairing.recipient.code, pairing.donor.code)
        )
        if inside_donor:
            continue
        seen.add(key)
        kept.append(pairing)
    return [p for p in kept if not _subsumed(p, kept)]


# Levels at which pairings are made, most usual first.
_LEVEL_RANK = {"county": 0, "township": 1, "village": 2, "prefecture": 3, "province": 4}


def _rank(mention: Mention) -> int:
    return _LEVEL_RANK.get(mention.region.level, 5) if mention.region else 5


def _subsumed(pairing: StatedPairing, kept: list[StatedPairing]) -> bool:
    donor, recipient = pairing.donor.code, pairing.recipient.code
    if donor is None or recipient is None:
        return False
    for other in kept:
        if other is pairing or other.donor.code is None or other.recipient.code is None:
            continue
        if other.donor.code == donor and other.recipient.code != recipient:
            nested = is_within(recipient, other.recipient.code) or is_within(
                other.recipient.code, recipient
            )
            if nested and _rank(other.recipient) < _rank(pairing.recipient):
                return True
        if (
            other.recipient.code == recipient
            and other.donor.code != donor
            and is_within(other.donor.code, donor)
        ):
            return True
    return False
