"""Forms of the decisions app: upload a model, and the test form built from its inputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.core.forms import BootstrapFormMixin, ModelUploadForm, with_blank

from .modeling import MAX_MODEL_BYTES


class DecisionUploadForm(ModelUploadForm):
    file = forms.FileField(label=_("DMN file"), help_text=_("A .dmn file, at most 10 MB."))
    key_help = _("Leave empty to use the id of the top decision.")
    deploy_label = _("Deploy at once")

    def read_bytes(self) -> bytes:
        upload = self.cleaned_data["file"]
        # Read one byte past the limit: the service refuses oversized models with its message.
        return bytes(upload.read(MAX_MODEL_BYTES + 1))


_BOOLEAN_CHOICES = with_blank([("true", _("yes")), ("false", _("no"))])


class DecisionTestForm(BootstrapFormMixin, forms.Form):
    """One field per input data of the model: selects where values are listed."""

    def __init__(self, *args: Any, inputs: list[dict[str, Any]], **kwargs: Any) -> None:
        fields: dict[str, forms.Field] = {}
        for spec in inputs:
            name = str(spec.get("name"))
            label = str(spec.get("label") or name)
            kind = str(spec.get("type_ref") or "").rsplit(".", 1)[-1].lower()
            choices = spec.get("choices") or []
            if kind == "boolean":
                fields[name] = forms.ChoiceField(
                    label=label, choices=_BOOLEAN_CHOICES, required=False
                )
            elif choices:
                options = with_blank((str(c), str(c)) for c in choices)
                fields[name] = forms.ChoiceField(label=label, choices=options, required=False)
            elif kind == "date":
                fields[name] = forms.CharField(
                    label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
            else:
                attrs = {"inputmode": "decimal"} if kind == "number" else {}
                fields[name] = forms.CharField(
                    label=label, required=False, widget=forms.TextInput(attrs=attrs)
                )
        super().__init__(*args, **kwargs)
        for name, field in fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            self.fields[name] = field
