"""Platform pages: home, health check, jobs and the recycle bin (general.py), imports."""

from guanxi.platform.views.general import (
    healthz,
    home,
    job_cancel,
    job_detail,
    raise_404,
    recycle_bin,
    recycle_bin_purge,
    recycle_bin_restore,
)

__all__ = [
    "healthz",
    "home",
    "job_cancel",
    "job_detail",
    "raise_404",
    "recycle_bin",
    "recycle_bin_purge",
    "recycle_bin_restore",
]
