"""FEEL built-ins: context functions (10.3.4.9)."""

from __future__ import annotations

from typing import Any

from feeldmn.feel.builtins._registry import builtin

# ---------------------------------------------------------------------------- context


@builtin("get value", "m", "key")
def _get_value(m: Any, key: Any) -> Any:
    if not isinstance(m, dict):
        return None
    if isinstance(key, str):
        return m.get(key)
    if isinstance(key, list):
        current: Any = m
        for k in key:
            if not isinstance(current, dict) or not isinstance(k, str):
                return None
            current = current.get(k)
        return current
    return None


@builtin("get entries", "m")
def _get_entries(m: Any) -> Any:
    if not isinstance(m, dict):
        return None
    return [{"key": k, "value": v} for k, v in m.items()]


def _put(context: dict[str, Any], keys: list[Any], value: Any) -> Any:
    key = keys[0]
    if not isinstance(key, str):
        return None
    out = dict(context)
    if len(keys) == 1:
        out[key] = value
        return out
    inner = out.get(key)
    if not isinstance(inner, dict):
        return None
    nested = _put(inner, keys[1:], value)
    if nested is None:
        return None
    out[key] = nested
    return out


@builtin("context put", "context", "keys", "value")
def _context_put(context: Any, keys: Any, value: Any) -> Any:
    if not isinstance(context, dict):
        return None
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, list) or not keys:
        return None
    return _put(context, keys, value)


@builtin("context put", "context", "key", "value")
def _context_put_key(context: Any, key: Any, value: Any) -> Any:
    if not isinstance(key, str):
        return None
    return _context_put(context, [key], value)


@builtin("context merge", "contexts")
def _context_merge(contexts: Any) -> Any:
    if not isinstance(contexts, list):
        return None
    out: dict[str, Any] = {}
    for c in contexts:
        if not isinstance(c, dict):
            return None
        out.update(c)
    return out
