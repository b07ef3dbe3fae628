"""Tests of the specimen generator: format, determinism, ground truth, published facts."""

from __future__ import annotations

import ast
import csv
import hashlib
import importlib.util
import io
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from casebook import cli, schema
from casebook import specimen as sp
from casebook.errors import UsageError
from tests._frames import REAL_EXCERPT

SMALL = 0.02
HASH_RE = re.compile(r"^[A-Za-z0-9+/]{42,43}=?$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d$")
LIST_RE = re.compile(r"^\[(?:'[^'\\]*'(?:, '[^'\\]*')*)?\]$")
SNOWFLAKE_EPOCH_MS = 1288834974657


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _minute(s: str) -> int:
    return int(np.datetime64(s.replace(" ", "T"), "m").astype(np.int64))


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return sp.write_specimen(tmp_path_factory.mktemp("specimen"), seed=0, scale=SMALL)


@pytest.fixture(scope="session")
def data(small: dict[str, Path]) -> dict[str, dict]:
    """Per dataset: parsed tweets and users (csv module) and the ground truth."""
    out = {}
    for name, folder in small.items():
        tweets_file, users_file = sp.archive_file_names(name)
        out[name] = {
            "tweets": _read(folder / tweets_file),
            "users": _read(folder / users_file),
            "truth": json.loads((folder / "ground_truth.json").read_text(encoding="utf-8")),
        }
    return out


# ---------------------------------------------------------------------------- layout & determinism


def test_writes_every_dataset_with_archive_names_readme_and_truth(small: dict[str, Path]) -> None:
    assert list(small) == list(sp.DATASETS)
    for name, folder in small.items():
        assert folder.name == name
        tweets_file, users_file = sp.archive_file_names(name)
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [tweets_file, users_file, "README.md", "ground_truth.json"])
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert "SYNTHETIC" in readme and "casebook.specimen" in readme
        assert f"seed 0 and scale {SMALL}" in readme
    assert sp.archive_file_names("control")[0] == "hashed_2020_12_control_202012_control_202012_tweets_csv_hashed.csv"
    assert sp.archive_file_names("GRU_202012")[1] == "hashed_2020_12_GRU_202012_GRU_202012_users_csv_hashed.csv"


def test_same_seed_gives_byte_identical_files(small: dict[str, Path], tmp_path: Path) -> None:
    again = sp.write_specimen(tmp_path, seed=0, scale=SMALL)
    for name, folder in small.items():
        for f in sorted(folder.iterdir()):
            assert (again[name] / f.name).read_bytes() == f.read_bytes(), f"{name}/{f.name} differs"


def test_another_seed_gives_other_data(small: dict[str, Path], tmp_path: Path) -> None:
    other = sp.write_specimen(tmp_path, seed=1, scale=SMALL, datasets=["GRU_202012"])
    tweets_file, users_file = sp.archive_file_names("GRU_202012")
    for f in (tweets_file, users_file):
        assert (other["GRU_202012"] / f).read_bytes() != (small["GRU_202012"] / f).read_bytes()
    a = set(json.loads((small["GRU_202012"] / "ground_truth.json").read_text())["planted"]["anti_nato_accounts"])
    b = set(json.loads((other["GRU_202012"] / "ground_truth.json").read_text())["planted"]["anti_nato_accounts"])
    assert not a & b  # hashes depend on the seed


# ---------------------------------------------------------------------------- the archive format


def test_every_field_quoted_doubled_quotes_newline_endings(small: dict[str, Path]) -> None:
    for name, folder in small.items():
        for fname, header in zip(sp.archive_file_names(name),
                                 (schema.ARCHIVE_TWEET_COLUMNS, schema.ARCHIVE_USER_COLUMNS), strict=True):
            raw = (folder / fname).read_bytes()
            assert b"\r" not in raw
            text = raw.decode("utf-8")
            rows = list(csv.reader(io.StringIO(text, newline="")))
            assert rows[0] == list(header)
            assert {len(r) for r in rows} == {len(header)}
            buf = io.StringIO(newline="")
            csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
            assert buf.getvalue() == text, f"{fname} is not written the archive's way"
    gru = (small["GRU_202012"] / sp.archive_file_names("GRU_202012")[0]).read_text(encoding="utf-8")
    assert '""' in gru  # embedded quotes are doubled


def test_header_is_byte_identical_to_the_real_archive(small: dict[str, Path]) -> None:
    if not REAL_EXCERPT.is_file():
        pytest.skip(f"real archive excerpt not found at {REAL_EXCERPT} (../shared is absent)")
    real = REAL_EXCERPT.read_bytes().split(b"\n", 1)[0]
    ours = (small["GRU_202012"] / sp.archive_file_names("GRU_202012")[0]).read_bytes().split(b"\n", 1)[0]
    assert ours == real


