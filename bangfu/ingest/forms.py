"""Forms of the upload and review pages (input shape only; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.ingest.readers import SUPPORTED_SUFFIXES
from bangfu.pairings.models import OrganisationKind


class UploadForm(forms.Form):
    pairing = forms.IntegerField(label=_("Pairing (id)"), required=False)
    region = forms.CharField(label=_("Region code"), max_length=12, required=False)
    file = forms.FileField(
        label=_("Report file"),
        required=False,
        help_text=_("Accepted: %(types)s") % {"types": ", ".join(SUPPORTED_SUFFIXES)},
    )
    source_name = forms.CharField(label=_("Source"), max_length=255, required=False)
    text = forms.CharField(label=_("Or paste the text"), widget=forms.Textarea, required=False)


class AcceptForm(forms.Form):
    value = forms.CharField(label=_("Value"), max_length=40, required=False)
    indicator = forms.CharField(label=_("Indicator"), max_length=64, required=False)
    period = forms.CharField(label=_("Period"), max_length=40, required=False)
    is_target = forms.BooleanField(label=_("Target or plan"), required=False)
    reported_by = forms.ChoiceField(
        label=_("Reported by"),
        choices=[("", "—"), ("donor", _("donor side")), ("recipient", _("recipient side"))],
        required=False,
    )
    donor_code = forms.CharField(label=_("Donor region code"), max_length=12, required=False)
    recipient_code = forms.CharField(
        label=_("Recipient region code"), max_length=12, required=False
    )
    # An organisation party: one on record (id), or the name and kind of a new one (its region
    # in the *_code field).
    donor_organisation = forms.IntegerField(
        label=_("Donor organisation (id)"), min_value=1, required=False
    )
    recipient_organisation = forms.IntegerField(
        label=_("Recipient organisation (id)"), min_value=1, required=False
    )
    donor = forms.CharField(label=_("Donor name"), max_length=200, required=False)
    recipient = forms.CharField(label=_("Recipient name"), max_length=200, required=False)
    donor_organisation_kind = forms.ChoiceField(
        label=_("Donor organisation kind"),
        choices=[("", "—"), *OrganisationKind.choices],
        required=False,
    )
    recipient_organisation_kind = forms.ChoiceField(
        label=_("Recipient organisation kind"),
        choices=[("", "—"), *OrganisationKind.choices],
        required=False,
    )

    def changes(self) -> dict[str, Any]:
        """Only the fields the reviewer filled in."""
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)} | {
            "is_target": bool(self.cleaned_data.get("is_target"))
        }


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
