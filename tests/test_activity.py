from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casebook import activity
from casebook.errors import ParameterError
from casebook.evidence import INCONCLUSIVE, INSUFFICIENT, NOT_DISTINCTIVE, SUPPORTED
from tests._frames import (
    REAL_EXCERPT,
    FakeRelease,
    load_real_excerpt,
    make_tweets,
    make_users,
    office_rhythm,
)

IRAN_WEEK = (5, 6, 0, 1, 2)  # Saturday to Wednesday


def _events(artists):
    return [a for a in artists if a.get_gid() == activity.EVENT_GID]


# --------------------------------------------------------------------------- helpers


def test_format_utc_offset():
    assert activity.format_utc_offset(3.5) == "UTC+03:30"
    assert activity.format_utc_offset(-9.5) == "UTC-09:30"
    assert activity.format_utc_offset(0) == "UTC+00:00"
    assert activity.format_utc_offset(5.75) == "UTC+05:45"


def test_retweet_mask_falls_back_on_retweet_tweetid():
    tweets = make_tweets([
        {"userid": "a", "tweet_time": "2020-01-01 10:00", "is_retweet": True},
        {"userid": "a", "tweet_time": "2020-01-01 10:00", "is_retweet": False},
        {"userid": "a", "tweet_time": "2020-01-01 10:00", "retweet_tweetid": "99"},
        {"userid": "a", "tweet_time": "2020-01-01 10:00"},
    ])
    assert activity.retweet_mask(tweets).tolist() == [True, False, True, False]


def test_parse_events_reads_utc_and_orders():
    events = activity.parse_events([
        {"name": "b", "start": "2020-09-30T01:00", "end": "2020-09-30T02:30"},
        {"name": "a", "start": "2020-09-29T21:00-04:00"},
    ])
    assert events["name"].tolist() == ["a", "b"]  # same start (01:00 UTC): by name
    a = events.set_index("name").loc["a"]
    assert a["start"] == pd.Timestamp("2020-09-30 01:00", tz="UTC")
    assert a["end"] == a["start"]
    assert events["start"].is_monotonic_increasing
    with pytest.raises(ValueError, match="ends before"):
        activity.parse_events([{"name": "x", "start": "2020-01-02", "end": "2020-01-01"}])


# --------------------------------------------------------------------------- volume


@pytest.fixture
def three_days():
    return make_tweets([
        {"userid": "a", "tweet_time": "2020-03-01 10:00"},
        {"userid": "b", "tweet_time": "2020-03-01 23:59", "is_retweet": True},
        {"userid": "a", "tweet_time": "2020-03-03 00:00"},
    ])


def test_volume_counts_by_hand_and_keeps_empty_days(three_days):
    out = activity.volume(three_days, freq="D")
    assert out["period"].dt.strftime("%Y-%m-%d").tolist() == ["2020-03-01", "2020-03-02",
                                                              "2020-03-03"]
    assert out["tweets"].tolist() == [2, 0, 1]
    assert out["retweets"].tolist() == [1, 0, 0]
    assert out["originals"].tolist() == [1, 0, 1]
    assert out["accounts"].tolist() == [2, 0, 1]


def test_plot_volume_labels_and_event_markers(three_days):
    events = [
        {"name": "debate", "start": "2020-03-01T10:00", "end": "2020-03-01T12:00"},
        {"name": "announcement", "start": "2020-03-02T00:00"},
    ]
    ax = activity.plot_volume(three_days, freq="D", events=events)
    assert ax.get_title() == "Tweets per day"
    assert ax.get_xlabel() == "date (UTC)"
    assert ax.get_ylabel() == "tweets per day"
    spans = _events(ax.patches)
    lines = _events(ax.lines)
    assert len(spans) == 1 and len(lines) == 1
    labels = [t.get_text().strip() for t in ax.texts if t.get_gid() == activity.EVENT_LABEL_GID]
    assert labels == ["debate", "announcement"]
    assert ax.lines[0].get_ydata().tolist() == [2, 0, 1]


def test_plot_volume_without_events_has_no_markers(three_days):
    ax = activity.plot_volume(three_days, freq="W")
    assert ax.get_ylabel() == "tweets per week"
    assert not _events(ax.patches) and not _events(ax.lines)


# --------------------------------------------------------------------------- bursts


def test_bursts_find_planted_day():
    rng = np.random.default_rng(3)
    rows = []
    days = pd.date_range("2020-05-01", periods=30, freq="D")
    for i, day in enumerate(days):
        n = 60 if i == 17 else int(rng.integers(4, 7))
        for j in range(n):
            user = "loud" if (i == 17 and j < 45) else f"u{j % 3}"
            tags = ["PalestinaLibre"] if i == 17 else ["daily"]
            rows.append({"userid": user, "tweet_time": day + pd.Timedelta(minutes=j),
                         "hashtags": tags})
    found = activity.bursts(make_tweets(rows))
    assert len(found) == 1
    burst = found.iloc[0]
    assert burst["period"] == pd.Timestamp("2020-05-18", tz="UTC")
    assert burst["tweets"] == 60
    assert burst["top_account"] == "loud"
    assert burst["top_account_share"] == pytest.approx(45 / 60)
    assert burst["top_hashtag"] == "palestinalibre"
    assert burst["score"] > 3.5