def test_field_formats(data: dict[str, dict]) -> None:
    seen = Counter()
    for d in data.values():
        for r in d["tweets"]:
            assert TIME_RE.match(r["tweet_time"]), r["tweet_time"]
            assert DATE_RE.match(r["account_creation_date"])
            assert r["tweet_time"][:10] >= r["account_creation_date"]
            assert r["latitude"] in {"absent", "present"} and r["longitude"] == r["latitude"]
            assert r["is_retweet"] in {"true", "false"}
            assert r["tweetid"].isdigit()
            for c in ("quote_count", "reply_count", "like_count", "retweet_count", "follower_count",
                      "following_count"):
                assert r[c].isdigit()
            for c in ("hashtags", "urls", "user_mentions"):
                v = r[c]
                assert v == "" or LIST_RE.match(v), (c, v)
                assert isinstance(ast.literal_eval(v or "[]"), list)
                seen["empty_list_field"] += v == ""
            urls = ast.literal_eval(r["urls"] or "[]")
            assert all(u.startswith(("https://", "http://")) and "t.co/" not in u for u in urls)
            seen["multiline"] += "\n" in r["tweet_text"]
            seen["no_language"] += r["tweet_language"] == ""
            seen["und"] += r["tweet_language"] == "und"
            seen["retweet_without_userid"] += bool(r["retweet_tweetid"]) and not r["retweet_userid"]
            seen["rt_userid"] += bool(r["retweet_userid"])
        for u in d["users"]:
            assert DATE_RE.match(u["account_creation_date"])
            seen["multiline_description"] += "\n" in u["user_profile_description"]
    for key in ("empty_list_field", "multiline", "no_language", "und", "retweet_without_userid",
                "rt_userid", "multiline_description"):
        assert seen[key] > 0, key


def test_hashing_follows_the_5000_follower_rule(data: dict[str, dict]) -> None:
    for name, d in data.items():
        users = d["users"]
        assert len({u["userid"] for u in users}) == len(users)
        hashed = [u for u in users if int(u["follower_count"]) < 5000]
        plain = [u for u in users if int(u["follower_count"]) >= 5000]
        assert hashed and plain, name
        for u in hashed:
            assert HASH_RE.match(u["userid"]) and len(u["userid"]) == 44
            assert u["user_display_name"] == u["user_screen_name"] == u["userid"]
        for u in plain:
            assert u["userid"].isdigit() and 6 <= len(u["userid"]) <= 19
            assert u["user_screen_name"] != u["userid"] and len(u["user_screen_name"]) <= 15
            assert re.fullmatch(r"\w+", u["user_screen_name"], re.ASCII)
        assert any(set("+/=") & set(u["userid"]) for u in hashed)


def test_profile_fields_are_a_snapshot_of_the_users_file(data: dict[str, dict]) -> None:
    for name, d in data.items():
        users = {u["userid"]: u for u in d["users"]}
        for r in d["tweets"]:
            u = users[r["userid"]]
            for c in schema.ARCHIVE_USER_COLUMNS:
                assert r[c] == u[c], (name, c)


def test_tweet_ids_follow_the_clock_and_never_collide(data: dict[str, dict]) -> None:
    every = []
    for d in data.values():
        for r in d["tweets"]:
            tid = int(r["tweetid"])
            every.append(tid)
            minute = _minute(r["tweet_time"])
            if tid > 2**22 * 10**9:  # snowflake
                assert ((tid >> 22) + SNOWFLAKE_EPOCH_MS) // 60_000 == minute
            else:  # sequential ids before November 2010
                assert tid < 3 * 10**10 and r["tweet_time"] < "2010-11-05"
    assert len(every) == len(set(every))
    assert any(int(r["tweetid"]) < 10**11 for r in data["iran_202012"]["tweets"])  # 2009 tweets


def test_rows_are_not_in_time_order(data: dict[str, dict]) -> None:
    times = [r["tweet_time"] for r in data["iran_202012"]["tweets"]]
    assert times != sorted(times) and times != sorted(times, reverse=True)


def test_retweets_replies_and_mentions(data: dict[str, dict]) -> None:
    for name, d in data.items():
        by_id = {r["tweetid"]: r for r in d["tweets"]}
        users = {u["userid"]: u for u in d["users"]}
        n_network = 0
        for r in d["tweets"]:
            if r["is_retweet"] == "true":
                assert r["tweet_text"].startswith("RT @")
                assert r["retweet_tweetid"].isdigit()
                assert {r[c] for c in ("quote_count", "reply_count", "like_count", "retweet_count")} == {"0"}
                target = by_id.get(r["retweet_tweetid"])
                mentions = ast.literal_eval(r["user_mentions"] or "[]")
                if target is not None:
                    n_network += 1
                    assert target["is_retweet"] == "false" and target["userid"] != "" and target["tweet_time"] <= r["tweet_time"]
                    assert target["userid"] in mentions or r["user_mentions"] == ""
                    assert r["retweet_userid"] in ("", target["userid"])
                    if name != "armenia_202012":  # the Armenian persona changed its handle
                        assert r["tweet_text"].startswith(f"RT @{users[target['userid']]['user_screen_name']}: ")
                    assert target["hashtags"] == r["hashtags"] or "" in (target["hashtags"], r["hashtags"])
            elif r["in_reply_to_tweetid"]:
                assert r["tweet_text"].startswith("@") and r["in_reply_to_userid"]
                assert r["in_reply_to_userid"] in ast.literal_eval(r["user_mentions"] or "[]") or r["user_mentions"] == ""
        assert n_network > 0, name
    iran = data["iran_202012"]["tweets"]
    ids = {r["tweetid"] for r in iran}
    rts = [r for r in iran if r["is_retweet"] == "true"]
    assert sum(r["retweet_tweetid"] in ids for r in rts) / len(rts) > 0.99  # Iran retweets itself


# ---------------------------------------------------------------------------- loader


