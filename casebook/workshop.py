"""Workshop helpers: the specimen the notebooks use, and the checks of the exercises.

``notebooks/workshop/01_exercises.ipynb`` asks questions about the specimen; each has an
answer cell (``answer = None``) followed by ``casebook.workshop.check("<id>", answer)``,
which prints whether the answer is right and why, or a hint when it is not, without
giving the answer away. Answers are compared with the specimen's ``ground_truth.json``
or, for every question about the method, with what casebook's own functions give on the
specimen in use (never with numbers that only hold for one seed), tolerantly where that
makes sense (sets of accounts are graded by recall and precision; shares by an absolute
tolerance; offsets against the set the method reports).

Exercises (:data:`EXERCISES`)
-----------------------------
``debate_accounts``
    The Iran accounts active during the first 2020 US presidential debate
    (30 Sep 2020, 01:00-02:30 UTC). A collection of userids or screen names.
``official_impersonators``
    The Armenia accounts posing as Azerbaijani officials (not as news outlets).
``top_account_share``
    The share of the Iran network's tweets posted by its most active account
    (a fraction; a percentage above 1 is read as percent).
``control_signal``
    Every coordination kind that links ordinary accounts of the control cohort when
    every edge counts (``min_weight=1``, 1-minute window): graded against
    :func:`casebook.coordination.calibrate`; the feedback explains, with the chance
    replicates' and the control's numbers, why thresholds come from shuffled timings.
``link_evidence``
    The heaviest ``co_tweet`` link of the Iran network: how many texts its two accounts
    share and at most how many minutes apart (a pair ``(texts, minutes)``, a dict with
    those keys, or the :func:`casebook.coordination.edge_evidence` table).
``operator_offset``
    The UTC offsets the Iran network's working day fits on its own working week
    (Saturday-Wednesday): one offset, a range ``(low, high)`` or ``"+02:30 to +04:30"``,
    a set of offsets, or the table of :func:`casebook.activity.infer_utc_offset`. Right
    when it lies within the offsets the method reports as consistent.
``not_distinctive``
    The claims of the Iran and GRU ledgers that a stricter reader would not call
    distinctive: the network must be :data:`STRICT_CONTRAST` times ordinary accounts
    (verdict ``not distinctive`` of :func:`casebook.claims.evaluate_claims` with
    ``control=`` and ``min_contrast=STRICT_CONTRAST``): claim ids, or ledger rows.

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

    def folder(self, dataset: str) -> str:
        return str(self.root / dataset)

    def release(self, dataset: str) -> Any:
        return _load_release(self.folder(dataset))


@functools.lru_cache(maxsize=8)
def _load_release(folder: str) -> Any:
    from casebook import load_release

    return load_release(folder)


# Settings of the method the exercises ask about: the case notebooks' defaults.
_WINDOW = "1min"
_NULL_FPR = 0.01  #: share of accounts chance may flag, all kinds together
_CONTROL_FPR = 0.01  #: share of control accounts a threshold may flag
_OPERATION = "iran_202012"  #: the release the method exercises are about
_LEDGER_DATASETS = ("iran_202012", "GRU_202012")


@functools.lru_cache(maxsize=4)
def _weight_one(folder: str, control: str) -> pd.DataFrame:
    """:func:`casebook.coordination.calibrate` with every edge kept: per kind and cohort
    (operation, its chance replicates, control) the accounts linked at weight 1, and each
    kind's null and control thresholds."""
    from casebook.coordination import calibrate

    return calibrate(_load_release(folder), _load_release(control), window=_WINDOW,
                     min_weight=1, fpr=_CONTROL_FPR, null_fpr=_NULL_FPR)


@functools.lru_cache(maxsize=4)
def _heaviest_links(folder: str, kind: str) -> pd.DataFrame:
    """The heaviest directed edges of ``kind`` (ties kept, library order), each with what
    its evidence holds: ``texts`` (distinct keys), ``gap_minutes`` (largest time
    difference), ``days``, ``first``, ``last`` and an ``example`` text."""
    from casebook.coordination import networks

    edges, evidence = networks(_load_release(folder), kinds=[kind], window=_WINDOW,
                               evidence=True)
    if edges.empty:
        return edges.assign(texts=0, gap_minutes=0.0, days=0)
    top = edges[edges["weight"] == edges["weight"].max()]
    summary = (evidence.assign(gap=evidence["dt_seconds"].abs() / 60,
                               day=evidence["source_time"].dt.floor("D"))
               .groupby(["source", "target"], sort=False)
               .agg(texts=("key", "nunique"), gap_minutes=("gap", "max"),
                    days=("day", "nunique"), first=("source_time", "min"),
                    last=("source_time", "max"), example=("source_text", "first")))
    return top.merge(summary.reset_index(), on=["source", "target"], how="left").pipe(
        lambda d: d.assign(texts=d["texts"].astype("int64"), days=d["days"].astype("int64")))


