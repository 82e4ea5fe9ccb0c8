"""Validation rules and outlier checks, run on entry (services) and in batch (command).

Rules compare figures of one reporter (pairing and side, or party) for one period. A rule whose
figures are not all there is skipped, so entering 其中脱贫劳动力 before 就业人数 is fine; the
check runs again when the other figure arrives, and in batch.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.indicators import computed
from bangfu.indicators.expressions import Comparison, ExpressionError, NotApplicable
from bangfu.indicators.models import DataValue, Importance, Indicator, ValidationRule

OUTLIER = "outlier"


@dataclass(frozen=True)
class Finding:
    rule: str
    importance: str
    message: str
    indicators: frozenset[str]

    def as_flag(self) -> dict[str, str]:
        return {"rule": self.rule, "importance": self.importance, "message": self.message}


@dataclass(frozen=True)
class CompiledRule:
    rule: ValidationRule
    comparison: Comparison


def compile_rule(left: str, operator: str, right: str) -> Comparison:
    """The parsed rule; ExpressionError for text that is not a rule."""
    return Comparison.parse(left, operator, right)


def active_rules() -> list[CompiledRule]:
    result = []
    for rule in ValidationRule.objects.filter(is_active=True):
        try:
            result.append(CompiledRule(rule, compile_rule(rule.left, rule.operator, rule.right)))
        except ExpressionError:
            continue  # refused when saved; a rule edited in the database is skipped, not fatal
    return result


def _message(compiled: CompiledRule, left: Decimal, right: Decimal | str, code: str = "") -> str:
    rule = compiled.rule
    text = rule.message or f"{rule.left} {rule.operator} {rule.right}"
    subject = f"{code}: " if code else ""
    return _("%(subject)sthe check “%(rule)s” fails (%(left)s against %(right)s).") % {
        "subject": subject,
        "rule": text,
        "left": _plain(left),
        "right": _plain(right) if isinstance(right, Decimal) else right,
    }


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def check(
    values: Mapping[str, Decimal],
    *,
    units: Mapping[str, str],
    rules: Iterable[CompiledRule],
    changed: set[str] | None = None,
) -> list[Finding]:
    """Findings of the rules over one reporter's figures for one period.

    With `changed`, only rules that mention a changed figure run (entry); without, all (batch).
    """
    findings: list[Finding] = []
    for compiled in rules:
        rule = compiled.rule
        if rule.unit:
            for code, value in values.items():
                if units.get(code) != rule.unit or (changed is not None and code not in changed):
                    continue
                try:
                    ok, left, right = compiled.comparison.holds({"value": value, **values})
                except NotApplicable:
                    continue
                if not ok:
                    findings.append(
                        Finding(
                            rule.code,
                            rule.importance,
                            _message(compiled, left, right, code),
                            frozenset({code}),
                        )
                    )
            continue
        names = compiled.comparison.names
        if changed is not None and not names & changed:
            continue
        try:
            ok, left, right = compiled.comparison.holds(values)
        except NotApplicable:
            continue
        if not ok:
            findings.append(
                Finding(
                    rule.code, rule.importance, _message(compiled, left, right), frozenset(names)
                )
            )
    return findings


def errors_of(findings: Iterable[Finding]) -> list[str]:
    return [f.message for f in findings if f.importance == Importance.ERROR]


def reporter_q(value: DataValue) -> Q:
    """The figures reported by the same reporter for the same period."""
    q = Q(
        period_kind=value.period_kind,
        period_start=value.period_start,
        period_end=value.period_end,
        reported_by=value.reported_by,
    )
    if value.pairing_id is not None:
        return q & Q(pairing_id=value.pairing_id)
    if value.party_region_id is not None:
        return q & Q(party_region_id=value.party_region_id)
    return q & Q(party_organisation_id=value.party_organisation_id)


def outlier_factor() -> Decimal:
    return Decimal(str(getattr(settings, "BANGFU_OUTLIER_FACTOR", 3)))


def outlier_finding(value: DataValue, history: list[Decimal]) -> Finding | None:
    """A flag when the figure exceeds `factor` × the median of the reporter's earlier periods."""
    positive = [v for v in history if v > 0]
    if len(positive) < 2:
        return None
    median = Decimal(statistics.median(positive))
    factor = outlier_factor()
    if value.value <= factor * median:
        return None
    message = _(
        "%(code)s: %(value)s is more than %(factor)s× the median (%(median)s) of earlier periods."
    ) % {
        "code": value.indicator.code,
        "value": _plain(value.value),
        "factor": _plain(factor),
        "median": _plain(median),
    }
    return Finding(OUTLIER, Importance.WARNING, message, frozenset({value.indicator.code}))


