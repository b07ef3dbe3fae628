"""Workshop helpers: the specimen the notebooks use, and the checks of the exercises.

``notebooks/workshop/01_exercises.ipynb`` asks questions about the specimen; each has an
answer cell (``answer = None``) followed by ``casebook.workshop.check("<id>", answer)``,
which prints whether the answer is right and why, or a hint when it is not, without
giving the answer away. Answers are compared with the specimen's ``ground_truth.json``
or with values computed by casebook's own functions, tolerantly where that makes sense
(sets of accounts are graded by recall and precision; shares by an absolute tolerance).

Exercises (:data:`EXERCISES`)
-----------------------------
``debate_accounts``
    The Iran accounts active during the first 2020 US presidential debate
    (30 Sep 2020, 01:00-02:30 UTC). A collection of userids or screen names.
``official_impersonators``
    The Armenia accounts posing as Azerbaijani officials (not as news outlets).
``control_signal``
    A coordination kind (or several) that also links ordinary accounts of the control
    cohort when every edge counts (``min_weight=1``, 1-minute window).
``top_account_share``
    The share of the Iran network's tweets posted by its most active account
    (a fraction; a percentage above 1 is read as percent).
``operator_offset``
    The UTC offset that the Iran network's working day points to: hours (``3.5``), a
    string (``"+03:30"``, ``"UTC+3:30"``), a timedelta, or the table of
    :func:`casebook.activity.infer_utc_offset`.

Run ``casebook workshop`` (or ``python -m casebook.workshop``) to generate the workshop
specimen if it is missing (``make lab`` does this before starting JupyterLab). numpy and
pandas are imported by the functions that grade, so that the command starts at once.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook import paths
from casebook.errors import SpecimenMismatch

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EXERCISES",
    "CheckResult",
    "Exercise",
    "SpecimenMismatch",
    "add_arguments",
    "check",
    "ensure_specimen",
    "exercises",
    "grade",
    "load",
    "run",
]

#: Seed and scale of the workshop specimen (the outputs of the committed notebooks).
WORKSHOP_SEED = 0


def _default_scale() -> float:
    from casebook.specimen import DEFAULT_SCALE

    return DEFAULT_SCALE


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer.

    Attributes
    ----------
    exercise
        Exercise id.
    status
        ``"right"``, ``"wrong"`` or ``"unanswered"``.
    message
        Why (when right) or a hint (when wrong); never the full answer.
    """

    exercise: str
    status: str
    message: str

    @property
    def right(self) -> bool:
        return self.status == "right"

    def __str__(self) -> str:
        head = {"right": "Right!", "wrong": "Not yet.", "unanswered": "Not answered yet."}
        return f"[{self.exercise}] {head[self.status]} {self.message}"


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: its question, a hint shown before any attempt, and its grader."""

    id: str
    dataset: str
    question: str
    hint: str
    grader: Callable[[Any, _Context], CheckResult]


# --------------------------------------------------------------------------- specimen


def ensure_specimen(*, seed: int = WORKSHOP_SEED, scale: float | None = None) -> Path:
    """The specimen folder (:func:`casebook.paths.specimen_dir`), generated if missing.

    Only the datasets that are missing are written (with
    :func:`casebook.specimen.write_specimen`). A dataset made with another seed or scale
    is never overwritten: :class:`SpecimenMismatch` says how to regenerate it.

    Returns
    -------
    pathlib.Path
        The folder holding one sub-folder per dataset.
    """
    from casebook.specimen import DATASETS, write_specimen

    scale = _default_scale() if scale is None else float(scale)
    root = paths.specimen_dir()
    missing, other = [], []
    for name in DATASETS:
        truth = root / name / "ground_truth.json"
        if not truth.is_file():
            missing.append(name)
            continue
        made = json.loads(truth.read_text(encoding="utf-8"))
        if (made.get("seed"), float(made.get("scale", -1))) != (seed, scale):
            other.append(f"{name} (seed {made.get('seed')}, scale {made.get('scale')})")
    if other:
        raise SpecimenMismatch(
            f"the specimen folder holds {', '.join(other)}; the workshop needs seed {seed}, "
            f"scale {scale:g}",
            hint=f"regenerate it with `casebook specimen --seed {seed} --scale {scale:g}`, "
            "or set CASEBOOK_DATA_DIR to another folder",
        )
    if missing:
        write_specimen(root, seed=seed, scale=scale, datasets=missing)
    return root


def load(dataset: str) -> Any:
    """A specimen dataset as a :class:`casebook.Release` (specimen generated if missing)."""
    from casebook import load_release

    return load_release(ensure_specimen() / dataset)


# --------------------------------------------------------------------------- grading helpers


class _Context:
    """Ground truth and releases of one specimen folder, loaded once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._truths: dict[str, dict[str, Any]] = {}

    def truth(self, dataset: str) -> dict[str, Any]:
        if dataset not in self._truths:
            path = self.root / dataset / "ground_truth.json"
            self._truths[dataset] = json.loads(path.read_text(encoding="utf-8"))
        return self._truths[dataset]

    def release(self, dataset: str) -> Any:
        return _load_release(str(self.root / dataset))


