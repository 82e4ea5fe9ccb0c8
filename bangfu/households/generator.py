"""Synthetic villages, households and persons for the demo and the benchmarks.

Deterministic for a (seed, county, count, start date): the same arguments give the same rows
(ciphertexts aside, which use fresh nonces). Persons carry valid GB 11643 IDs with the county's
area code and birth dates that agree with their ages; incomes, household sizes, schooling,
insurance, houses and water follow plausible distributions, with a realistic share of households
at risk and a sprinkling of the errors the data-quality rules look for.

Speed (a million households in a few minutes): rows are built as tuples, never as model
instances, and written in batches with `executemany` on SQLite or COPY on PostgreSQL. Personal
data is encrypted with the keyring of crypto.py exactly as `EncryptedTextField` would store it
(same format, same associated data), through one cipher object per column. The data collector's
name and phone are encrypted once per village and shared by its households: one collector
works a village, and it saves two encryptions per household.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from bangfu.households.bulkload import BulkLoad
from bangfu.households.choices import MeasureCategory, MonitoringCategory
from bangfu.households.generator_people import (
    PeopleFactory,
    Sealer,
    Weighted,
    household_members,
)
from bangfu.households.models import (
    Household,
    HouseholdIncome,
    HouseholdRisk,
    Measure,
    Person,
)
from bangfu.regions.codes import Level
from bangfu.regions.models import Region

CENT = Decimal("0.01")
HOUSEHOLDS_PER_VILLAGE = 300
SIZES = Weighted(("1", "2", "3", "4", "5", "6", "7"), (8, 18, 22, 24, 16, 8, 4))  # mean ≈ 3.5
GRADES = Weighted(("A", "B", "C", "D"), (70, 28, 1.5, 0.5))
DEFAULT_COUNTY = "451223000000"  # 凤山县, a demo recipient county
Progress = Callable[[int, int], None]


@dataclass
class Generated:
    villages: int = 0
    households: int = 0
    persons: int = 0
    measures: int = 0
    timings: dict[str, float] = field(default_factory=dict)


# Writing ---------------------------------------------------------------------------------------


def columns_of(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


class Writer:
    """Batched raw writes: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.columns = columns_of(model)

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {quote(self.table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(self.table)} ({names}) VALUES ({marks})",  # noqa: S608
                    rows,
                )


def next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def reset_sequences(*models_: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)


# Villages --------------------------------------------------------------------------------------


