"""core.model_fields.choice_field: the column fits every choice, or the model does not load."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from greenwave.core.model_fields import choice_field


class _Colour(models.TextChoices):
    RED = "red", "Red"
    ULTRAMARINE = "ultramarine", "Ultramarine"


def test_choice_field_is_a_char_field_of_the_choices() -> None:
    field = choice_field("colour", _Colour, max_length=11, default=_Colour.RED, blank=True)
    assert isinstance(field, models.CharField)
    assert field.max_length == 11
    assert field.choices == _Colour.choices
    assert field.default == _Colour.RED
    assert field.blank is True


def test_a_value_longer_than_the_column_stops_the_model() -> None:
    with pytest.raises(ImproperlyConfigured, match="'ultramarine' is longer than max_length=10"):
        choice_field("colour", _Colour, max_length=10)


def test_every_choice_column_of_the_project_holds_its_longest_value() -> None:
    # What choice_field checks, over every model (also fields declared without it).
    checked = 0
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField) and field.choices and field.max_length:
                longest = max(len(str(value)) for value, _label in field.flatchoices)
                assert longest <= field.max_length, f"{model.__name__}.{field.name}"
                checked += 1
    assert checked >= 60