@functools.lru_cache(maxsize=16)
def _link_pvalue(folder: str, source: str, target: str, kind: str) -> tuple[float, float]:
    """Expected weight and p-value of one edge under the day-stratified key shuffle."""
    import pandas as pd

    from casebook.coordination import coordination_network, edge_pvalues

    release = _load_release(folder)
    edges = coordination_network(release, kind=kind, window=_WINDOW)
    edge = edges[(edges["source"] == source) & (edges["target"] == target)]
    if edge.empty:  # not an edge of this release: nothing to compare
        return float("nan"), float("nan")
    row = edge_pvalues(release, pd.DataFrame(edge), kind=kind, window=_WINDOW).iloc[0]
    return float(row["expected_weight"]), float(row["p_value"])


@functools.lru_cache(maxsize=4)
def _utc_offsets(folder: str, workweek: str) -> pd.DataFrame:
    from casebook.activity import infer_utc_offset

    return infer_utc_offset(_load_release(folder).tweets, workweek=workweek)


#: How many times ordinary accounts' value the stricter reader of exercise 7 asks of a
#: distinctive claim (the ledger's default is :data:`casebook.evidence.MIN_CONTRAST`).
STRICT_CONTRAST = 10.0


@functools.lru_cache(maxsize=4)
def _ledger(folders: tuple[str, ...], control: str, **params: Any) -> pd.DataFrame:
    """The claims ledgers of ``folders``, each rule also run on the control cohort."""
    import pandas as pd

    from casebook.claims import evaluate_claims

    cohort = _load_release(control)
    return pd.concat([evaluate_claims(_load_release(f), control=cohort, **params)
                      .assign(dataset=Path(f).name) for f in folders], ignore_index=True)


@functools.lru_cache(maxsize=4)
def _debate_nights(folder: str) -> pd.DataFrame:
    """The debate's 90 minutes and the same minutes of the month's other covered nights."""
    from casebook.claims import debate_windows

    windows = debate_windows(_load_release(folder).tweets, widen="0min")
    return windows[windows["covered"]]


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
            "already removed 130 such accounts on FBI information."
            + _debate_baseline(ctx)))
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


def _debate_baseline(ctx: _Context) -> str:
    """How the debate's 90 minutes compare with the same minutes of the other nights, for
    the network and for ordinary accounts (the control cohort)."""
    nights = _debate_nights(ctx.folder("iran_202012"))
    night, matched = nights[nights["debate"]], nights[~nights["debate"]]
    if night.empty or matched.empty:
        return ""
    said = (f" Being active then means something only against other nights: the same 90 "
            f"minutes of the {len(matched)} other nights of the month had "
            f"{matched['accounts'].mean():.1f} active accounts and "
            f"{matched['tweets'].mean():.1f} tweets on average, against "
            f"{int(night['accounts'].iloc[0])} and {int(night['tweets'].iloc[0]):,} that "
            "night (casebook.claims.debate_windows; the ledger's debate claim tests it).")
    return said + _debate_control(ctx, _rate_ratio(night, matched))


def _rate_ratio(night: pd.DataFrame, matched: pd.DataFrame) -> float:
    mean = float(matched["tweets"].mean())
    tweets = float(night["tweets"].iloc[0])
    return tweets / mean if mean > 0 else (float("inf") if tweets else 0.0)


def _debate_control(ctx: _Context, ratio: float) -> str:
    """What ordinary accounts (the control cohort) did in the same 90 minutes."""
    from casebook.evidence import MIN_CONTRAST

    folder = Path(ctx.folder("control"))
    if not folder.is_dir():
        return ""
    nights = _debate_nights(str(folder))
    night, matched = nights[nights["debate"]], nights[~nights["debate"]]
    if night.empty or matched.empty:
        return ""
    theirs = _rate_ratio(night, matched)
    how = ("Ordinary accounts surge that night too" if theirs >= MIN_CONTRAST
           else "Ordinary accounts barely change that night")
    return (f" {how}: in the control cohort {int(night['accounts'].iloc[0])} accounts "
            f"posted {int(night['tweets'].iloc[0]):,} tweets in those 90 minutes, against "
            f"{matched['tweets'].mean():.1f} tweets from {matched['accounts'].mean():.1f} "
            f"accounts on the other nights (rate ratio {theirs:.1f}, against {ratio:.1f} "
            "for the network): being active during a debate is ordinary; what can set "
            "the network apart is a surge well beyond theirs.")


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
            "broadcaster persona, as in the real release (302,648 of 560,571 tweets, as the "
            "Stanford Internet Observatory's analysis of the February 2021 takedowns "
            "counted them). A "
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


