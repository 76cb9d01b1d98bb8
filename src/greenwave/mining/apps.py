from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class MiningConfig(app_config.WiredAppConfig):
    name = "greenwave.mining"
    label = "mining"
    verbose_name = _("Process mining")
