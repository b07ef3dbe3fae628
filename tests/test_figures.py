"""Figure rules for every plot_* of the analysis modules (issue 11, item 5).

Each plotting function runs on the specimen (Iran: many accounts and a five-year
span; GRU: few tweets) at the default size and as a small-multiples panel, where
labels crowd. Checks read artist properties after ``fig.canvas.draw()``, never pixels:
no two visible tick labels of one axis intersect; no legend covers a bar, line or node;
log axes read 1, 10, 1,000 (no ``10^2`` mathtext); counts carry thousands separators,
shares are percentages; a ``$`` in a narrative or account id is drawn literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from casebook import accounts, activity, content, coordination  # noqa: E402
from casebook._plotting import EVENT_GID  # noqa: E402
from casebook.paths import specimen_dir  # noqa: E402

EVENTS = [
    {"name": "First presidential debate", "start": "2020-09-30 01:00", "end": "2020-09-30 02:30"},
    {"name": "US election day", "start": "2020-11-03 11:00", "end": "2020-11-04 05:00"},
]
LEXICONS = {
    "us_politics": ["Trump", "Biden", "#Debates2020"],
    "palestine": ["Palestine", "Gaza", "Al-Quds"],
    "follow_back": ["follow back", "followback"],
}
#: (width, height) in inches: the default figure, and one panel of a small-multiples grid
SIZES = {"default": None, "panel": (3.2, 2.4)}
_NUMBER = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?%?$")


@pytest.fixture(scope="module")
def specimen() -> dict[str, Any]:
    from casebook import load_release

    root = specimen_dir()
    if not (root / "iran_202012").is_dir():
        pytest.skip("data/specimen is not generated")
    iran = load_release(root / "iran_202012", cache=False)
    gru = load_release(root / "GRU_202012", cache=False)
    kinds = ["co_retweet", "co_hashtag"]
    edges = coordination.networks(iran.tweets, kinds=kinds)
    control = root / "control"
    control_edges = (coordination.networks(load_release(control, cache=False).tweets, kinds=kinds)
                     if control.is_dir() else edges.iloc[0:0])
    return {"iran": iran, "gru": gru, "edges": edges, "control_edges": control_edges}


def _of(edges: pd.DataFrame, kind: str) -> pd.DataFrame:
    return edges[edges["kind"] == kind]


#: every plotting function of activity, accounts, content and coordination.plots
PLOTS: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    "volume_week": lambda s, ax: activity.plot_volume(s["iran"].tweets, freq="W", events=EVENTS, ax=ax),
    "volume_day": lambda s, ax: activity.plot_volume(s["gru"].tweets, freq="D", events=EVENTS, ax=ax),
    "hour_weekday": lambda s, ax: activity.plot_hour_weekday(s["iran"].tweets, utc_offset=3.5, ax=ax),
    "hour_weekday_share": lambda s, ax: activity.plot_hour_weekday(
        s["iran"].tweets, utc_offset=3.5, normalise=True, ax=ax),
    "creation_quarter": lambda s, ax: accounts.plot_creation(s["iran"].users, freq="QS",
                                                             events=EVENTS, ax=ax),
    "creation_month": lambda s, ax: accounts.plot_creation(s["gru"].users, freq="MS", ax=ax),
    "followers": lambda s, ax: accounts.plot_followers(s["iran"].users, ax=ax),
    "following": lambda s, ax: accounts.plot_followers(s["iran"].users, column="following_count",
                                                       ax=ax),
    "lexicon_counts": lambda s, ax: content.plot_lexicon_counts(s["iran"].tweets, LEXICONS,
                                                                freq="W", events=EVENTS, ax=ax),
    "network": lambda s, ax: coordination.plot_network(_of(s["edges"], "co_retweet"), seed=0,
                                                       max_labels=1000, ax=ax),
    "weight_distribution": lambda s, ax: coordination.plot_weight_distribution(
        _of(s["edges"], "co_hashtag"), _of(s["control_edges"], "co_hashtag"), threshold=3, ax=ax),
}


def _draw(specimen: dict[str, Any], plot: str, size: str) -> Any:
    ax = None
    if SIZES[size] is not None:
        _, ax = plt.subplots(figsize=SIZES[size], constrained_layout=True)
    ax = PLOTS[plot](specimen, ax)
    ax.figure.canvas.draw()
    return ax


def _all_axes(ax: Any) -> list[Any]:
    """The plot's Axes and its colour bar's, when it has one."""
    return [ax, *[c.colorbar.ax for c in ax.collections if getattr(c, "colorbar", None)]]


def _visible_labels(axis: Any) -> list[Any]:
    """Tick labels drawn inside the axis' view (matplotlib keeps off-view ones too)."""
    lo, hi = sorted(axis.get_view_interval())
    ticks = axis.get_major_ticks(len(axis.get_majorticklocs()))
    eps = 1e-9 * max(abs(hi - lo), 1.0)
    labels = []
    for tick, loc in zip(ticks, axis.get_majorticklocs(), strict=False):
        if lo - eps <= loc <= hi + eps:
            # label2 is the right (or top) one: a colour bar's
            labels += [t for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text()]
    return labels