_NONE = {"", "none", "nothing", "no kind", "no kinds", "no claim", "no claims"}


def _is_none_answer(answer: Any) -> bool:
    return isinstance(answer, str) and answer.strip().lower() in _NONE


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _control_explanation(op: pd.DataFrame, null: pd.DataFrame, ctl: pd.DataFrame,
                         flagging: list[str]) -> str:
    """Why thresholds come from shuffled timings, told with the library's numbers."""
    import pandas as pd

    n_ctl, n_op = int(ctl["accounts"].iloc[0]), int(op["accounts"].iloc[0])
    linked = _join([f"{k} ({int(ctl.loc[k, 'flagged_accounts'])} of {n_ctl})" if i == 0
                    else f"{k} ({int(ctl.loc[k, 'flagged_accounts'])})"
                    for i, k in enumerate(flagging)])
    by_chance = null["flagged_share"].astype(float).sort_values(ascending=False, kind="stable")
    by_chance = by_chance[by_chance > 0].head(3)
    control_thr = pd.to_numeric(ctl["control_threshold"], errors="coerce").fillna(1)
    applied = pd.concat([null["null_threshold"].astype(float), control_thr], axis=1).max(axis=1)
    raised = [k for k in applied.index if control_thr[k] > null.loc[k, "null_threshold"]]
    text = (
        f" At weight 1 ordinary accounts are linked by {linked}: they retweet the same viral "
        "post and use the same event hashtag within a minute of each other, so one shared "
        "minute is no evidence of coordination. The thresholds therefore come from the "
        "operation's own tweets with their timing shuffled: every Iran tweet moved by whole "
        "days keeps each account's volume, hours and keys and breaks only who posts in the "
        "same minute as whom.")
    if len(by_chance):
        text += (" On those shuffles weight 1 already links "
                 + _join([f"{share:.0%} of Iran's {n_op} accounts by {k}" if i == 0
                          else f"{share:.0%} by {k}"
                          for i, (k, share) in enumerate(by_chance.items())]) + ".")
    text += (f" Each kind's threshold is the weight that chance reaches for under "
             f"{_NULL_FPR:.0%} of the accounts, all kinds together ("
             + ", ".join(f"{k} {int(applied[k])}" for k in applied.index) + ").")
    text += (" The case notebooks refine this rule: busy accounts meet others by chance more "
             "often, so they set one threshold per activity quartile (higher for the busiest "
             "accounts), and add a rule for trios of accounts that act together across kinds; "
             "their thresholds differ from these for that reason.")
    text += (" The control cohort is a second check, not the calibration (its accounts, "
             "volumes and topics are not the operation's): it raises a threshold that "
             "ordinary accounts would still pass"
             + (" (" + _join([f"{k}: from {int(null.loc[k, 'null_threshold'])} to "
                              f"{int(applied[k])}" for k in raised]) + ")."
                if raised else ", which none needed here."))
    return text


def _grade_control(answer: Any, ctx: _Context) -> CheckResult:
    from casebook.coordination import KINDS

    ex = "control_signal"
    if _is_none_answer(answer):
        values: list[str] | None = []
    else:
        values = [answer] if isinstance(answer, str) else _as_strings(answer)
    if values is None:
        return CheckResult(ex, "wrong", "Expected kind names such as ['co_link', 'co_reply'] "
                           "(a list).")
    kinds = list(dict.fromkeys(_kind_name(v) for v in values))
    unknown = [v for v in values if _kind_name(v) not in KINDS]
    if unknown:
        return CheckResult(ex, "wrong", f"{unknown} are not coordination kinds; choose from "
                           f"{', '.join(KINDS)}.")
    if "co_post" in kinds:
        return CheckResult(ex, "wrong", "co_post links any two tweets in the same window: it "
                           "is the baseline every signal is compared with, not a signal.")
    table = _weight_one(ctx.folder(_OPERATION), ctx.folder("control"))
    op, null, ctl = (table[table["cohort"] == c].set_index("kind")
                     for c in ("operation", "null", "control"))
    flagging = [k for k in ctl.index if ctl.loc[k, "flagged_accounts"] > 0]
    wrong = [k for k in kinds if k not in flagging]
    missing = [k for k in flagging if k not in kinds]
    if wrong:
        return CheckResult(ex, "wrong", (
            f"{_join(wrong)} {'links' if len(wrong) == 1 else 'link'} no control account at "
            "weight 1. Hint: keep every edge of the control cohort (min_weight=1), e.g. "
            "casebook.coordination.calibrate(iran, control, min_weight=1), and read its "
            "'control' rows."))
    if not kinds and flagging:
        return CheckResult(ex, "wrong", (
            "At the calibrated thresholds no kind flags an ordinary account: that is what "
            "calibrating is for. The question keeps every edge (min_weight=1): there, "
            f"{len(flagging)} kinds link control accounts."))
    if missing:
        return CheckResult(ex, "wrong", (
            f"{_join(kinds)} {'does' if len(kinds) == 1 else 'do'} link control accounts, "
            f"but {len(missing)} more kind{'s' if len(missing) > 1 else ''} "
            f"{'do' if len(missing) > 1 else 'does'} too at weight 1. Compute every kind "
            "(casebook.coordination.DEFAULT_KINDS, text similarity included) with "
            "min_weight=1."))
    if not flagging:
        return CheckResult(ex, "right", "No kind links two ordinary accounts at weight 1 "
                           "in this control cohort.")
    return CheckResult(ex, "right", _control_explanation(op, null, ctl, flagging).strip())


