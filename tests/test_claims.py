from __future__ import annotations

import pandas as pd
import pytest

from casebook import claims
from casebook.claims import NOT_SUPPORTED, NOT_TESTABLE, SUPPORTED
from tests._frames import FakeRelease, load_real_excerpt, make_tweets, make_users


def _verdicts(ledger: pd.DataFrame) -> dict[str, str]:
    return dict(zip(ledger["id"], ledger["verdict"], strict=True))


def _one(release, claim_id, **overrides) -> pd.Series:
    operation = claim_id.split("-")[0]
    claim = [c for c in claims.CLAIMS[operation] if c.id == claim_id]
    return claims.evaluate_claims(release, claim, **overrides).iloc[0]


# --------------------------------------------------------------------------- Iran


def _iran(n_debate: int, *, top_share_tweets: int = 0, likes: int = 0) -> FakeRelease:
    """``n_debate`` accounts tweet once at 01:30 UTC on debate night, 10 accounts tweet
    the week before; an optional broadcaster adds ``top_share_tweets`` tweets."""
    rows = [{"userid": f"d{i}", "tweet_time": "2020-09-30 01:30", "like_count": likes,
             "tweet_text": "debate"} for i in range(n_debate)]
    rows += [{"userid": f"q{i}", "tweet_time": "2020-09-20 12:00", "like_count": likes,
              "tweet_text": "before"} for i in range(10)]
    rows += [{"userid": "1000", "tweet_time": "2020-09-21 12:00", "like_count": likes}
             for _ in range(top_share_tweets)]
    tweets = make_tweets(rows)
    users = make_users([{"userid": "1000", "user_screen_name": "StateTV_es",
                         "user_profile_description": "Canal de noticias",
                         "follower_count": 161000}])
    return FakeRelease(tweets, users, name="iran_202012")


def test_debate_claim_flips_with_the_count_and_tolerance():
    assert _one(_iran(130), "iran-debate")["verdict"] == SUPPORTED
    row = _one(_iran(129), "iran-debate")
    assert row["verdict"] == NOT_SUPPORTED
    assert row["value"] == 129
    assert "129 accounts" in row["evidence"]
    assert _one(_iran(129), "iran-debate", debate_tolerance=1)["verdict"] == SUPPORTED
    assert _one(_iran(129), "iran-debate", debate_accounts=100)["verdict"] == SUPPORTED


def test_debate_claim_window_widening():
    release = _iran(120)
    extra = make_tweets([{"userid": f"late{i}", "tweet_time": "2020-09-30 03:15"}
                         for i in range(10)])
    release.tweets = pd.concat([release.tweets, extra], ignore_index=True)
    assert _one(release, "iran-debate")["verdict"] == NOT_SUPPORTED  # 30 min: until 03:00
    row = _one(release, "iran-debate", debate_widen="1h")
    assert row["verdict"] == SUPPORTED and row["value"] == 130
    assert "widened by 1h" in row["rule"]


def test_debate_claim_not_testable_outside_coverage():
    tweets = make_tweets([{"userid": "a", "tweet_time": "2019-01-01 10:00"}])
    release = FakeRelease(tweets, make_users([]), name="iran_202012")
    row = _one(release, "iran-debate")
    assert row["verdict"] == NOT_TESTABLE
    assert "do not cover" in row["evidence"]


def test_low_engagement_claim():
    assert _one(_iran(5, likes=0), "iran-engagement")["verdict"] == SUPPORTED
    row = _one(_iran(5, likes=7), "iran-engagement")
    assert row["verdict"] == NOT_SUPPORTED and row["value"] == 7
    assert _one(_iran(5, likes=7), "iran-engagement", max_median_likes=10)["verdict"] == SUPPORTED
    release = _iran(5)
    release.tweets = release.tweets.assign(like_count=pd.array([pd.NA] * len(release.tweets),
                                                               dtype="Int64"))
    row = _one(release, "iran-engagement")
    assert row["verdict"] == NOT_TESTABLE and "like_count" in row["evidence"]