def test_bursts_say_how_often_ordinary_accounts_burst_and_when():
    # the operation bursts on a news day (ordinary accounts burst too) and on a day one
    # of its accounts posted most of the tweets
    def cohort(prefix, loud_days, one_account_day=None):
        rows = []
        for i, day in enumerate(pd.date_range("2020-05-01", periods=30, freq="D")):
            n = 60 if i in loud_days else 5
            for j in range(n):
                user = "loud" if (i == one_account_day and j < 45) else f"{prefix}{j % 7}"
                rows.append({"userid": user, "tweet_time": day + pd.Timedelta(minutes=j)})
        return make_tweets(rows)

    ours, theirs = cohort("u", {17, 25}, one_account_day=25), cohort("o", {17})
    found = activity.bursts(ours, control=theirs).set_index("period")
    news, busy = pd.Timestamp("2020-05-18", tz="UTC"), pd.Timestamp("2020-05-26", tz="UTC")
    assert found.loc[news, "ordinary_burst"] and not found.loc[busy, "ordinary_burst"]
    assert found.loc[busy, "one_account"] and not found.loc[news, "one_account"]
    assert found.attrs == {"active_periods": 30, "control_active_periods": 30,
                           "control_bursts": 1}
    words = activity.bursts_in_words(activity.bursts(ours, control=theirs))
    assert words == ("2 of 30 active days are bursts (6.7%), 1 of them one account's (more "
                     "than half its tweets), 1 a burst of ordinary accounts too; ordinary "
                     "accounts: 1 of 30 active days (3.3%)")
    # without a control, no column or words about ordinary accounts
    alone = activity.bursts(ours)
    assert "ordinary_burst" not in alone and "ordinary" not in activity.bursts_in_words(alone)
    none = activity.bursts(ours.iloc[:0], control=theirs)
    assert activity.bursts_in_words(none) == ("0 of 0 active days are bursts; ordinary "
                                              "accounts: 1 of 30 active days (3.3%)")


def test_bursts_flat_series_uses_unit_mad():
    # 3 tweets every day: MAD is 0 and is taken as 1, so the cut is 3 + 3.5 = 6.5
    rows = [{"userid": "a", "tweet_time": f"2020-01-{d:02d} 10:0{j}"}
            for d in range(1, 11) for j in range(3)]
    rows += [{"userid": "a", "tweet_time": "2020-01-11 10:00"} for _ in range(6)]
    assert activity.bursts(make_tweets(rows)).empty
    rows += [{"userid": "a", "tweet_time": "2020-01-12 10:00"} for _ in range(7)]
    found = activity.bursts(make_tweets(rows))
    assert found["period"].tolist() == [pd.Timestamp("2020-01-12", tz="UTC")]
    assert found["threshold"].iloc[0] == pytest.approx(6.5)


def test_bursts_ignore_silent_periods_in_baseline():
    # years of silence must not make every active day a burst
    rows = [{"userid": "a", "tweet_time": "2015-01-01 10:00"}]
    rows += [{"userid": "a", "tweet_time": f"2020-01-{d:02d} 10:00"} for d in range(1, 20)]
    assert activity.bursts(make_tweets(rows)).empty


# --------------------------------------------------------------------------- rhythm


def test_hour_weekday_shifts_by_half_hours():
    tweets = make_tweets([
        {"userid": "a", "tweet_time": "2020-01-06 22:45"},  # Monday UTC
        {"userid": "a", "tweet_time": "2020-01-06 10:10"},
    ])
    utc = activity.hour_weekday(tweets)
    assert utc.shape == (7, 24)
    assert utc.loc["Monday", 22] == 1 and utc.loc["Monday", 10] == 1
    tehran = activity.hour_weekday(tweets, utc_offset=3.5)
    assert tehran.loc["Tuesday", 2] == 1  # 22:45 + 3:30 = 02:15 next day
    assert tehran.loc["Monday", 13] == 1  # 10:10 + 3:30 = 13:40
    assert tehran.to_numpy().sum() == 2
    shares = activity.hour_weekday(tweets, normalise=True)
    assert shares.to_numpy().sum() == pytest.approx(1.0)


def test_plot_hour_weekday_labels():
    tweets = office_rhythm(3.5, n=200)
    ax = activity.plot_hour_weekday(tweets, utc_offset=3.5)
    assert ax.get_title() == "Tweets by hour and weekday (UTC+03:30)"
    assert ax.get_xlabel() == "hour of day (UTC+03:30)"
    assert ax.get_ylabel() == "weekday (UTC+03:30)"
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Monday"


@pytest.mark.parametrize(
    ("planted", "workdays"),
    [(3.5, IRAN_WEEK), (3.0, (0, 1, 2, 3, 4)), (4.0, (0, 1, 2, 3, 4))],
    ids=["tehran", "moscow", "yerevan"],
)
def test_infer_utc_offset_recovers_planted_offset(planted, workdays):
    tweets = office_rhythm(planted, workdays=workdays, n=2000, seed=11)
    # with the working hours stated, one offset is named
    best = activity.infer_utc_offset(tweets, workweek=workdays, shifts=(0,)).iloc[0]
    assert best["utc_offset"] == planted
    assert best["label"] == activity.format_utc_offset(planted)
    assert best["verdict"] == SUPPORTED
    assert best["range_low"] <= planted <= best["range_high"]
    assert best["range_high"] - best["range_low"] <= 1.0
    # the evening tail makes half an hour earlier the runner-up, then half an hour later
    assert best["runner_up"] == planted - 0.5
    assert best["margin"] > 0.01
    assert best["confidence"] >= 0.9
    assert best["excess"] > 0.5 and best["rhythm"].startswith("far above chance")
    assert best["tweets"] == 2000
    scores = activity.offset_scores(tweets, workweek=workdays)
    assert scores["utc_offset"].head(3).tolist() == [planted, planted - 0.5, planted + 0.5]
    # unimodal: the share falls away from the best offset on both sides (within 3 h)
    near = scores.set_index("utc_offset")["office_share"].sort_index().loc[
        planted - 3:planted + 3]
    left, right = near.loc[:planted], near.loc[planted:]
    assert left.is_monotonic_increasing and right.is_monotonic_decreasing


