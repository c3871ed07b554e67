"""Chart images drawn on the server (matplotlib, Agg) for the Word document.

Set in the CJK font of settings.REPORT_CHART_FONT, which `make install` copies from npm: the
server has no Chinese system font to fall back on. Colours are those of the page
(static/js/reports/charts.js).
"""

import math
import threading
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .charts import Chart
from .formatting import format_percent, percent

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PALETTE = ["#1f5fa8", "#e07b39", "#3a9d5d", "#c8463d", "#7b61a8", "#2aa1b3", "#c9a227", "#6b7785"]
YES_NO = ["#1f5fa8", "#c9d1dc"]
WIDTH_INCHES = 6.3  # the text width of an A4 page with 2.5 cm margins
DPI = 150
# pyplot is not used (its global state is not thread-safe); Figure objects are, but matplotlib's
# font cache and text layout are shared, so one image is drawn at a time.
_drawing = threading.Lock()


@cache
def _matplotlib():
    """matplotlib (Agg), its font manager and Figure, imported on the first drawing: importing
    it costs about 0.3 s of CPU, which every process resolving a URL paid (the URLconf imports
    the report's views), although only the Word document draws."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    return matplotlib, font_manager, Figure


@cache
def chart_font_name() -> str:
    path = Path(settings.REPORT_CHART_FONT)
    if not path.is_file():
        raise ImproperlyConfigured(
            f"REPORT_CHART_FONT {path} is not a file: run `make install`, which copies the "
            "report's Chinese font from npm."
        )
    _mpl, font_manager, _figure = _matplotlib()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _bars(figure: "Figure", chart: Chart, *, horizontal: bool) -> None:
    axes = figure.subplots()
    several = len(chart.datasets) > 1
    count = len(chart.labels)
    width = 0.8 / len(chart.datasets)
    positions = list(range(count))
    for index, dataset in enumerate(chart.datasets):
        offsets = [p + (index - (len(chart.datasets) - 1) / 2) * width for p in positions]
        colour = PALETTE[index % len(PALETTE)]
        if horizontal:
            bars = axes.barh(offsets, dataset.data, height=width, color=colour, label=dataset.label)
        else:
            bars = axes.bar(offsets, dataset.data, width=width, color=colour, label=dataset.label)
        axes.bar_label(bars, labels=[f"{v:g}" if v else "" for v in dataset.data], padding=2)
    if horizontal:
        axes.set_yticks(positions, chart.labels)
        axes.invert_yaxis()
        axes.margins(x=0.12)
    else:
        axes.set_xticks(positions, chart.labels)
        axes.margins(y=0.15)
    if several:
        axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)


def _stacked(figure: "Figure", chart: Chart) -> None:
    axes = figure.subplots()
    left = [0] * len(chart.labels)
    for index, dataset in enumerate(chart.datasets):
        bars = axes.barh(
            chart.labels, dataset.data, left=left, color=YES_NO[index % 2], label=dataset.label
        )
        axes.bar_label(
            bars,
            labels=[f"{v}" if v else "" for v in dataset.data],
            label_type="center",
            color="white" if index == 0 else "#1f2933",
        )
        left = [a + b for a, b in zip(left, dataset.data, strict=True)]
    axes.invert_yaxis()
    axes.legend(frameon=False, ncols=2, loc="lower right", bbox_to_anchor=(1, 1))
    axes.spines[["top", "right"]].set_visible(False)


def _doughnut(figure: "Figure", chart: Chart, colours: list[str]) -> None:
    axes = figure.subplots()
    data = chart.datasets[0].data
    total = sum(data)
    if not total:
        axes.axis("off")
        return
    shown = [(label, value) for label, value in zip(chart.labels, data, strict=True) if value]
    wedges, _texts = axes.pie(
        [value for _label, value in shown],
        colors=[colours[i % len(colours)] for i in range(len(shown))],
        wedgeprops={"width": 0.45, "edgecolor": "white"},
        startangle=90,
        counterclock=False,
    )
    for wedge, (_label, value) in zip(wedges, shown, strict=True):
        angle = (wedge.theta1 + wedge.theta2) / 2
        x = 0.78 * math.cos(math.radians(angle))
        y = 0.78 * math.sin(math.radians(angle))
        if percent(value, total) >= 4:
            text = f"{value}\n{format_percent(percent(value, total))}"
            axes.text(x, y, text, ha="center", va="center", color="white", fontsize=8)
    axes.legend(
        wedges,
        [label for label, _value in shown],
        frameon=False,
        loc="center left",
        bbox_to_anchor=(1, 0.5),
    )
    axes.set_aspect("equal")


def _dual_axis(figure: "Figure", chart: Chart) -> None:
    """Sums on the left axis, averages on the right: their scales differ a hundredfold."""
    left_axes = figure.subplots()
    right_axes = left_axes.twinx()
    positions = list(range(len(chart.labels)))
    width = 0.38
    for index, (axes, dataset) in enumerate(
        zip((left_axes, right_axes), chart.datasets, strict=False)
    ):
        offset = -width / 2 if index == 0 else width / 2
        bars = axes.bar(
            [p + offset for p in positions],
            dataset.data,
            width=width,
            color=PALETTE[index],
            label=dataset.label,
        )
        axes.bar_label(bars, labels=[f"{v:g}" if v else "" for v in dataset.data], padding=2)
        axes.set_ylabel(chart.value_header(dataset))
        axes.margins(y=0.15)
    left_axes.set_xticks(positions, chart.labels)
    handles = [
        *left_axes.get_legend_handles_labels()[0],
        *right_axes.get_legend_handles_labels()[0],
    ]
    left_axes.legend(handles=handles, frameon=False, loc="upper right")


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG image, WIDTH_INCHES wide."""
    font = chart_font_name()
    matplotlib, _font_manager, Figure = _matplotlib()
    with _drawing, matplotlib.rc_context({"font.family": font, "font.size": 9}):
        if chart.kind in ("hbar", "stacked-hbar"):
            height = max(2.2, 0.32 * len(chart.labels) + 0.8)
        else:
            height = 2.8
        figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
        if chart.kind == "hbar":
            _bars(figure, chart, horizontal=True)
        elif chart.kind == "stacked-hbar":
            _stacked(figure, chart)
        elif chart.kind in ("doughnut", "yes-no"):
            _doughnut(figure, chart, YES_NO if chart.kind == "yes-no" else PALETTE)
        elif chart.kind == "dual-axis":
            _dual_axis(figure, chart)
        else:
            _bars(figure, chart, horizontal=False)
        buffer = BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def trend_png(table: dict) -> bytes:
    """The trend at month ends (reports.trend.trend_table) as a line chart, each point
    labelled with its percentage."""
    font = chart_font_name()
    days = [row[0] for row in table["rows"]]
    positions = list(range(len(days)))
    matplotlib, _font_manager, Figure = _matplotlib()
    with _drawing, matplotlib.rc_context({"font.family": font, "font.size": 8}):
        figure = Figure(figsize=(WIDTH_INCHES, 3.4), dpi=DPI, layout="constrained")
        axes = figure.subplots()
        for index, header in enumerate(table["headers"][2:]):
            values = [row[index + 2] for row in table["rows"]]
            colour = PALETTE[index % len(PALETTE)]
            axes.plot(positions, values, marker="o", markersize=3, color=colour, label=header)
            for position, value in zip(positions, values, strict=True):
                axes.annotate(
                    f"{value:g}",
                    (position, value),
                    textcoords="offset points",
                    xytext=(0, 4),
                    ha="center",
                    fontsize=6,
                    color=colour,
                )
        axes.set_xticks(positions, days, rotation=45, ha="right")
        axes.set_ylim(bottom=0)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=4, frameon=False)
        buffer = BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