_LINK_KIND = "co_tweet"


def _texts_minutes(answer: Any) -> tuple[float, float] | None:
    """``(texts, minutes)`` from a pair or a dict with keys naming texts and minutes."""
    import numpy as np

    if isinstance(answer, dict):
        texts = [v for k, v in answer.items() if "text" in str(k).lower()]
        minutes = [v for k, v in answer.items() if "minute" in str(k).lower()]
        if len(texts) != 1 or len(minutes) != 1:
            return None
        answer = (texts[0], minutes[0])
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return None
    if any(isinstance(v, bool) or not isinstance(v, int | float | np.number) for v in answer):
        return None
    texts, minutes = (float(v) for v in answer)
    return (texts, minutes) if np.isfinite(texts) and np.isfinite(minutes) else None


def _link_story(link: Any, ctx: _Context) -> str:
    """What the evidence of one link shows, and how it compares with chance."""
    import numpy as np

    from casebook.safety import defang_url

    texts, gap, days = int(link["texts"]), float(link["gap_minutes"]), int(link["days"])
    example = defang_url(" ".join(str(link["example"]).split()))  # inert, as in the reports
    example = example if len(example) <= 70 else example[:69] + "\u2026"
    when = ("in the same minute" if gap == 0
            else f"at most {gap:g} minute{'s' if gap != 1 else ''} apart")
    span = (f"on {days} different days from {link['first']:%d %b %Y} to {link['last']:%d %b %Y}"
            if days > 1 else f"on {link['first']:%d %b %Y}")
    expected, pvalue = _link_pvalue(ctx.folder(_OPERATION), str(link["source"]),
                                    str(link["target"]), _LINK_KIND)
    story = (
        f"The two accounts posted the same {texts} text{'s' if texts != 1 else ''} word for "
        f"word (e.g. \u201c{example}\u201d), each time {when}, {span}. A gap of 0 means the "
        "same minute: the archive's clock has no seconds, so it cannot say who posted first, "
        "and the one-minute window allows at most 1. One text shared within a minute can "
        f"be chance; the same {texts} texts, each within a minute"
        f"{', on ' + str(days) + ' days,' if days > 1 else ''} are not likely to be.")
    if np.isfinite(pvalue):
        story += (" Shuffling the texts among each day's tweets "
                  f"(casebook.coordination.edge_pvalues) gives this pair an expected weight of "
                  f"{expected:.2f} against {int(link['weight'])} (p = {pvalue:.2f}).")
    groups = ctx.truth(_OPERATION).get("coordination_groups", [])
    pair = {str(link["source"]), str(link["target"])}
    planted = [g for g in groups if pair <= set(_ids(g["accounts"]))]
    if planted:
        story += (f" The specimen planted both accounts in one group: "
                  f"\u201c{planted[0]['description']}\u201d.")
    return story