def _overlapping_pairs(labels: list[Any]) -> list[tuple[str, str]]:
    boxes = [label.get_window_extent() for label in labels]
    return [(labels[i].get_text(), labels[j].get_text())
            for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])]


def _legends(ax: Any) -> list[Any]:
    return [legend for legend in (ax.get_legend(), *ax.figure.legends) if legend is not None]


def _covered_data(ax: Any, box: Any) -> list[str]:
    """Data artists (bars, lines, nodes) that reach into the display box ``box``."""
    hit = []
    for patch in ax.patches:
        if patch.get_gid() != EVENT_GID and patch.get_visible() \
                and patch.get_window_extent().overlaps(box):
            hit.append(f"bar {patch.get_label()}")
    for line in ax.lines:
        if line.get_gid() == EVENT_GID or not line.get_visible() or len(line.get_xydata()) == 0:
            continue
        path = line.get_path().transformed(line.get_transform())
        if path.intersects_bbox(box, filled=False):
            hit.append(f"line {line.get_label()}")
    for collection in ax.collections:
        offsets = collection.get_offsets()
        if len(offsets) and collection.get_offset_transform() is not None:
            xy = collection.get_offset_transform().transform(offsets)
            inside = ((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1)
                      & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1))
            if inside.any():
                hit.append(f"{int(inside.sum())} points of {type(collection).__name__}")
    return hit


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("plot", PLOTS)
def test_tick_labels_do_not_overlap(specimen: dict[str, Any], plot: str, size: str) -> None:
    ax = _draw(specimen, plot, size)
    for each in _all_axes(ax):
        for axis in (each.xaxis, each.yaxis):
            labels = _visible_labels(axis)
            assert not _overlapping_pairs(labels), (plot, size, axis.axis_name,
                                                    [t.get_text() for t in labels])


@pytest.mark.parametrize("plot", [p for p in PLOTS if p != "network"])
def test_axes_keep_at_least_two_tick_labels(specimen: dict[str, Any], plot: str) -> None:
    """Thinning never strips an axis bare on a small-multiples panel."""
    ax = _draw(specimen, plot, "panel")
    for axis in (ax.xaxis, ax.yaxis):
        assert len(_visible_labels(axis)) >= 2, (plot, axis.axis_name)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("plot", PLOTS)
def test_legend_covers_no_data(specimen: dict[str, Any], plot: str, size: str) -> None:
    ax = _draw(specimen, plot, size)
    for legend in _legends(ax):
        box = legend.get_window_extent()
        assert not _covered_data(ax, box), (plot, size, _covered_data(ax, box))


@pytest.mark.parametrize("plot", PLOTS)
def test_title_and_axis_labels_with_units(specimen: dict[str, Any], plot: str) -> None:
    ax = _draw(specimen, plot, "default")
    assert ax.get_title().strip()
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
    # a unit or a unit-like qualifier: a time zone, "per <period>", a percentage or a count
    units = re.compile(r"\(|per |count|accounts|tweets")
    assert units.search(ax.get_xlabel()) or units.search(ax.get_ylabel()), plot


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("plot", ["followers", "following", "weight_distribution"])
def test_log_axes_read_plain_numbers(specimen: dict[str, Any], plot: str, size: str) -> None:
    ax = _draw(specimen, plot, size)
    logs = [axis for axis in (ax.xaxis, ax.yaxis) if axis.get_scale() in ("log", "symlog")]
    assert logs, plot
    for axis in logs:
        texts = [t.get_text() for t in _visible_labels(axis)]
        assert len(texts) >= 2, texts
        assert all(_NUMBER.match(t) for t in texts), texts
        minor = [t.get_text() for t in axis.get_minorticklabels() if t.get_text()]
        assert not minor, minor


def test_short_log_axis_gets_intermediate_ticks() -> None:
    """Weights 1 to 6 span less than a decade: 1, 2 and 5 are labelled, not a lone 1."""
    edges = pd.DataFrame({"source": list("abcdef"), "target": list("bcdefa"),
                          "weight": [1, 1, 2, 3, 5, 6], "kind": "co_retweet"})
    ax = coordination.plot_weight_distribution(edges, edges.iloc[0:0])
    ax.figure.canvas.draw()
    assert [t.get_text() for t in _visible_labels(ax.xaxis)][:3] == ["1", "2", "5"]


