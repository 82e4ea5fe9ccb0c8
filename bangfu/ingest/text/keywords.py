"""Which words point a figure at which catalogue indicator (data, not code).

Each entry: indicator code → (unit, keywords). A keyword found in the clause before a figure,
or in the words right after its unit (16名教师), votes for the indicator; the keyword nearest to
the figure wins, and a longer keyword beats a shorter one at the same distance. Codes must exist
in bangfu.indicators.catalogue (a test checks).
"""

from __future__ import annotations

_P, _H, _C, _Y, _PT, _PC = "person", "household", "count", "yuan", "person_time", "percent"

INDICATOR_KEYWORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    # funds (figures of fund flows: accepted as fund-flow records)
    "fiscal_assistance": (_Y, ("财政援助资金", "财政帮扶资金", "财政资金", "财政援助")),
    "donation_cash": (_Y, ("社会捐赠资金", "捐赠资金", "捐款", "捐资", "捐赠", "帮扶资金")),
    "donation_in_kind": (_Y, ("捐赠物品", "折合资金", "物资折款", "捐物")),
    "fund_arrived": (_Y, ("到位资金", "已到位", "到帐", "到账")),
    "fund_paid_out": (
        _Y,
        (
            "拨付使用",
            "拨付",
        ),
    ),
    # industry
    "enterprise_investment": (_Y, ("实际投资", "投资额")),
    "park_contract_investment": (_Y, ("合同投资",)),
    "park_output": (_Y, ("工业总产值", "总产值")),
    "park_value_added": (_Y, ("工业增加值", "增加值")),
    "park_tax": (_Y, ("税收",)),
    "loan_subsidy_amount": (_Y, ("贷款贴息",)),
    "products_purchased": (_Y, ("采购",)),
    "products_sold": (_Y, ("销售", "销售额", "收益")),
    "village_collective_income": (_Y, ("村集体收入", "集体经济收入", "村均")),
    "enterprises_brought_in": (_C, ("引导", "引进", "联引", "投资设厂", "落户", "到受援地投资")),
    "investment_promotion_events": (_C, ("招商推介活动", "招商推介")),
    "enterprises_visited": (_C, ("走访", "拜会")),
    "projects_negotiated": (_C, ("洽谈",)),
    "expo_enterprises": (_C, ("参加", "参展")),
    "loan_subsidy_enterprises": (_C, ("申报贷款贴息",)),
    "park_firms": (_C, ("入园企业",)),
    "park_leading_firms": (_C, ("主导产业企业",)),
    "workshops": (_C, ("扶贫车间", "车间")),
    "workshop_employed": (_P, ("吸纳就业", "吸纳")),
    "workshop_employed_poor": (_P, ("其中贫困劳动力",)),
    "enterprise_driven_poor": (_P, ("带动贫困人口",)),
    # labour
    "labour_trained": (
        _P,
        (
            "培训贫困劳动力",
            "培训",
        ),
    ),
    "disabled_trained": (_P, ("残疾人",)),
    "labour_training_person_times": (_PT, ("培训",)),
    "labour_training_sessions": (_C, ("培训",)),
    "job_fairs": (_C, ("招聘会", "招聘活动")),
    "job_fair_enterprises": (_C, ("企业赴", "家企业在")),
    "posts_offered": (_C, ("岗位",)),
    "employed_total": (_P, ("就业", "稳定就业", "实现就业")),
    "employed_poor": (
        _P,
        (
            "其中脱贫劳动力",
            "其中贫困",
        ),
    ),
    "returned_to_work_poor": (_P, ("返岗复工", "返岗")),
    "transferred_east": (_P, ("输送", "转移", "务工人员", "务工就业")),
    "transferred_east_poor": (_P, ("其中建档立卡",)),
    "transfer_person_times": (_PT, ("转移就业",)),
    # consumption
    "consumption_driven_poor": (_P, ("带动贫困群众",)),
    # talent
    "cadres_sent": (_P, ("挂职干部", "选派干部")),
    "professionals_sent": (_P, ("专业技术人才",)),
    "teachers_sent": (_P, ("教师",)),
    "medical_staff_sent": (_P, ("医务人员", "医生", "医师")),
    "social_workers_sent": (_P, ("社工",)),
    "expert_visits": (_PT, ("专家",)),
    "local_staff_trained": (_P, ("培训班", "参加")),
    "staff_training_sessions": (_C, ("讲座", "会诊", "查房")),
    "reserve_talents": (_P, ("后备人才",)),
    "teacher_studios": (_C, ("工作室",)),
    # social
    "pairing_units": (_C, ("结对帮扶贫困村的", "结对帮扶主体")),
    "villages_paired": (_C, ("结对帮扶贫困村", "帮扶村")),
    "enterprises_paired": (_C, ("村企", "企业(商会)")),
    "schools_paired": (_C, ("学校",)),
    "hospitals_paired": (_C, ("医疗卫生机构", "医疗单位", "医院")),
    "assistance_activities": (_C, ("帮扶活动", "活动")),
    "service_items": (_C, ("帮扶服务", "服务")),
    "service_volunteers": (_P, ("服务员",)),
    "households_visited": (_H, ("慰问",)),
    "demonstration_villages": (_C, ("示范村", "新农村")),
    # livelihood
    "students_supported": (_P, ("就读", "学生")),
    "student_subsidy_coverage": (_PC, ("生活补助",)),
    "medical_insurance_coverage": (_PC, ("医疗保障",)),
    "pension_insurance_coverage": (_PC, ("养老保险",)),
    "safe_water_coverage": (_PC, ("饮水",)),
    "safe_housing_coverage": (_PC, ("住房",)),
    "dibao_households": (_H, ("低保",)),
    "dibao_people": (_P, ("低保",)),
    "dibao_coverage": (_PC, ("低保",)),
    "kindergarten_places": (_C, ("学位",)),
    "relocation_households_served": (_H, ("搬迁", "安置")),
    # results
    "households_out_of_poverty": (_H, ("脱贫", "减贫")),
    "people_out_of_poverty": (_P, ("脱贫", "减贫")),
    "poor_villages_exited": (_C, ("摘帽", "出列")),
    "poverty_incidence": (_PC, ("贫困发生率",)),
    "park_cluster_rate": (_PC, ("集聚率",)),
}

# Indicators whose figures are fund movements: accepted as fund flows, not data values.
FUND_INDICATORS: dict[str, str] = {
    "fiscal_assistance": "fiscal",
    "donation_cash": "donation_cash",
    "donation_in_kind": "donation_in_kind",
    "fund_arrived": "arrived",
    "fund_paid_out": "paid_out",
}

TARGET_WORDS = ("计划", "目标", "力争", "预计", "任务", "将", "拟", "确保", "争取", "要")
