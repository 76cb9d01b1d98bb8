from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "greenwave.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .navigation import NavItem, register_nav
        from .sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="greenwave_unicode_like")

        register_nav(NavItem("home", _("Home"), "core:home", "house", order=0))
