"""Errors of the CLV models that callers are expected to catch."""

from __future__ import annotations

from guanxi.platform.exceptions import ApplicationError


class InsufficientDataError(ApplicationError):
    """The data cannot identify the model (too few customers or repeat buyers).

    Callers fall back to the rule-based churn signals and show no CLV figure.
    """

    code = "clv_insufficient_data"
