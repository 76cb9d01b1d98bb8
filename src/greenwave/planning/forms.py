"""Forms of the "My day" pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.forms import BootstrapFormMixin
from greenwave.accounts.models import User
from greenwave.crm import selectors as crm_selectors
from greenwave.crm.models import Company

from .models import ItemPriority


class ItemForm(BootstrapFormMixin, forms.Form):
    company = forms.ModelChoiceField(
        label=_("Client"), queryset=Company.objects.none(), required=False
    )
    goal = forms.CharField(label=_("Goal"), max_length=500)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=ItemPriority.choices, initial=ItemPriority.NORMAL
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = crm_selectors.company_list(actor=actor).order_by(  # type: ignore[attr-defined]
            "name"
        )
