from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class PlanningConfig(app_config.WiredAppConfig):
    name = "greenwave.planning"
    label = "planning"
    verbose_name = _("Planning")