@functools.lru_cache(maxsize=8)
def _load_release(folder: str) -> Any:
    from casebook import load_release

    return load_release(folder)


@functools.lru_cache(maxsize=4)
def _control_flags(folder: str, window: str) -> pd.DataFrame:
    """Control accounts linked by each kind at weight >= 1: ``kind, flagged, accounts``."""
    import pandas as pd

    from casebook.coordination import DEFAULT_KINDS, networks

    control = _load_release(folder)
    edges = networks(control, kinds=DEFAULT_KINDS, window=window, min_weight=1)
    linked = pd.concat([edges[["kind", "source"]].set_axis(["kind", "userid"], axis=1),
                        edges[["kind", "target"]].set_axis(["kind", "userid"], axis=1)])
    flagged = linked.drop_duplicates().groupby("kind").size()
    return (pd.DataFrame({"kind": list(DEFAULT_KINDS)})
            .assign(flagged=lambda d: d["kind"].map(flagged).fillna(0).astype("int64"),
                    accounts=int(control.tweets["userid"].nunique())))


def _as_strings(answer: Any) -> list[str] | None:
    """A collection of ids/names as strings; None when ``answer`` is not a collection."""
    import numpy as np
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        for column in ("userid", "user_screen_name", "account"):
            if column in answer:
                answer = answer[column]
                break
        else:
            if answer.shape[1] != 1:
                return None
            answer = answer.iloc[:, 0]
    if isinstance(answer, str | bytes) or not isinstance(
            answer, Iterable | pd.Series | pd.Index | np.ndarray):
        return None
    values = pd.Series(list(answer), dtype="object").dropna()
    return [str(v).strip() for v in values]


def _account_ids(answer: Any, release: Any) -> tuple[set[str], int, int] | None:
    """(userids, entries, entries that are no account of the release); screen names and
    ``@handles`` are mapped to userids."""
    values = _as_strings(answer)
    if values is None:
        return None
    users = release.users
    ids = set(users["userid"].astype(str))
    names = (users.dropna(subset=["user_screen_name"])
             .assign(key=lambda d: d["user_screen_name"].astype(str).str.casefold())
             .drop_duplicates("key").set_index("key")["userid"].astype(str))
    found: set[str] = set()
    unknown = 0
    for value in dict.fromkeys(values):  # the answer's entries (a few hundred at most)
        if value in ids:
            found.add(value)
        elif value.lstrip("@").casefold() in names.index:
            found.add(names[value.lstrip("@").casefold()])
        else:
            unknown += 1
    return found, len(dict.fromkeys(values)), unknown


def _ids(value: Any) -> list[str]:
    """Ground-truth accounts: one id or a list of ids."""
    return [str(value)] if isinstance(value, str | int) else [str(v) for v in value]


def _pr(found: set[str], truth: set[str], unknown: int) -> tuple[float, float, int]:
    hits = len(found & truth)
    recall = hits / len(truth) if truth else 1.0
    answered = len(found) + unknown
    precision = hits / answered if answered else 0.0
    return recall, precision, hits


def _accounts_expected(exercise: str) -> CheckResult:
    return CheckResult(exercise, "wrong", "Expected a collection of accounts (a list, a Series "
                       "or a DataFrame with a userid column), not a single value.")


# --------------------------------------------------------------------------- graders


