"""Extraction: one report's text in, proposed quantities and pairings out (no database writes).

`Extractor` holds what is expensive to build (the place finder over the gazetteer) and is
reused for every document; `extract_text` runs the pipeline: normalise → quantities with their
context → pairings. Spans in the result refer to the ORIGINAL text.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bangfu.ingest.text import context
from bangfu.ingest.text.normalise import Normalised, normalise
from bangfu.ingest.text.pairings import find_pairings, pairing_parties
from bangfu.ingest.text.places import PlaceFinder, organisations
from bangfu.ingest.text.quantities import find_quantities
from bangfu.regions.gazetteer import GazetteerIndex

REGION_DATA = Path(__file__).resolve().parent.parent / "regions" / "data"


@dataclass(frozen=True, slots=True)
class ExtractedQuantity:
    value: Decimal
    unit: str
    measure: str | None
    qualifier: str
    each: bool
    text: str
    start: int
    end: int
    indicator: str | None
    period: dict[str, object] | None
    is_target: bool
    parties: tuple[dict[str, object], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "value": json_number(self.value),
            "unit": self.unit,
            "measure": self.measure,
            "qualifier": self.qualifier,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "indicator": self.indicator,
            "period": self.period,
            "is_target": self.is_target,
        }

    def as_payload(self) -> dict[str, Any]:
        """What a stored proposed fact keeps (the JSON plus `each` and the parties)."""
        return {
            **self.as_json(),
            "value": str(self.value),
            "each": self.each,
            "parties": list(self.parties),
        }


@dataclass(frozen=True, slots=True)
class ExtractedPairing:
    donor: str
    recipient: str
    donor_code: str | None
    recipient_code: str | None
    text: str
    start: int
    end: int
    # An organisation party: its kind (enterprise, school …) and the region its name places it
    # in; None for a region party.
    donor_organisation: str | None = None
    recipient_organisation: str | None = None
    donor_located: str | None = None
    recipient_located: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "donor": self.donor,
            "recipient": self.recipient,
            "donor_code": self.donor_code,
            "recipient_code": self.recipient_code,
        }

    def as_payload(self) -> dict[str, Any]:
        payload = {**self.as_json(), "text": self.text, "start": self.start, "end": self.end}
        for side, kind, located in (
            ("donor", self.donor_organisation, self.donor_located),
            ("recipient", self.recipient_organisation, self.recipient_located),
        ):
            payload[f"{side}_kind"] = "organisation" if kind else "region"
            if kind:
                payload[f"{side}_organisation_kind"] = kind
                if located and not payload.get(f"{side}_code"):
                    payload[f"{side}_code"] = located  # where to look for it or create it
            elif located and not payload.get(f"{side}_code"):
                payload[f"{side}_located"] = located  # a place the gazetteer does not know
        return payload


@dataclass
class Extraction:
    normalised: Normalised
    report_date: dt.date | None
    quantities: list[ExtractedQuantity] = field(default_factory=list)
    pairings: list[ExtractedPairing] = field(default_factory=list)


def json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class Extractor:
    def __init__(self, index: GazetteerIndex) -> None:
        self.places = PlaceFinder(index)

    def extract_text(self, original: str, *, with_parties: bool = True) -> Extraction:
        """Everything the text states; `with_parties=False` skips the subject parties of each
        quantity (the command's JSON does not show them; stored facts keep them)."""
        norm = normalise(original)
        text = norm.text
        reported = context.report_date(text)
        mentions = self.places.mentions(text)
        orgs = organisations(text) if with_parties else []
        around = context.Context(text, reported)
        result = Extraction(normalised=norm, report_date=reported)
        append = result.quantities.append
        for quantity in find_quantities(text):
            start, end = norm.original_span(quantity.start, quantity.end)
            parties = around.parties(quantity.start, mentions, orgs) if with_parties else ()
            append(
                ExtractedQuantity(
                    value=quantity.value,
                    unit=quantity.unit,
                    measure=quantity.measure,
                    qualifier=quantity.qualifier,
                    each=quantity.each,
                    text=original[start:end],
                    start=start,
                    end=end,
                    indicator=around.indicator(quantity.start, quantity.end, quantity.unit),
                    period=around.period(quantity.start),
                    is_target=around.is_target(quantity.start),
                    parties=tuple(
                        {"name": p.name, "region_code": p.region_code, "kind": p.kind}
                        for p in parties
                    ),
                )
            )
        for stated in find_pairings(text, pairing_parties(text, mentions, around), around):
            start, end = norm.original_span(stated.start, stated.end)
            result.pairings.append(
                ExtractedPairing(
                    donor=stated.donor.full_name,
                    recipient=stated.recipient.full_name,
                    donor_code=stated.donor.code,
                    recipient_code=stated.recipient.code,
                    text=original[start:end],
                    start=start,
                    end=end,
                    donor_organisation=stated.donor.organisation,
                    recipient_organisation=stated.recipient.organisation,
                    donor_located=stated.donor.located,
                    recipient_located=stated.recipient.located,
                )
            )
        return result


def index_from_files() -> GazetteerIndex:
    """The gazetteer built from the shipped region files (no database needed)."""
    rows: list[tuple[str, str, str]] = []
    for name in ("regions_country.csv", "regions_local.csv"):
        path = REGION_DATA / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                rows.extend((r["code"], r["name"], r["level"]) for r in csv.DictReader(handle))
    return GazetteerIndex.build(rows)


def extractor_for_rows(rows: list[tuple[str, str, str]]) -> Extractor:
    """An extractor over these regions (code, name, level), or the shipped files when empty."""
    return Extractor(GazetteerIndex.build(rows) if rows else _file_index())


def default_index() -> GazetteerIndex:
    """The database's gazetteer when its regions are loaded, else the shipped region files."""
    from django.db import DatabaseError

    from bangfu.regions import gazetteer

    try:
        index = gazetteer.get_index()
    except DatabaseError:
        return _file_index()
    return index if index.records else _file_index()


@functools.cache
def _file_index() -> GazetteerIndex:
    return index_from_files()


_extractors: dict[int, Extractor] = {}


def get_extractor(index: GazetteerIndex | None = None) -> Extractor:
    """An extractor for the index (the current gazetteer by default), built once per index."""
    index = index or default_index()
    extractor = _extractors.get(id(index))
    if extractor is None or extractor.places.index is not index:
        _extractors.clear()
        extractor = _extractors[id(index)] = Extractor(index)
    return extractor
