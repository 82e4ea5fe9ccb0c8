"""The person table: identity checks against the ID, references to households, ID tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from bangfu.households.choices import IdType, Relation
from bangfu.households.idcards import declared_mismatches
from bangfu.households.importing import columns as cols
from bangfu.households.importing.mapping import Spec
from bangfu.households.models import Household, Person

if TYPE_CHECKING:
    from bangfu.households.importing.engine import Counts, Importer

# Fields written from the file's own columns (the rest come from the ID or the references).
DERIVED = {"household", "id_number", "id_type", "sex", "birth_date"}
PII = frozenset({"name", "id_number", "phone", "bank_account"})


def _households(importer: Importer, numbers: list[str]) -> dict[str, tuple[int, str]]:
    from bangfu.households.importing.engine import _chunks

    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(set(numbers))):
        for pk, number, village in Household.objects.filter(number__in=chunk).values_list(
            "id", "number", "village_id"
        ):
            found[number] = (pk, village)
    return found


def prepare_persons(
    importer: Importer,
    name: str,
    numbers: list[int],
    data: dict[str, list[Any]],
    bad: set[int],
    specs: list[Spec],
    counts: Counts,
) -> None:
    from bangfu.households.importing.engine import _chunks, _defaults

    header = {s.key: s.header for s in specs}
    refuse = importer.refuse
    size = len(numbers)

    # References: every person's household exists (in this import or the registry), in scope.
    households = _households(importer, [n for n in data["household"] if n])
    household_ids: list[int | None] = [None] * size
    for i, number in enumerate(data["household"]):
        if i in bad or number is None:
            continue
        found = households.get(number)
        if found is None and number in importer.household_numbers:
            continue  # in this import's household file, which was refused: no second error
        if found is None:
            refuse(
                name,
                numbers[i],
                header["household"],
                _("No household with this number in the file or the registry."),
            )
            bad.add(i)
        elif importer.prefix is None or not found[1].startswith(importer.prefix):
            refuse(
                name, numbers[i], header["household"], _("This household lies outside your scope.")
            )
            bad.add(i)
        else:
            household_ids[i] = found[0]

    # Identity: the declared type, sex and birth date agree with the ID.
    parsed = data["id_number"]
    declared_type = data.get("id_type", [None] * size)
    declared_sex = data.get("sex", [None] * size)
    declared_birth = data.get("birth_date", [None] * size)
    sexes: list[Any] = [None] * size
    births: list[Any] = [None] * size
    for i in range(size):
        identity = parsed[i]
        if identity is None:
            continue
        if declared_type[i] and declared_type[i] != identity.id_type:
            refuse(
                name,
                numbers[i],
                header["id_type"],
                _("The ID type is “%(declared)s” but the number has the form of “%(found)s”.")
                % {"declared": IdType(declared_type[i]).label, "found": identity.id_type.label},
            )
            bad.add(i)
        if declared_sex[i] or declared_birth[i]:
            for field_name, reason in declared_mismatches(
                identity, sex=declared_sex[i], birth_date=declared_birth[i]
            ).items():
                refuse(name, numbers[i], header[field_name], reason)
                bad.add(i)
        sexes[i] = declared_sex[i] or identity.sex
        births[i] = declared_birth[i] or identity.birth_date
        if not sexes[i] or births[i] is None:
            refuse(
                name,
                numbers[i],
                header["id_number"],
                _("The sex and birth date are required for a person without an ID number."),
            )
            bad.add(i)

    # Duplicates within the file: person numbers, ID tokens (128 bits kept), heads.
    valid = [i for i in range(size) if parsed[i] is not None]
    tokens: list[str | None] = [None] * size
    for i, token in zip(valid, cols.id_tokens([parsed[i].canonical for i in valid]), strict=True):
        tokens[i] = token
    importer._unique_in_file(
        name,
        numbers,
        [n if i not in bad else None for i, n in enumerate(data["number"])],
        importer.person_numbers,
        bad,
        header["number"],
        _("This person number appears twice in the file."),
    )
    importer._unique_in_file(
        name,
        numbers,
        [int(t[:32], 16) if t and i not in bad else None for i, t in enumerate(tokens)],
        importer.person_tokens,
        bad,
        header["id_number"],
        _("This ID number appears twice in the file."),
    )
    heads = [
        data["household"][i] if data["relation"][i] == Relation.HEAD and i not in bad else None
        for i in range(size)
    ]
    importer._unique_in_file(
        name,
        numbers,
        heads,
        importer.heads,
        bad,
        header["relation"],
        _("This household has two heads in the file."),
    )

    good = [i for i in range(size) if i not in bad]
    keys: list[tuple[Any, Any]] = [(household_ids[i], tokens[i]) for i in good]
    existing: dict[tuple[Any, Any], dict[str, Any]] = {}
    present = [s.key for s in specs if s.key not in DERIVED] + [
        "id_number",
        "id_type",
        "sex",
        "birth_date",
    ]
    for chunk in _chunks([token for _household, token in keys]):
        for stored in Person.objects.filter(id_token__in=chunk).values(
            "id", "household_id", "id_token", *present
        ):
            existing[(stored["household_id"], stored["id_token"])] = stored
    # A person number already used by someone else, and a second head, are refused.
    owners: dict[str, tuple[Any, Any]] = {}
    for chunk in _chunks([data["number"][i] for i in good]):
        for number, household_id, token in Person.objects.filter(number__in=chunk).values_list(
            "number", "household_id", "id_token"
        ):
            owners[number] = (household_id, token)
    head_households = [household_ids[i] for i in good if data["relation"][i] == Relation.HEAD]
    db_heads: dict[Any, str] = {}
    for chunk in _chunks(head_households):
        db_heads.update(
            Person.objects.filter(household_id__in=chunk, relation=Relation.HEAD).values_list(
                "household_id", "id_token"
            )
        )
    for i, key in zip(good, keys, strict=True):
        owner = owners.get(data["number"][i])
        if owner is not None and owner != key:
            refuse(
                name,
                numbers[i],
                header["number"],
                _("This person number belongs to another person in the registry."),
            )
            bad.add(i)
        if data["relation"][i] == Relation.HEAD and db_heads.get(key[0], key[1]) != key[1]:
            refuse(name, numbers[i], header["relation"], _("This household already has a head."))
            bad.add(i)
    if importer.error_count:
        return

    defaults = _defaults(Person)
    rows: dict[str, list[Any]] = {k: [] for k in ("number", "household_id", "id_token", *present)}
    fill = [k for k in present if k not in DERIVED and k != "number"]
    for i in good:
        identity = parsed[i]
        rows["number"].append(data["number"][i])
        rows["household_id"].append(household_ids[i])
        rows["id_token"].append(tokens[i])
        rows["id_number"].append(identity.normalised)
        rows["id_type"].append(identity.id_type.value)
        rows["sex"].append(str(sexes[i]))
        rows["birth_date"].append(births[i])
        for field_name in fill:
            value = data[field_name][i]
            rows[field_name].append(defaults[field_name] if value is None else value)
    new, updates = [], []
    for position, key in enumerate(keys):
        stored = existing.get(key)
        if stored is None:
            new.append(position)
        else:
            updates.append((position, stored["id"]))
    by_pk = {s["id"]: s for s in existing.values()}
    compare = [k for k in present if k != "number"] + ["number"]
    importer._write(
        Person,
        new,
        updates,
        rows,
        compare,
        counts,
        lambda i, pk: importer._differs(by_pk[pk], rows, i, compare, PII),
    )
