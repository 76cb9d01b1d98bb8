from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class SalesConfig(app_config.WiredAppConfig):
    name = "greenwave.sales"
    label = "sales"
    verbose_name = _("Sales")