def _grade_link(answer: Any, ctx: _Context) -> CheckResult:
    import pandas as pd

    ex = "link_evidence"
    links = _heaviest_links(ctx.folder(_OPERATION), _LINK_KIND)
    if links.empty:
        return CheckResult(ex, "wrong", f"This release has no {_LINK_KIND} link.")
    if isinstance(answer, pd.DataFrame):
        if not {"source", "target"} <= set(answer.columns) or answer.empty:
            return CheckResult(ex, "wrong", "Expected the edge_evidence table of one link "
                               "(source, target, key, dt_seconds...) or (texts, minutes).")
        if "kind" in answer and set(answer["kind"].astype(str)) != {_LINK_KIND}:
            kinds = ", ".join(sorted(set(answer["kind"].astype(str))))
            return CheckResult(ex, "wrong", f"This is the evidence of a {kinds} link; the "
                               f"question is about {_LINK_KIND} (the same text).")
        pairs = {frozenset(p) for p in zip(answer["source"].astype(str),
                                           answer["target"].astype(str), strict=True)}
        if len(pairs) != 1:
            return CheckResult(ex, "wrong", f"The table holds {len(pairs)} links: give the "
                               "evidence of the heaviest one only.")
        pair = next(iter(pairs))
        hit = links[[frozenset(p) == pair for p in zip(links["source"], links["target"],
                                                       strict=True)]]
        if hit.empty:
            return CheckResult(ex, "wrong", (
                "This is not the heaviest co_tweet link: coordination_network(iran, "
                "kind='co_tweet') lists edges heaviest first; take the first row."))
        return CheckResult(ex, "right", _link_story(hit.iloc[0], ctx))
    parsed = _texts_minutes(answer)
    if parsed is None:
        return CheckResult(ex, "wrong", "Expected two numbers, (texts, minutes): the texts "
                           "the two accounts share and the largest gap in minutes (or the "
                           "edge_evidence table).")
    texts, minutes = parsed
    same_texts = links["texts"] == texts
    same_gap = (links["gap_minutes"] - minutes).abs() < 1e-9
    hit = links[same_texts & same_gap]
    if len(hit):
        return CheckResult(ex, "right", _link_story(hit.iloc[0], ctx))
    seconds = same_texts & ((links["gap_minutes"] * 60 - minutes).abs() < 1e-9) & (minutes > 0)
    if seconds.any():
        return CheckResult(ex, "wrong", f"{minutes:g} looks like seconds: dt_seconds is in "
                           "seconds; the question asks for minutes.")
    if same_texts.any():
        return CheckResult(ex, "wrong", (
            f"{texts:g} texts is right, {minutes:g} minutes is not: take the largest "
            "absolute dt_seconds over the link's tweet pairs, in minutes."))
    if ((links["texts"] * 2) == texts).any():
        return CheckResult(ex, "wrong", (
            f"{texts:g} counts each text twice, once per direction (A -> B and B -> A): "
            "count the distinct texts (the key column) of one edge's evidence."))
    if same_gap.any():
        return CheckResult(ex, "wrong", (
            f"The gap is right; {texts:g} texts is not: count the distinct texts (the key "
            "column) of edge_evidence for the heaviest co_tweet edge."))
    return CheckResult(ex, "wrong", (
        "Neither number matches the heaviest co_tweet link. Hint: coordination_network(iran, "
        "kind='co_tweet') lists edges heaviest first; edge_evidence(iran, source, target, "
        "kind='co_tweet') lists the tweet pairs behind one."))


_OFFSET = re.compile(
    r"^\s*(?:utc|gmt)?\s*([+\-\u2212])?\s*(?:(\d{1,2}\.\d+)|(\d{1,2})(?:[:h]?(\d{2}))?)\s*$",
    re.I)
_RANGE_WORDS = re.compile(r"\s+(?:to|\u2013|\u2014|-)\s+|\s*\.\.\s*", re.I)


def _one_offset(value: Any) -> float | None:
    """An offset in hours from a number, a timedelta or a string such as ``UTC+3:30``."""
    import numpy as np
    import pandas as pd

    if isinstance(value, timedelta | pd.Timedelta):
        return pd.Timedelta(value) / pd.Timedelta(hours=1)
    if isinstance(value, str):
        m = _OFFSET.match(value)
        if m is None:
            return None
        sign = -1 if m.group(1) in ("-", "\u2212") else 1
        hours = float(m.group(2)) if m.group(2) else int(m.group(3)) + int(m.group(4) or 0) / 60
        return sign * hours
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _offset_answer(answer: Any) -> tuple[list[tuple[float, float]], Any] | None:
    """The answer as intervals of offsets (a single offset is an interval of one), and
    the row of an :func:`~casebook.activity.infer_utc_offset` table when it is one."""
    import numpy as np
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        if "utc_offset" not in answer.columns or len(answer) != 1:
            return None
        row = answer.iloc[0]
        found = row.get("consistent_offsets", ())
        values = list(found) if isinstance(found, tuple | list) and len(found) else [
            row["utc_offset"]]
        return [(float(v), float(v)) for v in values], row
    if isinstance(answer, pd.Series | pd.Index | np.ndarray):
        answer = list(np.asarray(answer).ravel())
        if len(answer) == 1:
            answer = answer[0]
    if isinstance(answer, str) and (" or " in answer.lower() or _RANGE_WORDS.search(answer)):
        intervals = []
        for run in re.split(r"\s+or\s+", answer.strip(), flags=re.I):
            ends = [_one_offset(p) for p in _RANGE_WORDS.split(run.strip())]
            if not 1 <= len(ends) <= 2 or any(e is None for e in ends):
                return None
            intervals.append((min(ends), max(ends)))
        return intervals, None
    if isinstance(answer, tuple | list):
        values = [_one_offset(v) for v in answer]
        if not values or any(v is None for v in values):
            return None
        if len(values) == 2:  # (low, high): every offset in between
            return [(min(values), max(values))], None
        return [(v, v) for v in values], None
    value = _one_offset(answer)
    return None if value is None else ([(value, value)], None)


