"""The list pages' filter forms and a panel's progress cells, written in Python, read as the
templates wrote them: the filters as crispy's bootstrap5 `as_crispy_field` (with the single select
of a multiple choice and the suggestions' datalist), the progress cells as their template did, in
English and in Albanian, with a filter refused and without. The templates are rendered here, beside
the page, on the page's own filter form and progress figures."""

import datetime
import re
from collections.abc import Callable

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, Template, engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Agency, Panel, User
from agencies.widgets import DateInput
from cases import services as case_services
from cases.models import Case, Contact
from interventions import services as plan_services
from interventions.models import PlanAction
from tests.factories import CaseFactory, ReferralFactory
from tests.interventions.conftest import action_spec, days, make_plan, review

pytestmark = pytest.mark.django_db

# templates/_filters.html as it was, rendering each field through crispy.
CRISPY_FILTERS = """{% load i18n crispy_forms_filters %}
<form method="get" class="card card-body mb-3 no-print" role="search" aria-label="{% translate 'Filter the list' %}">
  <div class="row g-2">
    {% for field in filter.form %}
    <div class="col-12 col-sm-6 col-lg-3">
      {% if field.field.widget.allow_multiple_selected %}
        <div class="mb-3">
          <label for="{{ field.id_for_label }}" class="form-label">{{ field.label }}</label>
          <select name="{{ field.html_name }}" id="{{ field.id_for_label }}" class="form-select">
            <option value="">---------</option>
            {% for value, label in field.field.choices %}
            <option value="{{ value }}"{% if value|stringformat:"s" in field.value %} selected{% endif %}>{{ label }}</option>
            {% endfor %}
          </select>
        </div>
      {% else %}
        {{ field|as_crispy_field }}
        {% if field.field.widget.attrs.list %}<datalist id="{{ field.field.widget.attrs.list }}"></datalist>{% endif %}
      {% endif %}
    </div>
    {% endfor %}
  </div>
  <div class="d-flex gap-2">
    <button type="submit" class="btn btn-primary">{% translate "Filter" %}</button>
    <a href="{{ request.path }}" class="btn btn-outline-secondary">{% translate "Clear filters" %}</a>
  </div>
</form>
"""  # noqa: E501

# templates/interventions/_progress_cell.html as it was.
PROGRESS_CELL_TEMPLATE = """{% load i18n %}<div class="small" data-progress-cell>
{% if progress.has_plan %}<div>{% blocktranslate with planned=progress.actions_planned running=progress.actions_running lapsed=progress.actions_lapsed done=progress.actions_done %}Actions: {{ planned }} planned, {{ running }} running, {{ lapsed }} lapsed, {{ done }} done{% endblocktranslate %}</div>
<div>{% blocktranslate with on_track=progress.goals_on_track total=progress.goals %}Goals on track: {{ on_track }} of {{ total }}{% endblocktranslate %}</div>{% else %}<div class="text-body-secondary">{% translate "No running plan." %}</div>{% endif %}
<div>{% if progress.days_since_contact is None %}{% translate "No contact yet" %}{% else %}{% blocktranslate count days=progress.days_since_contact %}Last contact {{ days }} day ago{% plural %}Last contact {{ days }} days ago{% endblocktranslate %}{% endif %}</div>
{% if progress.first_contact.status == "missed" %}<span class="badge text-bg-danger">{% translate "First contact late" %}</span>{% endif %}
{% if progress.assessment.status == "missed" %}<span class="badge text-bg-danger">{% translate "Assessment late" %}</span>{% endif %}
{% if progress.actions_lapsed %}<span class="badge text-bg-warning">{% translate "Lapsed actions" %}</span>{% endif %}
</div>
"""  # noqa: E501

FORM = re.compile(r'<form method="get" class="card card-body mb-3 no-print" role="search".*?</form>', re.S)
PROGRESS_CELL = re.compile(r'<td>(<div class="small" data-progress-cell>.*?)</td>', re.S)


def _norm(html: str) -> str:
    return " ".join(html.split())


def _page(user: User, language: str, url: str, query: dict[str, str]) -> tuple[str, dict[str, object]]:
    User.objects.filter(pk=user.pk).update(language=language)
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    page = client.get(url, query)
    assert page.status_code in (200, 400), page.content.decode()[:500]
    return page.content.decode(), {"filter": page.context["filter"], "request": page.wsgi_request, "page": page}


def _filters_as_crispy_wrote_them(body: str, context: dict[str, object], language: str, refused: bool) -> None:
    shown = FORM.findall(body)
    assert len(shown) == 1
    with translation.override(language):
        expected = engines["django"].from_string(CRISPY_FILTERS).render(context)
    assert _norm(shown[0]) == _norm(expected)
    # the comparison is of a form that says what it should
    assert ("invalid-feedback" in shown[0]) is refused and ("is-invalid" in shown[0]) is refused
    assert 'class="form-select"' in shown[0] and "form-control" in shown[0] and "form-select" in shown[0]


REFUSED = {"status": "bogus", "owner": "#999999", "q": "Smith", "stage": "3", "risk_level": "high"}


@pytest.mark.parametrize("language", ["en", "sq"])
@pytest.mark.parametrize("query", [{}, REFUSED], ids=["plain", "refused"])
def test_the_case_lists_filters_read_as_crispy_wrote_them(
    language: str, query: dict[str, str], caseworker: User, agency: Agency
) -> None:
    CaseFactory(owner=caseworker, owning_agency=agency)
    body, context = _page(caseworker, language, reverse("cases:case_list"), query)
    _filters_as_crispy_wrote_them(body, context, language, refused=bool(query))
    assert body.count("<datalist id=") == 3  # owner, agency and panel suggestions
    if query:
        assert 'aria-describedby="id_owner_helptext id_owner_error"' in body and 'value="3" selected' in body


