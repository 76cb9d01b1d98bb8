from django.utils.translation import gettext_lazy as _

from greenwave.core import app_config


class DatagenConfig(app_config.WiredAppConfig):
    """The synthetic data generator (`generate_dataset`) used by bench/ and by analytics tests."""

    name = "greenwave.datagen"
    label = "datagen"
    verbose_name = _("Synthetic data")
