"""Demo projects from the five seed reports, as records whose sums equal the reported figures.

Where a report gives only totals (天河→纳雍 per year, 光明→田林, 光明→汕尾), the totals are split
into plausible projects (is_demo=True) by fixed weights, the last share taking the remainder so
that every sum is exact. `load(actor)` is idempotent: projects are recognised by pairing and code.
The pairings themselves come from the demo pairings (bangfu.demo); a missing one is skipped with
a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from bangfu.core.money import parse_amount
from bangfu.pairings.models import Pairing
from bangfu.projects.models import Category, Project, Status
from bangfu.projects.services import project_create
from bangfu.regions.models import Region

D = dt.date

# Demo pairings: key → (donor region, recipient region, parent's (donor, recipient) or None).
PAIRINGS: dict[str, tuple[str, str, tuple[str, str] | None]] = {
    "tianhe_nayong": ("440106000000", "520525000000", None),
    "baoan_longchuan": ("440306000000", "441622000000", None),
    "longhua_fengshan": ("440309000000", "451223000000", None),
    "guangming_tianlin": ("440311000000", "451029000000", None),
    "guangming_shanwei": ("440311000000", "441502000000", None),
    "guangming_chayu": ("440311000000", "540425000000", None),
    # 新湖街道 → 下察隅镇 and 玉塘街道 → 上察隅镇, nested under 光明区 → 察隅县.
    "xinhu_xiachayu": ("440311003000", "540425102000", ("440311000000", "540425000000")),
    "yutang_shangchayu": ("440311005000", "540425101000", ("440311000000", "540425000000")),
}


def find_pairing(key: str) -> Pairing | None:
    donor, recipient, parent = PAIRINGS[key]
    pairings = Pairing.objects.filter(donor_region_id=donor, recipient_region_id=recipient)
    if parent is not None:
        pairings = pairings.filter(
            parent__donor_region_id=parent[0], parent__recipient_region_id=parent[1]
        )
    return pairings.order_by("start_date", "id").first()


def split(
    total: Decimal, weights: Sequence[int], quantum: Decimal = Decimal("100")
) -> list[Decimal]:
    """`total` in shares proportional to `weights`, rounded down to `quantum`; the last share
    takes the remainder, so the shares always add up to `total` exactly."""
    whole = sum(weights)
    shares = [(total * w / whole).quantize(quantum, rounding=ROUND_DOWN) for w in weights[:-1]]
    return [*shares, total - sum(shares, Decimal(0))]


def split_count(total: int, weights: Sequence[int]) -> list[int]:
    return [int(share) for share in split(Decimal(total), weights, Decimal(1))]


def weights(count: int, seed: int = 0) -> list[int]:
    """Deterministic, uneven weights: projects of a county differ in size."""
    pattern = (5, 3, 8, 2, 6, 4, 9, 3, 7, 5, 2, 6)
    return [pattern[(i + seed) % len(pattern)] for i in range(count)]


@dataclass(frozen=True)
class ProjectSpec:
    pairing: str
    code: str
    name: str
    category: str
    start_year: int
    budget: Decimal | None
    status: str
    status_date: dt.date
    end_year: int | None = None
    region: str | None = None  # None: the pairing's recipient region
    villages: int = 0
    households: int = 0
    people: int = 0
    outputs: str = ""


_ZH = {
    Category.INDUSTRY: "产业",
    Category.INFRASTRUCTURE: "基础设施",
    Category.EDUCATION: "教育",
    Category.HEALTH: "医疗",
    Category.HOUSING: "住房",
    Category.DRINKING_WATER: "饮水",
    Category.EMPLOYMENT: "就业",
}
_CYCLE = list(_ZH)

# 天河区 → 纳雍县: "2016年投入帮扶资金1000万元实施帮扶项目2个；2017年…1100万元…8个；2018年…
# 3612.099万元…17个；2019年…5505.25万元…16个；2020年投入7250万元资金实施项目32个。…所有项目已
# 全部完工并投入使用。"
TIANHE_YEARS: dict[int, tuple[str, int]] = {
    2016: ("1000万元", 2),
    2017: ("1100万元", 8),
    2018: ("3612.099万元", 17),
    2019: ("5505.25万元", 16),
    2020: ("7250万元", 32),
}
# 光明区 → 田林县: "累计安排财政帮扶资金1.796亿元，财政帮扶实施65个项目，累计带动贫困村110个、
# 贫困户12623户49152人。" The years are not given; the 65 projects are spread over 2017–2020.
TIANLIN_TOTAL = "1.796亿元"
TIANLIN_PROJECTS_BY_YEAR = {2017: 8, 2018: 15, 2019: 20, 2020: 22}
TIANLIN_VILLAGES, TIANLIN_HOUSEHOLDS, TIANLIN_PEOPLE = 110, 12623, 49152
# 光明区 → 汕尾市城区: "对口帮扶汕尾市城区（红海湾）产业项目15个，总投资3212.2万元。"
SHANWEI_TOTAL, SHANWEI_PROJECTS = "3212.2万元", 15


def _tianhe() -> list[ProjectSpec]:
    specs = []
    for year, (amount, count) in TIANHE_YEARS.items():
        budgets = split(parse_amount(amount), weights(count, year))
        for index, budget in enumerate(budgets, start=1):
            category = _CYCLE[(index + year) % len(_CYCLE)]
            specs.append(
                ProjectSpec(
                    "tianhe_nayong", f"NY-{year}-{index:02d}",
                    f"{year}年纳雍县{_ZH[category]}帮扶项目（{index}）", category, year, budget,
                    Status.IN_USE, D(year, 12, 31), end_year=year,
                )
            )  # fmt: skip
    return specs


def _tianlin() -> list[ProjectSpec]:
    count = sum(TIANLIN_PROJECTS_BY_YEAR.values())
    budgets = split(parse_amount(TIANLIN_TOTAL), weights(count, 3))
    villages = split_count(TIANLIN_VILLAGES, weights(count, 5))
    households = split_count(TIANLIN_HOUSEHOLDS, weights(count, 5))
    people = split_count(TIANLIN_PEOPLE, weights(count, 5))
    years = [y for y, n in TIANLIN_PROJECTS_BY_YEAR.items() for _ in range(n)]
    specs = []
    for i, year in enumerate(years):
        category = (Category.INDUSTRY, Category.INFRASTRUCTURE, Category.DRINKING_WATER,
                    Category.EDUCATION, Category.HOUSING)[i % 5]  # fmt: skip
        specs.append(
            ProjectSpec(
                "guangming_tianlin", f"TL-{year}-{i + 1:02d}",
                f"田林县{_ZH[category]}扶贫协作项目（{i + 1}）", category, year, budgets[i],
                Status.IN_USE, D(year, 12, 31), end_year=year,
                villages=villages[i], households=households[i], people=people[i],
            )
        )  # fmt: skip
    return specs


def _shanwei() -> list[ProjectSpec]:
    budgets = split(parse_amount(SHANWEI_TOTAL), weights(SHANWEI_PROJECTS, 7))
    specs = [
        ProjectSpec(
            "guangming_shanwei", "SW-01", "南门外村莲藕特色产业园", Category.INDUSTRY, 2019,
            budgets[0], Status.UNDER_CONSTRUCTION, D(2019, 9, 1),
            outputs="2019年9月开工建设；建成后仅土地流转每年可为军船头村增加收益超13万元。",
        )
    ]  # fmt: skip
    for i, budget in enumerate(budgets[1:], start=2):
        year = 2016 + i % 5
        specs.append(
            ProjectSpec(
                "guangming_shanwei", f"SW-{i:02d}", f"汕尾市城区帮扶村产业项目（{i}）",
                Category.INDUSTRY, year, budget, Status.IN_USE, D(year, 12, 31), end_year=year,
            )
        )  # fmt: skip
    return specs


def _others() -> list[ProjectSpec]:
    return [
        ProjectSpec(
            "baoan_longchuan", "LC-2018-01", "广东省空气能检测中心（宝安（龙川）产业园配套）",
            Category.INDUSTRY, 2018, parse_amount("3800万元"), Status.IN_USE, D(2018, 6, 30),
            outputs="4月初安排拨付3800万元投入园区配套项目，已投入使用。",
        ),
        ProjectSpec(
            "baoan_longchuan", "LC-2018-02", "龙川儿童福利院建设", Category.LIVELIHOOD, 2018,
            parse_amount("300万元"), Status.COMPLETED, D(2018, 3, 15),
            outputs="资助300万元，3月15日举行竣工仪式。",
        ),
        ProjectSpec(
            "xinhu_xiachayu", "CY-XH-01", "下察隅镇土特产销售点装修和包装厂房", Category.LIVELIHOOD,
            2020, parse_amount("49万元"), Status.APPROVED, D(2020, 8, 1),
        ),
        ProjectSpec(
            "yutang_shangchayu", "CY-YT-01", "毕达村瀑布景区内道路及配套设施",
            Category.INFRASTRUCTURE, 2020, parse_amount("44万元"), Status.APPROVED, D(2020, 8, 1),
        ),
    ]  # fmt: skip


ILLUSTRATIVE_NOTE = "演示数据（示意）：报道未提供，项目为虚构，仅用于展示。"


def _fengshan() -> list[ProjectSpec]:
    """龙华区 → 凤山县: the report gives funds, not projects; these recent ones are invented (the
    note says so) so that the demo's main pairing has projects in every stage."""
    rows = [
        (
            "FS-2025-01",
            "凤山县核桃产业示范基地提升",
            Category.INDUSTRY,
            2025,
            "680万元",
            Status.IN_USE,
            D(2025, 11, 30),
            2025,
        ),
        (
            "FS-2025-02",
            "凤山县就业帮扶车间改造",
            Category.EMPLOYMENT,
            2025,
            "260万元",
            Status.COMPLETED,
            D(2025, 12, 20),
            2025,
        ),
        (
            "FS-2025-03",
            "凤山县屯级道路硬化",
            Category.INFRASTRUCTURE,
            2025,
            "420万元",
            Status.IN_USE,
            D(2025, 10, 15),
            2025,
        ),
        (
            "FS-2026-01",
            "凤山县农村饮水安全巩固提升",
            Category.DRINKING_WATER,
            2026,
            "350万元",
            Status.UNDER_CONSTRUCTION,
            D(2026, 4, 1),
            None,
        ),
        (
            "FS-2026-02",
            "凤山县乡镇卫生院远程医疗设备",
            Category.HEALTH,
            2026,
            "180万元",
            Status.APPROVED,
            D(2026, 3, 10),
            None,
        ),
        (
            "FS-2026-03",
            "凤山县粤桂协作农产品冷链仓储",
            Category.INDUSTRY,
            2026,
            "520万元",
            Status.PLANNED,
            D(2026, 6, 1),
            None,
        ),
    ]
    return [
        ProjectSpec(
            "longhua_fengshan", code, name, category, year, parse_amount(budget), status, date,
            end_year=end, outputs=ILLUSTRATIVE_NOTE,
        )
        for code, name, category, year, budget, status, date, end in rows
    ]  # fmt: skip


