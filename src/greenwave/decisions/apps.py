from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class DecisionsConfig(app_config.WiredAppConfig):
    name = "greenwave.decisions"
    label = "decisions"
    verbose_name = _("Decisions")
