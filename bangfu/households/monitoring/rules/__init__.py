"""The registry of monitoring rules: every rule, risk and data quality, behind one interface."""

from __future__ import annotations

import datetime as dt

from bangfu.households.monitoring.rules.base import Context, Parameters, Rule
from bangfu.households.monitoring.rules.data_quality import QUALITY_RULES
from bangfu.households.monitoring.rules.risk import RISK_RULES

__all__ = ["RULES", "Context", "Parameters", "Rule", "effective_rules", "rule_by_code"]

RULES: tuple[Rule, ...] = RISK_RULES + QUALITY_RULES


def effective_rules(on: dt.date) -> list[Rule]:
    """The rules in force on a date (one version per code)."""
    return [rule for rule in RULES if rule.is_effective(on)]


def rule_by_code(code: str, on: dt.date | None = None) -> Rule:
    candidates = [r for r in RULES if r.code == code and (on is None or r.is_effective(on))]
    if not candidates:
        raise KeyError(code)
    return max(candidates, key=lambda rule: rule.version)


def _check_unique() -> None:
    keys = [rule.key for rule in RULES]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise RuntimeError(f"Monitoring rules registered twice: {sorted(duplicates)}")


_check_unique()
