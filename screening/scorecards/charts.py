"""Server-rendered SVG charts (they print, and need no script)."""
from __future__ import annotations

from typing import Any


def indicator_bars(indicators: list[dict[str, Any]], names: dict[str, str], width: int = 760) -> dict[str, Any]:
    """Horizontal bars, one per indicator, strength 0..1; counter-indicators in red."""
    label_w, row_h, bar_w = 330, 26, width - 330 - 50
    rows = []
    for n, ind in enumerate(indicators):
        strength = max(0.0, min(1.0, float(ind.get("strength") or 0.0)))
        rows.append({"y": n * row_h, "label": names.get(ind["indicator"], ind["indicator"]),
                     "width": round(strength * bar_w, 1), "value": f"{strength:.2f}", "count": ind.get("count", 0),
                     "positive": ind.get("positive", True), "id": ind["indicator"]})
    return {"width": width, "height": len(rows) * row_h + 4, "label_w": label_w, "bar_w": bar_w, "row_h": row_h,
            "rows": rows}


def score_strip(rows: list[dict[str, Any]], bands: dict[str, float], width: int = 640) -> dict[str, Any]:
    """A strip of candidates' scores on 0..100 with the band thresholds."""
    pad, height = 20, 70

    def x(score: float) -> float:
        return round(pad + score / 100 * (width - 2 * pad), 1)

    dots = [{"x": x(r["score"]), "label": r["candidate"].name, "score": r["score"]}
            for r in rows if r["score"] is not None]
    lines = [{"x": x(v), "label": k} for k, v in bands.items()]
    ticks = [{"x": x(v), "label": str(v)} for v in range(0, 101, 20)]
    return {"width": width, "height": height, "dots": dots, "lines": lines, "ticks": ticks, "axis_y": 40,
            "x0": pad, "x1": width - pad}
