"""The claims ledger: published claims, written as data, tested on the data and against
ordinary accounts.

A claim restates one published claim in the project's own words, names its source and
the datasets it was made about, and names a **rule type** from :data:`RULE_TYPES` (a
generic check with named, typed parameters: a top account's share of the tweets, the
share of tweets from automation clients, accounts posting on a topic with a hostile
stance, activity in a time window against matched windows...) with the values of its
parameters. Claims live in YAML files, one per case: ``params/claims/<operation>.yaml``
for the built-in cases (:data:`CLAIMS`), any file for a new release
(:func:`load_claims`); ``docs/claims.md`` describes the format and every rule type.
:func:`evaluate_claims` returns one row per claim with the evidence, a verdict in the
words of :mod:`casebook.evidence`, and the same check run on a control cohort of ordinary
accounts.

How a verdict is reached, first that applies:

1. ``not testable with this data``: the claim was made about another dataset of the
   catalogue (the IRA release is not tested against GRU claims), a column the rule
   needs is absent or empty, the data do not cover the period, or the rule needs an
   input that was not given (a coordination result);
2. ``insufficient data``: the rule's own sample is under its stated minimum (the
   ``min_tweets``, ``min_accounts`` or ``min_windows`` parameter of its rule type), or
   the release holds under :data:`casebook.catalogue.MIN_COVERAGE` of the published
   tweets or accounts (:func:`casebook.catalogue.coverage`; the specimen is compared
   with the published counts times its scale);
3. ``inconclusive``: the verdict depends on a convention the data cannot settle (an
   automation share that passes only if multi-account management tools count as
   automation);
4. ``supported`` / ``not supported``: the rule holds or not;
5. ``not distinctive``: the rule holds, but ordinary accounts (the control cohort,
   ``control=``) cannot be told from the operation. For a **distinctive** rule type (one
   that says the operation behaves unlike ordinary accounts: :attr:`RuleType.claim_type`):
   on a size-free measure (a share, the debate's rate ratio) the operation is not
   ``min_contrast`` times (default :data:`casebook.evidence.MIN_CONTRAST`, 2) beyond the
   control in the claim's direction. For a **descriptive** rule type (a share of
   retweets, the year, the clients, engagement, reach: the claim describes the release):
   the control meets the rule too. "Supported" always means distinguishable from
   ordinary accounts: a description true of them as well is true of this release, but
   says nothing that sets it apart.

Every row's evidence ends with what ordinary accounts give (or says that no control
cohort was given).

Parameters are overridden at evaluation by keyword: a rule type's parameter name sets it
on every claim whose rule has it (``min_tweets=50``), and a claim may declare its own
keywords for its parameters (the Iran debate claim maps ``debate_widen`` to its
``widen``), so a notebook parameter reaches the claim it is about.

Examples
--------
>>> ledger = evaluate_claims(release, "iran", control=case.control)  # doctest: +SKIP
>>> mine = load_claims("params/claims/example.yaml")  # doctest: +SKIP
>>> evaluate_claims(release, mine, control=case.control)  # doctest: +SKIP

The ledger is shown with :func:`casebook.report.render_ledger` (presentation lives in
:mod:`casebook.report`; this module only tests). The debate claim's evidence can be
read with :func:`debate_tweets` and seen with :func:`plot_debate_night`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import yaml

from casebook import accounts, activity, catalogue, content, paths
from casebook._frames import ReleaseLike, is_hashed_id, is_list_column, naive, utc
from casebook._plotting import date_axis, draw_events, legend_beside, literal_text, new_ax
from casebook.errors import ParameterError, UsageError
from casebook.evidence import (
    CLAIM_TYPES,
    DESCRIPTIVE,
    DISTINCTIVE,
    INCONCLUSIVE,
    INSUFFICIENT,
    MIN_CONTRAST,
    NOT_DISTINCTIVE,
    NOT_SUPPORTED,
    NOT_TESTABLE,
    SUPPORTED,
    VERDICTS,
    clustered_share_interval,
    contrast,
    interval_contrast,
    null_pvalue,
    share_interval,
    smallest_pvalue,
    strength_words,
    value_in_words,
)
from casebook.schema import STRING, USER_DTYPES

__all__ = [
    "CLAIMS",
    "CLAIM_TYPES",
    "DEBATE_END",
    "DEBATE_START",
    "DEBATE_WIDEN",
    "DESCRIPTIVE",
    "DISTINCTIVE",
    "INCONCLUSIVE",
    "INSUFFICIENT",
    "KINDS",
    "LEDGER_COLUMNS",
    "NOT_DISTINCTIVE",
    "NOT_SUPPORTED",
    "NOT_TESTABLE",
    "OPERATIONS",
    "REQUIRED",
    "RULE_TYPES",
    "SIO",
    "SUPPORTED",
    "TWITTER",
    "VERDICTS",
    "Claim",
    "Outcome",
    "Param",
    "RuleType",
    "builtin_claims_file",
    "debate_tweets",
    "debate_windows",
    "evaluate_claims",
    "load_claims",
    "plot_debate_night",
    "rule_catalogue",
]

TWITTER = "Twitter Safety blog, 23 Feb 2021"
SIO = "Stanford Internet Observatory, Feb 2021"
_DAY = pd.Timedelta("1D")

#: The first 2020 US presidential debate (21:00-22:30 US Eastern on 29 Sep), in UTC, and
#: the margin added on both sides: the defaults of :func:`debate_windows`,
#: :func:`debate_tweets` and :func:`plot_debate_night`, and the values of the Iran debate
#: claim in ``params/claims/iran.yaml`` (a test keeps them equal).
DEBATE_START = "2020-09-30 01:00"
DEBATE_END = "2020-09-30 02:30"
DEBATE_WIDEN = "30min"

#: Operations with a built-in claims file ``params/claims/<operation>.yaml``: ``russia``
#: is the GRU network, ``ira`` the IRA-linked release (both evaluated in the Russia case).
OPERATIONS: tuple[str, ...] = ("iran", "russia", "ira", "armenia")


def _default_lexicons() -> dict[str, content.Lexicon]:
    return {**content.NARRATIVE_LEXICONS, "follow_back": list(accounts.FOLLOWBACK_TERMS)}


@dataclass(frozen=True)
class Outcome:
    """Result of one check: verdict, evidence in words, and the number tested.

    ``brief`` is the result in a few words ("34.0% retweets", "128 accounts, 237 tweets,
    rate ratio 18.4"), shown for ordinary accounts beside the operation's evidence;
    ``measure`` the size-free number a distinctive claim is compared on (a share, a rate
    ratio), ``direction`` +1 when large values are the claim, -1 when small ones are, 0
    when neither (a share "about" a value: then only whether ordinary accounts meet the
    rule too counts). ``interval`` the 95% interval of ``measure`` when it is a share of
    counted accounts (:func:`casebook.evidence.share_interval`) or of tweets counted by
    account (:func:`casebook.evidence.clustered_share_interval`): the comparison then
    allows for the sizes of both cohorts (:func:`casebook.evidence.interval_contrast`).
    """

    verdict: str
    evidence: str
    value: float | None = None
    measure: float | None = None
    brief: str = ""
    direction: int = 1
    interval: tuple[float, float] | None = None


# --------------------------------------------------------------------------- parameters


class _Required:
    """The default of a parameter a claim must give."""

    def __repr__(self) -> str:
        return "required"


#: The default of a parameter every claim of its rule type must give.
REQUIRED: Any = _Required()

#: Parameter kinds: what a claims file may write for each, in words.
KINDS: dict[str, str] = {
    "int": "a whole number, 0 or more",
    "float": "a number",
    "share": "a number from 0 to 1 (0.05 is 5%)",
    "bool": "true or false",
    "text": "a text",
    "texts": "a list of texts (one text is a list of one)",
    "duration": "a duration: 30min, 2h, 14D",
    "time": "a UTC time: '2020-09-30 01:00'",
    "lexicon": ("the name of a lexicon, a list of terms, or {topic: [...], stance: [...]} "
                "(topic and stance terms in the same tweet)"),
}


class _Invalid(Exception):
    """A value a claim cannot have; ``key`` is the parameter (or field) at fault."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Param:
    """One named parameter of a rule type.

    Attributes
    ----------
    name
        The key a claim writes under ``params``.
    kind
        One of :data:`KINDS`; ``optional`` allows null (no value).
    default
        The value when a claim does not give one; :data:`REQUIRED` when it must.
    doc
        What it means, in one line.
    optional
        Whether null is a value (``max_share: null``: no upper bound).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    doc: str = ""
    optional: bool = False

    def coerce(self, value: Any) -> Any:
        """``value`` checked against the kind (and normalised); ValueError when wrong."""
        if value is None and self.optional:
            return None
        return _coerce(self.kind, value)

    def describe_kind(self) -> str:
        words = KINDS[self.kind]
        return f"{words}, or null" if self.optional else words


def _words(value: Any) -> str:
    return f"{value!r}" if not isinstance(value, str) else f"'{value}'"


def _coerce(kind: str, value: Any) -> Any:
    """One value of a kind, normalised (durations and times as text, lists as tuples)."""
    wrong = ValueError(f"expected {KINDS[kind]}, got {_words(value)}")
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise wrong
        return value
    if kind in ("float", "share"):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not np.isfinite(value):
            raise wrong
        if kind == "share" and not 0 <= value <= 1:
            raise wrong
        return float(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise wrong
        return value
    if kind == "texts":
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list | tuple) or not values \
                or not all(isinstance(v, str) and v.strip() for v in values):
            raise wrong
        return tuple(values)
    if kind == "duration":
        if not isinstance(value, str):
            raise wrong
        try:
            delta = pd.Timedelta(value)
        except ValueError:
            raise wrong from None
        if pd.isna(delta) or delta < pd.Timedelta(0):
            raise wrong
        return value
    if kind == "time":
        if isinstance(value, dt.datetime | dt.date):
            value = pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
        if not isinstance(value, str):
            raise wrong
        try:
            pd.Timestamp(value)
        except ValueError:
            raise wrong from None
        return value
    if kind == "lexicon":
        return _coerce_lexicon(value, wrong)
    raise AssertionError(f"unknown parameter kind {kind!r}")  # a bug in RULE_TYPES


def _coerce_lexicon(value: Any, wrong: ValueError) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, list | tuple):
        return _coerce("texts", list(value)) if value else _raise(wrong)
    if isinstance(value, Mapping):
        if set(value) != {"topic", "stance"}:
            raise ValueError(f"a stance lexicon has exactly the keys topic and stance, got "
                             f"{sorted(map(str, value))}")
        return {k: list(_coerce("texts", value[k])) for k in ("topic", "stance")}
    raise wrong


def _raise(error: Exception) -> Any:
    raise error


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _share(x: float) -> str:
    """A threshold share in words: ``5%``, ``2.5%``, ``33.3%``."""
    return f"{x:.0%}" if round(x * 100, 9) == round(x * 100) else f"{x:.1%}"


# Parameters several rule types share, so that one keyword reaches them all.
_MIN_TWEETS = Param("min_tweets", "int", 100,
                    "tweets the rule's sample needs (fewer: insufficient data)")
_MIN_ACCOUNTS = Param("min_accounts", "int", 10,
                      "accounts the rule's sample needs (fewer: insufficient data)")
_MIN_CONTRAST = Param(
    "min_contrast", "float", MIN_CONTRAST,
    "distinctive only when the operation's measure is at least this many times the "
    "ordinary accounts' (the control's), in the claim's direction; under it: not "
    "distinctive")
_SUBSET_MIN_SHARE = Param(
    "subset_min_share", "share", 0.05,
    "share of the accounts the flagged subset must reach too, so that a large cohort "
    "does not meet the rule by its size alone")
_BOUNDS = (
    Param("min_share", "share", None, "supported when the share is at least this",
          optional=True),
    Param("max_share", "share", None, "supported when the share is below this",
          optional=True),
    Param("about", "share", None,
          "supported when the share is within `tolerance` of this (instead of "
          "min_share/max_share)", optional=True),
    Param("tolerance", "share", 0.05, "how far from `about` still counts"),
)


def _check_bounds(values: Mapping[str, Any]) -> None:
    given = [k for k in ("min_share", "max_share", "about") if values[k] is not None]
    if not given:
        raise _Invalid("min_share", "the rule needs min_share, max_share or about")
    if values["about"] is not None and len(given) > 1:
        raise _Invalid("about", "give about (with tolerance) or min_share/max_share, "
                       "not both")
    lo, hi = values["min_share"], values["max_share"]
    if lo is not None and hi is not None and lo >= hi:
        raise _Invalid("max_share", f"max_share {hi:g} must be above min_share {lo:g}")


def _bounds_text(p: Any) -> str:
    if p.about is not None:
        return f"within {_share(p.tolerance)} of {_share(p.about)}"
    parts = []
    if p.min_share is not None:
        parts.append(f"at least {_share(p.min_share)}")
    if p.max_share is not None:
        parts.append(f"below {_share(p.max_share)}")
    return " and ".join(parts)


def _bounds_hold(share: float, p: Any) -> bool:
    if p.about is not None:
        return abs(share - p.about) <= p.tolerance
    return ((p.min_share is None or share >= p.min_share)
            and (p.max_share is None or share < p.max_share))


@dataclass(frozen=True)
class RuleType:
    """A generic check with named parameters: one entry of the catalogue.

    Attributes
    ----------
    name
        What a claim writes under ``rule``.
    summary
        What it measures and when the claim is ``supported``, in a sentence or two.
    params
        Its parameters, with kinds and defaults.
    template
        The rule in words; ``{name}`` fields are filled with the claim's parameters
        (``{test}``, for the share rules, with the bound in words). A claim's
        ``rule_text`` replaces it.
    requires
        Columns the rule needs, as ``"tweets.column"`` / ``"users.column"``;
        alternatives joined by ``|`` (one is enough); ``{param}`` fields are filled.
        Absent or empty: not testable.
    check
        ``check(release, p, context) -> Outcome``, ``p`` holding the parameters as
        attributes.
    value
        What the ledger's ``value`` column holds for it.
    validate
        Checks across parameters (raises ``_Invalid``), after each was checked alone.
    extras
        Extra template fields computed from the parameters (``test``: a share's bound
        in words).
    claim_type
        :data:`~casebook.evidence.DESCRIPTIVE` (the claim describes the release: true or
        false of the data, and not distinctive when ordinary accounts meet it too) or
        :data:`~casebook.evidence.DISTINCTIVE` (the claim says the operation behaves
        unlike ordinary accounts: compared with them on ``measure``).
    measure
        For a distinctive rule, the size-free number it is compared with ordinary
        accounts on, in words ("the rate ratio"); its parameters include
        ``min_contrast``.
    unit
        The unit of ``value``, a template filled like ``template`` (the ledger's
        ``value_unit``): ``share of ...`` for a share (shown ``54.0% of tweets``), a
        unit ending in ``ratio`` for a ratio (``126.2x (rate ratio)``), else a noun
        after the number (``20 accounts``); see :func:`casebook.evidence.value_in_words`.
    trait
        For a descriptive rule, what the claim says of the release in a few words
        ("low engagement", a template filled like ``template``): when ordinary accounts
        meet the rule too and go further in the claim's direction, the evidence says
        that this trait is not what sets the release apart.
    """

    name: str
    summary: str
    params: tuple[Param, ...]
    template: str
    requires: tuple[str, ...]
    check: Callable[[ReleaseLike, Any, _Context], Outcome]
    value: str
    validate: Callable[[Mapping[str, Any]], None] | None = None
    extras: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    claim_type: str = DESCRIPTIVE
    measure: str = ""
    unit: str = ""
    trait: str = ""

    def __post_init__(self) -> None:
        if self.claim_type not in CLAIM_TYPES:  # a bug in RULE_TYPES
            raise AssertionError(f"claim_type {self.claim_type!r} of {self.name}")
        if (self.claim_type == DISTINCTIVE) != ("min_contrast" in self.param_names):
            raise AssertionError(f"{self.name}: a distinctive rule type, and only one, "
                                 f"has min_contrast")

    @property
    def distinctive(self) -> bool:
        """Whether the rule says the operation behaves unlike ordinary accounts."""
        return self.claim_type == DISTINCTIVE

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter's value: ``given`` (each already checked) over the defaults.

        Raises ``_Invalid`` for a required parameter not given or values that do not
        go together.
        """
        values = {p.name: given.get(p.name, p.default) for p in self.params}
        missing = [k for k, v in values.items() if v is REQUIRED]
        if missing:
            raise _Invalid(missing[0], f"rule type '{self.name}' needs the parameter "
                           f"{missing[0]} ({self.param(missing[0]).describe_kind()})")
        if self.validate is not None:
            self.validate(values)
        if values.get("min_contrast", 1.0) < 1:
            raise _Invalid("min_contrast", f"min_contrast {values['min_contrast']:g} is "
                           f"under 1: the operation would be set apart by doing less than "
                           f"ordinary accounts")
        return values

    def describe(self, values: Mapping[str, Any], template: str | None = None) -> str:
        """The rule in words, its fields filled from ``values``."""
        shown = {k: (v if not isinstance(v, list | tuple | dict) else _lexicon_label(v))
                 for k, v in values.items()}
        p = SimpleNamespace(**values)
        extra = {name: make(p) for name, make in self.extras.items()}
        return (template or self.template).format(**shown, **extra)

    def template_fields(self) -> set[str]:
        """Fields a template of this rule type may use."""
        return set(self.param_names) | set(self.extras)

    def unit_of(self, values: Mapping[str, Any]) -> str:
        """The unit of the ledger's ``value`` for these parameters (``""``: none)."""
        return self.describe(values, self.unit) if self.unit else ""

    def trait_of(self, values: Mapping[str, Any]) -> str:
        """What a descriptive claim says of the release, for these parameters."""
        return self.describe(values, self.trait) if self.trait else ""


def _lexicon_label(value: Any) -> str:
    if isinstance(value, Mapping):
        return "the topic and stance terms given"
    return " or ".join(map(str, value))


@dataclass(frozen=True)
class _Context:
    """What a check reads beside the release and its parameters."""

    lexicons: Mapping[str, Any]  # by name: given, then the claims file's, then defaults
    file_lexicons: Mapping[str, Any]
    coordination: Any = None
    #: On the control cohort: the release's number of accounts with tweets, for rules
    #: whose measure depends on a cohort's size (the top account's share).
    reference_accounts: int | None = None
    #: On the control cohort: the release's accounts with a follower count (the largest
    #: audience grows with a cohort's size too).
    reference_profiles: int | None = None


@dataclass(frozen=True)
class Claim:
    """One published claim and how the data test it.

    Build claims with :func:`load_claims` from a claims file; the built-in ones are in
    :data:`CLAIMS`. Building one in Python checks it the same way (a
    :class:`~casebook.errors.ParameterError` names the field at fault).

    Attributes
    ----------
    id
        Short stable identifier (``"iran-debate"``).
    operation
        The network it is about: ``"iran"``, ``"russia"`` (the GRU network), ``"ira"``,
        ``"armenia"``, or a new release's name.
    text
        The claim in the project's own words.
    source
        Where it was published (:data:`TWITTER`, :data:`SIO`, or any reference).
    rule
        The rule type's name (:data:`RULE_TYPES`).
    params
        Values of the rule type's parameters; the others keep their defaults.
    datasets
        Catalogue datasets the claim was made about (:data:`casebook.catalogue.PUBLISHED`);
        a release recognised as another catalogue dataset is not tested. A release of no
        catalogue dataset (a control cohort, your own collection) is. Empty: any release.
    rule_text
        The rule in words, replacing the rule type's template (``{param}`` fields).
    keywords
        Extra keywords of :func:`evaluate_claims` that set a parameter of this claim:
        ``{"debate_widen": "widen"}``.
    lexicons
        Lexicons defined by the claims file, by name (a ``lexicon`` parameter may name
        one; the ``lexicons`` argument of :func:`evaluate_claims` overrides them).
    origin
        Where the claim was written (``file, line``), for messages.
    """

    id: str
    operation: str
    text: str
    source: str
    rule: str
    params: Mapping[str, Any] = field(default_factory=dict)
    datasets: tuple[str, ...] = ()
    rule_text: str | None = None
    keywords: Mapping[str, str] = field(default_factory=dict)
    lexicons: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""

    def __post_init__(self) -> None:
        where = self.origin or f"claim {self.id!r}"
        try:
            checked = _check_claim(self)
        except _Invalid as error:
            raise ParameterError(f"{where}: {error.key}: {error}") from None
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def rule_type(self) -> RuleType:
        return RULE_TYPES[self.rule]

    def values(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter's value, with ``overrides`` (keywords of
        :func:`evaluate_claims`) applied; ParameterError when one is wrong."""
        rt = self.rule_type
        given = dict(self.params)
        for key, value in (overrides or {}).items():
            target = self.keywords.get(key, key if key in rt.param_names else None)
            if target is None:
                continue
            try:
                given[target] = rt.param(target).coerce(value)
            except ValueError as error:
                raise ParameterError(f"{key}={value!r} for claim {self.id!r} "
                                     f"(parameter {target}): {error}") from None
        try:
            return rt.resolve(given)
        except _Invalid as error:
            alias = {v: k for k, v in self.keywords.items()}
            message = re.sub(r"\b(" + "|".join(map(re.escape, rt.param_names)) + r")\b",
                             lambda m: f"{m[1]} ({alias[m[1]]})" if m[1] in alias
                             else m[1], str(error))
            raise ParameterError(f"claim {self.id!r}: {message}") from None

    def describe(self, values: Mapping[str, Any] | None = None) -> str:
        """The rule in words with the parameters filled in."""
        return self.rule_type.describe(values or self.values(), self.rule_text)

    def requires(self, values: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """Columns the rule needs (see :attr:`RuleType.requires`)."""
        values = values or self.values()
        return tuple(r.format(**values) for r in self.rule_type.requires)


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _close(word: str, options: Iterable[str]) -> str:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean '{found[0]}'?)" if found else ""


def _check_claim(claim: Claim) -> dict[str, Any]:
    """A claim's fields checked and normalised; ``_Invalid`` names the field at fault."""
    for name in ("id", "operation", "text", "source"):
        value = getattr(claim, name)
        if not isinstance(value, str) or not value.strip():
            raise _Invalid(name, f"expected {KINDS['text']}, got {_words(value)}")
    if not _ID.fullmatch(claim.id):
        raise _Invalid("id", f"an id is letters, digits, '-', '_' and '.', got "
                       f"'{claim.id}'")
    rule = _rule_type(claim.rule)
    params = {}
    for key, value in dict(claim.params).items():
        params[key] = _check_param(rule, key, value)
    values = rule.resolve(params)
    datasets = _coerce_field("datasets", "texts", claim.datasets) if claim.datasets else ()
    keywords = dict(claim.keywords)
    for key, target in keywords.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise _Invalid("keywords", f"a keyword is a Python name, got {_words(key)}")
        if target not in rule.param_names:
            raise _Invalid("keywords", f"keyword {key} names '{target}', not a parameter "
                           f"of rule type '{rule.name}'{_close(str(target), rule.param_names)}")
    lexicons = {}
    for name, terms in dict(claim.lexicons).items():
        try:
            lexicons[name] = _coerce_lexicon(terms, ValueError(
                f"lexicon {name}: expected a list of terms or {{topic: [...], stance: "
                f"[...]}}"))
        except ValueError as error:
            raise _Invalid("lexicons", str(error)) from None
        if isinstance(lexicons[name], str):
            raise _Invalid("lexicons", f"lexicon {name}: expected a list of terms or "
                           f"{{topic: [...], stance: [...]}}, got a name")
    if claim.rule_text is not None:
        _check_template(rule, claim.rule_text, values)
    return {"params": params, "datasets": tuple(datasets), "keywords": keywords,
            "lexicons": lexicons}


def _coerce_field(name: str, kind: str, value: Any) -> Any:
    try:
        return _coerce(kind, value)
    except ValueError as error:
        raise _Invalid(name, str(error)) from None


def _rule_type(name: Any) -> RuleType:
    if not isinstance(name, str) or name not in RULE_TYPES:
        raise _Invalid("rule", f"unknown rule type {_words(name)}"
                       f"{_close(str(name), RULE_TYPES)}; the rule types are "
                       f"{', '.join(RULE_TYPES)}")
    return RULE_TYPES[name]


def _check_param(rule: RuleType, key: Any, value: Any) -> Any:
    if key not in rule.param_names:
        raise _Invalid(str(key), f"unknown parameter '{key}' of rule type '{rule.name}'"
                       f"{_close(str(key), rule.param_names)}; its parameters are "
                       f"{', '.join(rule.param_names)}")
    try:
        return rule.param(key).coerce(value)
    except ValueError as error:
        raise _Invalid(key, str(error)) from None


def _check_template(rule: RuleType, text: Any, values: Mapping[str, Any]) -> None:
    if not isinstance(text, str) or not text.strip():
        raise _Invalid("rule_text", f"expected {KINDS['text']}, got {_words(text)}")
    allowed = rule.template_fields()
    try:
        used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as error:
        raise _Invalid("rule_text", f"not a valid template: {error}") from None
    unknown = sorted(f for f in used if f.split(".")[0].split("[")[0] not in allowed)
    if unknown:
        raise _Invalid("rule_text", f"the field {{{unknown[0]}}} is not a parameter of "
                       f"rule type '{rule.name}'{_close(unknown[0], allowed)}; its fields "
                       f"are {', '.join(sorted(allowed))}")
    try:
        rule.describe(values, text)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise _Invalid("rule_text", f"cannot be filled in with the parameters: "
                       f"{error}") from None


# --------------------------------------------------------------------------- helpers


def _has_data(frame: pd.DataFrame, column: str) -> bool:
    if column not in frame:
        return False
    values = frame[column]
    if is_list_column(values):
        return bool((values.list.len().fillna(0) > 0).any())
    if pd.api.types.is_string_dtype(values.dtype):
        return bool((values.fillna("").str.strip() != "").any())
    return bool(values.notna().any())


def _missing(release: ReleaseLike, requires: Sequence[str]) -> list[str]:
    """Requirements with no usable data (each may list alternatives joined by ``|``)."""
    missing = []
    for requirement in requires:
        options = requirement.split("|")
        if not any(_has_data(getattr(release, opt.split(".")[0]), opt.split(".")[1])
                   for opt in options):
            missing.append(" or ".join(options))
    return missing


def _tested(supported: bool, evidence: str, value: float, *, brief: str,
            measure: float | None = None, direction: int = 1,
            counts: tuple[int, int] | None = None,
            interval: tuple[float, float] | None = None) -> Outcome:
    """The outcome of a rule that could be tested: supported or not, the number, and the
    result in a few words (and the size-free measure of a distinctive rule, with its
    interval when it is a share: ``counts`` (counted, of how many) for a share of
    accounts, or ``interval`` itself)."""
    if counts is not None:
        interval = share_interval(*counts)
    return Outcome(SUPPORTED if supported else NOT_SUPPORTED, evidence, float(value),
                   None if measure is None else float(measure), brief, direction, interval)


def _bounds_direction(p: Any) -> int:
    """+1 when a share rule asks for a share at least something, -1 when below
    something, 0 for both bounds or ``about`` (no direction to compare in)."""
    if p.about is not None or (p.min_share is not None and p.max_share is not None):
        return 0
    return 1 if p.min_share is not None else -1


def _too_few(n: int, minimum: int, what: str) -> Outcome | None:
    """``insufficient data`` when a rule's sample ``n`` is under its stated minimum."""
    if n >= minimum:
        return None
    return Outcome(INSUFFICIENT, f"only {n:,} {what}; the rule needs at least {minimum:,}")


def _of(n: int, total: int) -> float:
    return n / total if total else 0.0


def _accounts_brief(n: int, total: int) -> str:
    return f"{n} of {total} accounts ({_pct(_of(n, total))})"


def _subset(n: int, total: int, p: Any, minimum: int) -> bool:
    return n >= minimum and n >= p.subset_min_share * total


def _lexicon(ctx: _Context, value: Any) -> tuple[Any, str]:
    """A ``lexicon`` parameter's terms (a name looked up in the lexicons given, then the
    claims file's, then the defaults) and how to name it in evidence."""
    if not isinstance(value, str):
        return value, "the lexicon given in the claim"
    if value not in ctx.lexicons:
        raise ParameterError(f"the lexicon '{value}' is neither in the lexicons given nor "
                             f"in the claims file nor a default{_close(value, ctx.lexicons)}",
                             hint="define it under lexicons: in the claims file, or pass "
                             "it in lexicons=")
    return ctx.lexicons[value], f"the {value} lexicon"


def _stance_lexicon(ctx: _Context, value: Any) -> tuple[dict[str, Sequence[str]], str]:
    """A stance lexicon; a plain list given for a name is its topic terms, with the
    stance terms of the claims file's or the default lexicon of that name (said in the
    returned note)."""
    given, _ = _lexicon(ctx, value)
    if content.is_stance_lexicon(given):
        return dict(given), "topic and stance terms as given"
    fallback = [lex for lex in (ctx.file_lexicons.get(value),
                                _default_lexicons().get(value))
                if lex is not None and content.is_stance_lexicon(lex)]
    if not isinstance(value, str) or not fallback:
        raise ParameterError(f"the lexicon {_words(value)} is a plain list of terms; this "
                             f"rule needs {{topic: [...], stance: [...]}}")
    return ({"topic": list(given), "stance": list(fallback[0]["stance"])},
            "topic terms as given, default stance terms")


def _plain_lexicon(ctx: _Context, value: Any) -> tuple[list[str], str]:
    terms, label = _lexicon(ctx, value)
    if content.is_stance_lexicon(terms):
        raise ParameterError(f"the lexicon {_words(value)} has topic and stance terms; "
                             f"this rule needs a plain list of terms")
    return list(terms), label


# --------------------------------------------------------------------------- windows (the debate)


def _debate_bounds(start: Any, end: Any, widen: str | pd.Timedelta) -> tuple[pd.Timestamp,
                                                                              pd.Timestamp]:
    lo, hi = utc(start) - pd.Timedelta(widen), utc(end) + pd.Timedelta(widen)
    if not hi - lo < _DAY:
        raise ParameterError(f"the debate window {lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M} "
                             f"is a day or longer; matched windows need it shorter")
    return lo, hi


def _day_offsets(times: pd.Series, lo: pd.Timestamp, length: pd.Timedelta) -> np.ndarray:
    """For each time, the whole days k with ``lo + k days <= t <= lo + k days + length``
    (at most one, the window being under a day); -9999 when none (or no time)."""
    delta = (times - lo).to_numpy(dtype="timedelta64[ns]")
    valid = ~np.isnat(delta)
    days = np.full(len(delta), -9999, dtype=np.int64)
    day_ns = _DAY.value
    raw = delta[valid].astype(np.int64)
    k = np.floor_divide(raw, day_ns)
    inside = raw - k * day_ns <= length.value
    days[np.flatnonzero(valid)[inside]] = k[inside]
    return days


def debate_windows(tweets: pd.DataFrame, *, start: Any = DEBATE_START,
                   end: Any = DEBATE_END,
                   widen: str | pd.Timedelta = DEBATE_WIDEN) -> pd.DataFrame:
    """Tweets and accounts in the debate window and in its matched windows.

    The debate window is ``[start - widen, end + widen]`` (both ends inclusive, the clock
    having minute resolution); its matched windows are the same clock hours on every
    other day of the month of ``start``. A window is ``covered`` when it overlaps the
    span of the tweets (first to last tweet): outside it a zero means "not collected".

    Returns
    -------
    DataFrame ``offset_days, window_start, window_end, debate, covered, tweets,
    accounts``, one row per day of the month, in order.

    Examples
    --------
    >>> debate_windows(release.tweets).query("covered")  # doctest: +SKIP
    """
    lo, hi = _debate_bounds(start, end, widen)
    anchor = utc(start).normalize()
    month = pd.date_range(anchor - pd.Timedelta(days=anchor.day - 1),
                          anchor + pd.offsets.MonthEnd(0), freq="D")
    offsets = np.asarray((month - anchor).days, dtype=np.int64)
    days = _day_offsets(tweets["tweet_time"], lo, hi - lo)
    keep = np.isin(days, offsets)
    # the ids of the windows' tweets only, as stored (a categorical's codes are not
    # decoded for every tweet of the release first: 0.3 s at specimen scale 8)
    inside = pd.DataFrame({"offset_days": days[keep],
                           "userid": tweets["userid"].array[keep]})
    grouped = inside.groupby("offset_days")
    counts = pd.DataFrame({"tweets": grouped.size(), "accounts": grouped["userid"].nunique()})
    times = tweets["tweet_time"].dropna()
    first, last = (times.min(), times.max()) if len(times) else (pd.NaT, pd.NaT)
    shift = pd.to_timedelta(offsets, unit="D")
    out = pd.DataFrame({
        "offset_days": offsets,
        "window_start": lo + shift,
        "window_end": hi + shift,
        "debate": offsets == 0,
    })
    out["covered"] = (out["window_end"] >= first) & (out["window_start"] <= last) \
        if len(times) else False
    return (out.merge(counts, left_on="offset_days", right_index=True, how="left")
            .fillna({"tweets": 0, "accounts": 0})
            .astype({"tweets": "int64", "accounts": "int64", "covered": bool}))


def debate_tweets(tweets: pd.DataFrame, *, start: Any = DEBATE_START,
                  end: Any = DEBATE_END,
                  widen: str | pd.Timedelta = DEBATE_WIDEN) -> pd.DataFrame:
    """What was posted in the debate window: the evidence behind the debate claim.

    Returns
    -------
    DataFrame ``tweet_time, userid, user_screen_name, tweet_text, is_retweet, tweetid``
    (those present), in time order, then by tweetid.
    """
    lo, hi = _debate_bounds(start, end, widen)
    columns = [c for c in ("tweet_time", "userid", "user_screen_name", "tweet_text",
                           "is_retweet", "tweetid") if c in tweets]
    return (tweets.loc[tweets["tweet_time"].between(lo, hi, inclusive="both"), columns]
            .sort_values([c for c in ("tweet_time", "tweetid") if c in columns],
                         kind="stable")
            .reset_index(drop=True))


def plot_debate_night(tweets: pd.DataFrame, *, start: Any = DEBATE_START,
                      end: Any = DEBATE_END,
                      widen: str | pd.Timedelta = DEBATE_WIDEN,
                      margin: str | pd.Timedelta = "3h", ax: Any = None,
                      title: str | None = None) -> Any:
    """Tweets per minute on debate night, against the same minutes of the matched nights.

    Draws the tweets of each minute from ``start - widen - margin`` to
    ``end + widen + margin`` (steps), the mean of the same clock minutes over the
    covered matched days of :func:`debate_windows` (grey line), and the debate and its
    widened window as events.

    Returns
    -------
    The matplotlib Axes.
    """
    ax = new_ax(ax)
    lo, hi = _debate_bounds(start, end, widen)
    pad = pd.Timedelta(margin)
    night_lo, night_hi = lo - pad, hi + pad
    if not night_hi - night_lo < _DAY:
        raise ParameterError("the debate night (window and margins) must be under a day")
    minutes = pd.date_range(night_lo.floor("min"), night_hi.floor("min"), freq="min")
    windows = debate_windows(tweets, start=start, end=end, widen=widen)
    matched = windows.loc[windows["covered"] & ~windows["debate"], "offset_days"].to_numpy()
    times = tweets["tweet_time"]
    days = _day_offsets(times, minutes[0], night_hi - minutes[0])
    # minute of the night of every tweet on debate night (day 0) or a matched night
    minute = np.floor_divide(
        (times - minutes[0]).to_numpy(dtype="timedelta64[ns]").astype(np.int64)
        - days * _DAY.value, pd.Timedelta("1min").value)
    tonight = np.bincount(minute[days == 0], minlength=len(minutes))[:len(minutes)]
    others = np.bincount(minute[np.isin(days, matched)], minlength=len(minutes))[:len(minutes)]
    counts = tonight
    baseline = others / max(len(matched), 1)
    x = naive(minutes)
    ax.step(x, counts, where="post", linewidth=1.0, color="#4c72b0",
            label="debate night")
    ax.plot(x, baseline, linewidth=1.0, color="0.5",
            label=f"mean of {len(matched)} matched nights")
    draw_events(ax, [{"name": "debate", "start": utc(start), "end": utc(end)},
                     {"name": f"window (widened by {widen})", "start": lo, "end": hi}])
    ax.set_title(title or f"Tweets per minute on debate night, {utc(start):%d %b %Y} (UTC)")
    ax.set_xlabel("time (UTC)")
    ax.set_ylabel("tweets per minute")
    ax.set_ylim(bottom=0)
    date_axis(ax.xaxis)
    legend_beside(ax)
    return literal_text(ax)




# --------------------------------------------------------------------------- checks


def _check_window(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    tweets = release.tweets
    windows = debate_windows(tweets, start=p.start, end=p.end, widen=p.widen)
    night = windows.loc[windows["debate"]].iloc[0]
    lo, hi = night["window_start"], night["window_end"]
    if not night["covered"]:
        times = tweets["tweet_time"].dropna()
        return Outcome(NOT_TESTABLE, f"the tweets run from {times.min():%Y-%m-%d} to "
                       f"{times.max():%Y-%m-%d} and do not cover the window "
                       f"{lo:%Y-%m-%d %H:%M}-{hi:%H:%M} UTC" if len(times)
                       else "no tweet has a time")
    matched = windows.loc[windows["covered"] & ~windows["debate"]]
    few = _too_few(len(matched), p.min_windows,
                   f"matched windows (the same hours on other days of {lo:%B %Y}) lie "
                   f"within the tweets' span")
    if few:
        return few
    # a window and its matched windows nearly empty say nothing about a surge: one tweet
    # against none is a rate ratio, not evidence
    few = _too_few(int(night["tweets"]) + int(matched["tweets"].sum()), p.min_tweets,
                   "tweets in the window and its matched windows together")
    if few:
        return few
    n_tweets, n_accounts = int(night["tweets"]), int(night["accounts"])
    total = int(tweets["userid"].nunique())
    mean = float(matched["tweets"].mean())
    ratio = n_tweets / mean if mean > 0 else (np.inf if n_tweets else 0.0)
    pvalue = null_pvalue(n_tweets, matched["tweets"])
    strength = strength_words(n_tweets, matched["tweets"], replicates="matched nights")
    n_nights = len(matched)
    floor = smallest_pvalue(n_nights)
    least = (f"{floor:.3f} = 1/{n_nights + 1} is the smallest p {n_nights} matched nights "
             f"allow" if np.isclose(pvalue, floor) else
             f"with {n_nights} matched nights the smallest possible p is 1/{n_nights + 1} "
             f"= {floor:.3f}")
    enough = n_accounts >= p.accounts - p.tolerance
    named = f"; the claim names {p.accounts} accounts" if p.accounts else ""
    return _tested(
        enough and ratio >= p.min_ratio and pvalue <= p.alpha,
        f"{n_accounts} accounts posted {n_tweets:,} tweets between {lo:%Y-%m-%d %H:%M} "
        f"and {hi:%H:%M} UTC; the same hours on {n_nights} other days of {lo:%B %Y} "
        f"averaged {mean:.1f} tweets from {matched['accounts'].mean():.1f} accounts: rate "
        f"ratio {ratio:.1f}, p = {pvalue:.3f} ({strength}; {least}){named}",
        ratio, measure=ratio,
        brief=(f"{n_accounts} accounts ({_pct(_of(n_accounts, total))} of "
               f"{total}), {n_tweets:,} tweets, rate ratio {ratio:.1f} against "
               f"{mean:.1f} tweets on a matched night, p = {pvalue:.3f}"))


def _check_window_params(values: Mapping[str, Any]) -> None:
    start, end = utc(values["start"]), utc(values["end"])
    if end < start:
        raise _Invalid("end", f"end {values['end']} is before start {values['start']}")
    widen, widest = pd.Timedelta(values["widen"]), pd.Timedelta(values["max_widen"])
    if widen > widest:
        raise _Invalid("widen", f"widen={values['widen']!r} is wider than max_widen="
                       f"{values['max_widen']!r}: a window that wide is no longer around "
                       f"the event")
    if not end - start + 2 * widen < _DAY:
        raise _Invalid("end", "the widened window is a day or longer; matched windows "
                       "need it shorter")


_METRIC_WORDS = {"like_count": "likes", "retweet_count": "retweets",
                 "reply_count": "replies", "quote_count": "quotes",
                 "total": "engagements (likes, retweets, replies and quotes)"}


def _check_engagement(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    summary = content.engagement_summary(release.tweets)
    counts = summary.loc[p.metric]
    what = _METRIC_WORDS[p.metric].split(" (")[0]
    if counts["originals"] == 0:
        return Outcome(NOT_TESTABLE, f"no original tweet with a {p.metric.replace('_', ' ')}")
    few = _too_few(int(counts["originals"]), p.min_tweets,
                   f"original tweets with a {p.metric.replace('_', ' ')}")
    if few:
        return few
    median = float(counts["median"])
    return _tested(median < p.max_median,
                   f"median {what} per original tweet {median:g} (mean {counts['mean']:.2f}) "
                   f"over {int(counts['originals']):,} originals; "
                   f"{_pct(summary.loc['total', 'zero_share'])} drew no engagement at all; "
                   f"retweets left out: {summary.attrs['retweets_excluded']:,}", median,
                   direction=-1,
                   brief=f"median {median:g} {what} per original tweet (mean "
                         f"{counts['mean']:.2f})")


def _check_metric(values: Mapping[str, Any]) -> None:
    if values["metric"] not in _METRIC_WORDS:
        raise _Invalid("metric", f"metric is one of {', '.join(_METRIC_WORDS)}, got "
                       f"'{values['metric']}'{_close(values['metric'], _METRIC_WORDS)}")


def _check_dominance(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    top = accounts.top_accounts(release, n=1)
    if top.empty:
        return Outcome(NOT_TESTABLE, "no tweets")
    total = int(release.tweets["userid"].notna().sum())
    few = _too_few(total, p.min_tweets, "tweets")
    if few:
        return few
    m = ctx.reference_accounts
    n_here = int(release.tweets["userid"].nunique())
    if m is not None and 0 < m < n_here:
        # the control: its top account's share among as many accounts as the release's,
        # compared on the median of the draws (their range understates how much
        # independent cohorts of that size differ: it is shown, not used)
        at_size = accounts.top_share_at_size(release.tweets, m).iloc[0]
        lo, mid, hi = (float(at_size[c]) for c in ("low", "median", "high"))
        share = float(top.iloc[0]["share"])
        return _tested(mid >= p.min_share,
                       f"the top account of {m} of these {n_here} accounts (drawn "
                       f"{int(at_size['draws'])} times) posted a median {_pct(mid)} of their "
                       f"tweets ({_pct(lo)} to {_pct(hi)} over the draws); of all {n_here}, "
                       f"{_pct(share)}", mid, measure=mid,
                       brief=f"the top account of {m} of them posted a median {_pct(mid)} "
                             f"of their tweets ({_pct(lo)} to {_pct(hi)} over the draws)")
    row = top.iloc[0]
    signals = accounts.persona_signals(release.users)
    match = signals.loc[signals["userid"] == row["userid"]]
    news = match["news_terms"].iloc[0] if len(match) else pd.NA
    share = float(row["share"])
    followers = row["follower_count"]
    followers = "unknown" if pd.isna(followers) else f"{int(followers):,}"
    return _tested(share >= p.min_share,
                   f"top account {row['user_screen_name']} "
                   f"({'hashed' if row['hashed'] else 'unhashed'}, {followers} followers) "
                   f"posted {int(row['tweets']):,} of {total:,} tweets ({_pct(share)}); "
                   f"news/media persona terms: {news if not pd.isna(news) else 'none'}", share,
                   measure=share, brief=f"the top account posted {_pct(share)} of the tweets")


def _check_stance_accounts(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    tweets = release.tweets
    lexicon, note = _stance_lexicon(ctx, p.lexicon)
    total = int(tweets["userid"].nunique())
    few = _too_few(total, p.min_accounts, "accounts")
    if few:
        return few
    matches = content.lexicon_matches(tweets, {"topic": lexicon["topic"], "both": lexicon})
    per = matches.assign(userid=tweets["userid"]).groupby("userid")["both"].sum()
    n = int((per >= p.min_account_tweets).sum())
    label = p.label or (f"with a topic term and a stance term of "
                        f"{_lexicon(ctx, p.lexicon)[1]}")
    return _tested(_subset(n, total, p, p.min_found),
                   f"{n} of {total} accounts posted at least {p.min_account_tweets} tweets "
                   f"{label} ({int(matches['both'].sum()):,} such tweets; "
                   f"{int(matches['topic'].sum()):,} name the topic at all; {note})", float(n),
                   measure=_of(n, total), counts=(n, total), brief=_accounts_brief(n, total))


def _check_lexicon_share(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    tweets = release.tweets
    few = _too_few(len(tweets), p.min_tweets, "tweets")
    if few:
        return few
    terms, name = _lexicon(ctx, p.lexicon)
    hits = content.lexicon_matches(tweets, {"hits": terms})["hits"]
    share = float(hits.mean())
    n_accounts = int(tweets.loc[hits, "userid"].nunique())
    # an account's tweets are not independent draws: the share's interval counts by account
    per = hits.groupby(tweets["userid"].to_numpy(), sort=False, dropna=False).agg(["sum", "size"])
    return _tested(_bounds_hold(share, p),
                   f"{int(hits.sum()):,} of {len(hits):,} tweets ({_pct(share)}) from "
                   f"{n_accounts} account{'' if n_accounts == 1 else 's'} match {p.label or name}", share,
                   measure=share, direction=_bounds_direction(p),
                   interval=clustered_share_interval(per["sum"], per["size"]),
                   brief=f"{_pct(share)} of the tweets")


def _check_clients(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    """The share of the classes both ways (management tools out and in), the verdict."""
    tweets = release.tweets
    named = int(tweets["tweet_client_name"].fillna("").str.strip().ne("").sum())
    few = _too_few(named, p.min_tweets, "tweets with a client name")
    if few:
        return few
    classes = list(p.classes)
    shares = content.client_class_shares(tweets).set_index("client_class")["share"]
    table = content.client_table(tweets)
    without = float(shares[classes].sum())
    management = float(shares[content.MANAGEMENT_CLASS])
    with_ = without + management
    tools = table.loc[table["client_class"].isin(classes)].head(3)
    names = ", ".join(f"{c} ({t:,})" for c, t in zip(tools["client"], tools["tweets"],
                                                       strict=True)) or "none"
    held = {False: _bounds_hold(without, p), True: _bounds_hold(with_, p)}
    word = {True: "supported", False: "not supported"}
    group = ("automation" if set(classes) <= set(content.AUTOMATED_CLASSES)
             else " or ".join(classes))
    parts = " or ".join(f"{c} ({_pct(float(shares[c]))})" for c in classes)
    evidence = (f"{_pct(without)} of {len(tweets):,} tweets came from {parts} clients; "
                f"top: {names}. Multi-account management tools (TweetDeck, Hootsuite...) "
                f"posted {_pct(management)}: counted as {group} the share is {_pct(with_)} "
                f"({word[held[True]]}), not counted {_pct(without)} ({word[held[False]]})")
    brief = f"{_pct(without)} ({_pct(with_)} counting management tools)"
    if "unknown" not in classes:
        evidence += f". Unknown clients ({_pct(float(shares['unknown']))}) count as neither"
    if p.management_as_automation is None:
        if held[True] != held[False]:
            return Outcome(INCONCLUSIVE, evidence + "; the verdict depends on how "
                           "management tools are counted", without, without, brief,
                           _bounds_direction(p))
        return _tested(held[False], evidence, without, brief=brief, measure=without,
                       direction=_bounds_direction(p))
    chosen = bool(p.management_as_automation)
    return _tested(held[chosen], evidence + f"; the rule counts them "
                   f"{'as ' + group if chosen else _NOT.get(group, 'as not ' + group)}",
                   with_ if chosen else without, brief=brief,
                   measure=with_ if chosen else without, direction=_bounds_direction(p))


_NOT = {"automation": "as not automated"}
_CLIENT_CLASSES = tuple(c for c in content.CLIENT_CLASS_ORDER if c != content.MANAGEMENT_CLASS)


def _check_client_params(values: Mapping[str, Any]) -> None:
    _check_bounds(values)
    for name in values["classes"]:
        if name not in _CLIENT_CLASSES:
            hint = (": multi-account management tools are counted both ways, or as set by "
                    "management_as_automation" if name == content.MANAGEMENT_CLASS
                    else _close(name, _CLIENT_CLASSES))
            raise _Invalid("classes", f"'{name}' is not a client class; the classes are "
                           f"{', '.join(_CLIENT_CLASSES)}{hint}")


def _check_retweets(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    tweets = release.tweets
    few = _too_few(len(tweets), p.min_tweets, "tweets")
    if few:
        return few
    mask = activity.retweet_mask(tweets)
    share = float(mask.mean())
    return _tested(_bounds_hold(share, p),
                   f"{int(mask.sum()):,} of {len(tweets):,} tweets ({_pct(share)}) are "
                   f"retweets", share, brief=f"{_pct(share)} retweets",
                   direction=_bounds_direction(p))


def _check_reach(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    followers = release.users["follower_count"].dropna().astype("float64")
    few = _too_few(len(followers), p.min_accounts, "accounts with a follower count")
    if few:
        return few
    large = int((followers > p.large).sum())
    share = large / len(followers)
    m = ctx.reference_profiles
    if m is not None and 0 < m < len(followers):
        # the control: the largest account grows with a cohort's size, so it is taken
        # among as many accounts as the release has (the median over every such draw)
        largest = accounts.largest_at_size(followers, m)
        return _tested(largest < p.max_followers and share <= p.max_large_share,
                       f"the largest of {m} of these {len(followers)} accounts has a median "
                       f"{largest:,.0f} followers (over every draw of {m}; of all "
                       f"{len(followers)}, {followers.max():,.0f}); {large} of "
                       f"{len(followers)} accounts ({_pct(share)}) have more than "
                       f"{p.large:,}; median {followers.median():,.0f}", largest, direction=-1,
                       brief=f"the largest of {m} of them a median {largest:,.0f} followers, "
                             f"{_pct(share)} of the accounts above {p.large:,}")
    largest = float(followers.max())
    return _tested(largest < p.max_followers and share <= p.max_large_share,
                   f"largest account {largest:,.0f} followers; {large} of {len(followers)} "
                   f"accounts ({_pct(share)}) have more than {p.large:,}; median "
                   f"{followers.median():,.0f}", largest, direction=-1,
                   brief=f"largest account {largest:,.0f} followers, {_pct(share)} of the "
                   f"accounts above {p.large:,}")


def _check_year(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    times = release.tweets["tweet_time"].dropna()
    few = _too_few(len(times), p.min_tweets, "tweets with a time")
    if few:
        return few
    inside = times.dt.year == p.year
    share = float(inside.mean())
    return _tested(_bounds_hold(share, p),
                   f"{int(inside.sum()):,} of {len(times):,} tweets ({_pct(share)}) are from "
                   f"{p.year}; they run from {times.min():%Y-%m-%d} to "
                   f"{times.max():%Y-%m-%d}", share, brief=f"{_pct(share)} from {p.year}",
                   direction=_bounds_direction(p))


def _check_language(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    language = release.tweets["tweet_language"].astype(STRING).str.strip().str.lower()
    known = language.loc[language.fillna("").ne("")]
    few = _too_few(len(known), p.min_tweets, "tweets with a language")
    if few:
        return few
    wanted = {code.lower() for code in p.languages}
    inside = known.isin(wanted)
    share = float(inside.mean())
    top = known.value_counts(normalize=True).head(3)
    common = ", ".join(f"{code} ({_pct(s)})" for code, s in top.items())
    return _tested(_bounds_hold(share, p),
                   f"{int(inside.sum()):,} of {len(known):,} tweets with a language "
                   f"({_pct(share)}) are in {', '.join(p.languages)}; most common: {common}",
                   share, brief=f"{_pct(share)} in {', '.join(p.languages)}",
                   direction=_bounds_direction(p))


def _check_creation(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    created = release.users["account_creation_date"].dropna().sort_values()
    few = _too_few(len(created), p.min_accounts, "accounts with a creation date")
    if few:
        return few
    # each account opens a window; searchsorted counts the accounts created in it
    values = created.to_numpy(dtype="datetime64[ns]")
    width = np.timedelta64(pd.Timedelta(p.window).value, "ns")
    counts = np.searchsorted(values, values + width, side="right") - np.arange(len(values))
    best = int(np.argmax(counts))
    n = int(counts[best])
    share = n / len(values)
    first = pd.Timestamp(values[best])
    return _tested(_bounds_hold(share, p),
                   f"{n} of {len(values)} accounts ({_pct(share)}) were created within "
                   f"{p.window} of {first:%Y-%m-%d}; creation dates run from "
                   f"{pd.Timestamp(values[0]):%Y-%m-%d} to {pd.Timestamp(values[-1]):%Y-%m-%d}",
                   share, measure=share, direction=_bounds_direction(p),
                   counts=(n, len(values)),
                   brief=f"{_pct(share)} of the accounts created within {p.window}")


def _coordinated_ids(result: Any) -> tuple[pd.Index, np.ndarray | None]:
    """Accounts in coordination communities, and the chance replicates' counts if any."""
    null = getattr(result, "null_counts", None)
    frame = getattr(result, "communities", result)
    if isinstance(frame, pd.DataFrame):
        ids = frame["userid"] if "userid" in frame else frame.index.to_series()
    else:
        ids = pd.Series(list(frame), dtype="object")
    return pd.Index(ids.astype(str).unique()), (None if null is None else np.asarray(null))


def _check_coordination(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    if ctx.coordination is None:
        return Outcome(NOT_TESTABLE, "no coordination result was given (pass "
                       "coordination=casebook.case.coordination_analysis(...) to "
                       "evaluate_claims)")
    active = pd.Index(release.tweets["userid"].dropna().astype(str).unique())
    few = _too_few(len(active), p.min_accounts, "accounts with tweets")
    if few:
        return few
    ids, null = _coordinated_ids(ctx.coordination)
    n = int(active.isin(ids).sum())
    share = n / len(active)
    holds = _bounds_hold(share, p)
    if null is None or not len(null):
        chance = "not compared with chance (the result has no null replicates)"
    else:
        pvalue = null_pvalue(n, null)
        holds = holds and pvalue <= p.alpha
        chance = f"p = {pvalue:.3f} against chance ({strength_words(n, null)})"
    return _tested(holds, f"{n} of {len(active)} accounts ({_pct(share)}) are in "
                   f"coordination communities; {chance}", share, measure=share,
                   direction=_bounds_direction(p), counts=(n, len(active)),
                   brief=f"{_pct(share)} of the accounts in coordination communities")


def _check_personas(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    few = _too_few(len(release.users), p.min_accounts, "accounts")
    if few:
        return few
    signals = accounts.persona_signals(
        release.users,
        place_fields=("user_reported_location", "user_display_name", "user_screen_name",
                      "user_profile_description"))
    if p.place:
        there = signals["claimed_place"].fillna("").str.contains(p.place, regex=False)
    else:
        there = pd.Series(True, index=signals.index)
    kinds = {kind: signals[kind] & there for kind in p.kinds}
    found_mask = np.logical_or.reduce([m.to_numpy() for m in kinds.values()])
    found = signals.loc[found_mask]
    n = len(found)
    # hashed accounts have a hash for a name: show the words that matched instead
    terms = found[f"{p.kinds[0]}_terms"]
    for kind in p.kinds[1:]:
        terms = terms.fillna(found[f"{kind}_terms"])
    names = found["user_display_name"].fillna(found["user_screen_name"]).where(
        ~is_hashed_id(found["userid"]), "hashed account (" + terms.fillna("") + ")")
    examples = "; ".join(names.head(3).astype(str)) or "none"
    presents = " or ".join(f"{_PERSONA_WORDS.get(kind, kind)} ({int(m.sum())})"
                           for kind, m in kinds.items())
    where = (f" and name {p.place}; {int(there.sum())} name {p.place} in all"
             if p.place else "")
    return _tested(_subset(n, len(signals), p, p.min_found),
                   f"{n} of {len(signals)} accounts present as {presents}{where}; "
                   f"e.g. {examples}", float(n), measure=_of(n, len(signals)),
                   counts=(n, len(signals)), brief=_accounts_brief(n, len(signals)))


_PERSONA_WORDS = {"official": "officials", "news": "news outlets"}


def _check_persona_params(values: Mapping[str, Any]) -> None:
    for kind in values["kinds"]:
        if kind not in accounts.PERSONA_LEXICONS:
            raise _Invalid("kinds", f"'{kind}' is not a persona kind; the kinds are "
                           f"{', '.join(accounts.PERSONA_LEXICONS)}"
                           f"{_close(kind, accounts.PERSONA_LEXICONS)}")
    place = values["place"]
    if place is not None and place not in accounts.PLACE_LEXICONS:
        raise _Invalid("place", f"'{place}' is not a place of casebook.accounts."
                       f"PLACE_LEXICONS; the places are {', '.join(accounts.PLACE_LEXICONS)}"
                       f"{_close(place, accounts.PLACE_LEXICONS)}")


def _check_spam(release: ReleaseLike, p: Any, ctx: _Context) -> Outcome:
    few = _too_few(len(release.users), p.min_accounts, "accounts")
    if few:
        return few
    terms, _ = _plain_lexicon(ctx, p.lexicon)
    spam = accounts.follow_spam(release.users, tweets=release.tweets, min_ratio=p.min_ratio,
                                min_following=p.min_following,
                                min_followback_tweets=p.min_followback_tweets, terms=terms)
    n = int(spam["flag"].sum())
    ratio = spam["follow_ratio"].median()
    return _tested(_subset(n, len(spam), p, p.min_found),
                   f"{n} of {len(spam)} accounts flagged ({int(spam['ratio_flag'].sum())} by "
                   f"following/follower ratio, {int(spam['text_flag'].sum())} by follow-back "
                   f"tweets); median following/follower ratio {ratio:.2f}", float(n),
                   measure=_of(n, len(spam)), counts=(n, len(spam)),
                   brief=_accounts_brief(n, len(spam)))


# --------------------------------------------------------------------------- the catalogue

_TIME = "tweets.tweet_time"
_PROFILE = "users.user_reported_location|users.user_profile_description|users.user_display_name"
_BOUND_TEST = {"test": _bounds_text}


def _lexicon_words(p: Any) -> str:
    return f"the {p.lexicon} lexicon" if isinstance(p.lexicon, str) else "the terms given"


_LEXICON_WORDS = {"lexicon_words": _lexicon_words}


def _low_high(p: Any) -> str:
    """``low`` for a share rule asking for a share below something, ``high`` for one
    asking for at least something (``""`` without a direction)."""
    return {1: "high", -1: "low"}.get(_bounds_direction(p), "")


_SHARE_WORDS = {**_BOUND_TEST, "low_high": _low_high}


def _catalogue(*types: RuleType) -> dict[str, RuleType]:
    return {t.name: t for t in types}


#: The rule types a claim can name, by name (``docs/claims.md`` describes each).
RULE_TYPES: dict[str, RuleType] = _catalogue(
    RuleType(
        "top_account_share",
        "The most active account's share of all tweets: supported when it reaches "
        "min_share (one persona dominating the network).",
        (Param("min_share", "share", 0.5, "share of all tweets the top account must reach"),
         _MIN_TWEETS, _MIN_CONTRAST),
        "Supported when the most active account posted at least {min_share:.0%} of all "
        "tweets (at least {min_tweets}); its hashing, followers and news/media persona "
        "terms are reported as context.",
        ("tweets.userid",), _check_dominance, "the top account's share of the tweets",
        claim_type=DISTINCTIVE, measure="the top account's share of the tweets",
        unit="share of tweets"),
    RuleType(
        "client_share",
        "Share of tweets posted from clients of the given classes "
        "(casebook.content.CLIENT_CLASSES: official, mobile, management, scheduling, "
        "automation, unknown), computed with multi-account management tools (TweetDeck, "
        "Hootsuite...) left out and counted in: supported when the share meets the bound "
        "both ways, inconclusive when only one way does (unless management_as_automation "
        "settles it).",
        (Param("classes", "texts", ("scheduling", "automation"),
               "client classes counted (not management: see management_as_automation)"),
         *_BOUNDS,
         Param("management_as_automation", "bool", None,
               "count management tools in (true) or out (false); null: both ways, and a "
               "verdict that differs between them is inconclusive", optional=True),
         _MIN_TWEETS),
        "Share of tweets from clients classed {classes} in casebook.content.CLIENT_CLASSES "
        "(unknown clients count as neither), computed with multi-account management tools "
        "(TweetDeck, Hootsuite...) left out and counted in; supported when {test}; "
        "inconclusive when only one way passes (at least {min_tweets} tweets with a client "
        "name).",
        ("tweets.tweet_client_name",), _check_clients,
        "the share with management tools left out (or as set by management_as_automation)",
        _check_client_params, _SHARE_WORDS, unit="share of tweets",
        trait="a {low_high} share of tweets from {classes} clients"),
    RuleType(
        "stance_accounts",
        "Accounts with at least min_account_tweets tweets that match a stance lexicon: a "
        "topic term AND a stance term in the same tweet (naming the topic is not enough). "
        "Supported when at least min_found accounts, and at least subset_min_share of the "
        "accounts, do.",
        (Param("lexicon", "lexicon", REQUIRED,
               "the stance lexicon {topic, stance}, or its name; a plain list given for "
               "a name is its topic terms, with that name's default stance terms"),
         Param("min_account_tweets", "int", 3, "matching tweets that put an account in "
               "the subset"),
         Param("min_found", "int", 2, "accounts needed for \"a subset\""),
         _SUBSET_MIN_SHARE, _MIN_ACCOUNTS,
         Param("label", "text", None, "what a matching tweet does, for the evidence "
               "(\"naming NATO with a hostile stance term\")", optional=True),
         _MIN_CONTRAST),
        "Accounts with at least {min_account_tweets} tweets with a topic term and a stance "
        "term of {lexicon_words} in the same tweet; supported when there are at least "
        "{min_found} such accounts and at least {subset_min_share:.0%} of the accounts (at "
        "least {min_accounts} accounts).",
        ("tweets.tweet_text",), _check_stance_accounts, "the number of accounts found",
        extras=_LEXICON_WORDS, claim_type=DISTINCTIVE,
        measure="the share of the accounts found", unit="accounts"),
    RuleType(
        "lexicon_share",
        "Share of tweets matching a lexicon (a list of terms, * as a wildcard, or topic "
        "and stance): supported when it meets the bound.",
        (Param("lexicon", "lexicon", REQUIRED, "the lexicon, or its name"), *_BOUNDS,
         _MIN_TWEETS,
         Param("label", "text", None, "how the evidence names the lexicon (\"the Syria "
               "lexicon\")", optional=True), _MIN_CONTRAST),
        "Share of tweets matching {lexicon_words}; supported when {test} (at least "
        "{min_tweets} tweets).",
        ("tweets.tweet_text",), _check_lexicon_share, "the share of matching tweets",
        _check_bounds, {**_BOUND_TEST, **_LEXICON_WORDS}, claim_type=DISTINCTIVE,
        measure="the share of matching tweets", unit="share of tweets"),
    RuleType(
        "activity_window",
        "Activity in a time window (an event, widened on both sides) against matched "
        "windows (the same clock hours on the other days of that month): supported when "
        "enough accounts posted in it, its tweets are min_ratio times the matched windows' "
        "mean, and at most alpha of the matched windows reach it (permutation p-value); "
        "not testable when the tweets do not cover the window.",
        (Param("start", "time", REQUIRED, "start of the event, UTC"),
         Param("end", "time", REQUIRED, "end of the event, UTC"),
         Param("widen", "duration", DEBATE_WIDEN, "margin added on both sides"),
         Param("max_widen", "duration", "2h", "wider than this is no longer around the "
               "event"),
         Param("accounts", "int", 0, "accounts that must post in the window (the number "
               "the claim names)"),
         Param("tolerance", "int", 0, "accounts the count may fall short and still "
               "support"),
         Param("min_ratio", "float", 2.0, "window tweets over the matched windows' mean"),
         Param("alpha", "share", 0.05, "largest p-value against the matched windows"),
         Param("min_windows", "int", 19, "matched windows the data must cover (19: the "
               "fewest that let p reach 0.05)"),
         Param("min_tweets", "int", 30, "tweets the window and its matched windows must "
               "hold together (fewer: insufficient data)"), _MIN_CONTRAST),
        "The window {start} to {end} UTC, both ends widened by {widen} (at most "
        "{max_widen}), against the same hours on the other days of that month (matched "
        "windows; at least {min_windows} within the data, holding at least {min_tweets} "
        "tweets together); supported when at least "
        "{accounts} accounts (less a tolerance of {tolerance}) posted in the window, its "
        "tweets are at least {min_ratio:g} times the matched windows' mean, and at most "
        "{alpha:g} of the matched windows reach it (permutation p-value); not testable when "
        "the tweets do not cover the window.",
        (_TIME,), _check_window, "the rate ratio (window tweets over the matched mean)",
        _check_window_params, claim_type=DISTINCTIVE,
        measure="the rate ratio (each cohort's window against its own matched windows)",
        unit="rate ratio"),
    RuleType(
        "median_engagement",
        "Median engagement per original tweet (retweets left out: the archive gives them "
        "zero counts): supported when below max_median (little engagement).",
        (Param("metric", "text", "like_count", "like_count, retweet_count, reply_count, "
               "quote_count, or total (all four)"),
         Param("max_median", "float", 2.0, "the median must stay below this"),
         _MIN_TWEETS),
        "Median {metric} per original tweet (retweets left out: the archive gives them "
        "zero counts) is below {max_median:g}; at least {min_tweets} originals.",
        ("tweets.{metric}",), _check_engagement, "the median", _check_metric,
        {"metric_words": lambda p: _METRIC_WORDS[p.metric].split(" (")[0]},
        unit="{metric_words} per original tweet (median)", trait="low engagement"),
    RuleType(
        "persona_accounts",
        "Accounts whose profile presents as one of the persona kinds "
        "(casebook.accounts.PERSONA_LEXICONS: official, news) and, with place, names that "
        "place (casebook.accounts.PLACE_LEXICONS) in location, name or description: "
        "supported when at least min_found accounts, and at least subset_min_share of "
        "the accounts, do.",
        (Param("kinds", "texts", ("official", "news"), "persona kinds counted"),
         Param("place", "text", None, "country the profile must name; null: any",
               optional=True),
         Param("min_found", "int", 2, "persona accounts needed"),
         _SUBSET_MIN_SHARE, _MIN_ACCOUNTS, _MIN_CONTRAST),
        "Accounts whose profile matches the persona lexicons {kinds}{place_words}; "
        "supported when there are at least {min_found} and at least "
        "{subset_min_share:.0%} of the accounts (at least {min_accounts} accounts).",
        (_PROFILE,), _check_personas, "the number of persona accounts",
        _check_persona_params,
        {"place_words": lambda p: f" and names {p.place}" if p.place else ""},
        claim_type=DISTINCTIVE, measure="the share of the accounts with such a persona",
        unit="accounts"),
    RuleType(
        "follow_spam",
        "Accounts flagged by casebook.accounts.follow_spam (follow-spraying: many "
        "followed, a high following/follower ratio; or follow-back tweets): supported "
        "when at least min_found accounts, and at least subset_min_share of the "
        "accounts, are flagged.",
        (Param("min_ratio", "float", 5.0, "following/follower ratio of follow-spraying"),
         Param("min_following", "int", 1000, "accounts followed for follow-spraying"),
         Param("min_followback_tweets", "int", 3, "follow-back tweets that flag an account"),
         Param("lexicon", "lexicon", "follow_back", "the follow-back terms, or their "
               "lexicon's name"),
         Param("min_found", "int", 2, "flagged accounts needed"),
         _SUBSET_MIN_SHARE, _MIN_ACCOUNTS, _MIN_CONTRAST),
        "Accounts flagged by follow_spam: following at least {min_following} with a "
        "following/follower ratio of at least {min_ratio:g}, or at least "
        "{min_followback_tweets} tweets matching {lexicon_words}; supported when at "
        "least {min_found} accounts and at least {subset_min_share:.0%} of the accounts are "
        "flagged (at least {min_accounts} accounts).",
        ("users.following_count", "users.follower_count"), _check_spam,
        "the number of flagged accounts", extras=_LEXICON_WORDS, claim_type=DISTINCTIVE,
        measure="the share of the accounts flagged", unit="accounts"),
    RuleType(
        "retweet_share",
        "Share of tweets that are retweets: supported when it meets the bound.",
        (*_BOUNDS, _MIN_TWEETS),
        "Share of tweets that are retweets; supported when {test} (at least {min_tweets} "
        "tweets).",
        ("tweets.is_retweet|tweets.retweet_tweetid",), _check_retweets,
        "the retweet share", _check_bounds, _SHARE_WORDS, unit="share of tweets",
        trait="a {low_high} retweet share"),
    RuleType(
        "follower_reach",
        "Small audiences: supported when the largest account has fewer than "
        "max_followers followers and at most max_large_share of the accounts have more "
        "than large.",
        (Param("max_followers", "int", 20_000, "the largest account stays below this"),
         Param("large", "int", 1000, "followers that make an account large"),
         Param("max_large_share", "share", 0.35, "share of large accounts at most this"),
         _MIN_ACCOUNTS),
        "The largest account has under {max_followers:,} followers and at most "
        "{max_large_share:.0%} of the accounts have more than {large:,} (at least "
        "{min_accounts} accounts).",
        ("users.follower_count",), _check_reach, "the largest follower count",
        unit="followers (largest account)", trait="a small audience"),
    RuleType(
        "year_share",
        "Share of tweets posted in a calendar year (UTC): supported when it meets the "
        "bound.",
        (Param("year", "int", REQUIRED, "the year"), *_BOUNDS, _MIN_TWEETS),
        "Share of the tweets posted in {year} (UTC); supported when {test} (at least "
        "{min_tweets} tweets).",
        (_TIME,), _check_year, "the share of the year's tweets", _check_bounds, _SHARE_WORDS,
        unit="share of tweets", trait="a {low_high} share of tweets from {year}"),
    RuleType(
        "language_share",
        "Share of tweets (with a language) in the given languages (tweet_language "
        "codes): supported when it meets the bound.",
        (Param("languages", "texts", REQUIRED, "language codes: [ru], [ar, fa]"),
         *_BOUNDS, _MIN_TWEETS),
        "Share of the tweets with a language that are in {languages}; supported when "
        "{test} (at least {min_tweets} tweets with a language).",
        ("tweets.tweet_language",), _check_language, "the share in those languages",
        _check_bounds, _SHARE_WORDS, unit="share of tweets with a language",
        trait="a {low_high} share of tweets in {languages}"),
    RuleType(
        "creation_wave",
        "Accounts created in a short period: the largest share of the accounts created "
        "within any window of the given length; supported when it meets the bound.",
        (Param("window", "duration", "30D", "length of the period"), *_BOUNDS,
         _MIN_ACCOUNTS, _MIN_CONTRAST),
        "Largest share of the accounts created within {window} of each other; supported "
        "when {test} (at least {min_accounts} accounts with a creation date).",
        ("users.account_creation_date",), _check_creation,
        "the share of accounts created in the busiest period", _check_bounds, _BOUND_TEST,
        claim_type=DISTINCTIVE, measure="the share of accounts created in the busiest period",
        unit="share of accounts"),
    RuleType(
        "coordination_share",
        "Share of the accounts with tweets that belong to coordination communities, from "
        "the coordination result passed to evaluate_claims (coordination=; not testable "
        "without one); when the result has chance replicates the count must also be "
        "above chance (p at most alpha).",
        (*_BOUNDS, Param("alpha", "share", 0.05, "largest p-value against the chance "
                         "replicates"), _MIN_ACCOUNTS, _MIN_CONTRAST),
        "Share of the accounts with tweets that are in coordination communities (the "
        "coordination result given); supported when {test} and, when the result has "
        "chance replicates, their count is above chance (p at most {alpha:g}); at least "
        "{min_accounts} accounts; not testable without a coordination result.",
        ("tweets.userid",), _check_coordination, "the share of coordinated accounts",
        _check_bounds, _BOUND_TEST, claim_type=DISTINCTIVE,
        measure="the share of coordinated accounts", unit="share of accounts"),
)


def rule_catalogue() -> pd.DataFrame:
    """Every rule type's parameters: one row per parameter.

    Returns
    -------
    DataFrame ``rule, claim_type, parameter, kind, default, doc``, in catalogue order;
    ``claim_type`` is the rule type's (descriptive or distinctive: :attr:`RuleType.claim_type`).

    Examples
    --------
    >>> rule_catalogue().query("rule == 'retweet_share'")["parameter"].tolist()
    ['min_share', 'max_share', 'about', 'tolerance', 'min_tweets']
    """
    return pd.DataFrame(
        [{"rule": t.name, "claim_type": t.claim_type, "parameter": p.name,
          "kind": p.describe_kind(),
          "default": repr(p.default) if p.default is REQUIRED else _yaml_text(p.default),
          "doc": p.doc} for t in RULE_TYPES.values() for p in t.params],
        columns=["rule", "claim_type", "parameter", "kind", "default", "doc"])


def _yaml_text(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip() \
        .removesuffix("...").strip()


# --------------------------------------------------------------------------- claims files

_CLAIM_KEYS = ("id", "text", "source", "operation", "datasets", "rule", "params",
               "rule_text", "keywords")
_DEFAULT_KEYS = ("source", "operation", "datasets")
_FILE_KEYS = ("claims", "defaults", "lexicons")
_KEY_ON_LINE = re.compile(r"^\s*(?:-\s+)?([^\s#:'\"][^:#]*?)\s*:(?:\s|$)")


class _Reader:
    """Reads one claims file, every error naming the file, the key and the line."""

    def __init__(self, path: Path, shown: str) -> None:
        self.path, self.shown = path, shown

    def error(self, node: yaml.Node | None, key: str, message: str) -> ParameterError:
        line = f", line {node.start_mark.line + 1}" if node is not None else ""
        return ParameterError(f"{self.shown}{line}, {key}: {message}",
                              hint="the format of claims files is in docs/claims.md")

    def value(self, node: yaml.Node, key: str) -> Any:
        try:
            return yaml.SafeLoader("").construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise self.error(node, key, f"cannot read the value: "
                             f"{getattr(error, 'problem', None) or error}") from None

    def mapping(self, node: yaml.Node, key: str, allowed: Sequence[str] | None = None
                ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The entries of a mapping node by key: ``{key: (key node, value node)}``."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key, f"expected a mapping (key: value lines), got "
                             f"{_node_words(node)}")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            name = self.value(knode, key)
            where = f"{key}.{name}" if key != "the file" else str(name)
            if not isinstance(name, str):
                raise self.error(knode, where, f"a key is a text, got {_words(name)}")
            if name in out:
                raise self.error(knode, where, f"the key '{name}' is given twice (first "
                                 f"at line {out[name][0].start_mark.line + 1})")
            if allowed is not None and name not in allowed:
                raise self.error(knode, where, f"unknown key '{name}'{_close(name, allowed)}"
                                 f"; the keys here are {', '.join(allowed)}")
            out[name] = (knode, vnode)
        return out

    def syntax_error(self, error: yaml.YAMLError, text: str) -> ParameterError:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        if mark is None:
            return ParameterError(f"{self.shown}: YAML syntax error: {problem}")
        lines = text.splitlines()
        key = "the file"
        # the key on the line at fault, else the nearest one above it
        for number in range(min(mark.line, len(lines) - 1), -1, -1):
            found = _KEY_ON_LINE.match(lines[number])
            if found:
                key = f"near key '{found[1]}'"
                break
        return ParameterError(f"{self.shown}, line {mark.line + 1}, {key}: YAML syntax "
                              f"error: {problem}",
                              hint="check the indentation, colons and quotes on that line")


def _node_words(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.ScalarNode):
        return f"'{node.value}'" if node.value else "nothing"
    return "a mapping"


def builtin_claims_file(operation: str) -> Path:
    """The built-in claims file of an operation: ``params/claims/<operation>.yaml``."""
    return paths.params_dir() / "claims" / f"{operation}.yaml"


def load_claims(path: str | os.PathLike[str]) -> list[Claim]:
    """Read the claims of a claims file (YAML; the format is in ``docs/claims.md``).

    Parameters
    ----------
    path
        The file; a relative path is found as :func:`casebook.paths.resolve` finds it
        (from the working directory, else from the checkout).

    Returns
    -------
    The claims, in the file's order, each checked: its rule type exists, its
    parameters are the rule type's and of the right kind, its ``rule_text`` fills in.

    Raises
    ------
    ParameterError
        The first problem found, naming the file, the key and the line: a YAML syntax
        error, an unknown key, rule type (with the closest name) or parameter, a value of
        the wrong kind, a missing ``id``, ``text``, ``source`` or ``rule``, a duplicate
        id.

    Examples
    --------
    >>> claims = load_claims("params/claims/example.yaml")
    >>> [c.rule for c in claims][:2]
    ['retweet_share', 'creation_wave']
    """
    resolved = paths.resolve(path)
    # a file of the checkout is named from its root: messages carry no absolute path
    shown = (resolved.relative_to(paths.ROOT).as_posix()
             if resolved.is_relative_to(paths.ROOT) else str(path))
    reader = _Reader(resolved, shown)
    try:
        text = resolved.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"{shown}: no such claims file") from None
    except (UnicodeDecodeError, IsADirectoryError) as error:
        raise ParameterError(f"{shown}: cannot read the claims file: {error}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise reader.syntax_error(error, text) from None
    if root is None:
        raise reader.error(None, "the file", "the file is empty; it needs a claims: list")
    top = reader.mapping(root, "the file", _FILE_KEYS)
    if "claims" not in top:
        raise reader.error(root, "the file", "no claims: list")
    defaults = ({k: (kn, vn) for k, (kn, vn) in reader.mapping(
        top["defaults"][1], "defaults", _DEFAULT_KEYS).items()}
        if "defaults" in top else {})
    lexicons = _file_lexicons(reader, top["lexicons"][1]) if "lexicons" in top else {}
    items = top["claims"][1]
    if not isinstance(items, yaml.SequenceNode):
        raise reader.error(items, "claims", f"expected a list of claims (lines starting "
                           f"with '- '), got {_node_words(items)}")
    if not items.value:
        raise reader.error(items, "claims", "the list is empty: write at least one claim "
                           "(or leave claims_file empty for a release with no claims)")
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items.value):
        claim = _read_claim(reader, item, f"claims[{i}]", defaults, lexicons,
                            resolved.stem)
        if claim.id in seen:
            raise reader.error(item, f"claims[{i}].id", f"duplicate id '{claim.id}' "
                               f"(first at line {seen[claim.id]})")
        seen[claim.id] = item.start_mark.line + 1
        out.append(claim)
    return out


def _file_lexicons(reader: _Reader, node: yaml.Node) -> dict[str, Any]:
    out = {}
    for name, (_, vnode) in reader.mapping(node, "lexicons").items():
        value = reader.value(vnode, f"lexicons.{name}")
        try:
            terms = _coerce_lexicon(value, ValueError(
                f"expected a list of terms or {{topic: [...], stance: [...]}}, got "
                f"{_words(value)}"))
        except ValueError as error:
            raise reader.error(vnode, f"lexicons.{name}", str(error)) from None
        if isinstance(terms, str):
            raise reader.error(vnode, f"lexicons.{name}", "expected a list of terms or "
                               "{topic: [...], stance: [...]}, got a name")
        out[name] = terms
    return out


def _read_claim(reader: _Reader, item: yaml.Node, key: str,
                defaults: Mapping[str, tuple[yaml.Node, yaml.Node]],
                lexicons: Mapping[str, Any], stem: str) -> Claim:
    entries = reader.mapping(item, key, _CLAIM_KEYS)
    nodes = {**{k: v for k, (_, v) in defaults.items()}, **{k: v for k, (_, v) in
                                                             entries.items()}}
    raw = {name: reader.value(node, f"{key}.{name}") for name, node in nodes.items()
           if name not in ("params", "keywords")}
    ident = raw.get("id")
    label = f"{key} ({ident})" if isinstance(ident, str) else key
    for required in ("id", "text", "source", "rule"):
        if required not in raw:
            raise reader.error(item, label, f"missing key '{required}'")
    params: dict[str, Any] = {}
    param_nodes: dict[str, yaml.Node] = {}
    if "params" in nodes:
        for name, (_, vnode) in reader.mapping(nodes["params"],
                                                   f"{label}.params").items():
            params[name] = reader.value(vnode, f"{label}.params.{name}")
            param_nodes[name] = vnode
    keywords = {}
    if "keywords" in nodes:
        for name, (_, vnode) in reader.mapping(nodes["keywords"],
                                               f"{label}.keywords").items():
            keywords[name] = reader.value(vnode, f"{label}.keywords.{name}")
    fields = SimpleNamespace(
        id=raw["id"], operation=raw.get("operation", stem), text=raw["text"],
        source=raw["source"], rule=raw["rule"], params=params,
        datasets=raw.get("datasets") or (), rule_text=raw.get("rule_text"),
        keywords=keywords, lexicons=lexicons)
    try:
        _check_claim(fields)
    except _Invalid as error:
        if error.key in param_nodes:
            where, node = f"{label}.params.{error.key}", param_nodes[error.key]
        elif error.key in nodes and error.key != "params":
            where, node = f"{label}.{error.key}", nodes[error.key]
        else:  # a parameter not given, or values that do not go together
            where = f"{label}.params"
            node = (entries["params"][0] if "params" in entries else entries["rule"][0])
        raise reader.error(node, where, str(error)) from None
    return Claim(id=fields.id, operation=fields.operation, text=fields.text,
                 source=fields.source, rule=fields.rule, params=params,
                 datasets=fields.datasets, rule_text=fields.rule_text, keywords=keywords,
                 lexicons=lexicons,
                 origin=f"{reader.shown}, line {item.start_mark.line + 1}")



@functools.cache
def _builtin(operation: str) -> tuple[Claim, ...]:
    return tuple(load_claims(builtin_claims_file(operation)))


class _BuiltinClaims(Mapping[str, list[Claim]]):
    """The built-in claims by operation, read from ``params/claims/`` when first used."""

    def __getitem__(self, operation: str) -> list[Claim]:
        if operation not in OPERATIONS:
            raise KeyError(operation)
        return list(_builtin(operation))

    def __iter__(self):
        return iter(OPERATIONS)

    def __len__(self) -> int:
        return len(OPERATIONS)

    def __repr__(self) -> str:
        return f"CLAIMS({', '.join(OPERATIONS)}: read from {paths.params_dir() / 'claims'})"


#: The disclosure's claims per operation, from ``params/claims/<operation>.yaml``:
#: ``russia`` is the GRU network, ``ira`` the IRA-linked release (SIO's description of
#: it; no GRU claim is tested on it). A mapping ``operation -> list[Claim]``.
CLAIMS: Mapping[str, list[Claim]] = _BuiltinClaims()


# --------------------------------------------------------------------------- the ledger

#: Columns of the ledger, in order.
LEDGER_COLUMNS: tuple[str, ...] = ("id", "operation", "claim", "source", "rule",
                                   "claim_type", "evidence", "verdict", "release_verdict",
                                   "value", "value_unit", "control_verdict",
                                   "control_value", "control_evidence")

_OPERATION_OF_DATASET = {"iran_202012": "iran", "GRU_202012": "russia", "IRA_202012": "ira",
                         "armenia_202012": "armenia"}
_OPERATION_HINTS: dict[str, tuple[str, ...]] = {
    "iran": ("iran",), "russia": ("gru", "russia"), "ira": ("ira_",), "armenia": ("armenia",),
}
_NO_CONTROL = "no control cohort was given"


def _operation_of(release: ReleaseLike) -> str:
    name = str(getattr(release, "name", ""))
    dataset = catalogue.dataset_of(name)
    if dataset is not None and dataset in _OPERATION_OF_DATASET:
        return _OPERATION_OF_DATASET[dataset]
    low = name.lower() + "_"
    for operation, hints in _OPERATION_HINTS.items():
        if any(hint in low for hint in hints):
            return operation
    raise UsageError(f"cannot tell the operation of release {name!r}: pass the claims "
                     f"(load_claims(FILE), a list of Claim, or one of {sorted(OPERATIONS)})",
                     hint="a case notebook takes a claims file in its claims_file "
                     "parameter")


@dataclass
class _Cohort:
    """Tweets given as a control, with no users table."""

    tweets: pd.DataFrame
    users: pd.DataFrame
    name: str = "control"


def _as_release(control: ReleaseLike | pd.DataFrame) -> ReleaseLike:
    if isinstance(control, pd.DataFrame):
        users = pd.DataFrame({c: pd.Series(dtype=d) for c, d in USER_DTYPES.items()})
        return _Cohort(control, users)
    return control


def _run(claim: Claim, release: ReleaseLike, values: Mapping[str, Any],
         ctx: _Context) -> Outcome:
    """One claim on one release: dataset, columns, the rule, then the release's size."""
    dataset = catalogue.dataset_of(str(getattr(release, "name", "")))
    if claim.datasets and dataset is not None and dataset not in claim.datasets:
        own = _OPERATION_OF_DATASET.get(dataset)
        whose = (f"operation {own!r} has its own claims" if own
                 else "it needs claims of its own")
        return Outcome(NOT_TESTABLE, f"the claim was published about "
                       f"{' and '.join(claim.datasets)}; this release is {dataset} "
                       f"({whose})")
    missing = _missing(release, claim.requires(values))
    if missing:
        return Outcome(NOT_TESTABLE, "absent or empty: " + "; ".join(missing))
    outcome = claim.rule_type.check(release, SimpleNamespace(**values), ctx)
    if outcome.verdict in (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE):
        cover = catalogue.coverage(release)
        if cover is not None and not cover.sufficient:
            return Outcome(INSUFFICIENT, f"{cover.describe()}: under "
                           f"{catalogue.MIN_COVERAGE:.0%}, too little to test the claim; "
                           f"on what it holds: {outcome.evidence}", outcome.value)
    return outcome


def _claims_of(release: ReleaseLike,
               claims: Sequence[Claim] | str | os.PathLike[str] | None) -> list[Claim]:
    if claims is None:
        claims = _operation_of(release)
    if isinstance(claims, os.PathLike) or (isinstance(claims, str)
                                           and claims.endswith((".yaml", ".yml"))):
        return load_claims(claims)
    if isinstance(claims, str):
        if claims not in OPERATIONS:
            raise UsageError(f"unknown operation {claims!r}: one of {sorted(OPERATIONS)}"
                             f"{_close(claims, OPERATIONS)}",
                             hint="or pass a claims file (load_claims)")
        return CLAIMS[claims]
    claims = list(claims)
    bad = [c for c in claims if not isinstance(c, Claim)]
    if bad:
        raise UsageError(f"claims must be Claim objects (load_claims), got "
                         f"{type(bad[0]).__name__}")
    ids = pd.Series([c.id for c in claims], dtype="object")
    twice = ids[ids.duplicated()].tolist()
    if twice:
        raise ParameterError(f"the claims repeat the id {twice[0]!r}: ids must be unique")
    return claims


def _known_keywords(claims: Sequence[Claim]) -> set[str]:
    """Keywords :func:`evaluate_claims` accepts: every rule type's parameter names and
    the keywords the claims (and the built-in ones) declare. A keyword none of the
    evaluated claims has is ignored (a case passes its notebook parameters to every
    dataset's claims), but a keyword no claim knows is a typo."""
    known = {p.name for t in RULE_TYPES.values() for p in t.params}
    for claim in claims:
        known |= set(claim.keywords)
    for operation in OPERATIONS:
        try:
            known |= {k for c in CLAIMS[operation] for k in c.keywords}
        except ParameterError:  # a broken built-in file is reported when it is used
            pass
    return known


def _synthetic(release: Any) -> bool | None:
    """Whether a release is the specimen (``checks["synthetic"]``, which
    :func:`casebook.case.open_case` records from the folder's marker); None when unknown."""
    checks = getattr(release, "checks", None)
    value = checks.get("synthetic") if isinstance(checks, dict) else None
    return value if isinstance(value, bool) else None


def _further(ours: Outcome, theirs: Outcome, *, unit: str, trait: str) -> str:
    """When ordinary accounts meet a descriptive rule and go further in its direction
    (less engagement than a "low engagement" release, smaller audiences), that in words;
    ``""`` otherwise (no direction, no values, or not further)."""
    if ours.direction == 0 or ours.value is None or theirs.value is None:
        return ""
    mine, their = float(ours.value), float(theirs.value)
    if not (np.isfinite(mine) and np.isfinite(their)) or mine == their \
            or (their > mine) != (ours.direction > 0):
        return ""
    way = "higher" if ours.direction > 0 else "lower"
    what = trait or "what the claim describes"
    return (f"They meet the rule too, and ordinary accounts are {way} still "
            f"({value_in_words(their, unit) or f'{their:g}'} for them, "
            f"{value_in_words(mine, unit) or f'{mine:g}'} here): {what} is not what sets "
            f"this release apart; not distinguishable from ordinary accounts")


def _against_control(rule: RuleType, ours: Outcome, theirs: Outcome | None,
                     min_contrast: float, *, model: bool = False, unit: str = "",
                     trait: str = "") -> tuple[str, str]:
    """The verdict and evidence of a claim, once set beside ordinary accounts.

    Every row says what ordinary accounts give (or that no control was given). A
    supported distinctive claim stays supported only when its measure is at least
    ``min_contrast`` times the control's in the claim's direction (for a claim without a
    direction, when the control does not meet the rule); a supported descriptive claim
    only when the control does not meet its rule. Otherwise it is not distinctive. A
    claim whose rule is met but that was not compared with ordinary accounts (no
    control, a control the rule cannot be measured on) is inconclusive: "supported"
    means distinguishable from ordinary accounts, and nothing shows that ordinary
    accounts do not meet the rule too.
    ``model``: the control is synthetic (the specimen's model of ordinary accounts) and
    the release real: its values are shown, but a real release is not judged
    distinctive or not against invented accounts, so such a claim is inconclusive too.
    ``unit`` and ``trait`` (:meth:`RuleType.unit_of`, :meth:`RuleType.trait_of`): when
    ordinary accounts meet a descriptive rule and go further in its direction (less
    engagement than a release said to draw little), the evidence says so plainly.
    """
    untested = "inconclusive until ordinary accounts are shown not to meet it"
    if theirs is None:
        if ours.verdict == SUPPORTED:
            return INCONCLUSIVE, (f"{ours.evidence}. Met here, but not compared with "
                                  f"ordinary accounts ({_NO_CONTROL}): {untested}")
        return ours.verdict, f"{ours.evidence}. Ordinary accounts: {_NO_CONTROL}"
    said = theirs.brief or f"{theirs.verdict} ({theirs.evidence})"
    if ours.verdict != SUPPORTED:
        return ours.verdict, f"{ours.evidence}. Ordinary accounts (control): {said}"
    if model:
        return INCONCLUSIVE, (f"{ours.evidence}. Met here, but not compared with ordinary "
                              f"accounts: the only control cohort is synthetic (the "
                              f"specimen's model of ordinary accounts: {said}) and this "
                              f"release is real; {untested} (a control cohort of real "
                              f"ordinary accounts, -p control_dataset, would test it)")
    if not rule.distinctive:
        # a description: it sets the operation apart only when ordinary accounts do not
        # meet it too; guarded by tests/test_claims.py::test_a_description_ordinary_accounts_meet_too_is_not_distinctive
        if theirs.verdict not in (SUPPORTED, NOT_SUPPORTED) or not theirs.brief:
            return INCONCLUSIVE, (f"{ours.evidence}. Met here, but not compared with ordinary "
                                  f"accounts: on the control the rule is {theirs.verdict} "
                                  f"({theirs.evidence}); {untested}")
        side = (f"{ours.evidence}. Against ordinary accounts (control): {ours.brief} here; "
                f"{theirs.brief} for ordinary accounts")
        if theirs.verdict == SUPPORTED:
            further = _further(ours, theirs, unit=unit, trait=trait)
            if further:
                return NOT_DISTINCTIVE, f"{side}. {further}"
            return NOT_DISTINCTIVE, (f"{side}. They meet the rule too: true of this "
                                     f"release, but not distinguishable from ordinary "
                                     f"accounts")
        return SUPPORTED, (f"{side}. They do not meet the rule: distinguishable from "
                           f"ordinary accounts")
    if ours.measure is None or theirs.measure is None or not theirs.brief:
        return INCONCLUSIVE, (f"{ours.evidence}. Met here, but not compared with ordinary "
                              f"accounts: on the control the rule is {theirs.verdict} "
                              f"({theirs.evidence}); {untested}")
    side = (f"{ours.evidence}. Against ordinary accounts (control): {ours.brief} here; "
            f"{theirs.brief} for ordinary accounts")
    if ours.direction == 0:  # a share "about" a value, or between two bounds
        if theirs.verdict == SUPPORTED:
            return NOT_DISTINCTIVE, (f"{side}. They meet the rule too: not "
                                     f"distinguishable from ordinary accounts")
        return SUPPORTED, (f"{side}. They do not meet the rule: distinguishable from "
                           f"ordinary accounts")
    times = contrast(ours.measure, theirs.measure, larger=ours.direction > 0)
    measure = rule.measure[0].upper() + rule.measure[1:]
    rule_words = f"(distinctive from {min_contrast:g} times)"
    sized = ours.interval is not None and theirs.interval is not None
    # the rule's factor is named once, after the number it applies to
    first_words = "" if sized else f" {rule_words}"
    if np.isinf(times):
        how = (f"{measure} is 0 for ordinary accounts" if ours.direction > 0 else
               f"{measure} is 0 here and above 0 for ordinary accounts")
    else:
        how = (f"{measure} is {times:.1f} times theirs{first_words}" if ours.direction > 0
               else f"{measure} is {times:.1f} times lower than theirs{first_words}")
    if sized:
        # shares of a few hundred accounts: judged on what the two cohorts' sizes allow
        times = interval_contrast(ours.interval, theirs.interval, larger=ours.direction > 0)
        how += (f"; at least {times:.1f} times {'theirs' if ours.direction > 0 else 'lower'} "
                f"for cohorts of these sizes {rule_words}")
    if times >= min_contrast:
        return SUPPORTED, f"{side}. {how}: distinguishable from ordinary accounts"
    if sized:
        return NOT_DISTINCTIVE, (f"{side}. {how}: not distinguishable from ordinary "
                                 f"accounts, whose share could be that close for cohorts "
                                 f"of these sizes")
    return NOT_DISTINCTIVE, (f"{side}. {how}: not distinguishable from ordinary accounts, "
                             f"who do about the same or more")


def evaluate_claims(release: ReleaseLike,
                    claims: Sequence[Claim] | str | os.PathLike[str] | None = None, *,
                    control: ReleaseLike | pd.DataFrame | None = None,
                    lexicons: Mapping[str, Any] | None = None,
                    coordination: Any = None, control_coordination: Any = None,
                    params: Mapping[str, Any] | None = None,
                    **overrides: Any) -> pd.DataFrame:
    """Test claims on a release, and each rule on a control cohort of ordinary accounts.

    Parameters
    ----------
    release
        A :class:`casebook.Release`.
    claims
        A list of :class:`Claim` (from :func:`load_claims`), a claims file (a path, or a
        text ending in ``.yaml``), an operation name (``"iran"``, ``"russia"``,
        ``"ira"``, ``"armenia"``: its built-in claims, :data:`CLAIMS`), or None to pick
        the operation from ``release.name``.
    control
        Ordinary accounts (a release, or their tweets alone): every check runs on them
        too and every row's evidence says what they give; a distinctive claim whose
        measure is not ``min_contrast`` times theirs, and a descriptive claim whose rule
        they meet too, is ``not distinctive``. None: the rows say no control was given
        (and a met rule is inconclusive).
    lexicons
        Lexicons by name: a notebook's ``lexicons`` parameter, passed here, reaches every
        check that reads a lexicon (``lexicon: anti_nato`` in a claim). Names not given
        keep the claims file's or the defaults (:data:`casebook.content.NARRATIVE_LEXICONS`,
        ``follow_back``: :data:`casebook.accounts.FOLLOWBACK_TERMS`).
    coordination, control_coordination
        The coordination result of the release and of the control
        (:func:`casebook.case.coordination_analysis`, or a DataFrame with the
        coordinated accounts' ``userid``) for ``coordination_share`` rules; without one
        such a rule is not testable.
    params
        Overrides as a mapping (the keywords below win over it).
    **overrides
        A parameter of the claims' rule types, set on every claim whose rule has it
        (``min_tweets=50``, ``management_as_automation=True``), or a keyword a claim
        declares for one of its parameters (``debate_widen="1h"``, ``nato_min_tweets=4``,
        ``scheduling_min_share=0.8``). Claims without it ignore it.

    Returns
    -------
    DataFrame with :data:`LEDGER_COLUMNS`: ``id, operation, claim, source, rule,
    claim_type, evidence, verdict, release_verdict, value, value_unit`` and the
    control's ``control_verdict, control_value, control_evidence``, one row per claim in
    the order given. ``rule`` has the parameters filled in. ``verdict`` is the claim's,
    set beside ordinary accounts; ``release_verdict`` the rule's on the release alone (a
    distinctive claim can meet its rule and still be not distinctive or inconclusive).
    ``value`` and ``control_value`` are numbers of the rule's own kind (a rate ratio, a
    share, a count): ``value_unit`` says which (``rate ratio``, ``share of tweets``,
    ``accounts``...; :func:`casebook.evidence.value_in_words` says a value with it, as
    :func:`casebook.report.render_ledger` shows it).

    Raises
    ------
    ParameterError
        A keyword no rule type or claim knows, a value of the wrong kind, values that
        do not go together (``debate_widen`` beyond ``debate_max_widen``), a lexicon
        named but not defined, or a bad claims file.
    UsageError
        An unknown operation, or a release whose operation cannot be told.
    """
    claims = _claims_of(release, claims)
    given = {**(params or {}), **overrides}
    unknown = sorted(set(given) - _known_keywords(claims))
    if unknown:
        known = _known_keywords(claims)
        raise ParameterError(f"unknown claim parameters: {unknown}"
                             f"{_close(unknown[0], known)}",
                             hint="see casebook.claims.rule_catalogue() and the claims' "
                             "keywords")
    values = [claim.values(given) for claim in claims]  # every error before any check
    defaults = _default_lexicons()
    merged = [{**defaults, **claim.lexicons, **(lexicons or {})} for claim in claims]
    for claim, these, known in zip(claims, values, merged, strict=True):
        for param in claim.rule_type.params:
            if param.kind == "lexicon" and isinstance(these[param.name], str):
                _lexicon(_Context(known, claim.lexicons), these[param.name])
    cohort = _as_release(control) if control is not None else None
    model = (cohort is not None and _synthetic(cohort) is True
             and _synthetic(release) is False)
    # the release's accounts with tweets: a size-dependent measure of the control is
    # taken at this size
    n_accounts = int(release.tweets["userid"].nunique())
    users = getattr(release, "users", None)
    n_profiles = (int(users["follower_count"].notna().sum())
                  if isinstance(users, pd.DataFrame) and "follower_count" in users else None)
    rows = []
    for claim, these, known in zip(claims, values, merged, strict=True):  # a handful
        ctx = _Context(known, claim.lexicons, coordination)
        outcome = _run(claim, release, these, ctx)
        theirs = (_run(claim, cohort, these, _Context(known, claim.lexicons,
                                                      control_coordination, n_accounts,
                                                      n_profiles))
                  if cohort is not None else None)
        unit = claim.rule_type.unit_of(these)
        verdict, evidence = _against_control(claim.rule_type, outcome, theirs,
                                             these.get("min_contrast", MIN_CONTRAST),
                                             model=model, unit=unit,
                                             trait=claim.rule_type.trait_of(these))
        rows.append({
            "id": claim.id, "operation": claim.operation, "claim": claim.text,
            "source": claim.source, "rule": claim.describe(these),
            "claim_type": claim.rule_type.claim_type,
            "evidence": evidence, "verdict": verdict, "release_verdict": outcome.verdict,
            "value": outcome.value, "value_unit": unit,
            "control_verdict": theirs.verdict if theirs else pd.NA,
            "control_value": theirs.value if theirs else None,
            "control_evidence": theirs.evidence if theirs else _NO_CONTROL,
        })
    return pd.DataFrame(rows, columns=list(LEDGER_COLUMNS)).astype(
        {"value": "float64", "value_unit": STRING, "control_value": "float64",
         "control_verdict": STRING, "release_verdict": STRING})
