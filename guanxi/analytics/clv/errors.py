"""Errors of the CLV models that callers are expected to catch."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.platform.exceptions import ApplicationError

TOO_LITTLE_DATA = _(
    "Too little data to fit %(model)s: %(customers)s customers, %(repeat_buyers)s repeat "
    "buyers (need at least %(min_customers)s customers and %(min_repeat_buyers)s repeat buyers)."
)
ALL_ON_LAST_DAY = _(
    "Too little data to fit BG/NBD: every customer's first purchase is on the last day."
)
SAME_SPEND = _("Too little data to fit Gamma-Gamma: every repeat buyer spends the same amount.")
AT_BOUNDS = _(
    "%(model)s: %(names)s reached the edge of the allowed range (1e-5 to 1e5); the data "
    "hardly determines it, so treat the predictions with care."
)
NOT_CONVERGED = _("The %(model)s fit did not converge on this data.")


class InsufficientDataError(ApplicationError):
    """The data cannot identify the model (too few customers or repeat buyers).

    Callers fall back to the rule-based churn signals and show no CLV figure.
    """

    code = "clv_insufficient_data"