def test_infer_utc_offset_gives_a_range_over_working_days():
    # 08-17 and 10-19 fit an hour either side: the default names no single offset
    tweets = office_rhythm(3.5, workdays=IRAN_WEEK, n=2000, seed=11)
    out = activity.infer_utc_offset(tweets, workweek="sat-wed").iloc[0]
    assert out["utc_offset"] == 3.5
    assert out["conventions"] == "08-17: UTC+02:30, 09-18: UTC+03:30, 10-19: UTC+04:30"
    assert out["label"] == "UTC+02:30 to +04:30"
    assert out["verdict"] == SUPPORTED  # the range is the finding
    assert (out["range_low"], out["range_high"]) == (2.5, 4.5)
    assert out["consistent_offsets"] == (2.5, 3.0, 3.5, 4.0, 4.5)
    assert out["workweek"] == "Sat-Wed"
    assert out["confidence"] >= 0.9


def test_infer_utc_offset_on_the_wrong_week_finds_no_working_week():
    # Tehran's Saturday-Wednesday week scored as Monday-Friday: the hours still fit,
    # the week does not (weekends busy, Thursday and Friday empty)
    tweets = office_rhythm(3.5, workdays=IRAN_WEEK, n=2000, seed=5)
    wrong = activity.infer_utc_offset(tweets).iloc[0]
    assert wrong["utc_offset"] == 3.5 and wrong["excess"] >= activity.MIN_EXCESS
    assert wrong["excess_week"] < activity.MIN_WEEKLY_EXCESS
    assert wrong["label"] == INCONCLUSIVE
    right = activity.infer_utc_offset(tweets, workweek="sat-wed").iloc[0]
    assert right["office_share"] > wrong["office_share"]
    assert right["range_low"] <= 3.5 <= right["range_high"]


def test_utc_offset_by_week_gives_each_week_once():
    tweets = office_rhythm(3.5, workdays=IRAN_WEEK, n=2000, seed=5)
    out = activity.utc_offset_by_week(tweets, ["sat-wed", "mon-fri", list(IRAN_WEEK)], seed=1)
    assert out["workweek"].tolist() == ["Sat-Wed", "Mon-Fri"] and out.columns[0] == "workweek"
    for week, row in zip(("sat-wed", "mon-fri"), out.to_dict("records"), strict=True):
        alone = activity.infer_utc_offset(tweets, workweek=week, seed=1).iloc[0].to_dict()
        assert {k: row[k] for k in ("label", "verdict", "confidence", "utc_offset")} == {
            k: alone[k] for k in ("label", "verdict", "confidence", "utc_offset")}
    assert out["verdict"].tolist() == [SUPPORTED, INCONCLUSIVE]


def test_utc_offset_by_week_equals_one_inference_per_week():
    # each cohort's tweets are binned once for all weeks: every row, the control's
    # verdict included, is what one inference per week gives, whatever the options
    operators = office_rhythm(3.5, workdays=IRAN_WEEK, n=2000, seed=5)
    ordinary = office_rhythm(1.0, n=1500, seed=8)
    for options in ({"seed": 1}, {"seed": 2, "control": ordinary},
                    {"seed": 0, "control": ordinary, "workday": (8, 16.5), "shifts": (0, 2),
                     "candidates": [0, 1, 2.25, 3.5, 4], "n_null": 40, "n_boot": 30}):
        weeks = activity.utc_offset_by_week(operators, ["sat-wed", "mon-fri"], **options)
        alone = pd.concat([activity.infer_utc_offset(operators, workweek=w, **options)
                           for w in ("sat-wed", "mon-fri")], ignore_index=True)
        pd.testing.assert_frame_equal(weeks[alone.columns], alone)


def test_a_control_is_a_release_or_its_tweets():
    # case.control (a Release) and case.control.tweets say the same to every function
    # that sets a finding beside ordinary accounts
    ours = office_rhythm(3.5, workdays=IRAN_WEEK, n=800, seed=5)
    theirs = office_rhythm(1.0, n=600, seed=8, userids=("o1", "o2"))
    cohort = FakeRelease(theirs, make_users([{"userid": "o1"}, {"userid": "o2"}]),
                         name="control")
    quick = {"n_boot": 20, "n_null": 20, "seed": 1}
    for call in (lambda c: activity.bursts(ours, control=c),
                 lambda c: activity.infer_utc_offset(ours, workweek="sat-wed", control=c,
                                                     **quick),
                 lambda c: activity.utc_offset_by_week(ours, ["sat-wed", "mon-fri"],
                                                       control=c, **quick),
                 lambda c: activity.accounts_active_in(ours, "2020-01-07 09:00",
                                                       "2020-01-07 12:00", control=c)):
        as_tweets, as_release = call(theirs), call(cohort)
        pd.testing.assert_frame_equal(as_release, as_tweets)
        assert as_release.attrs == as_tweets.attrs


