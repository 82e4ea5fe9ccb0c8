"""Forms of the case pages. They only parse input: whether a step is allowed, and what is
missing, is for the workflow's guards to say (so every field here is optional)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.cases.choices import (
    CaseSource,
    ComparisonResult,
    Department,
    EliminationWay,
    ReviewResult,
    RiskType,
)
from bangfu.cases.models import Case
from bangfu.households.choices import MeasureCategory, MonitoringCategory
from bangfu.households.pii import present_person

DATE = forms.DateInput(attrs={"type": "date"})


def _date(label: Any = None, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label or _("Date"), required=required, widget=DATE)


def _choice(choices: Any, label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "—"), *choices], required=False)


def _text(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(forms.Form):
    date = _date()

    def step_data(self) -> dict[str, Any]:
        """The cleaned values that were given (empty ones are left to the guards)."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


class VerifyForm(StepForm):
    signer = forms.ChoiceField(label=_("Signed by"), required=False)
    authorisation_scan = forms.FileField(
        label=_("Scan of the signed authorisation"), required=False
    )
    notes = _text(_("Notes"))

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = case.household.persons.select_related("household").order_by("number")
        self.fields["signer"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.number} {present_person(p, user).name}") for p in members
        ]


class ResultForm(StepForm):
    result = _choice(ComparisonResult.choices, _("Result"))
    notes = _text(_("Notes"))


class ReviewForm(StepForm):
    result = _choice(ReviewResult.choices, _("Result"))
    notes = _text(_("Notes"))


class NoticeForm(StepForm):
    notice_start = _date(_("Notice from"))
    notice_end = _date(_("Notice until"))


class EliminationNoticeForm(NoticeForm):
    result = _choice(ReviewResult.choices, _("Review result"))
    notes = _text(_("Notes"))


class AfterNoticeForm(StepForm):
    objections = _text(_("Objections raised during the notice"))
    objection_handling = _text(_("How the objections were handled"))
    notes = _text(_("Notes"))


class NotesForm(StepForm):
    notes = _text(_("Notes"))


class RecordForm(StepForm):
    monitoring_category = _choice(
        [c for c in MonitoringCategory.choices if c[0] != MonitoringCategory.NONE],
        _("Monitoring category"),
    )
    risk_types = forms.MultipleChoiceField(
        label=_("Risk types (up to 5)"),
        choices=RiskType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = _text(_("Notes"))


class EliminationCheckForm(StepForm):
    way = _choice(EliminationWay.choices, _("Elimination way"))
    notes = _text(_("Notes"))


class ReasonForm(StepForm):
    reason = _text(_("Reason"))


STEP_FORMS: dict[str, type[StepForm]] = {
    "verify": VerifyForm,
    "compare": ResultForm,
    "review": ReviewForm,
    "notice": NoticeForm,
    "township_review": AfterNoticeForm,
    "county_approve": NotesForm,
    "record": RecordForm,
    "measures_in_place": NotesForm,
    "elimination_check": EliminationCheckForm,
    "elimination_notice": EliminationNoticeForm,
    "elimination_township": AfterNoticeForm,
    "eliminate": NotesForm,
    "withdraw_elimination": ReasonForm,
    "dismiss": ReasonForm,
}


def step_form(name: str, *, case: Case, user: Any, data: Any = None, files: Any = None) -> StepForm:
    form_class = STEP_FORMS[name]
    prefix = name
    if form_class is VerifyForm:
        return VerifyForm(data, files, case=case, user=user, prefix=prefix)
    return form_class(data, files, prefix=prefix)


class MeasureForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=MeasureCategory.choices)
    date = _date(required=True)
    description = _text(_("Description"))


class VisitForm(forms.Form):
    date = _date(required=True)
    visited_by = forms.CharField(label=_("Visited by"), max_length=100)
    notes = _text(_("Notes"))


class OpenCaseForm(forms.Form):
    household_number = forms.CharField(label=_("Household number"), max_length=40)
    source = forms.ChoiceField(label=_("Source of the clue"), choices=CaseSource.choices)
    department = _choice(Department.choices, _("Alerting department"))
    opened_on = _date(_("Clue received on"))
    risk_types = forms.MultipleChoiceField(
        label=_("Risk types (up to 5)"),
        choices=RiskType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    green_channel = forms.BooleanField(label=_("Green channel"), required=False)
    notes = _text(_("Clue"))
