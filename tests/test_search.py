"""``casebook search``: each kind of query finds what was planted, across releases."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import cli, load_release, schema, search, store
from casebook.errors import UsageError
from tests.conftest import archive_bytes, tweet_row

UA1 = "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE="
UA2 = "1234"  # an unhashed account: a real screen name
UB1 = "kq9+Bv0bWZ1uJ3Jm0WJ8aNeU4q8yVb6Lh1S0dC9wYxA="
UB2 = "Q2R5d1pXbjN2Z0Rrb0xQdXRnYkFQa3VxS0JzZz0+aa="
HOSTILE_NAME = "=SUM(1+1)\x1b[2J"

NEAR_A = "NATO is a threat to peace in europe today"
NEAR_B = "nato is a threat to peace in europe now"  # 7 of 9 word pairs shared: 0.78
LONG_URL = "https://news.example.co.uk/story/1"


def _row(tweetid: str, userid: str, time: str, *, screen: str | None = None, **kw: str) -> list[str]:
    name = screen if screen is not None else userid
    return tweet_row(tweetid=tweetid, userid=userid, user_screen_name=name,
                     user_display_name=name, tweet_time=time, **kw)


RELEASE_A = [
    _row("101", UA1, "2020-01-01 10:00", urls=f"['{LONG_URL}']", tweet_text="Hello   World @someone"),
    _row("102", UA1, "2020-01-03 12:00", urls=f"['{LONG_URL}', 'http://www.example.com/']",
         tweet_text=NEAR_A),
    _row("103", UA2, "2020-03-01 08:00", screen="RealName", hashtags="['defender2020']"),
    _row("104", UA2, "2020-03-04 09:30", screen="RealName", is_retweet="true",
         retweet_tweetid="999", tweet_text="RT @x: something"),
    _row("105", UA1, "2020-04-01 00:00", tweet_text="nato is good", hashtags="['Other']"),
]
RELEASE_B = [
    _row("201", UB1, "2020-02-01 09:00", urls=f"['{LONG_URL}']", tweet_text="hello world"),
    _row("202", UB2, "2020-02-05 10:00", screen=HOSTILE_NAME,
         urls="['https://other.example.co.uk/x']", hashtags="['Defender2020', 'NATO']"),
    _row("203", UB2, "2020-03-02 11:00", screen=HOSTILE_NAME, hashtags="['#DEFENDER2020']",
         tweet_text=NEAR_B),
    _row("204", UB1, "2020-03-05 07:00", is_retweet="true", retweet_userid="555",
         retweet_tweetid="999", tweet_text="RT @y: something"),
]


def write_release(folder: Path, op: str, rows: Sequence[Sequence[str]]) -> Path:
    """A release folder holding one archive tweets file named for ``op``."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"hashed_2020_12_{op}_{op}_tweets_csv_hashed.csv"
    (folder / name).write_bytes(archive_bytes(rows, schema.ARCHIVE_TWEET_COLUMNS))
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("releases")
    return (write_release(root / "alpha_202012", "alpha_202012", RELEASE_A),
            write_release(root / "beta_202012", "beta_202012", RELEASE_B))


