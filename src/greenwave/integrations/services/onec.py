"""The 1C exchange (CommerceML 2): sessions, uploaded files, catalogue and offers import,
pictures, and orders sent to 1C (`onec_*`)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.record_change import record_insert
from greenwave.core.services import event_append_for
from greenwave.crm import services as crm_services
from greenwave.crm.models import PriceList, Product, ProductGroup
from greenwave.sales.models import Deal, DealStatus

from .. import commerceml, pictures
from .. import events as log_events
from ..commerceml import MAX_FILE_BYTES, CommerceMLError, Document, Item
from ..errors import IntegrationsError
from ..models import (
    ExchangeKind,
    ExchangeSource,
    ExchangeStatus,
    OneCExchange,
    OneCFile,
    OneCLink,
    OneCLinkKind,
    OneCOrderMark,
    ProductPicture,
)
from ..notes import Note, note
from ..pictures import MAX_PICTURE_BYTES, MAX_PICTURES_PER_PRODUCT
from .common import require_admin

# --- 1C exchange (CommerceML 2) ------------------------------------------------------------

ONEC_SESSION_TTL = timedelta(hours=1)
ONEC_COOKIE = "gw_1c_exchange"
CATALOG_FILE = re.compile(r"^[\w.\-]{1,150}\.xml$", re.ASCII)
ARCHIVE_FILE = re.compile(r"^[\w.\-]{1,150}\.zip$", re.ASCII)
PictureSource = Callable[[str], bytes | None]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def onec_credentials_ok(username: str, password: str) -> bool:
    """HTTP Basic of 1C against ONEC_EXCHANGE_USERNAME / ONEC_EXCHANGE_PASSWORD."""
    expected_user = getattr(settings, "ONEC_EXCHANGE_USERNAME", "")
    expected_password = getattr(settings, "ONEC_EXCHANGE_PASSWORD", "")
    if not expected_user or not expected_password:
        raise DomainError(
            IntegrationsError.EXCHANGE_NOT_CONFIGURED,
            _(
                "The 1C exchange is switched off: set ONEC_EXCHANGE_USERNAME and "
                "ONEC_EXCHANGE_PASSWORD."
            ),
            status=403,
        )
    same_user = hmac.compare_digest(username.encode(), expected_user.encode())
    same_password = hmac.compare_digest(password.encode(), expected_password.encode())
    return same_user and same_password


@transaction.atomic
def onec_session_open(*, kind: str) -> tuple[OneCExchange, str]:
    """checkauth: a new exchange and the cookie value 1C sends back on every later call."""
    token = secrets.token_urlsafe(32)
    exchange = OneCExchange(
        kind=kind,
        source=ExchangeSource.HTTP,
        session_hash=_hash(token),
        session_expires_at=timezone.now() + ONEC_SESSION_TTL,
    )
    record_insert(
        exchange,
        activity=log_events.ONEC_EXCHANGE_STARTED,
        actor=None,
        payload={"kind": kind, "source": ExchangeSource.HTTP},
    )
    return exchange, token


def onec_session_get(*, token: str, kind: str) -> OneCExchange | None:
    if not token:
        return None
    now = timezone.now()
    exchange = OneCExchange.objects.filter(
        session_hash=_hash(token), kind=kind, session_expires_at__gt=now
    ).first()
    if exchange is not None:
        OneCExchange.objects.filter(pk=exchange.pk).update(
            session_expires_at=now + ONEC_SESSION_TTL
        )
    return exchange


def _clean_file_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not CATALOG_FILE.match(base):
        raise CommerceMLError(
            _("«%(name)s» is not a CommerceML file name (letters, digits, . _ - and .xml).")
            % {"name": name[:100]}
        )
    return base


def _clean_upload_name(name: str) -> str:
    """The name a file of `mode=file` is kept under: a CommerceML file or a zip archive by its
    base name, a picture by its path (`import_files/6f/….jpg`, as the catalogue names it)."""
    if pictures.is_picture_name(name):
        path = pictures.clean_picture_path(name)
        if path is None:
            raise CommerceMLError(
                _("«%(name)s» is not a picture path 1C sends (import_files/…).")
                % {"name": name[:100]}
            )
        return path
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if ARCHIVE_FILE.match(base):
        return base
    return _clean_file_name(name)


@transaction.atomic
def onec_file_append(*, exchange: OneCExchange, name: str, data: bytes) -> OneCFile:
    """mode=file: 1C may send a file in several parts; they are joined until mode=import.
    A zip archive (zip=yes) is unpacked at the import; pictures wait for the catalogue that
    names them."""
    clean = _clean_upload_name(name)
    limit = MAX_PICTURE_BYTES if pictures.is_picture_name(clean) else MAX_FILE_BYTES
    upload, _new = OneCFile.objects.select_for_update().get_or_create(exchange=exchange, name=clean)
    if len(upload.content) + len(data) > limit:
        raise CommerceMLError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": clean, "mb": limit // (1024 * 1024)}
        )
    upload.content = bytes(upload.content) + data
    upload.save(update_fields=["content", "updated_at"])
    return upload


def _link_map(kind: str, guids: Iterable[str]) -> dict[str, int]:
    return dict(
        OneCLink.objects.filter(kind=kind, guid__in=list(set(guids))).values_list(
            "guid", "object_id"
        )
    )


def _crm_error(exc: DomainError, line: int) -> CommerceMLError:
    return CommerceMLError(exc.message, line)


def _free_group_name(name: str, parent: ProductGroup | None, guid: str, own_pk: int | None) -> str:
    """The 1C name, or when another group has it, the name with its parent (or the start of
    the 1C id) in brackets — the same answer on every import, so renames stay idempotent."""
    taken = {
        n.casefold() for pk, n in ProductGroup.objects.values_list("pk", "name") if pk != own_pk
    }
    candidates = [name, f"{name} ({parent.name})" if parent else "", f"{name} ({guid[:8]})"]
    for candidate in candidates:
        if candidate and candidate.casefold() not in taken and len(candidate) <= 255:
            return candidate
    return f"{name[:200]} ({guid})"[:255]


def _import_groups(actor: User | None, doc: Document) -> tuple[dict[str, ProductGroup], int]:
    """The groups of the classifier by 1C id: a known id keeps its group, renamed and moved
    as 1C has it now; a new one takes a free group of that name or gets a new group."""
    links = _link_map(OneCLinkKind.GROUP, (g.guid for g in doc.groups))
    by_guid: dict[str, ProductGroup] = {}
    existing = {g.pk: g for g in ProductGroup.objects.filter(pk__in=list(links.values()))}
    changed = 0
    for group in doc.groups:  # parents come before their children in the file
        parent = by_guid.get(group.parent_guid) if group.parent_guid else None
        known = existing.get(links.get(group.guid, -1))
        if known is not None:
            name = (
                group.name
                if known.name == group.name
                else _free_group_name(group.name, parent, group.guid, known.pk)
            )
            if name != known.name or known.parent_id != (parent.pk if parent else None):
                try:
                    known = crm_services.product_group_update(
                        actor=actor, group=known, name=name, parent=parent
                    )
                except DomainError as exc:
                    raise _crm_error(exc, group.line) from None
                changed += 1
            by_guid[group.guid] = known
            continue
        found = ProductGroup.objects.filter(name__iexact=group.name).first()
        if (
            found is not None
            and OneCLink.objects.filter(kind=OneCLinkKind.GROUP, object_id=found.pk).exists()
        ):
            found = None  # the name belongs to another 1C group: keep them apart
            name = _free_group_name(group.name, parent, group.guid, None)
        else:
            name = group.name
        try:
            made = found or crm_services.product_group_create(actor=actor, name=name, parent=parent)
        except DomainError as exc:
            raise _crm_error(exc, group.line) from None
        OneCLink.objects.update_or_create(
            kind=OneCLinkKind.GROUP, guid=group.guid, defaults={"object_id": made.pk}
        )
        by_guid[group.guid] = made
    return by_guid, changed


def _import_items(
    actor: User | None,
    doc: Document,
    groups: dict[str, ProductGroup],
    sync: _PictureSync | None = None,
) -> tuple[int, int]:
    links = _link_map(OneCLinkKind.PRODUCT, (i.guid for i in doc.items))
    products = {p.pk: p for p in Product.objects.filter(pk__in=list(links.values()))}
    missing_groups = [i for i in doc.items if i.group_guid and i.group_guid not in groups]
    if missing_groups:
        group_links = _link_map(OneCLinkKind.GROUP, (i.group_guid or "" for i in missing_groups))
        for pk, group in ProductGroup.objects.in_bulk(list(group_links.values())).items():
            for guid, object_id in group_links.items():
                if object_id == pk:
                    groups[guid] = group
    created = updated = 0
    for item in doc.items:
        if item.group_guid and item.group_guid not in groups:
            raise CommerceMLError(
                _("the product refers to group %(id)s, which is not in the classifier.")
                % {"id": item.group_guid},
                item.line,
            )
        fields: dict[str, Any] = {
            "name": item.name,
            "group": groups.get(item.group_guid or ""),
            "unit": item.unit,
            "description": item.description,
            "is_active": item.is_active,
        }
        if item.vat_rate is not None:
            fields["vat_rate"] = item.vat_rate
        product = products.get(links.get(item.guid, -1))
        if product is None and item.sku:
            product = Product.objects.filter(sku__iexact=item.sku).first()
            if (
                product is not None
                and OneCLink.objects.filter(
                    kind=OneCLinkKind.PRODUCT, object_id=product.pk
                ).exists()
            ):
                raise CommerceMLError(
                    _("the article %(sku)s is already another 1C product's.") % {"sku": item.sku},
                    item.line,
                )
        try:
            if product is None:
                sku = item.sku or item.guid[:64]
                product = crm_services.product_create(actor=actor, sku=sku, **fields)
                created += 1
            else:
                if item.sku:
                    fields["sku"] = item.sku
                before = product.updated_at
                product = crm_services.product_update(actor=actor, product=product, **fields)
                updated += int(product.updated_at != before)
        except DomainError as exc:
            raise _crm_error(exc, item.line) from None
        OneCLink.objects.update_or_create(
            kind=OneCLinkKind.PRODUCT, guid=item.guid, defaults={"object_id": product.pk}
        )
        if sync is not None:
            sync.product(product, item)
    return created, updated


def _import_offers(actor: User | None, doc: Document) -> tuple[int, int]:
    links = _link_map(OneCLinkKind.PRICE_TYPE, (p.guid for p in doc.price_types))
    lists = {p.pk: p for p in PriceList.objects.filter(pk__in=list(links.values()))}
    by_guid: dict[str, PriceList] = {}
    for kind in doc.price_types:
        price_list = lists.get(links.get(kind.guid, -1))
        if price_list is None:
            price_list = PriceList.objects.filter(name__iexact=kind.name).first()
            try:
                if price_list is None:
                    price_list = crm_services.price_list_create(
                        actor=actor, name=kind.name, kind="base", currency=kind.currency
                    )
                OneCLink.objects.update_or_create(
                    kind=OneCLinkKind.PRICE_TYPE,
                    guid=kind.guid,
                    defaults={"object_id": price_list.pk},
                )
            except (DomainError, IntegrityError) as exc:
                message = exc.message if isinstance(exc, DomainError) else str(exc)
                raise CommerceMLError(message, kind.line) from None
        by_guid[kind.guid] = price_list
    if doc.offers and not doc.price_types:
        known = _link_map(OneCLinkKind.PRICE_TYPE, (g for o in doc.offers for g in o.prices))
        for guid, pk in known.items():
            by_guid[guid] = PriceList.objects.get(pk=pk)
    products = _link_map(OneCLinkKind.PRODUCT, (o.product_guid for o in doc.offers))
    wanted: dict[str, dict[int, Decimal]] = {}
    for offer in doc.offers:
        if offer.product_guid not in products:
            raise CommerceMLError(
                _(
                    "the offer is for product %(id)s, which Greenwave does not have: import the "
                    "catalogue (import.xml) first."
                )
                % {"id": offer.product_guid},
                offer.line,
            )
        for kind_guid, amount in offer.prices.items():
            if kind_guid not in by_guid:
                raise CommerceMLError(
                    _("unknown price type %(id)s.") % {"id": kind_guid}, offer.line
                )
            wanted.setdefault(kind_guid, {})[products[offer.product_guid]] = amount
    changed = 0
    for kind_guid, prices in wanted.items():
        try:
            changes = crm_services.prices_set(
                actor=actor, price_list=by_guid[kind_guid], prices=prices
            )
        except DomainError as exc:
            raise CommerceMLError(exc.message) from None
        changed += len(changes)
    return len(by_guid), changed


class _PictureSync:
    """Keeps each product's pictures as the catalogue lists them (`<Картинка>`): a new or
    changed picture is stored as a file, an unchanged one (same path, same bytes) is left
    alone, one the catalogue no longer names is removed. A picture whose bytes did not come
    with the file keeps what was stored before. Files are written before the transaction
    commits: `discard` removes them if it rolls back; old files go only after the commit."""

    def __init__(self, source: PictureSource | None, warnings: list[Note]) -> None:
        self.source = source
        self.warnings = warnings
        self.saved_files: list[str] = []
        self.stored = 0
        self.removed = 0
        self._with_pictures: set[int] | None = None  # products that have some (one query)

    def _forget(self, name: str) -> None:
        transaction.on_commit(lambda: default_storage.delete(name))

    def discard(self) -> None:
        for name in self.saved_files:
            default_storage.delete(name)
        self.saved_files = []

    def product(self, product: Product, item: Item) -> None:
        wanted: list[str] = []
        for raw in item.pictures:
            path = pictures.clean_picture_path(raw)
            if path is None:
                self.warnings.append(
                    note(
                        gettext_noop("Line %(line)s: «%(path)s» is not a picture path; skipped."),
                        {"line": item.line, "path": raw[:200]},
                    )
                )
            elif path not in wanted:
                wanted.append(path)
        if len(wanted) > MAX_PICTURES_PER_PRODUCT:
            self.warnings.append(
                note(
                    gettext_noop(
                        "Line %(line)s: only the first %(n)d pictures of a product are kept."
                    ),
                    {"line": item.line, "n": MAX_PICTURES_PER_PRODUCT},
                )
            )
            wanted = wanted[:MAX_PICTURES_PER_PRODUCT]
        if self._with_pictures is None:
            self._with_pictures = set(
                ProductPicture.objects.values_list("product_id", flat=True).distinct()
            )
        if not wanted and product.pk not in self._with_pictures:
            return  # nothing listed, nothing kept: no query per product of a large catalogue
        current = {p.source: p for p in ProductPicture.objects.filter(product=product)}
        for position, path in enumerate(wanted):
            self._one(product, item, path, position, current.get(path))
        for path, stale in current.items():
            if path not in wanted:
                self._forget(stale.file.name)
                stale.delete()
                self.removed += 1

    def _one(
        self, product: Product, item: Item, path: str, position: int, kept: ProductPicture | None
    ) -> None:
        data = self.source(path) if self.source is not None else None
        if data is None:
            if kept is None:
                self.warnings.append(
                    note(
                        gettext_noop(
                            "Line %(line)s: the picture %(path)s was not sent with the file."
                        ),
                        {"line": item.line, "path": path},
                    )
                )
            elif kept.position != position:
                ProductPicture.objects.filter(pk=kept.pk).update(position=position)
            return
        try:
            info = pictures.inspect(data)
        except pictures.PictureError as exc:
            self.warnings.append(
                note(
                    gettext_noop("Line %(line)s: the picture %(path)s is not kept: %(why)s"),
                    {"line": item.line, "path": path, "why": exc},
                )
            )
            return
        digest = hashlib.sha256(data).hexdigest()
        if kept is not None and kept.sha256 == digest:
            if kept.position != position:
                ProductPicture.objects.filter(pk=kept.pk).update(position=position)
            return
        name = default_storage.save(
            f"product_pictures/{product.pk}/{digest[:20]}.{info.extension}", ContentFile(data)
        )
        self.saved_files.append(name)
        fields = {
            "file": name,
            "sha256": digest,
            "content_type": info.content_type,
            "size": len(data),
            "width": info.width,
            "height": info.height,
            "position": position,
        }
        if kept is not None:
            self._forget(kept.file.name)
        ProductPicture.objects.update_or_create(product=product, source=path, defaults=fields)
        self.stored += 1


def _import_document(
    actor: User | None, name: str, data: bytes, sync: _PictureSync
) -> dict[str, Any]:
    doc = commerceml.parse(data)
    sync.warnings = doc.warnings
    result: dict[str, Any] = {"file": name, "warnings": doc.warnings}
    groups, groups_changed = _import_groups(actor, doc)
    if doc.has_catalog or doc.groups:
        created, updated = _import_items(actor, doc, groups, sync)
        result.update(
            groups=len(doc.groups),
            products_created=created,
            products_updated=updated,
            groups_changed=groups_changed,
            pictures_stored=sync.stored,
            pictures_removed=sync.removed,
        )
    if doc.has_offers:
        lists, changed = _import_offers(actor, doc)
        result.update(price_lists=lists, prices_changed=changed)
    return result


def _exchange_failed(
    actor: User | None, exchange: OneCExchange, name: str, exc: DomainError
) -> None:
    with transaction.atomic():
        locked = OneCExchange.objects.select_for_update().get(pk=exchange.pk)
        locked.results = [*locked.results, {"file": name, "error": exc.message}]
        locked.status, locked.error = ExchangeStatus.FAILED, exc.message
        locked.finished_at = timezone.now()
        locked.save()
        event_append_for(
            locked,
            activity=log_events.ONEC_IMPORT_FAILED,
            actor=actor,
            payload={"file": name, "error": exc.message, "line": exc.details.get("line")},
        )


def _exchange_note(exchange: OneCExchange, entry: dict[str, Any]) -> None:
    with transaction.atomic():
        locked = OneCExchange.objects.select_for_update().get(pk=exchange.pk)
        locked.results = [*locked.results, entry]
        locked.save(update_fields=["results", "updated_at"])


def onec_import(
    *,
    actor: User | None,
    exchange: OneCExchange,
    name: str,
    data: bytes,
    picture_bytes: PictureSource | None = None,
) -> dict[str, Any]:
    """Import one CommerceML file: all of it or nothing of it (its pictures' files too). The
    exchange keeps the result (or the error) either way, with an event. `picture_bytes` gives the
    bytes of a picture by the path the catalogue names it with (None: not sent)."""
    sync = _PictureSync(picture_bytes, [])
    try:
        with transaction.atomic():
            result = _import_document(actor, name, data, sync)
            activity = (
                log_events.ONEC_OFFERS_IMPORTED
                if "prices_changed" in result and "products_created" not in result
                else log_events.ONEC_CATALOG_IMPORTED
            )
            locked = OneCExchange.objects.select_for_update().get(pk=exchange.pk)
            locked.results = [*locked.results, result]
            locked.save(update_fields=["results", "updated_at"])
            event_append_for(locked, activity=activity, actor=actor, payload=result)
    except DomainError as exc:
        sync.discard()
        _exchange_failed(actor, exchange, name, exc)
        raise
    except BaseException:
        sync.discard()
        raise
    return result


def onec_exchange_start(*, actor: User | None, kind: str, source: str) -> OneCExchange:
    require_admin(actor)
    return record_insert(
        OneCExchange(kind=kind, source=source, started_by=actor),
        activity=log_events.ONEC_EXCHANGE_STARTED,
        actor=actor,
        payload={"kind": kind, "source": source},
    )


def onec_exchange_finish(*, exchange: OneCExchange) -> None:
    OneCExchange.objects.filter(pk=exchange.pk, status=ExchangeStatus.OPEN).update(
        status=ExchangeStatus.SUCCEEDED, finished_at=timezone.now()
    )


def _catalog_first(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The catalogue before the offers that price it, whatever order the files came in."""
    return sorted(
        files,
        key=lambda f: (
            b"\xd0\x9f\xd0\xb0\xd0\xba\xd0\xb5\xd1\x82" in f[1] or "offers" in f[0].lower()
        ),
    )


def _gather(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], pictures.Unpacked]:
    """Split uploaded files into CommerceML documents and pictures, unpacking zip archives
    (within the zip-bomb limits). A picture uploaded alone is found by its base name too."""
    found = pictures.Unpacked()
    for name, data in files:
        lower = name.lower()
        if lower.endswith(".zip"):
            inside = pictures.unzip(name, data)
            found.documents.extend(inside.documents)
            found.pictures.update(inside.pictures)
            found.warnings.extend(inside.warnings)
        elif pictures.is_picture_name(lower):
            path = pictures.clean_picture_path(name)
            if path is None:
                found.warnings.append(
                    note(
                        gettext_noop("«%(name)s» is not a picture path; skipped."),
                        {"name": name[:200]},
                    )
                )
            else:
                found.pictures[path] = data
        else:
            found.documents.append((name, data))
    return found.documents, found


