"""Personalised subject and body: a Django template engine of its own, sandboxed.

The engine has no loaders (no `include`/`extends` can reach a file), none of Django's default
tags or filters — only `if` and a few text filters registered below — and the context holds
plain strings of the whitelisted variables only, so a template cannot reach a model, a method
or a setting. A template is checked when the campaign is saved: a broken tag or an unknown
variable is a clear error naming the field, not a failure in the worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import FilterExpression, Template, VariableNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from greenwave.core.errors import DomainError

from .errors import OutreachError

# The variables a template may use, with what each holds (shown in the editor).
VARIABLES: dict[str, Any] = {
    "first_name": gettext_lazy("first name"),
    "patronymic": gettext_lazy("patronymic"),
    "last_name": gettext_lazy("surname"),
    "name_and_patronymic": gettext_lazy("name and patronymic («Иван Петрович»)"),
    "full_name": gettext_lazy("full name"),
    "company": gettext_lazy("company"),
    "position": gettext_lazy("position"),
    "manager": gettext_lazy("manager's name"),
    "manager_email": gettext_lazy("manager's e-mail"),
    "manager_phone": gettext_lazy("manager's phone"),
    "holiday": gettext_lazy("holiday (holiday greetings)"),
    "stage": gettext_lazy("deal stage (stage-triggered messages)"),
}

sandbox = Library()
sandbox.tag("if", defaulttags.do_if)
for _name in ("default", "upper", "lower", "title", "capfirst", "truncatewords"):
    sandbox.filter(_name, getattr(defaultfilters, _name))


class SandboxEngine(Engine):
    default_builtins: list[str] = []


_ENGINE = SandboxEngine(
    dirs=[], app_dirs=False, loaders=[("django.template.loaders.locmem.Loader", {})], debug=False
)
_ENGINE.template_builtins = [sandbox]

URL = re.compile(r"https?://[^\s<>\"'()]+[^\s<>\"'().,;:!?]")


def _variables(nodes: Any) -> Iterator[str]:
    for node in nodes:
        expressions: list[FilterExpression] = []
        if isinstance(node, VariableNode):
            expressions.append(node.filter_expression)
        for condition, _nodelist in getattr(node, "conditions_nodelists", []):
            expressions.extend(_condition_expressions(condition))
        for expression in expressions:
            var = expression.var
            lookups = getattr(var, "lookups", None)
            if lookups:
                yield ".".join(lookups)
        for attr in getattr(node, "child_nodelists", ()):
            yield from _variables(getattr(node, attr, None) or [])
        if hasattr(node, "conditions_nodelists"):
            for _condition, nodelist in node.conditions_nodelists:
                yield from _variables(nodelist)


def _condition_expressions(condition: Any) -> Iterator[FilterExpression]:
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value
    for side in ("first", "second"):
        child = getattr(condition, side, None)
        if child is not None:
            yield from _condition_expressions(child)


# With a context: «body» is «тело» of an HTTP request elsewhere (integrations), «текст» here.
FIELD_LABELS = {
    "subject": pgettext_lazy("letter", "subject"),
    "body": pgettext_lazy("letter", "body"),
}


def compile_template(source: str, *, field: str) -> Template:
    """Parse a template; a 400 naming the field for a syntax error or an unknown variable."""
    label = str(FIELD_LABELS.get(field, field))
    try:
        template = _ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        message = _("The %(field)s template is broken: %(error)s") % {
            "field": label,
            "error": exc,
        }
        raise DomainError(
            OutreachError.TEMPLATE_INVALID, message, details={"fields": {field: message}}
        ) from exc
    unknown = sorted({v for v in _variables(template.nodelist) if v not in VARIABLES})
    if unknown:
        message = _("Unknown variables in the %(field)s: %(names)s. Available: %(known)s.") % {
            "field": label,
            "names": ", ".join(unknown),
            "known": ", ".join(VARIABLES),
        }
        raise DomainError(
            OutreachError.TEMPLATE_INVALID, message, details={"fields": {field: message}}
        )
    return template


def render(source: str, variables: Mapping[str, str], *, field: str) -> str:
    context = {name: str(variables.get(name, "")) for name in VARIABLES}
    return compile_template(source, field=field).render(Context(context, autoescape=False))


def urls_in(text: str) -> list[str]:
    """The links of a body, in order, each once: the only targets a click may redirect to."""
    seen: dict[str, None] = {}
    for match in URL.finditer(text):
        seen.setdefault(match.group(0), None)
    return list(seen)
