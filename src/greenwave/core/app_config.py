"""The base `AppConfig` of an app whose registrations live in its own `wiring.py`."""

from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig


class WiredAppConfig(AppConfig):
    """An app that plugs into the kernel's registries by its `wiring.register()`.

    Import this module rather than the class into an ``apps.py``: Django takes the one
    ``AppConfig`` subclass it finds there as the app's, and two would leave it none.
    """

    def ready(self) -> None:
        import_module(f"{self.name}.wiring").register()