def _picture_lookup(found: dict[str, bytes]) -> PictureSource:
    by_base = {path.rsplit("/", 1)[-1]: data for path, data in found.items()}

    def lookup(path: str) -> bytes | None:
        return found.get(path) or by_base.get(path.rsplit("/", 1)[-1])

    return lookup


def onec_import_files(
    *, actor: User | None, files: list[tuple[str, bytes]], source: str
) -> OneCExchange:
    """A manual upload or `commerceml_import`: CommerceML files, zip archives of them with
    their pictures, or pictures beside them. Each file all-or-nothing, stop at the first
    error (the offers of a refused catalogue would not find their products)."""
    exchange = onec_exchange_start(actor=actor, kind=ExchangeKind.CATALOG, source=source)
    try:
        documents, found = _gather(files)
    except DomainError as exc:
        _exchange_failed(actor, exchange, ", ".join(n for n, _d in files)[:200], exc)
        raise
    if found.warnings:
        _exchange_note(exchange, {"file": _("archives"), "warnings": found.warnings})
    if not documents:
        error = CommerceMLError(_("No CommerceML file (import.xml, offers.xml) was given."))
        _exchange_failed(actor, exchange, "", error)
        raise error
    lookup = _picture_lookup(found.pictures)
    for name, data in _catalog_first(documents):
        onec_import(actor=actor, exchange=exchange, name=name, data=data, picture_bytes=lookup)
    onec_exchange_finish(exchange=exchange)
    exchange.refresh_from_db()
    return exchange