def test_a_time_zone_ordinary_accounts_share_is_not_distinctive():
    operators = office_rhythm(3.5, workdays=IRAN_WEEK, n=2000, seed=5)
    ordinary = pd.concat([_organic(o, n=300, seed=i, userid=f"o{i}")
                          for i, o in enumerate((-5, 0, 1, 3, 5.5, 8, 9))], ignore_index=True)
    office_workers = office_rhythm(3.5, workdays=IRAN_WEEK, n=2000, seed=6)
    alone = activity.infer_utc_offset(operators, workweek="sat-wed", seed=1)
    apart = activity.infer_utc_offset(operators, workweek="sat-wed", seed=1, control=ordinary)
    # ordinary accounts with no office rhythm: the finding stands, and says so
    row = apart.iloc[0]
    assert row["verdict"] == SUPPORTED and row["control_verdict"] == INCONCLUSIVE
    assert row["control_rhythm"].startswith("no office rhythm")
    assert row["reason"].startswith(alone.iloc[0]["reason"])
    assert "ordinary accounts (control) show no office rhythm" in row["reason"]
    kept = [c for c in alone.columns if not c.startswith("control_")]
    pd.testing.assert_frame_equal(apart[kept], alone[kept].assign(reason=apart["reason"]))
    assert pd.isna(alone.iloc[0]["control_verdict"])
    assert alone.iloc[0]["control_rhythm"].startswith("not compared with ordinary accounts")
    # ordinary accounts keeping the same office hours: not distinctive, said in the label
    same = activity.infer_utc_offset(operators, workweek="sat-wed", seed=1,
                                     control=office_workers).iloc[0]
    assert same["verdict"] == NOT_DISTINCTIVE and same["control_verdict"] == SUPPORTED
    assert "does not tell the operators apart" in same["reason"]
    assert activity.zone_label(same) == (f"{same['label']} (not distinctive: ordinary accounts "
                                         "keep the same hours)")
    # utc_offset_by_week passes the control on, week by week
    weeks = activity.utc_offset_by_week(operators, ["sat-wed", "mon-fri"], seed=1,
                                        control=office_workers)
    assert weeks["control_verdict"].tolist() == [SUPPORTED, INCONCLUSIVE]


def test_workweek_forms_agree():
    tweets = office_rhythm(3.5, workdays=IRAN_WEEK, n=500, seed=5)
    by_name = activity.offset_scores(tweets, workweek="sat-wed")
    pd.testing.assert_frame_equal(by_name, activity.offset_scores(tweets, workweek=IRAN_WEEK))
    pd.testing.assert_frame_equal(by_name, activity.offset_scores(tweets, workdays=IRAN_WEEK))
    pd.testing.assert_frame_equal(by_name, activity.offset_scores(tweets, workweek="Sat-Sun,mon-wed"))
    assert activity._workweek("fri-mon") == (0, 4, 5, 6)
    assert activity._week_label(activity._workweek("fri-mon")) == "Fri-Mon"
    assert activity._week_label((0, 2)) == "Mon, Wed"
    for bad in ("weekdays", "mon-xyz", (0, 7), (), (True,)):
        with pytest.raises(ParameterError):
            activity.offset_scores(tweets, workweek=bad)


def _uniform_week(n, *, seed, weeks=26):
    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, weeks * 7 * 1440, size=n)
    times = pd.Timestamp("2020-01-06", tz="UTC") + pd.to_timedelta(minutes, unit="min")
    return make_tweets({"userid": f"u{i % 40}", "tweet_time": t} for i, t in enumerate(times))


def _organic(utc_offset, *, n, seed, userid):
    """An ordinary account: awake 08-24 local every day, busiest in the evening."""
    rng = np.random.default_rng(seed)
    weights = np.r_[np.full(8, 0.1), np.linspace(0.5, 1.0, 10), np.full(6, 1.3)]
    hour = rng.choice(24, size=n, p=weights / weights.sum())
    day = rng.integers(0, 26 * 7, size=n)
    minute = day * 1440 + hour * 60 + rng.integers(0, 60, size=n)
    local = pd.Timestamp("2020-01-06") + pd.to_timedelta(minute, unit="min")
    utc = (local - pd.Timedelta(minutes=round(utc_offset * 60))).tz_localize("UTC")
    return make_tweets({"userid": userid, "tweet_time": t} for t in utc)


@pytest.mark.parametrize("n", [80, 400, 5000])
def test_flat_week_is_inconclusive(n):
    out = activity.infer_utc_offset(_uniform_week(n, seed=n)).iloc[0]
    assert out["label"] == INCONCLUSIVE and out["verdict"] == INCONCLUSIVE
    assert np.isnan(out["range_low"]) and out["consistent_offsets"] == ()
    assert out["confidence"] <= 0.1
    assert out["excess"] < activity.MIN_EXCESS
    # the null includes the search over offsets: a small flat sample's best share is
    # far above a 9-hour, 5-day window's 27% of the week, and within chance
    if n == 80:
        assert out["office_share"] > 45 / 168 + 0.05
        assert out["rhythm_pvalue"] > 0.05


def test_cohort_spread_over_time_zones_is_inconclusive():
    zones = np.arange(-8.0, 11.0, 1.5)  # 13 time zones
    office = pd.concat([office_rhythm(z, n=300, seed=i, userids=(f"o{i}",))
                        for i, z in enumerate(zones)], ignore_index=True)
    organic = pd.concat([_organic(z, n=300, seed=i, userid=f"g{i}")
                         for i, z in enumerate(zones)], ignore_index=True)
    for cohort in (office, organic, pd.concat([office, organic], ignore_index=True)):
        out = activity.infer_utc_offset(cohort).iloc[0]
        assert out["label"] == INCONCLUSIVE, out["reason"]
        assert out["confidence"] <= 0.1
    # ordinary accounts in one time zone have a daily rhythm, not a working week
    one_zone = pd.concat([_organic(3.0, n=300, seed=i, userid=f"g{i}") for i in range(13)],
                         ignore_index=True)
    assert activity.infer_utc_offset(one_zone).iloc[0]["label"] == INCONCLUSIVE


def test_confidence_falls_with_the_margin_above_the_null():
    rhythm = office_rhythm(3.0, n=1500, seed=3)
    confidences = []
    for noise in (0, 2500, 3500, 6000):
        tweets = pd.concat([rhythm, _uniform_week(noise, seed=1)], ignore_index=True)
        out = activity.infer_utc_offset(tweets, seed=2).iloc[0]
        confidences.append(out["confidence"])
        if out["label"] != INCONCLUSIVE:
            assert out["range_low"] <= 3.0 <= out["range_high"]
    assert confidences[0] >= 0.95
    assert confidences == sorted(confidences, reverse=True)
    assert 0.05 < min(confidences[1:3]) < 0.95  # near the rule's edge: a coin toss
    assert confidences[-1] <= 0.05


