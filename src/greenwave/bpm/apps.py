from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BpmConfig(AppConfig):
    name = "greenwave.bpm"
    label = "bpm"
    verbose_name = _("Business processes")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
