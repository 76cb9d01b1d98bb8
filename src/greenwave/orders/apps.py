from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "greenwave.orders"
    label = "orders"
    verbose_name = _("Money and orders")

    def ready(self) -> None:
        from . import wiring

        wiring.register()