def test_two_accounts_are_not_many_days():
    # two accounts with clear office rhythms four hours apart (UTC+03:00 and UTC-01:00),
    # the first twice as busy: every day holds both, so resampling days always finds the
    # busier one's zone (UTC+03:00 alone); resampling the accounts finds that two
    # accounts cannot say which zone is the operation's
    a = office_rhythm(3.0, n=1200, seed=1, userids=("a",))
    b = office_rhythm(-1.0, n=600, seed=2, userids=("b",))
    out = activity.infer_utc_offset(pd.concat([a, b], ignore_index=True), shifts=(0,)).iloc[0]
    assert out["utc_offset"] == 3.0 and out["verdict"] == SUPPORTED
    # either zone, and none between them that neither account is in
    assert out["consistent_offsets"] == (-1.0, 2.5, 3.0), out["label"]
    assert out["label"] == "UTC-01:00 or UTC+02:30 to +03:00"
    # one account, or tweets without accounts: its days are resampled
    for tweets in (a, a.drop(columns="userid")):
        one = activity.infer_utc_offset(tweets, shifts=(0,)).iloc[0]
        assert one["label"] == "UTC+03:00" and one["confidence"] >= 0.9
    # three accounts carry the rhythm, forty post around the clock: the half-samples
    # that leave the three out show no rhythm and say nothing of the offsets
    noisy = pd.concat([office_rhythm(3.0, n=1500, seed=3), _uniform_week(2500, seed=1)],
                      ignore_index=True)
    assert activity.infer_utc_offset(noisy, seed=2).iloc[0]["label"] == "UTC+02:00 to +04:00"


def test_infer_utc_offset_is_deterministic_and_seeded():
    tweets = office_rhythm(3.0, n=500, seed=2)
    a = activity.infer_utc_offset(tweets, seed=1)
    b = activity.infer_utc_offset(tweets, seed=1)
    pd.testing.assert_frame_equal(a, b)
    # the seed drives the bootstrap: on a weak rhythm (few tweets, a heavy evening tail)
    # other seeds give other confidences; an ignored seed would give one value
    weak = office_rhythm(3.0, n=60, seed=2, evening_share=0.5, weeks=4)
    confidences = {float(activity.infer_utc_offset(weak, n_boot=20, seed=s)["confidence"]
                         .iloc[0]) for s in range(8)}
    assert len(confidences) > 1


def test_offset_scores_break_ties_by_centring():
    # activity 12:00-14:00 UTC fits a 9-18 day at many offsets; the tie goes to the
    # offset that centres it on 13:30 local
    rows = [{"userid": "a", "tweet_time": pd.Timestamp("2020-01-06 12:00")
             + pd.Timedelta(days=d, minutes=m)} for d in range(5) for m in range(0, 120, 7)]
    scores = activity.offset_scores(make_tweets(rows))
    assert scores["office_share"].iloc[0] == 1.0
    assert (scores["office_share"] == 1.0).sum() > 5
    assert scores["utc_offset"].iloc[0] == 0.5


def test_offset_scores_quarter_hour_offsets():
    tweets = office_rhythm(5.75, n=2000, seed=4)
    scores = activity.offset_scores(tweets, candidates=np.arange(4, 8, 0.25))
    assert scores["utc_offset"].iloc[0] == 5.75
    out = activity.infer_utc_offset(tweets, candidates=np.arange(4, 8, 0.25), shifts=(0,))
    assert out["label"].iloc[0] == "UTC+05:45"


def test_infer_utc_offset_empty_and_small():
    out = activity.infer_utc_offset(make_tweets([])).iloc[0]
    assert out["tweets"] == 0 and np.isnan(out["utc_offset"])
    assert out["verdict"] == INSUFFICIENT and out["label"] == INSUFFICIENT
    few = activity.infer_utc_offset(office_rhythm(3.0, n=30, seed=1)).iloc[0]
    assert few["verdict"] == INSUFFICIENT and few["utc_offset"] == few["utc_offset"]
    one_day = office_rhythm(3.0, n=500, seed=1, workdays=(0,), weeks=1)
    assert activity.infer_utc_offset(one_day).iloc[0]["verdict"] == INSUFFICIENT


# --------------------------------------------------------------------------- specimen


@pytest.fixture(scope="module")
def other_specimen(tmp_path_factory):
    """A small specimen with a seed the checkout's data/specimen (seed 0) does not use."""
    from casebook.specimen import write_specimen

    return write_specimen(tmp_path_factory.mktemp("specimen"), seed=5, scale=0.05,
                          datasets=["iran_202012", "control"])


def _specimen_release(folder):
    from casebook import load_release

    return load_release(folder, name=folder.name, cache=False)


def _assert_places_tehran(tweets):
    out = activity.infer_utc_offset(tweets, workweek="sat-wed").iloc[0]
    assert out["label"] not in (INCONCLUSIVE, INSUFFICIENT), out["reason"]
    assert 3.5 in out["consistent_offsets"]
    assert out["range_high"] - out["range_low"] <= 3.0
    assert out["label"] == "UTC+03:30" or out["label"].startswith("UTC+0")
    assert out["confidence"] >= 0.8


def test_specimen_iran_is_placed_on_tehran_time(other_specimen):
    _assert_places_tehran(_specimen_release(other_specimen["iran_202012"]).tweets)


def test_specimen_iran_seed_0(specimen_dir=Path("data/specimen/iran_202012")):
    if not specimen_dir.is_dir():
        pytest.skip("data/specimen is not generated")
    _assert_places_tehran(_specimen_release(specimen_dir).tweets)


def test_specimen_control_is_inconclusive(other_specimen):
    out = activity.infer_utc_offset(_specimen_release(other_specimen["control"]).tweets)
    assert out["label"].iloc[0] == INCONCLUSIVE, out["reason"].iloc[0]


