"""casebook._plotting: event markers and their labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from casebook import _plotting
from casebook._plotting import EVENT_GID, EVENT_LABEL_GID, draw_events


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _label_boxes(ax):
    ax.figure.canvas.draw()
    texts = [t for t in ax.texts if t.get_gid() == EVENT_LABEL_GID]
    return texts, [t.get_window_extent() for t in texts]


def _close_events() -> list[dict[str, str]]:
    """Four events on one day of a two-year axis: their labels would overprint."""
    return [
        {"name": "Debate", "start": "2020-09-30 01:00", "end": "2020-09-30 02:30"},
        {"name": "Debate night", "start": "2020-09-30 01:00"},
        {"name": "Next morning", "start": "2020-09-30 12:00"},
        {"name": "Two days later", "start": "2020-10-02 00:00"},
        {"name": "Election day", "start": "2020-11-03 11:00", "end": "2020-11-04 05:00"},
    ]


def test_close_event_labels_do_not_overlap() -> None:
    fig, ax = plt.subplots(figsize=(10, 4))
    days = pd.date_range("2019-06-01", "2021-06-01", freq="D")
    ax.plot(days, np.arange(len(days)))
    draw_events(ax, _close_events())
    texts, boxes = _label_boxes(ax)
    assert [t.get_text().strip() for t in texts] == [e["name"] for e in _close_events()]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())
    # each label stays beside its own event: within a few labels' widths of its line
    lines = [a for a in ax.patches + ax.lines if a.get_gid() == EVENT_GID]
    assert len(lines) == 5
    starts = ax.transData.transform(
        np.c_[[ax.convert_xunits(pd.Timestamp(e["start"])) for e in _close_events()],
              np.zeros(5)])[:, 0]
    assert np.all(np.abs(np.array([b.x1 for b in boxes]) - starts) < 60)


def test_distant_event_labels_stay_on_their_lines() -> None:
    fig, ax = plt.subplots(figsize=(10, 4))
    days = pd.date_range("2019-06-01", "2021-06-01", freq="D")
    ax.plot(days, np.arange(len(days)))
    events = [{"name": "A", "start": "2019-09-01"}, {"name": "B", "start": "2020-09-01"}]
    draw_events(ax, events)
    texts, boxes = _label_boxes(ax)
    starts = ax.transData.transform(
        np.c_[[ax.convert_xunits(pd.Timestamp(e["start"])) for e in events], [0, 0]])[:, 0]
    assert np.allclose([b.x1 for b in boxes], starts, atol=1.0)  # right-aligned on the line


def test_spread_keeps_order_and_gap() -> None:
    out = _plotting._spread(np.array([0.0, 1.0, 1.0, 30.0, 31.0]), 10.0)
    assert out.tolist() == [0.0, 10.0, 20.0, 30.0, 40.0]


def test_no_events_draws_nothing() -> None:
    fig, ax = plt.subplots()
    assert draw_events(ax, None) is ax and not ax.texts


# --------------------------------------------------------------------------- literal text


def test_literal_text_draws_dollars_and_reveals_invisible_characters() -> None:
    labels = [r"@$\href{//evil.example/x}{evidence}$", "cost $5", "levantwire\u202enews",
              r"$\frac{$"]
    fig, ax = plt.subplots()
    ax.barh(labels, [1, 2, 3, 4], label=r"$\style{color:red}{x}$")
    ax.set_title("a\u2067b")
    ax.annotate("x\u200by $", (0, 0))
    ax.legend()
    _plotting.literal_text(ax)
    fig.canvas.draw()  # mathtext would fail on \href and on an unclosed $
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == [r"@\$\href{//evil.example/x}{evidence}\$", r"cost \$5",
                     "levantwire<U+202E>news", r"\$\frac{\$"]
    assert ax.get_title() == "a<U+2067>b" and ax.texts[0].get_text() == "x<U+200B>y $"
    assert not any(t.get_parse_math() for t in [ax.title, *ax.texts,
                                               *ax.get_legend().get_texts()])
    assert _plotting.literal_text(ax) is ax  # twice: the formatter is wrapped once
    fig.canvas.draw()


def test_literal_text_keeps_numeric_and_date_tick_labels() -> None:
    fig, ax = plt.subplots()
    ax.plot(pd.date_range("2020-01-01", periods=30, freq="D"), np.arange(30) * 1000)
    _plotting.date_axis(ax.xaxis)
    _plotting.count_axis(ax.yaxis)
    _plotting.literal_text(ax)
    fig.canvas.draw()
    assert "10,000" in [t.get_text() for t in ax.get_yticklabels()]
    assert type(ax.xaxis.get_major_formatter()).__name__ == "ConciseDateFormatter"


def test_legend_beside_reveals_invisible_characters() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], label="wire\u202e $x$")
    legend = _plotting.legend_beside(ax)
    assert [t.get_text() for t in legend.get_texts()] == ["wire<U+202E> $x$"]
