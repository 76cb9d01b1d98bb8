from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class DocumentsConfig(app_config.WiredAppConfig):
    name = "greenwave.documents"
    label = "documents"
    verbose_name = _("Documents")
