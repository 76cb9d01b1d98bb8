from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "greenwave.orders"
    label = "orders"
    verbose_name = _("Money and orders")

    def ready(self) -> None:
        from greenwave.core.event_labels import register_activity_labels
        from greenwave.core.jobs import register_periodic

        from . import events, services

        register_periodic(
            "orders_overdue_reminders", services.overdue_reminders_job, every_seconds=300
        )
        register_activity_labels({events.OVERDUE_REMINDED: _("Overdue payment reminder")})
