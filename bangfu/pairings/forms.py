"""Admin forms whose saving goes through the services.

The service is first run as a dry run inside a savepoint that is always rolled back, so its
refusals (ValidationFailed, PermissionDenied) appear as form errors next to the fields they name
instead of as a server error after the form was accepted.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django import forms
from django.db import transaction
from django.http import HttpRequest

from bangfu.core.errors import PermissionDenied, ValidationFailed

if TYPE_CHECKING:
    from bangfu.pairings.admin import ServiceAdmin


class _DryRun(Exception):
    """Raised to roll back the dry run's savepoint."""


class ServiceModelForm(forms.ModelForm):  # type: ignore[type-arg]
    # Set per request by ServiceAdmin.get_form.
    admin_request: HttpRequest
    model_admin: ServiceAdmin

    # The model's own constraint messages ("Constraint … is violated") are skipped: the service
    # checks the same rules in the dry run with clearer words, and the database still enforces them.
    def validate_unique(self) -> None:
        pass

    def _post_clean(self) -> None:
        instance_clean = self.instance.full_clean
        self.instance.full_clean = functools.partial(instance_clean, validate_constraints=False)
        try:
            super()._post_clean()  # type: ignore[misc]  # private in the stubs
        finally:
            del self.instance.full_clean

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                self.model_admin.run_service(self.admin_request, self, dry_run=True)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationFailed as exc:
            self.add_service_errors(exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return cleaned

    def add_service_errors(self, exc: ValidationFailed) -> None:
        for name, messages in exc.errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
