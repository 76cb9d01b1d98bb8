from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class AnalyticsConfig(app_config.WiredAppConfig):
    name = "greenwave.analytics"
    label = "analytics"
    verbose_name = _("Analytics")
