"""Column mappings of the national system's exports, as data.

Each table (village, household, person) is a tuple of `Spec`s: the Chinese header (plus
aliases), the model field it fills, how a cell converts (`kind`), whether it is required, its
allowed range or code list. `load_overrides` changes headers, aliases, labels and required flags
from a JSON or YAML file, so a province whose export names a column differently needs no code.

Ranges here refuse impossible values (negative money, 13 months of work); plausibility checks
that only deserve a warning (land over 100 亩, road over 5 km) belong to the monitoring rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import translation

from bangfu.households import choices as c
from bangfu.ingest.spreadsheets import Column, ColumnKind, Schema

TABLES = ("village", "household", "person")


@dataclass(frozen=True)
class Spec:
    key: str  # the model field (or a pseudo-field such as `household` for the person's 户编号)
    header: str
    kind: str  # text, int, decimal, amount, bool, choice, date, id, phone, code, digits
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] = field(default_factory=dict)  # label → stored value
    low: Decimal | int | None = None
    high: Decimal | int | None = None
    max_length: int | None = None
    pii: bool = False  # never echoed, encrypted at rest

    def column(self) -> Column:
        """The same column for the shared spreadsheet reader/writer (headers, templates)."""
        kind = {
            "int": ColumnKind.INTEGER,
            "amount": ColumnKind.AMOUNT,
            "date": ColumnKind.DATE,
            "choice": ColumnKind.CHOICE,
        }.get(self.kind, ColumnKind.TEXT)
        return Column(
            key=self.key,
            header=self.header,
            kind=kind,
            required=self.required,
            choices=self.choices,
            aliases=self.aliases,
        )


Mapping_ = tuple[Spec, ...]

_PAREN = re.compile(r"[（(]([^()（）]+)[)）]")
YES = {"是": True, "有": True, "1": True, "Y": True, "y": True, "true": True, "TRUE": True}
NO = {"否": False, "无": False, "0": False, "N": False, "n": False, "false": False, "FALSE": False}
BOOLEAN_LABELS: dict[str, bool] = {**YES, **NO}


def zh_labels(
    enum: type[models.TextChoices], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Chinese label → value, from the Chinese term each label carries in parentheses."""
    labels: dict[str, str] = {}
    with translation.override(None):
        for value, label in enum.choices:
            match = _PAREN.search(str(label))
            if match:
                for part in re.split(r"[,，、]", match.group(1)):
                    labels.setdefault(part.strip(), value)
    labels.update(extra or {})
    return labels


def _choice(key: str, header: str, enum: type[models.TextChoices], **kw: Any) -> Spec:
    extra = kw.pop("extra", None)
    return Spec(key, header, "choice", choices=zh_labels(enum, extra), **kw)


AMOUNT_MAX = Decimal("100000000")
LAND_MAX = Decimal("10000")


def _amount(key: str, header: str, *aliases: str) -> Spec:
    return Spec(key, header, "amount", aliases=aliases, low=Decimal(0), high=AMOUNT_MAX)


def _land(key: str, header: str, *aliases: str) -> Spec:
    return Spec(key, header, "decimal", aliases=aliases, low=Decimal(0), high=LAND_MAX)


def _flag(key: str, header: str, *aliases: str) -> Spec:
    return Spec(key, header, "bool", aliases=aliases)


VILLAGE: Mapping_ = (
    Spec("village", "村编码", "code", required=True, aliases=("行政村编码", "行政区划代码")),
    Spec("year", "年度", "int", required=True, low=2000, high=2100),
    Spec("households", "总户数", "int", low=0, high=100_000),
    Spec("population", "总人口数", "int", aliases=("总人口",), low=0, high=1_000_000),
    Spec(
        "collective_income",
        "村集体经济收入(万元)",
        "wan",
        aliases=("村集体经济收入（万元）",),
        low=Decimal(0),
        high=Decimal(1_000_000),
    ),
    Spec("dibao_people", "低保人数", "int", low=0, high=1_000_000),
    Spec("tekun_people", "特困供养人数", "int", aliases=("特困人数",), low=0, high=1_000_000),
    Spec("disabled_people", "残疾人数", "int", low=0, high=1_000_000),
    Spec("dangerous_houses", "危房户数", "int", low=0, high=100_000),
    _flag("has_clinic", "是否有卫生室"),
    Spec("doctors", "村医人数", "int", low=0, high=1000),
    _flag("has_paved_road", "是否通硬化路"),
    _flag("has_bus", "是否通客车"),
)

