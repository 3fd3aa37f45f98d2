"""The cost-recovery chart: allocated cost against delivered work per resource, as SVG.

Figures are made with matplotlib's object API (no pyplot), which keeps no global state and
so is safe in a server's worker threads.
"""

import io

from matplotlib.figure import Figure

from lims.contracts.models import CostRecovery


def cost_recovery_chart(report: CostRecovery) -> bytes:
    names = [row.name for row in report.rows]
    positions = list(range(len(names)))
    width = 0.4
    figure = Figure(figsize=(7, 3.5))
    axes = figure.subplots()
    axes.bar(
        [p - width / 2 for p in positions],
        [float(row.allocated_cost) for row in report.rows],
        width,
        label="Allocated cost / Kohdistetut kustannukset",
    )
    axes.bar(
        [p + width / 2 for p in positions],
        [float(row.delivered) for row in report.rows],
        width,
        label="Delivered work / Toimitettu työ",
    )
    axes.set_xticks(positions, names)
    axes.set_ylabel("EUR")
    axes.set_title(f"Cost recovery / Kustannusten kattaminen {report.year}")
    axes.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()