# --------------------------------------------------------------------------- accounts


def test_account_spans_by_hand():
    tweets = make_tweets([
        {"userid": "a", "user_screen_name": "A", "tweet_time": "2020-01-01 23:00"},
        {"userid": "a", "user_screen_name": "A", "tweet_time": "2020-01-02 01:00"},
        {"userid": "a", "user_screen_name": "A", "tweet_time": "2020-01-10 08:00"},
        {"userid": "b", "user_screen_name": "B", "tweet_time": "2019-12-31 12:00"},
    ])
    spans = activity.account_spans(tweets).set_index("userid")
    assert spans.index.tolist() == ["b", "a"]  # by first tweet
    assert spans.loc["a", "span_days"] == 10
    assert spans.loc["a", "active_days"] == 3
    assert spans.loc["a", "tweets"] == 3
    assert spans.loc["a", "tweets_per_active_day"] == pytest.approx(1.0)
    assert spans.loc["b", "span_days"] == 1
    assert spans.loc["a", "user_screen_name"] == "A"


def test_accounts_active_in_window_is_inclusive_and_widens():
    tweets = make_tweets([
        {"userid": "early", "tweet_time": "2020-09-30 00:59"},
        {"userid": "start", "tweet_time": "2020-09-30 01:00"},
        {"userid": "end", "tweet_time": "2020-09-30 02:30"},
        {"userid": "end", "tweet_time": "2020-09-30 02:00"},
        {"userid": "late", "tweet_time": "2020-09-30 02:31"},
    ])
    inside = activity.accounts_active_in(tweets, "2020-09-30 01:00", "2020-09-30 02:30")
    assert inside["userid"].tolist() == ["end", "start"]
    assert inside["tweets"].tolist() == [2, 1]
    assert inside.attrs["window_end"] == pd.Timestamp("2020-09-30 02:30", tz="UTC")
    wide = activity.accounts_active_in(tweets, "2020-09-30 01:00", "2020-09-30 02:30",
                                       widen="1min")
    assert sorted(wide["userid"]) == ["early", "end", "late", "start"]


def test_accounts_active_in_a_window_are_set_beside_ordinary_accounts():
    tweets = make_tweets([
        {"userid": "a", "tweet_time": "2020-09-30 01:00"},
        {"userid": "b", "tweet_time": "2020-09-30 01:10"},
        {"userid": "c", "tweet_time": "2020-09-29 01:10"},
        {"userid": "d", "tweet_time": "2020-09-28 01:10"},
    ])
    busy = make_tweets([{"userid": f"o{i}", "tweet_time": "2020-09-30 01:05"} for i in range(3)]
                       + [{"userid": "o3", "tweet_time": "2020-09-01 01:05"}])
    window = ("2020-09-30 01:00", "2020-09-30 02:30")
    # half the network and three quarters of ordinary accounts: being active is ordinary
    ordinary = activity.accounts_active_in(tweets, *window, control=busy)
    assert {k: ordinary.attrs[k] for k in ("accounts", "control_active", "control_accounts")} \
        == {"accounts": 4, "control_active": 3, "control_accounts": 4}
    said = activity.active_in_words(ordinary)
    assert said.startswith("2 of 4 accounts active (50.0%); ordinary accounts: 3 of 4 (75.0%)")
    assert said.endswith("as many or more: not distinctive")
    # the shares are compared allowing for the cohorts' sizes: 2 of 4 against 1 of 10 is
    # not clearly more; 60 of 100 against 10 of 400 is
    quiet = make_tweets([{"userid": "o0", "tweet_time": "2020-09-30 01:05"}]
                        + [{"userid": f"o{i}", "tweet_time": "2020-09-01 01:05"}
                           for i in range(1, 10)])
    small = activity.active_in_words(activity.accounts_active_in(tweets, *window, control=quiet))
    assert small.endswith("(10.0%), not clearly above theirs for cohorts of these sizes: "
                          "not distinctive")
    many = make_tweets([{"userid": f"n{i}", "tweet_time": "2020-09-30 01:20" if i < 60
                         else "2020-09-02 01:20"} for i in range(100)])
    crowd = make_tweets([{"userid": f"o{i}", "tweet_time": "2020-09-30 01:05" if i < 10
                          else "2020-09-01 01:05"} for i in range(400)])
    rare = activity.active_in_words(activity.accounts_active_in(many, *window, control=crowd))
    assert rare == ("60 of 100 accounts active (60.0%); ordinary accounts: 10 of 400 (2.5%), "
                    "at least 11.1 times theirs for cohorts of these sizes: distinguishable "
                    "from ordinary accounts")
    alone = activity.active_in_words(activity.accounts_active_in(tweets, *window))
    assert alone == "2 of 4 accounts active (50.0%); not compared with ordinary accounts " \
                    "(no control cohort)"


# --------------------------------------------------------------------------- real data


def test_real_excerpt_smoke():
    release = load_real_excerpt()
    tweets = release.tweets
    assert activity.volume(tweets, freq="W")["tweets"].sum() == len(tweets)
    assert activity.hour_weekday(tweets).to_numpy().sum() == len(tweets)
    activity.bursts(tweets)
    spans = activity.account_spans(tweets)
    assert spans["tweets"].sum() == len(tweets)
    # the GRU excerpt keeps Moscow office hours: 274 tweets place it in a range
    offset = activity.infer_utc_offset(tweets).iloc[0]
    assert offset["utc_offset"] == 3.0
    assert offset["verdict"] != SUPPORTED
    assert offset["label"] == INCONCLUSIVE or 3.0 in offset["consistent_offsets"]
    ax = activity.plot_volume(tweets, freq="MS", events=[
        {"name": "Defender 2020", "start": "2020-02-01", "end": "2020-05-31"}])
    assert len(_events(ax.patches)) == 1


