from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "guanxi.platform"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Registers the "platform.import" job handler so any worker can run imports.
        from guanxi.platform.imports import services  # noqa: F401