def test_every_dataset_loads_without_rejected_rows(small: dict[str, Path], data: dict[str, dict]) -> None:
    if importlib.util.find_spec("casebook.loader") is None:
        pytest.skip("casebook.loader is not written yet")
    from casebook import load_release

    for name, folder in small.items():
        release = load_release(folder, on_bad_rows="report", cache=False)
        assert len(release.rejected) == 0, name
        counts = data[name]["truth"]["counts"]
        assert len(release.tweets) == counts["tweets"]
        assert len(release.users) == counts["user_rows"]
        assert release.tweets["tweet_time"].notna().all()
        assert int(release.users["hashed"].sum()) == sum(
            int(u["follower_count"]) < 5000 for u in data[name]["users"])
        assert release.tweets["hashtags"].list.len().sum() > 0


# ---------------------------------------------------------------------------- ground truth


def _keys(kind: str, r: dict[str, str]) -> set[str]:
    if kind == "co_retweet":
        return {r["retweet_tweetid"]}
    if kind == "co_tweet":
        return {re.sub(r"\s+", " ", re.sub(r"@\S*", "", r["tweet_text"].lower())).strip()}
    if kind == "co_link":
        return set(ast.literal_eval(r["urls"] or "[]"))
    if kind == "co_hashtag":
        return set(ast.literal_eval(r["hashtags"] or "[]"))
    return set()


def _jaccard(a: str, b: str) -> float:
    x, y = set(a.lower().split()), set(b.lower().split())
    return len(x & y) / len(x | y)


_TWEET_KEYS = {"tweetid", "tweetids", "target_tweetids", "source_tweetids", "first_tweetid", "last_tweetid"}


def _ids_in(x: object, key: str = "", acc: tuple[set, set] | None = None) -> tuple[set, set]:
    """(tweet ids, user ids) named anywhere in a ground-truth document."""
    acc = acc or (set(), set())
    if isinstance(x, dict):
        for k, v in x.items():
            _ids_in(v, k, acc)
    elif isinstance(x, list):
        for v in x:
            _ids_in(v, key, acc)
    elif isinstance(x, str):
        if key in _TWEET_KEYS:
            acc[0].add(x)
        elif key in ("account", "accounts") or key.endswith(("_accounts", "_account")):
            acc[1].add(x)
    return acc


def test_ground_truth_is_consistent_with_the_files(data: dict[str, dict]) -> None:
    for name, d in data.items():
        gt = d["truth"]
        tweets = {r["tweetid"]: r for r in d["tweets"]}
        userids = {u["userid"] for u in d["users"]}
        assert gt["dataset"] == name and gt["synthetic"] is True and gt["generator"] == "casebook.specimen"
        assert gt["seed"] == 0 and gt["scale"] == SMALL
        assert gt["counts"]["tweets"] == len(d["tweets"])
        assert gt["counts"]["user_rows"] == len(d["users"])
        assert gt["counts"]["accounts"] == len({r["userid"] for r in d["tweets"]})
        assert gt["counts"]["retweets"] == sum(r["is_retweet"] == "true" for r in d["tweets"])

        found_t, found_u = _ids_in(gt)
        assert found_t and found_u
        assert found_t <= set(tweets), (name, found_t - set(tweets))
        assert found_u <= userids, (name, found_u - userids)
        if name == "control":
            assert gt["coordination_groups"] == []
            continue
        assert gt["coordination_groups"]
        for g in gt["coordination_groups"]:
            assert set(g["kinds"]) <= {"co_retweet", "co_tweet", "near_duplicate", "co_link", "co_hashtag"}
            members = set(g["accounts"])
            rows = [tweets[t] for t in g["tweetids"]]
            assert {r["userid"] for r in rows} <= members and len({r["userid"] for r in rows}) >= 2
            w = g["window_minutes"]
            for kind in g["kinds"]:
                for r in rows:  # every planted tweet has a partner from another member in the window
                    ok = False
                    for o in rows:
                        if o["userid"] == r["userid"] or abs(_minute(o["tweet_time"]) - _minute(r["tweet_time"])) > w:
                            continue
                        if kind == "near_duplicate":
                            ok = _jaccard(o["tweet_text"], r["tweet_text"]) >= 0.6
                        else:
                            ok = bool(_keys(kind, r) & _keys(kind, o))
                        if ok:
                            break
                    assert ok, (name, g["id"], kind, r["tweet_text"])
            if "co_retweet" in g["kinds"]:
                assert {r["retweet_tweetid"] for r in rows} <= set(g["target_tweetids"])


def test_noise_is_spread_out(data: dict[str, dict]) -> None:
    for name, d in data.items():
        if name == "control":
            continue
        tweets = {r["tweetid"]: r for r in d["tweets"]}
        noise = d["truth"]["planted"]["noise"]
        pop = noise["popular_retweets"]
        by_target = defaultdict(list)
        for t in pop["tweetids"]:
            by_target[tweets[t]["retweet_tweetid"]].append(_minute(tweets[t]["tweet_time"]))
        assert set(by_target) == set(pop["source_tweetids"])
        for times in by_target.values():
            assert np.diff(sorted(times)).min() >= pop["min_gap_minutes"]
        days = sorted(tweets[t]["tweet_time"][:10] for t in noise["spread_hashtag"]["tweetids"])
        assert len(set(days)) == len(days)
        assert all(noise["spread_hashtag"]["hashtag"] in tweets[t]["hashtags"] for t in noise["spread_hashtag"]["tweetids"])


