"""`bangfu cases list|show|advance|overdue`: the monitoring cases from the command line.

Thin: reads go through the scoped selectors, moves through services.case_advance, whose guards
say which criterion failed. `--as USER` acts with that user's scope and roles; without it the
platform itself acts (it sees every case).
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bangfu.accounts.models import User
from bangfu.accounts.scopes import SYSTEM
from bangfu.cases import selectors, services
from bangfu.cases.choices import CaseState, RiskType
from bangfu.cases.models import Case
from bangfu.cases.timeline import step_entries
from bangfu.cases.workflow import TRANSITIONS
from bangfu.core.errors import PermissionDenied, ValidationFailed
from bangfu.households.choices import MonitoringCategory
from bangfu.regions.codes import InvalidCode, prefix_of

STEPS = {transition.name: transition for transition in TRANSITIONS}
LIST_LIMIT = 200


def _date(option: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--%(option)s: %(value)s is not a date such as 2025-06-30.")
            % {"option": option.replace("_", "-"), "value": value}
        ) from None


class Command(BaseCommand):
    help = "Monitoring cases: list, show one, move one a step, list the overdue ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        listing = sub.add_parser("list", help="Cases in your scope, overdue first.")
        listing.add_argument("--state", choices=CaseState.values, help="only cases in this state")
        listing.add_argument("--overdue", action="store_true", help="only overdue cases")
        listing.add_argument("--region", help="only households under this region code")
        show = sub.add_parser("show", help="One case: facts, timeline, measures, visits.")
        show.add_argument("case", type=int, help="the case number")
        advance = sub.add_parser(
            "advance",
            help="Move a case one step; a refusal lists every criterion that failed.",
        )
        advance.add_argument("case", type=int, help="the case number")
        advance.add_argument("step", choices=sorted(STEPS), help="the step to record")
        advance.add_argument("--date", help="the day the step happened (YYYY-MM-DD; today)")
        advance.add_argument("--signer", help="verify: person number of the member who signed")
        advance.add_argument("--scan", type=Path, help="verify: the signed authorisation's scan")
        advance.add_argument(
            "--result", help="compare: consistent/corrected/not_eligible; reviews: agreed/rejected"
        )
        advance.add_argument("--notice-start", help="notices: first day posted (YYYY-MM-DD)")
        advance.add_argument("--notice-end", help="notices: last day posted (YYYY-MM-DD)")
        advance.add_argument("--objections", help="township reviews: objections raised")
        advance.add_argument("--objection-handling", help="township reviews: how handled")
        advance.add_argument(
            "--category", choices=MonitoringCategory.values, help="record: monitoring category"
        )
        advance.add_argument(
            "--risk",
            action="append",
            choices=RiskType.values,
            help="record: a risk type (repeat for up to five)",
        )
        advance.add_argument("--way", help="elimination_check: by_assistance or natural")
        advance.add_argument("--reason", help="dismiss, withdraw_elimination: the reason")
        advance.add_argument("--notes", help="notes on the step")
        overdue = sub.add_parser("overdue", help="Overdue cases with their deadlines, by state.")
        overdue.add_argument("--region", help="only households under this region code")
        for parser_ in (listing, show, advance, overdue):
            parser_.add_argument(
                "--as", dest="username", help="act as this user (default: the platform itself)"
            )

    def actor(self, username: str | None) -> Any:
        if not username:
            return SYSTEM
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %s.") % username)
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options.get("username"))
        subcommand = options["subcommand"]
        if subcommand == "list":
            self.list(actor, options["state"], options["overdue"], options["region"])
        elif subcommand == "show":
            self.show(actor, options["case"])
        elif subcommand == "advance":
            self.advance(actor, options)
        else:
            self.overdue(actor, options["region"])

    # Reads ---------------------------------------------------------------------------------

    def _check_region(self, region: str | None) -> None:
        if region:
            try:
                prefix_of(region)
            except InvalidCode:
                raise CommandError(
                    _("%(code)s is not a 12-digit region code.") % {"code": region}
                ) from None

    def list(self, actor: Any, state: str | None, overdue: bool, region: str | None) -> None:
        self._check_region(region)
        cases = selectors.case_list(
            actor, state=state, village=region, overdue=True if overdue else None
        )
        total = cases.count()
        if not total:
            self.stdout.write(_("No cases."))
            return
        header = (
            pgettext("case", "case"),
            pgettext("case", "household"),
            _("clue received on"),
            pgettext("case", "overdue"),
            pgettext("case", "state"),
        )
        self.stdout.write(
            f"{header[0]:>6}  {header[1]:<20} {header[2]:<11} {header[3]:<4} {header[4]}"
        )
        for case in cases[:LIST_LIMIT]:
            mark = "!" if getattr(case, "overdue", False) else ""
            self.stdout.write(
                f"{case.pk:>6}  {case.household.number:<20} {case.opened_on.isoformat():<11} "
                f"{mark:<4} {case.get_state_display()}"
            )
        if total > LIST_LIMIT:
            self.stdout.write(
                _("… and %(more)d more; narrow with --state or --region.")
                % {"more": total - LIST_LIMIT}
            )
        self.stdout.write(_("%(count)d cases.") % {"count": total})

    def show(self, actor: Any, pk: int) -> None:
        detail = selectors.case_detail(actor, pk)
        if detail is None:
            raise CommandError(_("There is no case %(case)d in your scope.") % {"case": pk})
        case = detail.case
        household = case.household
        lines = [
            (pgettext("case", "case"), str(case.pk)),
            (pgettext("case", "household"), f"{household.number} ({household.village.name})"),
            (pgettext("case", "state"), case.get_state_display()),
            (pgettext("case", "source"), case.get_source_display()),
            (_("clue received on"), case.opened_on.isoformat()),
            (
                _("green channel"),
                pgettext("case", "yes") if case.green_channel else pgettext("case", "no"),
            ),
            (
                _("risk types"),
                "、".join(str(RiskType(r).label) for r in case.risk_types if r in RiskType.values)
                or "—",
            ),
            (_("monitoring category"), case.get_monitoring_category_display() or "—"),
            (_("due on"), detail.due_on.isoformat() if detail.due_on else "—"),
            (
                pgettext("case", "overdue"),
                pgettext("case", "yes") if detail.overdue else pgettext("case", "no"),
            ),
        ]
        for label, value in lines:
            self.stdout.write(f"{label}: {value}")
        self.stdout.write(_("Timeline:"))
        for step in detail.steps:
            entries = "; ".join(f"{label}: {value}" for label, value in step_entries(step))
            self.stdout.write(
                f"  {step.date.isoformat()}  {step.get_to_state_display()}"
                + (f"  ({entries})" if entries else "")
            )
        if detail.measures:
            self.stdout.write(_("Measures:"))
            for link in detail.measures:
                measure = link.measure
                self.stdout.write(
                    f"  {measure.date.isoformat()}  {measure.get_category_display()}  "
                    f"{measure.description}".rstrip()
                )
        if detail.visits:
            self.stdout.write(_("Visits:"))
            for visit in detail.visits:
                self.stdout.write(f"  {visit.date.isoformat()}  {visit.visited_by}  {visit.notes}")
        if detail.actions:
            names = ", ".join(t.name for t in detail.actions)
            self.stdout.write(_("Next steps: %(steps)s") % {"steps": names})

    def overdue(self, actor: Any, region: str | None) -> None:
        self._check_region(region)
        today = timezone.localdate()
        rows = selectors.overdue_report(actor, village=region, today=today)
        if not rows:
            self.stdout.write(_("No case is overdue."))
            return
        current = None
        for row in rows:
            if row.case.state != current:
                current = row.case.state
                self.stdout.write(f"{row.case.get_state_display()}:")
            self.stdout.write(
                "  "
                + _("case %(case)d, household %(household)s: due %(due)s, %(days)d days late")
                % {
                    "case": row.case.pk,
                    "household": row.case.household.number,
                    "due": row.due_on.isoformat(),
                    "days": row.days_late,
                }
            )
        self.stdout.write(_("%(count)d overdue cases.") % {"count": len(rows)})

    # Writes --------------------------------------------------------------------------------

    def advance(self, actor: Any, options: dict[str, Any]) -> None:
        case = selectors.visible_cases(actor).filter(pk=options["case"]).first()
        if case is None:
            raise CommandError(
                _("There is no case %(case)d in your scope.") % {"case": options["case"]}
            )
        transition = STEPS[options["step"]]
        step = self.step_data(case, options)
        try:
            services.case_advance(actor=actor, case=case, to_state=transition.target, **step)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationFailed as exc:
            lines = [_("The step was refused:")]
            for field, messages in exc.errors.items():
                prefix = "" if field == "__all__" else f"--{field.replace('_', '-')}: "
                lines.extend(f"  - {prefix}{message}" for message in messages)
            raise CommandError("\n".join(lines)) from None
        finally:
            scan = step.get("authorisation_scan")
            if scan is not None:
                scan.close()
        case.refresh_from_db()
        self.stdout.write(
            _("Case %(case)d: %(state)s.") % {"case": case.pk, "state": case.get_state_display()}
        )

    def step_data(self, case: Case, options: dict[str, Any]) -> dict[str, Any]:
        step: dict[str, Any] = {}
        for option in ("date", "notice_start", "notice_end"):
            if options.get(option):
                step[option] = _date(option, options[option])
        for option in ("result", "objections", "objection_handling", "way", "reason", "notes"):
            if options.get(option):
                step[option] = options[option]
        if options.get("category"):
            step["monitoring_category"] = options["category"]
        if options.get("risk"):
            step["risk_types"] = options["risk"]
        if options.get("signer"):
            signer = case.household.persons.filter(number=options["signer"]).first()
            if signer is None:
                raise CommandError(
                    _("The household has no member with person number %(number)s.")
                    % {"number": options["signer"]}
                )
            step["signer"] = signer
        scan: Path | None = options.get("scan")
        if scan is not None:
            if not scan.is_file():
                raise CommandError(_("No such file: %s") % scan)
            step["authorisation_scan"] = File(scan.open("rb"), name=scan.name)
        return step
