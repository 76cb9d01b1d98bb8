from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatagenConfig(AppConfig):
    """The synthetic data generator (`generate_dataset`) used by bench/ and by analytics tests."""

    name = "greenwave.datagen"
    label = "datagen"
    verbose_name = _("Synthetic data")

    def ready(self) -> None:
        from greenwave.core.demo import register_demo_seeder

        from .demo import seed_history

        # After the people, clients and catalogue; before the leads, activities and days.
        register_demo_seeder("history", seed_history, order=25)