OPERATIONS = ("iran_202012", "GRU_202012", "IRA_202012", "armenia_202012")
#: sha256 of the operations' files at seed 0 and SMALL scale: the control (or anything else)
#: must not change them. Update only with a deliberate change to an operation's recipe.
OPERATION_SHA256 = {
    "iran_202012": ("8e15fb9101630eca5d5bddf1851c7d62dab21b33496be6f0b02ff5520918876a",
                    "09b81eb769022c36be3926e717201be33d55c37eb11b538b674eb3c7b1dad4ef",
                    "c368ad67bb870cadacde2eee0632a841c20eaecc7eeada199b94ab4bff5d258e",
                    "b1d1e4fb0bfb9ef8d920e65a0bdfb96311397f9334128a4efbdd59691a7c096e"),
    "GRU_202012": ("f4e0724e9296f83b19aa8fdd80b5fa516f460d20875ef2a3cdcbdade80a08e03",
                   "2e975ad4a40fa1caec1b9153e15995dfe016197d1abf6c38b144c98b0a9bf729",
                   "f6e0252f3d90be0fae12a4b819a6aa239923c00271d036891bdc5232d03b4161",
                   "dcf0b793917f5d785d0b19c0b62f2732f0baadad776a78ef9ac77f6bddc24ab7"),
    "IRA_202012": ("74d6774c6807072fe04a44008ab326449bd786550d6c22fe52ee35333b39f4f4",
                   "838daca864df82da467a922f56e6258ff1d3ec281fc1cb20f34e0a2019ed7b43",
                   "2f147f1ef13f62e41fda6732ba25aaf2aace52c104023fb5a808141d23583179",
                   "7ed1d37721ade931fd2167cc518324579992f842b2a31e172b12d0a929544a73"),
    "armenia_202012": ("704c8ea25f1582b933897925acf982b0b8e7dfe39986e3c4b6b5b48b57be5822",
                       "adc11010f3695c8accf617deb20f7f4aec26bfdb70194edc1a407a7515127b25",
                       "d1bd8bdc44e0c48ac514268030bb57387a385c7ddf7241fafb466c243ab1b913",
                       "adc492e31adc2ec5d224f937c50c0909f38aa75a4c56bdd9e1923d4c9259b211"),
}


def _frame(spec: sp.Specimen) -> pd.DataFrame:
    cols = ["userid", "tweet_time", "is_retweet", "retweet_tweetid", "in_reply_to_tweetid", "hashtags",
            "urls", "tweet_client_name", "tweet_language", "tweet_text"]
    return spec.tweets.select(cols).cast(pa.schema([(c, pa.string()) for c in cols])).to_pandas()