@pytest.fixture(scope="module")
def built(folders: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store"
    for folder in folders:
        store.add_release(path, folder)
    return path


def _counts(result: search.SearchResult) -> dict[tuple[str, str], tuple[int, str, str]]:
    """(release, userid) -> (tweets, first, last) of an answer."""
    return {
        (r.release, r.userid): (r.tweets, r.first_time.strftime("%Y-%m-%d %H:%M"),
                                r.last_time.strftime("%Y-%m-%d %H:%M"))
        for r in result.accounts.itertuples()
    }


def test_url_finds_the_link_in_both_releases(built: Path) -> None:
    found = search.search(built, url=LONG_URL)
    assert _counts(found) == {
        ("alpha_202012", UA1): (2, "2020-01-01 10:00", "2020-01-03 12:00"),
        ("beta_202012", UB1): (1, "2020-02-01 09:00", "2020-02-01 09:00"),
    }
    assert found.releases["release"].tolist() == ["alpha_202012", "beta_202012"]
    assert found.releases["tweets"].tolist() == [2, 1]
    assert found.tweets == 3


def test_domain_matches_any_host_of_the_registered_domain(built: Path) -> None:
    found = search.search(built, domain="www.example.co.uk")
    assert _counts(found) == {
        ("alpha_202012", UA1): (2, "2020-01-01 10:00", "2020-01-03 12:00"),
        ("beta_202012", UB1): (1, "2020-02-01 09:00", "2020-02-01 09:00"),
        ("beta_202012", UB2): (1, "2020-02-05 10:00", "2020-02-05 10:00"),
    }
    # example.com is another domain: only the one tweet linking to it
    assert search.search(built, domain="example.com").tweets == 1


def test_hashtag_ignores_case_and_the_hash_sign(built: Path) -> None:
    found = search.search(built, hashtag="#Defender2020")
    assert _counts(found) == {
        ("alpha_202012", UA2): (1, "2020-03-01 08:00", "2020-03-01 08:00"),
        ("beta_202012", UB2): (2, "2020-02-05 10:00", "2020-03-02 11:00"),
    }
    assert found.accounts["user_screen_name"].tolist() == ["RealName", HOSTILE_NAME]


def test_text_is_exact_after_cnt_normalisation(built: Path) -> None:
    found = search.search(built, text="HELLO world")
    assert _counts(found) == {
        ("alpha_202012", UA1): (1, "2020-01-01 10:00", "2020-01-01 10:00"),
        ("beta_202012", UB1): (1, "2020-02-01 09:00", "2020-02-01 09:00"),
    }
    # a near copy is not an exact one
    assert search.search(built, text=NEAR_A).tweets == 1


def test_near_duplicate_text_across_releases(built: Path) -> None:
    found = search.search(built, text=NEAR_A, near=True)
    assert _counts(found) == {
        ("alpha_202012", UA1): (1, "2020-01-03 12:00", "2020-01-03 12:00"),
        ("beta_202012", UB2): (1, "2020-03-02 11:00", "2020-03-02 11:00"),
    }
    # 7 shared word pairs of 9: below a 0.8 threshold only the text itself is left
    assert search.search(built, text=NEAR_A, near=True, threshold=0.8).tweets == 1


def test_near_duplicates_of_a_text_copied_into_several_releases(tmp_path: Path) -> None:
    # the copies' smallest tweet id is in the second release: the text read to compare
    # must be that tweet's, found in that release
    text = "the very same words were posted in both of these releases"
    alpha = write_release(tmp_path / "a", "alpha_202012", [
        _row("900", UA1, "2020-01-01 00:00", tweet_text=text),
        _row("901", UA2, "2020-01-02 00:00", tweet_text=text)])
    beta = write_release(tmp_path / "b", "beta_202012", [
        _row("150", UB1, "2020-01-03 00:00", tweet_text=text.upper())])
    for folder in (alpha, beta):
        store.add_release(tmp_path / "store", folder)
    found = search.search(tmp_path / "store", text=text + " today", near=True)
    assert found.releases["tweets"].tolist() == [2, 1]


def test_jaccard_is_the_share_of_word_pairs() -> None:
    import pyarrow as pa

    from casebook.coordination.text import normalise_arrow

    norm = normalise_arrow(pa.array([NEAR_B, "nato is good", NEAR_A]))
    query = normalise_arrow(pa.array([NEAR_A]))
    assert search.jaccard(norm, query).round(4).tolist() == [round(7 / 9, 4), round(1 / 9, 4), 1.0]


def test_account_by_userid_or_screen_name(built: Path) -> None:
    by_name = search.search(built, account="@realname")
    by_id = search.search(built, account=UA2)
    assert _counts(by_name) == _counts(by_id) == {
        ("alpha_202012", UA2): (2, "2020-03-01 08:00", "2020-03-04 09:30"),
    }


def test_retweeted_by_tweet_id_or_user_id(built: Path) -> None:
    assert _counts(search.search(built, retweeted="999")) == {
        ("alpha_202012", UA2): (1, "2020-03-04 09:30", "2020-03-04 09:30"),
        ("beta_202012", UB1): (1, "2020-03-05 07:00", "2020-03-05 07:00"),
    }
    assert _counts(search.search(built, retweeted="555")) == {
        ("beta_202012", UB1): (1, "2020-03-05 07:00", "2020-03-05 07:00"),
    }


def test_criteria_combine(built: Path) -> None:
    assert search.search(built, hashtag="defender2020", domain="example.co.uk").tweets == 1
    assert search.search(built, hashtag="defender2020", account="nobody").tweets == 0


@pytest.mark.parametrize("query", [
    {"hashtag": "Defender2020"}, {"domain": "example.co.uk"}, {"account": UB2},
    {"retweeted": "999"},
])
def test_search_equals_a_brute_force_scan_of_the_raw_files(
    built: Path, folders: tuple[Path, Path], query: dict[str, str]
) -> None:
    from casebook.content import registered_domains

    rows = []
    for folder in folders:
        release = load_release(folder, cache=False)
        t = release.tweets
        if "hashtag" in query:
            keep = t["hashtags"].map(lambda h: any(x.lower().lstrip("#") == "defender2020" for x in h))
        elif "domain" in query:
            keep = t["urls"].map(lambda u: "example.co.uk" in set(
                registered_domains(pd.Series(list(u), dtype=schema.STRING)).dropna()))
        elif "account" in query:
            keep = t["userid"] == UB2
        else:
            keep = (t["retweet_tweetid"] == "999") | (t["retweet_userid"] == "999")
        rows.append(t.loc[keep.fillna(False).astype(bool)].assign(release=release.name))
    expected = (pd.concat(rows).groupby(["release", "userid"])
                .agg(tweets=("tweetid", "size"), first_time=("tweet_time", "min"),
                     last_time=("tweet_time", "max")))
    got = search.search(built, **query).accounts.set_index(["release", "userid"])
    assert dict(got["tweets"]) == dict(expected["tweets"])
    assert dict(got["first_time"]) == dict(expected["first_time"])
    assert dict(got["last_time"]) == dict(expected["last_time"])


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_is_formula_safe(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(["search", str(built), "--hashtag", "defender2020", "--csv"], capsys)
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), dtype=str)
    assert frame["user_screen_name"].tolist() == ["RealName", "'" + HOSTILE_NAME.replace("\x1b", "\\x1b")]
    assert not frame.map(lambda v: str(v).startswith(("=", "+", "-", "@"))).to_numpy().any()
    assert frame["userid"].tolist() == [UA2, UB2]  # plain ids are written verbatim


