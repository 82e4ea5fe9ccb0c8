from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from bangfu.accounts import services
from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.core.errors import PermissionDenied, ValidationFailed


class Command(BaseCommand):
    help = "Create or revoke a user's API token (sent as 'Authorization: Token KEY')."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create",
            help="give the user a new token, replacing any old one, and print it",
            description="Give the user a new API token, replacing any old one, and print it.",
        )
        create.add_argument("username", help="the user's sign-in name")
        revoke = actions.add_parser(
            "revoke",
            help="delete the user's token",
            description="Delete the user's API token; requests with it are refused from now on.",
        )
        revoke.add_argument("username", help="the user's sign-in name")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("Unknown user %(username)s.") % {"username": options["username"]})
        try:
            if options["action"] == "create":
                token = services.token_create(actor=SYSTEM, user=user)
                self.stdout.write(token.key)
            elif services.token_revoke(actor=SYSTEM, user=user):
                self.stdout.write(_("Revoked the token of %(username)s.") % {"username": user})
            else:
                self.stdout.write(_("%(username)s had no token.") % {"username": user})
        except (ValidationFailed, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