def _as_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _rates(t: pd.DataFrame) -> dict[str, float]:
    """Activity measured from the tweets alone (independently of the generator's own numbers)."""
    minutes = pd.to_datetime(t["tweet_time"]).to_numpy().astype("datetime64[m]").astype(np.int64)
    by = pd.DataFrame({"userid": t["userid"].to_numpy(), "day": minutes // 1440}).groupby("userid")["day"]
    span = by.max() - by.min() + 1
    n = by.size()

    def listed(c: str) -> float:
        return float((~t[c].isin(["[]", ""])).mean())

    return {"per_account_day": float(n.sum() / span.sum()), "median_account": float((n / span).median()),
            "retweet": float((t["is_retweet"] == "true").mean()),
            "reply": float((t["in_reply_to_tweetid"] != "").mean()),
            "hashtags": listed("hashtags"), "links": listed("urls")}


def _repeated_pairs(t: pd.DataFrame, key: str) -> int:
    """Most distinct keys any two accounts shared within the same minute (retweet ids, hashtags)."""
    keyed = t.assign(minute=t["tweet_time"])
    if key == "hashtags":
        keyed = keyed.assign(k=keyed["hashtags"].map(lambda v: ast.literal_eval(v or "[]"))).explode("k")
    else:
        keyed = keyed.assign(k=keyed[key]).loc[lambda d: d["k"] != ""]
    keyed = keyed.dropna(subset=["k"])[["userid", "minute", "k"]].drop_duplicates()
    pairs = keyed.merge(keyed, on=["minute", "k"]).loc[lambda d: d["userid_x"] < d["userid_y"]]
    if pairs.empty:
        return 0
    return int(pairs.drop_duplicates(["userid_x", "userid_y", "k"]).groupby(["userid_x", "userid_y"]).size().max())


@pytest.fixture(scope="session")
def default_specimen() -> dict[str, sp.Specimen]:
    """Every dataset at the default seed and scale, in memory (about two seconds)."""
    return {name: sp.build_specimen(name, seed=0, scale=sp.DEFAULT_SCALE) for name in sp.DATASETS}


@pytest.fixture(scope="session")
def default_frames(default_specimen: dict[str, sp.Specimen]) -> dict[str, pd.DataFrame]:
    return {name: _frame(s) for name, s in default_specimen.items()}


def test_control_is_as_active_as_the_operations(data: dict[str, dict],
                                                 default_frames: dict[str, pd.DataFrame]) -> None:
    for frames in ({k: _as_frame(v["tweets"]) for k, v in data.items()}, default_frames):
        rates = {name: _rates(t) for name, t in frames.items()}
        for measure in ("per_account_day", "median_account"):
            ops = float(np.median([rates[op][measure] for op in OPERATIONS]))
            assert ops / 2 <= rates["control"][measure] <= ops * 2, (measure, rates)


def test_control_shares_are_in_the_stated_ranges(default_specimen: dict[str, sp.Specimen],
                                                 default_frames: dict[str, pd.DataFrame],
                                                 small: dict[str, Path]) -> None:
    t = default_frames["control"]
    r = _rates(t)
    assert 0.28 <= r["retweet"] <= 0.42
    assert 0.08 <= r["reply"] <= 0.2
    assert 0.35 <= r["hashtags"] <= 0.6
    assert 0.2 <= r["links"] <= 0.4
    clients = t["tweet_client_name"].value_counts(normalize=True)
    assert clients[["Twitter for iPhone", "Twitter for Android", "Twitter Web App"]].sum() >= 0.9
    tools = t.loc[t["tweet_client_name"].isin(["TweetDeck", "Hootsuite Inc."]), "userid"].nunique()
    assert 2 <= tools <= 0.08 * t["userid"].nunique()  # a few ordinary TweetDeck/Hootsuite users
    assert not set(clients.index) & (set(sp.AUTOMATION_CLIENTS) - {"TweetDeck", "Hootsuite Inc."})
    langs = t["tweet_language"].value_counts(normalize=True)
    assert (langs >= 0.02).sum() >= 7
    rt = t[t["is_retweet"] == "true"]
    assert rt["retweet_tweetid"].value_counts().iloc[0] >= 30  # a viral tweet
    domains = t["urls"].str.extract(r"'https?://([^/']+)")[0].dropna().value_counts(normalize=True)
    assert domains.iloc[:5].sum() >= 0.5  # a few popular sites take most links
    # the documentation states the measured rates
    act = default_specimen["control"].ground_truth["activity"]
    assert act["tweets_per_account_day"] == pytest.approx(r["per_account_day"], abs=1e-3)
    assert act["hashtag_share"] == pytest.approx(r["hashtags"], abs=1e-3)
    assert act["link_share"] == pytest.approx(r["links"], abs=1e-3)
    readme = (small["control"] / "README.md").read_text(encoding="utf-8")
    small_act = json.loads((small["control"] / "ground_truth.json").read_text())["activity"]
    for key in ("tweets_per_account_day", "median_account_tweets_per_day"):
        assert f"| {small_act[key]:.3f} |" in readme
    for key in ("retweet_share", "hashtag_share", "link_share"):
        assert f"| {100 * small_act[key]:.1f}% |" in readme
    assert "Twitter for iPhone" in readme and "UTC+03:30" in readme and "Nagorno-Karabakh" in readme


def test_control_accounts_live_in_many_time_zones(default_specimen: dict[str, sp.Specimen],
                                                  default_frames: dict[str, pd.DataFrame]) -> None:
    planted = default_specimen["control"].ground_truth["planted"]
    assert len(planted["utc_offsets_hours"]) >= 8
    assert sum(planted["accounts_per_utc_offset"].values()) == 400
    assert planted["operator_utc_offset_hours"] is None
    # from the tweets alone: the accounts' busiest hours spread around the clock, and the
    # cohort as a whole has no hour of day far busier than the others
    t = default_frames["control"]
    hour = pd.to_datetime(t["tweet_time"]).dt.hour
    busiest = hour.groupby(t["userid"]).agg(lambda h: h.value_counts().idxmax())
    active = t["userid"].value_counts()
    assert busiest[active[active >= 30].index].nunique() >= 12
    share = hour.value_counts(normalize=True)
    assert share.max() / share.min() < 2.0


def test_control_has_no_planted_coordination(data: dict[str, dict],
                                             default_frames: dict[str, pd.DataFrame]) -> None:
    truth = data["control"]["truth"]
    assert truth["coordination_groups"] == [] and truth["planted"]["planted_coordination"] == []
    t = default_frames["control"]
    # no two ordinary accounts keep retweeting the same tweets or using the same hashtags in
    # the same minute; a planted group does (Armenia's co-retweet and co-hashtag groups)
    assert _repeated_pairs(t, "retweet_tweetid") <= 2
    assert _repeated_pairs(t, "hashtags") <= 3
    armenia = default_frames["armenia_202012"]
    assert _repeated_pairs(armenia, "retweet_tweetid") >= 5
    assert _repeated_pairs(armenia, "hashtags") >= 5


def test_control_has_only_innocent_coincidences(data: dict[str, dict]) -> None:
    d = data["control"]
    gt = d["truth"]["planted"]["innocent_coincidences"]
    tweets = {r["tweetid"]: r for r in d["tweets"]}
    same_minute = 0
    for viral in gt["viral_retweets"]:
        rows = [tweets[t] for t in viral["tweetids"]]
        assert {r["retweet_tweetid"] for r in rows} == {viral["retweet_tweetid"]}
        assert len({r["tweet_text"] for r in rows}) == 1 and len({r["hashtags"] or "[]" for r in rows}) == 1
        assert len({r["userid"] for r in rows}) == len(rows) == len(viral["accounts"])
        per_minute = Counter(r["tweet_time"] for r in rows)
        assert sum(c * (c - 1) // 2 for c in per_minute.values()) == viral["same_minute_pairs"]
        same_minute += viral["same_minute_pairs"]
    assert same_minute > 0 and max(len(v["tweetids"]) for v in gt["viral_retweets"]) >= 20
    debate = [e for e in gt["event_hashtags"] if e["event"] == "first_us_presidential_debate"]
    assert debate and all("2020-09-30 01:00" <= tweets[t]["tweet_time"] <= "2020-09-30 02:29"
                          and "Debates2020" in tweets[t]["hashtags"] for t in debate[0]["tweetids"])
    for art in gt["popular_articles"]:
        rows = [tweets[t] for t in art["tweetids"]]
        assert all(art["url"] in r["urls"] for r in rows) and len({r["userid"] for r in rows}) >= 2


def test_control_reacts_to_the_operations_events(default_frames: dict[str, pd.DataFrame]) -> None:
    t = default_frames["control"]
    time = t["tweet_time"]
    # the debate's 90 minutes against the same clock hours on the other days of September
    hm = time.str[11:]
    in_hours = (hm >= "01:00") & (hm <= "02:29")
    debate = (in_hours & time.str.startswith("2020-09-30")).sum()
    others = (in_hours & time.str.startswith("2020-09") & ~time.str.startswith("2020-09-30")).sum() / 29
    assert debate > 5 * others
    election = time.str.startswith(("2020-11-03", "2020-11-04")).sum() / 2
    november = time.str.startswith("2020-11").sum() / 30
    assert election > 2 * november
    karabakh = t["tweet_text"].str.contains("Artsakh|Qarabağ|Արցախ|Карабах", regex=True)
    war = time.between("2020-09-27", "2020-11-11")
    assert karabakh[war].mean() > 3 * karabakh[~war].mean()


def test_ordinary_accounts_mention_the_operations_words(default_frames: dict[str, pd.DataFrame]) -> None:
    t = default_frames["control"]
    for word in ("NATO", "Syria", "Karabakh", "Azerbaijan", "Trump", "Biden"):
        assert t.loc[t["tweet_text"].str.contains(word), "userid"].nunique() >= 20, word
    nato = t.loc[t["tweet_text"].str.contains("NATO"), "tweet_text"]
    assert nato.str.contains("keeps Europe safe").any() and nato.str.contains("waste of money").any()


def test_operations_are_unchanged_by_the_control(small: dict[str, Path]) -> None:
    for name in OPERATIONS:
        files = (*sp.archive_file_names(name), "ground_truth.json", "README.md")
        got = tuple(hashlib.sha256((small[name] / f).read_bytes()).hexdigest() for f in files)
        assert got == OPERATION_SHA256[name], name


def test_control_is_deterministic_at_the_default_scale(tmp_path: Path,
                                                       default_specimen: dict[str, sp.Specimen]) -> None:
    a = sp.write_specimen(tmp_path / "a", datasets=["control"])["control"]
    b = sp.write_specimen(tmp_path / "b", datasets=["control"])["control"]
    for f in sorted(a.iterdir()):
        assert (b / f.name).read_bytes() == f.read_bytes(), f.name
    again = sp.build_specimen("control", seed=0, scale=sp.DEFAULT_SCALE)
    assert again.tweets.equals(default_specimen["control"].tweets)
    other = sp.build_specimen("control", seed=1, scale=sp.DEFAULT_SCALE)
    assert not other.tweets.equals(again.tweets)


def test_planted_facts_at_small_scale(data: dict[str, dict]) -> None:
    iran = data["iran_202012"]
    p = iran["truth"]["planted"]
    users = {u["userid"]: u for u in iran["users"]}
    state = users[p["state_media_account"]]
    assert state["user_screen_name"] == "AlborzNoticias" and state["account_creation_date"].startswith("2010")
    assert int(state["follower_count"]) > 150_000 and "Teherán" in state["user_reported_location"]
    debate = set(p["debate_accounts"])
    assert len(debate) == 130 and debate == set(p["pro_trump_accounts"]) | set(p["pro_biden_accounts"])
    w0, w1 = p["debate_window"]["start"], p["debate_window"]["end"]
    active = {r["userid"] for r in iran["tweets"] if w0 <= r["tweet_time"] <= w1
              and re.search(r"Debates?2020", r["hashtags"])}
    assert active == debate
    times = sorted(r["tweet_time"] for r in iran["tweets"])
    assert times[0].startswith("2009-09") and times[-1].startswith("2020-12-27")
    tops = Counter(r["tweet_time"][:10] for r in iran["tweets"]).most_common(3)
    assert [day for day, _ in tops] == ["2020-08-17", "2020-05-22", "2020-08-30"]
    assert iran["truth"]["shares"]["top_account"] == pytest.approx(302_648 / 560_571, abs=0.01)

    arm = data["armenia_202012"]
    pa_ = arm["truth"]["planted"]
    personas = Counter(x["persona"] for x in pa_["impersonator_accounts"])
    assert personas["foreign_minister"] == 1 and personas["ministry_spokesperson"] == 1
    assert personas["news_outlet"] >= 4
    hc = pa_["handle_change"]
    fm_rts = [r for r in arm["tweets"] if r["is_retweet"] == "true" and hc["account"] in r["user_mentions"]]
    old = [r for r in fm_rts if r["tweet_time"] < hc["changed"]]
    new = [r for r in fm_rts if r["tweet_time"] >= hc["changed"]]
    assert new and all(r["tweet_text"].startswith(f"RT @{hc['new_screen_name']}:") for r in new)
    assert all(r["tweet_text"].startswith(f"RT @{hc['old_screen_name']}:") for r in old)
    assert sum(r["tweet_time"] >= "2020-09-27" and r["tweet_time"] < "2020-11-11" for r in arm["tweets"]) > len(arm["tweets"]) / 8
    assert min(r["tweet_time"] for r in arm["tweets"]).startswith("2014")
    assert all(int(u["following_count"]) > int(u["follower_count"]) for u in arm["users"]
               if u["userid"] in set(pa_["follow_spam_accounts"]))

    gru = data["GRU_202012"]
    pg = gru["truth"]["planted"]
    nato = set(pg["anti_nato_accounts"])
    nato_tags = Counter(t for r in gru["tweets"] if r["userid"] in nato for t in ast.literal_eval(r["hashtags"] or "[]"))
    assert nato_tags["NATO"] + nato_tags["Defender2020"] + nato_tags["NoDEF20"] > 0
    urls = [u for r in gru["tweets"] for u in ast.literal_eval(r["urls"] or "[]")]
    assert any(re.match(r"https://[\w-]+\.livejournal\.com/\d+\.html$", u) for u in urls)
    assert any(re.match(r"https://medium\.com/@\w+/[\w-]+$", u) for u in urls)
    kar = [tid for tid in pg["karabakh_mercenaries"]["tweetids"]]
    by_id = {r["tweetid"]: r for r in gru["tweets"]}
    assert kar and all(by_id[t]["tweet_time"].startswith("2020-10") for t in kar)
    times = sorted(r["tweet_time"] for r in gru["tweets"])
    assert times[0] >= "2016-10" and times[-1] < "2020-11"

    ira = data["IRA_202012"]
    users = {u["userid"]: u for u in ira["users"]}
    for o in ira["truth"]["planted"]["outlet_accounts"]:
        assert int(users[o["account"]]["follower_count"]) >= 5000 and users[o["account"]]["user_display_name"] == o["name"]
    assert sum(r["tweet_time"].startswith("2020") for r in ira["tweets"]) / len(ira["tweets"]) > 0.75


def test_no_real_outlet_or_official_is_a_persona(data: dict[str, dict]) -> None:
    real = ("hispantv", "press tv", "presstv", "oriental review", "strategic culture", "sputnik",
            "al mayadeen", "almanar", "al-manar", "tasnim", "fars news", "mehr news", "apa.az",
            "trend.az", "report.az", "bayramov", "hajizada", "abdullayeva", "zarif", "lavrov")
    fields = ("user_display_name", "user_screen_name", "user_profile_description", "user_reported_location")
    for d in data.values():
        for u in d["users"]:
            blob = " ".join(u[f] for f in fields).lower()
            assert not any(name in blob for name in real), blob


# ---------------------------------------------------------------------------- scale


@pytest.mark.slow
def test_scale_one_reproduces_the_published_facts() -> None:
    """One generation per dataset at scale 1 (several seconds): exact counts, tolerances."""
    facts = {}
    for name in sp.DATASETS:
        s = sp.build_specimen(name, seed=0, scale=1)
        t = s.tweets
        uid = t.column("userid")
        c = s.ground_truth["counts"]
        assert c["tweets"] == t.num_rows == sp.PUBLISHED[name]["tweets"]
        assert c["user_rows"] == s.users.num_rows == sp.PUBLISHED[name]["user_rows"]
        assert c["accounts"] == len(pc.unique(uid)) == sp.PUBLISHED[name]["accounts"]
        is_rt = pc.equal(t.column("is_retweet"), "true")
        clients = pc.is_in(t.column("tweet_client_name"), pa.array(list(sp.AUTOMATION_CLIENTS), pa.large_string()))
        top = max(pc.value_counts(uid).field("counts").to_pylist())
        facts[name] = {"rt": pc.mean(is_rt.cast("int8")).as_py(), "auto": pc.mean(clients.cast("int8")).as_py(),
                       "top": top / t.num_rows}
        if name == "iran_202012":
            times = t.column("tweet_time")
            in_win = pc.and_(pc.greater_equal(times, "2020-09-30 01:00"), pc.less_equal(times, "2020-09-30 02:30"))
            debate_tags = pc.match_substring_regex(t.column("hashtags"), r"Debates?2020")
            active = set(pc.unique(uid.filter(pc.and_(in_win, debate_tags))).to_pylist())
            assert active == set(s.ground_truth["planted"]["debate_accounts"])
            assert len(active) == 130
            days = pc.value_counts(pc.utf8_slice_codeunits(times, 0, 10)).to_pylist()
            top3 = [x["values"] for x in sorted(days, key=lambda x: -x["counts"])[:3]]
            assert top3 == ["2020-08-17", "2020-05-22", "2020-08-30"]
            assert c["retweets"] == 100_446 and c["replies"] == 89_139
    assert 0.50 <= facts["iran_202012"]["top"] <= 0.58
    assert 0.15 <= facts["iran_202012"]["rt"] <= 0.21
    assert facts["armenia_202012"]["auto"] >= 0.90
    assert facts["GRU_202012"]["auto"] < 0.05
    assert 0.28 <= facts["IRA_202012"]["rt"] <= 0.40


def test_above_one_accounts_scale_too() -> None:
    s = sp.build_specimen("IRA_202012", seed=0, scale=1.5)
    assert s.tweets.num_rows == round(68_914 * 1.5)
    assert s.users.num_rows >= 31 * 1.4
    assert s.ground_truth["counts"]["accounts"] >= 24 * 1.4


def test_tiny_scale_keeps_the_planted_structure() -> None:
    s = sp.build_specimen("iran_202012", seed=3, scale=0.001)
    gt = s.ground_truth
    assert gt["counts"]["tweets"] > round(560_571 * 0.001)  # raised to the floor
    assert gt["counts"]["accounts"] == 238
    t = s.tweets
    times = t.column("tweet_time")
    in_win = pc.and_(pc.greater_equal(times, "2020-09-30 01:00"), pc.less_equal(times, "2020-09-30 02:30"))
    assert len(pc.unique(t.column("userid").filter(in_win))) >= 130
    assert gt["shares"]["top_account"] == pytest.approx(302_648 / 560_571, abs=0.01)


def test_default_scale_is_workshop_sized() -> None:
    expected = sum(round(v["tweets"] * sp.DEFAULT_SCALE) for v in sp.PUBLISHED.values())
    assert 100_000 <= expected <= 150_000


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"scale": -1}, {"scale": math.nan},
                                    {"datasets": ["nope"]}, {"seed": -1}])
