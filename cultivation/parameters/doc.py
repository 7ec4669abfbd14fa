"""Write docs/policy-parameters.md from the seed YAML: every key, value, validity and source.

    python -m cultivation.parameters.doc            # print
    python -m cultivation.parameters.doc --write    # rewrite docs/policy-parameters.md

A test regenerates it and compares, so the document cannot drift from the seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from cultivation.policy import PARAMETER_CATALOGUE, ParameterTable, ParameterValue, load_parameters
from cultivation.screening.presenters import parameter_value_text
from cultivation.windows.models import PROGRAMMES
from cultivation.windows.services import CALENDAR_FILE

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-parameters.md"
GROUPS = {
    "hnte": "高新技术企业认定（规则集 hnte）",
    "tech_sme": "科技型中小企业评价（规则集 tech-sme）",
    "zj_tech_sme": "浙江省科技型中小企业（规则集 zj-tech-sme）",
    "provincial_hnte_center": "省级高新技术企业研究开发中心（provincial-hnte-center）",
    "provincial_institute": "省级企业研究院（provincial-institute）",
    "leading": "浙江省创新型领军企业（leading）",
    "coverage": "三覆盖",
}
HEADER = """# 政策参数（policy parameters）

本文件由 `python -m cultivation.parameters.doc --write` 根据
`cultivation/policy/params/*.yaml` 生成，请勿手工修改；测试会核对它与种子数据一致。

每个门槛、比例和分段表都是一个带日期、带来源的参数：评估按评估日期取当时有效的取值。
数据库首次使用时自动写入这些种子值；管理员在“系统管理 → 政策参数”（/admin/parameters）
新增某日起生效的新取值，原取值自动截止于前一天，操作记入操作日志。
“待确认”（UNCONFIRMED）表示该取值只见于单一或间接来源、尚未与官方原文逐字核对，
界面上凡显示处都带“待确认”标记。金额单位为万元，比例以小数存储（0.05 = 5%）。

新政策是新的带日期取值，从不改写旧取值：2025 年起的规则（浙经信高新〔2025〕169号的省企业研究院
分段研发条件与省高新研发中心停止单独认定、按行业门类的中小企业划型、高企创新能力评价“> 70 分”）
都自 2025-01-01 起生效，此前日期的评估结果保持不变。分段端点：省企业研究院研发条件中
5000 万元、2 亿元两个端点均归中段（5000 万元以下为低段，2 亿元以上为高段），原文未见，待确认。

2025 年起各规则集的变化（评估日期在 2025-01-01 及以后）：

- 省企业研究院（provincial-institute）：条件为 `rd_intensity`（按上年销售收入分段，低段研发强度与
  研发费用须同时满足，中、高段满足其一；差距说明所在分段及两种补足方式）、`innovation_score`
  （省级创新能力评价得分 ≥ 60，不是高企评分；在企业信息“评价要素”中录入，未录入为“数据不全”）、
  `municipal_institution`（“原则上应建有市级企业研发机构”，按研发机构记录判断；只作提示，
  JSON 中带 `"soft": true`，不单独导致不符合）。2024 年及以前仍按原六项条件。
- 省高新研发中心（provincial-hnte-center）：增加不通过的 `programme_open`（“已并入省企业研究院序列，
  不再单独认定”），其申报窗口不再发提醒；已认定的研发中心仍计入三覆盖，规划目标页注明该目标
  无法再通过新认定增长，并给出“省级企业研究院（含原省高新研发中心）”合计行。
- 省科小（zj-tech-sme）的 `sme_size`：按企业的行业门类（`sector`，企业信息、接口、导入导出与
  事实 JSON 均有此字段）适用工信部联企业〔2011〕300号对应行业的标准；未填行业门类时为
  “缺少数据：行业门类”，不再默认按工业标准。代码：industry 工业、software_it 软件和信息技术
  服务业、information_transmission 信息传输业、wholesale 批发业、retail 零售业、construction
  建筑业、transport 交通运输业、warehousing 仓储业、postal 邮政业、accommodation 住宿业、
  catering 餐饮业、real_estate 房地产开发经营、property_management 物业管理、leasing_business
  租赁和商务服务业、agriculture 农林牧渔业、other 其他未列明行业。
- 高企（hnte）`innovation_score`：须“> 70 分”（`required` 为 `"> 70"`）。
- 领军：门槛未见公开原文（可能已改为浙江省科技领军企业、科技小巨人），沿用旧值并标待确认；
  管理员可在“系统管理 → 领军类型”（/admin/leading-kinds）添加计入创新型领军梯次的资质类型，
  无需改代码。
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _line(value: ParameterValue) -> str:
    spec = PARAMETER_CATALOGUE[value.key]
    until = value.valid_to.isoformat() if value.valid_to else "—"
    status = "已核对" if value.confirmed else "**待确认**"
    shown = parameter_value_text(value.key, value.value_json())
    return (f"| `{value.key}` | {_cell(spec.label)} | {_cell(shown)} | "
            f"{value.valid_from.isoformat()} | {until} | {_cell(value.source)} | {status} | "
            f"{_cell(value.note)} |")


def render(table: ParameterTable | None = None) -> str:
    """The whole document for ``table`` (default: the bundled seeds)."""
    table = table or load_parameters()
    values = table.all_values()
    unconfirmed = sum(1 for v in values if not v.confirmed)
    out = [HEADER, f"共 {len(values)} 个取值，其中待确认 {unconfirmed} 个。\n"]
    for prefix, title in GROUPS.items():
        keys = [k for k in PARAMETER_CATALOGUE if k.split(".")[0] == prefix]
        out.append(f"## {title}\n")
        out.append("| 键 | 名称 | 取值 | 生效 | 失效 | 来源 | 核对 | 说明 |")
        out.append("|---|---|---|---|---|---|---|---|")
        out.extend(_line(value) for key in keys for value in table.history(key))
        out.append("")
    out.extend(_calendar())
    return "\n".join(out)


def _calendar() -> list[str]:
    """The default application calendar (windows/calendar.yaml) with issuer, source, flag."""
    spec = yaml.safe_load(CALENDAR_FILE.read_text(encoding="utf-8"))
    out = [
        "## 默认申报日历（cultivation/windows/calendar.yaml）\n",
        "“按默认日历补齐”时写入的窗口；写入后均为“待确认”，日历页在日期旁显示，"
        "管理员按当年正式通知核对后勾选“已核实”。\n",
        "| 申报项目 | 批次 | 适用年度 | 开始 | 截止 | 发文机关 | 依据 | 核对 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in spec["windows"]:
        years = f"{item.get('from_year', '')}–{item.get('to_year', '')}"
        status = "已核对" if item.get("confirmed") else "待确认（默认）"
        out.append(
            f"| {PROGRAMMES[item['programme']]} | {item['batch']} | "
            f"{'历年' if years == '–' else years} | {_day(item['opens'])} | "
            f"{_day(item['closes'])} | {_cell(item.get('issuer') or '')} | "
            f"{_cell(item.get('source') or '')} | {status} |"
        )
    out.append("")
    return out


def _day(spec: dict[str, int]) -> str:
    before = "上年" if spec.get("year_offset") == -1 else ""
    return f"{before}{spec['month']}月{spec['day']}日"


def main(argv: list[str]) -> int:
    """Print the document, or write it with ``--write``."""
    text = render()
    if "--write" in argv:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