def _unpack_session_archives(exchange: OneCExchange) -> None:
    """The zip archives 1C sent in this session (zip=yes) become their files."""
    with transaction.atomic():
        archives = list(
            OneCFile.objects.select_for_update().filter(exchange=exchange, name__endswith=".zip")
        )
        for archive in archives:
            inside = pictures.unzip(archive.name, bytes(archive.content))
            for name, data in inside.documents:
                OneCFile.objects.update_or_create(
                    exchange=exchange, name=_clean_file_name(name), defaults={"content": data}
                )
            for path, data in inside.pictures.items():
                OneCFile.objects.update_or_create(
                    exchange=exchange, name=path, defaults={"content": data}
                )
            if inside.warnings:
                _exchange_note(exchange, {"file": archive.name, "warnings": inside.warnings})
            archive.delete()


def _session_pictures(exchange: OneCExchange) -> PictureSource:
    def lookup(path: str) -> bytes | None:
        content = (
            OneCFile.objects.filter(exchange=exchange, name=path)
            .values_list("content", flat=True)
            .first()
        )
        return bytes(content) if content is not None else None

    return lookup


def onec_session_import(*, exchange: OneCExchange, name: str) -> dict[str, Any]:
    """mode=import: import the file 1C uploaded in this session (alone or in a zip archive)
    with the pictures it names, then forget its bytes; the last file imported forgets the
    session's pictures too."""
    clean = _clean_file_name(name)
    try:
        _unpack_session_archives(exchange)
    except DomainError as exc:
        _exchange_failed(None, exchange, clean, exc)
        raise
    upload = OneCFile.objects.filter(exchange=exchange, name=clean).first()
    if upload is None:
        raise CommerceMLError(_("The file %(name)s was not uploaded.") % {"name": clean})
    result = onec_import(
        actor=None,
        exchange=exchange,
        name=clean,
        data=bytes(upload.content),
        picture_bytes=_session_pictures(exchange),
    )
    upload.delete()
    if not OneCFile.objects.filter(exchange=exchange, name__endswith=".xml").exists():
        OneCFile.objects.filter(exchange=exchange).delete()
        onec_exchange_finish(exchange=exchange)
    return result


