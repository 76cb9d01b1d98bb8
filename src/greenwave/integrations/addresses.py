"""Where a webhook may go (SSRF guard) and the HTTP POST that goes only there.

A URL is refused unless every address its host resolves to is public, or the host is listed in
`WEBHOOK_ALLOWED_HOSTS`. The check runs when a subscription is saved and again at every send,
and the send connects to the very address that was checked (no second DNS lookup a rebinding
resolver could answer differently). Redirects are never followed: `http.client` does not.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from greenwave.core.errors import DomainError

from .errors import IntegrationsError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESPONSE_EXCERPT = 500


def _refused(message: str) -> DomainError:
    return DomainError(IntegrationsError.ADDRESS_REFUSED, message, details={"field": "url"})


def allowed_hosts() -> set[str]:
    raw = getattr(settings, "WEBHOOK_ALLOWED_HOSTS", [])
    if isinstance(raw, str):
        raw = raw.split(",")
    return {h.strip().lower().strip("[]") for h in raw if h.strip()}


def is_public(address: IPAddress) -> bool:
    """A routable unicast address of the internet: not private, loopback, link-local,
    multicast, reserved, unspecified or shared (CGNAT)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the request connects to


def _parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise _refused(_("This is not a valid URL.")) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise _refused(_("Give an https:// address."))
    if parts.username or parts.password:
        raise _refused(_("The address must not carry a user name or password."))
    listed = host in allowed_hosts()
    if parts.scheme == "http" and not listed:
        raise _refused(_("Webhooks go over HTTPS (plain http only to a host in the allowed list)."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """Check the URL and pick the address to connect to; `DomainError` when refused."""
    scheme, host, port, path = _parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _refused(_("The host %(host)s cannot be resolved.") % {"host": host}) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise _refused(_("The host %(host)s cannot be resolved.") % {"host": host})
    if host not in allowed_hosts():
        closed = [str(a) for a in addresses if not is_public(a)]
        if closed:
            raise _refused(
                _(
                    "The host %(host)s is a private, loopback or reserved address (%(addr)s); "
                    "webhooks go only to public addresses unless the host is listed in "
                    "WEBHOOK_ALLOWED_HOSTS."
                )
                % {"host": host, "addr": ", ".join(closed)}
            )
    return Target(scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed IP address, verifying the certificate for the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    excerpt: str
    duration_ms: int
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> PostResult:
    """POST the body to the checked address; never raises for network trouble."""
    started = time.monotonic()
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout)
    else:
        connection = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    default_port = 443 if target.scheme == "https" else 80
    if target.port != default_port:
        host_header += f":{target.port}"
    try:
        connection.request("POST", target.path, body=body, headers={**headers, "Host": host_header})
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
        return PostResult(response.status, excerpt, _ms(started), "")
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return PostResult(None, "", _ms(started), (str(exc) or type(exc).__name__)[:300])
    finally:
        connection.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
