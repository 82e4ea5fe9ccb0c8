"""The indicator catalogue shipped with bangfu (loaded by migration 0002).

Each row: code, Chinese name, English name, unit, work area, flow/stock, aggregation over time,
aggregation over parties, "of which" parent, rule for duplicate reports, computed-by provider.
Frozen once migrated: add indicators in a new list and a new data migration (or through the
administrator's screens), never by editing a row here.
"""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    unit: str
    area: str
    nature: str = "flow"
    time: str = "sum"
    party: str = "sum"
    parent: str = ""
    duplicate: str = "prefer_recipient"
    provider: str = ""
    ratio: str = ""  # "numerator/denominator" for ratio indicators


_P, _H, _C, _Y, _PT, _PC = "person", "household", "count", "yuan", "person_time", "percent"

# fmt: off
CATALOGUE_V1: list[Row] = [
    # 组织领导 (computed from meeting records)
    Row("joint_meetings", "联席会议次数", "joint meetings held", _C, "leadership",
        provider="meetings.joint_meeting", duplicate="max"),
    Row("leaders_visits", "党政领导互访调研次数", "leaders' visits", _C, "leadership",
        provider="meetings.leaders_visit", duplicate="max"),
    Row("working_visits", "工作对接次数", "working visits", _C, "leadership",
        provider="meetings.working_visit", duplicate="max"),
    # 资金 (computed from the fund-flow ledger)
    Row("fund_planned", "计划帮扶资金", "assistance funds planned", _Y, "funds",
        provider="funds.planned"),
    Row("fund_arrived", "到位资金", "assistance funds arrived (到位)", _Y, "funds",
        provider="funds.arrived"),
    Row("fund_paid_out", "拨付资金", "assistance funds paid out (拨付)", _Y, "funds",
        provider="funds.paid_out"),
    Row("fund_spent", "使用资金", "assistance funds spent", _Y, "funds", provider="funds.spent"),
    Row("fiscal_assistance", "财政援助资金", "fiscal assistance arrived", _Y, "funds",
        provider="funds.fiscal"),
    Row("donation_cash", "社会捐赠资金", "social donations in cash", _Y, "funds",
        provider="funds.donation_cash"),
    Row("donation_in_kind", "捐赠物品折款", "donations in kind (valued)", _Y, "funds",
        provider="funds.donation_in_kind"),
    Row("fund_arrival_rate", "资金到位率", "share of planned funds arrived", _PC, "funds",
        time="ratio", party="ratio", provider="funds.arrival_rate",
        ratio="fund_arrived/fund_planned"),
    Row("fund_disbursement_rate", "资金拨付率", "share of arrived funds paid out", _PC, "funds",
        time="ratio", party="ratio", provider="funds.disbursement_rate",
        ratio="fund_paid_out/fund_arrived"),
    # 项目 (computed from project records)
    Row("projects", "帮扶项目数", "assistance projects started", _C, "funds",
        provider="projects.count"),
    Row("project_villages", "项目带动村数", "villages reached by projects", _C, "funds",
        provider="projects.villages"),
    Row("project_households", "项目带动户数", "households reached by projects", _H, "funds",
        provider="projects.households"),
    Row("project_people", "项目带动人数", "people reached by projects", _P, "funds",
        provider="projects.people"),
    Row("project_linked_poor", "项目带动贫困人口", "registered poor with a benefit link", _P,
        "funds", provider="projects.linked_poor"),
    # 产业合作
    Row("enterprises_brought_in", "引导落地企业数", "enterprises brought in", _C, "industry"),
    Row("enterprise_investment", "企业实际投资额", "investment by enterprises brought in", _Y,
        "industry"),
    Row("enterprise_driven_poor", "企业带动贫困人口数", "poor people driven by enterprises", _P,
        "industry"),
    Row("parks_co_built", "共建产业园区数", "industrial parks co-built", _C, "industry",
        nature="stock", time="latest", duplicate="max"),
    Row("park_firms", "入园企业数", "firms in co-built parks", _C, "industry", nature="stock",
        time="latest", duplicate="max"),
    Row("park_leading_firms", "其中主导产业企业数", "of which in the leading industries", _C,
        "industry", nature="stock", time="latest", parent="park_firms", duplicate="max"),
    Row("park_contract_investment", "园区合同投资总额", "contracted investment in parks", _Y,
        "industry", nature="stock", time="latest", duplicate="max"),
    Row("park_cluster_rate", "产业集聚率", "share of firms in leading industries", _PC,
        "industry", nature="stock", time="latest", party="ratio", duplicate="max",
        ratio="park_leading_firms/park_firms"),
    Row("park_output", "园区工业总产值", "industrial output of co-built parks", _Y, "industry",
        duplicate="max"),
    Row("park_value_added", "园区工业增加值", "industrial value added of parks", _Y, "industry",
        duplicate="max"),
    Row("park_tax", "园区税收", "tax paid by park firms", _Y, "industry", duplicate="max"),
    Row("investment_promotion_events", "招商推介活动次数", "investment promotion events", _C,
        "industry"),
    Row("enterprises_visited", "走访拜会企业数", "enterprises visited", _C, "industry"),
    Row("projects_negotiated", "对接洽谈意向项目数", "projects under negotiation", _C, "industry"),
    Row("expo_enterprises", "组织参展企业数", "enterprises taken to trade fairs", _C, "industry"),
    Row("loan_subsidy_enterprises", "申报贷款贴息企业数", "firms applying for loan subsidies", _C,
        "industry"),
    Row("loan_subsidy_amount", "申报贷款贴息资金", "loan subsidies applied for", _Y, "industry"),
    Row("workshops", "扶贫车间数", "assistance workshops (扶贫车间)", _C, "industry",
        nature="stock", time="latest"),
    Row("workshop_employed", "车间吸纳就业人数", "people employed in workshops", _P, "industry",
        nature="stock", time="latest"),
    Row("workshop_employed_poor", "其中贫困劳动力", "of whom poor labourers", _P, "industry",
        nature="stock", time="latest", parent="workshop_employed"),
    # 劳务协作
    Row("labour_trained", "培训贫困劳动力人数", "poor labourers trained", _P, "labour"),
    Row("labour_training_person_times", "培训贫困劳动力人次", "labour training person-times", _PT,
        "labour"),
    Row("labour_training_sessions", "劳动力培训期数", "labour training sessions", _C, "labour"),
    Row("disabled_trained", "培训贫困残疾人数", "poor disabled people trained", _P, "labour"),
    Row("job_fairs", "招聘会场次", "job fairs held", _C, "labour"),
    Row("job_fair_enterprises", "参加招聘会企业数", "enterprises at job fairs", _C, "labour"),
    Row("posts_offered", "提供就业岗位数", "job posts offered", _C, "labour"),
    Row("employed_total", "帮助农村劳动力就业人数", "rural labourers helped into work", _P,
        "labour"),
    Row("employed_poor", "其中脱贫劳动力", "of whom poor / formerly poor labourers", _P, "labour",
        parent="employed_total"),
    Row("returned_to_work_poor", "帮助贫困人口返岗复工", "poor people helped back to work", _P,
        "labour"),
    Row("transferred_east", "转移到东部就业人数", "labourers transferred to work in the east", _P,
        "labour"),
    Row("transferred_east_poor", "其中建档立卡贫困劳动力", "of whom registered poor", _P, "labour",
        parent="transferred_east"),
    Row("transfer_person_times", "转移就业人次", "transfers into work (person-times)", _PT,
        "labour"),
    # 消费帮扶
    Row("products_purchased", "采购受援地农产品金额", "purchases of the recipient's products",
        _Y, "consumption"),
    Row("products_sold", "帮助销售农产品金额", "sales of the recipient's products helped", _Y,
        "consumption"),
    Row("consumption_driven_poor", "消费帮扶带动脱贫人数", "poor people lifted by sales", _P,
        "consumption"),
    Row("sales_outlets", "消费帮扶专柜专馆展示店数", "outlets (专柜/专馆/展示店)", _C,
        "consumption", nature="stock", time="latest"),
    Row("certified_products", "认定扶贫产品/圳品数", "products certified", _C, "consumption",
        nature="stock", time="latest"),
    Row("supply_bases", "菜篮子生产基地数", "certified supply bases", _C, "consumption",
        nature="stock", time="latest"),
    # 人才支援
    Row("cadres_sent", "选派挂职干部", "cadres seconded", _P, "talent"),
    Row("cadres_received", "接收受援地干部挂职跟岗", "recipient cadres hosted", _P, "talent"),
    Row("professionals_sent", "选派专业技术人才", "professional talents sent", _P, "talent"),
    Row("teachers_sent", "选派教师", "teachers sent", _P, "talent", parent="professionals_sent"),
    Row("medical_staff_sent", "选派医务人员", "medical staff sent", _P, "talent",
        parent="professionals_sent"),
    Row("social_workers_sent", "选派专业社工", "social workers sent", _P, "talent",
        parent="professionals_sent"),
    Row("expert_visits", "专家赴受援地人次", "expert visits (person-times)", _PT, "talent"),
    Row("local_staff_trained", "培训受援地干部人才", "local cadres and staff trained", _P,
        "talent"),
    Row("staff_training_sessions", "培训期数", "training sessions for local staff", _C, "talent"),
    Row("reserve_talents", "培养后备人才", "reserve talents developed", _P, "talent"),
    Row("teacher_studios", "名师工作室", "master-teacher studios set up", _C, "talent"),
    # 社会帮扶/结对
    Row("pairing_units", "结对帮扶主体数", "units paired with villages", _C, "social",
        nature="stock", time="latest", duplicate="max"),
    Row("villages_paired", "结对帮扶村数", "villages paired", _C, "social", nature="stock",
        time="latest", duplicate="max"),
    Row("enterprises_paired", "村企结对企业(商会)数", "enterprises paired with villages", _C,
        "social", nature="stock", time="latest", duplicate="max"),
    Row("schools_paired", "受援方结对学校数", "recipient schools paired", _C, "social",
        nature="stock", time="latest", duplicate="max"),
    Row("donor_schools_paired", "帮扶方结对学校数", "donor schools paired", _C, "social",
        nature="stock", time="latest", duplicate="max"),
    Row("hospitals_paired", "受援方结对医疗机构数", "recipient hospitals paired", _C, "social",
        nature="stock", time="latest", duplicate="max"),
    Row("donor_hospitals_paired", "帮扶方结对医疗机构数", "donor hospitals paired", _C, "social",
        nature="stock", time="latest", duplicate="max"),
    Row("assistance_activities", "帮扶活动场次", "assistance activities held", _C, "social"),
    Row("service_items", "帮扶服务项数", "assistance services provided", _C, "social"),
    Row("service_volunteers", "民生帮扶服务员", "assistance volunteers", _P, "social",
        nature="stock", time="latest"),
    Row("households_visited", "慰问贫困户数", "poor households visited", _H, "social"),
    Row("demonstration_villages", "示范村数", "demonstration villages", _C, "social",
        nature="stock", time="latest", duplicate="max"),
    # 民生与两不愁三保障
    Row("students_supported", "贫困家庭在读学生数", "students from poor households", _P,
        "livelihood", nature="stock", time="latest"),
    Row("student_subsidy_coverage", "贫困学生生活补助落实率", "poor students subsidised", _PC,
        "livelihood", nature="stock", time="latest", party="none", duplicate="max"),
    Row("medical_insurance_coverage", "基本医疗保障落实率", "poor covered by basic medical care",
        _PC, "livelihood", nature="stock", time="latest", party="none", duplicate="max"),
    Row("pension_insurance_coverage", "养老保险落实率", "covered by pension insurance", _PC,
        "livelihood", nature="stock", time="latest", party="none", duplicate="max"),
    Row("safe_water_coverage", "饮水安全达标率", "households with safe drinking water", _PC,
        "livelihood", nature="stock", time="latest", party="none", duplicate="max"),
    Row("safe_housing_coverage", "住房安全保障率", "households with safe housing", _PC,
        "livelihood", nature="stock", time="latest", party="none", duplicate="max"),
    Row("dibao_households", "纳入低保(五保)户数", "households under 低保/五保", _H, "livelihood",
        nature="stock", time="latest"),
    Row("dibao_people", "纳入低保(五保)人数", "people under 低保/五保", _P, "livelihood",
        nature="stock", time="latest"),
    Row("dibao_coverage", "应保尽保率", "eligible households covered by 低保", _PC, "livelihood",
        nature="stock", time="latest", party="none", duplicate="max"),
    Row("kindergarten_places", "新增幼儿园学位", "kindergarten places added", _C, "livelihood"),
    Row("relocation_households_served", "易地搬迁受益户数", "relocated households served", _H,
        "livelihood"),
    # 成效
    Row("households_out_of_poverty", "脱贫户数", "households lifted out of poverty", _H,
        "results"),
    Row("people_out_of_poverty", "脱贫人数", "people lifted out of poverty", _P, "results"),
    Row("poor_villages_exited", "贫困村出列数", "poor villages exited", _C, "results"),
    Row("poverty_incidence", "贫困发生率", "poverty incidence", _PC, "results", nature="stock",
        time="latest", party="none", duplicate="max"),
    Row("village_collective_income", "村集体经济收入(村均)", "collective income per village", _Y,
        "results", nature="stock", time="latest", party="average", duplicate="max"),
]

# Shipped rules besides "每个其中 ≤ 其总数" (generated for every parent/child pair).
RULES_V1: list[tuple[str, str, str, str, str, str]] = [
    # code, left, operator, right, unit, importance
    ("percent_within_0_100", "value", "within", "0..100", "percent", "error"),
    ("paid_out_within_arrived", "fund_paid_out", "<=", "fund_arrived", "", "warning"),
    ("arrived_within_planned", "fund_arrived", "<=", "fund_planned", "", "warning"),
    ("dibao_people_at_least_households", "dibao_people", ">=", "dibao_households", "", "warning"),
    ("poor_out_at_least_households", "people_out_of_poverty", ">=", "households_out_of_poverty",
     "", "warning"),
]
# fmt: on


def parts_rules() -> list[tuple[str, str, str, str, str, str]]:
    """One error rule per "of which" pair: the part cannot exceed the whole."""
    return [
        (f"{row.code}_within_{row.parent}", row.code, "<=", row.parent, "", "error")
        for row in CATALOGUE_V1
        if row.parent
    ]