HOUSEHOLD: Mapping_ = (
    Spec("number", "户编号", "text", required=True, max_length=40),
    Spec("village", "村编码", "code", required=True, aliases=("行政村编码", "行政区划代码")),
    _choice(
        "household_type",
        "户类型",
        c.HouseholdType,
        required=True,
        extra={"脱贫户": c.HouseholdType.POVERTY_EXITED, "一般农户": c.HouseholdType.ORDINARY},
    ),
    _choice(
        "monitoring_category",
        "监测对象类别",
        c.MonitoringCategory,
        extra={"无": c.MonitoringCategory.NONE, "否": c.MonitoringCategory.NONE},
    ),
    Spec("household_size", "家庭人口数", "int", required=True, low=1, high=50),
    Spec("income_year", "收入年度", "int", low=2015, high=2100),
    _amount("wage_income", "工资性收入"),
    _amount("business_income", "生产经营性收入"),
    _amount("property_income", "财产性收入"),
    _amount("transfer_income", "转移性收入"),
    _amount("business_costs", "生产经营性支出"),
    _amount("medical_out_of_pocket", "合规自付支出", "合规自付医疗支出"),
    _amount("education_expenses", "教育支出"),
    _amount("disaster_losses", "灾害损失", "灾害事故损失"),
    _flag("food_clothing_secure", "是否解决吃穿问题", "不愁吃不愁穿"),
    _flag("compulsory_education_secure", "义务教育有保障", "义务教育保障"),
    _flag("basic_medical_secure", "基本医疗有保障", "基本医疗保障"),
    _flag("housing_secure", "住房安全有保障", "住房安全保障"),
    _flag("drinking_water_secure", "饮水安全有保障", "饮水安全"),
    _flag("water_quantity_ok", "水量达标"),
    _flag("water_quality_ok", "水质达标"),
    _flag("water_convenient", "用水方便"),
    _flag("water_reliable", "供水保证率达标"),
    Spec(
        "dangerous_house_grade",
        "危房等级",
        "choice",
        aliases=("住房安全等级",),
        choices={
            **{g: g for g in "ABCD"},
            **{f"{g}级": g for g in "ABCD"},
            "无": "",
            "否": "",
        },
    ),
    _land("cultivated_land_mu", "耕地面积(亩)", "耕地面积（亩）"),
    _land("irrigated_land_mu", "有效灌溉面积(亩)", "有效灌溉面积（亩）"),
    _land("forest_land_mu", "林地面积(亩)", "林地面积（亩）"),
    _land("grassland_mu", "牧草地面积(亩)", "牧草地面积（亩）"),
    _land("water_surface_mu", "水面面积(亩)", "水面面积（亩）"),
    Spec(
        "road_distance_km",
        "与村主干路距离(公里)",
        "decimal",
        aliases=("与村主干路距离（公里）",),
        low=Decimal(0),
        high=Decimal(500),
    ),
    _choice(
        "cooking_fuel", "主要燃料类型", c.CookingFuel, extra={"柴草": "firewood", "其他": "other"}
    ),
    _choice("toilet", "厕所类型", c.Toilet, extra={"无厕所": "none", "非卫生厕所": "non_sanitary"}),
    _flag("has_household_electricity", "是否通生活用电"),
    _flag("has_production_electricity", "是否通生产用电"),
    Spec("collector_name", "信息采集人", "text", max_length=50, pii=True),
    Spec("collector_phone", "采集人联系电话", "phone", aliases=("信息采集人电话",), pii=True),
)

