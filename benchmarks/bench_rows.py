"""The rows and the table that the Wyoming benchmarks print."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Row:
    metric: str
    ours: float
    official: float | None
    target: str = ""
    unit: str = ""
    details: list[str] = field(default_factory=list)


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per key, the median over runs (detections and false triggers are summed instead)."""
    return {
        key: sum(r[key] for r in runs)
        if key.startswith(("hits", "false"))
        else statistics.median(r[key] for r in runs)
        for key in runs[0]
    }


def print_table(rows: list[Row]) -> None:
    def fmt(value: float | None, unit: str) -> str:
        if value is None:
            return "n/a"
        if unit == "s":
            return f"{value * 1000:.1f} ms"
        if unit == "x":
            return f"{value:.2f}x"
        return f"{value:.3f}" if value != int(value) else f"{int(value)}"

    header = f"{'metric':<58} {'ours':>11} {'official':>11} {'ours/off':>9}  target"
    print("\n" + header + "\n" + "-" * len(header))
    for row in rows:
        ratio = f"{row.ours / row.official:.2f}x" if row.official else "-"
        print(
            f"{row.metric:<58} {fmt(row.ours, row.unit):>11} "
            f"{fmt(row.official, row.unit):>11} {ratio:>9}  {row.target}"
        )
