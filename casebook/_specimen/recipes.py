"""One recipe per specimen dataset: who the accounts are and what they post when.

Each ``build_*`` function returns a :class:`Built` (roster, plan of tweets, personas and
the planted facts with row/account indices); :mod:`casebook.specimen` renders and writes it.
The published facts each recipe reproduces are in ``shared/FACTS.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from casebook._specimen import vocab as V
from casebook._specimen.engine import (
    EXTERNAL,
    EXTERNAL_DC,
    ORIGINAL,
    RETWEET,
    Acct,
    Externals,
    OpClock,
    Persona,
    Plan,
    Row,
    Texts,
    account_hash,
    accounts,
    accts,
    calibrated_lognormal,
    creation_days,
    day,
    make_curve,
    make_urls,
    minute,
    num_str,
    plan_background,
    plant_group,
    plant_popular_retweets,
    plant_spread_hashtag,
    rows,
    sample_clock,
    sarr,
    scatter,
    take,
    topic_texts,
    tweet_ids,
    user_ids,
)
from casebook.catalogue import PUBLISHED as CATALOGUE

#: Published numbers the specimen reproduces at ``scale=1`` (from :mod:`casebook.catalogue`;
#: control: the casebook's choice).
PUBLISHED: dict[str, dict[str, int]] = {
    **{name: {"tweets": p.tweets, "accounts": p.accounts_with_tweets, "user_rows": p.user_rows}
       for name, p in CATALOGUE.items()},
    "control": {"tweets": 240_000, "accounts": 400, "user_rows": 400},
}

OFFICIAL = {"Twitter Web App": 0.45, "Twitter for Android": 0.25, "Twitter for iPhone": 0.2,
            "Twitter Web Client": 0.1}
MOBILE = {"Twitter for iPhone": 0.38, "Twitter for Android": 0.4, "Twitter Web App": 0.17,
          "Twitter for iPad": 0.03, "Twitter Lite": 0.02}


@dataclass
class Ctx:
    """What a recipe needs: dataset name and index, seed, scale and the random generator."""

    dataset: str
    index: int
    seed: int
    scale: float
    rng: np.random.Generator

    def n_accounts(self, base: int, *, fixed: bool = False) -> int:
        """Account counts stay published up to scale 1 and grow linearly above it."""
        if fixed or self.scale <= 1:
            return base
        return max(base, int(round(base * self.scale)))

    def n_rows(self, base: float, floor: int = 1) -> int:
        """Tweet counts of planted structures scale linearly, with a floor."""
        return max(floor, int(round(base * self.scale)))


@dataclass
class Built:
    roster: pd.DataFrame
    userids: list[str]
    plan: Plan
    personas: dict[str, Persona]
    externals: Externals
    planted: dict[str, Any]
    totals: dict[str, int]
    engagement_total: int | None = None
    notes: list[str] = field(default_factory=list)
    #: measure the activity (rates, clients, languages) into the ground truth and README
    describe_activity: bool = False


def _total(ctx: Ctx, plan: Plan, roster: pd.DataFrame, fixed_share: float = 0.0) -> int:
    n_tweeting = int(roster["tweets"].sum())
    floor = math.ceil((plan.n + n_tweeting + 10) / max(1e-9, 1.0 - fixed_share))
    return max(int(round(PUBLISHED[ctx.dataset]["tweets"] * ctx.scale)), floor)


def finalise(ctx: Ctx, roster: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Hash accounts under 5,000 followers; give the others numeric ids and unique handles."""
    roster = roster.reset_index(drop=True).copy()
    n = len(roster)
    hashed = roster["followers"].to_numpy(np.int64) < 5000
    numeric = user_ids(ctx.rng, roster["created"].to_numpy(np.int64), ctx.index)
    userids: list[str] = []
    seen: set[str] = set()
    display, handles = [], []
    for i in range(n):  # accounts, not tweets
        if hashed[i]:
            h = account_hash(ctx.seed, ctx.dataset, i)
            userids.append(h)
            display.append(h)
            handles.append(h)
            continue
        userids.append(str(numeric[i]))
        handle = roster.at[i, "handle"]
        k = 2
        while handle.lower() in seen:
            handle = f"{roster.at[i, 'handle'][:13]}{k}"
            k += 1
        seen.add(handle.lower())
        display.append(roster.at[i, "display"])
        handles.append(handle)
    roster["hashed"] = hashed
    roster["user_display_name"] = display
    roster["user_screen_name"] = handles
    return roster, userids


def _following(rng: np.random.Generator, followers: np.ndarray, spam: bool = False) -> np.ndarray:
    n = len(followers)
    if spam:
        return rng.integers(1500, 4990, n)
    f = followers * rng.lognormal(-0.2, 0.6, n) + rng.integers(15, 400, n)
    return np.minimum(np.round(f), 4990 + rng.integers(0, 3000, n)).astype(np.int64)


