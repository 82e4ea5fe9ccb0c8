# ruff: noqa: E501  (tabular test data and file rows read better on one line)
"""Small import files for the importer's tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from bangfu.households.tests.helpers import TONGLE, make_id

HOUSEHOLD_HEADERS = [
    "户编号",
    "县",
    "村编码",
    "户类型",
    "监测对象类别",
    "家庭人口数",
    "工资性收入",
    "转移性收入",
    "生产经营性支出",
    "危房等级",
    "信息采集人",
]
PERSON_HEADERS = [
    "人编号",
    "户编号",
    "姓名",
    "证件号码",
    "与户主关系",
    "性别",
    "民族",
    "劳动技能",
    "务工时间(月)",
    "是否参加大病保险",
    "联系电话",
]

ID_A = make_id(sequence=13)  # male
ID_B = make_id(sequence=24)  # female
ID_C = make_id(sequence=35)


def household_row(number: str = "H0001", **over: Any) -> dict[str, Any]:
    row = {"户编号": number, "县": "凤山县", "村编码": TONGLE, "户类型": "脱贫户", "监测对象类别": "",
           "家庭人口数": "2", "工资性收入": "12000", "转移性收入": "800.5", "生产经营性支出": "0",
           "危房等级": "B", "信息采集人": "黄采集"}  # fmt: skip
    row.update(over)
    return row


def person_row(number: str, household: str, id_number: str, **over: Any) -> dict[str, Any]:
    row = {"人编号": number, "户编号": household, "姓名": "韦小宝", "证件号码": id_number,
           "与户主关系": "户主", "性别": "", "民族": "壮族", "劳动技能": "普通劳动力",
           "务工时间(月)": "6", "是否参加大病保险": "是", "联系电话": "13812345678"}  # fmt: skip
    row.update(over)
    return row


def to_csv(headers: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def standard_files() -> list[tuple[str, bytes]]:
    households = to_csv(
        HOUSEHOLD_HEADERS, [household_row("H0001"), household_row("H0002", 家庭人口数="1")]
    )
    persons = to_csv(PERSON_HEADERS, [
        person_row("P01", "H0001", ID_A),
        person_row("P02", "H0001", ID_B, 与户主关系="配偶", 姓名="蓝小花"),
        person_row("P03", "H0002", ID_C),
    ])  # fmt: skip
    return [("户表.csv", households), ("人表.csv", persons)]
