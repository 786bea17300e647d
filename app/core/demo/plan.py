"""What each demo year must add up to.

Offset 0 is the demo year (2024 by default): its figures are exactly those of the reference
report.  Offset -1 is the year before, plausible for 同比.  Rows of offset +1 (January and
February of the next year) exist only to prove that they are not counted.
"""

from __future__ import annotations

# study sessions other than the 6 专题培训 for all staff and the online officer training
_OTHER_STUDY_0 = (
    ("党委会", "领导班子"), ("党委会", "领导班子"), ("理论学习中心组", "领导班子"), ("理论学习中心组", "领导班子"),
    ("干部职工会", "全体干部职工"), ("旁听庭审", "党员干部"), ("专题讲座", "村（社区）干部"),
)  # fmt: skip
_OTHER_STUDY_1 = (
    ("党委会", "领导班子"), ("理论学习中心组", "领导班子"), ("理论学习中心组", "领导班子"),
    ("干部职工会", "全体干部职工"), ("专题讲座", "党员干部"), ("旁听庭审", "党员干部"),
)  # fmt: skip

PLANS: dict[int, dict] = {
    0: {
        "all_staff_trainings": 6,  # study.all_staff_trainings
        "other_study": _OTHER_STUDY_0,  # + 6 + 1 online = 14 → study.sessions (10余次)
        "online": (9, 9),  # study.officer_trainees / officer_passed
        "literate_trainings": 4,
        "law_meetings": (2, 1, 2, 2, 1, 2),  # 6 meetings, 10 matters
        "other_meetings": {"党委会": 8, "政府常务会议": 4},
        "docs": (("合法", "是"), ("修改后合法", "是"), ("合法", "是")),
        "reviews": {"重大行政决策": 3, "行政协议（合同）": 7, "重大执法决定": 2, "其他": 1},
        "enterprise_visits": 86,  # 80余次
        "enterprise_resolved": 24,  # 20余项
        "enterprise_events": 13,  # 10余场次
        "enterprise_materials": 205,  # 200余份
        "other_publicity": {"学校": 5, "村（社区）": 9, "集市": 4, "机关单位": 2, "线上": 2},
        "lawsuits": (),
        "inspections": {  # by 领域, all methods: 119 = 114 行政检查 + 5 综合查一次
            "教育": 24,
            "食品安全": 21,
            "交通运输": 18,
            "消防安全": 16,
            "生态环境": 14,
            "农业农村": 7,
            "自然资源": 6,
            "城乡建设": 5,
            "应急管理": 4,
            "市场监管": 2,
            "卫生健康": 1,
            "文化旅游": 1,
        },
        "joint": ("食品安全", "教育", "消防安全", "交通运输", "生态环境"),  # 综合查一次 5
        "penalties": ("食品安全", "食品安全", "生态环境", "交通运输", "城乡建设", "消防安全"),
        # disputes registered in the year by 来源; 法院委派 49, 自主排查 58
        "disputes": {"自主排查": 58, "群众申请": 50, "部门移送": 12, "其他": 2},
        "court": 49,
        "carry_next": 3,  # registered late December, mediated in January of the next year
        "open": 2,  # still 待调解/调解中 at year end
        "terminated": 2,
        "failed": 11,
        "consultations": 136,  # 130余次
    },
    -1: {
        "all_staff_trainings": 5,
        "other_study": _OTHER_STUDY_1,
        "online": (8, 7),
        "literate_trainings": 3,
        "law_meetings": (2, 2, 1, 2, 1),
        "other_meetings": {"党委会": 7, "政府常务会议": 4},
        "docs": (("合法", "是"), ("合法", "是")),
        "reviews": {"重大行政决策": 2, "行政协议（合同）": 6, "重大执法决定": 1, "其他": 1},
        "enterprise_visits": 74,
        "enterprise_resolved": 19,
        "enterprise_events": 11,
        "enterprise_materials": 172,
        "other_publicity": {"学校": 4, "村（社区）": 8, "集市": 3, "机关单位": 2, "线上": 1},
        "lawsuits": (("行政复议", "不服行政处罚决定", "维持"),),
        "inspections": {
            "食品安全": 22,
            "教育": 19,
            "消防安全": 15,
            "交通运输": 14,
            "生态环境": 12,
            "农业农村": 6,
            "自然资源": 5,
            "城乡建设": 4,
            "应急管理": 3,
        },
        "joint": ("食品安全", "教育", "消防安全", "交通运输"),
        "penalties": ("食品安全", "自然资源", "生态环境", "农业农村"),
        "disputes": {"自主排查": 51, "群众申请": 44, "部门移送": 9, "其他": 1},
        "court": 38,
        "carry_next": 5,  # 120 mediated in the demo year = 122 - 3 - 2 open - 2 终止 + these 5
        "open": 0,
        "terminated": 1,
        "failed": 9,
        "consultations": 118,
    },
}

# non-court disputes registered in December two years before the demo year, mediated in the
# January after (so the year before has 104 - 5 - 1 + 3 = 101 mediated)
CARRY_BEFORE = 3