def _clamp_start(roster: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    roster["start"] = np.clip(roster["start"].to_numpy(np.int64), first, last - 1)
    roster["end"] = np.where(roster["end"].to_numpy(np.int64) <= 0, last,
                             np.minimum(roster["end"].to_numpy(np.int64), last))
    roster["end"] = np.maximum(roster["end"], roster["start"] + 1)
    return roster


def _idx(roster: pd.DataFrame, persona: str, tweeting: bool = True) -> np.ndarray:
    m = roster["persona"].to_numpy() == persona
    if tweeting:
        m &= roster["tweets"].to_numpy(bool)
    return np.flatnonzero(m)


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
    pool = np.asarray(pool)
    if exclude is not None and len(exclude):
        pool = pool[~np.isin(pool, exclude)]
    k = min(k, len(pool))
    return np.sort(rng.choice(pool, size=k, replace=False))


def _event(name: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "start": start, "end": end, **extra}


def _texts(lines: list[str], tags: list[list[str]]) -> Texts:
    """Literal texts (with their hashtags) for hand-written planted tweets."""
    lit = ["[" + ", ".join(f"'{t}'" for t in tg) + "]" for tg in tags]
    return Texts(sarr(lines), sarr(lit), sarr(["[]"] * len(lines)))


# =======================================================================================
# Iran
# =======================================================================================

IRAN_TOPICS = {
    "es_news": V.IRAN_ES_NEWS, "en_news": V.IRAN_EN_NEWS, "fa_news": V.IRAN_FA_NEWS,
    "fr_news": V.IRAN_FR_NEWS, "ar_news": V.IRAN_AR_NEWS, "id_palestine": V.IRAN_ID_PALESTINE,
    "us_right": V.IRAN_US_RIGHT, "us_left": V.IRAN_US_LEFT, "debate_right": V.IRAN_DEBATE_RIGHT,
    "debate_left": V.IRAN_DEBATE_LEFT, "follow_en": V.FOLLOW_EN, "follow_es": V.FOLLOW_ES,
}
IRAN_STATE_MEDIA_SHARE = 302_648 / 560_571
IRAN_RETWEET_SHARE = 100_446 / 560_571
IRAN_REPLY_SHARE = 89_139 / 560_571
DEBATE_START, DEBATE_END = "2020-09-30T01:00", "2020-09-30T02:29"


def build_iran(ctx: Ctx) -> Built:
    rng = ctx.rng
    first, last = day("2009-09-01"), day("2020-12-27")
    office = {"Twitter Web App": 0.5, "Twitter Web Client": 0.2, "Twitter for Android": 0.22,
              "Twitter for iPhone": 0.08}
    personas = {
        "state_media": Persona({"es_news": 1.0}, {"Twitter Web Client": 0.45, "TweetDeck": 0.3,
                                                  "Twitter Web App": 0.25},
                               rt=0.02, reply=0.01, hours="broadcast", quote=0.004, lang_blank=0.04),
        "es_activist": Persona({"es_news": 0.85, "follow_es": 0.15}, office, rt=1.5, reply=1.1),
        "en_news": Persona({"en_news": 0.92, "follow_en": 0.08}, office, rt=1.5, reply=1.1),
        "fa_news": Persona({"fa_news": 1.0}, office, rt=1.5, reply=1.1, lang_blank=0.12),
        "fr_news": Persona({"fr_news": 1.0}, office, rt=1.5, reply=1.0),
        "ar_news": Persona({"ar_news": 1.0}, office, rt=1.5, reply=1.0),
        "id_palestine": Persona({"id_palestine": 0.9, "follow_en": 0.1}, office, rt=1.5, reply=1.2),
        "pro_trump": Persona({"us_right": 0.88, "follow_en": 0.12}, office, rt=1.4, reply=1.4),
        "pro_biden": Persona({"us_left": 0.88, "follow_en": 0.12}, office, rt=1.4, reply=1.4),
        "spam": Persona({"follow_en": 0.6, "follow_es": 0.2, "es_news": 0.2}, office, rt=1.0,
                        reply=2.2, reply_network=0.3),
    }
    waves = [("2011-01-01", "2018-12-31", 0.17), ("2019-02-01", "2019-04-30", 0.26),
             ("2019-10-01", "2019-12-31", 0.21), ("2020-03-01", "2020-05-31", 0.25),
             ("2020-07-01", "2020-08-10", 0.11)]
    debate_waves = [("2019-01-15", "2019-05-30", 0.35), ("2019-09-01", "2020-02-28", 0.4),
                    ("2020-04-01", "2020-08-15", 0.25)]
    blocks = []
    a = ctx.n_accounts

    def block(persona: str, n: int, *, culture: str, lang: Any, location: str, desc: str,
              waves_: list[tuple[str, str, float]] = waves, **kw: Any) -> None:
        blocks.append(accounts(rng, persona, n, culture=culture, created=creation_days(rng, n, waves_),
                               lang=lang, location=location, description=desc, offset=210,
                               weight=rng.lognormal(0.0, 0.9, n), **kw))

    state = accounts(rng, "state_media", 1, culture="es", created=np.array([day("2010-05-17")]),
                     lang="es", location="tehran", description="news_es", offset=210,
                     location_empty=0.0)
    state.loc[0, ["display", "handle", "location", "url"]] = [
        "Alborz Noticias", "AlborzNoticias", "Teherán, Irán", "https://t.co/Qx7AlbZrN2"]
    state.loc[0, "description"] = ("Canal de noticias en español desde Teherán.\n"
                                   "Actualidad internacional con otra mirada.")
    state.loc[0, "start"] = day("2010-06-01")
    blocks.append(state)
    n_debate = a(130)
    n_trump = n_debate // 2
    block("pro_trump", n_trump, culture="us", lang=["en", "en", "en", "en-gb"], location="us",
          desc="us_right", waves_=debate_waves, end=day("2020-10-02") + rng.integers(0, 5, n_trump),
          description_empty=0.05, location_empty=0.15)
    block("pro_biden", n_debate - n_trump, culture="us", lang=["en", "en", "en", "en-gb"],
          location="us_left", desc="us_left", waves_=debate_waves,
          end=day("2020-10-02") + rng.integers(0, 5, n_debate - n_trump),
          description_empty=0.05, location_empty=0.15)
    block("en_news", a(22), culture="fa", lang=["en", "en-gb"], location="world", desc="news_en")
    block("fa_news", a(20), culture="fa", lang=["fa", "fa", "en"], location="iran", desc="news_fa")
    block("id_palestine", a(24), culture="id", lang=["id", "id", "en"], location="indonesia",
          desc="id_palestine")
    block("fr_news", a(10), culture="fr", lang="fr", location="france", desc="news_fr")
    block("ar_news", a(10), culture="ar", lang=["en", "fr"], location="arab", desc="news_ar")
    block("es_activist", a(12), culture="es", lang="es", location="latam", desc="news_es")
    block("spam", a(9), culture="us", lang=["en", "es"], location="world", desc="spam",
          description_empty=0.0)
    roster = pd.concat(blocks, ignore_index=True)

    # special personas: the oldest account (2009), a QAnon-styled and a "California" persona
    en_news = _idx(roster, "en_news")
    roster.loc[en_news[0], ["created", "start"]] = [day("2009-08-18"), day("2009-09-03")]
    trump = _idx(roster, "pro_trump")
    biden = _idx(roster, "pro_biden")
    qanon, california = int(trump[0]), int(biden[0])
    roster.loc[qanon, ["display", "handle", "created", "start"]] = [
        "Dwayne Haskins 🇺🇸", "DwayneQPatriot", day("2018-06-04"), day("2018-06-10")]
    roster.loc[qanon, "description"] = "Patriot. Truth seeker. WWG1WGA 🇺🇸\nThe storm is here."
    roster.loc[california, ["display", "handle", "created", "start", "location"]] = [
        "Kelsey Marlowe 🌊", "KelseyBlueCA", day("2017-03-14"), day("2017-03-20"), "California"]
    roster.loc[california, "description"] = "Proud Californian. Teacher. #BlueWave 🌊\nResist."
    roster = _clamp_start(roster, first, last)
    roster.loc[0, "fixed_total"] = 0  # set below once the total is known

    # followers: one 161k broadcaster, two larger personas, the rest heavy-tailed
    n = len(roster)
    others = np.setdiff1d(np.arange(n), [0, qanon, california])
    fol = np.zeros(n, dtype=np.int64)
    fol[0], fol[qanon], fol[california] = 161_347, 6_214, 9_873
    target_sum = 1_452 * n - fol.sum()
    fol[others] = rng.permutation(calibrated_lognormal(len(others), median=112,
                                                       mean=max(target_sum / len(others), 200)))
    roster["followers"] = fol
    spam = roster["persona"].to_numpy() == "spam"
    roster["following"] = np.where(spam, _following(rng, fol, spam=True), _following(rng, fol))
    roster.loc[0, "following"] = 121
    roster, userids = finalise(ctx, roster)
    plan = Plan(IRAN_TOPICS)
    clock = OpClock(make_curve(rng, "2009-09-01", "2020-12-27",
                               [("2009-09-01", 0.02), ("2012-01-01", 0.04), ("2016-01-01", 0.08),
                                ("2018-01-01", 0.25), ("2019-01-01", 0.6), ("2019-07-01", 1.0),
                                ("2020-06-01", 1.3), ("2020-12-27", 1.0)], weekday="iran",
                               calm=["2020-08-17", "2020-05-22", "2020-08-30"]),
                    "office", 210)
    planted: dict[str, Any] = {}

    # --- the first presidential debate: all 130 US personas, inside the window --------
    w0, w1 = minute(DEBATE_START), minute(DEBATE_END)
    debate = np.concatenate([trump, biden])
    k = 1 + rng.poisson(3.0 * min(ctx.scale, 1.0), len(debate))
    who = np.repeat(debate, k)
    when = rng.integers(w0, w1 + 1, len(who))
    side_right = np.isin(who, trump)
    d_rows = plan.add(who, when, kind=ORIGINAL,
                      topic=np.where(side_right, plan.tid("debate_right"), plan.tid("debate_left")))
    right_sets = [["Debates2020", "Trump2020"], ["Debate2020", "MAGA"], ["Debates2020"],
                  ["Trump2020", "Debates2020"]]
    left_sets = [["Debates2020", "BidenHarris2020"], ["Debate2020", "VoteBlue"], ["Debates2020"],
                 ["BidenHarris2020", "Debates2020"]]
    pick = rng.integers(0, 4, len(who))
    plan.force_tags(d_rows, [(right_sets if r else left_sets)[p] for r, p in zip(side_right, pick, strict=True)])
    # same-side retweets inside the window
    n_rt = max(1, len(who) // 4)
    early = d_rows[when < w1 - 5]
    tgt = early[rng.integers(0, len(early), n_rt)]
    tgt_side = np.isin(who[tgt - d_rows[0]], trump)
    rt_who = np.where(tgt_side, rng.choice(trump, n_rt), rng.choice(biden, n_rt))
    rt_when = np.minimum(when[tgt - d_rows[0]] + 1 + rng.integers(0, 12, n_rt), w1)
    d_rt = plan.add(rt_who, rt_when, kind=RETWEET, rt=tgt)
    nd = plant_group(plan, rng, roster, clock, members=_pick(rng, trump[1:], 6), kinds=("near_duplicate", "co_hashtag"),
                     n_events=ctx.n_rows(6, 2), topic="debate_right", window=2,
                     tags=[["Debates2020", "Trump2020"]], times=rng.integers(w0, w1 - 2, ctx.n_rows(6, 2)),
                     description="pro-Trump personas posting near-identical debate-night texts")
    planted["debate_window"] = {"start": DEBATE_START.replace("T", " "), "end": DEBATE_END.replace("T", " "),
                                "timezone": "UTC"}
    planted["debate_accounts"] = accts(debate)
    planted["pro_trump_accounts"] = accts(trump)
    planted["pro_biden_accounts"] = accts(biden)
    planted["debate_tweetids"] = rows(np.concatenate([d_rows, d_rt, nd["tweet_rows"]]))
    planted["debate_accounts_removed_by"] = "2020-10-07"

    # --- coordination -------------------------------------------------------------------
    used: list[int] = [*nd["members"].tolist()]
    amplifiers = np.concatenate([_idx(roster, "es_activist"), _idx(roster, "en_news")])
    g = _pick(rng, amplifiers, 6, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_retweet",), n_events=ctx.n_rows(40, 4),
                topic="es_news", source=np.array([0]), source_topic="es_news", window=1,
                period=(day("2019-06-01"), day("2020-12-20")),
                description="amplifiers retweeting the state broadcaster within a minute")
    g = _pick(rng, _idx(roster, "spam"), 5, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_tweet",), n_events=ctx.n_rows(25, 3),
                topic="follow_en", window=1, period=(day("2019-06-01"), day("2020-12-20")),
                description="follow-back spam posted word for word within a minute")
    g = _pick(rng, _idx(roster, "id_palestine"), 5, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_link", "co_hashtag"),
                n_events=ctx.n_rows(20, 3), topic="id_palestine", window=1,
                tags=[["BebaskanPalestina", "TolakNormalisasi"], ["PalestinaMerdeka"]],
                period=(day("2020-01-01"), day("2020-12-20")),
                description="Indonesian-language accounts sharing the same link and hashtags in the same minute")
    g = _pick(rng, biden[1:], 5, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_retweet",), n_events=ctx.n_rows(15, 3),
                topic="us_left", source=np.array([california]), source_topic="us_left", window=2,
                period=(day("2019-06-01"), day("2020-09-25")),
                description="pro-Biden personas retweeting the 'California' persona within two minutes")

    # --- busy days ------------------------------------------------------------------------
    non_debate = np.setdiff1d(np.flatnonzero(roster["tweets"].to_numpy(bool)), np.concatenate([debate, [0]]))
    floor = len(debate)
    events = []

    def busy(date: str, n_rows: int, who_pool: np.ndarray, topic: str | None,
             tag_sets: list[list[str]], rt_share: float = 0.2) -> np.ndarray:
        d = day(date)
        alive = who_pool[(roster["start"].to_numpy()[who_pool] <= d) & (roster["end"].to_numpy()[who_pool] >= d)]
        n_o = n_rows - int(round(n_rows * rt_share))
        w = rng.choice(alive, n_o)
        tt = np.clip(clock.times(rng, np.full(n_o, d), np.full(n_o, d)), d * 1440, d * 1440 + 1439)
        o = plan.add(w, tt, kind=ORIGINAL, topic=topic)
        plan.force_tags(o, [tag_sets[i] for i in rng.integers(0, len(tag_sets), n_o)])
        n_r = n_rows - n_o
        src = rng.integers(0, n_o, n_r)
        rt_t = np.minimum(tt[src] + 1 + rng.integers(0, 90, n_r), d * 1440 + 1439)
        r = plan.add(rng.choice(alive, n_r), rt_t, kind=RETWEET, rt=o[src])
        return np.concatenate([o, r])

    idp = _idx(roster, "id_palestine")
    b1 = busy("2020-08-17", ctx.n_rows(11000, 3 * floor), np.concatenate([idp, idp, idp, non_debate]),
              "id_palestine", [["BebaskanPalestina"], ["BebaskanPalestina", "PalestinaMerdeka"],
                               ["TolakNormalisasi", "BebaskanPalestina"], ["SavePalestine"]])
    events.append(_event("indonesian_palestine_hashtag_burst", "2020-08-17 00:00", "2020-08-17 23:59",
                         busiest_rank=1, hashtags=["BebaskanPalestina", "PalestinaMerdeka", "TolakNormalisasi"],
                         tweetids=rows(b1)))
    b2 = busy("2020-05-22", ctx.n_rows(8500, int(2.5 * floor)), non_debate, None,
              [["AlQuds"], ["QudsDay", "FreePalestine"], ["PalestinaLibre"], ["Quds"]])
    events.append(_event("quds_day_messaging", "2020-05-22 00:00", "2020-05-22 23:59", busiest_rank=2,
                         hashtags=["AlQuds", "QudsDay", "FreePalestine", "PalestinaLibre", "Quds"],
                         tweetids=rows(b2)))
    b3 = busy("2020-08-30", ctx.n_rows(5000, 2 * floor), non_debate, None,
              [["NoToNormalization"], ["NormalizaciónEsTraición"], ["TolakNormalisasi"]])
    events.append(_event("anti_normalisation_messaging", "2020-08-30 00:00", "2020-08-30 23:59",
                         busiest_rank=3, hashtags=["NoToNormalization", "NormalizaciónEsTraición",
                                                   "TolakNormalisasi"], tweetids=rows(b3)))
    events.append(_event("first_us_presidential_debate", planted["debate_window"]["start"],
                         planted["debate_window"]["end"], tweetids=planted["debate_tweetids"]))

    # --- the viral 2018 tweet of the "California" persona; anchors of the time span -------
    v = plan.add([california], [minute("2018-10-05T23:41")], kind=ORIGINAL, topic="us_left")
    plan.override_text(v, _texts(["He lied under oath and we all watched it happen. Call your senators today. "
                                  "#KavanaughLied #BlueWave"], [["KavanaughLied", "BlueWave"]]))
    plan.set_counts(v, like=63_863, retweet=21_904, reply=2_310, quote=1_187)
    planted["viral_tweet"] = {"tweetid": Row(v[0]), "account": Acct(california), "like_count": 63_863,
                              "hashtag": "KavanaughLied"}
    a0 = plan.add([en_news[0]], [minute("2009-09-03T08:12")], kind=ORIGINAL, topic="en_news")
    a1 = plan.add([0], [minute("2020-12-27T09:30")], kind=ORIGINAL, topic="es_news")
    planted["time_span"] = {"first_tweetid": Row(a0[0]), "last_tweetid": Row(a1[0])}

    # --- noise that should not be flagged -----------------------------------------------
    quiet = _pick(rng, non_debate, 12, np.array(used))
    noise_rt = plant_popular_retweets(plan, rng, clock, roster, source=0, retweeters=quiet,
                                      n_tweets=ctx.n_rows(6, 2), source_topic="es_news",
                                      period=(day("2019-06-01"), day("2020-12-01")))
    spread = plant_spread_hashtag(plan, rng, clock, roster, users=_pick(rng, non_debate, 15, np.array(used)),
                                  tag="Yemen", topic=None, min_days=3)
    planted["noise"] = {"popular_retweets": noise_rt, "spread_hashtag": spread}

    total = _total(ctx, plan, roster, IRAN_STATE_MEDIA_SHARE)
    roster.loc[0, "fixed_total"] = int(round(IRAN_STATE_MEDIA_SHARE * total))
    plan_background(plan, rng, roster, personas, clock, total=total,
                    retweets=int(round(IRAN_RETWEET_SHARE * total)),
                    replies=int(round(IRAN_REPLY_SHARE * total)))
    planted.update({
        "state_media_account": Acct(0),
        "state_media_share": "computed",
        "operator_utc_offset_hours": 3.5,
        "operator_timezone": "Asia/Tehran (fixed UTC+3:30)",
        "events": events,
    })
    return Built(roster, userids, plan, personas, Externals.make(rng, 400, ["us", "es", "fa", "ar", "id"]),
                 planted, {"tweets": total})


# =======================================================================================
# GRU
# =======================================================================================

GRU_TOPICS = {
    "syria_en": V.GRU_SYRIA_EN, "syria_ru": V.GRU_SYRIA_RU, "syria_ar": V.GRU_SYRIA_AR,
    "nato_en": V.GRU_NATO_EN, "karabakh_en": V.GRU_KARABAKH_EN, "karabakh_ru": V.GRU_KARABAKH_RU,
    "misc_ru": V.GRU_MISC_RU,
}


def build_gru(ctx: Ctx) -> Built:
    rng = ctx.rng
    first, last = day("2016-10-01"), day("2020-10-15")
    web = {"Twitter Web App": 0.46, "Twitter Web Client": 0.4, "Twitter for iPhone": 0.14}
    personas = {
        "syria_news": Persona({"syria_en": 1.0}, {**web, "levantwirenews": 0.09}, rt=0.8, reply=0.25,
                              rt_external=0.6, reply_network=0.2, lang_blank=0.03),
        "syria_ru": Persona({"syria_ru": 0.75, "misc_ru": 0.25}, web, rt=0.8, reply=0.25,
                            rt_external=0.6, reply_network=0.2, lang_blank=0.03),
        "syria_ar": Persona({"syria_ar": 1.0}, web, rt=0.6, reply=0.2, rt_external=0.6, lang_blank=0.03),
        "anti_nato": Persona({"nato_en": 1.0}, {**web, "dlvr.it": 0.02}, rt=0.7, reply=0.35,
                             rt_external=0.5, reply_network=0.2, lang_blank=0.03),
        "ru_misc": Persona({"misc_ru": 1.0}, web, rt=0.9, reply=0.2, rt_external=0.7, lang_blank=0.03),
    }
    waves = [("2014-06-01", "2016-09-30", 0.25), ("2017-01-01", "2018-12-31", 0.35),
             ("2019-01-01", "2020-06-30", 0.4)]
    nato_waves = [("2019-05-01", "2019-12-31", 0.7), ("2020-01-01", "2020-03-31", 0.3)]
    a = ctx.n_accounts
    blocks = []

    def block(persona: str, n: int, tweets: bool, *, culture: str, lang: Any, location: str,
              desc: str, waves_: Any = waves) -> None:
        created = creation_days(rng, n, waves_)
        end = np.where(rng.random(n) < 0.2, rng.integers(day("2018-06-01"), last, n), last)
        blocks.append(accounts(rng, persona, n, culture=culture, created=created, lang=lang,
                               location=location, description=desc, tweets=tweets, offset=180,
                               end=end, weight=rng.lognormal(0, 0.8, n), url_share=0.2))

    for tweets, f in ((True, 1), (False, 0)):
        block("syria_news", a(15 if f else 8), tweets, culture="eu", lang=["en", "ru"], location="syria",
              desc="syria_news")
        block("syria_ru", a(10 if f else 0), tweets, culture="ru", lang="ru", location="russia",
              desc="syria_news")
        block("syria_ar", a(8 if f else 0), tweets, culture="ar", lang=["en", "ru"], location="syria",
              desc="syria_news")
        block("anti_nato", a(15 if f else 6), tweets, culture="eu", lang=["en", "ru"], location="europe",
              desc="nato_skeptic", waves_=nato_waves)
        block("ru_misc", a(3 if f else 5), tweets, culture="ru", lang="ru", location="russia",
              desc="ru_misc")
    roster = _clamp_start(pd.concat(blocks, ignore_index=True), first, last)
    n = len(roster)
    fol = np.minimum(rng.permutation(calibrated_lognormal(n, median=330, mean=1250, sigma=1.6)), 4_900)
    syria = _idx(roster, "syria_news")
    nato = _idx(roster, "anti_nato")
    big = [syria[0], syria[1], _idx(roster, "syria_ru")[0], nato[0]]
    fol[big] = [12_384, 6_502, 7_140, 5_433]
    roster["followers"] = fol
    roster["following"] = _following(rng, fol)
    roster.loc[syria[0], ["display", "handle", "description"]] = [
        "Levant Frontline", "LevantFrontline", "Independent news from Syria and the Levant\n#Syria #MiddleEast"]
    roster.loc[syria[0], ["created", "start", "end"]] = [day("2015-03-02"), first, last]
    roster, userids = finalise(ctx, roster)
    plan = Plan(GRU_TOPICS)
    clock = OpClock(make_curve(rng, "2016-10-01", "2020-10-15",
                               [("2016-10-01", 0.4), ("2018-01-01", 0.6), ("2019-06-01", 0.9),
                                ("2020-01-01", 1.2), ("2020-10-15", 1.0)], weekday="europe",
                               spikes=[("2020-01-15", "2020-06-30", 1.3)]), "office", 180)
    planted: dict[str, Any] = {}
    used: list[int] = []

    # the October 2020 Karabakh "Syrian mercenaries" narrative
    k0, k1 = day("2020-10-01"), day("2020-10-14")
    kar_pool = np.concatenate([syria, _idx(roster, "syria_ru")])
    kar_pool = kar_pool[roster["end"].to_numpy()[kar_pool] >= k1]
    n_k = ctx.n_rows(700, 30)
    kw = rng.choice(kar_pool, n_k)
    kt = clock.times(rng, np.full(n_k, k0), np.full(n_k, k1))
    ru = roster["persona"].to_numpy()[kw] == "syria_ru"
    k_rows = plan.add(kw, kt, kind=ORIGINAL,
                      topic=np.where(ru, plan.tid("karabakh_ru"), plan.tid("karabakh_en")))
    g = _pick(rng, kar_pool, 4)
    used += g.tolist()
    kg = plant_group(plan, rng, roster, clock, members=g, kinds=("co_tweet",), n_events=ctx.n_rows(12, 2),
                     topic="karabakh_en", window=1, period=(k0, k1),
                     description="identical 'Syrian mercenaries' posts within a minute")
    planted["karabakh_mercenaries"] = _event("karabakh_syrian_mercenaries", "2020-10-01 00:00",
                                             "2020-10-14 23:59", tweetids=rows(np.concatenate([k_rows, kg["tweet_rows"]])))

    g = _pick(rng, nato, 5, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_link", "co_hashtag"), n_events=ctx.n_rows(30, 3),
                topic="nato_en", window=2, tags=[["NoDEF20", "Defender2020"], ["NATO", "ColdWar"]],
                period=(day("2020-01-15"), day("2020-06-30")),
                description="anti-NATO personas sharing the same blog post and hashtags within two minutes")
    g = _pick(rng, syria[1:], 5, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_retweet",), n_events=ctx.n_rows(25, 3),
                topic="syria_en", source=np.array([syria[0]]), source_topic="syria_en", window=1,
                period=(day("2018-01-01"), day("2020-10-10")),
                description="Syria 'local news' personas retweeting the same outlet tweet within a minute")
    g = _pick(rng, _idx(roster, "syria_ru"), 4, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("near_duplicate",), n_events=ctx.n_rows(15, 3),
                topic="syria_ru", window=2, period=(day("2018-01-01"), day("2020-10-10")),
                description="Russian-language personas posting the same text with a word changed")

    a0 = plan.add([syria[0]], [minute("2016-10-03T07:40")], kind=ORIGINAL, topic="syria_en")
    a1 = plan.add([syria[0]], [minute("2020-10-15T06:47")], kind=ORIGINAL, topic="karabakh_en")
    planted["time_span"] = {"first_tweetid": Row(a0[0]), "last_tweetid": Row(a1[0])}
    quiet = _pick(rng, np.flatnonzero(roster["tweets"].to_numpy(bool)), 10, np.array([*used, syria[0]]))
    planted["noise"] = {
        "popular_retweets": plant_popular_retweets(plan, rng, clock, roster, source=int(syria[0]), retweeters=quiet,
                                                   n_tweets=ctx.n_rows(4, 2), source_topic="syria_en"),
        "spread_hashtag": plant_spread_hashtag(plan, rng, clock, roster, users=_pick(rng, syria, 8, np.array(used)),
                                               tag="Syria", topic="syria_en", min_days=4),
    }
    total = _total(ctx, plan, roster)
    plan_background(plan, rng, roster, personas, clock, total=total, retweets=int(round(0.22 * total)),
                    replies=int(round(0.08 * total)))
    planted.update({
        "syria_accounts": accts(np.concatenate([syria, _idx(roster, "syria_ru"), _idx(roster, "syria_ar")])),
        "anti_nato_accounts": accts(nato),
        "blog_domains": ["livejournal.com", "medium.com"],
        "operator_utc_offset_hours": 3.0,
        "operator_timezone": "Europe/Moscow (UTC+3)",
        "events": [planted["karabakh_mercenaries"],
                   _event("defender_europe_20_campaign", "2020-01-15 00:00", "2020-06-30 23:59",
                          hashtags=["Defender2020", "NoDEF20", "NATO"])],
    })
    return Built(roster, userids, plan, personas, Externals.make(rng, 300, ["eu", "ar", "ru", "us"]),
                 planted, {"tweets": total})


# =======================================================================================
# IRA
# =======================================================================================


def build_ira(ctx: Ctx) -> Built:
    rng = ctx.rng
    first, last = day("2019-06-01"), day("2020-12-15")
    topics = {"us_en": V.IRA_US_EN, "eu_en": V.IRA_EU_EN, "eu_de": V.IRA_EU_DE,
              "outlet_a": V.ira_outlet_topic(V.IRA_OUTLETS[0][2]),
              "outlet_b": V.ira_outlet_topic(V.IRA_OUTLETS[1][2])}
    web = {"Twitter Web App": 0.62, "Twitter for iPhone": 0.2, "Twitter for Android": 0.15,
           "TweetDeck": 0.03}
    personas = {
        "outlet_a": Persona({"outlet_a": 1.0}, {"Twitter Web App": 0.7, "TweetDeck": 0.3}, rt=0.1,
                            reply=0.02, rt_external=0.2, lang_blank=0.02),
        "outlet_b": Persona({"outlet_b": 1.0}, {"Twitter Web App": 0.75, "TweetDeck": 0.25}, rt=0.1,
                            reply=0.02, rt_external=0.2, lang_blank=0.02),
        "us_persona": Persona({"us_en": 1.0}, web, rt=1.3, reply=0.4, rt_external=0.45),
        "eu_persona": Persona({"eu_en": 0.75, "eu_de": 0.25}, web, rt=1.3, reply=0.4, rt_external=0.45),
    }
    a = ctx.n_accounts
    waves = [("2019-02-01", "2019-08-31", 0.35), ("2019-11-01", "2020-05-31", 0.65)]
    blocks = []
    for i, (name, handle, _domain) in enumerate(V.IRA_OUTLETS):
        b = accounts(rng, f"outlet_{'ab'[i]}", 1, culture="us",
                     created=np.array([day(("2014-11-03", "2016-02-22")[i])]), lang="en",
                     location="world", description="ira_eu", offset=180, url_share=1.0,
                     location_empty=0.0, weight=np.array([14.0]))
        b.loc[0, ["display", "handle", "location", "start"]] = [name, handle, ("Moscow", "Europe")[i],
                                                                day("2019-06-01")]
        b.loc[0, "description"] = (f"{name}: independent analysis of world affairs.\n"
                                   "Geopolitics, security, energy.")
        blocks.append(b)
    n_us, n_eu = a(14), a(8)
    n_us_idle, n_eu_idle = a(4), a(3)
    for persona, n, tweets, loc, desc, culture in (
            ("us_persona", n_us, True, "us", "ira_us", "us"),
            ("eu_persona", n_eu, True, "europe", "ira_eu", "eu"),
            ("us_persona", n_us_idle, False, "us", "ira_us", "us"),
            ("eu_persona", n_eu_idle, False, "europe", "ira_eu", "eu")):
        blocks.append(accounts(rng, persona, n, culture=culture, created=creation_days(rng, n, waves),
                               lang="en", location=loc, description=desc, tweets=tweets, offset=180,
                               weight=rng.lognormal(0, 0.7, n)))
    roster = _clamp_start(pd.concat(blocks, ignore_index=True), first, last)
    n = len(roster)
    # followers: largest 11.5k, eight over 1,000, eleven under 10 (published), scaled by repetition
    mid = [4_120, 3_380, 2_210, 1_730, 1_405, 1_093]
    small = [15, 28, 44, 67, 90, 130, 180, 240, 320, 450, 610, 870]
    tiny = [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9]
    tweeting = roster["tweets"].to_numpy(bool)
    idle = np.flatnonzero(~tweeting)
    active_people = np.flatnonzero(tweeting)[2:]
    fol = np.zeros(n, dtype=np.int64)
    fol[:2] = [11_512, 6_342]
    reps = max(1, math.ceil(n / 31))
    pool_active = rng.permutation(np.array((mid + small) * reps + tiny[:4] * reps))
    fol[active_people] = pool_active[: len(active_people)]
    fol[idle] = np.resize(tiny[4:] + tiny[:4], len(idle))
    roster["followers"] = fol
    roster["following"] = _following(rng, fol)
    roster, userids = finalise(ctx, roster)
    plan = Plan(topics)
    clock = OpClock(make_curve(rng, "2019-06-01", "2020-12-15",
                               [("2019-06-01", 0.1), ("2019-12-31", 0.2), ("2020-01-01", 1.0),
                                ("2020-12-15", 1.1)], weekday="europe"), "office", 180)
    planted: dict[str, Any] = {}
    us, eu = _idx(roster, "us_persona"), _idx(roster, "eu_persona")
    used: list[int] = []
    g = _pick(rng, us, 5)
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_retweet",), n_events=ctx.n_rows(60, 4),
                topic="us_en", source=np.array([0]), source_topic="outlet_a", window=1,
                period=(day("2020-01-01"), day("2020-12-10")),
                description="US personas retweeting the first outlet within a minute")
    g = _pick(rng, eu, 4, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_link",), n_events=ctx.n_rows(30, 3),
                topic="eu_en", url_topic=topics["outlet_b"], window=2,
                period=(day("2020-01-01"), day("2020-12-10")),
                description="EU personas sharing the same article of the second outlet within two minutes")
    g = _pick(rng, us, 4, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_hashtag",), n_events=ctx.n_rows(20, 3),
                topic="us_en", window=1, tags=[["Election2020", "NotMyChoice"], ["EndTheWars", "Vote"]],
                period=(day("2020-03-01"), day("2020-11-10")),
                description="US personas pushing the same hashtags in the same minute")
    quiet = _pick(rng, np.concatenate([us, eu]), 8, np.array(used))
    planted["noise"] = {
        "popular_retweets": plant_popular_retweets(plan, rng, clock, roster, source=1, retweeters=quiet,
                                                   n_tweets=ctx.n_rows(4, 2), source_topic="outlet_b",
                                                   period=(day("2020-01-01"), day("2020-12-01"))),
        "spread_hashtag": plant_spread_hashtag(plan, rng, clock, roster, users=_pick(rng, eu, 6),
                                               tag="EU", topic="eu_en", min_days=5),
    }
    total = _total(ctx, plan, roster)
    plan_background(plan, rng, roster, personas, clock, total=total, retweets=int(round(0.34 * total)),
                    replies=int(round(0.09 * total)))
    planted.update({
        "outlet_accounts": [{"account": Acct(i), "name": V.IRA_OUTLETS[i][0],
                             "domain": V.IRA_OUTLETS[i][2].removeprefix("www.")} for i in (0, 1)],
        "us_accounts": accts(us),
        "eu_accounts": accts(eu),
        "engagement_total": int(round(79_807 * ctx.scale)),
        "operator_utc_offset_hours": 3.0,
        "operator_timezone": "Europe/Moscow (UTC+3)",
        "events": [_event("us_election_2020", "2020-11-03 00:00", "2020-11-04 23:59")],
    })
    return Built(roster, userids, plan, personas, Externals.make(rng, 300, ["us", "eu"]), planted,
                 {"tweets": total}, engagement_total=int(round(79_807 * ctx.scale)))


# =======================================================================================
# Armenia
# =======================================================================================

ARMENIA_TOPICS = {
    "az_state": V.ARM_AZ_STATE, "news_en": V.ARM_NEWS_EN, "news_ru": V.ARM_NEWS_RU,
    "hy": V.ARM_HY_TRANSLIT, "pro_en": V.ARM_PRO_EN, "fm_en": V.ARM_FM_EN,
    "spokes_en": V.ARM_SPOKES_EN, "az_generic": V.ARM_AZ_GENERIC, "follow_en": V.FOLLOW_EN,
    "follow_ru": V.ARM_FOLLOW_RU, "horoscope": V.HOROSCOPE,
}
HANDLE_CHANGE = "2020-06-18T10:00"


def build_armenia(ctx: Ctx) -> Built:
    rng = ctx.rng
    first, last = day("2014-06-01"), day("2020-12-10")
    personas = {
        "foreign_minister": Persona({"fm_en": 0.7, "az_state": 0.3},
                                    {"Hootsuite Inc.": 0.6, "TweetDeck": 0.36, "Twitter for iPhone": 0.04},
                                    rt=0.2, reply=0.3, rt_external=0.3, lang_blank=0.04),
        "ministry_spokesperson": Persona({"spokes_en": 0.7, "az_state": 0.3},
                                         {"TweetDeck": 0.6, "Hootsuite Inc.": 0.37, "Twitter Web App": 0.03},
                                         rt=0.3, reply=0.3, rt_external=0.3),
        "news_outlet": Persona({"news_en": 0.5, "news_ru": 0.2, "az_state": 0.3},
                               {"IFTTT": 0.35, "Hootsuite Inc.": 0.3, "Buffer": 0.31, "Twitter Web App": 0.04},
                               rt=0.3, reply=0.1, rt_external=0.3),
        "citizen": Persona({"pro_en": 0.25, "hy": 0.14, "az_state": 0.2, "news_en": 0.1, "follow_en": 0.12,
                            "follow_ru": 0.07, "horoscope": 0.12},
                           {"TweetDeck": 0.36, "Hootsuite Inc.": 0.26, "Buffer": 0.2, "IFTTT": 0.11,
                            "Twitter for Android": 0.04, "Twitter Web App": 0.03},
                           rt=1.2, reply=1.0, rt_external=0.35, reply_network=0.3),
    }
    a = ctx.n_accounts
    blocks = []
    fm = accounts(rng, "foreign_minister", 1, culture="az", created=np.array([day("2014-05-12")]), lang="en",
                  location="azerbaijan", description="az_citizen", offset=240, location_empty=0.0,
                  weight=np.array([3.0]), url_share=1.0)
    fm.loc[0, ["display", "handle", "location", "start"]] = ["Elnur Məmmədli", "ElnurMammadliAZ", "Baku, Azerbaijan",
                                                             day("2014-06-02")]
    fm.loc[0, "description"] = ("Minister of Foreign Affairs of the Republic of Azerbaijan 🇦🇿\n"
                                "Official account.")
    blocks.append(fm)
    sp = accounts(rng, "ministry_spokesperson", 1, culture="az", created=np.array([day("2019-11-06")]), lang="en",
                  location="azerbaijan", description="az_citizen", offset=240, location_empty=0.0,
                  weight=np.array([2.0]))
    sp.loc[0, "description"] = "Spokesperson, Ministry of Foreign Affairs of Azerbaijan. Press service."
    blocks.append(sp)
    n_out = a(6)
    out = accounts(rng, "news_outlet", n_out, culture="az", lang=["en", "ru"],
                   created=creation_days(rng, n_out, [("2016-01-01", "2020-03-31", 1.0)]),
                   location="azerbaijan", description="az_citizen", offset=240, location_empty=0.05,
                   url_share=1.0, weight=rng.lognormal(0.6, 0.3, n_out))
    for i in range(n_out):  # outlets, not tweets
        name, handle, _ = V.ARMENIA_OUTLETS[i % len(V.ARMENIA_OUTLETS)]
        sfx = "" if i < len(V.ARMENIA_OUTLETS) else str(i // len(V.ARMENIA_OUTLETS) + 1)
        out.loc[i, ["display", "handle"]] = [name + (f" {sfx}" if sfx else ""), handle[: 15 - len(sfx)] + sfx]
        out.loc[i, "description"] = f"{name}: news from Azerbaijan. Xəbərlər, siyasət, region."
    blocks.append(out)
    n_cit = a(27)
    blocks.append(accounts(rng, "citizen", n_cit, culture="az", lang=["en", "ru", "tr"],
                           created=creation_days(rng, n_cit, [("2015-01-01", "2017-12-31", 0.25),
                                                              ("2018-01-01", "2019-12-31", 0.4),
                                                              ("2020-01-01", "2020-08-31", 0.35)]),
                           location="azerbaijan", description="az_citizen", offset=240,
                           location_empty=0.1, weight=rng.lognormal(0, 0.7, n_cit)))
    roster = _clamp_start(pd.concat(blocks, ignore_index=True), first, last)
    n = len(roster)
    fol = np.minimum(rng.permutation(calibrated_lognormal(n, median=420, mean=950, sigma=1.3)), 4_800)
    outlets = _idx(roster, "news_outlet")
    fol[0], fol[1], fol[outlets[0]] = 7_861, 3_214, 5_612
    roster["followers"] = fol
    roster["following"] = np.maximum(_following(rng, fol, spam=True), fol + rng.integers(50, 900, n))
    roster.loc[0, "following"] = 4_987
    roster["old_screen_name"] = ""
    roster.loc[0, "old_screen_name"] = "XeberlerBaku24"
    roster["handle_changed_min"] = np.int64(0)
    roster.loc[0, "handle_changed_min"] = minute(HANDLE_CHANGE)
    roster, userids = finalise(ctx, roster)
    plan = Plan(ARMENIA_TOPICS)
    clock = OpClock(make_curve(rng, "2014-06-01", "2020-12-10",
                               [("2014-06-01", 0.05), ("2016-01-01", 0.1), ("2018-01-01", 0.2),
                                ("2019-06-01", 0.4), ("2020-06-01", 0.7), ("2020-12-10", 0.6)],
                               weekday="europe",
                               spikes=[("2020-09-27", "2020-11-10", 4.0), ("2020-07-12", "2020-07-20", 2.0)]),
                    "office", 240)
    planted: dict[str, Any] = {}
    citizens = _idx(roster, "citizen")
    war = (day("2020-09-27"), day("2020-11-10"))
    used: list[int] = []
    plant_group(plan, rng, roster, clock, members=outlets[: min(4, len(outlets))], kinds=("co_tweet", "co_link"),
                n_events=ctx.n_rows(80, 5), topic="news_en", window=1, period=war,
                description="impersonated outlets posting the same headline and link within a minute")
    used += outlets[:4].tolist()
    g = _pick(rng, citizens, 6)
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_retweet",), n_events=ctx.n_rows(50, 4),
                topic="pro_en", source=np.array([0]), source_topic="fm_en", window=1,
                period=(day("2020-06-20"), day("2020-12-05")),
                description="accounts retweeting the 'Foreign Minister' impersonator within a minute")
    g = _pick(rng, citizens, 5, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("co_hashtag",), n_events=ctx.n_rows(40, 3),
                topic="pro_en", window=1,
                tags=[["StopAzerbaijaniAggression", "ArtsakhStrong"], ["RecognizeArtsakh", "PeaceForArtsakh"]],
                period=war, description="the same war hashtags pushed in the same minute")
    g = _pick(rng, citizens, 4, np.array(used))
    used += g.tolist()
    plant_group(plan, rng, roster, clock, members=g, kinds=("near_duplicate",), n_events=ctx.n_rows(30, 3),
                topic="az_state", window=2, period=(day("2020-01-01"), day("2020-12-05")),
                description="quoted Azerbaijani state messaging with a word or two changed")
    quiet = _pick(rng, citizens, 10, np.array(used))
    planted["noise"] = {
        "popular_retweets": plant_popular_retweets(plan, rng, clock, roster, source=0, retweeters=quiet,
                                                   n_tweets=ctx.n_rows(4, 2), source_topic="fm_en",
                                                   period=(day("2020-06-20"), day("2020-12-05"))),
        "spread_hashtag": plant_spread_hashtag(plan, rng, clock, roster, users=_pick(rng, citizens, 10),
                                               tag="Karabakh", topic="pro_en", min_days=4),
    }
    a0 = plan.add([0], [minute("2014-06-04T07:15")], kind=ORIGINAL, topic="az_generic")
    planted["time_span"] = {"first_tweetid": Row(a0[0])}
    total = _total(ctx, plan, roster)
    plan_background(plan, rng, roster, personas, clock, total=total, retweets=int(round(0.15 * total)),
                    replies=int(round(0.12 * total)))
    # before its handle change the "Foreign Minister" account posted generic local news
    cols = plan.columns()
    before = np.flatnonzero((cols["acct"] == 0) & (cols["t"] < minute(HANDLE_CHANGE)) & (cols["kind"] != RETWEET))
    plan.update("topic", before, plan.tid("az_generic"))
    spam_like = np.flatnonzero(roster["following"].to_numpy() > 3 * roster["followers"].to_numpy())
    planted.update({
        "impersonator_accounts": (
            [{"account": Acct(0), "persona": "foreign_minister", "name": roster.at[0, "display"]},
             {"account": Acct(1), "persona": "ministry_spokesperson", "name": "Spokesperson, MFA"}]
            + [{"account": Acct(int(i)), "persona": "news_outlet", "name": roster.at[int(i), "display"]}
               for i in outlets]),
        "handle_change": {"account": Acct(0), "old_screen_name": "XeberlerBaku24",
                          "new_screen_name": roster.at[0, "user_screen_name"],
                          "changed": HANDLE_CHANGE.replace("T", " "), "created": "2014-05-12"},
        "follow_spam_accounts": accts(spam_like),
        "claimed_country": "Azerbaijan",
        "operator_utc_offset_hours": 4.0,
        "operator_timezone": "Asia/Yerevan (UTC+4)",
        "events": [_event("nagorno_karabakh_war", "2020-09-27 00:00", "2020-11-10 23:59"),
                   _event("july_2020_border_clashes", "2020-07-12 00:00", "2020-07-20 23:59")],
    })
    return Built(roster, userids, plan, personas, Externals.make(rng, 300, ["az", "eu", "ru", "us"]),
                 planted, {"tweets": total})


# =======================================================================================
# Control cohort
# =======================================================================================

CONTROL_TOPICS = {
    "us": V.CTL_US_EN, "world": V.CTL_WORLD_EN, "daily_en": V.CTL_DAILY_EN, "news_en": V.CTL_NEWS_EN,
    "opinion_en": V.CTL_OPINION_EN, "debate_en": V.CTL_DEBATE_EN, "election_en": V.CTL_ELECTION_EN,
    "karabakh_en": V.CTL_KARABAKH_EN, "karabakh_az": V.CTL_KARABAKH_AZ, "karabakh_hy": V.CTL_KARABAKH_HY,
    "karabakh_ru": V.CTL_KARABAKH_RU, "es": V.CTL_ES, "fa": V.CTL_FA, "fr": V.CTL_FR, "id": V.CTL_ID,
    "ar": V.CTL_AR, "ru": V.CTL_RU, "az": V.CTL_AZ, "hy": V.CTL_HY,
}


@dataclass(frozen=True)
class _Group:
    """Ordinary accounts of one language community."""

    name: str
    accounts: int
    topics: dict[str, float]
    culture: str
    lang: str | tuple[str, ...]
    place: str
    offsets: tuple[int, ...]  #: the UTC offsets (minutes) its accounts live in
    android: float  #: share of Android among its phone users
    handle: str  #: the popular account whose tweets go viral in this community


CONTROL_GROUPS: tuple[_Group, ...] = (
    _Group("us", 90, {"us": 0.35, "daily_en": 0.25, "news_en": 0.2, "opinion_en": 0.2}, "us", "en", "us",
           (-480, -420, -360, -300, -240), 0.4, "GoodNewsDailyX"),
    _Group("world_en", 75, {"world": 0.25, "daily_en": 0.25, "news_en": 0.3, "opinion_en": 0.15,
                            "karabakh_en": 0.05}, "eu", "en", "world",
           (0, 60, 120, 180, 330, 480, 600, -300), 0.5, "FootyMomentsTV"),
    _Group("es", 45, {"es": 0.9, "news_en": 0.1}, "es", "es", "latam", (-360, -300, -240, -180, 60), 0.6,
           "NoticiasAlMinut"),
    _Group("fa", 30, {"fa": 1.0}, "fa", "fa", "iran", (210,), 0.7, "KhabarForiNews"),
    _Group("fr", 30, {"fr": 0.9, "news_en": 0.1}, "fr", "fr", "france", (60, 0, -240), 0.5, "InfoDirecteFR"),
    _Group("id", 35, {"id": 1.0}, "id", "id", "indonesia", (420, 480, 540), 0.8, "BeritaTerkini24"),
    _Group("ar", 30, {"ar": 1.0}, "ar", "ar", "arab", (120, 180, 240), 0.65, "AkhbarAlanLive"),
    _Group("ru", 35, {"ru": 0.85, "karabakh_ru": 0.15}, "ru", "ru", "russia", (180, 300, 420, 600), 0.7,
           "NovostiSegodnya"),
    _Group("az", 15, {"az": 0.7, "karabakh_az": 0.15, "news_en": 0.15}, "az", ("en", "tr"), "azerbaijan",
           (240,), 0.6, "BakuTodayLive"),
    _Group("hy", 15, {"hy": 0.7, "karabakh_hy": 0.15, "news_en": 0.15}, "az", "en", "world", (240, -480, 60),
           0.5, "YerevanNowLive"),
)
#: Shares of the client profiles (``vocab.CTL_CLIENT_PROFILES``); phones split by ``_Group.android``.
CONTROL_CLIENT_SHARES = {"phone": 0.74, "web": 0.2, "lite": 0.02, "tweetdeck": 0.028, "hootsuite": 0.012}
ELECTION_START, ELECTION_END = "2020-11-03T10:00", "2020-11-04T07:59"
WAR_START, WAR_END = "2020-09-27", "2020-11-10"
#: Popular tweets of public moments that many ordinary accounts retweet:
#: (UTC time, communities, topic, share of them retweeting, author, what it was about).
CONTROL_VIRALS: tuple[tuple[str, tuple[str, ...], str, float, str, str], ...] = (
    ("2020-03-11T22:05", ("us", "world_en", "es", "fa", "fr", "id", "ar", "ru", "az", "hy"), "news_en", 0.45,
     "WorldDeskLive", "the pandemic declared"),
    ("2020-08-04T16:20", ("ar", "fr", "world_en", "us", "es"), "news_en", 0.4, "BreakingWireNow",
     "the Beirut port explosion"),
    ("2020-09-27T07:40", ("az", "hy", "ru", "world_en"), "karabakh_en", 0.5, "CaucasusUpdate",
     "nagorno_karabakh_war"),
    ("2020-09-30T01:21", ("us", "world_en"), "debate_en", 0.55, "DebateNightLive",
     "first_us_presidential_debate"),
    ("2020-09-30T01:48", ("us",), "debate_en", 0.4, "NightlyNewsDesk", "first_us_presidential_debate"),
    ("2020-10-10T08:10", ("az", "hy", "ru"), "karabakh_ru", 0.45, "NovostiSegodnya", "nagorno_karabakh_war"),
    ("2020-11-04T04:30", ("us", "world_en"), "election_en", 0.5, "ElectionWatchHQ", "us_election_day"),
    ("2020-11-07T16:30", ("us", "world_en", "es", "fr"), "news_en", 0.55, "WorldDeskLive",
     "the US election called"),
    ("2020-11-10T01:00", ("az", "hy", "ru", "world_en"), "karabakh_en", 0.45, "CaucasusUpdate",
     "nagorno_karabakh_war"),
)


def _same_minute_pairs(key: np.ndarray, acct: np.ndarray, t: np.ndarray, n_keys: int) -> np.ndarray:
    """Per key: pairs of distinct accounts that posted in the same minute."""
    if len(key) == 0:
        return np.zeros(n_keys, dtype=np.int64)
    cell = np.unique(np.stack([key, t, acct]), axis=1)  # one entry per (key, minute, account)
    _, first, c = np.unique(cell[:2], axis=1, return_index=True, return_counts=True)
    return np.bincount(cell[0, first], weights=c * (c - 1) // 2, minlength=n_keys).astype(np.int64)


def _utc_label(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def build_control(ctx: Ctx) -> Built:
    """Ordinary accounts at the operations' activity level, with innocent coincidences only.

    Each account is a 2020 timeline as a collector would get it on 20 December 2020, posts
    from its own time zone in an evening-heavy daily rhythm, mostly from one app, and takes
    part in the public moments its community follows: the first US presidential debate,
    the US election, the Nagorno-Karabakh war, viral tweets and popular articles.
    """
    rng = ctx.rng
    first, last = day("2020-01-01"), day("2020-12-20")
    profiles = list(V.CTL_CLIENT_PROFILES)
    personas: dict[str, Persona] = {}
    blocks = []
    for g in CONTROL_GROUPS:  # communities, not tweets
        n = ctx.n_accounts(g.accounts)
        b = accounts(rng, g.name, n, culture=g.culture, lang=g.lang, location=g.place, description="ctl",
                     created=creation_days(rng, n, [("2009-01-01", "2015-12-31", 0.5),
                                                    ("2016-01-01", "2020-06-30", 0.5)]),
                     url_share=0.12)
        s = CONTROL_CLIENT_SHARES
        p = np.array([s["phone"] * (1 - g.android), s["phone"] * g.android, s["web"], s["lite"],
                      s["tweetdeck"], s["hootsuite"]])
        prof = np.asarray(profiles)[rng.choice(len(profiles), size=n, p=p / p.sum())]
        b["group"] = g.name
        b["persona"] = np.char.add(f"{g.name}:", prof.astype(str))
        b["tz"] = np.asarray(g.offsets)[rng.integers(0, len(g.offsets), n)]
        # early birds and night owls: each account's day runs up to two hours off the usual one
        b["offset"] = b["tz"] - 60 * rng.choice(np.array([-2, -1, 0, 0, 1, 2]), n)
        for c in profiles:
            personas[f"{g.name}:{c}"] = Persona(g.topics, V.CTL_CLIENT_PROFILES[c], rt=1.0, reply=1.0,
                                                hours="organic", rt_external=0.95, reply_network=0.1,
                                                quote=0.03, lang_blank=0.03)
        blocks.append(b)
    roster = pd.concat(blocks, ignore_index=True)
    n = len(roster)
    # the collected timeline: from a day of 2020 (or the account's first days) to about the
    # collection day; one account in ten fell silent in November
    seen = day("2020-01-15") + rng.integers(0, day("2020-09-01") - day("2020-01-15") + 1, n)
    roster["start"] = np.maximum(roster["start"].to_numpy(np.int64), seen)
    quiet = rng.random(n) < 0.1
    roster["end"] = np.where(quiet, day("2020-11-15") + rng.integers(0, 25, n), last - rng.integers(0, 3, n))
    roster = _clamp_start(roster, first, last)
    span = (roster["end"] - roster["start"]).to_numpy(np.int64)
    roster["weight"] = rng.lognormal(0.0, 0.8, n) * span  # a daily rate times the days observed
    fol = np.minimum(rng.permutation(calibrated_lognormal(n, median=240, mean=900, sigma=1.5)), 4_900)
    big = rng.choice(n, size=max(6, n // 60), replace=False)
    fol[big] = rng.integers(5_200, 42_000, len(big))
    roster["followers"] = fol
    roster["following"] = _following(rng, fol)
    roster, userids = finalise(ctx, roster)
    plan = Plan(CONTROL_TOPICS)
    clock = OpClock(make_curve(rng, "2020-01-01", "2020-12-20", [("2020-01-01", 0.9), ("2020-12-20", 1.1)],
                               weekday="organic", jitter=12.0,
                               spikes=[("2020-03-12", "2020-04-30", 1.3), ("2020-11-03", "2020-11-08", 1.5)]),
                    "organic", 0)
    group = roster["group"].to_numpy()
    offset = roster["offset"].to_numpy(np.int64)  # where the account's daily rhythm sits
    tz = roster["tz"].to_numpy(np.int64)
    start, end = roster["start"].to_numpy(np.int64), roster["end"].to_numpy(np.int64)
    lam = min(ctx.scale, 1.0)  # event tweets per account follow the cohort's tweet density

    def alive(names: Sequence[str], d0: int, d1: int | None = None) -> np.ndarray:
        return np.flatnonzero(np.isin(group, names) & (start <= d0) & (end > (d0 if d1 is None else d1)))

    def some(pool: np.ndarray, share: float) -> np.ndarray:
        return pool[rng.random(len(pool)) < share]

    def burst(who: np.ndarray, mean: float) -> np.ndarray:
        # half of the participants post at least once, the rest by chance
        k = np.maximum(rng.poisson(mean * lam, len(who)), rng.random(len(who)) < 0.5)
        return np.repeat(who, k)

    def near(moments: Sequence[str], m: int) -> np.ndarray:
        at = np.array([minute(x) for x in moments])
        return at[rng.integers(0, len(at), m)] + np.floor(rng.exponential(2.5, m)).astype(np.int64)

    tag_rows: list[tuple[str, str, np.ndarray]] = []  # (event, hashtag, plan rows)
    # --- the first presidential debate: live-tweeting in the same 90 minutes ------------
    w0, w1 = minute(DEBATE_START), minute(DEBATE_END)
    d0 = day(DEBATE_START[:10])
    who = burst(np.concatenate([some(alive(["us"], d0), 0.75), some(alive(["world_en"], d0), 0.25)]), 8.0)
    m = len(who)
    when = np.where(rng.random(m) < 0.45, near(["2020-09-30T01:09", "2020-09-30T01:21", "2020-09-30T01:48",
                                                  "2020-09-30T02:12"], m), rng.integers(w0, w1 + 1, m))
    rows_ = plan.add(who, np.minimum(when, w1), kind=ORIGINAL, topic="debate_en")
    tagged = rows_[rng.random(m) < 0.4]
    plan.force_tags(tagged, ["Debates2020"])
    tag_rows.append(("first_us_presidential_debate", "Debates2020", tagged))
    # --- US election day and night ------------------------------------------------------
    d0 = day(ELECTION_START[:10])
    who = burst(np.concatenate([some(alive(["us"], d0), 0.8), some(alive(["world_en"], d0), 0.3)]), 10.0)
    m = len(who)
    night = rng.random(m) < 0.65
    by_day = d0 * 1440 + rng.integers(7 * 60, 22 * 60, m) - tz[who]  # local daytime
    by_night = np.where(rng.random(m) < 0.3, near(["2020-11-04T00:00", "2020-11-04T01:00",
                                                   "2020-11-04T03:30"], m),
                        minute("2020-11-03T23:00") + rng.integers(0, 9 * 60, m))
    rows_ = plan.add(who, np.where(night, by_night, by_day), kind=ORIGINAL, topic="election_en")
    tagged = rows_[rng.random(m) < 0.35]
    plan.force_tags(tagged, ["Election2020"])
    tag_rows.append(("us_election_day", "Election2020", tagged))
    # --- the Nagorno-Karabakh war: the communities it touches post about it for weeks ----
    war = np.arange(day(WAR_START), day(WAR_END) + 1)
    busy = {"2020-09-27": 4.0, "2020-09-28": 3.0, "2020-10-04": 2.0, "2020-10-10": 2.5, "2020-10-17": 2.0,
            "2020-11-09": 3.0, "2020-11-10": 4.0}
    dw = np.ones(len(war))
    dw[[day(k) - war[0] for k in busy]] = list(busy.values())
    war_topics = {"az": ("karabakh_az", "KarabakhIsAzerbaijan", 100.0, 1.0),
                  "hy": ("karabakh_hy", "ArtsakhStrong", 100.0, 1.0),
                  "ru": ("karabakh_ru", "Карабах", 25.0, 0.4),
                  "world_en": ("karabakh_en", "Karabakh", 25.0, 0.15)}
    for name, (topic, tag, mean, share) in war_topics.items():  # communities, not tweets
        who = burst(some(alive([name], war[0], war[-1]), share), mean)
        m = len(who)
        d = war[rng.choice(len(war), size=m, p=dw / dw.sum())]
        t = d * 1440 + sample_clock(rng, m, "organic") - offset[who]
        english = (rng.random(m) < 0.3) & (name in ("az", "hy"))  # some post in English too
        rows_ = plan.add(who, t, kind=ORIGINAL,
                         topic=np.where(english, plan.tid("karabakh_en"), plan.tid(topic)))
        tagged = rows_[rng.random(m) < 0.3]
        plan.force_tags(tagged, [tag])
        tag_rows.append(("nagorno_karabakh_war", tag, tagged))

    # --- viral tweets of outside accounts: many retweets, a few in the same minute -------
    names = [g.name for g in CONTROL_GROUPS]
    sizes = np.array([(group == g).sum() for g in names], dtype=float)
    n_small = ctx.n_rows(150, 12)
    small_group = rng.choice(len(names), size=n_small, p=sizes / sizes.sum())
    small_t = (rng.integers(day("2020-02-01"), day("2020-12-15"), n_small) * 1440
               + rng.integers(0, 1440, n_small))
    virals = list(CONTROL_VIRALS) + [
        (str(np.datetime64(int(t), "m")), (names[k],), next(iter(CONTROL_GROUPS[k].topics)),
         float(s), CONTROL_GROUPS[k].handle, "everyday")
        for k, t, s in zip(small_group, small_t, rng.uniform(0.08, 0.3, n_small), strict=True)]
    density = min(1.0, 0.4 + 4.0 * ctx.scale)  # fewer retweets of each in a sparser specimen
    v_who, v_when, v_idx, kept = [], [], [], []
    for when_, groups_, topic, share, handle, about in virals:  # viral tweets, not retweets
        t0 = minute(when_)
        pool = alive(groups_, t0 // 1440, t0 // 1440 + 2)
        if len(pool) < 2:  # nobody (or one account) of that community was posting then
            continue
        k = min(len(pool), max(3, int(round(share * len(pool) * density))))
        who = rng.choice(pool, size=k, replace=False)
        lag = 1 + np.minimum(np.floor(np.exp(rng.normal(np.log(20.0), 1.6, k))), 2 * 1440).astype(np.int64)
        v_who.append(who)
        v_when.append(t0 + lag)
        v_idx.append(np.full(k, len(kept)))
        kept.append((when_, groups_, topic, share, handle, about))
    virals = kept
    vi = np.concatenate(v_idx)
    v_acct, v_t = np.concatenate(v_who), np.concatenate(v_when)
    v_topic = np.array([plan.tid(x[2]) for x in virals])
    v_rows = plan.add(v_acct, v_t, kind=RETWEET, rt=EXTERNAL, topic=v_topic[vi])
    pieces: dict[str, list[tuple[np.ndarray, pa.Array]]] = {"text": [], "tags": [], "urls": []}
    for k in np.unique(v_topic):  # topics, not tweets
        sel = np.flatnonzero(v_topic == k)
        tx = topic_texts(plan.topics[list(plan.topics)[k]], rng, len(sel))
        pieces["text"].append((sel, tx.text))
        pieces["tags"].append((sel, tx.hashtags))
        pieces["urls"].append((sel, tx.urls))
    v_texts = Texts(*(scatter(len(virals), pieces[c], "[]" if c != "text" else "") for c in ("text", "tags", "urls")))
    plan.override_text(v_rows, v_texts.take(vi))  # every retweet of a tweet has its text
    handles = sorted({x[4] for x in virals})
    author_ids = {h: "1" + "".join(map(str, rng.integers(0, 10, 17))) for h in handles}
    v_tid = num_str(tweet_ids(rng, np.array([minute(x[0]) for x in virals]), EXTERNAL_DC))
    v_uid = sarr([author_ids[x[4]] for x in virals])
    v_handle = sarr([x[4] for x in virals])
    plan.external_targets(v_rows, take(v_tid, vi), take(v_uid, vi), take(v_handle, vi))
    v_pairs = _same_minute_pairs(vi, v_acct, v_t, len(virals))

    # --- popular articles: the same link shared by several accounts over a day -----------
    n_art = ctx.n_rows(40, 4)
    a_group = rng.choice(["us", "world_en"], size=n_art)
    a_t = rng.integers(day("2020-02-01"), day("2020-12-15"), n_art) * 1440 + rng.integers(0, 1440, n_art)
    a_who, a_when, a_idx = [], [], []
    for j in range(n_art):  # articles, not tweets
        pool = alive([a_group[j]], int(a_t[j] // 1440), int(a_t[j] // 1440) + 2)
        who = rng.choice(pool, size=min(len(pool), int(rng.integers(3, 10))), replace=False)
        a_who.append(who)
        a_when.append(a_t[j] + np.cumsum(1 + np.floor(rng.exponential(60.0, len(who))).astype(np.int64)))
        a_idx.append(np.full(len(who), j))
    ai = np.concatenate(a_idx)
    a_rows = plan.add(np.concatenate(a_who), np.concatenate(a_when), kind=ORIGINAL, topic="news_en")
    art_urls = make_urls(V.CTL_NEWS_EN, rng, n_art)
    plan.force_url(a_rows, take(art_urls, ai))

    total = _total(ctx, plan, roster)
    bg = plan_background(plan, rng, roster, personas, clock, total=total, retweets=int(round(0.34 * total)),
                         replies=int(round(0.13 * total)), per_account_offset=True)
    # what each background tweet is about; the war is news only from the July border clashes
    cols = plan.columns()
    topic_of = np.full(len(bg), -1, dtype=np.int64)
    for g in CONTROL_GROUPS:  # communities, not tweets
        sel = np.flatnonzero(group[cols["acct"][bg]] == g.name)
        ids = np.array([plan.tid(k) for k in g.topics])
        p = np.array(list(g.topics.values()))
        topic_of[sel] = ids[rng.choice(len(ids), size=len(sel), p=p / p.sum())]
        war_topic = np.isin(topic_of[sel], [plan.tid(k) for k in g.topics if k.startswith("karabakh")])
        early = cols["t"][bg[sel]] < minute("2020-07-12T00:00")
        topic_of[sel[war_topic & early]] = plan.tid(next(iter(g.topics)))
    plan.update("topic", bg, topic_of)

    tag_pairs = _same_minute_pairs(
        np.concatenate([np.full(len(r), i) for i, (_, _, r) in enumerate(tag_rows)]),
        plan.columns()["acct"][np.concatenate([r for _, _, r in tag_rows])].astype(np.int64),
        plan.columns()["t"][np.concatenate([r for _, _, r in tag_rows])], len(tag_rows))
    cols = plan.columns()
    used, count = np.unique(tz, return_counts=True)
    planted: dict[str, Any] = {
        "planted_coordination": [],
        "operator_utc_offset_hours": None,
        "operator_timezone": None,
        "utc_offsets_hours": [m / 60 for m in used.tolist()],
        "accounts_per_utc_offset": {_utc_label(int(m)): int(c) for m, c in zip(used, count, strict=True)},
        "note": ("ordinary accounts: each posts from its own time zone in an evening-heavy daily "
                 "rhythm; no planted coordination, no office hours; only innocent coincidences"),
        "events": [
            _event("first_us_presidential_debate", DEBATE_START.replace("T", " "), DEBATE_END.replace("T", " "),
                   label="the first 2020 US presidential debate"),
            _event("us_election_day", ELECTION_START.replace("T", " "), ELECTION_END.replace("T", " "),
                   label="US election day and night"),
            _event("nagorno_karabakh_war", f"{WAR_START} 00:00", f"{WAR_END} 23:59",
                   label="the 2020 Nagorno-Karabakh war"),
        ],
        "innocent_coincidences": {
            "event_hashtags": [
                {"event": ev, "hashtag": tag, "accounts": accts(np.unique(cols["acct"][r])), "tweetids": rows(r),
                 "same_minute_pairs": int(p)}
                for (ev, tag, r), p in zip(tag_rows, tag_pairs, strict=True)],
            "viral_retweets": [
                {"retweet_tweetid": v_tid[v].as_py(), "author_handle": x[4], "about": x[5],
                 "accounts": accts(v_who[v]), "tweetids": rows(v_rows[vi == v]),
                 "span_minutes": int(v_when[v].max() - minute(x[0])), "same_minute_pairs": int(v_pairs[v])}
                for v, x in enumerate(virals)],
            "popular_articles": [
                {"url": art_urls[j].as_py(), "accounts": accts(a_who[j]), "tweetids": rows(a_rows[ai == j])}
                for j in range(n_art)],
        },
    }
    return Built(roster, userids, plan, personas, Externals.make(rng, 1000, ["us", "es", "eu", "fa", "ar", "id", "ru"]),
                 planted, {"tweets": total}, describe_activity=True)


RECIPES: dict[str, Callable[[Ctx], Built]] = {
    "iran_202012": build_iran,
    "GRU_202012": build_gru,
    "IRA_202012": build_ira,
    "armenia_202012": build_armenia,
    "control": build_control,
}