def test_dominance_claim():
    # 23 + 10 accounts with one tweet each, the broadcaster with 40: 40/73 = 54.8%
    row = _one(_iran(23, top_share_tweets=40), "iran-dominant")
    assert row["verdict"] == SUPPORTED
    assert row["value"] == pytest.approx(40 / 73)
    assert "StateTV_es" in row["evidence"] and "unhashed" in row["evidence"]
    assert "noticias" in row["evidence"]
    assert _one(_iran(40, top_share_tweets=30), "iran-dominant")["verdict"] == NOT_SUPPORTED


# --------------------------------------------------------------------------- Russia


def _russia(*, nato_accounts: int, automated: int, total: int = 100,
            syria: int = 20) -> FakeRelease:
    rows = []
    for i in range(nato_accounts):
        rows += [{"userid": f"n{i}", "tweet_text": t, "tweet_client_name": "Twitter Web App"}
                 for t in ["#NATO go home", "НАТО угрожает", "Defender 2020 is a provocation"]]
    rows += [{"userid": "s", "tweet_text": "Idlib under fire",
              "tweet_client_name": "Twitter Web App"} for _ in range(syria)]
    rows += [{"userid": "bot", "tweet_text": "news", "tweet_client_name": "Hootsuite Inc."}
             for _ in range(automated)]
    rows += [{"userid": "p", "tweet_text": "weather",
              "tweet_client_name": "Twitter for iPhone"} for _ in range(total - len(rows))]
    tweets = make_tweets(dict(r, tweet_time="2020-05-01 10:00") for r in rows)
    return FakeRelease(tweets, make_users([]), name="GRU_202012")


def test_nato_claim():
    row = _one(_russia(nato_accounts=2, automated=0), "russia-nato")
    assert row["verdict"] == SUPPORTED and row["value"] == 2
    assert _one(_russia(nato_accounts=1, automated=0), "russia-nato")["verdict"] == NOT_SUPPORTED
    assert _one(_russia(nato_accounts=2, automated=0), "russia-nato",
                nato_min_tweets=4)["verdict"] == NOT_SUPPORTED


def test_narrative_claim():
    row = _one(_russia(nato_accounts=0, automated=0, syria=20), "russia-narratives")
    assert row["verdict"] == SUPPORTED and row["value"] == pytest.approx(0.2)
    low = _one(_russia(nato_accounts=0, automated=0, syria=5), "russia-narratives")
    assert low["verdict"] == NOT_SUPPORTED


def test_low_automation_claim():
    row = _one(_russia(nato_accounts=0, automated=3), "russia-automation")
    assert row["verdict"] == SUPPORTED and row["value"] == pytest.approx(0.03)
    assert "Hootsuite Inc. (3)" in row["evidence"]
    row = _one(_russia(nato_accounts=0, automated=10), "russia-automation")
    assert row["verdict"] == NOT_SUPPORTED


def test_text_and_client_claims_not_testable_without_the_columns():
    release = _russia(nato_accounts=2, automated=3)
    release.tweets = release.tweets.assign(
        tweet_text=pd.array([pd.NA] * 100, dtype="string"),
        tweet_client_name=pd.array([""] * 100, dtype="string"))
    verdicts = _verdicts(claims.evaluate_claims(release, "russia"))
    assert verdicts == dict.fromkeys(["russia-nato", "russia-narratives", "russia-automation"],
                                     NOT_TESTABLE)
    release.tweets = release.tweets.drop(columns=["tweet_text"])
    assert _one(release, "russia-nato")["verdict"] == NOT_TESTABLE


# --------------------------------------------------------------------------- Armenia


def _armenia(*, with_location: bool = True, automated: int = 95) -> FakeRelease:
    place = "Bakı, Azərbaycan" if with_location else None
    users = make_users([
        {"userid": "1", "user_screen_name": "AzMFA_spox",
         "user_display_name": "Xarici İşlər Nazirliyinin mətbuat katibi",
         "user_reported_location": place, "follower_count": 10, "following_count": 3000},
        {"userid": "2", "user_display_name": "Baku Daily News",
         "user_reported_location": place, "follower_count": 20, "following_count": 2500},
        {"userid": "3", "user_display_name": "Nature lover", "user_reported_location": "Paris",
         "follower_count": 300, "following_count": 200},
    ])
    rows = [{"userid": "2", "tweet_client_name": "Twitter Web App"}] * (100 - automated)
    rows += [{"userid": "1", "tweet_client_name": "SocialOomph"}] * automated
    tweets = make_tweets(dict(r, tweet_time="2020-10-01 10:00", tweet_text="text")
                         for r in rows)
    return FakeRelease(tweets, users, name="armenia_202012")


