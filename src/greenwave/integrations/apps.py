from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class IntegrationsConfig(app_config.WiredAppConfig):
    name = "greenwave.integrations"
    label = "integrations"
    verbose_name = _("Integrations")