@pytest.mark.parametrize("language", ["en", "sq"])
@pytest.mark.parametrize(
    "query", [{}, {"urgency": "soon", "status": "new", "is_crisis": "true", "q": "Ana"}], ids=["plain", "refused"]
)
def test_the_referral_lists_filters_read_as_crispy_wrote_them(
    language: str, query: dict[str, str], caseworker: User, agency: Agency
) -> None:
    ReferralFactory(received_by=agency)
    body, context = _page(caseworker, language, reverse("referrals:referral_list"), query)
    _filters_as_crispy_wrote_them(body, context, language, refused=bool(query))
    assert "nullbooleanselect form-select" in body


class _OtherKinds(forms.Form):
    """Kinds no list filters by yet: required, dated, numbered, or left to crispy (a checkbox, radios)."""

    name = forms.CharField(label="Name", help_text="As <em>written</em>.")
    born = forms.DateField(label="Born", required=False, widget=DateInput(attrs={"class": "narrow"}))
    count = forms.IntegerField(label="How many", required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A & B"), ("b", "C")], required=False)
    urgent = forms.BooleanField(label="Urgent", required=False)
    channel = forms.ChoiceField(label="Channel", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


@pytest.mark.parametrize("data", [None, {"name": "", "born": "32/13/2026", "count": "x", "kind": "z", "channel": "c"}])
@pytest.mark.parametrize("field", list(_OtherKinds.base_fields))
def test_other_kinds_of_field_read_as_crispy_wrote_them(field: str, data: dict[str, str] | None) -> None:
    form = _OtherKinds(data)
    form.is_valid()
    ours = Template("{% load filter_fields %}{% filter_field field %}").render(Context({"field": form[field]}))
    theirs = as_crispy_field(_OtherKinds(data)[field])
    assert _norm(ours) == _norm(theirs)
    assert ("invalid-feedback" in ours) is (data is not None and field not in ("urgent",))


def _contact(case: Case, days_ago: int) -> None:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    case_services.record_contact(Contact(case=case, outcome="held", occurred_at=when), actor=case.owner)


def _with_a_running_plan(case: Case) -> None:
    """Two goals, one on track; an action lapsed, one running, one planned, one done."""
    provider = case.owning_agency
    goals = [
        {
            "text": "First",
            "actions": [action_spec(provider, starts_on=days(-20), due_on=days(-1)), action_spec(provider)],
        },
        {"text": "Second", "actions": [action_spec(provider, due_on=days(30)), action_spec(provider)]},
    ]
    plan = make_plan(case, goals=goals, agreed_on=days(-20))
    actions = list(PlanAction.objects.filter(goal__plan=plan).order_by("goal__position", "pk"))
    plan_services.update_action_status(actions[1], status="in_progress", actor=case.owner)
    plan_services.update_action_status(actions[3], status="done", actor=case.owner)
    first, second = plan.goals.order_by("position")
    progress = [{"goal": first, "progress": "good", "notes": ""}, {"goal": second, "progress": "none", "notes": ""}]
    review(case, plan, held_on=days(0), progress=progress)


# Each case on the panel, and what makes its cell say something else.
PANEL_CASES: list[Callable[[Case], None]] = [
    lambda case: None,  # nothing yet
    _with_a_running_plan,
    lambda case: _contact(case, 1),  # "1 day"
    lambda case: _contact(case, 0),  # "0 days"
    lambda case: _contact(case, 12),
    lambda case: Case.objects.filter(pk=case.pk).update(first_contact_due_on=days(-10)),  # first contact late
    lambda case: Case.objects.filter(pk=case.pk).update(first_contact_due_on=days(-110), first_contact_on=days(-100)),
]


@pytest.mark.parametrize("language", ["en", "sq"])
@pytest.mark.parametrize("query", [{}, {"status": "bogus", "risk_level": "high", "q": "T-"}], ids=["plain", "refused"])
def test_a_panels_page_reads_as_its_templates_wrote_it(
    language: str, query: dict[str, str], panel: Panel, panel_member: User, caseworker: User, agency: Agency
) -> None:
    for make in PANEL_CASES:
        case = CaseFactory(owner=caseworker, owning_agency=agency, panel=panel)
        make(case)
    body, context = _page(panel_member, language, reverse("panels:panel", args=[panel.pk]), query)
    _filters_as_crispy_wrote_them(body, context, language, refused=bool(query))
    assert body.count("<datalist id=") == 2  # owner and agency: the panel is the page's
    if query:
        return  # a refused filter shows no case
    cases = list(context["page"].context["cases"])
    assert len(cases) == len(PANEL_CASES)
    template = engines["django"].from_string(PROGRESS_CELL_TEMPLATE)
    with translation.override(language):
        expected = [template.render({"progress": case.plan_progress}) for case in cases]
    assert PROGRESS_CELL.findall(body) == expected
    # the cells say all they can
    words = {
        "en": ["Actions: 1 planned, 1 running, 1 lapsed, 1 done", "Last contact 1 day ago", "First contact late"],
        "sq": ["Veprimet: 1 të planifikuara", "Kontakti i fundit 12 ditë më parë", "Vlerësimi me vonesë"],
    }
    assert all(word in body for word in words[language])