@pytest.mark.parametrize("name", ["gru_202012_excerpt_a.csv", "cnhu_0621_2020_excerpt.csv"])
def test_real_excerpts_are_not_named_wrongly(name):
    path = REAL_EXCERPT.parent / name
    if not path.is_file():
        pytest.skip(f"real archive excerpt not found at {path} (../shared is absent)")
    from casebook import load_release

    out = activity.infer_utc_offset(load_release(path, cache=False).tweets).iloc[0]
    # small samples: a range or inconclusive, never one offset with high confidence
    assert not (out["verdict"] == SUPPORTED and out["confidence"] >= 0.5)
    if name.startswith("gru") and out["label"] != INCONCLUSIVE:  # Moscow, UTC+03:00
        assert 3.0 in out["consistent_offsets"]
    else:  # China-linked, 392 accounts for 447 tweets: no office rhythm
        assert out["label"] == INCONCLUSIVE


# --------------------------------------------------------------------------- fast paths
# volume, bursts and hour_weekday count on integer codes (periods, authors) instead of
# grouping the rows; each is checked against the plain pandas it replaced, on random
# frames split into several Arrow chunks as the loader gives them.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TEXTS = ["RT @u1: hi", "RT @Name: Trump wins", "rt @x: no", "RT @a\u00a0b: z", "RT @ab\x1cc: q",
          "Follow back please", "NATO provocation!", "Палестина Gaza", None, "",
          "RT @ŞEN: x", "RT @:x", "RT @name", "news of NATO's threats"]


@st.composite
def tweet_frames(draw, max_rows: int = 30) -> pd.DataFrame:
    """Random ``Release.tweets`` frames: repeated, missing, non-numeric and zero-padded
    tweetids, missing authors and times, mixed-case hashtags, several Arrow chunks."""
    n = draw(st.integers(0, max_rows))
    ids = draw(st.sampled_from(["plain", "repeats", "text", "padded"]))
    pick = st.sampled_from
    rows = []
    for i in range(n):
        tweetid = {"plain": str(1000 + i), "repeats": str(1000 + i % 4), "text": f"t{i}",
                   "padded": draw(pick([str(1000 + i), f"0{1000 + i}"]))}[ids]
        minute = draw(st.one_of(st.none(), st.integers(0, 60 * 24 * 50)))
        rows.append({
            "tweetid": draw(pick([tweetid, tweetid, tweetid, None])),
            "userid": draw(pick(["u1", "u2", "U1", "3", None])),
            "user_screen_name": draw(pick(["u1", "Name", "name", None])),
            "tweet_time": None if minute is None
            else pd.Timestamp("2020-03-01") + pd.Timedelta(minutes=minute),
            "is_retweet": draw(pick([True, False, None])),
            "retweet_tweetid": draw(pick([None, "1000", "1003", "t1", "01000", "99"])),
            "retweet_userid": draw(pick([None, None, "u1", "zz"])),
            "tweet_text": draw(pick(_TEXTS)),
            "hashtags": draw(st.lists(pick(["NATO", "nato", "#Nato", "ß", "SS", "ss", "",
                                            "Tag", "#"]), max_size=3)),
            "tweet_language": draw(pick(["en", " EN", "iw", "", None, "und"])),
            "tweet_client_name": draw(pick(["TweetDeck", "tweetdeck ", "Twitter Web App",
                                            "(missing)", None, "bot"])),
            **{c: draw(pick([None, 0, 1, 5])) for c in
               ("like_count", "retweet_count", "reply_count", "quote_count")},
        })
    cut = draw(st.integers(0, n))
    return pd.concat([make_tweets(rows[:cut]), make_tweets(rows[cut:])], ignore_index=True)


