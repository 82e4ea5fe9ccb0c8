"""The user admin: scoped to what the signed-in administrator may manage; writes go to services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from bangfu.accounts import selectors, services
from bangfu.accounts.forms import AdminSignInForm, PiiGrantForm, UserAddForm, UserEditForm
from bangfu.accounts.models import PiiGrant, Role, User
from bangfu.accounts.scopes import scope_for

admin.site.login_form = AdminSignInForm
# API tokens are issued and revoked by `bangfu token` (audited); bangfu has no use for groups.
for model in (TokenProxy, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
admin.site.site_header = _("bangfu administration")
admin.site.site_title = _("bangfu")
admin.site.index_title = _("Administration")


def _is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and scope_for(user).has_role(Role.ADMINISTRATOR))


class PiiGrantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PiiGrant
    fk_name = "user"
    form = PiiGrantForm
    extra = 0
    raw_id_fields = ("county",)
    fields = ("county", "granted_at", "granted_by")
    readonly_fields = ("granted_at", "granted_by")
    verbose_name = _("personal-data grant")
    verbose_name_plural = _("personal-data grants (household data of a county)")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("ScopedPiiGrantForm", (formset.form,), {"actor": request.user})
        return formset

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a grant is given or withdrawn, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    form = UserEditForm
    add_form = UserAddForm
    inlines = [PiiGrantInline]
    raw_id_fields = ("region", "organisation")
    list_display = ("username", "first_name", "unit", "role_list", "pii_counties", "is_active")
    list_filter = ("is_active", "is_superuser", "role_assignments__role")
    search_fields = ("username", "first_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "email")}),
        (
            _("Unit"),
            {
                "fields": ("region", "organisation"),
                "description": _("A region code (12 digits) or an organisation, not both."),
            },
        ),
        (_("Permissions"), {"fields": ("roles", "is_active", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("Person"), {"fields": ("first_name", "email")}),
        (
            _("Unit"),
            {
                "fields": ("region", "organisation"),
                "description": _("A region code (12 digits) or an organisation, not both."),
            },
        ),
        (_("Permissions"), {"fields": ("roles", "is_superuser")}),
    )

    # --- what is listed and who may do what -------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return selectors.user_list(user=request.user).prefetch_related(
            "role_assignments", "pii_grants__county"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Users are deactivated, not deleted: the audit trail points at them.
        return False

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[Any]]:
        # Grants need an existing user; they are added on the change page.
        return list(self.inlines) if obj is not None else []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    # --- columns ------------------------------------------------------------------------------

    @admin.display(description=_("unit"))
    def unit(self, obj: User) -> str:
        return str(obj.organisation or obj.region or "—")

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        labels = {r.value: r.label for r in Role}
        return "、".join(str(labels[a.role]) for a in obj.role_assignments.all()) or "—"

    @admin.display(description=_("personal data of"))
    def pii_counties(self, obj: User) -> str:
        return "、".join(str(g.county) for g in obj.pii_grants.all()) or "—"

    # --- writes go through the services -------------------------------------------------------

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            created = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data.get("password1") or None,
                region=data.get("region"),
                organisation=data.get("organisation"),
                roles=data.get("roles") or [],
                full_name=data.get("first_name", ""),
                email=data.get("email", ""),
                is_superuser=bool(data.get("is_superuser")),
                validate=False,  # the form has validated the password already
            )
            # The admin goes on with `obj` (messages, redirect): make it the saved user.
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db
            return
        original = User.objects.get(pk=obj.pk)
        changes = {
            name: data[name]
            for name in form.changed_data
            if name in services.USER_UPDATE_FIELDS and name in data
        }
        if changes:
            services.user_update(actor=request.user, user=original, data=changes)

    def save_related(
        self, request: HttpRequest, form: ModelForm[User], formsets: Any, change: bool
    ) -> None:
        user = User.objects.get(pk=form.instance.pk)
        if change and "roles" in form.changed_data:
            services.user_set_roles(actor=request.user, user=user, roles=form.cleaned_data["roles"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[User],
        formset: Any,
        change: bool,
    ) -> None:
        if formset.model is not PiiGrant:
            super().save_formset(request, form, formset, change)
            return
        user = User.objects.get(pk=form.instance.pk)
        # The admin's change message reads these, which formset.save() would have set.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = set(formset.deleted_forms)
        for grant_form in formset.forms:
            if not grant_form.has_changed() and grant_form not in deleted:
                continue
            grant = grant_form.instance
            if grant_form in deleted:
                if grant.pk is not None:
                    formset.deleted_objects.append(grant)
                    services.pii_grant_delete(actor=request.user, grant=grant)
            elif grant.pk is None and grant_form.cleaned_data.get("county") is not None:
                created = services.pii_grant_create(
                    actor=request.user, user=user, county=grant_form.cleaned_data["county"]
                )
                formset.new_objects.append(created)
