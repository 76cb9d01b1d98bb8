"""A fixed-window rate limit on the shared cache (Redis when scaled out, memory otherwise)."""

from __future__ import annotations

from django.core.cache import cache


def rate_limited(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key`; True once the window already holds `limit` hits."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return False
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return False
    return hits > limit


def rate_limit_hits(key: str) -> int:
    """How many hits the current window of `key` holds (without counting one)."""
    return int(cache.get(f"ratelimit:{key}", 0))
