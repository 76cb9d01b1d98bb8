"""1C exchange, part two: zip archives (HTTP with zip=yes, uploads, the command) within the
zip-bomb limits of `crm.tabular`, product pictures (validated, size-limited, idempotent,
nothing left behind by a refused file), and groups renamed or moved in 1C."""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, override_settings

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.crm.models import Price, Product, ProductGroup
from greenwave.integrations import pictures, services
from greenwave.integrations.models import (
    ExchangeSource,
    ExchangeStatus,
    OneCExchange,
    OneCFile,
    ProductPicture,
)
from greenwave.integrations.notes import note_text

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "testdata"
EXCHANGE = "/integrations/1c/exchange"
ONEC = override_settings(ONEC_EXCHANGE_USERNAME="1c-exchange", ONEC_EXCHANGE_PASSWORD="s3cret-1c")
PUMP_PICTURE = "import_files/6f/6f1d6bb2-5c8f-11e5-80c5-005056c00008.jpg"
VALVE_PICTURE = "import_files/6f/6f1d6bb4-5c8f-11e5-80c5-005056c00008.png"
VALVE_SKU = "<Артикул>1C-BV-15</Артикул>"


def png(width: int, height: int, *, cut: bool = False) -> bytes:
    """A real PNG (greyscale, 8 bits) built by hand."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return data[:-12] if cut else data


def jpeg(width: int, height: int) -> bytes:
    """The segments of a baseline JPEG up to its frame header, and the end marker."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\x00" * 32 + b"\xff\xd9"


def catalogue(
    encoding: str = "cp1251", *, valve_picture: bool = True, **replace: tuple[str, str]
) -> bytes:
    """The cp1251 (or UTF-8) sample; the valve gets a second picture, other edits by pairs."""
    name = "import_cp1251.xml" if encoding == "cp1251" else "import.xml"
    text = (DATA / name).read_bytes().decode(encoding)
    if valve_picture:
        text = text.replace(VALVE_SKU, f"{VALVE_SKU}<Картинка>{VALVE_PICTURE}</Картинка>", 1)
    for old, new in replace.values():
        assert old in text
        text = text.replace(old, new, 1)
    return text.encode(encoding)


