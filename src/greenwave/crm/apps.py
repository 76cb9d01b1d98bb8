from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "greenwave.crm"
    label = "crm"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
