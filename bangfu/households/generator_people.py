"""The members of a synthetic household (see generator.py): ages, IDs, schooling, work, PII."""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import hashlib
import hmac
import os
import random
from typing import TYPE_CHECKING, Any

from bangfu.households import crypto
from bangfu.households.idcards import check_character
from bangfu.households.pii import ID_TOKEN_PURPOSE

if TYPE_CHECKING:
    from bangfu.households.generator import HouseholdDraft

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文红玉梅海荣春生金凤志林德成福云"


class Sealer:
    """Encrypts many values of one column the way EncryptedTextField stores them."""

    def __init__(self, context: str) -> None:
        keyring = crypto.current_keyring()
        key_id = keyring.current_key_id
        self.prefix = f"{crypto.VERSION}:{key_id}:"
        self.aad = f"{crypto.VERSION}:{key_id}:{context}".encode()
        self.encrypt = keyring.cipher(key_id).encrypt

    def __call__(self, plaintext: str) -> str:
        if not plaintext:
            return ""
        nonce = os.urandom(crypto.NONCE_BYTES)
        sealed = self.encrypt(nonce, plaintext.encode(), self.aad)
        return self.prefix + base64.b64encode(nonce + sealed).decode("ascii")


class PeopleFactory:
    """Random but plausible persons; one instance per batch of households (holds the ciphers)."""

    def __init__(self, *, rng: random.Random, area: str, today: dt.date, sequence: int = 0) -> None:
        self.rng = rng
        self.area = area
        self.today = today
        self.sequence = sequence
        self.village_collectors: dict[str, tuple[str, str]] = {}
        self.seal_name = Sealer("person.name")
        self.seal_id = Sealer("person.id_number")
        self.seal_phone = Sealer("person.phone")
        self.seal_bank = Sealer("person.bank_account")
        self.hmac_key = crypto.current_keyring().hmac_key
        self.token_prefix = f"{ID_TOKEN_PURPOSE}\x00".encode()

    def name(self, surname: str | None = None) -> str:
        rng = self.rng
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        return (surname or rng.choice(SURNAMES)) + given

    def mobile(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"

    def id_number(self, born: str, male: bool) -> str:
        self.sequence += 1
        sequence = (self.sequence % 500) * 2 + (1 if male else 0)
        first17 = f"{self.area}{born}{sequence:03d}"
        return first17 + check_character(first17)

    def token(self, id_number: str) -> str:
        return hmac.new(
            self.hmac_key, self.token_prefix + id_number.encode(), hashlib.sha256
        ).hexdigest()

    def birth_date(self, age: int) -> str:
        """YYYYMMDD (IDs are built from it; `iso` turns it into the column's form)."""
        rng = self.rng.random
        return f"{self.today.year - age - 1:04d}{int(rng() * 12) + 1:02d}{int(rng() * 28) + 1:02d}"


def iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}"


class Weighted:
    """rng.choices for one fixed population, without recomputing the weights on every call."""

    def __init__(self, population: tuple[str, ...], weights: tuple[float, ...]) -> None:
        total = sum(weights)
        running, self.bounds = 0.0, []
        for weight in weights:
            running += weight / total
            self.bounds.append(running)
        self.population = population

    def pick(self, rng: random.Random) -> str:
        return self.population[
            min(bisect.bisect(self.bounds, rng.random()), len(self.population) - 1)
        ]


HEALTH = Weighted(("healthy", "chronic", "serious_illness", "disabled"), (85, 10, 2, 3))
ETHNICITY = Weighted(("08", "01", "13"), (60, 30, 10))
ALLOWANCE = Weighted(("none", "dibao", "tekun"), (92, 7, 1))
EDUCATION = Weighted(
    ("illiterate", "primary", "junior_secondary", "senior_secondary", "college"), (8, 30, 42, 15, 5)
)
WORKING_AGE = Weighted(("ordinary", "skilled", "weak", "lost"), (65, 22, 10, 3))
OLDER = Weighted(("weak", "ordinary", "lost", "none"), (45, 15, 20, 20))


