"""Small helpers every app's forms use.

`self.fields[name]` is typed as a plain `Field`; these return it as the kind of field it is, so a
form can set a choice field's `choices` or a model choice field's `queryset` with its type known
(and a field of another kind than the form expects fails at once, naming it)."""

from typing import Any, TypeVar

from django import forms

__all__ = ["choice_field", "form_field", "model_choice_field"]

_F = TypeVar("_F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """The form's field `name`, which must be a `kind`."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, a choice field."""
    return form_field(form, name, forms.ChoiceField)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field `name`, a model choice field (single or multiple)."""
    return form_field(form, name, forms.ModelChoiceField)
