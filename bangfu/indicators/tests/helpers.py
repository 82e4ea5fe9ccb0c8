"""Shared test helpers: approved figures entered by the platform itself."""

from __future__ import annotations

from typing import Any

from bangfu.accounts.scopes import SYSTEM
from bangfu.indicators import services
from bangfu.indicators.models import DataValue, Indicator
from bangfu.indicators.periods import Period


def approved(pairing: Any, side: str, code: str, value: str, period: Period) -> DataValue:
    figure = services.data_value_set(
        actor=SYSTEM,
        indicator=Indicator.objects.get(code=code),
        period=period,
        value=value,
        pairing=pairing,
        reported_by=side,
    ).value
    services.data_value_submit(actor=SYSTEM, data_value=figure)
    return services.data_value_approve(actor=SYSTEM, data_value=figure)