def ensure_villages(county: Region, wanted: int) -> list[str]:
    """The county's villages, adding synthetic townships (乡, 2xx) and villages as needed."""
    six = county.code[:6]
    codes = list(
        Region.objects.filter(code__startswith=six, level=Level.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    missing = wanted - len(codes)
    if missing <= 0:
        return codes[:wanted]
    townships: list[Region] = []
    villages: list[Region] = []
    existing = set(Region.objects.filter(code__startswith=six).values_list("code", flat=True))
    township_number = 200
    while missing > 0:
        township_code = f"{six}{township_number:03d}000"
        if township_code not in existing:
            townships.append(
                Region(
                    code=township_code,
                    name=f"示范{township_number - 199}乡",
                    level=Level.TOWNSHIP,
                    parent_id=county.code,
                )
            )
            for village_number in range(200, 200 + min(missing, 100)):
                code = f"{six}{township_number:03d}{village_number:03d}"
                villages.append(
                    Region(
                        code=code,
                        name=f"示范{township_number - 199}乡{village_number - 199}村",
                        level=Level.VILLAGE,
                        parent_id=township_code,
                    )
                )
                codes.append(code)
                missing -= 1
        township_number += 1
        if township_number > 399:
            raise ValueError("The county has no room for more synthetic villages.")
    Region.objects.bulk_create(townships, batch_size=500)
    Region.objects.bulk_create(villages, batch_size=500)
    return codes


# Households ------------------------------------------------------------------------------------


def _split_income(rng: random.Random, net: int) -> tuple[int, int, int, int, int]:
    """Wages, business, property, transfers and business costs adding up to `net` yuan."""
    business = int(net * rng.uniform(0.0, 0.2))
    costs = int(business * 0.3)
    gross = net + costs
    wages = int(gross * rng.uniform(0.3, 0.75))
    property_income = int(gross * 0.02)
    transfers = gross - wages - business - property_income
    return wages, business, property_income, transfers, costs


def _per_capita(net: int, size: int) -> Decimal:
    return (Decimal(net) / size).quantize(CENT, rounding=ROUND_HALF_UP)


# Written as plain numbers and text: adapting Decimal objects value by value is slow.


# Above this many households, generation builds batches in worker processes and loads the
# tables without their secondary indexes (rebuilt once at the end, see BulkLoad).
BULK_THRESHOLD = 50_000
WORKERS = 2
# Sparse but deterministic ids: a household's rows get ids from its index alone, so batches can
# be built in any process and any order. At most 7 members, 2 risks and 2 measures each.
PERSON_STRIDE, RISK_STRIDE, MEASURE_STRIDE = 8, 2, 2


@dataclass(frozen=True)
class Plan:
    """Everything a batch needs, picklable, so a worker process can build it."""

    villages: tuple[str, ...]
    count: int
    area: str
    seed: int
    income_year: int
    batch_size: int
    now: Any
    is_demo: bool
    bases: dict[str, int]


def build_batch(plan: Plan, start: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of households start … start + batch_size - 1, by table (no database access)."""
    # One generator per batch, seeded from the run's seed and the batch's position: the same
    # rows whichever process builds it.
    rng = random.Random(plan.seed * 1_000_003 + start)  # noqa: S311 - synthetic data
    people = PeopleFactory(
        rng=rng, area=plan.area, today=dt.date(plan.income_year + 1, 1, 1), sequence=start * 4
    )
    collectors = Sealer("household.collector_name"), Sealer("household.collector_phone")
    bases, villages, now = plan.bases, plan.villages, plan.now
    rows: dict[str, list[tuple[Any, ...]]] = {
        "household": [],
        "person": [],
        "income": [],
        "risk": [],
        "measure": [],
    }
    for index in range(start, min(start + plan.batch_size, plan.count)):
        village = villages[index * len(villages) // plan.count]
        if village not in people.village_collectors:
            people.village_collectors[village] = (
                collectors[0](people.name()),
                collectors[1](people.mobile()),
            )
        household_id = bases["household"] + index
        household = _household_row(
            rng, household_id, village, index, plan.income_year, now, people, plan.is_demo
        )
        rows["household"].append(household.row)
        rows["person"].extend(
            household_members(
                people, household_id, household, bases["person"] + index * PERSON_STRIDE, now
            )
        )
        rows["income"].append(
            (bases["income"] + index, household_id, plan.income_year - 1, *household.previous)
        )
        for k, risk in enumerate(household.risks):
            rows["risk"].append((bases["risk"] + index * RISK_STRIDE + k, household_id, risk))
        for k, (category, date) in enumerate(household.measures):
            rows["measure"].append(
                (
                    bases["measure"] + index * MEASURE_STRIDE + k,
                    now,
                    now,
                    household_id,
                    category,
                    date,
                    "",
                )
            )
    return rows


TABLES: dict[str, type[models.Model]] = {
    "household": Household,
    "person": Person,
    "income": HouseholdIncome,
    "risk": HouseholdRisk,
    "measure": Measure,
}


def _batches(plan: Plan, workers: int) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Built batches in order; with workers, built ahead in forked processes (bounded)."""
    starts = list(range(0, plan.count, plan.batch_size))
    if workers <= 1:
        for start in starts:
            yield build_batch(plan, start)
        return
    # fork: the workers inherit the configured keyring; they never touch the database.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[Any] = deque()
        for start in starts:
            pending.append(pool.apply_async(build_batch, (plan, start)))
            if len(pending) > workers + 1:  # keep memory bounded: a few batches ahead
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def generate(
    *,
    count: int,
    county_code: str = DEFAULT_COUNTY,
    seed: int = 1,
    income_year: int = 2025,
    batch_size: int = 5000,
    progress: Progress | None = None,
    is_demo: bool = True,
    workers: int | None = None,
) -> Generated:
    """Write `count` households (about 3.5 persons each) into the county's villages.

    From BULK_THRESHOLD households on, batches are built by `workers` (default 2) forked
    processes while this one writes, and the five tables are loaded in one transaction without
    their secondary indexes (and, on PostgreSQL, foreign keys), which are rebuilt at the end.
    """
    _check_household_columns()
    county = Region.objects.get(code=county_code)
    if county.level != Level.COUNTY:
        raise ValueError("Households are generated for a county (a 12-digit county code).")
    result = Generated()
    villages = ensure_villages(county, max(1, math.ceil(count / HOUSEHOLDS_PER_VILLAGE)))
    result.villages = len(villages)
    bulk = count >= BULK_THRESHOLD
    if workers is None:
        workers = WORKERS if bulk else 1
    plan = Plan(
        villages=tuple(villages[: max(1, math.ceil(count / HOUSEHOLDS_PER_VILLAGE))]),
        count=count,
        area=county_code[:6],
        seed=seed,
        income_year=income_year,
        batch_size=batch_size,
        # Adapted once: per-value adaptation of datetimes is a measurable share of the insert.
        now=connection.ops.adapt_datetimefield_value(timezone.now()),
        is_demo=is_demo,
        bases={
            "household": next_id(Household),
            "person": next_id(Person),
            "income": next_id(HouseholdIncome),
            "risk": next_id(HouseholdRisk),
            "measure": next_id(Measure),
        },
    )
    writers = {name: Writer(model) for name, model in TABLES.items()}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes grow large
    result.timings = {"build": 0.0, "write": 0.0, "indexes": 0.0}
    clock = time.perf_counter()
    with BulkLoad(list(TABLES.values()), enabled=bulk) as load:
        for rows in _batches(plan, workers):
            written = time.perf_counter()
            result.timings["build"] += written - clock  # waiting for the workers
            with transaction.atomic():
                for name, writer in writers.items():
                    writer.write(rows[name])
            clock = time.perf_counter()
            result.timings["write"] += clock - written
            result.households += len(rows["household"])
            result.persons += len(rows["person"])
            result.measures += len(rows["measure"])
            if progress is not None:
                progress(result.households, count)
        clock = time.perf_counter()
    result.timings["indexes"] = load.seconds
    reset_sequences(*TABLES.values())
    return result


@dataclass
class HouseholdDraft:
    row: tuple[Any, ...]
    size: int
    household_type: str
    previous: tuple[int, str]
    risks: list[str]
    measures: list[tuple[str, dt.date]]


def _household_row(
    rng: random.Random,
    pk: int,
    village: str,
    index: int,
    income_year: int,
    now: Any,
    people: PeopleFactory,
    is_demo: bool,
) -> HouseholdDraft:
    r = rng.random
    size = int(SIZES.pick(rng))
    exited = r() < 0.3
    household_type = "poverty_exited" if exited else "ordinary"
    # Per-capita income: log-normal around 14,000 (a lower median for households out of
    # poverty), which puts about 6–10 % under a 6,000–7,000 range.
    per_capita_target = rng.lognormvariate(math.log(11000 if exited else 15000), 0.55)
    net = max(0, int(per_capita_target * size))
    wages, business, property_income, transfers, costs = _split_income(rng, net)
    per_capita = _per_capita(net, size)
    # Last year's income: mostly a little lower; about 3 % of households fell sharply since.
    if r() < 0.03:
        previous_net = int(net / rng.uniform(0.4, 0.7))
    else:
        previous_net = int(net / rng.uniform(1.0, 1.15))
    previous = (previous_net, str(_per_capita(previous_net, size)))
    medical = int(rng.lognormvariate(math.log(3000), 0.9)) if r() < 0.15 else 0
    education = rng.randint(1000, 8000) if r() < 0.1 else 0
    disaster = rng.randint(5000, 50000) if r() < 0.01 else 0
    grade = GRADES.pick(rng)
    water_ok = r() >= 0.01
    cultivated = round(rng.uniform(0, 12), 1) if r() >= 0.0005 else 150.0
    forest = round(rng.uniform(0, 30), 1) if r() >= 0.0005 else 260.0
    road = round(rng.uniform(0, 3), 2) if r() >= 0.002 else 7.5
    monitored = (per_capita < 7000 and r() < 0.7) or r() < 0.01
    category, identified, eliminated = MonitoringCategory.NONE.value, None, None
    risks: list[str] = []
    measures: list[tuple[str, dt.date]] = []
    if monitored:
        category = (
            MonitoringCategory.SUDDEN_HARDSHIP.value
            if per_capita >= 7000
            else (
                MonitoringCategory.UNSTABLE.value if exited else MonitoringCategory.MARGINAL.value
            )
        )
        identified = dt.date(
            income_year - rng.randint(0, 3), rng.randint(1, 12), rng.randint(1, 28)
        )
        risks = rng.sample(["illness", "schooling", "disability", "unstable_work", "housing"], 2)
        if r() < 0.3:
            eliminated = identified + dt.timedelta(days=rng.choice((120, 200, 300, 400)))
        if r() >= 0.1:  # a few households still without any measure
            first = identified + dt.timedelta(days=rng.randint(3, 45))
            measures = [(rng.choice(_MEASURES), first)]
            if r() < 0.6:
                measures.append((rng.choice(_MEASURES), first + dt.timedelta(days=60)))
    name_sealed, phone_sealed = people.village_collectors[village]
    row = (
        pk,
        now,
        now,
        f"{village}{pk:07d}",
        village,
        household_type,
        category,
        size,
        income_year,
        wages,
        business,
        property_income,
        transfers,
        costs,
        net,
        str(per_capita),
        medical,
        education,
        disaster,
        r() >= 0.003,  # food and clothing
        r() >= 0.003,  # compulsory education
        r() >= 0.005,  # basic medical
        grade in "AB",
        water_ok,
        water_ok or r() < 0.5,
        water_ok or r() < 0.5,
        True,
        water_ok,
        grade,
        cultivated,
        round(cultivated * 0.4, 1),
        forest,
        0,
        0,
        road,
        rng.choice(("firewood", "gas", "electricity")),
        rng.choice(("sanitary", "sanitary", "non_sanitary")),
        True,
        r() < 0.3,
        name_sealed,
        phone_sealed,
        is_demo,
        identified,
        eliminated,
    )
    return HouseholdDraft(row, size, household_type, previous, risks, measures)


_MEASURES = [c.value for c in MeasureCategory]


def _check_household_columns() -> None:
    """The tuple above follows the model's column order; fail loudly if the model changes."""
    expected = [
        "id", "created_at", "updated_at", "number", "village_id", "household_type",
        "monitoring_category", "household_size", "income_year", "wage_income",
        "business_income", "property_income", "transfer_income", "business_costs", "net_income",
        "per_capita_net_income", "medical_out_of_pocket", "education_expenses",
        "disaster_losses", "food_clothing_secure", "compulsory_education_secure",
        "basic_medical_secure", "housing_secure", "drinking_water_secure", "water_quantity_ok",
        "water_quality_ok", "water_convenient", "water_reliable", "dangerous_house_grade",
        "cultivated_land_mu", "irrigated_land_mu", "forest_land_mu", "grassland_mu",
        "water_surface_mu", "road_distance_km", "cooking_fuel", "toilet",
        "has_household_electricity", "has_production_electricity", "collector_name",
        "collector_phone", "is_demo", "identified_on", "eliminated_on",
    ]  # fmt: skip
    if columns_of(Household) != expected:
        raise RuntimeError("Household columns changed: update generator._household_row.")


__all__ = ["DEFAULT_COUNTY", "Generated", "PeopleFactory", "Sealer", "generate"]