def _grade_debate(answer: Any, ctx: _Context) -> CheckResult:
    ex = "debate_accounts"
    release = ctx.release("iran_202012")
    truth = set(_ids(ctx.truth("iran_202012")["planted"]["debate_accounts"]))
    parsed = _account_ids(answer, release)
    if parsed is None:
        return _accounts_expected(ex)
    found, n, unknown = parsed
    recall, precision, hits = _pr(found, truth, unknown)
    if recall >= 0.9 and precision >= 0.9:
        return CheckResult(ex, "right", (
            f"Your {n} accounts include {recall:.0%} of the accounts planted on the debate "
            f"(precision {precision:.0%}). They posted during the 90 minutes of the debate, "
            "which the archive records in UTC: 01:00-02:30 on 30 September 2020. Twitter had "
            "already removed 130 such accounts on FBI information."))
    notes = []
    if unknown:
        notes.append(f"{unknown} of your {n} entries are not accounts of iran_202012 "
                     "(give userids or screen names).")
    if precision < 0.9:
        notes.append(f"{n - hits} of your {n} accounts did not post during the debate "
                     f"(precision {precision:.0%}): is your window only the 90 minutes of "
                     "the debate, converted to UTC? A whole day also catches accounts that "
                     "post around the clock.")
    if recall < 0.9:
        notes.append(f"You have {hits} of the accounts that did (recall {recall:.0%}): "
                     "check that the window is in UTC (the debate began at 21:00 US Eastern, "
                     "UTC-4 in September) and that both ends are included.")
    return CheckResult(ex, "wrong", " ".join(notes))


_OFFICIAL_PERSONAS = ("foreign_minister", "ministry_spokesperson")


def _grade_impersonators(answer: Any, ctx: _Context) -> CheckResult:
    ex = "official_impersonators"
    release = ctx.release("armenia_202012")
    personas = ctx.truth("armenia_202012")["planted"]["impersonator_accounts"]
    truth = {a for p in personas if p["persona"] in _OFFICIAL_PERSONAS for a in _ids(p["account"])}
    outlets = {a for p in personas if p["persona"] not in _OFFICIAL_PERSONAS
               for a in _ids(p["account"])}
    parsed = _account_ids(answer, release)
    if parsed is None:
        return _accounts_expected(ex)
    found, n, unknown = parsed
    recall, precision, hits = _pr(found, truth, unknown)
    if recall == 1.0 and precision >= 0.6:
        return CheckResult(ex, "right", (
            f"{'Both' if len(truth) == 2 else f'All {len(truth)}'} official impersonators "
            f"found (precision {precision:.0%}): "
            "one poses as Azerbaijan's foreign minister (an older account that changed its "
            "handle in 2020), one as the foreign ministry's spokesperson. Their profiles "
            "mix official titles with Azerbaijani places."))
    notes = []
    as_outlets = len(found & outlets)
    if as_outlets:
        notes.append(f"{as_outlets} of your accounts pose as news outlets, not officials.")
    if unknown:
        notes.append(f"{unknown} of your entries are not accounts of armenia_202012.")
    if recall < 1.0:
        missed_hashed = any(not str(a).isdigit() for a in truth - found)
        notes.append(f"You found {hits} of the {len(truth)} official impersonators."
                     + (" A hashed account's name is a hash: read its description."
                        if missed_hashed else ""))
    if precision < 0.6 and not as_outlets:
        notes.append(f"Only {hits} of your {n} accounts pose as officials.")
    notes.append("Hint: casebook.accounts.persona_signals(users) reads names, handles and "
                 "descriptions in several languages.")
    return CheckResult(ex, "wrong", " ".join(notes))


_KIND_ALIASES = {"retweet": "co_retweet", "tweet": "co_tweet", "text": "co_tweet",
                 "link": "co_link", "url": "co_link", "domain": "co_domain",
                 "hashtag": "co_hashtag", "mention": "co_mention", "reply": "co_reply",
                 "similar_text": "near_duplicate", "near_duplicates": "near_duplicate",
                 "post": "co_post"}


def _kind_name(value: str) -> str:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    return _KIND_ALIASES.get(key, _KIND_ALIASES.get(key.removeprefix("co_"), key))