def history_of(value: DataValue) -> list[Decimal]:
    """Earlier values of the same indicator, reporter and period kind."""
    same_reporter: dict[str, Any] = {
        "pairing_id": value.pairing_id,
        "party_region_id": value.party_region_id,
        "party_organisation_id": value.party_organisation_id,
    }
    earlier = DataValue.objects.filter(
        indicator_id=value.indicator_id,
        period_kind=value.period_kind,
        period_end__lt=value.period_start,
        reported_by=value.reported_by,
        **same_reporter,
    )
    return list(earlier.values_list("value", flat=True))


def entry_findings(value: DataValue) -> list[Finding]:
    """Rule findings and the outlier check for a value about to be saved."""
    rows = DataValue.objects.filter(reporter_q(value)).exclude(indicator_id=value.indicator_id)
    values = dict(rows.values_list("indicator__code", "value"))
    values[value.indicator.code] = value.value
    units = dict(Indicator.objects.filter(code__in=values).values_list("code", "unit"))
    findings = check(values, units=units, rules=active_rules(), changed={value.indicator.code})
    outlier = outlier_finding(value, history_of(value))
    if outlier is not None:
        findings.append(outlier)
    return findings


@dataclass
class BatchReport:
    checked: int = 0
    flagged: int = 0
    errors: list[str] | None = None


def validate_batch(values: Any) -> BatchReport:
    """Run every rule over the given values (a DataValue queryset), group by group.

    Computed figures a rule mentions are computed for the group's pairing. Findings replace the
    stored flags of the values they concern; errors found in batch are stored as flags too.
    """
    rules = active_rules()
    computed_codes = dict(
        Indicator.objects.filter(is_computed=True).values_list("code", "provider")
    )
    units = dict(Indicator.objects.values_list("code", "unit"))
    groups: dict[tuple[Any, ...], list[DataValue]] = defaultdict(list)
    for value in values.select_related("indicator").order_by():
        key = (
            value.pairing_id,
            value.party_region_id,
            value.party_organisation_id,
            value.reported_by,
            value.period_kind,
            value.period_start,
            value.period_end,
        )
        groups[key].append(value)
    report = BatchReport(errors=[])
    changed: list[DataValue] = []
    for members in groups.values():
        figures = {v.indicator.code: v.value for v in members}
        first = members[0]
        if first.pairing_id is not None:
            wanted = set().union(*(r.comparison.names for r in rules)) & set(computed_codes)
            for code in wanted - figures.keys():
                try:
                    figures[code] = computed.compute(
                        computed_codes[code], [first.pairing_id], first.period
                    )
                except computed.ProviderMissing:
                    continue
        findings = check(figures, units=units, rules=rules)
        for value in members:
            flags = [f.as_flag() for f in findings if value.indicator.code in f.indicators]
            flags += [f for f in value.flags if f.get("rule") == OUTLIER]
            report.checked += 1
            if flags != value.flags:
                value.flags = flags
                changed.append(value)
            if flags:
                report.flagged += 1
        assert report.errors is not None
        report.errors += errors_of(findings)
    DataValue.objects.bulk_update(changed, ["flags"], batch_size=500)
    return report