def test_persona_claim():
    row = _one(_armenia(), "armenia-personas")
    assert row["verdict"] == SUPPORTED and row["value"] == 2
    assert "Baku Daily News" in row["evidence"]
    # "Baku" in the display name still names Azerbaijan; the minister persona does not
    row = _one(_armenia(with_location=False), "armenia-personas")
    assert row["verdict"] == NOT_SUPPORTED and row["value"] == 1
    release = _armenia()
    release.users = release.users.assign(**{c: pd.array([pd.NA] * 3, dtype="string") for c in [
        "user_reported_location", "user_profile_description", "user_display_name"]})
    assert _one(release, "armenia-personas")["verdict"] == NOT_TESTABLE


def test_spam_claim():
    row = _one(_armenia(), "armenia-spam")
    assert row["verdict"] == SUPPORTED and row["value"] == 2
    assert _one(_armenia(), "armenia-spam", spam_min_following=2600)["verdict"] == NOT_SUPPORTED
    release = _armenia()
    release.users = release.users.drop(columns=["following_count"])
    row = _one(release, "armenia-spam")
    assert row["verdict"] == NOT_TESTABLE and "following_count" in row["evidence"]


def test_scheduling_claim():
    assert _one(_armenia(automated=95), "armenia-automation")["verdict"] == SUPPORTED
    assert _one(_armenia(automated=60), "armenia-automation")["verdict"] == NOT_SUPPORTED
    assert _one(_armenia(automated=60), "armenia-automation",
                scheduling_min_share=0.5)["verdict"] == SUPPORTED


# --------------------------------------------------------------------------- the ledger


def test_evaluate_claims_shape_and_operation_from_name():
    ledger = claims.evaluate_claims(_armenia())
    assert ledger.columns.tolist() == ["id", "operation", "claim", "source", "rule",
                                       "evidence", "verdict", "value"]
    assert ledger["id"].tolist() == ["armenia-personas", "armenia-spam", "armenia-automation"]
    assert set(ledger["verdict"]) <= set(claims.VERDICTS)
    assert set(ledger["source"]) <= {claims.TWITTER, claims.SIO}
    assert "at least 90%" in ledger.set_index("id").loc["armenia-automation", "rule"]
    assert "{" not in "".join(ledger["rule"])


def test_evaluate_claims_rejects_unknown_parameters_and_names():
    with pytest.raises(TypeError, match="unknown claim parameters"):
        claims.evaluate_claims(_armenia(), "armenia", debate_window="1h")
    release = _armenia()
    release.name = "somewhere_202012"
    with pytest.raises(ValueError, match="cannot tell the operation"):
        claims.evaluate_claims(release)


def test_params_object_and_overrides_combine():
    params = claims.ClaimParams(scheduling_min_share=0.5)
    ledger = claims.evaluate_claims(_armenia(automated=60), "armenia", params=params)
    assert _verdicts(ledger)["armenia-automation"] == SUPPORTED
    ledger = claims.evaluate_claims(_armenia(automated=60), "armenia", params=params,
                                    scheduling_min_share=0.7)
    assert _verdicts(ledger)["armenia-automation"] == NOT_SUPPORTED


def test_every_claim_is_complete():
    ids = [c.id for cs in claims.CLAIMS.values() for c in cs]
    assert len(ids) == len(set(ids))
    assert set(claims.CLAIMS) == {"iran", "russia", "armenia"}
    for operation, cs in claims.CLAIMS.items():
        for claim in cs:
            assert claim.operation == operation
            assert claim.source in {claims.TWITTER, claims.SIO}
            assert claim.text and claim.rule and callable(claim.check)


def test_real_excerpt_smoke():
    release = load_real_excerpt()
    for operation in claims.CLAIMS:
        ledger = claims.evaluate_claims(release, operation)
        assert ledger["verdict"].isin(claims.VERDICTS).all()
    russia = _verdicts(claims.evaluate_claims(release))  # GRU name picks russia
    assert set(russia) == {"russia-nato", "russia-narratives", "russia-automation"}
