"""Writing small import files in tests."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter

HEADER = ["code", "name", "level", "parent_code"]


def write_csv(
    path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("regions")
    table: list[list[object]] = [list(header), *rows]
    for number, row in enumerate(table):
        for column, value in enumerate(row):
            sheet.write(number, column, value)
    workbook.close()
    return path


# Townships and villages of 凤山县 that the test world does not create.
FENGSHAN_ROWS = [
    ["451223102201", "光明村委会", "village", "451223102000"],  # its township comes later
    ["451223100000", "凤城镇", "township", "451223000000"],
    ["451223102000", "三门海镇", "township", "451223000000"],
]