def test_invalid_arguments_raise(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        sp.write_specimen(tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == [] or all(not p.name.startswith(".") for p in tmp_path.iterdir())


# ---------------------------------------------------------------------------- writing & CLI


def test_an_interrupted_write_leaves_the_previous_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = sp.write_specimen(tmp_path, scale=0.01, datasets=["GRU_202012"])["GRU_202012"]
    before = {p.name: p.read_bytes() for p in first.iterdir()}

    def broken(table, path, order):  # noqa: ANN001 - writes half a file, then dies
        path.write_bytes(b'"tweetid"\n"1')
        raise RuntimeError("killed")

    monkeypatch.setattr(sp, "_write_csv", broken)
    with pytest.raises(RuntimeError):
        sp.write_specimen(tmp_path, seed=5, scale=0.01, datasets=["GRU_202012"])
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["GRU_202012"]  # no temporary folder left


def test_cli_writes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["specimen", "--out", str(tmp_path), "--scale", "0.01", "--seed", "2",
                     "--datasets", "GRU_202012", "IRA_202012"])
    assert code == 0
    out = capsys.readouterr().out
    assert "GRU_202012: " in out and "user rows" in out and "IRA_202012" in out
    assert str(tmp_path / "GRU_202012" / sp.archive_file_names("GRU_202012")[0]) in out
    gt = json.loads((tmp_path / "IRA_202012" / "ground_truth.json").read_text())
    assert gt["seed"] == 2 and gt["scale"] == 0.01
    assert sorted(p.name for p in tmp_path.iterdir()) == ["GRU_202012", "IRA_202012"]
    assert cli.main(["specimen", "--out", str(tmp_path), "--scale", "-2"]) == 2


def test_cli_help_explains_scale(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["specimen", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--scale" in out and "published counts" in out and "SYNTHETIC" in out


def test_a_folder_the_specimen_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    raw = tmp_path / "GRU_202012"  # e.g. a real download under --out data/raw
    raw.mkdir()
    (raw / "GRU_202012_tweets_csv_hashed.zip").write_bytes(b"real bytes")
    with pytest.raises(UsageError, match="not written by 'casebook specimen'") as err:
        sp.write_specimen(tmp_path, scale=SMALL, datasets=["iran_202012", "GRU_202012"])
    assert err.value.exit_code == 2
    assert (raw / "GRU_202012_tweets_csv_hashed.zip").read_bytes() == b"real bytes"
    assert not (tmp_path / "iran_202012").exists()  # refused before writing anything
    # the specimen's own folders are replaced as before
    sp.write_specimen(tmp_path, scale=SMALL, datasets=["iran_202012"])
    sp.write_specimen(tmp_path, scale=SMALL, datasets=["iran_202012"])
    assert (tmp_path / "iran_202012" / "ground_truth.json").is_file()


def test_a_specimen_folder_holding_the_users_files_is_never_replaced(tmp_path: Path) -> None:
    # the old folder was renamed aside and deleted whole, the user's files with it
    folder = sp.write_specimen(tmp_path, scale=0.01, datasets=["GRU_202012"])["GRU_202012"]
    (folder / "my_notes.txt").write_text("my notes")
    (folder / "real_download_tweets.csv").write_bytes(b"real bytes")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(UsageError, match=r"did not write \(my_notes.txt, "
                                         r"real_download_tweets.csv\)") as err:
        sp.write_specimen(tmp_path, seed=3, scale=0.01, datasets=["GRU_202012"])
    assert err.value.exit_code == 2 and "move them out" in str(err.value)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["GRU_202012"]  # refused before writing
    # once they are moved away, the folder is the specimen's alone and is replaced
    (folder / "my_notes.txt").unlink()
    (folder / "real_download_tweets.csv").unlink()
    sp.write_specimen(tmp_path, seed=3, scale=0.01, datasets=["GRU_202012"])
    assert json.loads((folder / "ground_truth.json").read_text())["seed"] == 3