_PROPERTY = settings(max_examples=30, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def _reference_volume(tweets, freq):
    frame = pd.DataFrame({"tweet_time": tweets["tweet_time"], "userid": tweets["userid"],
                          "retweet": activity.retweet_mask(tweets).astype("int64")}
                         ).dropna(subset=["tweet_time"])
    grouped = frame.groupby(pd.Grouper(key="tweet_time", freq=freq))
    out = pd.DataFrame({"tweets": grouped.size(), "retweets": grouped["retweet"].sum(),
                        "accounts": grouped["userid"].nunique()})
    out["originals"] = out["tweets"] - out["retweets"]
    return out.rename_axis("period").reset_index()[
        ["period", "tweets", "originals", "retweets", "accounts"]].astype(
        dict.fromkeys(["tweets", "originals", "retweets", "accounts"], "int64"))


@_PROPERTY
@given(tweet_frames(), st.sampled_from(["D", "W", "MS", "h", "QS", "30min", "3D"]))
def test_volume_matches_a_pandas_grouper(tweets, freq):
    got = activity.volume(tweets, freq=freq)
    want = _reference_volume(tweets, freq)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def _reference_top(frame, key):
    return (frame.groupby(["period", key]).size().rename("n").reset_index()
            .sort_values(["period", "n", key], ascending=[True, False, True], kind="stable")
            .drop_duplicates("period"))


@_PROPERTY
@given(tweet_frames(), st.sampled_from(["D", "W", "h"]), st.sampled_from([0.0, 0.5, 3.5]))
def test_bursts_match_a_groupby_of_the_rows(tweets, freq, k):
    got = activity.bursts(tweets, freq=freq, k=k)
    counts = _reference_volume(tweets, freq)
    active = counts.loc[counts["tweets"] > 0, "tweets"].to_numpy(dtype=float)
    if not active.size:
        assert got.empty
        return
    median = float(np.median(active))
    mad = 1.4826 * float(np.median(np.abs(active - median))) or 1.0
    found = counts.loc[counts["tweets"] > median + k * mad]
    assert got["period"].tolist() == found.sort_values(
        ["tweets", "period"], ascending=[False, True], kind="stable")["period"].tolist()
    assert (got["score"] == (got["tweets"] - median) / mad).all()
    # top account and hashtag of each burst, by plain groupbys over every row
    rows = pd.DataFrame({"period": tweets["tweet_time"], "userid": tweets["userid"]}).dropna()
    rows["period"] = rows["period"].dt.floor("D") if freq == "D" else rows["period"]
    if freq == "D":
        top = _reference_top(rows, "userid").set_index("period")
        tags = tweets[["tweet_time", "hashtags"]].explode("hashtags").dropna()
        tags = pd.DataFrame({"period": tags["tweet_time"].dt.floor("D"),
                             "tag": tags["hashtags"].astype(str).str.casefold()})
        top_tag = _reference_top(tags, "tag").set_index("period")["tag"]
        for _, burst in got.iterrows():
            if burst["period"] not in top.index:  # only tweets without an author that day
                assert pd.isna(burst["top_account"]) and np.isnan(burst["top_account_share"])
                continue
            assert burst["top_account"] == top.loc[burst["period"], "userid"]
            assert burst["top_account_share"] == top.loc[burst["period"], "n"] / burst["tweets"]
            want = top_tag.get(burst["period"])
            assert (pd.isna(burst["top_hashtag"]) and want is None) or burst["top_hashtag"] == want


@_PROPERTY
@given(tweet_frames(), st.sampled_from([0.0, 3.5, -9.5, 5.75, 14.0]))
def test_hour_weekday_matches_a_crosstab(tweets, offset):
    local = tweets["tweet_time"].dropna() + pd.Timedelta(minutes=round(offset * 60))
    want = (pd.crosstab(local.dt.day_of_week, local.dt.hour)
            .reindex(index=range(7), columns=range(24), fill_value=0).astype("int64"))
    got = activity.hour_weekday(tweets, utc_offset=offset)
    assert (got.to_numpy() == want.to_numpy()).all()
    assert got.index.tolist() == list(activity.WEEKDAYS)


def test_cached_codes_follow_the_column_they_were_computed_on():
    # an Arrow-backed column (a retweeted account); the loaded userid is a categorical,
    # whose codes are one pass and not kept
    tweets = make_tweets([{"retweet_userid": u} for u in ("a", "b", "a", None)])
    codes, names = activity._key_codes(tweets["retweet_userid"])
    assert codes.tolist() == [0, 1, 0, -1] and names.tolist() == ["a", "b"]
    assert activity._key_codes(tweets["retweet_userid"])[0] is codes  # computed once
    tweets["retweet_userid"] = tweets["retweet_userid"].str.upper()  # a new column: new codes
    assert activity._key_codes(tweets["retweet_userid"])[1].tolist() == ["A", "B"]
    categorical = make_tweets([{"userid": u} for u in ("b", "a", "b", None)])["userid"]
    codes, names = activity._key_codes(categorical)
    assert codes.tolist() == [0, 1, 0, -1] and list(names) == ["b", "a"]
    before = len(activity._CACHE)
    del tweets, codes
    import gc

    gc.collect()
    assert len(activity._CACHE) < before  # entries go with the release's columns


def test_cached_computes_once_for_concurrent_askers():
    # a report run computes the coordination section on a second thread; both threads
    # asking for the same column's value wait for one computation, not two
    import threading
    import time

    tweets = make_tweets([{"tweet_text": u} for u in ("a", "b", "a")])
    calls, results = [], []

    def compute():
        calls.append(1)
        time.sleep(0.2)  # long enough for the other asker to arrive meanwhile
        return object()

    def ask():
        results.append(activity._cached(tweets["tweet_text"], "test once", compute))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results[0] is results[1] is results[2]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 3000), max_size=50), st.booleans())
def test_dense_codes_are_the_ranks_np_unique_gives(values, spread):
    values = np.asarray(values, dtype=np.int64) * (10**7 if spread else 1)  # both paths
    want = np.unique(values, return_inverse=True)[1].ravel() if len(values) else values
    assert activity._dense_codes(values).tolist() == want.tolist()


def test_take_rows_equals_iloc_on_chunked_columns() -> None:
    # Arrow columns are filtered chunk by chunk: the rows, their order, the index and
    # the dtypes are those of iloc for masks, sorted, unsorted, repeated and negative
    # positions
    import pyarrow as pa

    from casebook.schema import LIST, STRING

    rng = np.random.default_rng(0)
    size = 50
    text = pa.chunked_array([pa.array([f"t{i}" if i % 7 else None for i in range(a, a + 10)],
                                      pa.large_string()) for a in range(0, size, 10)])
    lists = pa.chunked_array([pa.array([[f"h{i}"] if i % 3 else None for i in range(a, a + 25)],
                                       pa.list_(pa.string())) for a in (0, 25)])
    frame = pd.DataFrame({
        "tweet_text": pd.array(text, dtype=STRING),
        "hashtags": pd.array(lists, dtype=LIST),
        "like_count": pd.array(rng.integers(0, 5, size), dtype="Int64"),
        "tweet_time": pd.to_datetime(rng.integers(0, 10**9, size), unit="s", utc=True),
    }, index=pd.Index(np.arange(size) * 3 + 1))
    for rows in (rng.random(size) < 0.4, np.zeros(size, bool), np.array([3, 9, 11, 40]),
                 np.array([40, 3, 3, 0, 49, 12]), np.array([-1, 5, -50]),
                 np.array([], dtype=np.int64)):
        got = activity._take_rows(frame, rows)
        pd.testing.assert_frame_equal(got, frame.iloc[rows])
    assert activity._take_rows(frame, np.array([2, 1]))["tweet_text"].tolist() == ["t2", "t1"]
