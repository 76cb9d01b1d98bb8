from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "greenwave.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .navigation import NavItem, register_nav

        register_nav(NavItem("home", _("Home"), "core:home", "house", order=0))