def archive(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as made:
        for name, data in members.items():
            made.writestr(name, data)
    return buffer.getvalue()


def sample_zip(**pictures_by_path: bytes) -> bytes:
    members = {
        "import.xml": catalogue(),
        "offers.xml": (DATA / "offers_cp1251.xml").read_bytes(),
        PUMP_PICTURE: jpeg(640, 480),
        VALVE_PICTURE: png(3, 2),
    }
    members.update({k.replace("__", "/"): v for k, v in pictures_by_path.items()})
    return archive(members)


@pytest.fixture(autouse=True)
def media(settings: Any) -> str:
    """A fresh, empty file storage for each test (the tests' storage lives in memory)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return "product_pictures"


def _signed_in_1c() -> Client:
    """A client of the exchange past its `checkauth` (the session cookie 1C is given)."""
    client = Client()
    answer = client.get(
        EXCHANGE,
        {"type": "catalog", "mode": "checkauth"},
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"1c-exchange:s3cret-1c").decode(),
    )
    client.cookies[services.ONEC_COOKIE] = answer.content.decode().split("\n")[2]
    return client


def _files_on_disk(folder: str) -> set[str]:
    """Every file stored under the folder."""
    if not default_storage.exists(folder):
        return set()
    folders, names = default_storage.listdir(folder)
    found = {f"{folder}/{name}" for name in names}
    for sub in folders:
        found |= _files_on_disk(f"{folder}/{sub}")
    return found


def _pictures() -> dict[str, tuple[str, int, int, str]]:
    return {
        p.source: (p.product.sku, p.width, p.height, p.content_type)
        for p in ProductPicture.objects.select_related("product")
    }


def test_a_zip_of_the_cp1251_samples_imports_products_prices_and_pictures_idempotently(
    admin: User, media: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    upload = [("import-1.zip", sample_zip())]
    exchange = services.onec_import_files(actor=admin, files=upload, source=ExchangeSource.UPLOAD)
    assert exchange.status == ExchangeStatus.SUCCEEDED
    assert Product.objects.count() == 4
    assert Price.objects.count() == 6
    assert _pictures() == {
        PUMP_PICTURE: ("1C-UPS-25-40", 640, 480, "image/jpeg"),
        VALVE_PICTURE: ("1C-BV-15", 3, 2, "image/png"),
    }
    stored = ProductPicture.objects.get(source=VALVE_PICTURE)
    with default_storage.open(stored.file.name, "rb") as handle:
        assert handle.read() == png(3, 2)
    result = next(r for r in exchange.results if "products_created" in r)
    assert (result["pictures_stored"], result["pictures_removed"]) == (2, 0)
    files_before = _files_on_disk(media)
    assert len(files_before) == 2

    again = services.onec_import_files(actor=admin, files=upload, source=ExchangeSource.UPLOAD)
    result = next(r for r in again.results if "products_created" in r)
    assert (result["products_created"], result["products_updated"]) == (0, 0)
    assert (result["pictures_stored"], result["pictures_removed"]) == (0, 0)
    assert _files_on_disk(media) == files_before

    # A new picture replaces the old file (removed once the import commits).
    with django_capture_on_commit_callbacks(execute=True):
        services.onec_import_files(
            actor=admin,
            files=[("import-2.zip", sample_zip(**{VALVE_PICTURE.replace("/", "__"): png(5, 4)}))],
            source=ExchangeSource.UPLOAD,
        )
    assert _pictures()[VALVE_PICTURE] == ("1C-BV-15", 5, 4, "image/png")
    assert len(_files_on_disk(media)) == 2
    assert ProductPicture.objects.get(source=PUMP_PICTURE).file.name in files_before
    # The catalogue no longer names the valve's picture: it goes, with its file.
    with django_capture_on_commit_callbacks(execute=True):
        services.onec_import_files(
            actor=admin,
            files=[("import.xml", catalogue(valve_picture=False))],
            source=ExchangeSource.UPLOAD,
        )
    assert set(_pictures()) == {PUMP_PICTURE}  # not sent this time: kept as it was
    assert len(_files_on_disk(media)) == 1


@ONEC
def test_the_http_exchange_takes_a_zip_in_parts(admin: User, media: str) -> None:
    client = _signed_in_1c()
    init = client.get(EXCHANGE, {"type": "catalog", "mode": "init"}).content.decode()
    assert init.startswith("zip=yes\n")
    data = sample_zip()
    half = len(data) // 2
    for part in (data[:half], data[half:]):
        sent = client.post(
            f"{EXCHANGE}?type=catalog&mode=file&filename=import_20261130.zip",
            data=part,
            content_type="application/octet-stream",
        )
        assert sent.content == b"success\n"
    for name in ("import.xml", "offers.xml"):
        done = client.get(EXCHANGE, {"type": "catalog", "mode": "import", "filename": name})
        assert done.content == b"success\n", done.content.decode()
    assert Product.objects.count() == 4
    assert Price.objects.count() == 6
    assert set(_pictures()) == {PUMP_PICTURE, VALVE_PICTURE}
    exchange = OneCExchange.objects.get()
    assert exchange.status == ExchangeStatus.SUCCEEDED
    assert not OneCFile.objects.exists()  # the archive, files and pictures are forgotten


@ONEC
def test_the_http_exchange_takes_pictures_sent_one_by_one(admin: User, media: str) -> None:
    client = _signed_in_1c()
    for name, data in (
        ("import.xml", catalogue()),
        (PUMP_PICTURE, jpeg(800, 600)),
        (VALVE_PICTURE, png(4, 4)),
    ):
        sent = client.post(
            f"{EXCHANGE}?type=catalog&mode=file&filename={name}",
            data=data,
            content_type="application/octet-stream",
        )
        assert sent.content == b"success\n", sent.content.decode()
    too_big = client.post(
        f"{EXCHANGE}?type=catalog&mode=file&filename=import_files/big.png",
        data=b"\x00" * (pictures.MAX_PICTURE_BYTES + 1),
        content_type="application/octet-stream",
    )
    assert too_big.content.startswith(b"failure\n")
    done = client.get(EXCHANGE, {"type": "catalog", "mode": "import", "filename": "import.xml"})
    assert done.content == b"success\n", done.content.decode()
    assert _pictures() == {
        PUMP_PICTURE: ("1C-UPS-25-40", 800, 600, "image/jpeg"),
        VALVE_PICTURE: ("1C-BV-15", 4, 4, "image/png"),
    }
    assert not OneCFile.objects.exists()
    assert OneCExchange.objects.get().status == ExchangeStatus.SUCCEEDED


def _bomb() -> bytes:
    return archive({"import.xml": catalogue(), "import_files/zero.png": b"\x00" * (3 * 2**20)})


def _too_many() -> bytes:
    from greenwave.crm.tabular import MAX_XLSX_MEMBERS

    return archive(
        {f"import_files/{n}.png": b"" for n in range(MAX_XLSX_MEMBERS + 1)},
        zipfile.ZIP_STORED,
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_bomb(), "zip bomb"),
        (_too_many(), "too many files"),
        (b"PK\x03\x04 not really a zip", "not a readable zip"),
    ],
    ids=["ratio", "members", "broken"],
)
def test_zip_bombs_and_broken_archives_are_refused_before_unpacking(
    admin: User, media: str, data: bytes, words: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.onec_import_files(
            actor=admin, files=[("exchange.zip", data)], source=ExchangeSource.UPLOAD
        )
    assert words in refused.value.message
    assert not Product.objects.exists()
    assert not _files_on_disk(media)
    exchange = OneCExchange.objects.get()
    assert exchange.status == ExchangeStatus.FAILED
    assert Event.objects.filter(activity="onec_import_failed").count() == 1


@ONEC
def test_the_http_exchange_refuses_a_zip_bomb_with_a_failure(admin: User) -> None:
    client = _signed_in_1c()
    client.post(
        f"{EXCHANGE}?type=catalog&mode=file&filename=import.zip",
        data=_bomb(),
        content_type="application/octet-stream",
    )
    done = client.get(EXCHANGE, {"type": "catalog", "mode": "import", "filename": "import.xml"})
    assert done.content.startswith(b"failure\n")
    assert "zip-бомба" in done.content.decode()  # 1C gets the page language: Russian
    assert not Product.objects.exists()
    assert OneCExchange.objects.get().status == ExchangeStatus.FAILED


def test_pictures_that_are_not_images_are_skipped_with_a_warning(admin: User, media: str) -> None:
    cases = {
        PUMP_PICTURE: b"this is a text file renamed to .jpg, long enough",
        VALVE_PICTURE: png(3, 2, cut=True),
    }
    exchange = services.onec_import_files(
        actor=admin,
        files=[("import.zip", archive({"import.xml": catalogue(), **cases}))],
        source=ExchangeSource.UPLOAD,
    )
    assert exchange.status == ExchangeStatus.SUCCEEDED
    assert Product.objects.count() == 4
    assert not ProductPicture.objects.exists()
    warnings = [
        note_text(w)
        for w in next(r for r in exchange.results if "products_created" in r)["warnings"]
    ]
    assert any("not a JPEG, PNG, GIF or WebP" in w and PUMP_PICTURE in w for w in warnings)
    assert any("cut short" in w and VALVE_PICTURE in w for w in warnings)
    assert not _files_on_disk(media)


def test_the_picture_checks_know_the_formats_and_the_limits() -> None:
    assert pictures.inspect(png(7, 3)).width == 7
    assert (pictures.inspect(jpeg(1200, 800)).height, pictures.inspect(jpeg(1, 1)).extension) == (
        800,
        "jpg",
    )
    gif = b"GIF89a" + struct.pack("<HH", 16, 9) + b"\x00" * 20 + b";"
    assert (pictures.inspect(gif).width, pictures.inspect(gif).height) == (16, 9)
    webp_body = b"WEBPVP8X" + struct.pack("<I", 10) + b"\x00" * 4
    webp_body += (99).to_bytes(3, "little") + (49).to_bytes(3, "little")
    webp = b"RIFF" + struct.pack("<I", len(webp_body)) + webp_body
    assert (pictures.inspect(webp).width, pictures.inspect(webp).height) == (100, 50)
    with pytest.raises(pictures.PictureError, match="megapixels"):
        pictures.inspect(
            png(1, 1).replace(struct.pack(">II", 1, 1), struct.pack(">II", 10**5, 10**5))
        )
    with pytest.raises(pictures.PictureError, match="larger than 5 MB"):
        pictures.inspect(b"\xff\xd8\xff" + b"\x00" * pictures.MAX_PICTURE_BYTES)
    assert pictures.clean_picture_path("import_files\\6f\\a.jpg") == "import_files/6f/a.jpg"
    for bad in ("../etc/a.jpg", "/etc/a.jpg", "import_files/a.exe", "a/../../b.png"):
        assert pictures.clean_picture_path(bad) is None


def test_a_refused_catalogue_leaves_no_picture_and_no_file(admin: User, media: str) -> None:
    broken = catalogue(bad=("<Ставка>Без налога</Ставка>", "<Ставка>18</Ставка>"))
    members = {"import.xml": broken, PUMP_PICTURE: jpeg(10, 10), VALVE_PICTURE: png(2, 2)}
    with pytest.raises(DomainError, match="18"):
        services.onec_import_files(
            actor=admin, files=[("import.zip", archive(members))], source=ExchangeSource.UPLOAD
        )
    assert not Product.objects.exists()
    assert not ProductPicture.objects.exists()
    assert not _files_on_disk(media)


def test_the_command_reads_an_archive_and_the_pictures_beside_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zipped = tmp_path / "exchange.zip"
    zipped.write_bytes(sample_zip())
    call_command("commerceml_import", str(zipped))
    assert "pictures_stored=2" in capsys.readouterr().out
    assert set(_pictures()) == {PUMP_PICTURE, VALVE_PICTURE}
    folder = tmp_path / "plain"
    (folder / "import_files" / "6f").mkdir(parents=True)
    (folder / "import.xml").write_bytes(catalogue())
    (folder / PUMP_PICTURE).write_bytes(jpeg(300, 200))
    call_command("commerceml_import", str(folder / "import.xml"))
    assert _pictures()[PUMP_PICTURE] == ("1C-UPS-25-40", 300, 200, "image/jpeg")


GROUPS = {
    "pumps": "0c6cab25-5c8e-11e5-80c5-005056c00008",
    "circulation": "0c6cab26-5c8e-11e5-80c5-005056c00008",
    "valves": "0c6cab27-5c8e-11e5-80c5-005056c00008",
}


def _moved_catalogue() -> bytes:
    """The sample after changes in 1C: «Циркуляционные насосы» renamed, «Трубопроводная
    арматура» moved under «Насосное оборудование», and the valve moved to the circulation
    pumps."""
    text = (DATA / "import.xml").read_text("utf-8")
    valves = (
        "\t\t\t<Группа>\n\t\t\t\t<Ид>0c6cab27-5c8e-11e5-80c5-005056c00008</Ид>\n"
        "\t\t\t\t<Наименование>Трубопроводная арматура (1С)</Наименование>\n\t\t\t</Группа>\n"
    )
    assert valves in text
    text = text.replace(valves, "", 1)
    nested = "\t\t\t\t\t</Группа>\n\t\t\t\t</Группы>"
    assert nested in text
    text = text.replace(
        nested,
        "\t\t\t\t\t</Группа>\n\t\t\t\t\t<Группа><Ид>0c6cab27-5c8e-11e5-80c5-005056c00008</Ид>"
        "<Наименование>Трубопроводная арматура (1С)</Наименование></Группа>\n\t\t\t\t</Группы>",
        1,
    )
    text = text.replace("Циркуляционные насосы (1С)", "Насосы циркуляционные (1С)", 1)
    old_group = f'{VALVE_SKU}\n\t\t\t\t<Наименование>Кран шаровой латунный ½" ВР-ВР</Наименование>'
    assert old_group in text
    valve_at = text.index(VALVE_SKU)
    head, tail = text[:valve_at], text[valve_at:]
    tail = tail.replace(GROUPS["valves"], GROUPS["circulation"], 1)
    return (head + tail).encode()


def test_groups_renamed_and_moved_in_1c_rename_and_move_the_same_groups(admin: User) -> None:
    services.onec_import_files(
        actor=admin, files=[("import.xml", (DATA / "import.xml").read_bytes())], source="upload"
    )
    pumps = ProductGroup.objects.get(name="Насосное оборудование (1С)")
    circulation = ProductGroup.objects.get(name="Циркуляционные насосы (1С)")
    valves = ProductGroup.objects.get(name="Трубопроводная арматура (1С)")
    assert valves.parent is None
    assert Product.objects.get(sku="1C-BV-15").group == valves
    groups_before = ProductGroup.objects.count()

    exchange = services.onec_import_files(
        actor=admin, files=[("import.xml", _moved_catalogue())], source="upload"
    )
    circulation.refresh_from_db()
    valves.refresh_from_db()
    assert circulation.name == "Насосы циркуляционные (1С)"
    assert circulation.parent == pumps
    assert valves.parent == pumps
    assert ProductGroup.objects.count() == groups_before
    assert Product.objects.get(sku="1C-BV-15").group == circulation
    assert exchange.results[0]["groups_changed"] == 2
    changes = Event.objects.filter(activity="product_group_changed").order_by("pk")
    assert [e.payload["after"] for e in changes] == [
        {"name": "Насосы циркуляционные (1С)", "parent": "Насосное оборудование (1С)"},
        {"name": "Трубопроводная арматура (1С)", "parent": "Насосное оборудование (1С)"},
    ]

    again = services.onec_import_files(
        actor=admin, files=[("import.xml", _moved_catalogue())], source="upload"
    )
    assert again.results[0]["groups_changed"] == 0
    assert Event.objects.filter(activity="product_group_changed").count() == 2


def test_a_rename_onto_a_name_taken_here_keeps_the_groups_apart(admin: User) -> None:
    services.onec_import_files(
        actor=admin, files=[("import.xml", (DATA / "import.xml").read_bytes())], source="upload"
    )
    crm_services.product_group_create(actor=admin, name="Насосы")
    renamed = (
        (DATA / "import.xml")
        .read_text("utf-8")
        .replace("Циркуляционные насосы (1С)", "Насосы", 1)
        .encode()
    )
    for _ in range(2):  # the same answer on a repeated import
        services.onec_import_files(actor=admin, files=[("import.xml", renamed)], source="upload")
        group = Product.objects.get(sku="1C-UPS-25-40").group
        assert group is not None
        assert group.name == "Насосы (Насосное оборудование (1С))"
    assert ProductGroup.objects.filter(name="Насосы").count() == 1
    assert Event.objects.filter(activity="product_group_changed").count() == 1


def test_a_group_is_never_moved_under_its_own_subgroup(admin: User) -> None:
    top = crm_services.product_group_create(actor=admin, name="Top")
    child = crm_services.product_group_create(actor=admin, name="Child", parent=top)
    with pytest.raises(DomainError, match="subgroups"):
        crm_services.product_group_update(actor=admin, group=top, name="Top", parent=child)
    top.refresh_from_db()
    assert top.parent is None


def test_pictures_are_listed_in_the_api_and_served_to_signed_in_users(
    admin: User, make_user: Callable[..., User], bearer: Any
) -> None:
    services.onec_import_files(
        actor=admin, files=[("import.zip", sample_zip())], source=ExchangeSource.UPLOAD
    )
    valve = Product.objects.get(sku="1C-BV-15")
    hunter = make_user("hunter-pics", roles=["hunter"])
    listed = bearer(hunter).get(f"/api/v1/products/{valve.pk}/pictures")
    assert listed.status_code == 200
    [row] = listed.json()
    assert (row["source"], row["width"], row["height"], row["content_type"]) == (
        VALVE_PICTURE,
        3,
        2,
        "image/png",
    )
    assert bearer(hunter).get("/api/v1/products/999999/pictures").status_code == 404
    assert Client().get(row["url"]).status_code == 302  # to the sign-in page
    browser = Client()
    browser.force_login(hunter)
    served = browser.get(row["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png(3, 2)
    assert browser.get("/integrations/1c/pictures/999999").status_code == 404
