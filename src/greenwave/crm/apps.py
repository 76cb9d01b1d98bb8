from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class CrmConfig(app_config.WiredAppConfig):
    name = "greenwave.crm"
    label = "crm"
    verbose_name = _("Clients")