@pytest.mark.parametrize("plot", PLOTS)
def test_numbers_carry_thousands_separators(specimen: dict[str, Any], plot: str) -> None:
    import matplotlib.dates as mdates

    ax = _draw(specimen, plot, "default")
    for each in _all_axes(ax):
        for axis in (each.xaxis, each.yaxis):
            if isinstance(axis.get_major_formatter(), (mdates.DateFormatter, mdates.AutoDateFormatter,
                                                       mdates.ConciseDateFormatter)):
                continue  # years are not counts
            for label in _visible_labels(axis):
                text = label.get_text().replace("\u2212", "-")
                digits = re.fullmatch(r"-?[0-9,]+(\.[0-9]+)?%?", text)
                if digits and abs(float(text.rstrip("%").replace(",", ""))) >= 1000:
                    assert _NUMBER.match(text), (plot, text)
    if plot == "volume_week":  # Iran's weekly peak is in the thousands
        assert any("," in t.get_text() for t in _visible_labels(ax.yaxis))


@pytest.mark.parametrize("plot", ["hour_weekday_share", "weight_distribution"])
def test_shares_are_percentages(specimen: dict[str, Any], plot: str) -> None:
    ax = _draw(specimen, plot, "default")
    axis = _all_axes(ax)[-1].yaxis
    texts = [t.get_text() for t in _visible_labels(axis)]
    assert len(texts) >= 2 and all(t.endswith("%") for t in texts), texts


def _renders_literally(text: Any) -> bool:
    """Whether ``text`` is drawn as its characters, not as mathtext: its width equals a
    copy's drawn with parse_math=False."""
    fig = text.get_figure(root=True)
    fig.canvas.draw()
    ref = fig.text(0, 0, text.get_text(), fontproperties=text.get_fontproperties(),
                   rotation=text.get_rotation(), parse_math=False)
    renderer = fig.canvas.get_renderer()
    drawn, plain = text.get_window_extent(renderer), ref.get_window_extent(renderer)
    ref.remove()
    return bool(abs(drawn.width - plain.width) < 0.5 and abs(drawn.height - plain.height) < 0.5)


def test_narrative_names_with_dollars_are_literal(specimen: dict[str, Any]) -> None:
    lexicons = {"$x^2$ fans": ["Trump"], "US$ 5": ["Biden"]}
    ax = content.plot_lexicon_counts(specimen["iran"].tweets, lexicons, freq="W")
    texts = {t.get_text(): t for t in ax.get_legend().get_texts()}
    assert set(texts) == set(lexicons)
    assert _renders_literally(texts["$x^2$ fans"])


def test_account_ids_with_dollars_are_literal() -> None:
    ids = ["$a^2$bcdXYZ", "plainAAAA", "plainBBBB"]
    edges = pd.DataFrame({"source": ids, "target": ids[1:] + ids[:1], "weight": 3,
                          "kind": "co_retweet"})
    ax = coordination.plot_network(edges)
    labels = {t.get_text(): t for t in ax.texts}
    assert "$a^2$bcd" in labels
    assert _renders_literally(labels["$a^2$bcd"])


def test_event_names_with_dollars_are_literal(specimen: dict[str, Any]) -> None:
    ax = activity.plot_volume(specimen["gru"].tweets, events=[
        {"name": "$5$ bribe", "start": "2020-09-30"}])
    (label,) = [t for t in ax.texts if "bribe" in t.get_text()]
    assert _renders_literally(label)


def test_network_labels_do_not_overprint(specimen: dict[str, Any]) -> None:
    ax = _draw(specimen, "network", "default")
    labels = [t for t in ax.texts if t.get_visible()]
    assert len(labels) >= 10  # thinned, not dropped
    assert not _overlapping_pairs(labels)
    # the best-connected account keeps its label
    proj = coordination.communities.undirected(_of(specimen["edges"], "co_retweet"), None, 1)
    degree = pd.concat([proj[["a", "weight"]].rename(columns={"a": "u"}),
                        proj[["b", "weight"]].rename(columns={"b": "u"})]) \
        .groupby("u")["weight"].sum()
    top = degree.sort_values(ascending=False, kind="stable").index[0]
    assert str(top)[:coordination.plots.LABEL_CHARS] in {t.get_text() for t in labels}


def test_network_title_counts_use_separators() -> None:
    ids = np.array([f"acct{i:05d}" for i in range(1200)])
    edges = pd.DataFrame({"source": ids, "target": np.roll(ids, 1), "weight": 1,
                          "kind": "co_retweet"})
    ax = coordination.plot_network(edges, max_labels=0)
    assert "1,200 accounts" in ax.get_title()