def test_table_escapes_control_characters(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(["search", str(built), "--account", UB2], capsys)
    assert code == 0
    assert "\x1b" not in out and "\\x1b[2J" in out
    assert "2 tweet(s) by 1 account(s) in 1 release(s)" in out


def test_json_lists_releases_and_accounts(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(["search", str(built), "--url", LONG_URL, "--json"], capsys)
    assert code == 0
    answer = json.loads(out)
    assert answer["tweets"] == 3
    assert [(r["release"], r["tweets"], r["accounts"], r["first_time"], r["last_time"])
            for r in answer["releases"]] == [
        ("alpha_202012", 2, 1, "2020-01-01 10:00", "2020-01-03 12:00"),
        ("beta_202012", 1, 1, "2020-02-01 09:00", "2020-02-01 09:00"),
    ]
    assert answer["accounts"][0]["example_tweetids"] == "101 102"
    assert "\x1b" not in out


@pytest.mark.parametrize("argv", [
    [],  # nothing to search for
    ["--near", "--hashtag", "x"],  # --near compares texts
    ["--text", "x", "--near", "--threshold", "1.5"],
    ["--text", "@only @mentions"],
    ["--domain", "javascript:alert(1)"],
])
def test_usage_errors_exit_2(built: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _main(["search", str(built), *argv], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("casebook search: error:")


def test_json_and_csv_together_is_argparse_usage_error(built: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["search", str(built), "--hashtag", "x", "--json", "--csv"])
    assert exc.value.code == 2


def test_missing_or_foreign_store_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _main(["search", str(tmp_path / "nowhere"), "--hashtag", "x"], capsys)
    assert code == 1 and "no such store" in err
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = _main(["search", str(tmp_path), "--hashtag", "x"], capsys)
    assert code == 1 and "not a casebook store" in err and err.count("\n") == 1


def test_no_match_says_so(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(["search", str(built), "--hashtag", "absent"], capsys)
    assert code == 0 and "no match in any release" in out
    assert search.search(built, hashtag="absent").releases.empty


def test_usage_error_is_raised_by_the_function(built: Path) -> None:
    with pytest.raises(UsageError):
        search.search(built)


# --------------------------------------------------------------------------- the key table


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of one release of 4,000 tweets, its key table in row groups of 1,024 rows."""
    root = tmp_path_factory.mktemp("wide")
    rows = [_row(str(10_000 + i), UA1 if i % 2 else UB1, f"2020-01-{1 + i % 28:02d} 10:00",
                 hashtags=f"['tag{i}']", urls=f"['https://site{i % 50}.example.org/{i}']",
                 tweet_text=f"post number {i} says words {i % 7} and more")
            for i in range(4000)]
    folder = write_release(root / "wide_202012", "wide_202012", rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store, "KEY_ROW_GROUP", 1024)
        store.add_release(root / "store", folder)
    return root / "store"


def _row_groups_holding(path: Path, key: int) -> tuple[int, int]:
    """Row groups of a key table whose key statistics admit ``key``, and all of them."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    column = meta.schema.names.index("key")
    holding = 0
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(column).statistics
        assert stats is not None and stats.has_min_max  # written with statistics
        holding += stats.min <= key <= stats.max
    return holding, meta.num_row_groups


def test_a_lookup_reads_a_small_fraction_of_the_key_table(wide: Path) -> None:
    import re

    found = search.search(wide, hashtag="TAG1234")
    with pytest.MonkeyPatch.context() as mp:  # the criterion's tweets, from the key table
        mp.setattr(search, "_SUMMARY", False)
        pd.testing.assert_frame_equal(search.search(wide, hashtag="TAG1234").accounts, found.accounts)
    assert _counts(found) == {("wide_202012", UB1): (1, "2020-01-03 10:00", "2020-01-03 10:00")}
    keys = wide / "release=wide_202012" / "keys.parquet"
    con = search._connect()
    try:
        ((key,),) = search._lookups(con, found.query, *search._conditions(found.query))
        holding, total = _row_groups_holding(keys, key)
        assert total >= 20 and holding <= 2
        # and DuckDB reads only those: its profile counts the row groups it scanned
        plan = con.sql("EXPLAIN ANALYZE " + search.lookup_sql([str(keys)], [[key]])).fetchall()
    finally:
        con.close()
    scanned, of = map(int, re.search(r"Row Groups Scanned: (\d+) / (\d+)", plan[0][1]).groups())
    assert of == total and scanned <= holding


def test_large_answers_and_combined_criteria_on_the_key_table(wide: Path) -> None:
    site = search.search(wide, domain="example.org")
    assert site.tweets == 4000 and sorted(site.accounts["tweets"]) == [2000, 2000]
    both = search.search(wide, url="https://site7.example.org/7", account=UA1)
    assert both.tweets == 1 and both.accounts["example_tweetids"].tolist() == ["10007"]
    assert search.search(wide, url="https://site7.example.org/7", account=UB1).tweets == 0
    near = search.search(wide, text="post number 5 says words 5 and", near=True, threshold=0.6)
    assert near.accounts["example_tweetids"].tolist() == ["10005"]


# --------------------------------------------------------------------------- summary and near tables

UC1 = "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo="  # hashed: its screen name is its userid
COPIED = "every copy of this text was posted by several accounts at once"


def _mixed_rows(op: int) -> list[list[str]]:
    """Tweets that exercise what the summary merges: an account under two screen names
    (and a key of each), a hashed account whose two account keys find the same tweets,
    more example tweets than are listed (some at the same minute), a text copied many
    times and near copies of it, hostile text."""
    rows = []
    for i in range(24):
        userid, screen = [(UA2, "RealName"), (UA2, "realname_2"), (UC1, UC1),
                          (UB2, HOSTILE_NAME)][i % 4]
        words = COPIED.split()
        text = COPIED if i % 3 else " ".join(words[:-1] + [f"w{i}"])
        rows.append(_row(f"{op}{i:03d}", userid, f"2020-0{1 + i % 3}-{1 + i // 6:02d} 10:0{i % 2}",
                         screen=screen, tweet_text=text if i % 5 else f"@x {HOSTILE_NAME} {i}",
                         hashtags=f"['Tag{i % 2}']", urls=f"['https://s{i % 3}.example.net/{i % 4}']",
                         is_retweet="true" if i % 7 == 0 else "false",
                         retweet_tweetid="777" if i % 7 == 0 else "",
                         retweet_userid="888" if i % 7 == 0 else ""))
    return rows


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """A store of two such releases, every search table in row groups of a few rows."""
    root = tmp_path_factory.mktemp("mixed")
    folders = [write_release(root / f"{op}_202012", f"{op}_202012", _mixed_rows(n))
               for n, op in ((5, "gamma"), (6, "delta"))]
    with pytest.MonkeyPatch.context() as mp:
        for name in ("KEY_ROW_GROUP", "SUMMARY_ROW_GROUP", "NEAR_ROW_GROUP", "MAPPED_BATCH"):
            mp.setattr(store, name, 4)
        for folder in folders:
            store.add_release(root / "store", folder)
    return root / "store", folders


def _brute_force(folders: Sequence[Path], query: dict[str, object]) -> list[tuple]:
    """The answer of ``query`` computed on the raw files, tweet by tweet, with pandas:
    (release, userid, screen name, tweets, first, last, example ids) per account."""
    import numpy as np
    import pyarrow as pa

    from casebook.content import registered_domains
    from casebook.coordination.text import filled, normalise_arrow

    def norm(texts: pd.Series) -> pa.Array:
        return normalise_arrow(pa.array(texts.astype(object).where(texts.notna(), None), pa.string()))

    rows = []
    for folder in folders:
        t = load_release(folder, cache=False).tweets.reset_index(drop=True)
        keep = np.ones(len(t), bool)
        if "url" in query:
            keep &= t["urls"].map(lambda u: query["url"] in list(u)).to_numpy()
        if "domain" in query:
            keep &= t["urls"].map(lambda u: query["domain"] in set(
                registered_domains(pd.Series(list(u), dtype=schema.STRING)).dropna())).to_numpy()
        if "hashtag" in query:
            tag = str(query["hashtag"]).lower().lstrip("#")
            keep &= t["hashtags"].map(lambda h, tag=tag: any(x.lower().lstrip("#") == tag for x in h)).to_numpy()
        if "account" in query:  # either value, as a userid or as a lower-case screen name
            given = str(query["account"])
            values = {given, given.lstrip("@").lower()}
            keep &= (t["userid"].isin(values) | t["user_screen_name"].str.lower().isin(values)).fillna(False).to_numpy(bool)
        if "retweeted" in query:
            keep &= (t["retweet_userid"].eq(query["retweeted"]) | t["retweet_tweetid"].eq(query["retweeted"])).fillna(False).to_numpy(bool)
        if "text" in query:
            texts = norm(t["tweet_text"])
            q = normalise_arrow(pa.array([query["text"]]))
            ok = filled(texts)
            if query.get("near"):  # a shared MinHash band, then the exact similarity
                bands = np.stack([b.to_numpy(zero_copy_only=False) for b in store.near_keys(texts)])
                q_bands = np.array([b[0].as_py() for b in store.near_keys(q)])[:, None]
                ok &= (bands == q_bands).any(axis=0)
                sim = np.zeros(len(t))
                sim[ok] = search.jaccard(texts.filter(pa.array(ok)), q)
                keep &= ok & (sim >= query.get("threshold", search.NEAR_THRESHOLD))
            else:
                keep &= ok & (np.asarray(texts.to_pylist(), object) == q[0].as_py())
        rows.append(t.loc[keep].assign(release=folder.name, row=np.flatnonzero(keep)))
    hits = pd.concat(rows)
    answer = []
    for (release, userid), g in hits.groupby(["release", "userid"], sort=False):
        g = g.sort_values("row")
        names = g["user_screen_name"].dropna()
        first = g.sort_values(["tweet_time", "tweetid"])["tweetid"].head(search.EXAMPLES)
        answer.append((release, userid, names.iloc[0] if len(names) else None, len(g),
                       g["tweet_time"].min(), g["tweet_time"].max(), " ".join(first)))
    return sorted(answer, key=lambda r: (r[0], -r[3], r[1]))


def _records(result: search.SearchResult) -> list[tuple]:
    a = result.accounts
    return [(r.release, r.userid, None if pd.isna(r.user_screen_name) else r.user_screen_name,
             r.tweets, r.first_time, r.last_time, r.example_tweetids) for r in a.itertuples()]


MIXED_QUERIES = [
    {"account": UA2}, {"account": "@REALNAME"}, {"account": "realname_2"}, {"account": UC1},
    {"account": UC1.lower()}, {"account": UB2}, {"hashtag": "tag0"}, {"hashtag": "#TAG1"},
    {"domain": "example.net"}, {"url": "https://s1.example.net/1"}, {"retweeted": "777"},
    {"retweeted": "888"}, {"text": COPIED}, {"text": COPIED, "near": True},
    {"text": COPIED + " again", "near": True, "threshold": 0.5},
    {"text": " ".join(COPIED.split()[:6]), "near": True, "threshold": 0.3},
    {"text": "nothing like it at all", "near": True}, {"hashtag": "absent"},
    {"hashtag": "tag0", "account": UA2}, {"domain": "example.net", "text": COPIED, "near": True},
]


@pytest.mark.parametrize("query", MIXED_QUERIES, ids=lambda q: "-".join(map(str, q))[:40])
def test_every_search_equals_a_brute_force_scan(mixed: tuple[Path, list[Path]],
                                                query: dict[str, object]) -> None:
    path, folders = mixed
    assert _records(search.search(path, **query)) == _brute_force(folders, query)


@pytest.mark.parametrize("query", MIXED_QUERIES, ids=lambda q: "-".join(map(str, q))[:40])
def test_the_summary_answers_as_every_tweet_does(mixed: tuple[Path, list[Path]], query: dict[str, object],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = mixed
    summary = search.search(path, **query).accounts
    monkeypatch.setattr(search, "_SUMMARY", False)  # read every matching tweet's key row
    pd.testing.assert_frame_equal(search.search(path, **query).accounts, summary)


def test_the_mixed_store_has_what_the_summary_merges(mixed: tuple[Path, list[Path]]) -> None:
    path, _ = mixed
    both = search.search(path, account="@realname")  # UA2 under two screen names
    assert both.accounts["tweets"].tolist() == [6, 6]
    assert both.accounts["user_screen_name"].tolist() == ["RealName", "RealName"]
    hashed = search.search(path, account=UC1)  # found by its userid and its screen key
    assert hashed.tweets == 12
    assert all(len(e.split()) == search.EXAMPLES for e in hashed.accounts["example_tweetids"])
    near = search.search(path, text=COPIED, near=True)
    assert near.tweets > search.search(path, text=COPIED).tweets > 0


def test_near_candidates_are_distinct_texts(mixed: tuple[Path, list[Path]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path, _ = mixed
    for part in sorted(path.glob("release=*")):
        near = pq.read_table(part / "near.parquet")
        mapped = pa.ipc.open_file(pa.memory_map(str(part / "texts.arrow")))
        texts = mapped.read_all()
        fps = pq.read_table(part / "search.parquet").column("text_fp").drop_null()
        assert texts.num_rows == len(set(fps.to_pylist())) < len(fps)  # one row per text
        assert near.num_rows == store.NEAR_BANDS * texts.num_rows
        for table, column in ((near, "key"), (texts, "text_key")):
            values = table.column(column).to_pylist()
            assert values == sorted(values)
        assert mapped.num_record_batches > 1
        # each text's shingle count is its number of distinct word pairs (one word: one)
        norm = dict(zip(texts.column("text_fp").to_pylist(), texts.column("norm").to_pylist(),
                        strict=True))
        for fp, size in zip(near.column("text_fp").to_pylist(), near.column("shingles").to_pylist(),
                            strict=True):
            words = norm[fp].split(" ")
            assert size == max(len(set(zip(words, words[1:], strict=False))), 1)


def test_read_keyed_reads_only_the_row_groups_of_its_keys(mixed: tuple[Path, list[Path]],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    path, _ = mixed
    file = path / "release=gamma_202012" / "summary.parquet"
    table = pq.read_table(file)
    keys = sorted(set(table.column("key").to_pylist()))
    wanted = [keys[1], keys[len(keys) // 2], keys[-1]]
    read: list[list[int]] = []
    real = pq.ParquetFile.read_row_groups

    def spy(self: pq.ParquetFile, groups: list[int], **kw: object) -> object:
        read.append(list(groups))
        return real(self, groups, **kw)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", spy)
    got = search.read_keyed(file, wanted, ["key", "userid", "tweets"])
    expected = table.filter(pd.Series(table.column("key").to_pylist()).isin(wanted).to_numpy())
    assert got.to_pylist() == expected.select(["key", "userid", "tweets"]).to_pylist()
    total = pq.ParquetFile(file).metadata.num_row_groups
    # the key column of the groups whose range admits a key, then the groups holding one
    assert total >= 10 and len(read) == 2 and len(read[0]) <= 2 * len(wanted)
    assert set(read[1]) <= set(read[0]) and len(read[1]) >= 1
    read.clear()
    assert search.read_keyed(file, [1], ["key"]).num_rows == 0  # no group admits it
    absent = next(k for k in range(keys[1] + 1, keys[2]))  # inside a group's range
    assert search.read_keyed(file, [absent], ["key", "userid"]).num_rows == 0
    assert len(read) == 1  # its key column only


@settings(max_examples=60, deadline=None)
@given(runs=st.lists(st.integers(1, 5), min_size=0, max_size=12),
       wanted=st.lists(st.integers(0, 30), max_size=8), batch=st.integers(1, 7))
def test_read_mapped_takes_every_row_of_its_keys(tmp_path_factory: pytest.TempPathFactory,
                                                 runs: list[int], wanted: list[int],
                                                 batch: int) -> None:
    """Runs of one key that straddle record batches, keys absent, an empty file: the rows
    taken are those a filter of the whole table gives, in the file's order."""
    import pyarrow as pa

    keys = np.repeat(np.arange(0, 2 * len(runs), 2, dtype=np.uint64), runs)  # odd keys absent
    table = pa.table({"key": pa.array(keys, pa.uint64()),
                      "norm": pa.array([f"t{i}" for i in range(len(keys))], pa.large_string())})
    path = tmp_path_factory.mktemp("mapped") / "t.arrow"
    with pa.ipc.new_file(str(path), table.schema) as writer:
        writer.write_table(table, max_chunksize=batch)
    got = search.read_mapped(path, wanted, ["norm", "key"])
    keep = np.isin(keys, np.asarray(wanted, np.uint64))
    assert got.column_names == ["norm", "key"]
    assert got.to_pydict() == table.filter(pa.array(keep)).select(["norm", "key"]).to_pydict()
