from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class AccountsConfig(app_config.WiredAppConfig):
    name = "greenwave.accounts"
    label = "accounts"
    verbose_name = _("Users and teams")
