from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class BpmConfig(app_config.WiredAppConfig):
    name = "greenwave.bpm"
    label = "bpm"
    verbose_name = _("Business processes")
