"""The URL paths of an entity's standard pages, written once for every app's `urls.py`.

An entity's pages follow one convention: the view `<entity>_<verb>` in the app's `views`
module answers the route named `<entity>_<verb>` at the entity's prefix plus the verb's
suffix — the list at the prefix, the new-record form at `new/`, a record at `<int:pk>/`, its
edit form at `<int:pk>/edit/`, and any other verb (`delete`, `complete`, `send`…) as an
action of a record at `<int:pk>/<verb>/`. A page that sits elsewhere names its suffix
(`edit="<int:pk>/"`).

Pages that are no entity's (a board, a report, a settings page) follow a plainer one: the
route's name is its view's name, give or take a suffix the app's views share (`_page`), so an
app lists each page once as `name="route/"` through `view_paths`.
"""

from __future__ import annotations

from types import ModuleType

from django.urls import URLPattern, path

SUFFIXES = {
    "list": "",
    "create": "new/",
    "export": "export/",
    "deleted": "deleted/",
    "import": "import/",
    "detail": "<int:pk>/",
    "edit": "<int:pk>/edit/",
}


def entity_paths(
    views: ModuleType, entity: str, prefix: str, *verbs: str, **suffixes: str
) -> list[URLPattern]:
    """The paths of `entity`'s pages under `prefix`, in the order given: `verbs` at their
    standard suffixes, then the ones `suffixes` places themselves."""
    placed = {verb: SUFFIXES.get(verb, f"<int:pk>/{verb}/") for verb in verbs} | suffixes
    return [
        path(prefix + suffix, getattr(views, f"{entity}_{verb}"), name=f"{entity}_{verb}")
        for verb, suffix in placed.items()
    ]


def view_paths(views: ModuleType, *, view_suffix: str = "", **routes: str) -> list[URLPattern]:
    """One path per `name="route/"`, in the order given: the view `<name><view_suffix>` of
    `views` at `route`, the route named `name`."""
    return [
        path(route, getattr(views, name + view_suffix), name=name) for name, route in routes.items()
    ]
