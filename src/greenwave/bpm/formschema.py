"""User-task forms: the small schema from the BPMN file rendered as a Django form (UI),
validated the same way for the API, and described as JSON schema.

A schema is a list of fields: {name, label, type, required, choices, min, max, help}, with
type one of string, text, integer, decimal, boolean, date, choice, user (a login), file (an
upload kept with the process: see `services.task_complete`; the HTML form's upload, or through
the API a multipart part or a JSON object {"filename", "content_base64"}: `json_files`).
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.forms import BootstrapFormMixin, bootstrap_class, with_blank
from greenwave.core.text import LinesField

from .errors import BpmError

FormSchema = Sequence[Mapping[str, Any]]


class TaskForm(BootstrapFormMixin, forms.Form):
    """Fields are added from the schema in `build_form`."""


# What a task form accepts as a file: office documents, PDF, images, text; each checked by its
# first bytes too, so that a renamed executable is not passed on to the approvers.
FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".txt": (),
}
DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024


def file_max_bytes() -> int:
    return int(getattr(settings, "BPM_FILE_MAX_BYTES", DEFAULT_FILE_MAX_BYTES))


def check_upload(upload: UploadedFile) -> None:
    """Refuse a file that is too large or not of an allowed type (by name and by content)."""
    limit = file_max_bytes()
    if (upload.size or 0) > limit:
        raise forms.ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    name = (upload.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in FILE_SIGNATURES:
        raise forms.ValidationError(
            _("Files of this type are not accepted; allowed: %(types)s.")
            % {"types": ", ".join(sorted(FILE_SIGNATURES))}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    signatures = FILE_SIGNATURES[extension]
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise forms.ValidationError(_("The file content does not match its type."))
    if not signatures and b"\x00" in upload.read(4096):
        upload.seek(0)
        raise forms.ValidationError(_("The file content does not match its type."))
    upload.seek(0)


def _file_error(name: str, message: str) -> DomainError:
    return DomainError(
        BpmError.INVALID_FORM_DATA,
        _("The form has errors."),
        details={"fields": {name: [message]}},
    )


def json_files(
    schema: FormSchema, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Split a JSON submission: a file field given as {"filename", "content_base64"} becomes an
    upload (checked later like the HTML form's: size, type, content); other values stay data.

    The encoded text is measured before it is decoded, so a huge value is refused unread."""
    file_fields = {str(s["name"]) for s in schema if s.get("type") == "file"}
    values: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    limit = file_max_bytes()
    for name, value in data.items():
        if name not in file_fields or value in (None, ""):
            values[name] = value
            continue
        if not isinstance(value, Mapping) or set(value) != {"filename", "content_base64"}:
            raise _file_error(name, _("Send a file as an object with filename and content_base64."))
        filename, encoded = value["filename"], value["content_base64"]
        if not isinstance(filename, str) or not filename.strip() or not isinstance(encoded, str):
            raise _file_error(name, _("The file name and its content must be strings."))
        if len(encoded) > (limit + 2) // 3 * 4 + 4:
            raise _file_error(
                name,
                _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            )
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise _file_error(name, _("The file content is not valid base64.")) from None
        filename = filename.strip()[:255]
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        files[name] = SimpleUploadedFile(filename, content, kind)
    return values, files


class ProcessFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            check_upload(value)
        return value


def _number(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _field(spec: Mapping[str, Any]) -> forms.Field:
    kind = spec.get("type", "string")
    common: dict[str, Any] = {
        "label": spec.get("label") or spec["name"],
        "required": bool(spec.get("required")) and kind != "boolean",
        "help_text": spec.get("help") or "",
    }
    low, high = _number(spec.get("min")), _number(spec.get("max"))
    if kind == "text":
        return LinesField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common)
    if kind == "integer":
        return forms.IntegerField(
            min_value=int(low) if low is not None else None,
            max_value=int(high) if high is not None else None,
            **common,
        )
    if kind == "decimal":
        return forms.DecimalField(
            max_digits=18, decimal_places=2, min_value=low, max_value=high, **common
        )
    if kind == "boolean":
        if spec.get("required"):
            common["required"] = True
        return forms.BooleanField(**common)
    if kind == "file":
        common["help_text"] = common["help_text"] or _(
            "PDF, Word, Excel, OpenDocument, an image or text; up to %(mb)s MB."
        ) % {"mb": file_max_bytes() // (1024 * 1024)}
        return ProcessFileField(**common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "user":
        people = User.objects.filter(is_active=True).order_by("last_name", "first_name")
        choices = [(u.username, f"{u} ({u.username})") for u in people]
        return forms.ChoiceField(choices=with_blank(choices), **common)
    if kind == "choice":
        choices = [(str(v), str(label)) for v, label in spec.get("choices") or []]
        return forms.ChoiceField(choices=with_blank(choices), **common)
    return forms.CharField(max_length=500, **common)


def build_form(
    schema: FormSchema,
    data: Mapping[str, Any] | None = None,
    files: Mapping[str, Any] | None = None,
) -> TaskForm:
    form = TaskForm(data=data, files=files)
    for spec in schema:
        form.fields[str(spec["name"])] = _field(spec)
    # BootstrapFormMixin styles fields in __init__; the schema's fields come later.
    for field in form.fields.values():
        bootstrap_class(field)
    return form


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def cleaned_values(form: forms.Form) -> dict[str, Any]:
    return {name: _json_value(value) for name, value in form.cleaned_data.items()}


def clean_form_data(
    schema: FormSchema, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Validate submitted values against the schema; refuse unknown fields and wrong types.

    A file field's value is the upload itself (an `UploadedFile`), for the service to store."""
    known = {str(s["name"]) for s in schema}
    unknown = sorted((set(data) | set(files or {})) - known)
    if unknown:
        raise DomainError(
            BpmError.INVALID_FORM_DATA,
            _("Unknown form fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            details={"fields": {name: [_("Unknown field.")] for name in unknown}},
        )
    if not schema:
        # No fields (and so, past the check above, no values): the form would be built and
        # validated to an empty answer — some 30 µs of every step of a task without a form.
        return {}
    prepared = {k: ("on" if v is True else "" if v is False else v) for k, v in data.items()}
    form = build_form(schema, prepared, files)
    if not form.is_valid():
        raise DomainError(
            BpmError.INVALID_FORM_DATA,
            _("The form has errors."),
            details={"fields": {k: [str(m) for m in v] for k, v in form.errors.items()}},
        )
    return cleaned_values(form)


_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "choice": {"type": "string"},
    "user": {"type": "string", "description": "a login"},
    "file": {
        "type": "object",
        "description": "a file: this object in JSON, or a multipart part of the field's name "
        "(POST /tasks/{task_id}/complete/multipart); PDF, Office, OpenDocument, PNG, JPEG or "
        "text, within the size limit",
        "properties": {
            "filename": {"type": "string"},
            "content_base64": {"type": "string", "format": "byte"},
        },
        "required": ["filename", "content_base64"],
    },
}


def json_schema(schema: FormSchema) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for spec in schema:
        prop: dict[str, Any] = {"title": spec.get("label") or spec["name"]}
        prop.update(_JSON_TYPES.get(str(spec.get("type")), {"type": "string"}))
        if spec.get("choices"):
            prop["enum"] = [str(v) for v, _label in spec["choices"]]
        if spec.get("min") not in (None, ""):
            prop["minimum"] = float(spec["min"])
        if spec.get("max") not in (None, ""):
            prop["maximum"] = float(spec["max"])
        properties[str(spec["name"])] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": [str(s["name"]) for s in schema if s.get("required")],
        "additionalProperties": False,
    }
