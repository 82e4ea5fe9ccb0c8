"""Normalise a report's text for extraction while keeping a map back to the original.

Steps: traditional → simplified (OpenCC), full-width → half-width ASCII, image names and URLs
masked (so their digits are never read as figures), inline pinyin annotations such as 區(qū)
dropped, and horizontal whitespace inside CJK text dropped (reports pasted from PDFs or
newspapers break "4551人 次" and "家門 口" where the line wrapped). Every character of the
normalised text remembers the index of the original character it came from, so spans found in
the normalised text are reported against the text the user gave us.
"""

from __future__ import annotations

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
# A parenthesised pinyin syllable (with at least one tone mark) right after a CJK character.
_PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-zü" + _TONE_VOWELS + r"]*[" + _TONE_VOWELS + r"])"
    r"[a-zü" + _TONE_VOWELS + r"]{1,7}\)"
)
# Things made of digits that are never figures: URLs, file names, image sizes.
_MASKED = re.compile(
    r"https?://[^\s\u4e00-\u9fff，。、；]+"
    r"|www\.[A-Za-z0-9.\-/_%?=&]+"
    # A run of name characters (from its start only, so no run is scanned twice) ending in
    # a file extension.
    r"|(?<![A-Za-z0-9_\-.])[A-Za-z0-9_\-.]+\."
    r"(?i:jpe?g|png|gif|bmp|webp|svg|pdf|docx?|xlsx?|html?|mp4)\b"
    r"|(?<![0-9])\d{2,5}[x×*]\d{2,5}\b"
)
_SPACE_RUN = re.compile(r"[ \t\u00a0]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


@functools.cache
def _t2s() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("t2s")
    return converter.convert


def to_simplified(text: str) -> str:
    """OpenCC t2s, guaranteed to keep the length (phrase conversions that change it fall back
    to character-by-character conversion for that line)."""
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
    original: str
    text: str
    origin: tuple[int, ...]  # origin[i]: index in `original` of text[i]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that text[start:end] came from."""
        if start >= end:
            position = self.origin[start] if start < len(self.origin) else len(self.original)
            return position, position
        return self.origin[start], self.origin[end - 1] + 1

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


def normalise(original: str) -> Normalised:
    # \r becomes a space (dropped below) so that indices stay one-to-one until deletions.
    text = to_simplified(original.replace("\r", " "))
    if _HAS_FULLWIDTH.search(text):
        text = text.translate(_FULLWIDTH)
    text = _MASKED.sub(lambda m: MASK * (m.end() - m.start()), text)
    pieces: list[str] = []
    origin: list[int] = []
    position = 0
    for a, b in _deletions(text):
        if a < position:
            a = position
        if a >= b:
            continue
        pieces.append(text[position:a])
        origin.extend(range(position, a))
        position = b
    pieces.append(text[position:])
    origin.extend(range(position, len(text)))
    return Normalised(original=original, text="".join(pieces), origin=tuple(origin))
