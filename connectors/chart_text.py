"""Words on charts in Chinese and English: axis titles, series names, Scope 3 categories, short names.

The dashboard (``api/dashboard/i18n.py``) and the report share these, so a chart reads the same
in the browser and in a PNG.
"""

from __future__ import annotations

import re

from tanlian.seed_data.library import indicator_thresholds

LANGS = ("zh", "en")

#: key → (Chinese, English)
_TEXT: dict[str, tuple[str, str]] = {
    "scope1": ("范围一", "Scope 1"),
    "scope2": ("范围二", "Scope 2"),
    "scope2_market": ("范围二（市场法）", "Scope 2 (market-based)"),
    "scope2_location": ("范围二（位置法）", "Scope 2 (location-based)"),
    "scope3": ("范围三", "Scope 3"),
    "scope3_upstream": ("范围三 上游（跨边界）", "Scope 3 upstream (crossing the boundary)"),
    "scope3_downstream": ("范围三 下游", "Scope 3 downstream"),
    "scope3_up_short": ("范围三 上游", "Scope 3 up"),
    "scope3_down_short": ("范围三 下游", "Scope 3 down"),
    "removals": ("碳移除", "Removals"),
    "net": ("净排放", "Net emissions"),
    "park_total": ("园区合计", "Park total"),
    "t_per_year": ("tCO2e/年", "tCO2e/yr"),
    "kg_per_unit": ("kgCO2e/单位", "kgCO2e per unit"),
    "share_of_net": ("占园区净排放", "share of the park's net"),
    "members_by_scope": ("成员企业排放构成", "Members' emissions by scope"),
    "park_waterfall": ("园区碳排放核算（不重复计算）", "Park inventory (no double counting)"),
    "members_ranked": ("成员企业净排放占比", "Members ranked by share of net emissions"),
    "carbon_flow": ("供应链隐含碳流（tCO2e/年）", "Embodied carbon along supply edges (tCO2e/yr)"),
    "park_boundary": ("园区边界", "Park boundary"),
    "outside_suppliers": ("园区外供应商", "Outside suppliers"),
    "background": ("背景数据", "Background data"),
    "kind_material": ("材料", "materials"),
    "kind_service": ("服务/运输", "services & transport"),
    "kind_waste": ("废弃物处理", "waste treatment"),
    "kind_spend": ("按支出估算", "spend-based"),
    "kind_energy": ("能源", "energy"),
    "kind_other": ("其他", "other"),
    "region_unknown": ("未知地区", "region unknown"),
    "scope_by_category": ("范围一/二/三（按类别）", "Scope 1/2/3 by category"),
    "top_suppliers": ("主要供应商（范围三上游）", "Top suppliers (Scope 3 upstream)"),
    "product_contributors": ("单位产品碳足迹来源（按企业）", "Where one unit's footprint comes from, by enterprise"),
    "primary_share": ("一手数据占比", "Primary-data share"),
    "primary": ("供应商一手数据", "supplier-specific (primary)"),
    "secondary": ("平均/支出数据", "average or spend data"),
    "footprint": ("产品碳足迹", "Product carbon footprint"),
    "direct": ("直接（本企业范围一+二）", "direct (maker's Scope 1+2)"),
    "upstream": ("上游", "upstream"),
    "p5_p95": ("不确定性区间 P5–P95", "uncertainty band P5–P95"),
    "symbiosis_map": ("产业共生匹配", "Industrial symbiosis matches"),
    "candidate": ("候选交换", "candidate exchange"),
    "assigned": ("最优分配", "chosen assignment"),
    "enterprises": ("企业", "enterprises"),
    "longitude": ("经度", "longitude"),
    "latitude": ("纬度", "latitude"),
    "whatif": ("情景分析：变化前后", "What-if: before and after"),
    "before": ("变化前", "before"),
    "after": ("变化后", "after"),
    "scope3_all": ("范围三", "Scope 3"),
    "delta_t": ("ΔtCO2e/年", "Δ tCO2e/yr"),
    "alternatives": ("更低碳的替代供应商", "Greener alternative suppliers"),
}

#: GHG Protocol Scope 3 categories (1–15): (Chinese, English)
CATEGORIES: dict[int, tuple[str, str]] = {
    1: ("外购商品和服务", "Purchased goods & services"),
    2: ("资本货物", "Capital goods"),
    3: ("燃料和能源相关活动", "Fuel- and energy-related"),
    4: ("上游运输和配送", "Upstream transport"),
    5: ("运营中产生的废弃物", "Waste in operations"),
    6: ("商务差旅", "Business travel"),
    7: ("员工通勤", "Employee commuting"),
    8: ("上游租赁资产", "Upstream leased assets"),
    9: ("下游运输和配送", "Downstream transport"),
    10: ("售出产品的加工", "Processing of sold products"),
    11: ("售出产品的使用", "Use of sold products"),
    12: ("售出产品的报废处理", "End-of-life of sold products"),
    13: ("下游租赁资产", "Downstream leased assets"),
    14: ("特许经营", "Franchises"),
    15: ("投资", "Investments"),
}

_CJK = re.compile(r"[\u3400-\u9fff]")


def indicator_directions() -> dict[str, str]:
    """Indicator id → '≤' or '≥': how its value must compare with its threshold (seed_data/indicators.csv)."""
    symbols = {"<=": "≤", ">=": "≥"}
    t = indicator_thresholds()
    return {r["id"]: symbols[r["comparison"]] for _, r in t.iterrows() if r["comparison"] in symbols}


def text(key: str, lang: str) -> str:
    """The chart text ``key`` in ``lang`` ('zh' or 'en'; anything else is English)."""
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def category(n: int, lang: str) -> str:
    """'C1 外购商品和服务' / 'C1 Purchased goods & services'."""
    zh, en = CATEGORIES.get(n, (f"类别 {n}", f"Category {n}"))
    return f"C{n} " + (zh if lang == "zh" else en)


def short_name(name: str | None, lang: str, fallback: str = "", limit: int = 26) -> str:
    """The part of a bilingual name ('苏南热电 Sunan CHP (…)') in ``lang``, cut to ``limit`` characters.

    A name without both scripts is returned whole (cut)."""
    if not name:
        return fallback
    first, _, rest = name.partition(" ")
    if _CJK.search(first) and rest and not _CJK.search(rest):
        bracketed = rest.startswith("(") and rest.endswith(")")  # '(Sunan Green Manufacturing Park)'
        name = first if lang == "zh" else (rest[1:-1] if bracketed else rest)
    return name if len(name) <= limit else name[: limit - 1] + "…"
