"""Write docs/policy-parameters.md from the seed YAML: every key, value, validity and source.

    python -m cultivation.parameters.doc            # print
    python -m cultivation.parameters.doc --write    # rewrite docs/policy-parameters.md

A test regenerates it and compares, so the document cannot drift from the seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cultivation.policy import PARAMETER_CATALOGUE, ParameterTable, ParameterValue, load_parameters
from cultivation.screening.presenters import parameter_value_text

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
    return "\n".join(out)


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
