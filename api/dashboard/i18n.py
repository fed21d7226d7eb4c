"""The dashboard's words in Chinese and English, and how a request picks its language.

``?lang=zh|en`` switches and is remembered in a cookie; without either the page is Chinese.
Chart words are in :mod:`tanlian.connectors.chart_text` (shared with the report).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "tanlian_lang"

#: key → (Chinese, English); ``{name}`` placeholders are filled by :func:`translator`.
MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("碳链 · 园区碳管理", "Tanlian · park carbon"),
    "switch_lang": ("English", "中文"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "sign_in_title": ("使用 API 客户端凭据登录", "Sign in with your API client credentials"),
    "sign_in_hint": (
        "客户端由园区管理员用 tanlian clients add 创建；密钥只显示一次。",
        "Clients are created by the park admin with tanlian clients add; the secret is shown once.",
    ),
    "client_id": ("客户端 ID", "Client id"),
    "client_secret": ("客户端密钥", "Client secret"),
    "bad_credentials": ("客户端 ID 或密钥不正确。", "Unknown client or wrong secret."),
    "too_many_attempts": ("登录尝试过多，请 {wait} 秒后再试。", "Too many sign-in attempts; try again in {wait} s."),
    "partner_denied": ("合作方客户端只能使用 PACT 交换接口。", "Partner clients may only use the PACT exchange."),
    "csrf_failed": ("表单已过期，请重试。", "The form has expired; please try again."),
    "role_park_admin": ("园区管理员", "park admin"),
    "role_auditor": ("审核员", "auditor"),
    "role_enterprise": ("企业", "enterprise"),
    "role_platform_admin": ("平台管理员", "platform admin"),
    "nav_parks": ("园区一览", "Parks"),
    "parks_intro": ("您可以查看的园区（本核算年度）。", "The parks you may open (this accounting year)."),
    "member_count": ("成员企业数", "Member enterprises"),
    "park_col": ("园区", "Park"),
    "show_year": ("查看", "Show"),
    "no_parks": ("没有可查看的园区。", "No park to show."),
    "nav_overview": ("园区总览", "Park overview"),
    "nav_flows": ("碳流桑基图", "Carbon flows"),
    "nav_symbiosis": ("产业共生", "Symbiosis"),
    "nav_whatif": ("情景分析", "What-if"),
    "nav_import": ("数据导入", "Import"),
    "nav_enterprise": ("我的企业", "My enterprise"),
    "year": ("核算年度", "Accounting year"),
    "gwp": ("GWP 值", "GWP set"),
    "scope2_in_net": ("净排放采用的范围二方法", "Scope 2 method in the net"),
    "method_market": ("市场法", "market-based"),
    "method_location": ("位置法", "location-based"),
    "net": ("净排放", "Net emissions"),
    "scope1": ("范围一", "Scope 1"),
    "scope2": ("范围二", "Scope 2"),
    "scope3": ("范围三", "Scope 3"),
    "scope3_up": ("范围三 上游", "Scope 3 upstream"),
    "scope3_down": ("范围三 下游", "Scope 3 downstream"),
    "removals": ("碳移除", "Removals"),
    "intra_excluded": ("园区内部已剔除的重复计算", "Double counting removed inside the park"),
    "t_yr": ("tCO2e/年", "tCO2e/yr"),
    "indicators": ("零碳园区“1+5”指标", "Zero-carbon park “1+5” indicators"),
    "indicator": ("指标", "Indicator"),
    "value": ("数值", "Value"),
    "threshold": ("门槛", "Threshold"),
    "status": ("结果", "Status"),
    "pass": ("达标", "pass"),
    "fail": ("未达标", "fail"),
    "no_data": ("无数据", "no data"),
    "gate": ("否决项", "gate"),
    "members": ("成员企业净排放排名", "Members by share of the net"),
    "enterprise": ("企业", "Enterprise"),
    "share": ("占比", "Share"),
    "warnings": ("提示", "Warnings"),
    "flows_intro": (
        "每条连线为供应边上的隐含碳（数量 × 上游产品碳强度）。园区外供应商按地区合并，背景数据按类型合并；"
        "虚线框为园区边界。",
        "Each link is the carbon embodied on supply edges (quantity × intensity of what flows). Outside "
        "suppliers are grouped by region, background factors by kind; the dashed box is the park boundary.",
    ),
    "crossing": ("跨边界流入", "Crossing the boundary"),
    "internal": ("园区内部流转", "Inside the park"),
    "scope_account": ("范围一/二/三核算", "Scope 1/2/3 account"),
    "primary_share": ("一手数据占比", "Primary-data share"),
    "hotspots": ("热点：主要供应商与供应路径", "Hotspots: top suppliers and supply paths"),
    "path": ("供应路径", "Supply path"),
    "tier1_note": (
        "企业视角只展开到一级供应商，更深层级计入各一级供应商的碳足迹。",
        "Enterprise view: detail stops at tier-1 suppliers; deeper tiers are inside each tier-1 footprint.",
    ),
    "tier1_product_note": (
        "按直接投入展开，每项包含其完整上游碳足迹。",
        "By direct input, each with its whole upstream footprint.",
    ),
    "alternatives": ("绿色替代方案", "Green alternatives"),
    "purchase": ("采购", "Purchase"),
    "current": ("当前供应商", "Current supplier"),
    "alternative": ("替代供应商", "Alternative"),
    "delta_t": ("Δ tCO2e/年", "Δ tCO2e/yr"),
    "delta_cost": ("Δ 成本（元/年）", "Δ cost (CNY/yr)"),
    "no_alternatives": ("没有更低碳的同类供应商。", "No greener supplier of the same class."),
    "products": ("产品", "Products"),
    "product": ("产品", "Product"),
    "footprint": ("碳足迹", "Footprint"),
    "per_unit": ("每声明单位", "per declared unit"),
    "direct": ("直接排放", "Direct"),
    "upstream": ("上游排放", "Upstream"),
    "uncertainty": ("不确定性（蒙特卡洛 {n} 次）", "Uncertainty (Monte Carlo, {n} samples)"),
    "not_shared": (
        "该供应商不共享碳足迹，显示同类产品平均值：{basis}",
        "This supplier does not share footprints; the class average is shown: {basis}",
    ),
    "by_gas": ("按温室气体（已按 GWP 折算）", "By gas (characterised)"),
    "gas": ("气体", "Gas"),
    "label": ("碳标签", "Carbon label"),
    "label_preview": ("标签预览与下载", "Label preview and downloads"),
    "download": ("下载", "Download"),
    "api_path": ("API 路径", "API path"),
    "symbiosis_intro": (
        "企业按坐标绘制（经纬度散点，无在线底图）。虚线为候选交换，实线为减排最多的分配，线宽与年减排量成正比。",
        "Enterprises on their coordinates (a lon/lat scatter, no map tiles). Dashed: candidate exchanges; "
        "solid: the assignment that avoids the most; width ∝ tCO2e avoided per year.",
    ),
    "assigned_total": ("最优分配年减排", "Avoided by the chosen assignment"),
    "potential_total": ("全部候选潜力", "Potential of all candidates"),
    "residual": ("余料/余能", "Residual"),
    "need": ("需求", "Need"),
    "material": ("物料", "Material"),
    "distance": ("距离 km", "Distance km"),
    "assigned": ("分配量", "Assigned"),
    "avoided": ("年减排 tCO2e", "Avoided tCO2e/yr"),
    "whatif_intro": (
        "选择一项变化，在图的副本上重新计算（不写入数据库）。",
        "Pick a change; it is computed on a copy of the graph (nothing is written).",
    ),
    "switch_supplier": ("更换供应商", "Switch supplier"),
    "green_power": ("增加绿电", "Add green power"),
    "green_mwh": ("绿电 MWh/年", "Green power MWh/yr"),
    "run": ("计算", "Run"),
    "scenario_switch": ("采购 {flow} 改由 {to} 供应", "Purchase {flow} switched to {to}"),
    "scenario_green": ("{ent} 增加绿电 {mwh} MWh/年", "+{mwh} MWh/yr green power at {ent}"),
    "changes": ("变化明细", "What changed"),
    "subject": ("对象", "Subject"),
    "item": ("项目", "Item"),
    "before": ("变化前", "Before"),
    "after": ("变化后", "After"),
    "delta": ("变化", "Change"),
    "nothing_changed": ("该变化没有影响任何核算结果。", "The change moved no figure."),
    "import_intro": (
        "上传数据包（CSV 文件夹的 zip，或 .xlsx 工作簿）。全部通过校验才会写入。",
        "Upload a bundle (a zip of the CSV folder, or an .xlsx workbook). "
        "Nothing is written unless every row is valid.",
    ),
    "file": ("文件", "File"),
    "replace": ("替换整个数据库（--replace）", "Replace the whole store (--replace)"),
    "upload": ("上传并导入", "Upload and import"),
    "import_ok": (
        "导入完成：新增 {added}，变更 {changed}，未变 {unchanged}，删除 {removed}。",
        "Imported: {added} added, {changed} changed, {unchanged} unchanged, {removed} removed.",
    ),
    "import_failed": ("导入失败：{n} 处错误，未写入任何数据。", "Import failed: {n} error(s); nothing was written."),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "reason": ("原因", "Reason"),
    "error_403": ("无权访问", "Access denied"),
    "error_404": ("未找到", "Not found"),
    "error_422": ("无法处理", "Cannot process"),
    "error_back": ("返回首页", "Back to the dashboard"),
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the message in ``lang`` with ``{placeholders}`` filled."""
    pos = 0 if lang == "zh" else 1

    def t(key: str, **values: object) -> str:
        msg = MESSAGES[key][pos]
        return msg.format(**values) if values else msg

    return t


def request_lang(request: Request, query: str | None) -> tuple[str, bool]:
    """(language, whether to remember it in the cookie): the query, else the cookie, else Chinese."""
    if query in LANGS:
        return query, request.cookies.get(LANG_COOKIE) != query
    cookie = request.cookies.get(LANG_COOKIE)
    return (cookie if cookie in LANGS else DEFAULT_LANG), False
