"""Indicators computed from records (meetings, fund flows, projects), never entered by hand.

A provider is a function (pairing ids, period) → Decimal, registered under the key stored in
`Indicator.provider`. Providers do not check permissions: callers pass pairing ids they have
already scoped. Each provider runs one aggregate query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from bangfu.indicators.periods import Period
from bangfu.pairings.models import Meeting, MeetingKind

Provider = Callable[[Sequence[int], Period], Decimal]
_REGISTRY: dict[str, Provider] = {}


class ProviderMissing(LookupError):
    """No provider is registered under this key."""


def register(key: str) -> Callable[[Provider], Provider]:
    def decorate(function: Provider) -> Provider:
        _REGISTRY[key] = function
        return function

    return decorate


def provider_keys() -> list[str]:
    return sorted(_REGISTRY)


def compute(key: str, pairing_ids: Sequence[int], period: Period) -> Decimal:
    try:
        provider = _REGISTRY[key]
    except KeyError:
        raise ProviderMissing(key) from None
    return provider(pairing_ids, period)


# Meetings ---------------------------------------------------------------------------------------


def _meeting_provider(kind: str) -> Provider:
    def count(pairing_ids: Sequence[int], period: Period) -> Decimal:
        meetings = Meeting.objects.filter(
            pairing_id__in=pairing_ids, kind=kind, date__range=(period.start, period.end)
        )
        return Decimal(meetings.count())

    return count


for _kind in MeetingKind:
    register(f"meetings.{_kind.value}")(_meeting_provider(_kind.value))


# Fund flows -------------------------------------------------------------------------------------


def _flows(pairing_ids: Sequence[int], period: Period) -> QuerySet[Any]:
    """Fund flows are booked per year: a period of whole years selects by year; any other
    period selects the flows dated inside it (undated flows then do not count)."""
    from bangfu.funds.models import FundFlow

    flows = FundFlow.objects.filter(pairing_id__in=pairing_ids)
    years = period.whole_years
    if years is not None:
        return flows.filter(year__gte=years.start, year__lt=years.stop)
    return flows.filter(date__range=(period.start, period.end))


def _stage_provider(stage: str, sources: Sequence[str] | None = None) -> Provider:
    def total(pairing_ids: Sequence[int], period: Period) -> Decimal:
        from bangfu.funds.ledger import stage_totals

        flows = _flows(pairing_ids, period)
        if sources is not None:
            flows = flows.filter(source_kind__in=sources)
        return stage_totals(flows).of(stage)

    return total


def _register_fund_providers() -> None:
    from bangfu.funds.models import FISCAL_SOURCES, SourceKind, Stage

    for stage in Stage:
        register(f"funds.{stage.value}")(_stage_provider(stage.value))
    register("funds.fiscal")(_stage_provider(Stage.ARRIVED, FISCAL_SOURCES))
    register("funds.donation_cash")(_stage_provider(Stage.ARRIVED, [SourceKind.DONATION_CASH]))
    register("funds.donation_in_kind")(
        _stage_provider(Stage.ARRIVED, [SourceKind.DONATION_IN_KIND])
    )

    def rate(numerator: str, denominator: str) -> Provider:
        def percent(pairing_ids: Sequence[int], period: Period) -> Decimal:
            from bangfu.core.money import ratio
            from bangfu.funds.ledger import stage_totals

            totals = stage_totals(_flows(pairing_ids, period))
            share = ratio(totals.of(numerator), totals.of(denominator))
            return Decimal(0) if share is None else share * 100

        return percent

    register("funds.arrival_rate")(rate(Stage.ARRIVED, Stage.PLANNED))
    register("funds.disbursement_rate")(rate(Stage.PAID_OUT, Stage.ARRIVED))


_register_fund_providers()


# Projects ---------------------------------------------------------------------------------------

_PROJECT_SUMS = {
    "villages": "beneficiary_villages",
    "households": "beneficiary_households",
    "people": "beneficiary_people",
    "linked_poor": "linked_registered_poor",
}


def _projects_q(pairing_ids: Sequence[int], period: Period) -> Q:
    """Projects started in the years the period touches."""
    return Q(
        pairing_id__in=pairing_ids,
        start_year__gte=period.start.year,
        start_year__lte=period.end.year,
    )


@register("projects.count")
def _project_count(pairing_ids: Sequence[int], period: Period) -> Decimal:
    from bangfu.projects.models import Project

    result = Project.objects.filter(_projects_q(pairing_ids, period)).aggregate(n=Count("pk"))
    return Decimal(result["n"])


def _project_sum(field: str) -> Provider:
    def total(pairing_ids: Sequence[int], period: Period) -> Decimal:
        from bangfu.projects.models import Project

        result = Project.objects.filter(_projects_q(pairing_ids, period)).aggregate(s=Sum(field))
        return Decimal(result["s"] or 0)

    return total


for _key, _field in _PROJECT_SUMS.items():
    register(f"projects.{_key}")(_project_sum(_field))
