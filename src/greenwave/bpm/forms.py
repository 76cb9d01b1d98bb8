"""Forms of the bpm pages: uploading a BPMN file, saving from the modeler, starting, delegating,
moving running processes to another version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.core.case_access import case_type_label, case_types
from greenwave.core.forms import BootstrapFormMixin, ModelUploadForm, bootstrap_class
from greenwave.core.text import LinesField

from .engine import MAX_BPMN_BYTES
from .models import ProcessDefinition


class DefinitionUploadForm(ModelUploadForm):
    file = forms.FileField(
        label=_("BPMN file"),
        help_text=_("BPMN 2.0 XML exported from any modeler (.bpmn or .xml), up to 5 MB."),
    )
    key_help = _("Leave empty to use the process id from the file.")
    deploy_label = _("Deploy right away")

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BPMN_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return bytes(upload.read())


class ModelerSaveForm(forms.Form):
    xml = forms.CharField(widget=forms.HiddenInput, max_length=MAX_BPMN_BYTES)
    key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)
    deploy = forms.BooleanField(required=False, widget=forms.HiddenInput)


class StartForm(BootstrapFormMixin, forms.Form):
    # A list of the record types by their names («Сделка»), not a box for the engine's codes;
    # anything else posted still reaches the service, which names what it refuses.
    object_type = forms.CharField(label=_("Business object type"), max_length=40, required=False)
    object_id = forms.CharField(label=_("Business object id"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = sorted(((t, case_type_label(t)) for t in case_types()), key=lambda c: c[1])
        field = self.fields["object_type"]
        field.widget = forms.Select(choices=[("", "—"), *choices])
        bootstrap_class(field)


class DelegateForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label=_("Hand over to"), queryset=User.objects.filter(is_active=True)
    )


class VersionChoiceField(forms.ModelChoiceField[ProcessDefinition]):
    def label_from_instance(self, obj: ProcessDefinition) -> str:
        return f"v{obj.version} · {obj.name}"


class MigrationForm(BootstrapFormMixin, forms.Form):
    """Where to move running processes: a deployed version of the same key, renamed ids."""

    target = VersionChoiceField(
        label=_("Move to version"), queryset=ProcessDefinition.objects.none(), empty_label=None
    )
    mapping = LinesField(
        label=_("Renamed elements"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "review_old = review"}),
        help_text=_(
            "Only if an element the process is at has another id in the new version: "
            "one per line, old id = new id."
        ),
    )

    def __init__(self, *args: Any, targets: QuerySet[ProcessDefinition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, VersionChoiceField)
        field.queryset = targets

    def clean_mapping(self) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for number, line in enumerate(str(self.cleaned_data["mapping"]).splitlines(), 1):
            text = line.strip()
            if not text:
                continue
            for arrow in ("→", "->", "="):
                if arrow in text:
                    old, new = (part.strip() for part in text.split(arrow, 1))
                    break
            else:
                old = new = ""
            if not old or not new:
                raise forms.ValidationError(_("Line %(n)s: write old id = new id.") % {"n": number})
            pairs[old] = new
        return pairs
