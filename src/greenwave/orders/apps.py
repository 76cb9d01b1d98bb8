from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "greenwave.orders"
    label = "orders"
    verbose_name = _("Money and orders")

    def ready(self) -> None:
        from greenwave.accounts.models import SALES_ROLES, RoleCode
        from greenwave.core.demo import register_demo_seeder
        from greenwave.core.event_labels import register_activity_labels
        from greenwave.core.jobs import register_periodic
        from greenwave.core.navigation import NavItem, register_nav

        from . import events, services
        from .demo import seed_money

        register_periodic(
            "orders_overdue_reminders", services.overdue_reminders_job, every_seconds=300
        )
        money_roles = (RoleCode.FINANCE, RoleCode.ACCOUNTANT)
        register_nav(
            NavItem(
                "payments",
                _("Payments"),
                "orders:payment_list",
                "cash-coin",
                order=60,
                roles=(*money_roles, RoleCode.HEAD_OF_SALES),
            )
        )
        register_nav(
            NavItem(
                "receivables",
                _("Receivables"),
                "orders:receivables",
                "hourglass-split",
                order=61,
                roles=(*money_roles, *SALES_ROLES),
            )
        )
        register_demo_seeder("money", seed_money, order=45)
        register_activity_labels({events.OVERDUE_REMINDED: _("Overdue payment reminder")})
