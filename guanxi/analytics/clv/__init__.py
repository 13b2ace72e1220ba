"""Customer lifetime value: BG/NBD + Gamma-Gamma, fitted in the project with numpy/scipy.

    summary = summarise_transactions(ids, dates, amounts, calibration_end=...)
    purchases = bgnbd.fit(summary.frequency, summary.recency, summary.age)
    spend = gamma_gamma.fit(summary.frequency, summary.monetary)
    values = clv.customer_lifetime_value(purchases, spend, ..., time_unit=summary.time_unit)

`fit_summary` does the two fits and the holdout check in one call (the CLI's work);
`customer_values_from_transactions` fits and predicts every customer (the nightly job's).
"""

from guanxi.analytics.clv.errors import InsufficientDataError
from guanxi.analytics.clv.fitting import (
    CustomerValues,
    FitReport,
    customer_values_from_transactions,
    fit_summary,
)
from guanxi.analytics.clv.summary import TIME_UNITS, Summary, summarise_transactions

__all__ = [
    "TIME_UNITS",
    "CustomerValues",
    "FitReport",
    "InsufficientDataError",
    "Summary",
    "customer_values_from_transactions",
    "fit_summary",
    "summarise_transactions",
]
