"""The URL paths of an entity's standard pages, written once for every app's `urls.py`.

An entity's pages follow one convention: the view `<entity>_<verb>` in the app's `views`
module answers the route named `<entity>_<verb>` at the entity's prefix plus the verb's
suffix — the list at the prefix, the new-record form at `new/`, a record at `<int:pk>/`, its
edit form at `<int:pk>/edit/`, and any other verb (`delete`, `complete`, `send`…) as an
action of a record at `<int:pk>/<verb>/`. A page that sits elsewhere names its suffix
(`edit="<int:pk>/"`).
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
