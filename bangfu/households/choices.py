"""Enumerations of the household registry (the national system's code lists, domain.md §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.households.idcards import IdType, Sex

__all__ = [
    "DEVELOPMENT_MEASURES",
    "PROTECTION_MEASURES",
    "CookingFuel",
    "EducationLevel",
    "Ethnicity",
    "Health",
    "HouseGrade",
    "HouseholdType",
    "IdType",
    "LabourSkill",
    "LivingAllowance",
    "MeasureCategory",
    "MonitoringCategory",
    "OutOfSchoolReason",
    "Relation",
    "RiskType",
    "SchoolingStatus",
    "Sex",
    "Toilet",
    "WorkPlace",
]


class HouseholdType(models.TextChoices):
    POVERTY_EXITED = "poverty_exited", _("household out of poverty (脱贫户)")
    ORDINARY = "ordinary", _("ordinary rural household (一般农户)")


class MonitoringCategory(models.TextChoices):
    NONE = "none", _("not monitored")
    UNSTABLE = "unstable", _("unstable household out of poverty (脱贫不稳定户)")
    MARGINAL = "marginal", _("marginal household at risk of poverty (边缘易致贫户)")
    SUDDEN_HARDSHIP = "sudden_hardship", _("household in sudden severe hardship (突发严重困难户)")


class HouseGrade(models.TextChoices):
    A = "A", _("A (safe)")
    B = "B", _("B (safe)")
    C = "C", _("C (dangerous, 危房)")
    D = "D", _("D (dangerous, 危房)")


DANGEROUS_HOUSE_GRADES = (HouseGrade.C, HouseGrade.D)


class CookingFuel(models.TextChoices):
    FIREWOOD = "firewood", _("firewood (柴草)")
    COAL = "coal", _("coal (煤)")
    GAS = "gas", _("gas (燃气)")
    ELECTRICITY = "electricity", _("electricity (电)")
    BIOGAS = "biogas", _("biogas (沼气)")
    OTHER = "other", _("other")


class Toilet(models.TextChoices):
    SANITARY = "sanitary", _("sanitary toilet (卫生厕所)")
    NON_SANITARY = "non_sanitary", _("non-sanitary toilet")
    NONE = "none", _("no toilet")


class MeasureCategory(models.TextChoices):
    INDUSTRY = "industry", _("industry (产业帮扶)")
    EMPLOYMENT = "employment", _("employment (就业帮扶)")
    FINANCE = "finance", _("finance (金融帮扶)")
    PUBLIC_WELFARE_JOB = "public_welfare_job", _("public-welfare job (公益岗位)")
    COMPREHENSIVE_PROTECTION = (
        "comprehensive_protection",
        _("comprehensive protection: 低保, 特困供养, disability allowance (综合保障)"),
    )
    HEALTH = "health", _("health (健康帮扶)")
    EDUCATION = "education", _("education, 雨露计划 (教育帮扶)")
    HOUSING = "housing", _("housing safety (住房安全保障)")
    DRINKING_WATER = "drinking_water", _("drinking-water safety (饮水安全保障)")
    COMPULSORY_EDUCATION = "compulsory_education", _("compulsory education (义务教育保障)")
    RELOCATION = "relocation", _("relocation (搬迁)")
    SOCIAL_ASSISTANCE = "social_assistance", _("social assistance (社会帮扶)")


# A household with labour must receive at least one development-type measure (domain.md §3).
DEVELOPMENT_MEASURES = frozenset(
    {
        MeasureCategory.INDUSTRY,
        MeasureCategory.EMPLOYMENT,
        MeasureCategory.FINANCE,
        MeasureCategory.PUBLIC_WELFARE_JOB,
    }
)
PROTECTION_MEASURES = frozenset({MeasureCategory.COMPREHENSIVE_PROTECTION})


class RiskType(models.TextChoices):
    """Risk types of a monitored household (up to five per household, domain.md §3)."""

    ILLNESS = "illness", _("illness (因病)")
    SCHOOLING = "schooling", _("schooling (因学)")
    DISABILITY = "disability", _("disability (因残)")
    NATURAL_DISASTER = "natural_disaster", _("natural disaster (因自然灾害)")
    ACCIDENT = "accident", _("accident (因意外事故)")
    FAILED_PROJECT = "failed_project", _("failed business project (因产业项目失败)")
    UNSTABLE_WORK = "unstable_work", _("unstable work (因务工就业不稳)")
    NO_LABOUR = "no_labour", _("lack of labour (缺劳动力)")
    HOUSING = "housing", _("housing safety (因安全住房)")
    DRINKING_WATER = "drinking_water", _("drinking-water safety (因安全饮水)")
    OTHER = "other", _("other (其他)")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household (户主)")
    SPOUSE = "spouse", _("spouse (配偶)")
    SON = "son", _("son (之子)")
    DAUGHTER = "daughter", _("daughter (之女)")
    DAUGHTER_IN_LAW = "daughter_in_law", _("daughter-in-law (之儿媳)")
    SON_IN_LAW = "son_in_law", _("son-in-law (之女婿)")
    GRANDCHILD = "grandchild", _("grandchild (之孙子女)")
    DAUGHTERS_CHILD = "daughters_child", _("daughter's child (之外孙子女)")
    PARENT = "parent", _("parent (之父母)")
    GRANDPARENT = "grandparent", _("grandparent (之祖父母)")
    SIBLING = "sibling", _("brother or sister (之兄弟姐妹)")
    OTHER = "other", _("other")


class EducationLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("preschool child (学龄前儿童)")
    ILLITERATE = "illiterate", _("illiterate or semi-literate (文盲或半文盲)")
    PRIMARY = "primary", _("primary school (小学)")
    JUNIOR_SECONDARY = "junior_secondary", _("junior secondary (初中)")
    SENIOR_SECONDARY = "senior_secondary", _("senior secondary (高中)")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("secondary vocational (中专)")
    COLLEGE = "college", _("college (大专)")
    UNIVERSITY = "university", _("university and above (本科及以上)")


class SchoolingStatus(models.TextChoices):
    NOT_IN_SCHOOL = "not_in_school", _("not a pupil (非在校生)")
    PRESCHOOL = "preschool", _("preschool education (学前教育)")
    PRIMARY = "primary", _("primary school pupil (小学)")
    JUNIOR_SECONDARY = "junior_secondary", _("junior secondary pupil (初中)")
    SENIOR_SECONDARY = "senior_secondary", _("senior secondary pupil (高中)")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("secondary vocational pupil (中职)")
    HIGHER_VOCATIONAL = "higher_vocational", _("higher vocational student (高职)")
    UNIVERSITY = "university", _("university student (本科及以上)")
    DROPPED_OUT = "dropped_out", _("out of school or dropped out (失学辍学)")


class OutOfSchoolReason(models.TextChoices):
    NONE = "", _("—")
    ILLNESS = "illness", _("illness (因病)")
    DISABILITY = "disability", _("disability (因残)")
    LEARNING_DIFFICULTY = "learning_difficulty", _("learning difficulties (学习困难)")
    FINANCIAL = "financial", _("financial hardship (经济困难)")
    OTHER = "other", _("other")


# Reasons the compulsory-education rule accepts for a child of 6–16 out of school.
HEALTH_REASONS = frozenset({OutOfSchoolReason.ILLNESS, OutOfSchoolReason.DISABILITY})


class Health(models.TextChoices):
    HEALTHY = "healthy", _("healthy (健康)")
    CHRONIC = "chronic", _("long-term chronic illness (长期慢性病)")
    SERIOUS_ILLNESS = "serious_illness", _("serious illness (患有大病)")
    DISABLED = "disabled", _("disabled (残疾)")


class LabourSkill(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary labour (普通劳动力)")
    SKILLED = "skilled", _("skilled labour (技能劳动力)")
    WEAK = "weak", _("weak or half labour (弱劳动力或半劳动力)")
    LOST = "lost", _("lost labour capacity (丧失劳动力)")
    NONE = "none", _("no labour (无劳动力)")


# Members counted as the household's labour (a household without any is 缺劳动力).
LABOUR_SKILLS = frozenset({LabourSkill.ORDINARY, LabourSkill.SKILLED, LabourSkill.WEAK})


class LivingAllowance(models.TextChoices):
    NONE = "none", _("none")
    DIBAO = "dibao", _("minimum living allowance (低保)")
    TEKUN = "tekun", _("support for the destitute (特困供养)")


class WorkPlace(models.TextChoices):
    NONE = "", _("—")
    IN_COUNTY = "in_county", _("inside the county (县内)")
    IN_PROVINCE = "in_province", _("in the province, outside the county (省内县外)")
    OUT_OF_PROVINCE = "out_of_province", _("outside the province (省外)")
    ABROAD = "abroad", _("abroad (境外)")


class Ethnicity(models.TextChoices):
    """GB/T 3304 codes."""

    HAN = "01", _("Han (汉族)")
    MONGOL = "02", _("Mongol (蒙古族)")
    HUI = "03", _("Hui (回族)")
    TIBETAN = "04", _("Tibetan (藏族)")
    UYGHUR = "05", _("Uyghur (维吾尔族)")
    MIAO = "06", _("Miao (苗族)")
    YI = "07", _("Yi (彝族)")
    ZHUANG = "08", _("Zhuang (壮族)")
    BOUYEI = "09", _("Bouyei (布依族)")
    KOREAN = "10", _("Korean (朝鲜族)")
    MANCHU = "11", _("Manchu (满族)")
    DONG = "12", _("Dong (侗族)")
    YAO = "13", _("Yao (瑶族)")
    BAI = "14", _("Bai (白族)")
    TUJIA = "15", _("Tujia (土家族)")
    HANI = "16", _("Hani (哈尼族)")
    KAZAKH = "17", _("Kazakh (哈萨克族)")
    DAI = "18", _("Dai (傣族)")
    LI = "19", _("Li (黎族)")
    LISU = "20", _("Lisu (傈僳族)")
    VA = "21", _("Va (佤族)")
    SHE = "22", _("She (畲族)")
    GAOSHAN = "23", _("Gaoshan (高山族)")
    LAHU = "24", _("Lahu (拉祜族)")
    SHUI = "25", _("Shui (水族)")
    DONGXIANG = "26", _("Dongxiang (东乡族)")
    NAXI = "27", _("Naxi (纳西族)")
    JINGPO = "28", _("Jingpo (景颇族)")
    KIRGIZ = "29", _("Kirgiz (柯尔克孜族)")
    TU = "30", _("Tu (土族)")
    DAUR = "31", _("Daur (达斡尔族)")
    MULAO = "32", _("Mulao (仫佬族)")
    QIANG = "33", _("Qiang (羌族)")
    BLANG = "34", _("Blang (布朗族)")
    SALAR = "35", _("Salar (撒拉族)")
    MAONAN = "36", _("Maonan (毛南族)")
    GELAO = "37", _("Gelao (仡佬族)")
    XIBE = "38", _("Xibe (锡伯族)")
    ACHANG = "39", _("Achang (阿昌族)")
    PUMI = "40", _("Pumi (普米族)")
    TAJIK = "41", _("Tajik (塔吉克族)")
    NU = "42", _("Nu (怒族)")
    UZBEK = "43", _("Uzbek (乌孜别克族)")
    RUSSIAN = "44", _("Russian (俄罗斯族)")
    EWENKI = "45", _("Ewenki (鄂温克族)")
    DEANG = "46", _("De'ang (德昂族)")
    BONAN = "47", _("Bonan (保安族)")
    YUGUR = "48", _("Yugur (裕固族)")
    GIN = "49", _("Gin (京族)")
    TATAR = "50", _("Tatar (塔塔尔族)")
    DERUNG = "51", _("Derung (独龙族)")
    OROQEN = "52", _("Oroqen (鄂伦春族)")
    HEZHEN = "53", _("Hezhen (赫哲族)")
    MONBA = "54", _("Monba (门巴族)")
    LHOBA = "55", _("Lhoba (珞巴族)")
    JINO = "56", _("Jino (基诺族)")
    UNIDENTIFIED = "97", _("other, unidentified (其他未识别民族)")
    FOREIGN_ORIGIN = "98", _("of foreign origin (外国血统中国籍人士)")