def _grade_control(answer: Any, ctx: _Context) -> CheckResult:
    from casebook.coordination import KINDS

    ex = "control_signal"
    values = [answer] if isinstance(answer, str) else _as_strings(answer)
    if not values:
        return CheckResult(ex, "wrong", "Expected a kind name such as 'co_link' "
                           "(or a list of them).")
    kinds = [_kind_name(v) for v in values]
    unknown = [v for v, k in zip(values, kinds, strict=True) if k not in KINDS]
    if unknown:
        return CheckResult(ex, "wrong", f"{unknown} are not coordination kinds; choose from "
                           f"{', '.join(KINDS)}.")
    if "co_post" in kinds:
        return CheckResult(ex, "wrong", "co_post links any two tweets in the same window: it "
                           "is the null baseline every signal is compared with, not a signal.")
    flags = _control_flags(str(ctx.root / "control"), "1min").set_index("kind")
    flagging = set(flags.index[flags["flagged"] > 0])
    right = [k for k in dict.fromkeys(kinds) if k in flagging]
    wrong = [k for k in dict.fromkeys(kinds) if k not in flagging]
    total = int(flags["accounts"].iloc[0])
    if wrong:
        return CheckResult(ex, "wrong", (
            f"{', '.join(wrong)} links no control account at weight 1. Hint: compute the "
            "networks of the control cohort with every edge kept (min_weight=1), e.g. with "
            "casebook.coordination.calibrate, and look at which kinds flag ordinary accounts."))
    detail = "; ".join(f"{k} links {flags.loc[k, 'flagged']} of the {total} control accounts"
                       for k in right)
    more = len(flagging) - len(right)
    return CheckResult(ex, "right", (
        f"{detail}. Ordinary people use the same popular hashtags and retweet the same viral "
        "tweets within minutes of each other, so these signals need a weight threshold "
        "calibrated on the control before they mean coordination."
        + (f" {more} more kind(s) also flag control accounts." if more else "")))


def _grade_share(answer: Any, ctx: _Context) -> CheckResult:
    import numpy as np
    import pandas as pd

    ex = "top_account_share"
    truth = float(ctx.truth("iran_202012")["shares"]["top_account"])
    if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray) and np.size(answer) == 1:
        answer = np.asarray(answer).ravel()[0]
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
        return CheckResult(ex, "wrong", "Expected one number: a share between 0 and 1.")
    value = float(answer)
    note = ""
    if 1 < value <= 100:
        value, note = value / 100, " (read as a percentage)"
    if not np.isfinite(value) or not 0 <= value <= 1:
        return CheckResult(ex, "wrong", "A share lies between 0 and 1.")
    if abs(value - truth) <= 0.005:
        return CheckResult(ex, "right", (
            f"{value:.1%}{note} of the tweets come from one account, the Spanish-language "
            "broadcaster persona, as in the real release (302,648 of 560,571 tweets). A "
            "case that ignores this describes one account, not the network."))
    accounts = ctx.truth("iran_202012")["counts"]["accounts"]
    if abs(value - 1 / accounts) < 0.002:
        return CheckResult(ex, "wrong", f"{value:.2%}{note} is one account out of "
                           f"{accounts}: the question asks for its share of the tweets.")
    direction = "too low" if value < truth else "too high"
    return CheckResult(ex, "wrong", (
        f"{value:.1%}{note} is {direction}. Hint: count the tweets of each userid, take the "
        "largest count and divide by all tweets of the release "
        "(casebook.accounts.concentration does it)."))


_OFFSET = re.compile(r"^\s*(?:utc|gmt)?\s*([+\-\u2212])?\s*(\d{1,2})(?:[:h]?(\d{2}))?\s*$", re.I)


def _offset_hours(answer: Any) -> float | None:
    """An offset answer in hours, or None when it is not one."""
    import numpy as np
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        if "utc_offset" not in answer.columns or len(answer) != 1:
            return None
        answer = answer["utc_offset"].iloc[0]
    if isinstance(answer, pd.Series | np.ndarray) and np.size(answer) == 1:
        answer = np.asarray(answer).ravel()[0]
    if isinstance(answer, timedelta | pd.Timedelta):
        return pd.Timedelta(answer) / pd.Timedelta(hours=1)
    if isinstance(answer, str):
        m = _OFFSET.match(answer)
        if m is None:
            return None
        sign = -1 if m.group(1) in ("-", "\u2212") else 1
        return sign * (int(m.group(2)) + int(m.group(3) or 0) / 60)
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
        return None
    value = float(answer)
    return value if np.isfinite(value) else None


def _grade_offset(answer: Any, ctx: _Context) -> CheckResult:
    ex = "operator_offset"
    truth = float(ctx.truth("iran_202012")["planted"]["operator_utc_offset_hours"])
    value = _offset_hours(answer)
    if value is None:
        return CheckResult(ex, "wrong", "Expected a UTC offset: hours such as 2 or -5.5, or a "
                           "string such as '+02:00'.")
    label = f"UTC{'+' if value >= 0 else '-'}{int(abs(value)):02d}:{round(abs(value) % 1 * 60):02d}"
    if abs(value - truth) < 1 / 120:
        return CheckResult(ex, "right", (
            f"{label}: the tweets fill a 09:00-18:00 working week on Tehran's clock. Few "
            "places keep a half-hour offset (Iran, Afghanistan at +4:30, India at +5:30, "
            "Newfoundland at -3:30), so here the clock itself points to Iran. It is one "
            "signal among several: the offset is read against an assumed working day, and "
            "offsets 30 minutes apart score almost as well (see margin and confidence)."))
    if abs(value + truth) < 1 / 120:
        return CheckResult(ex, "wrong", (
            f"{label} has the wrong sign. Local time = UTC + offset: a working day that "
            "starts before 09:00 UTC belongs to a place east of Greenwich."))
    if abs(value - truth) <= 1:
        return CheckResult(ex, "wrong", (
            f"{label} is close. Offsets 30 minutes apart score almost alike: compare the "
            "office-hours share of the candidates (casebook.activity.offset_scores) instead "
            "of reading the peak hour off a chart."))
    return CheckResult(ex, "wrong", (
        f"{label} is far off. Hint: casebook.activity.infer_utc_offset tries every offset "
        "and keeps the one that puts most tweets inside office hours."))