def _runs(intervals: Iterable[tuple[float, float]], step: float = 0.5) -> list[tuple[float, float]]:
    """Intervals of offsets merged where at most ``step`` apart (the candidates' step)."""
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(intervals):  # a few dozen candidate offsets at most
        if out and lo - out[-1][1] <= step + 1e-9:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def _inside(interval: tuple[float, float], runs: list[tuple[float, float]]) -> bool:
    return any(lo - 1e-9 <= interval[0] and interval[1] <= hi + 1e-9 for lo, hi in runs)


def _offset_text(intervals: list[tuple[float, float]]) -> str:
    from casebook.activity import format_utc_offset

    return " or ".join(format_utc_offset(lo) if lo == hi
                       else f"{format_utc_offset(lo)} to {format_utc_offset(hi)[3:]}"
                       for lo, hi in intervals)


def _grade_offset(answer: Any, ctx: _Context) -> CheckResult:
    from casebook.catalogue import workweek_of
    from casebook.evidence import INCONCLUSIVE, SUPPORTED

    ex = "operator_offset"
    week = workweek_of(_OPERATION)
    found = _utc_offsets(ctx.folder(_OPERATION), week).iloc[0]
    monfri = _utc_offsets(ctx.folder(_OPERATION), "mon-fri").iloc[0]
    if found["verdict"] != SUPPORTED:  # the method finds no office rhythm here
        said = isinstance(answer, str) and answer.strip().lower() == str(found["verdict"])
        return CheckResult(ex, "right" if said else "wrong", (
            f"On its {found['workweek']} week this release gives '{found['verdict']}': "
            f"{found['reason']}."))
    runs = _runs((o, o) for o in found["consistent_offsets"])
    explanation = (
        f" Scored on Iran's {found['workweek']} week the tweets have a clear office rhythm "
        f"({found['rhythm']}; confidence {found['confidence']:.2f}). The working day is not "
        f"known, and moving it by an hour moves the best offset by an hour ("
        f"{found['conventions']}), so the method reports every offset consistent with the "
        f"data under the working days tried, {found['label']}, and names one offset only when "
        f"that set spans at most an hour. On a Monday-Friday week the same tweets give "
        f"'{monfri['verdict']}': the working week matters as much as the hours.")
    planted = ctx.truth(_OPERATION).get("planted", {})
    if "operator_utc_offset_hours" in planted:
        truth = float(planted["operator_utc_offset_hours"])
        explanation += (
            f" The specimen planted {planted.get('operator_timezone', truth)}, "
            f"{'inside' if _inside((truth, truth), runs) else 'outside'} that set; a "
            "half-hour offset is rare (Iran, Afghanistan, India, Newfoundland), but the set "
            "also holds whole-hour zones, so the clock alone does not single out Iran.")
    if isinstance(answer, str) and answer.strip().lower() == INCONCLUSIVE:
        return CheckResult(ex, "wrong", (
            ("'inconclusive' is what a Monday-Friday week gives. "
             if monfri["verdict"] == INCONCLUSIVE else "The method finds an office rhythm. ")
            + f"Iran's working week runs {found['workweek']} (casebook.catalogue.workweek_of): "
            "score it on that week (infer_utc_offset(..., workweek=...))."))
    parsed = _offset_answer(answer)
    if parsed is None:
        return CheckResult(ex, "wrong", (
            "Expected UTC offsets: hours such as 2 or -5.5, a string such as '+02:00' or "
            "'+01:00 to +02:30', a (low, high) pair, or the table of "
            "casebook.activity.infer_utc_offset."))
    intervals, row = parsed
    if row is not None:
        if "workweek" in row.index and str(row["workweek"]) != str(found["workweek"]):
            return CheckResult(ex, "wrong", (
                f"Your table scores a {row['workweek']} week (verdict '{row.get('verdict')}'). "
                f"Iran's working week runs {found['workweek']} "
                "(casebook.catalogue.workweek_of): pass workweek= to infer_utc_offset."))
        if "verdict" in row.index and row["verdict"] != SUPPORTED:
            return CheckResult(ex, "wrong", (
                f"Your table's verdict is '{row['verdict']}': {row.get('reason', '')}."))
    text = _offset_text(_runs(intervals))
    if all(_inside(i, runs) for i in intervals):
        whole = _runs(intervals) == runs
        head = (f"{text}: every offset the data fit." if whole else
                f"{text} lies within the offsets the data fit, {found['label']}; the finding "
                "is that set, not one offset within it.")
        return CheckResult(ex, "right", head + explanation)
    flipped = [(-hi, -lo) for lo, hi in intervals]
    if all(_inside(i, runs) for i in flipped):
        return CheckResult(ex, "wrong", (
            f"{text} has the wrong sign. Local time = UTC + offset: a working day that starts "
            "before 09:00 UTC belongs to a place east of Greenwich."))
    if any(_inside(i, runs) for i in intervals) or any(
            lo <= run_lo + 1e-9 and run_hi <= hi + 1e-9 for lo, hi in intervals
            for run_lo, run_hi in runs):
        return CheckResult(ex, "wrong", (
            f"Part of {text} lies outside the offsets the data fit. Keep only the offsets "
            "infer_utc_offset reports as consistent under the working days it tries "
            "(consistent_offsets)."))
    distance = min(min(abs(lo - run_hi), abs(hi - run_lo)) for lo, hi in intervals
                   for run_lo, run_hi in runs)
    if distance <= 1 + 1e-9:
        return CheckResult(ex, "wrong", (
            f"{text} is close, but just outside the offsets the data fit. Compare the office "
            "share of every candidate under each working day, on Iran's own working week "
            "(casebook.activity.infer_utc_offset with workweek=), instead of reading the peak "
            "hour off a chart."))
    return CheckResult(ex, "wrong", (
        f"{text} is far off. Hint: casebook.activity.infer_utc_offset tries every offset and "
        "keeps those that put as many tweets inside office hours as the best one."))


