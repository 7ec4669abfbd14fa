"""The plan indicators the tracker knows: labels, units, and how an actual is obtained.

``computed`` says which set-based query gives the actual from the registry; indicators without
it (R&D/GDP, 高新技术产业增加值…) are entered by hand each year (``ManualActual``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One plan indicator."""

    code: str
    label: str
    unit: str
    computed: str | None = None  # "qualification" | "institution" | "rd_ratio" | "ip_class_i"
    kinds: tuple[str, ...] = ()  # qualification or institution kinds counted
    digits: int = 0
    note: str = ""
    # A row summed from other indicators' targets (shown when the plan has all of them).
    combines: tuple[str, ...] = ()
    # The policy parameter that, in force, ends new recognitions of what this row counts.
    closed_by: str | None = None
    closed_note: str = ""

    @property
    def scopable(self) -> bool:
        """Whether targets can be split by town, industry or advisor (computed per firm)."""
        return self.computed is not None

    @property
    def source_label(self) -> str:
        return "系统计算" if self.computed else "人工填报"

    def format(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:,.{self.digits}f}"


_ALL = [
    Indicator("rd_gdp_ratio", "R&D 经费支出占 GDP 比重", "%", digits=2),
    Indicator("fiscal_st_growth", "财政科技支出年均增长率", "%", digits=1),
    Indicator("above_scale_rd_ratio", "规上企业 R&D 经费支出占主营业务收入比重", "%",
              computed="rd_ratio", digits=2,
              note="按企业库中规上企业当年研发费用合计 ÷ 销售收入合计计算（两项均有数据的企业）"),
    Indicator("hightech_value_added", "高新技术产业增加值", "亿元", digits=2),
    Indicator("hightech_value_share", "高新技术产业增加值占规模以上工业增加值比重", "%", digits=2),
    Indicator("digital_economy_share", "数字经济核心产业增加值占 GDP 比重", "%", digits=2),
    Indicator("hightech_investment_growth", "高新技术产业投资增速", "%", digits=1),
    Indicator("hnte_count", "高新技术企业数", "家", computed="qualification", kinds=("hnte",),
              note="年末（当年为今日）持有效高企证书的企业数"),
    Indicator("zj_tech_sme_count", "省科技型中小企业数", "家", computed="qualification",
              kinds=("zj_tech_sme",),
              note="年末（当年为今日）在浙江省科技型中小企业名单内的企业数"),
    Indicator("provincial_institute_count", "省级企业研究院", "家", computed="institution",
              kinds=("provincial_institute", "provincial_key_institute"),
              note="含省重点企业研究院；按企业计数"),
    Indicator("provincial_hnte_center_count", "省级高新技术企业研发中心", "家",
              computed="institution", kinds=("provincial_hnte_center",),
              note="按企业计数；已认定的研发中心仍计入三覆盖",
              closed_by="provincial_hnte_center.programme_closed",
              closed_note="浙经信高新〔2025〕169号起省高新研发中心并入省企业研究院序列、不再单独"
                          "认定（待确认）：本目标无法再通过新认定增长，见下行合计"),
    Indicator("provincial_rd_series_count", "省级企业研究院（含原省高新研发中心）", "家",
              computed="institution",
              kinds=("provincial_institute", "provincial_key_institute", "provincial_hnte_center"),
              note="研究院与原省高新研发中心合并计数（按企业，一家只计一次）；目标为两项目标之和",
              combines=("provincial_institute_count", "provincial_hnte_center_count")),
    Indicator("innovation_platforms", "创新平台", "个"),
    Indicator("leading_teams", "领军型创业创新团队", "个"),
    Indicator("high_value_patents_per_10k", "每万人高价值发明专利拥有量", "件", digits=1),
    Indicator("patent_commercialisation", "发明专利产业化", "件"),
    Indicator("invention_patents", "企业发明专利（Ⅰ类知识产权）数", "件", computed="ip_class_i",
              note="企业库当年Ⅰ类知识产权数合计（发明专利等）"),
    Indicator("leading_count", "创新型领军企业数", "家", computed="qualification",
              kinds=("leading",)),
]

INDICATORS: dict[str, Indicator] = {i.code: i for i in _ALL}
COMPUTED = [i for i in _ALL if i.computed]
MANUAL = [i for i in _ALL if not i.computed]
