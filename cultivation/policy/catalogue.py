"""The catalogue of policy parameters: every key a YAML file or an admin may set.

A key not listed here is rejected when parameters are loaded, so a typo in a seed file
or an obsolete key fails loudly instead of silently leaving a rule on an old value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cultivation.policy.bands import Payload
from cultivation.policy.sectors import SECTORS, SME_LINES, SME_MEASURES

Kind = Literal["number", "bands"]


@dataclass(frozen=True)
class ParameterSpec:
    """What one parameter key means: Chinese label, unit, and number or band table."""

    label: str
    unit: str
    kind: Kind = "number"
    payload: Payload | None = None  # for bands: what each band yields


def _n(label: str, unit: str) -> ParameterSpec:
    return ParameterSpec(label, unit)


def _b(label: str, unit: str, payload: Payload) -> ParameterSpec:
    return ParameterSpec(label, unit, "bands", payload)


PARAMETER_CATALOGUE: dict[str, ParameterSpec] = {
    # 高新技术企业认定 (DOMAIN §2)
    "hnte.registration_min_days": _n("高企：注册成立最短天数", "天"),
    "hnte.lookback_years": _n("高企：近几个会计年度", "年"),
    "hnte.tech_staff_ratio_min": _n("高企：科技人员占职工总数比例下限", "比例"),
    "hnte.rd_expense_ratio_bands": _b(
        "高企：研发费用占销售收入比例（按最近一年销售收入分段）", "万元 → 比例", "rate"
    ),
    "hnte.domestic_rd_share_min": _n("高企：境内研发费用占全部研发费用比例下限", "比例"),
    "hnte.high_tech_revenue_share_min": _n(
        "高企：高新技术产品（服务）收入占总收入比例下限", "比例"
    ),
    "hnte.innovation_score_min": _n("高企：创新能力评价最低分", "分"),
    "hnte.innovation_score_above": _n("高企：创新能力评价得分须高于（不含该分）", "分"),
    "hnte.score.tech_advancement_max": _n("高企评分：技术的先进程度满分", "分"),
    "hnte.score.core_support_max": _n("高企评分：对主要产品的核心支持作用满分", "分"),
    "hnte.score.ip_quantity_class_i_bands": _b(
        "高企评分：知识产权数量（Ⅰ类项数）", "项 → 分", "points"
    ),
    "hnte.score.ip_quantity_class_ii_bands": _b(
        "高企评分：知识产权数量（Ⅱ类项数）", "项 → 分", "points"
    ),
    "hnte.score.ip_acquisition_min": _n("高企评分：知识产权获得方式最低分", "分"),
    "hnte.score.ip_acquisition_self_developed_max": _n("高企评分：自主研发获得方式满分", "分"),
    "hnte.score.ip_acquisition_other_max": _n("高企评分：受让、受赠、并购获得方式满分", "分"),
    "hnte.score.standard_bonus": _n("高企评分：参与编制标准加分（最高）", "分"),
    "hnte.score.standard_bonus_min": _n("高企评分：参与编制标准加分（最低）", "分"),
    "hnte.score.ip_max": _n("高企评分：知识产权部分上限", "分"),
    "hnte.score.conversion_bands": _b(
        "高企评分：科技成果转化能力（近三年年均转化项数）", "项/年 → 分", "points"
    ),
    "hnte.score.rd_management_max": _n("高企评分：研究开发组织管理水平满分", "分"),
    "hnte.score.growth_bands": _b(
        "高企评分：净资产增长率、销售收入增长率（各自）", "比例 → 分", "points"
    ),
    "hnte.score.growth_note_rate": _n("高企评分：成长性评分表与正文表述不一致的增长率边界", "比例"),
    # 科技型中小企业评价 (DOMAIN §3)
    "tech_sme.employees_max": _n("科小：职工总数上限", "人"),
    "tech_sme.sales_revenue_max": _n("科小：年销售收入上限", "万元"),
    "tech_sme.total_assets_max": _n("科小：资产总额上限", "万元"),
    "tech_sme.score.tech_staff_bands": _b(
        "科小评分：科技人员占职工总数比例", "比例 → 分", "points"
    ),
    "tech_sme.score.rd_sales_bands": _b("科小评分：研发费用占销售收入比例", "比例 → 分", "points"),
    "tech_sme.score.rd_cost_bands": _b(
        "科小评分：研发费用占成本费用支出总额比例", "比例 → 分", "points"
    ),
    "tech_sme.score.achievement_class_i_bands": _b(
        "科小评分：科技成果（Ⅰ类知识产权项数）", "项 → 分", "points"
    ),
    "tech_sme.score.achievement_class_ii_bands": _b(
        "科小评分：科技成果（Ⅱ类知识产权项数）", "项 → 分", "points"
    ),
    "tech_sme.score_min": _n("科小：综合评价最低分", "分"),
    # 浙江省科技型中小企业 (DOMAIN §3)
    "zj_tech_sme.registration_min_days": _n("省科小：注册成立最短天数", "天"),
    "zj_tech_sme.tech_staff_ratio_min": _n("省科小：科技人员占职工总数比例下限", "比例"),
    "zj_tech_sme.sme_employees_below": _n("省科小：中小企业划型（工业）从业人员低于", "人"),
    "zj_tech_sme.sme_revenue_below": _n("省科小：中小企业划型（工业）营业收入低于", "万元"),
    # … and from 2025 the line of the firm's own sector (工信部联企业〔2011〕300号 第四条)
    **{
        f"zj_tech_sme.sme.{code}.{measure}_below": _n(
            f"省科小：中小企业划型（{name}）{measure_name}低于",
            "人" if measure == "employees" else "万元",
        )
        for code, name in SECTORS.items()
        for measure in SME_LINES[code]
        if (measure_name := SME_MEASURES[measure])
    },
    # 省级高新技术企业研究开发中心 (DOMAIN §4)
    "provincial_hnte_center.hnte_min_days": _n("省高新研发中心：成为高企的最短天数", "天"),
    "provincial_hnte_center.rd_rate_bands": _b(
        "省高新研发中心：上年研发费用占销售收入比例", "万元 → 比例", "rate"
    ),
    "provincial_hnte_center.rd_amount_bands": _b(
        "省高新研发中心：上年研发费用最低额", "万元 → 万元", "amount"
    ),
    "provincial_hnte_center.rd_staff_min": _n("省高新研发中心：全职研发人员下限", "人"),
    "provincial_hnte_center.rd_staff_min_software": _n(
        "省高新研发中心：软件企业全职研发人员下限", "人"
    ),
    "provincial_hnte_center.rd_staff_ratio_min": _n(
        "省高新研发中心：研发人员占职工总数比例下限", "比例"
    ),
    "provincial_hnte_center.site_area_min": _n("省高新研发中心：研发场地面积下限", "平方米"),
    "provincial_hnte_center.equipment_value_min": _n("省高新研发中心：研发设备原值下限", "万元"),
    "provincial_hnte_center.ip_class_i_min": _n("省高新研发中心：近三年Ⅰ类知识产权下限", "项"),
    "provincial_hnte_center.ip_class_ii_min": _n("省高新研发中心：近三年Ⅱ类知识产权下限", "项"),
    "provincial_hnte_center.lookback_years": _n("省高新研发中心：成果转化统计年数", "年"),
    "provincial_hnte_center.conversions_min": _n("省高新研发中心：近三年成果转化项数下限", "项"),
    "provincial_hnte_center.programme_closed": _n(
        "省高新研发中心：已并入省企业研究院序列、不再单独认定（1 = 是）", "标志"
    ),
    # 省级企业研究院 (DOMAIN §4)
    "provincial_institute.sales_revenue_min": _n("省级企业研究院：上年销售收入下限", "万元"),
    "provincial_institute.rd_ratio_min": _n("省级企业研究院：研发费用占销售收入比例下限", "比例"),
    "provincial_institute.rd_amount_min": _n("省级企业研究院：或研发费用额下限", "万元"),
    "provincial_institute.rd_staff_min": _n("省级企业研究院：全职研发人员下限", "人"),
    "provincial_institute.site_area_min": _n("省级企业研究院：研发场地面积下限", "平方米"),
    "provincial_institute.equipment_value_min": _n("省级企业研究院：研发设备原值下限", "万元"),
    "provincial_institute.rd_intensity_bands": _b(
        "省企业研究院：研发强度与研发费用（按上年销售收入分段，且/或）",
        "万元 → 比例、万元",
        "rd_test",
    ),
    "provincial_institute.innovation_score_min": _n(
        "省企业研究院：创新能力评价得分下限（省级评价，非高企评分）", "分"
    ),
    # 浙江省创新型领军企业 (DOMAIN §4)
    "leading.lookback_years": _n("领军企业：研发投入统计年数", "年"),
    "leading.rd_ratio_min": _n("领军企业：近三年研发费用占销售收入比例下限", "比例"),
    "leading.rd_staff_min": _n("领军企业：全职研发人员下限", "人"),
    "leading.core_product_share_min": _n("领军企业：核心产品收入占销售收入比例下限", "比例"),
    "leading.sales_revenue_min": _n("领军企业：上年销售收入下限", "万元"),
    # 三覆盖 (DOMAIN §4)
    "coverage.above_scale_revenue_min": _n("三覆盖：规模以上工业企业主营业务收入下限", "万元"),
}
