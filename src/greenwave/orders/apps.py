from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class OrdersConfig(app_config.WiredAppConfig):
    name = "greenwave.orders"
    label = "orders"
    verbose_name = _("Money and orders")