#: The exercises, by id, in the order of the notebook.
EXERCISES: dict[str, Exercise] = {e.id: e for e in [
    Exercise("debate_accounts", "iran_202012",
             "Which accounts were active during the first 2020 presidential debate?",
             "The debate ran 21:00-22:30 US Eastern on 29 September 2020; the archive's clock "
             "is UTC. casebook.activity.accounts_active_in filters a time window.",
             _grade_debate),
    Exercise("official_impersonators", "armenia_202012",
             "Which accounts impersonate Azerbaijani officials?",
             "Officials, not news outlets. casebook.accounts.persona_signals reads profiles "
             "in several languages.",
             _grade_impersonators),
    Exercise("control_signal", "control",
             "Which coordination signal would also flag ordinary (control) accounts?",
             "Compute the control cohort's networks with every edge kept (min_weight=1), "
             "e.g. casebook.coordination.calibrate(release, control, min_weight=1).",
             _grade_control),
    Exercise("top_account_share", "iran_202012",
             "What share of the Iran network's tweets comes from one account?",
             "casebook.accounts.concentration or casebook.accounts.top_accounts.",
             _grade_share),
    Exercise("operator_offset", "iran_202012",
             "Which UTC offset does the Iran network's working day point to?",
             "The archive's clock is UTC. casebook.activity.infer_utc_offset scores every "
             "offset by the share of tweets in office hours (09:00-18:00 local, Monday to "
             "Friday).",
             _grade_offset),
]}


def exercises() -> pd.DataFrame:
    """The exercises: ``id, dataset, question``."""
    import pandas as pd

    return pd.DataFrame([{"id": e.id, "dataset": e.dataset, "question": e.question}
                         for e in EXERCISES.values()])


def grade(exercise: str, answer: Any, *, specimen: str | Path | None = None) -> CheckResult:
    """Grade ``answer`` to ``exercise`` (see :func:`check`, which prints the result).

    Parameters
    ----------
    exercise
        An id of :data:`EXERCISES`.
    answer
        The answer; ``None`` means not answered yet.
    specimen
        The specimen folder; default :func:`ensure_specimen`.
    """
    if exercise not in EXERCISES:
        raise KeyError(f"no exercise {exercise!r}; choose from {', '.join(EXERCISES)}")
    spec = EXERCISES[exercise]
    if answer is None:
        return CheckResult(exercise, "unanswered",
                           f"Put your answer in `answer` and run this cell again. Hint: "
                           f"{spec.hint}")
    root = ensure_specimen() if specimen is None else Path(specimen)
    return spec.grader(answer, _Context(root))


def check(exercise: str, answer: Any, *, specimen: str | Path | None = None) -> None:
    """Print whether ``answer`` to ``exercise`` is right and why, or a hint.

    Examples
    --------
    >>> check("top_account_share", None)  # doctest: +ELLIPSIS
    [top_account_share] Not answered yet. Put your answer in `answer` and run this cell ...
    """
    print(grade(exercise, answer, specimen=specimen))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``casebook workshop`` takes no options; this sets its description."""
    parser.description = (
        "Generate the workshop specimen (seed 0, the default scale) in data/specimen if "
        "any dataset is missing. A specimen made with another seed or scale is never "
        "overwritten: the command fails and says how to regenerate it."
    )


def run(args: argparse.Namespace) -> int:
    """``casebook workshop``: make sure the workshop specimen exists.

    Raises
    ------
    SpecimenMismatch
        The folder holds a specimen made with another seed or scale (exit status 1).
    """
    print(f"workshop specimen ready in {ensure_specimen()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m casebook.workshop``: the same as ``casebook workshop``."""
    from casebook import cli

    return cli.main(["workshop", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

