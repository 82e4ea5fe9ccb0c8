from __future__ import annotations

import secrets
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts import services
from bangfu.accounts.models import Role
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.pairings.models import Organisation
from bangfu.regions.models import Region


class Command(BaseCommand):
    help = (
        "Create a user of a region office or an organisation, with roles and personal-data "
        "grants. Without --password-stdin a strong random password is generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the name the user signs in with")
        unit = parser.add_mutually_exclusive_group()
        unit.add_argument(
            "--region", metavar="CODE", help="12-digit code of the region office the user works for"
        )
        unit.add_argument(
            "--organisation", metavar="ID", type=int, help="id of the user's organisation"
        )
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            choices=Role.values,
            default=[],
            help="a role (repeat for several): " + ", ".join(Role.values),
        )
        parser.add_argument(
            "--superuser", action="store_true", help="may see and do everything, in every region"
        )
        parser.add_argument(
            "--pii-county",
            metavar="CODE",
            dest="pii_counties",
            action="append",
            default=[],
            help="county (12-digit code) whose household personal data the user may see; "
            "repeatable; recipient side only",
        )
        parser.add_argument("--full-name", default="", help="the person's name as shown on pages")
        parser.add_argument("--email", default="", help="e-mail address")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = _region(options["region"]) if options["region"] else None
        organisation = _organisation(options["organisation"])
        if region is None and organisation is None and not options["superuser"]:
            raise CommandError(_("Give --region CODE or --organisation ID."))
        roles = options["roles"] or ([Role.ADMINISTRATOR] if options["superuser"] else [])
        if not roles:
            raise CommandError(_("Give at least one --role."))
        counties = [_region(code) for code in options["pii_counties"]]
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("No password on standard input."))
            generated = False
        else:
            password = secrets.token_urlsafe(18)
            generated = True
        try:
            with transaction.atomic():
                user = services.user_create(
                    actor=SYSTEM,
                    username=options["username"],
                    password=password,
                    region=region,
                    organisation=organisation,
                    roles=roles,
                    full_name=options["full_name"],
                    email=options["email"],
                    is_superuser=options["superuser"],
                )
                for county in counties:
                    services.pii_grant_create(actor=SYSTEM, user=user, county=county)
        except (ValidationFailed, PermissionDenied) as exc:
            raise CommandError(_error_text(exc)) from None
        self.stdout.write(_("Created user %(username)s.") % {"username": user.username})
        if generated:
            self.stdout.write(
                _("Password (shown only this once): %(password)s") % {"password": password}
            )


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise CommandError(_("Unknown region code %(code)s.") % {"code": code})
    return region


def _organisation(pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise CommandError(_("Unknown organisation id %(id)s.") % {"id": pk})
    return organisation


def _error_text(exc: ValidationFailed | PermissionDenied) -> str:
    if isinstance(exc, ValidationFailed):
        return " ".join(" ".join(messages) for messages in exc.errors.values())
    return str(exc)
