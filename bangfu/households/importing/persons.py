"""The person table in the main process: references to households, duplicates across the
file and against the registry, then the write. The row-level work (conversion, the ID against
the declared type, sex and birth date, tokens, encryption) is done by prepare._persons."""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils.translation import gettext as _

from bangfu.households.choices import Relation
from bangfu.households.importing import writer as db
from bangfu.households.models import Household, Person

if TYPE_CHECKING:
    from bangfu.households.importing.engine import Importer, Plan
    from bangfu.households.importing.prepare import Prepared


def _households(numbers: list[str]) -> dict[str, tuple[int, str]]:
    table = connection.ops.quote_name(Household._meta.db_table)
    return {
        number: (pk, village)
        for number, pk, village in db.select_in(
            f"SELECT number, id, village_id FROM {table} WHERE number IN ({{}})",  # noqa: S608
            sorted(set(numbers)),
        )
    }


def _all_clear(
    importer: Importer, batch: Prepared, households: dict[str, tuple[int, str]]
) -> list[int] | None:
    """The household id of each row when no row of the batch fails a check, decided with set
    operations over the whole batch (the sets of the file so far are updated); None when some
    row fails, for the row-by-row checks to name it."""
    keys = batch.keys
    prefix = importer.prefix
    if prefix is None or len(households) != len(set(keys["household"])):
        return None  # a household outside the registry, or no scope at all
    if not all(village.startswith(prefix) for _pk, village in households.values()):
        return None
    numbers, tokens = keys["number"], keys["token"]
    head_keys = list(compress(keys["household_key"], keys["head"]))
    for values, seen in (
        (numbers, importer.person_numbers),
        (tokens, importer.person_tokens),
        (head_keys, importer.heads),
    ):
        if len(set(values)) != len(values) or not seen.isdisjoint(values):
            return None
    importer.person_numbers.update(numbers)
    importer.person_tokens.update(tokens)
    importer.heads.update(head_keys)
    return [households[number][0] for number in keys["household"]]


def persons_batch(importer: Importer, plan: Plan, numbers: list[int], batch: Prepared) -> None:
    refuse = importer.refuse
    name = plan.name
    keys = batch.keys
    household_numbers: list[str] = keys["household"]
    person_keys, tokens, heads = keys["number"], keys["token"], keys["head"]
    header_household = importer.header(plan, "household")
    header_number = importer.header(plan, "number")
    header_id = importer.header(plan, "id_number")
    header_relation = importer.header(plan, "relation")
    prefix = importer.prefix
    known_numbers = importer.household_numbers
    seen_numbers, seen_tokens, seen_heads = (
        importer.person_numbers,
        importer.person_tokens,
        importer.heads,
    )
    household_keys = keys["household_key"]
    households = _households(household_numbers)

    ids = _all_clear(importer, batch, households)
    if ids is not None and importer.was_empty["person"]:
        # Every row passed, and every person already written comes from this import: the
        # rows go in as they came, the household ids set into their first column on the way.
        importer.write_all(Person, batch, plan.counts, first=ids)
        return
    good: list[tuple[int, int]] = [] if ids is None else list(enumerate(ids))
    # Otherwise row by row: the first failed check refuses the row; a refused row claims
    # nothing, so its number, token or headship does not make a later row a duplicate.
    for i, household_number in enumerate(household_numbers if ids is None else ()):
        found = households.get(household_number)
        household_id = None
        if found is not None:
            household_id, village = found
            if prefix is None or not village.startswith(prefix):
                refuse(
                    name, numbers[i], header_household, _("This household lies outside your scope.")
                )
                continue
        elif household_keys[i] not in known_numbers:
            refuse(
                name,
                numbers[i],
                header_household,
                _("No household with this number in the file or the registry."),
            )
            continue
        # (else the household is in this import's household file, which was refused: it was
        # not written, but the row is still checked against the rest of the file.)
        if person_keys[i] in seen_numbers:
            refuse(
                name, numbers[i], header_number, _("This person number appears twice in the file.")
            )
            continue
        seen_numbers.add(person_keys[i])
        if tokens[i] in seen_tokens:
            refuse(name, numbers[i], header_id, _("This ID number appears twice in the file."))
            continue
        seen_tokens.add(tokens[i])
        if heads[i]:
            if household_keys[i] in seen_heads:
                refuse(
                    name,
                    numbers[i],
                    header_relation,
                    _("This household has two heads in the file."),
                )
                continue
            seen_heads.add(household_keys[i])
        if household_id is not None:
            good.append((i, household_id))
    if importer.error_count:
        return

    if importer.was_empty["person"]:
        # No refusal, so every row is good (a row without a household id belongs to a refused
        # household file); every person already written comes from this import.
        importer.write_all(Person, batch, plan.counts, first=[pk for _i, pk in good])
        return
    values = batch.row_tuples()
    rows = [(household_id, *values[i][1:]) for i, household_id in good]

    # Against the registry: the same person (household, ID token) is updated; a person number
    # used by someone else, or a second head, is refused.
    at = batch.columns.index
    token_at, number_at = at("id_token"), at("number")
    table = connection.ops.quote_name(Person._meta.db_table)
    existing: dict[tuple[int, str], int] = {}
    for pk, household_id, token in db.select_in(
        f"SELECT id, household_id, id_token FROM {table} WHERE id_token IN ({{}})",  # noqa: S608
        [row[token_at] for row in rows],
    ):
        existing[(household_id, token)] = pk
    owners: dict[str, tuple[int, str]] = {}
    for number, household_id, token in db.select_in(
        f"SELECT number, household_id, id_token FROM {table} WHERE number IN ({{}})",  # noqa: S608
        [row[number_at] for row in rows],
    ):
        owners[number] = (household_id, token)
    head_households = sorted({household_id for i, household_id in good if heads[i]})
    db_heads: dict[int, str] = dict(
        db.select_in(
            f"SELECT household_id, id_token FROM {table} WHERE relation = '{Relation.HEAD.value}' "  # noqa: S608
            "AND household_id IN ({})",
            head_households,
        )
    )
    new_rows: list[tuple[Any, ...]] = []
    matched: list[tuple[tuple[Any, ...], int]] = []
    for (i, household_id), row in zip(good, rows, strict=True):
        token = row[token_at]
        owner = owners.get(row[number_at])
        refused = False
        if owner is not None and owner != (household_id, token):
            refuse(
                name,
                numbers[i],
                header_number,
                _("This person number belongs to another person in the registry."),
            )
            refused = True
        if heads[i] and db_heads.get(household_id, token) != token:
            refuse(name, numbers[i], header_relation, _("This household already has a head."))
            refused = True
        if refused:
            continue
        pk = existing.get((household_id, token))
        if pk is None:
            new_rows.append(row)
        else:
            matched.append((row, pk))
    if importer.error_count:
        return
    stored = importer.stored(Person, [pk for _row, pk in matched], batch.update_columns)
    updates = [(row, stored[pk]) for row, pk in matched]
    importer.write(Person, batch, new_rows, updates, plan.counts)