def _claim_ids(answer: Any) -> list[str] | None:
    """Claim ids from a string, a collection, or ledger rows (an ``id`` column)."""
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        if "id" not in answer.columns:
            return None
        answer = answer["id"]
    if _is_none_answer(answer):
        return []
    values = [answer] if isinstance(answer, str) else _as_strings(answer)
    if values is None:
        return None
    return list(dict.fromkeys(v.strip().lower().replace("_", "-") for v in values))


def _default_contrast() -> float:
    from casebook.evidence import MIN_CONTRAST

    return MIN_CONTRAST


def _claim_line(row: Any) -> str:
    return (f"{row['id']}: the release gives {row['value']:.3g} and ordinary accounts "
            f"{row['control_value']:.3g}")


def _grade_ledger(answer: Any, ctx: _Context) -> CheckResult:
    from casebook.claims import CLAIMS
    from casebook.evidence import NOT_DISTINCTIVE, SUPPORTED

    ex = "not_distinctive"
    ids = _claim_ids(answer)
    if ids is None:
        return CheckResult(ex, "wrong", "Expected claim ids such as 'iran-debate' (a string "
                           "or a list), or rows of the ledger (an id column).")
    every = {c.id: c for claims in CLAIMS.values() for c in claims}
    unknown = [i for i in ids if i not in every]
    if unknown:
        return CheckResult(ex, "wrong", f"{unknown} are not claim ids: read the ledger's "
                           "id column (e.g. 'iran-debate').")
    ledger = _ledger(tuple(ctx.folder(d) for d in _LEDGER_DATASETS), ctx.folder("control"),
                     min_contrast=STRICT_CONTRAST)
    rows = ledger.set_index("id", drop=False)
    elsewhere = [i for i in ids if i not in rows.index]
    if elsewhere:
        return CheckResult(ex, "wrong", (
            f"{_join(elsewhere)} {'is a claim' if len(elsewhere) == 1 else 'are claims'} "
            f"about another network; the question is about the Iran and GRU ledgers."))
    truth = rows.index[rows["verdict"] == NOT_DISTINCTIVE].tolist()
    extra = [i for i in ids if i not in truth]
    if extra:
        notes = "; ".join(
            f"{i} is '{rows.loc[i, 'verdict']}': on the control its rule gives "
            f"'{rows.loc[i, 'control_verdict']}' ({rows.loc[i, 'control_value']:.3g} against "
            f"{rows.loc[i, 'value']:.3g} on the release)" for i in extra)
        return CheckResult(ex, "wrong", (
            f"{notes}. With min_contrast={STRICT_CONTRAST:g} a distinctive claim must be "
            f"{STRICT_CONTRAST:g} times ordinary accounts in the claim's direction: read the "
            "verdict, value and control_value columns of casebook.claims.evaluate_claims("
            f"release, control=control, min_contrast={STRICT_CONTRAST:g})."))
    missing = [i for i in truth if i not in ids]
    if missing:
        have = (f"{_join(ids)} {'is' if len(ids) == 1 else 'are'} not distinctive, but "
                if ids else "")
        return CheckResult(ex, "wrong", (
            f"{have}{len(missing)} {'more ' if ids else ''}claim"
            f"{'s' if len(missing) > 1 else ''} of these two ledgers "
            f"{'are' if len(missing) > 1 else 'is'} not distinctive. Did you pass control= and "
            f"min_contrast={STRICT_CONTRAST:g} to evaluate_claims for both releases?"))
    if not truth:
        return CheckResult(ex, "right", "No claim of these ledgers is met by ordinary "
                           "accounts too.")
    # why each claim is not distinctive depends on what the default ledger said of it:
    # a descriptive claim is never distinctive, a distinctive one may fail only at 10x
    default = _ledger(tuple(ctx.folder(d) for d in _LEDGER_DATASETS), ctx.folder("control"))
    default = default.set_index("id", drop=False)
    descriptive = [i for i in truth if rows.loc[i, "claim_type"] == "descriptive"]
    stricter = [i for i in truth if i not in descriptive
                and default.loc[i, "verdict"] == SUPPORTED]
    other = [i for i in truth if i not in descriptive and i not in stricter]
    parts = []
    if stricter:
        parts.append(
            "; ".join(_claim_line(rows.loc[i]) for i in stricter)
            + f". {_are(stricter)} supported at the ledger's default (the network at least "
            f"{_default_contrast():g} times ordinary accounts) but not at "
            f"{STRICT_CONTRAST:g} times: ordinary accounts show the same behaviour, only "
            f"less of it{' (on debate night they surge too)' if 'iran-debate' in stricter else ''}"
            "; the evidence column gives the ratio")
    if descriptive:
        parts.append(
            "; ".join(_claim_line(rows.loc[i]) for i in descriptive)
            + f". {_are(descriptive)} descriptive: the rule is true of the release, but "
            "ordinary accounts meet it too (control_verdict 'supported'), so "
            f"{'it is' if len(descriptive) == 1 else 'they are'} 'not distinctive' at any "
            "contrast, the default included")
    if other:
        parts.append("; ".join(
            f"{_claim_line(rows.loc[i])} (at the default: '{default.loc[i, 'verdict']}')"
            for i in other))
    return CheckResult(ex, "right", (
        ". ".join(parts) + ". How much more the network must do before a claim is "
        "'distinctive' is a choice the ledger states ('distinctive from N times' in its "
        "evidence column); a reader who asks for more can set min_contrast and see which "
        "claims still stand."))


