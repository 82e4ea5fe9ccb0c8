"""Forms for signing in and for the user admin. They validate input; services do the writing."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bangfu.accounts import backends
from bangfu.accounts.models import PiiGrant, Role, User
from bangfu.accounts.services import check_may_manage, pii_grant_check
from bangfu.core.errors import PermissionDenied, ValidationFailed


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying so when the username or address is locked.

    Without this, a locked account would only see "wrong password" and keep guessing.
    """

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        self._refuse_if_locked(username)
        try:
            return super().clean()
        except ValidationError:
            # This very failure may have been the one that locked the account.
            self._refuse_if_locked(username)
            raise

    def _refuse_if_locked(self, username: str) -> None:
        seconds = backends.lock_seconds_left(self.request, username)
        if seconds > 0:
            minutes = max(1, math.ceil(seconds / 60))
            raise ValidationError(
                ngettext(
                    "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked",
            )


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's sign-in form with the same lock message."""


def _raise_as_form_error(form: forms.BaseForm, exc: ValidationFailed | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        raise ValidationError(str(exc)) from None
    for field, messages in exc.errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class _UserFormMixin(forms.ModelForm):  # type: ignore[type-arg]
    """Roles and the scope check shared by the add and change forms of the user admin."""

    actor: Any = None  # set by the admin per request

    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["roles"].initial = list(
                self.instance.role_assignments.values_list("role", flat=True)
            )
        else:
            self.fields["roles"].initial = [Role.VIEWER.value]
        superuser_field = self.fields.get("is_superuser")
        if superuser_field is not None and not getattr(self.actor, "is_superuser", False):
            superuser_field.disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        region, organisation = cleaned.get("region"), cleaned.get("organisation")
        if region is not None and organisation is not None:
            self.add_error("organisation", _("Choose a region or an organisation, not both."))
            return cleaned
        try:
            check_may_manage(
                actor=self.actor,
                region=region,
                organisation=organisation,
                is_superuser=bool(cleaned.get("is_superuser")),
            )
        except (ValidationFailed, PermissionDenied) as exc:
            _raise_as_form_error(self, exc)
        return cleaned


class UserAddForm(_UserFormMixin, UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("username", "first_name", "email", "region", "organisation", "is_superuser")
        labels = {"first_name": _("full name")}


class UserEditForm(_UserFormMixin, UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = (
            "username",
            "password",
            "first_name",
            "email",
            "region",
            "organisation",
            "is_active",
            "is_superuser",
        )
        labels = {"first_name": _("full name")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Renaming would break audit trails and tokens that mention the name.
        self.fields["username"].disabled = True


class PiiGrantForm(forms.ModelForm):  # type: ignore[type-arg]
    """One personal-data grant row of the user admin; refused for donor-side users."""

    actor: Any = None  # set by the admin per request

    class Meta:
        model = PiiGrant
        fields = ("county",)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        county = cleaned.get("county")
        # The inline formset puts the parent user into cleaned_data["user"].
        user = cleaned.get("user")
        if county is not None and isinstance(user, User) and self.instance.pk is None:
            try:
                pii_grant_check(actor=self.actor, user=user, county=county)
            except (ValidationFailed, PermissionDenied) as exc:
                _raise_as_form_error(self, exc)
        return cleaned
