"""The demo's content: the pairings described in the five seed reports, as plain data.

Facts (parties, kinds, dates, titles, places, counts) come from the reports. Where a report
gives only a count (12 schools paired with 12 schools, 192 pairing units, 12 visits…), the demo
creates that many plausible records named as demo units ("宝安区结对学校01"); they are demo data
whose counts equal the reported figures, not the real schools, villages or dates. Where a report
gives no date, the date chosen is a placeholder and says so in a comment.

`bangfu.demo.loader` turns these structures into records through the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bangfu.accounts.models import Role
from bangfu.pairings.models import (
    AgreementKind,
    MeetingKind,
    OrganisationKind,
    PairingKind,
    PairingLevel,
)

D = dt.date


@dataclass(frozen=True)
class AgreementSpec:
    kind: AgreementKind
    title: str
    signed_on: dt.date
    notes: str = ""


@dataclass(frozen=True)
class MeetingSpec:
    kind: MeetingKind
    date: dt.date
    place: str
    participants: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Units:
    """Numbered demo organisations: `name.format(n)` for n in first … first + count - 1.

    The organisations are spread over `regions` in turn (a county, or some of its streets).
    """

    name: str
    kind: OrganisationKind
    regions: tuple[str, ...]
    count: int
    first: int = 1

    def members(self) -> list[tuple[str, str]]:
        """(name, region code) of each unit, in order."""
        return [
            (self.name.format(self.first + i), self.regions[i % len(self.regions)])
            for i in range(self.count)
        ]


@dataclass(frozen=True)
class VillagePool:
    """`size` villages (村委会) of a county from the shipped local data, evenly spaced by code.

    The reports do not name the villages; the pool is a deterministic stand-in so every run
    picks the same ones.
    """

    county: str
    size: int


@dataclass(frozen=True)
class Villages:
    pool: VillagePool
    start: int
    count: int


@dataclass(frozen=True)
class UnitPairings:
    """`count` pairings between donor units and recipients; pairing i joins donor i mod |donors|
    with recipient i mod |recipients|, so 18 donors and 22 recipients give 22 pairings where four
    donors help two recipients each."""

    level: PairingLevel
    start: dt.date
    donors: Units
    recipients: Units | Villages
    count: int


@dataclass(frozen=True)
class SubPairing:
    """A named region-to-region pairing nested under a county pairing."""

    donor: str
    recipient: str
    level: PairingLevel
    start: dt.date
    notes: str = ""


@dataclass(frozen=True)
class CountyPairing:
    donor: str
    recipient: str
    kind: PairingKind
    start: dt.date
    notes: str = ""
    agreements: tuple[AgreementSpec, ...] = ()
    meetings: tuple[MeetingSpec, ...] = ()
    sub_pairings: tuple[SubPairing, ...] = ()
    unit_pairings: tuple[UnitPairings, ...] = field(default=())


# Region codes --------------------------------------------------------------------------------

LONGHUA = "440309000000"  # 深圳市龙华区
BAOAN = "440306000000"  # 深圳市宝安区
GUANGMING = "440311000000"  # 深圳市光明区
TIANHE = "440106000000"  # 广州市天河区
FENGSHAN = "451223000000"  # 河池市凤山县
DUAN = "451228000000"  # 河池市都安瑶族自治县
DAHUA = "451229000000"  # 河池市大化瑶族自治县
TIANLIN = "451029000000"  # 百色市田林县
LONGCHUAN = "441622000000"  # 河源市龙川县
NAYONG = "520525000000"  # 毕节市纳雍县
SHANWEI_CHENGQU = "441502000000"  # 汕尾市城区 (红海湾 lies within it in the codes)
CHAYU = "540425000000"  # 林芝市察隅县

BAOAN_STREETS = tuple(f"440306{n:03d}000" for n in range(17, 27))  # 新安 … 石岩, ten streets
TIANHE_QIANJIN, TIANHE_XINGHUA, TIANHE_YUANCUN = "440106020000", "440106010000", "440106002000"

# Seed 000: 深圳市龙华区 → 凤山县 --------------------

LONGHUA_FENGSHAN = CountyPairing(
    donor=LONGHUA,
    recipient=FENGSHAN,
    kind=PairingKind.EAST_WEST,
    # The 2021 round of 粤桂协作 paired 龙华 with 凤山; the report gives the year, not the day.
    start=D(2021, 1, 1),
    agreements=(
        AgreementSpec(
            AgreementKind.FRAMEWORK,
            "深圳市龙华区-广西凤山县粤桂协作框架协议书",
            D(2021, 8, 30),
            notes="签订于龙华区对口帮扶凤山县工作联席会;同日龙华区向凤山县捐赠社会帮扶资金300万元。",
        ),
    ),
    meetings=(
        MeetingSpec(
            MeetingKind.JOINT_MEETING,
            D(2021, 8, 30),
            "凤山县",
            "雷卫华(龙华区区长)、徐志斌(龙华区常务副区长)、姚光明、冯文(河池市乡村振兴局)、"
            "杨胜涛(凤山县代县长)",
            "龙华区对口帮扶凤山县工作联席会:派驻干部汇报帮扶情况和下一步计划;签订粤桂协作"
            "框架协议书;龙华区捐赠社会帮扶资金300万元。",
        ),
        MeetingSpec(
            MeetingKind.LEADERS_VISIT,
            D(2021, 8, 30),
            "凤山县双创产业园、龙凤公益服务站、凤山县第一幼儿园",
            "雷卫华、徐志斌、杨胜涛",
            "走访双创产业园电商中心和康音电子厂、龙凤公益服务站、凤山县第一幼儿园"
            "(捐赠价值5万元的教学、文体用品)。",
        ),
    ),
)

# Seeds 001 and 003: 宝安区 → 龙川县, 都安, 大化 --------------------

BAOAN_WORK_MEETING = MeetingSpec(
    # A donor-side work meeting that deployed the work for all three counties; recorded under
    # each of the three pairings. There is no "internal work meeting" kind yet, so it is
    # recorded as a working contact (工作对接).
    MeetingKind.WORKING_VISIT,
    D(2020, 3, 13),
    "深圳市宝安区",
    "姚任(宝安区委书记)、郭子平(区长)、姚刚、孟锦锦、娄岩峰、项健",
    "2020年决战决胜脱贫攻坚工作会议暨宝安区对口扶持工作领导小组2020年第二次会议:"
    "部署对口帮扶龙川和扶贫协作都安、大化工作。",
)

BAOAN_LONGCHUAN = CountyPairing(
    donor=BAOAN,
    recipient=LONGCHUAN,
    kind=PairingKind.PAIRED_ASSISTANCE,
    # The report says only "since comprehensive paired assistance began"; Guangdong's round of
    # 精准扶贫 paired assistance started in 2016, so the demo uses 2016-01-01 as a placeholder.
    start=D(2016, 1, 1),
    notes="共建深圳宝安(龙川)产业转移工业园。",
    meetings=(
        MeetingSpec(
            MeetingKind.LEADERS_VISIT,
            D(2018, 9, 18),
            "深圳宝安(龙川)产业转移工业园、老隆镇浮石村",
            "周学良(宝安区副区长)、黄添胜(龙川县委书记)、黄春彭、张百松、骆伯青",
            "查看园区项目建设和企业生产经营;考察浮石村精准扶贫工作,慰问2户贫困户。",
        ),
        MeetingSpec(
            MeetingKind.JOINT_MEETING,
            D(2018, 9, 18),
            "深圳宝安(龙川)产业转移工业园",
            "周学良、黄添胜",
            "宝安—龙川园区共建会议。",
        ),
        BAOAN_WORK_MEETING,
    ),
    unit_pairings=(
        # Report: 宝安区12所学校与龙川12所学校开展结对帮扶. Demo schools; start date a placeholder.
        UnitPairings(
            level=PairingLevel.SCHOOL_SCHOOL,
            start=D(2017, 9, 1),
            donors=Units("宝安区结对学校{:02d}", OrganisationKind.SCHOOL, (BAOAN,), 12),
            recipients=Units("龙川县结对学校{:02d}", OrganisationKind.SCHOOL, (LONGCHUAN,), 12),
            count=12,
        ),
        # Report: 宝安区18所医疗卫生机构与龙川22家医疗卫生机构建立结对帮扶关系.
        UnitPairings(
            level=PairingLevel.HOSPITAL_HOSPITAL,
            start=D(2017, 3, 1),
            donors=Units("宝安区结对医疗机构{:02d}", OrganisationKind.HOSPITAL, (BAOAN,), 18),
            recipients=Units(
                "龙川县结对医疗机构{:02d}", OrganisationKind.HOSPITAL, (LONGCHUAN,), 22
            ),
            count=22,
        ),
    ),
)

# Report 003: 192 communities, enterprises and social organisations of 宝安 each pair with a poor
# village of 都安 or 大化. The split is the demo's: 100 communities, 72 enterprises and 20 social
# organisations; 108 villages in 都安 and 84 in 大化 (roughly in proportion to the households
# each county lifted out of poverty in 2019: 1.14万 and 0.85万). Which villages is not reported.
DUAN_POOL = VillagePool(DUAN, 108)
DAHUA_POOL = VillagePool(DAHUA, 84)
_VILLAGE_PAIRING_START = D(2018, 3, 1)  # placeholder: the report gives no start


def _baoan_village_pairings(
    pool: VillagePool,
    communities: tuple[int, int],
    enterprises: tuple[int, int],
    social_orgs: tuple[int, int],
) -> tuple[UnitPairings, ...]:
    """Communities, enterprises and social organisations of 宝安 paired with `pool`'s villages.

    Each group is (first number, count), so 都安 and 大化 get distinct units.
    """
    (c_first, c_count), (e_first, e_count), (o_first, o_count) = (
        communities,
        enterprises,
        social_orgs,
    )
    return (
        UnitPairings(
            level=PairingLevel.STREET_VILLAGE,
            start=_VILLAGE_PAIRING_START,
            donors=Units(
                "宝安区结对社区{:03d}", OrganisationKind.COMMUNITY, BAOAN_STREETS, c_count, c_first
            ),
            recipients=Villages(pool, 0, c_count),
            count=c_count,
        ),
        UnitPairings(
            level=PairingLevel.ENTERPRISE_VILLAGE,
            start=_VILLAGE_PAIRING_START,
            donors=Units(
                "宝安区结对企业{:02d}", OrganisationKind.ENTERPRISE, (BAOAN,), e_count, e_first
            ),
            recipients=Villages(pool, c_count, e_count),
            count=e_count,
        ),
        UnitPairings(
            level=PairingLevel.SOCIAL_ORG_VILLAGE,
            start=_VILLAGE_PAIRING_START,
            donors=Units(
                "宝安区结对社会组织{:02d}",
                OrganisationKind.SOCIAL_ORGANISATION,
                (BAOAN,),
                o_count,
                o_first,
            ),
            recipients=Villages(pool, c_count + e_count, o_count),
            count=o_count,
        ),
    )


# The 粤桂 east–west pairing of 宝安 with 都安 and 大化; the reports give no start date, 2017 is a
# placeholder before the 2019 results they report.
BAOAN_DUAN = CountyPairing(
    donor=BAOAN,
    recipient=DUAN,
    kind=PairingKind.EAST_WEST,
    start=D(2017, 1, 1),
    meetings=(BAOAN_WORK_MEETING,),
    unit_pairings=_baoan_village_pairings(DUAN_POOL, (1, 56), (1, 40), (1, 12)),
)
BAOAN_DAHUA = CountyPairing(
    donor=BAOAN,
    recipient=DAHUA,
    kind=PairingKind.EAST_WEST,
    start=D(2017, 1, 1),
    meetings=(BAOAN_WORK_MEETING,),
    unit_pairings=_baoan_village_pairings(DAHUA_POOL, (57, 44), (41, 32), (13, 8)),
)

# Seed 002: 光明区 → 田林县, 汕尾市城区, 察隅县 --------------------

GUANGMING_TIANLIN = CountyPairing(
    donor=GUANGMING,
    recipient=TIANLIN,
    kind=PairingKind.EAST_WEST,
    start=D(2017, 1, 1),  # placeholder: the report gives no start date
)

GUANGMING_CHENGQU = CountyPairing(
    donor=GUANGMING,
    recipient=SHANWEI_CHENGQU,
    kind=PairingKind.PAIRED_ASSISTANCE,
    start=D(2016, 5, 1),  # "从2016年5月起"
    notes="精准扶贫汕尾市城区5个贫困村和红海湾开发区1个贫困村。",
    sub_pairings=(
        # Six poor villages, one per 光明 street. 凤凰街道 → 军船头村 is reported; 南门外村 is
        # named in the report; the other four villages (遮浪's 水龟寮村 standing for the one in
        # 红海湾) and the other street–village assignments are demo choices.
        SubPairing(
            "440311004000",
            "441502103214",  # 捷胜镇军船头村
            PairingLevel.STREET_VILLAGE,
            D(2016, 5, 1),
            notes="2020年起凤凰街道“满天星”全要素网格服务融入军船头村帮扶。",
        ),
        SubPairing("440311001000", "441502103201", PairingLevel.STREET_VILLAGE, D(2016, 5, 1)),
        SubPairing("440311002000", "441502100209", PairingLevel.STREET_VILLAGE, D(2016, 5, 1)),
        SubPairing("440311003000", "441502102205", PairingLevel.STREET_VILLAGE, D(2016, 5, 1)),
        SubPairing("440311005000", "441502007202", PairingLevel.STREET_VILLAGE, D(2016, 5, 1)),
        SubPairing("440311006000", "441502006203", PairingLevel.STREET_VILLAGE, D(2016, 5, 1)),
    ),
)

GUANGMING_CHAYU = CountyPairing(
    donor=GUANGMING,
    recipient=CHAYU,
    kind=PairingKind.COUNTERPART_SUPPORT,
    start=D(2016, 8, 1),  # "光明区自2016年8月起选派干部赴西藏察隅县"
    meetings=(
        MeetingSpec(
            MeetingKind.WORKING_VISIT,
            D(2020, 8, 1),  # the report gives the month only
            "察隅县上察隅镇毕达村",
            "光明区赴察隅县考察团",
            "考察团调研毕达村,听取种植基地情况介绍。",
        ),
    ),
    sub_pairings=(
        # "2020年…新湖街道结对察隅县下察隅镇、玉塘街道结对察隅县上察隅镇"; the day is a placeholder.
        SubPairing(
            "440311003000",
            "540425102000",
            PairingLevel.TOWNSHIP_TOWNSHIP,
            D(2020, 1, 1),
            notes="新湖街道安排资金49万元帮扶下察隅镇土特产销售点装修和包装厂房项目。",
        ),
        SubPairing(
            "440311005000",
            "540425101000",
            PairingLevel.TOWNSHIP_TOWNSHIP,
            D(2020, 1, 1),
            notes="玉塘街道安排资金44万元帮扶上察隅镇毕达村瀑布景区道路及配套设施项目。",
        ),
    ),
)

# Seed 004: 广州市天河区 → 纳雍县 --------------------

NAYONG_POOL = VillagePool(NAYONG, 77)

# "2016年以来…互访调研对接工作12次,共同组织召开党政联席会议8次": the report gives counts only.
# These dates and places are demo data whose counts equal the reported figures.
_TIANHE, _NAYONG = "广州市天河区", "贵州省纳雍县"
TIANHE_VISIT_DATES = (
    (D(2016, 9, 20), _NAYONG),
    (D(2016, 12, 8), _TIANHE),
    (D(2017, 4, 12), _NAYONG),
    (D(2017, 8, 23), _TIANHE),
    (D(2018, 3, 28), _NAYONG),
    (D(2018, 7, 17), _TIANHE),
    (D(2018, 11, 6), _NAYONG),
    (D(2019, 4, 16), _NAYONG),
    (D(2019, 9, 10), _TIANHE),
    (D(2020, 5, 19), _NAYONG),
    (D(2020, 10, 27), _TIANHE),
    (D(2021, 3, 23), _NAYONG),
)
TIANHE_JOINT_MEETING_DATES = (
    (D(2016, 9, 21), _NAYONG),
    (D(2017, 4, 13), _NAYONG),
    (D(2017, 8, 24), _TIANHE),
    (D(2018, 3, 29), _NAYONG),
    (D(2018, 11, 7), _NAYONG),
    (D(2019, 9, 11), _TIANHE),
    (D(2020, 5, 20), _NAYONG),
    (D(2020, 10, 28), _TIANHE),
)

TIANHE_NAYONG = CountyPairing(
    donor=TIANHE,
    recipient=NAYONG,
    kind=PairingKind.EAST_WEST,
    start=D(2016, 9, 1),  # "2016年9月结对帮扶纳雍县"
    notes="“五个纳雍”帮扶计划;双方制定了《联席会议制度》。",
    agreements=(
        AgreementSpec(
            AgreementKind.FRAMEWORK,
            "对口帮扶合作框架协议",
            D(2016, 9, 1),  # placeholder: the report names the agreement, not its date
            notes="与《联席会议制度》一并建立两地党政联席会议机制。",
        ),
    ),
    meetings=(
        *(
            MeetingSpec(MeetingKind.LEADERS_VISIT, day, place, summary="党政主要领导互访调研对接。")
            for day, place in TIANHE_VISIT_DATES
        ),
        *(
            MeetingSpec(MeetingKind.JOINT_MEETING, day, place, summary="两地党政联席会议。")
            for day, place in TIANHE_JOINT_MEETING_DATES
        ),
    ),
    unit_pairings=(
        # "天河区14所医疗单位54所学校与纳雍县32所医疗单位67所学校成功结对": demo units.
        UnitPairings(
            level=PairingLevel.HOSPITAL_HOSPITAL,
            start=D(2017, 3, 1),
            donors=Units("天河区结对医疗单位{:02d}", OrganisationKind.HOSPITAL, (TIANHE,), 14),
            recipients=Units("纳雍县结对医疗单位{:02d}", OrganisationKind.HOSPITAL, (NAYONG,), 32),
            count=32,
        ),
        UnitPairings(
            level=PairingLevel.SCHOOL_SCHOOL,
            start=D(2017, 9, 1),
            donors=Units("天河区结对学校{:02d}", OrganisationKind.SCHOOL, (TIANHE,), 54),
            recipients=Units("纳雍县结对学校{:02d}", OrganisationKind.SCHOOL, (NAYONG,), 67),
            count=67,
        ),
        # "前进、兴华、员村等街道…先后联引77家企业(商会)" 村企结对: 77 demo enterprises located in
        # the three streets, each paired with one village of 纳雍.
        UnitPairings(
            level=PairingLevel.ENTERPRISE_VILLAGE,
            start=D(2018, 6, 1),
            donors=Units(
                "天河区结对企业{:02d}",
                OrganisationKind.ENTERPRISE,
                (TIANHE_QIANJIN, TIANHE_XINGHUA, TIANHE_YUANCUN),
                77,
            ),
            recipients=Villages(NAYONG_POOL, 0, 77),
            count=77,
        ),
    ),
)

COUNTY_PAIRINGS: tuple[CountyPairing, ...] = (
    LONGHUA_FENGSHAN,
    BAOAN_LONGCHUAN,
    BAOAN_DUAN,
    BAOAN_DAHUA,
    GUANGMING_TIANLIN,
    GUANGMING_CHENGQU,
    GUANGMING_CHAYU,
    TIANHE_NAYONG,
)

# Demo users ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    region: str | None
    roles: tuple[Role, ...]
    pii_county: str | None = None
    is_superuser: bool = False
    full_name: str = ""


_DONOR = (Role.VIEWER, Role.DATA_ENTRY)
_RECIPIENT = (Role.VIEWER, Role.DATA_ENTRY, Role.REVIEWER)

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", None, (Role.ADMINISTRATOR,), is_superuser=True, full_name="演示管理员"),
    DemoUser("longhua", LONGHUA, _DONOR, full_name="龙华区演示用户"),
    DemoUser("baoan", BAOAN, _DONOR, full_name="宝安区演示用户"),
    DemoUser("guangming", GUANGMING, _DONOR, full_name="光明区演示用户"),
    DemoUser("tianhe", TIANHE, _DONOR, full_name="天河区演示用户"),
    DemoUser("fengshan", FENGSHAN, _RECIPIENT, pii_county=FENGSHAN, full_name="凤山县演示用户"),
    DemoUser("longchuan", LONGCHUAN, _RECIPIENT, LONGCHUAN, full_name="龙川县演示用户"),
    DemoUser("duan", DUAN, _RECIPIENT, pii_county=DUAN, full_name="都安县演示用户"),
    DemoUser("dahua", DAHUA, _RECIPIENT, pii_county=DAHUA, full_name="大化县演示用户"),
    DemoUser("tianlin", TIANLIN, _RECIPIENT, pii_county=TIANLIN, full_name="田林县演示用户"),
    DemoUser(
        "shanwei", SHANWEI_CHENGQU, _RECIPIENT, SHANWEI_CHENGQU, full_name="汕尾市城区演示用户"
    ),
    DemoUser("chayu", CHAYU, _RECIPIENT, pii_county=CHAYU, full_name="察隅县演示用户"),
    DemoUser("nayong", NAYONG, _RECIPIENT, pii_county=NAYONG, full_name="纳雍县演示用户"),
)