# --- Orders to 1C (type=sale) --------------------------------------------------------------

ORDERS_PER_QUERY = 500


def _orders_due() -> list[Any]:
    confirmed = OneCOrderMark.objects.filter(confirmed_at__isnull=False).values("deal_id")
    return list(
        Deal.objects.filter(status=DealStatus.WON, items__isnull=False)
        .exclude(pk__in=confirmed)
        .select_related("company")
        .prefetch_related("items__product")
        .distinct()
        .order_by("closed_at", "pk")[:ORDERS_PER_QUERY]
    )


def _as_order(deal: Any, product_guids: dict[int, str]) -> commerceml.Order:
    lines = [
        commerceml.OrderLine(
            guid=product_guids.get(item.product_id, item.product.sku),
            sku=item.product.sku,
            name=item.product.name,
            unit=item.product.unit,
            quantity=item.quantity,
            price=item.price,
            total=item.total,
        )
        for item in deal.items.all()
    ]
    company = deal.company
    return commerceml.Order(
        number=str(deal.pk),
        guid=f"greenwave-deal-{deal.pk}",
        when=timezone.localtime(deal.closed_at or deal.created_at),
        currency=deal.currency,
        amount=sum((line.total for line in lines), Decimal(0)),
        comment=deal.title,
        client_guid=f"greenwave-company-{company.pk}" if company else "greenwave-company-none",
        client_name=company.name if company else "—",
        client_inn=company.inn if company else "",
        client_kpp=company.kpp if company else "",
        lines=lines,
    )