def project_specs() -> list[ProjectSpec]:
    return [*_tianhe(), *_tianlin(), *_shanwei(), *_others(), *_fengshan()]


def load(actor: Any) -> list[str]:
    """Create the demo projects that are missing; return what was done, one line per pairing."""
    messages: list[str] = []
    by_pairing: dict[str, list[ProjectSpec]] = {}
    for spec in project_specs():
        by_pairing.setdefault(spec.pairing, []).append(spec)
    for key, specs in by_pairing.items():
        pairing = find_pairing(key)
        if pairing is None:
            messages.append(f"projects: skipped {key}, its pairing is not loaded")
            continue
        existing = set(Project.objects.filter(pairing=pairing).values_list("code", flat=True))
        created = 0
        for spec in specs:
            if spec.code in existing:
                continue
            region = Region.objects.get(pk=spec.region or pairing.recipient_region_id)
            project_create(
                actor=actor, pairing=pairing, code=spec.code, name=spec.name, region=region,
                category=spec.category, start_year=spec.start_year, end_year=spec.end_year,
                budget=spec.budget, status=spec.status, status_date=spec.status_date,
                beneficiary_villages=spec.villages, beneficiary_households=spec.households,
                beneficiary_people=spec.people, linked_people=spec.people,
                linked_registered_poor=spec.people, outputs=spec.outputs, is_demo=True,
            )  # fmt: skip
            created += 1
        messages.append(f"projects: {pairing}: {created} created, {len(specs) - created} present")
    return messages
