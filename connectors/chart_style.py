"""The charts' shared look: colours per scope, a CJK-capable font, layout defaults, number helpers."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
COLORS = {
    "scope1": "#c2563a",
    "scope2": "#e9a23b",
    "scope3_upstream": "#3f7f8c",
    "scope3_downstream": "#8fb9c2",
    "removals": "#3a8d4f",
    "net": "#1f2933",
    "member": "#2f6f8f",
    "outside": "#9aa5b1",
    "background": "#c8b89a",
    "crossing": "rgba(233,162,59,0.45)",
    "internal": "rgba(47,111,143,0.40)",
    "before": "#9aa5b1",
    "after": "#2f6f8f",
    "good": "#3a8d4f",
    "bad": "#c2563a",
}
SCOPES = ("scope1", "scope2", "scope3_upstream", "scope3_downstream")


def wrap(label: str) -> str:
    """A long axis label on two lines (before its parenthesis or second word)."""
    for sep in ("（", " ("):
        if sep in label:
            head, _, tail = label.partition(sep)
            return f"{head}<br>{sep.strip()}{tail}"
    return label.replace(" ", "<br>", 1) if len(label) > 12 else label


def tonnes(kg: float | None) -> float:
    return 0.0 if kg is None else kg / 1000


def style(fig: go.Figure, title: str, height: int = 420, legend: bool = True) -> go.Figure:
    """The shared look: white template, CJK-capable font, title top-left, legend below."""
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 12, "color": "#1f2933"},
        height=height,
        margin={"l": 10, "r": 20, "t": 56, "b": 10},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        separators=".,",
    )
    return fig


def scope_values(row: Mapping, method: str) -> dict[str, float]:
    return {
        "scope1": tonnes(row["scope1_kgco2e"]),
        "scope2": tonnes(row[f"scope2_{method}_kgco2e"]),
        "scope3_upstream": tonnes(row["scope3_upstream_kgco2e"]),
        "scope3_downstream": tonnes(row["scope3_downstream_kgco2e"]),
        "removals": -tonnes(row["removals_kgco2e"]),
    }
