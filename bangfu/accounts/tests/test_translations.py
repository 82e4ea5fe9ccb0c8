"""The Chinese catalogue is complete and compiled (the .mo is committed, not built at setup)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "bangfu" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries() -> Iterator[tuple[list[str], str, list[str]]]:
    """(flags, msgid, [msgstr...]) for each entry of the .po, obsolete ones left out."""
    text = PO.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        flags = [line for line in lines if line.startswith("#,")]
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        msgstrs = [v for k, v in fields.items() if k.startswith("msgstr")]
        yield flags, fields["msgid"], msgstrs


def test_the_catalogue_exists_and_is_compiled():
    assert PO.exists()
    assert MO.exists()
    assert MO.stat().st_size > 10_000


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = list(_entries())
    assert len(entries) > 300
    untranslated = [msgid for _, msgid, msgstrs in entries if msgid and not all(msgstrs)]
    fuzzy = [msgid or "(header)" for flags, msgid, _ in entries if any("fuzzy" in f for f in flags)]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Sign in", "登录"),
        ("Sign out", "退出登录"),
        ("pairing", "结对关系"),
        ("donor side", "帮扶方"),
        ("recipient side", "受援方"),
        ("agreement", "协议"),
        ("joint meeting (联席会议)", "联席会议"),
        ("audit event", "操作日志"),
        ("region", "行政区划"),
        ("organisation", "单位"),
    ],
)
def test_zh_hans_translates_known_strings(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_plural_lock_message_is_translated():
    with translation.override("zh-hans"):
        text = translation.ngettext(
            "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
            "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
            3,
        ) % {"minutes": 3}
    assert text == "登录失败次数过多，请 3 分钟后再试。"
