"""Product pictures from 1C and the zip archives they come in: pure functions over bytes.

A picture is kept only if its bytes are a whole JPEG, PNG, GIF or WebP image whose header
gives sane dimensions (read here from the format's own header: no image library is needed to
refuse a renamed file, a truncated upload or a decompression bomb of 100 000 × 100 000
pixels). Archives are checked against the zip-bomb limits of `crm.tabular.zip_members` before
any member is unpacked.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from greenwave.crm.tabular import MAX_XLSX_RATIO, MAX_XLSX_UNPACKED, ZipLimitError, zip_members

from .commerceml import MAX_FILE_BYTES, CommerceMLError
from .notes import Note, note

MAX_PICTURE_BYTES = 5 * 1024 * 1024
MAX_PICTURE_PIXELS = 40_000_000  # 8 000 × 5 000
MAX_PICTURES_PER_PRODUCT = 20
PICTURE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")
_PATH_PART = re.compile(r"^[\w\-. ]{1,120}$")


class PictureError(ValueError):
    """Why some bytes are not a picture Greenwave keeps (a translated sentence)."""


@dataclass(frozen=True)
class PictureInfo:
    content_type: str
    extension: str
    width: int
    height: int


def is_picture_name(name: str) -> bool:
    return (name or "").lower().split("?")[0].endswith(PICTURE_EXTENSIONS)


def clean_picture_path(name: str) -> str | None:
    """The relative path 1C names a picture by (`import_files/6f/….jpg`), normalised; None for
    anything else: an absolute path, `..`, odd characters or another extension."""
    raw = (name or "").replace("\\", "/").strip()
    while raw.startswith("./"):
        raw = raw[2:]
    if not raw or raw.startswith("/") or len(raw) > 200 or not is_picture_name(raw):
        return None
    parts = raw.split("/")
    if any(p in ("", ".", "..") or not _PATH_PART.match(p) for p in parts):
        return None
    return posixpath.join(*parts)


def _dimensions(data: bytes) -> tuple[str, str, int, int]:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        if not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
            raise PictureError(_("the PNG image is cut short."))
        return "image/png", "png", width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        if not data.rstrip(b"\x00").endswith(b";"):
            raise PictureError(_("the GIF image is cut short."))
        return "image/gif", "gif", width, height
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        (riff_size,) = struct.unpack("<I", data[4:8])
        if riff_size + 8 > len(data):
            raise PictureError(_("the WebP image is cut short."))
        chunk = data[12:16]
        if chunk == b"VP8X":
            width = 1 + int.from_bytes(data[24:27], "little")
            height = 1 + int.from_bytes(data[27:30], "little")
        elif chunk == b"VP8L" and data[20] == 0x2F:
            bits = int.from_bytes(data[21:25], "little")
            width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        elif chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
            width, height = (v & 0x3FFF for v in struct.unpack("<HH", data[26:30]))
        else:
            raise PictureError(_("the WebP image has no readable header."))
        return "image/webp", "webp", width, height
    if data[:3] == b"\xff\xd8\xff":
        if b"\xff\xd9" not in data[-1024:]:
            raise PictureError(_("the JPEG image is cut short."))
        return ("image/jpeg", "jpg", *_jpeg_size(data))
    raise PictureError(_("the file is not a JPEG, PNG, GIF or WebP image."))


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Walk the JPEG segments to the frame header (SOFn) that carries the size."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF and pos + 9 <= len(data):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        if length < 2:
            break
        pos += 2 + length
    raise PictureError(_("the JPEG image has no frame header."))


def inspect(data: bytes) -> PictureInfo:
    """What image the bytes are, or `PictureError` saying why they are not one we keep."""
    if len(data) > MAX_PICTURE_BYTES:
        raise PictureError(
            _("the picture is larger than %(mb)d MB.") % {"mb": MAX_PICTURE_BYTES // 2**20}
        )
    if len(data) < 24:
        raise PictureError(_("the file is not a JPEG, PNG, GIF or WebP image."))
    try:
        content_type, extension, width, height = _dimensions(data)
    except (struct.error, IndexError):
        raise PictureError(_("the image header is broken.")) from None
    if width <= 0 or height <= 0:
        raise PictureError(_("the image header gives no size."))
    if width * height > MAX_PICTURE_PIXELS:
        raise PictureError(
            _("the image is %(w)d × %(h)d pixels; at most %(mp)d megapixels are kept.")
            % {"w": width, "h": height, "mp": MAX_PICTURE_PIXELS // 1_000_000}
        )
    return PictureInfo(content_type, extension, width, height)


# --- zip archives (the 1C protocol with zip=yes, uploads and the command) -------------------


@dataclass
class Unpacked:
    """What an archive held: CommerceML files by name, pictures by their relative path, and
    what was left out (named in the import's warnings)."""

    documents: list[tuple[str, bytes]] = field(default_factory=list)
    pictures: dict[str, bytes] = field(default_factory=dict)
    warnings: list[Note] = field(default_factory=list)


def unzip(name: str, content: bytes) -> Unpacked:
    """Unpack a 1C archive within the zip-bomb limits; `CommerceMLError` for a broken or
    oversized archive, before anything is unpacked."""
    try:
        members = zip_members(content)
    except ZipLimitError as exc:
        raise CommerceMLError(_archive_refusal(name, exc)) from None
    result = Unpacked()
    with zipfile.ZipFile(BytesIO(content)) as archive:
        for member in members:
            if member.is_dir():
                continue
            path = member.filename.replace("\\", "/")
            base = path.rsplit("/", 1)[-1]
            if base.lower().endswith(".xml"):
                if member.file_size > MAX_FILE_BYTES:
                    raise CommerceMLError(
                        _("%(name)s in the archive is larger than %(mb)d MB.")
                        % {"name": base, "mb": MAX_FILE_BYTES // 2**20}
                    )
                result.documents.append((base, _read(archive, member, name)))
                continue
            picture = clean_picture_path(path)
            if picture is None:
                result.warnings.append(
                    note(
                        gettext_noop(
                            "%(archive)s: %(member)s is neither CommerceML nor a picture; skipped."
                        ),
                        {"archive": name, "member": path[:200]},
                    )
                )
            elif member.file_size > MAX_PICTURE_BYTES:
                result.warnings.append(
                    note(
                        gettext_noop(
                            "%(archive)s: the picture %(member)s is larger than %(mb)d MB; skipped."
                        ),
                        {"archive": name, "member": picture, "mb": MAX_PICTURE_BYTES // 2**20},
                    )
                )
            else:
                result.pictures[picture] = _read(archive, member, name)
    return result


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> bytes:
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        raise CommerceMLError(
            _("%(archive)s: %(member)s cannot be unpacked (damaged or encrypted).")
            % {"archive": name, "member": member.filename[:200]}
        ) from None


def _archive_refusal(name: str, exc: ZipLimitError) -> str:
    if exc.reason == "members":
        return _("%(archive)s has too many files (%(n)d).") % {"archive": name, "n": exc.size}
    if exc.reason == "unpacked":
        return _("%(archive)s unpacks to %(mb)d MB; at most %(max)d MB are accepted.") % {
            "archive": name,
            "mb": exc.size // 2**20,
            "max": MAX_XLSX_UNPACKED // 2**20,
        }
    if exc.reason == "ratio":
        return _(
            "%(archive)s: %(member)s unpacks to more than %(ratio)d times its size (a zip "
            "bomb?); refused."
        ) % {"archive": name, "member": exc.member[:200], "ratio": MAX_XLSX_RATIO}
    return _("%(archive)s is not a readable zip archive.") % {"archive": name}
