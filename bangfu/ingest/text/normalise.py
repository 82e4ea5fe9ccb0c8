"""Normalise a report's text for extraction while keeping a map back to the original.

Steps: traditional → simplified (OpenCC), full-width → half-width ASCII, image names and URLs
masked (so their digits are never read as figures), inline pinyin annotations such as 區(qū)
dropped, and horizontal whitespace inside CJK text dropped (reports pasted from PDFs or
newspapers break "4551人 次" and "家門 口" where the line wrapped). Every character of the
normalised text keeps the index of the original character it came from (a compact map of the
deletion points), so spans found in the normalised text are reported against the text the user
gave us.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

MASK = "#"

# Full-width ASCII (！ to ～) and the ideographic space map one-to-one onto ASCII.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# A parenthesised pinyin syllable (with at least one tone mark) right after a CJK character. The
# pattern begins with the bracket (the CJK character is checked behind it), so the regex engine
# can skip to each bracket instead of trying every position.
_PINYIN = re.compile(
    r"\((?<=[\u4e00-\u9fff]\()(?=[a-zü" + _TONE_VOWELS + r"]*[" + _TONE_VOWELS + r"])"
    r"[a-zü" + _TONE_VOWELS + r"]{1,7}\)"
)
# Things made of digits that are never figures: URLs, file names, image sizes. Every alternative
# begins with an ASCII letter, digit or one of _-. (or a digit of another script), which the
# leading look-ahead tests cheaply before the alternatives are tried.
_MASKED = re.compile(
    r"(?=[A-Za-z0-9_.\-]|\d)(?:"
    r"https?://[^\s\u4e00-\u9fff，。、；]+"
    r"|www\.[A-Za-z0-9.\-/_%?=&]+"
    # A run of name characters (from its start only, so no run is scanned twice) ending in
    # a file extension.
    r"|(?<![A-Za-z0-9_\-.])[A-Za-z0-9_\-.]+\."
    r"(?i:jpe?g|png|gif|bmp|webp|svg|pdf|docx?|xlsx?|html?|mp4)\b"
    r"|(?<![0-9])\d{2,5}[x×*]\d{2,5}\b"
    r")"
)
_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


@functools.cache
def _t2s() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("t2s")
    return converter.convert


# Ideographs OpenCC's t2s tables can change: the CJK unified blocks (with extension A) and the
# compatibility ideographs.
_IDEOGRAPH_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@functools.cache
def traditional_characters() -> re.Pattern[str]:
    """A pattern of the characters t2s converts on their own (found with one OpenCC call over
    every ideograph, a few milliseconds): a text without any of them is already simplified."""
    ideographs = [chr(c) for a, b in _IDEOGRAPH_RANGES for c in range(a, b)]
    converted = _t2s()("\n".join(ideographs)).split("\n")
    if len(converted) != len(ideographs):  # pragma: no cover - a line-changing table
        return re.compile(".", re.S)
    changed = "".join(c for c, t in zip(ideographs, converted, strict=True) if t != c)
    return re.compile(f"[{changed}]")


def to_simplified(text: str) -> str:
    """OpenCC t2s, guaranteed to keep the length (phrase conversions that change it fall back
    to character-by-character conversion for that line). Text with no traditional character
    is returned as it is, without the conversion's cost."""
    if not traditional_characters().search(text):
        return text
    convert = _t2s()
    whole = convert(text)
    if len(whole) == len(text):
        return whole
    lines = text.split("\n")
    out = []
    for line in lines:
        converted = convert(line)
        if len(converted) != len(line):
            converted = "".join(c if len(c := convert(ch)) == 1 else ch for ch in line)
        out.append(converted)
    return "\n".join(out)


@dataclass(frozen=True)
class Normalised:
    """The normalised text and its map back to the original.

    Normalisation only deletes characters (everything else maps one to one), so the map is
    kept as the deletion points: `cuts[k]` is a position in `text` from which on every
    character comes `shifts[k]` characters later in `original` (bisect, not a per-character
    table).
    """

    original: str
    text: str
    cuts: tuple[int, ...] = ()
    shifts: tuple[int, ...] = ()

    def origin_of(self, position: int) -> int:
        """The index in `original` of text[position]."""
        at = bisect.bisect_right(self.cuts, position)
        return position + (self.shifts[at - 1] if at else 0)

    @property
    def origin(self) -> tuple[int, ...]:
        """origin[i]: index in `original` of text[i] (built on demand; for tests and debugging)."""
        return tuple(self.origin_of(i) for i in range(len(self.text)))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that text[start:end] came from."""
        if start >= end:
            position = self.origin_of(start) if start < len(self.text) else len(self.original)
            return position, position
        return self.origin_of(start), self.origin_of(end - 1) + 1

    def original_text(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]


def _deletions(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _PINYIN.finditer(text)]
    for match in _SPACE_RUN.finditer(text):
        a, b = match.span()
        before = text[a - 1] if a > 0 else ""
        after = text[b] if b < len(text) else ""
        # Keep a space between two ASCII words or numbers ("2020-12-21 08:02"); drop it
        # anywhere Chinese text was broken.
        if before and after and _ASCII_WORD.match(before) and _ASCII_WORD.match(after):
            continue
        if not before or not after:
            continue
        spans.append((a, b))
    spans.sort()
    return spans


def _mask(match: re.Match[str]) -> str:
    return MASK * (match.end() - match.start())


def normalise(original: str) -> Normalised:
    # \r becomes a space (dropped below) so that indices stay one-to-one until deletions.
    text = to_simplified(original.replace("\r", " "))
    if _HAS_FULLWIDTH.search(text):
        text = text.translate(_FULLWIDTH)  # one pass in C, only when there is something to fold
    text = _MASKED.sub(_mask, text)
    pieces: list[str] = []
    cuts: list[int] = []
    shifts: list[int] = []
    position = removed = 0
    for a, b in _deletions(text):
        if a < position:
            a = position
        if a >= b:
            continue
        pieces.append(text[position:a])
        removed += b - a
        cuts.append(b - removed)  # where text[b] lands in the normalised text
        shifts.append(removed)
        position = b
    if not cuts:
        return Normalised(original=original, text=text)
    pieces.append(text[position:])
    return Normalised(
        original=original, text="".join(pieces), cuts=tuple(cuts), shifts=tuple(shifts)
    )