def _are(ids: list[str]) -> str:
    return f"{_join(ids)} {'is' if len(ids) == 1 else 'are'}"


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
    Exercise("top_account_share", "iran_202012",
             "What share of the Iran network's tweets comes from one account?",
             "casebook.accounts.concentration or casebook.accounts.top_accounts.",
             _grade_share),
    Exercise("control_signal", "control, iran_202012",
             "Which coordination kinds link ordinary (control) accounts at weight 1?",
             "Keep every edge: casebook.coordination.calibrate(iran, control, min_weight=1) "
             "gives, per kind, the accounts linked at weight 1 in the control cohort "
             "('control' rows) and in Iran's tweets with their timing shuffled ('null' rows).",
             _grade_control),
    Exercise("link_evidence", "iran_202012",
             "What do the two accounts of the heaviest co_tweet link share, and how many "
             "minutes apart?",
             "casebook.coordination.coordination_network(iran, kind='co_tweet') lists edges "
             "heaviest first; casebook.coordination.edge_evidence(iran, source, target, "
             "kind='co_tweet') lists the tweet pairs behind one (key: the shared text; "
             "dt_seconds: target time minus source time).",
             _grade_link),
    Exercise("operator_offset", "iran_202012",
             "Which UTC offsets does the Iran network's working day fit, on its own working "
             "week?",
             "Iran's working week runs Saturday to Wednesday (casebook.catalogue.workweek_of). "
             "casebook.activity.infer_utc_offset(tweets, workweek=...) tries the working days "
             "08-17, 09-18 and 10-19 and reports every offset consistent with the data "
             "(consistent_offsets).",
             _grade_offset),
    Exercise("not_distinctive", "iran_202012, GRU_202012",
             "A stricter reader calls a claim distinctive only when the network is ten times "
             "ordinary accounts. Which claims of the Iran and GRU ledgers are then not "
             "distinctive?",
             "casebook.claims.evaluate_claims(release, control=control, min_contrast=10) "
             "compares every distinctive rule with the ordinary accounts: read the verdict, "
             "value and control_value columns.",
             _grade_ledger),
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