@transaction.atomic
def onec_orders_query(*, exchange: OneCExchange) -> bytes:
    """mode=query: the won deals with lines 1C has not confirmed yet, as CommerceML."""
    deals = _orders_due()
    links = dict(
        OneCLink.objects.filter(
            kind=OneCLinkKind.PRODUCT,
            object_id__in={i.product_id for d in deals for i in d.items.all()},
        ).values_list("object_id", "guid")
    )
    now = timezone.now()
    for deal in deals:
        OneCOrderMark.objects.update_or_create(
            deal_id=deal.pk, defaults={"exchange": exchange, "sent_at": now}
        )
    document = commerceml.orders_document(
        [_as_order(d, links) for d in deals], generated_at=timezone.localtime(now)
    )
    event_append_for(
        exchange,
        activity=log_events.ONEC_ORDERS_EXPORTED,
        actor=None,
        payload={"deals": [d.pk for d in deals]},
    )
    return document


@transaction.atomic
def onec_orders_confirm(*, exchange: OneCExchange) -> int:
    """mode=success: 1C took the orders of this session; they are not sent again."""
    now = timezone.now()
    marks = OneCOrderMark.objects.filter(exchange=exchange, confirmed_at__isnull=True)
    deal_ids = list(marks.values_list("deal_id", flat=True))
    marks.update(confirmed_at=now)
    event_append_for(
        exchange,
        activity=log_events.ONEC_ORDERS_CONFIRMED,
        actor=None,
        payload={"deals": deal_ids},
    )
    OneCExchange.objects.filter(pk=exchange.pk).update(
        status=ExchangeStatus.SUCCEEDED,
        finished_at=now,
        results=[{"orders": len(deal_ids)}],
    )
    return len(deal_ids)


def onec_configured() -> bool:
    return bool(
        getattr(settings, "ONEC_EXCHANGE_USERNAME", "")
        and getattr(settings, "ONEC_EXCHANGE_PASSWORD", "")
    )


def onec_username() -> str:
    return str(getattr(settings, "ONEC_EXCHANGE_USERNAME", ""))
