from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class OutreachConfig(app_config.WiredAppConfig):
    name = "greenwave.outreach"
    label = "outreach"
    verbose_name = _("Outreach")
