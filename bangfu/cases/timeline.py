"""What a timeline step recorded, in words: translated field labels and choice labels.

`CaseStep.data` stores codes under the service's field names ("result": "consistent"); pages
and the command line show them as the user's language says them ("比对结果：与申报一致").
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.cases.choices import (
    CaseSource,
    CaseState,
    ComparisonResult,
    Department,
    EliminationWay,
    ReviewResult,
    RiskType,
)
from bangfu.cases.models import CaseStep
from bangfu.households.choices import MonitoringCategory

FIELD_LABELS: dict[str, Any] = {
    "source": pgettext_lazy("case", "source"),
    "department": _("alerting department"),
    "notes": pgettext_lazy("case", "notes"),
    "signer": _("signed by (person number)"),
    "authorisation_scan": _("scan of the signed authorisation"),
    "result": pgettext_lazy("case", "result"),
    "notice_start": _("notice from"),
    "notice_end": _("notice until"),
    "objections": _("objections"),
    "objection_handling": _("how the objections were handled"),
    "monitoring_category": _("monitoring category"),
    "risk_types": _("risk types"),
    "way": _("elimination way"),
    "reason": pgettext_lazy("case", "reason"),
}


def _choice(choices: Any) -> Callable[[Any], str]:
    def label(value: Any) -> str:
        return str(choices(value).label) if value in choices.values else str(value)

    return label


def _result(step: CaseStep) -> Callable[[Any], str]:
    if step.to_state == CaseState.COMPARED:
        return _choice(ComparisonResult)
    return _choice(ReviewResult)


def _risks(value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    return "、".join(_choice(RiskType)(v) for v in values)


def _file(value: Any) -> str:
    return posixpath.basename(str(value or ""))


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def step_entries(step: CaseStep) -> list[tuple[str, str]]:
    """(label, value) of each thing the step recorded, in order; empty ones left out."""
    formatters: dict[str, Callable[[Any], str]] = {
        "source": _choice(CaseSource),
        "department": _choice(Department),
        "result": _result(step),
        "monitoring_category": _choice(MonitoringCategory),
        "risk_types": _risks,
        "way": _choice(EliminationWay),
        "authorisation_scan": _file,
    }
    entries = []
    for key, value in (step.data or {}).items():
        if value in (None, "", []):
            continue
        label = FIELD_LABELS.get(key, key)
        entries.append((str(label), formatters.get(key, _plain)(value)))
    return entries
