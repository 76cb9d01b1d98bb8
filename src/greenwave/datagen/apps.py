from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatagenConfig(AppConfig):
    """The synthetic data generator (`generate_dataset`) used by bench/ and by analytics tests."""

    name = "greenwave.datagen"
    label = "datagen"
    verbose_name = _("Synthetic data")
