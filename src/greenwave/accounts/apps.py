from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "greenwave.accounts"
    label = "accounts"
    verbose_name = _("Users and teams")

    def ready(self) -> None:
        from greenwave.core.demo import register_demo_seeder
        from greenwave.core.event_labels import register_activity_labels
        from greenwave.core.home import HomeCard, register_home_card
        from greenwave.core.navigation import NavItem, register_nav

        from . import events, signals
        from .demo import seed_people
        from .tour import tour_card

        signals.connect()
        register_demo_seeder("people", seed_people, order=0)
        register_home_card(HomeCard("tour", "accounts/partials/tour_card.html", tour_card, order=1))

        def is_admin(user: object) -> bool:
            return bool(getattr(user, "is_greenwave_admin", False))

        for order, (key, label, url, icon) in enumerate(
            [
                ("users", _("Users"), "accounts:user_list", "people"),
                ("teams", _("Teams"), "accounts:team_list", "diagram-3"),
                ("roles", _("Roles"), "accounts:role_list", "shield-lock"),
            ]
        ):
            register_nav(
                NavItem(key, label, url, icon, section="admin", order=order, visible=is_admin)
            )
        register_activity_labels(
            {
                events.USER_CREATED: _("User created"),
                events.USER_CHANGED: _("User changed"),
                events.TEAM_CREATED: _("Team created"),
                events.TEAM_CHANGED: _("Team changed"),
                events.TOKEN_ISSUED: _("API token issued"),
                events.TOKEN_REVOKED: _("API token revoked"),
                events.ROLE_CHANGED: _("Role changed"),
            }
        )
