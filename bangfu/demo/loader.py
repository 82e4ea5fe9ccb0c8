"""Load the demo: the seed reports' pairings and one demo user per side, through the services.

Every record is written by a service with `actor=SYSTEM`, so the demo obeys the same rules and
leaves the same audit trail as any other write. Records are looked up by their natural keys
first and only what is missing is created: a second run creates nothing and writes no audit event.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from bangfu.accounts import services as account_services
from bangfu.accounts.models import PiiGrant, User
from bangfu.accounts.scopes import SYSTEM
from bangfu.demo import cases as demo_cases
from bangfu.demo import data
from bangfu.funds import demo as funds_demo
from bangfu.indicators import demo as indicators_demo
from bangfu.pairings import services as pairing_services
from bangfu.pairings.models import Agreement, Meeting, Organisation, Pairing, PairingLevel
from bangfu.regions import codes
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load_local

# Object types in the summary, in the order they are printed.
REGIONS, ORGANISATIONS, PAIRINGS = "regions", "organisations", "pairings"
AGREEMENTS, MEETINGS, USERS, PII_GRANTS = "agreements", "meetings", "users", "pii_grants"
HOUSEHOLDS, CASES = "households", "cases"
KINDS = (
    REGIONS,
    ORGANISATIONS,
    PAIRINGS,
    AGREEMENTS,
    MEETINGS,
    USERS,
    PII_GRANTS,
    HOUSEHOLDS,
    CASES,
)

# Organisations and pairings of the demo sit in (or start from) these donor districts; existing
# records are looked up there, not in the whole table.
_DONOR_PREFIXES = tuple(
    codes.prefix_of(code) for code in (data.LONGHUA, data.BAOAN, data.GUANGMING, data.TIANHE)
)

PairingKey = tuple[str | None, int | None, str | None, int | None, str]


class DemoDataMissing(Exception):
    """The regions the demo needs are not in the database (migrations or local data missing)."""


@dataclass(frozen=True)
class Credential:
    username: str
    password: str
    from_environment: bool


@dataclass
class DemoResult:
    created: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    credentials: list[Credential] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Demo cases per state after the run (empty when households were not asked for).
    cases_by_state: dict[str, int] = field(default_factory=dict)

    @property
    def created_anything(self) -> bool:
        return sum(self.created.values()) > 0


def demo_load(
    *, password: str | None = None, reset_passwords: bool = False, households: int = 0
) -> DemoResult:
    """Create whatever of the demo is missing.

    `households` synthetic households are spread over the recipient counties, with monitoring
    cases in every state of the workflow (bangfu.demo.cases); 0 leaves households out.

    New demo users get `password` when given (BANGFU_DEMO_PASSWORD), a random one otherwise;
    with `reset_passwords` the existing demo users get new passwords the same way. The
    passwords are returned in the result, the only place they ever appear.
    """
    with transaction.atomic():
        # The townships and villages of the demo counties (the country down to county level
        # comes with the migrations).
        regions = regions_load_local(actor=SYSTEM)
        loader = _Loader()
        loader.result.created[REGIONS] += regions.created
        loader.result.present[REGIONS] += regions.unchanged
        for spec in data.COUNTY_PAIRINGS:
            loader.county_pairing(spec)
        loader.users(password=password, reset_passwords=reset_passwords)
        # Records of the later work areas hang on the pairings above; each module is idempotent.
        loader.result.notes.extend(funds_demo.load(SYSTEM))
        loader.result.notes.extend(indicators_demo.load(SYSTEM))
        if households > 0:
            loader.households(households)
    return loader.result


def _party_key(party: Region | Organisation) -> tuple[str | None, int | None]:
    if isinstance(party, Region):
        return party.code, None
    return None, party.pk


def _pairing_key(
    donor: Region | Organisation, recipient: Region | Organisation, kind: str
) -> PairingKey:
    return (*_party_key(donor), *_party_key(recipient), kind)


class _Loader:
    def __init__(self) -> None:
        self.result = DemoResult()
        in_donor_districts = Q()
        for prefix in _DONOR_PREFIXES:
            in_donor_districts |= Q(region__code__startswith=prefix)
        self.organisations = {
            (org.region_id, org.name): org
            for org in Organisation.objects.filter(in_donor_districts)
        }
        # Recipient-side organisations live in the recipient counties.
        recipient_prefixes = {codes.prefix_of(spec.recipient) for spec in data.COUNTY_PAIRINGS}
        in_recipients = Q()
        for prefix in recipient_prefixes:
            in_recipients |= Q(region__code__startswith=prefix)
        self.organisations.update(
            {(org.region_id, org.name): org for org in Organisation.objects.filter(in_recipients)}
        )
        donor_q = Q()
        for prefix in _DONOR_PREFIXES:
            donor_q |= Q(donor_region__code__startswith=prefix)
            donor_q |= Q(donor_organisation__region__code__startswith=prefix)
        self.pairings: dict[PairingKey, Pairing] = {}
        for pairing in Pairing.objects.filter(donor_q, end_date__isnull=True):
            key = (
                pairing.donor_region_id,
                pairing.donor_organisation_id,
                pairing.recipient_region_id,
                pairing.recipient_organisation_id,
                pairing.kind,
            )
            self.pairings[key] = pairing
        self.regions: dict[str, Region] = {}
        self.village_pools: dict[data.VillagePool, list[Region]] = {}

    # Look-ups ----------------------------------------------------------------------------------

    def region(self, code: str) -> Region:
        if code not in self.regions:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise DemoDataMissing(
                    f"Region {code} is missing: run `bangfu manage migrate` first "
                    "(the demo needs the shipped region data)."
                )
            self.regions[code] = region
        return self.regions[code]

    def villages(self, selection: data.Villages) -> list[Region]:
        pool = selection.pool
        if pool not in self.village_pools:
            candidates = [
                village
                for village in Region.objects.within(pool.county)
                .filter(level=codes.Level.VILLAGE)
                .order_by("code")
                # 村委会 (village committees) are numbered from 200; 居委会 below are urban.
                if village.code[9:] >= "200"
            ]
            if len(candidates) < pool.size:
                raise DemoDataMissing(
                    f"The demo needs {pool.size} villages of {pool.county}, found "
                    f"{len(candidates)}: the local region data was not loaded."
                )
            # Evenly spaced by code, so the demo villages spread over the county's townships.
            step = len(candidates) / pool.size
            self.village_pools[pool] = [candidates[int(i * step)] for i in range(pool.size)]
        return self.village_pools[pool][selection.start : selection.start + selection.count]

    # Writes ------------------------------------------------------------------------------------

    def organisation(self, name: str, kind: str, region_code: str) -> Organisation:
        key = (region_code, name)
        existing = self.organisations.get(key)
        if existing is not None:
            self.result.present[ORGANISATIONS] += 1
            return existing
        organisation = pairing_services.organisation_create(
            actor=SYSTEM, name=name, kind=kind, region=self.region(region_code), is_demo=True
        )
        self.organisations[key] = organisation
        self.result.created[ORGANISATIONS] += 1
        return organisation

    def units(self, units: data.Units) -> list[Organisation]:
        return [self.organisation(name, units.kind, code) for name, code in units.members()]

    def pairing(
        self,
        *,
        donor: Region | Organisation,
        recipient: Region | Organisation,
        kind: str,
        level: str,
        start: dt.date,
        parent: Pairing | None = None,
        notes: str = "",
    ) -> Pairing:
        key = _pairing_key(donor, recipient, kind)
        existing = self.pairings.get(key)
        if existing is not None:
            self.result.present[PAIRINGS] += 1
            return existing
        pairing = pairing_services.pairing_create(
            actor=SYSTEM,
            donor=donor,
            recipient=recipient,
            kind=kind,
            level=level,
            start_date=start,
            parent=parent,
            notes=notes,
            is_demo=True,
        )
        self.pairings[key] = pairing
        self.result.created[PAIRINGS] += 1
        return pairing

    def county_pairing(self, spec: data.CountyPairing) -> Pairing:
        county = self.pairing(
            donor=self.region(spec.donor),
            recipient=self.region(spec.recipient),
            kind=spec.kind,
            level=PairingLevel.COUNTY_COUNTY,
            start=spec.start,
            notes=spec.notes,
        )
        self.agreements(county, spec.agreements)
        self.meetings(county, spec.meetings)
        for sub in spec.sub_pairings:
            self.pairing(
                donor=self.region(sub.donor),
                recipient=self.region(sub.recipient),
                kind=spec.kind,
                level=sub.level,
                start=sub.start,
                parent=county,
                notes=sub.notes,
            )
        for group in spec.unit_pairings:
            donors = self.units(group.donors)
            recipients: list[Region] | list[Organisation] = (
                self.villages(group.recipients)
                if isinstance(group.recipients, data.Villages)
                else self.units(group.recipients)
            )
            for i in range(group.count):
                self.pairing(
                    donor=donors[i % len(donors)],
                    recipient=recipients[i % len(recipients)],
                    kind=spec.kind,
                    level=group.level,
                    start=group.start,
                    parent=county,
                )
        return county

    def agreements(self, pairing: Pairing, specs: Iterable[data.AgreementSpec]) -> None:
        existing = set(
            Agreement.objects.filter(pairing=pairing).values_list("kind", "title", "signed_on")
        )
        for spec in specs:
            if (spec.kind, spec.title, spec.signed_on) in existing:
                self.result.present[AGREEMENTS] += 1
                continue
            pairing_services.agreement_create(
                actor=SYSTEM,
                pairing=pairing,
                kind=spec.kind,
                title=spec.title,
                signed_on=spec.signed_on,
                notes=spec.notes,
            )
            self.result.created[AGREEMENTS] += 1

    def meetings(self, pairing: Pairing, specs: Iterable[data.MeetingSpec]) -> None:
        existing = set(Meeting.objects.filter(pairing=pairing).values_list("kind", "date", "place"))
        for spec in specs:
            if (spec.kind, spec.date, spec.place) in existing:
                self.result.present[MEETINGS] += 1
                continue
            pairing_services.meeting_create(
                actor=SYSTEM,
                pairing=pairing,
                kind=spec.kind,
                date=spec.date,
                place=spec.place,
                participants=spec.participants,
                summary=spec.summary,
                is_demo=True,
            )
            self.result.created[MEETINGS] += 1

    def users(self, *, password: str | None, reset_passwords: bool) -> None:
        existing = {u.username: u for u in User.objects.filter(username__in=_usernames())}
        for spec in data.DEMO_USERS:
            user = existing.get(spec.username)
            if user is None:
                secret = password or _random_password()
                user = account_services.user_create(
                    actor=SYSTEM,
                    username=spec.username,
                    password=secret,
                    region=self.region(spec.region) if spec.region else None,
                    roles=spec.roles,
                    full_name=spec.full_name,
                    is_superuser=spec.is_superuser,
                    # BANGFU_DEMO_PASSWORD may be short on purpose (tests, a shared demo).
                    validate=False,
                )
                self.result.created[USERS] += 1
                self.result.credentials.append(
                    Credential(spec.username, secret, from_environment=password is not None)
                )
            else:
                self.result.present[USERS] += 1
                if reset_passwords:
                    secret = password or _random_password()
                    account_services.user_set_password(
                        actor=SYSTEM, user=user, password=secret, validate=False
                    )
                    self.result.credentials.append(
                        Credential(spec.username, secret, from_environment=password is not None)
                    )
            if spec.pii_county:
                self.pii_grant(user, spec.pii_county)

    def households(self, total: int) -> None:
        created, present = demo_cases.load_households(SYSTEM, total)
        self.result.created[HOUSEHOLDS] += created
        self.result.present[HOUSEHOLDS] += present
        cases_created, cases_present, _ran = demo_cases.load_cases(
            SYSTEM, households_created=created > 0
        )
        self.result.created[CASES] += cases_created
        self.result.present[CASES] += cases_present
        self.result.cases_by_state = demo_cases.cases_by_state()

    def pii_grant(self, user: User, county_code: str) -> None:
        if PiiGrant.objects.filter(user=user, county_id=county_code).exists():
            self.result.present[PII_GRANTS] += 1
            return
        account_services.pii_grant_create(actor=SYSTEM, user=user, county=self.region(county_code))
        self.result.created[PII_GRANTS] += 1


def _usernames() -> list[str]:
    return [spec.username for spec in data.DEMO_USERS]


def _random_password() -> str:
    return secrets.token_urlsafe(12)
