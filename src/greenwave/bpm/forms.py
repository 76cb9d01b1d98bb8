"""Forms of the bpm pages: uploading a BPMN file, saving from the modeler, starting, delegating."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.forms import BootstrapFormMixin
from greenwave.accounts.models import User

from .engine import MAX_BPMN_BYTES


class DefinitionUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("BPMN file"),
        help_text=_("BPMN 2.0 XML exported from any modeler (.bpmn or .xml), up to 5 MB."),
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the process id from the file."),
    )
    deploy = forms.BooleanField(label=_("Deploy right away"), required=False)

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
    object_type = forms.CharField(label=_("Business object type"), max_length=40, required=False)
    object_id = forms.CharField(label=_("Business object id"), max_length=64, required=False)


class DelegateForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label=_("Hand over to"), queryset=User.objects.filter(is_active=True)
    )