PERSON: Mapping_ = (
    Spec("number", "人编号", "text", required=True, max_length=40),
    Spec("household", "户编号", "text", required=True, max_length=40),
    Spec("name", "姓名", "text", required=True, max_length=50, pii=True),
    _choice(
        "id_type",
        "证件类型",
        c.IdType,
        extra={"身份证": c.IdType.RESIDENT_ID, "残疾证": c.IdType.DISABILITY_CARD},
    ),
    Spec(
        "id_number", "证件号码", "id", required=True, aliases=("身份证号码", "身份证号"), pii=True
    ),
    _choice("relation", "与户主关系", c.Relation, required=True, extra={"本人": c.Relation.HEAD}),
    _choice("sex", "性别", c.Sex, extra={"男": c.Sex.MALE, "女": c.Sex.FEMALE}),
    Spec("birth_date", "出生日期", "date"),
    _choice("ethnicity", "民族", c.Ethnicity),
    _choice("education", "文化程度", c.EducationLevel),
    _choice(
        "schooling_status", "在校生状况", c.SchoolingStatus, extra={"非在校生": "not_in_school"}
    ),
    _choice("out_of_school_reason", "失学或辍学原因", c.OutOfSchoolReason, extra={"无": ""}),
    _choice("health", "健康状况", c.Health),
    _choice("labour_skill", "劳动技能", c.LabourSkill, required=True),
    Spec("months_worked_away", "务工时间(月)", "int", aliases=("务工时间（月）",), low=0, high=12),
    _choice("work_place", "务工地点", c.WorkPlace, extra={"无": ""}),
    _flag("public_welfare_job", "是否公益岗位"),
    _flag("resident_medical_insurance", "是否参加城乡居民基本医疗保险"),
    _flag("employee_medical_insurance", "是否参加职工基本医疗保险"),
    _flag("critical_illness_insurance", "是否参加大病保险"),
    _flag("pension_insurance", "是否参加城乡居民基本养老保险", "养老保险"),
    _choice(
        "living_allowance",
        "是否享受低保/特困",
        c.LivingAllowance,
        aliases=("低保/特困",),
        extra={"低保": "dibao", "特困": "tekun", "特困供养": "tekun", "否": "none", "无": "none"},
    ),
    Spec("phone", "联系电话", "phone", pii=True),
    Spec("bank_account", "银行账号", "digits", low=10, high=30, pii=True),
)

DEFAULTS: dict[str, Mapping_] = {"village": VILLAGE, "household": HOUSEHOLD, "person": PERSON}


def schema_of(mapping: Mapping_) -> Schema:
    return tuple(spec.column() for spec in mapping)


class MappingError(ValueError):
    """An override file is malformed; the message says where."""


def parse_overrides(text: str, filename: str) -> dict[str, Any]:
    if Path(filename).suffix.lower() in {".yaml", ".yml"}:
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise MappingError(
            "A mapping file holds an object keyed by table: village, household, person."
        )
    return data


def apply_overrides(table: str, overrides: Mapping[str, Any]) -> Mapping_:
    """The table's mapping with the overrides for that table applied.

    Format: ``{"household": {"number": {"header": "户码", "aliases": ["户主编号"]},
    "household_type": {"choices": {"脱贫户(含监测)": "poverty_exited"}}}}``.
    """
    base = DEFAULTS[table]
    changes = overrides.get(table) or {}
    if not isinstance(changes, dict):
        raise MappingError(f"{table}: expected an object of columns.")
    known = {spec.key: spec for spec in base}
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise MappingError(f"{table}: unknown columns {', '.join(unknown)}.")
    result = []
    for spec in base:
        change = changes.get(spec.key)
        if not change:
            result.append(spec)
            continue
        allowed = {"header", "aliases", "choices", "required"}
        if not isinstance(change, dict) or set(change) - allowed:
            raise MappingError(f"{table}.{spec.key}: only {', '.join(sorted(allowed))} may change.")
        kwargs: dict[str, Any] = {}
        if "header" in change:
            kwargs["header"] = str(change["header"])
        if "aliases" in change:
            kwargs["aliases"] = tuple(str(a) for a in change["aliases"])
        if "required" in change:
            kwargs["required"] = bool(change["required"]) or spec.key in {"number", "id_number"}
        if "choices" in change:
            values = set(spec.choices.values())
            extra = {str(k): str(v) for k, v in dict(change["choices"]).items()}
            bad = sorted(v for v in extra.values() if v not in values)
            if bad:
                raise MappingError(f"{table}.{spec.key}: unknown values {', '.join(bad)}.")
            kwargs["choices"] = {**spec.choices, **extra}
        result.append(replace(spec, **kwargs))
    return tuple(result)


def detect_table(header_row: list[Any], overrides: Mapping[str, Any] | None = None) -> str | None:
    """Which table a file holds, from its headers (the person table has 证件号码)."""
    headers = {str(h).strip() for h in header_row if h is not None}
    scores = {}
    for table in TABLES:
        mapping = apply_overrides(table, overrides or {})
        names = {n for s in mapping for n in (s.header, s.key, *s.aliases)}
        required = [s for s in mapping if s.required]
        if all({s.header, s.key, *s.aliases} & headers for s in required):
            scores[table] = len(names & headers)
    return max(scores, key=lambda t: scores[t]) if scores else None
