from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class ActivitiesConfig(app_config.WiredAppConfig):
    name = "greenwave.activities"
    label = "activities"
    verbose_name = _("Activities")