def _relations(rng: random.Random, size: int, head_age: int) -> list[tuple[str, int]]:
    """(relation, age) of each member, the head first."""
    members = [("head", head_age)]
    if size >= 2 and rng.random() < 0.85:
        members.append(("spouse", max(18, head_age + rng.randint(-5, 5))))
    while len(members) < size:
        roll = rng.random()
        if roll < 0.65 and head_age >= 22:
            age = max(0, head_age - rng.randint(20, 35))
            members.append((rng.choice(("son", "daughter")), age))
        elif roll < 0.8 and head_age <= 65:
            members.append(("parent", min(95, head_age + rng.randint(20, 30))))
        else:
            members.append(("grandchild", rng.randint(0, 15)))
    return members


def _schooling(rng: random.Random, age: int) -> tuple[str, str, str]:
    """(education, schooling status, reason out of school)."""
    if age < 3:
        return "preschool", "not_in_school", ""
    if age < 6:
        return "preschool", "preschool", ""
    if age <= 16:
        if rng.random() < 0.003:
            return (
                "primary",
                "dropped_out",
                rng.choice(("financial", "illness", "learning_difficulty")),
            )
        if age < 12:
            return "primary", "primary", ""
        if age < 15:
            return "primary", "junior_secondary", ""
        return "junior_secondary", "senior_secondary", ""
    if age <= 22 and rng.random() < 0.4:
        return "senior_secondary", rng.choice(("higher_vocational", "university")), ""
    return EDUCATION.pick(rng), "not_in_school", ""


def _labour(rng: random.Random, age: int, health: str) -> str:
    if age < 16:
        return "ordinary" if rng.random() < 0.001 else "none"
    if health == "disabled" or health == "serious_illness":
        return rng.choice(("lost", "weak", "none"))
    if age <= 60:
        return WORKING_AGE.pick(rng)
    if age <= 70:
        return OLDER.pick(rng)
    return rng.choice(("none", "lost", "weak"))


def household_members(
    people: PeopleFactory,
    household_id: int,
    household: HouseholdDraft,
    first_id: int,
    now: Any,
) -> list[tuple[Any, ...]]:
    """The Person rows of one household, in the model's column order."""
    rng = people.rng
    r = rng.random
    head_age = rng.randint(28, 78)
    surname = rng.choice(SURNAMES)
    rows: list[tuple[Any, ...]] = []
    number = household.row[3]
    for position, (relation, age) in enumerate(_relations(rng, household.size, head_age)):
        male = relation in ("head", "son", "parent") if r() < 0.85 else r() < 0.5
        born = people.birth_date(age)
        id_number = people.id_number(born, male)
        health = rng.choices(("healthy", "chronic", "serious_illness", "disabled"), (85, 10, 2, 3))[
            0
        ]
        education, schooling, reason = _schooling(rng, age)
        labour = _labour(rng, age, health)
        works_away = labour in ("ordinary", "skilled") and r() < 0.45
        months = rng.choice((3, 5, 8, 10, 11, 12)) if works_away else 0
        basic = r()
        with_phone = age >= 18 and (relation == "head" or r() < 0.5)
        rows.append(
            (
                first_id + position,
                now,
                now,
                f"{number}{position + 1:02d}",
                household_id,
                people.seal_name(
                    people.name(
                        surname if relation in ("head", "son", "daughter", "grandchild") else None
                    )
                ),
                "resident_id",
                people.seal_id(id_number),
                people.token(id_number),
                relation,
                "male" if male else "female",
                iso(born),
                ETHNICITY.pick(rng),
                education,
                schooling,
                reason,
                health,
                labour,
                basic < 0.97,  # resident medical insurance
                0.97 <= basic < 0.99,  # employee medical insurance
                r() < 0.985,  # critical illness
                age >= 16 and r() < 0.8,
                ALLOWANCE.pick(rng),
                months,
                rng.choice(("in_county", "in_province", "out_of_province")) if months else "",
                labour in ("weak", "ordinary") and r() < 0.02,
                people.seal_phone(people.mobile()) if with_phone else "",
                people.seal_bank(f"6228{rng.randrange(10**14):014d}") if relation == "head" else "",
            )
        )
    return rows
