"""The annual scorecard of a pairing: weighted indicators against targets, graded 好/较好/一般/差.

Weights, the scoring rule and the grade bands are configured per year (ScorecardConfig); the
official ones are not public. Approving a card freezes it as a snapshot: later changes to
figures, targets or weights do not change an approved card.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import Role
from bangfu.accounts.scopes import require_pairing_role
from bangfu.core.errors import ValidationFailed
from bangfu.core.models import AuditAction
from bangfu.core.services import audit_record, snapshot
from bangfu.indicators import selectors
from bangfu.indicators.models import ScorecardConfig, ScorecardSnapshot, ScoringRule
from bangfu.indicators.periods import Period
from bangfu.pairings.models import Pairing

GRADES = ("好", "较好", "一般", "差")


@dataclass(frozen=True)
class CardLine:
    indicator: str
    name: str
    weight: str
    target: str | None
    actual: str | None
    achieved_percent: str | None
    score: str


@dataclass(frozen=True)
class Card:
    pairing_id: int
    pairing: str
    year: int
    scoring_rule: str
    lines: list[CardLine]
    score: str
    max_score: str
    grade: str
    computed_at: str


def grade_for(config: ScorecardConfig, score_percent: Decimal) -> str:
    if score_percent >= config.good_from:
        return GRADES[0]
    if score_percent >= config.fairly_good_from:
        return GRADES[1]
    if score_percent >= config.average_from:
        return GRADES[2]
    return GRADES[3]


def _line_score(
    rule: str, weight: Decimal, target: Decimal | None, actual: Decimal | None
) -> Decimal:
    if not target or actual is None:
        return Decimal(0)
    share = min(actual / target, Decimal(1))
    if rule == ScoringRule.ALL_OR_NOTHING:
        return weight if share >= 1 else Decimal(0)
    return (weight * share).quantize(Decimal("0.01"))


def compute(*, user: Any, pairing: Pairing, year: int, today: dt.date | None = None) -> Card:
    """The card as the figures stand now (not stored)."""
    config = ScorecardConfig.objects.filter(year=year).prefetch_related("items__indicator").first()
    if config is None:
        raise ValidationFailed(
            {"year": [_("No scorecard is configured for %(year)s.") % {"year": year}]}
        )
    today = today or timezone.localdate()
    period = Period.year(year)
    targets = {
        t.indicator_id: t.value
        for t in selectors.target_list(user=user, pairing=pairing).filter(
            period_kind=period.kind.value, period_start=period.start, period_end=period.end
        )
    }
    rows = list(selectors.value_list(user=user, pairing=pairing, within=period))
    lines = []
    total = max_total = Decimal(0)
    for item in config.items.all():
        indicator = item.indicator
        figures = selectors._by_period(
            [r for r in rows if r.indicator_id == indicator.pk], indicator
        )
        actual = selectors.actual_for(indicator, period, figures, [pairing.pk], today).value
        target = targets.get(indicator.pk)
        score = _line_score(config.scoring_rule, item.weight, target, actual)
        total += score
        max_total += item.weight
        achieved = (
            (actual / target * 100).quantize(Decimal("0.1"))
            if target and actual is not None
            else None
        )
        lines.append(
            CardLine(
                indicator.code,
                indicator.name_zh,
                str(item.weight),
                None if target is None else str(target),
                None if actual is None else str(actual),
                None if achieved is None else str(achieved),
                str(score),
            )
        )
    percent = (total / max_total * 100) if max_total else Decimal(0)
    return Card(
        pairing.pk,
        str(pairing),
        year,
        config.scoring_rule,
        lines,
        str(total.quantize(Decimal("0.01"))),
        str(max_total),
        grade_for(config, percent),
        timezone.now().isoformat(),
    )


@transaction.atomic
def scorecard_approve(*, actor: Any, pairing: Pairing, year: int) -> ScorecardSnapshot:
    """Freeze the card as it stands (reviewers); an approved year cannot be approved again."""
    require_pairing_role(actor, pairing, Role.REVIEWER)
    if ScorecardSnapshot.objects.filter(pairing=pairing, year=year).exists():
        raise ValidationFailed({"year": [_("The scorecard of this year is already approved.")]})
    card = compute(user=actor, pairing=pairing, year=year)
    frozen = ScorecardSnapshot.objects.create(
        pairing=pairing,
        year=year,
        card=asdict(card),
        grade=card.grade,
        approved_by_id=getattr(actor, "pk", None),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=frozen,
        after=snapshot(frozen),
        region_code=pairing.region_code(),
        pairing_id=pairing.pk,
    )
    return frozen
