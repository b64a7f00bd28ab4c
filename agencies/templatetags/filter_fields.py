"""`{% filter_field field %}`: one field of a list page's filter form (templates/_filters.html),
written in Python. Crispy's `as_crispy_field` rendered each through a dozen nested templates, and
Django's widget templates added as many: about 3 ms of a case list's request, for six fields.

The markup is what they wrote, tag for tag: crispy's bootstrap5 label, required marker, widget
classes (form-control, form-select, is-invalid), errors and help text with their aria attributes;
Django's input and select (with this project's select_option.html, "Choose…"); a multiple choice
as one select, and the empty datalist a suggestion input fills. Only the kinds the filter forms
use are written here; another kind, or a form with a crispy helper, is left to crispy, and a widget
with a template of its own to that template, so nothing is dropped silently.
tests/pages/test_list_page_markup.py renders crispy's templates beside this and compares."""

from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

__all__ = ["filter_field"]

register = template.Library()

# Widgets whose crispy markup is label, widget, errors, help text; file, checkbox and radio inputs
# have markup of their own in crispy's template.
_PLAIN_INPUTS = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput)
# Django's templates of those widgets, each only `{% include "django/forms/widgets/input.html" %}`.
_INPUT_TEMPLATES = {f"django/forms/widgets/{name}.html" for name in ("text", "number", "email", "url", "date")}
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _written_here(field: BoundField) -> bool:
    widget = field.field.widget
    if getattr(field.form, "helper", None) is not None or field.is_hidden or field.field.show_hidden_initial:
        return False
    if hasattr(widget, "widgets") or hasattr(widget, "widget") or field.use_fieldset:
        return False  # a multi-widget or a wrapper: crispy classes each inner widget
    return isinstance(widget, forms.Select) or (
        isinstance(widget, _PLAIN_INPUTS) and not isinstance(widget, forms.FileInput)
    )


def _widget_class(field: BoundField, wanted: str) -> str:
    """The widget's class attribute as crispy's `{% crispy_field %}` sets it: its own classes, the
    widget's class name, then each of `wanted` not already there. Crispy writes it into the
    widget's attrs; here it is passed to the one render instead."""
    widget = field.field.widget
    name = widget.__class__.__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    css: str = widget.attrs.get("class", "")
    if not css:
        css = name
    elif css.find(name) == -1:  # crispy's own test: a substring, not a whole class
        css += f" {name}"
    for part in wanted.split():
        if part not in css.split():
            css += f" {part}"
    return css


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """django/forms/widgets/attrs.html: False left out, True as a bare name."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _option(option: dict[str, Any]) -> SafeString:
    # templates/django/forms/widgets/select_option.html: the empty choice says "Choose…" (escaped
    # here, not there: the same while the word holds no character escaping changes)
    label = option["label"]
    return format_html(
        '<option value="{}"{}>{}</option>',
        option["value"],
        _attrs(option["attrs"]),
        gettext("Choose…") if label == "---------" else label,
    )


def _select(widget: dict[str, Any]) -> SafeString | None:
    """django/forms/widgets/select.html; None if an option has a template of its own."""
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            if option["template_name"] != _OPTION_TEMPLATE:
                return None
            parts.append(format_html("\n  {}", _option(option)))
        if group_name:
            parts.append(mark_safe("\n  </optgroup>"))
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        _attrs(widget["attrs"]),
        mark_safe("".join(parts)),  # noqa: S308 - joined format_html
    )


def _widget(field: BoundField, css: str) -> SafeString:
    """`field.as_widget(attrs={"class": css})`, with Django's widget templates written in Python."""
    widget = field.field.widget
    kind = widget.template_name
    if field.field.localize or kind not in (*_INPUT_TEMPLATES, _SELECT_TEMPLATE):
        return field.as_widget(attrs={"class": css})
    # as BoundField.as_widget builds them
    attrs = field.build_widget_attrs({"class": css}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if kind == _SELECT_TEMPLATE:
        return _select(context) or field.as_widget(attrs={"class": css})
    value = context["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        "" if value is None else format_html(' value="{}"', value),
        _attrs(context["attrs"]),
    )


def _field(field: BoundField) -> SafeString:
    required = field.field.required
    label = SafeString()
    if field.label:
        label = format_html(
            '<label{} class="form-label{}">\n{}{}\n</label>\n',
            format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
    errors = field.errors
    wanted = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    widget = _widget(field, _widget_class(field, f"{wanted} is-invalid" if errors else wanted))
    shown_errors = SafeString()
    if errors:
        shown_errors = format_html(
            '\n<div id="{}_error" class="invalid-feedback">\n{}\n</div>',
            getattr(errors, "field_id", None),  # set by the form's own clean (None: crispy writes None too)
            format_html_join(
                "\n",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field.auto_id, error) for n, error in enumerate(errors, 1)),
            ),
        )
    help_text = SafeString()
    if field.help_text:
        help_text = format_html(
            '\n<div {}class="form-text">{}</div>',
            format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else "",
            # crispy writes help text unescaped (`|safe`): it is the form's own words, not input
            mark_safe(str(field.help_text)),  # noqa: S308
        )
    css_classes = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">\n{}{}{}{}\n</div>',
        field.auto_id,
        f" {css_classes}" if css_classes else "",
        label,
        widget,
        shown_errors,
        help_text,
    )


def _crispy(field: BoundField) -> SafeString:
    return mark_safe(str(as_crispy_field(field)))  # noqa: S308 - crispy's template output, escaped there


def _multiple(field: BoundField) -> SafeString:
    """A multiple choice as one select: one value from the browser; the API accepts several
    (?stage=3&stage=4)."""
    current = field.value()
    choices: Any = getattr(field.field, "choices", ())
    options = format_html_join(
        "",
        '\n<option value="{}"{}>{}</option>',
        ((value, " selected" if _within(str(value), current) else "", label) for value, label in choices),
    )
    return format_html(
        '<div class="mb-3">\n<label for="{}" class="form-label">{}</label>\n'
        '<select name="{}" id="{}" class="form-select">\n<option value="">---------</option>{}\n</select>\n</div>',
        field.id_for_label,
        field.label,
        field.html_name,
        field.id_for_label,
        options,
    )


def _within(value: str, current: Any) -> bool:
    """The template's `in`: false, not an error, when there is nothing to look in (an unbound form)."""
    try:
        return value in current
    except TypeError:
        return False


@register.simple_tag
def filter_field(field: BoundField) -> SafeString:
    """One field of a list's filter form: a multiple choice as a single select, any other as
    crispy's bootstrap5 pack writes it, with the empty datalist its suggestions fill."""
    if getattr(field.field.widget, "allow_multiple_selected", False):
        return _multiple(field)
    written = _field(field) if _written_here(field) else _crispy(field)
    suggestions = field.field.widget.attrs.get("list")
    if suggestions:
        return format_html('{}\n<datalist id="{}"></datalist>', written, suggestions)
    return written
