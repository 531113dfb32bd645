"""The account directory's index: summaries, folding, search ranking, versions, key privacy."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from app.directory.index import DirectoryIndex, DirectoryVersionError, index_key, index_path
from app.directory.record import AccountSummary
from app.directory.text import clean, fold, words
from app.sandbox.accounts import account_json
from app.sandbox.seed import DEMO_SPECS
from app.stripe.keys import ApiKey

NOW = 1_767_225_600


def summary(spec_name="custom_due", **changes):
    spec = dataclasses.replace(DEMO_SPECS[spec_name], **changes)
    return AccountSummary.from_api(account_json(spec, NOW), refreshed_at=NOW)


@pytest.fixture
def index(tmp_path):
    ix = DirectoryIndex.open(tmp_path / "directory" / "accounts-test.sqlite3")
    yield ix
    ix.close()


def names(matches):
    return [m.account.name for m in matches]


def test_fold_removes_case_accents_and_apostrophes():
    assert fold("Café CRÈME Straße") == "cafe creme strasse"
    assert fold("Nørrebro Łąka ＡＢＣ") == "norrebro laka abc"
    assert words("O'Brien & Søn, orders@harbor-street.example.com") == [
        "obrien", "son", "orders", "harbor", "street", "example", "com"]


def test_clean_keeps_network_text_plain_and_short():
    assert clean("Evil\x1b[31m Corp\u202e\n") == "Evil [31m Corp"
    assert clean(42) is None and clean("   ") is None
    assert len(clean("x" * 1000)) == 200


def test_summary_keeps_what_search_and_status_need(index):
    s = summary("custom_due")
    assert (s.id, s.business_name, s.email, s.country) == (
        "acct_1LdCustomDue0001", "Harbor Street Bakery", "orders@harborstreetbakery.example.com", "US")
    assert (s.type, s.controller_type, s.requirement_collection, s.dashboard_type) == (
        "custom", "application", "application", "none")
    assert s.currently_due == 3 and s.deadline == NOW + 14 * 86400 and s.metadata == ("HSB-0042",)
    index.save_page([s])
    assert index.get(s.id) == s


def test_hostile_list_entries_are_refused_or_cleaned():
    good = account_json(DEMO_SPECS["custom_due"], NOW)
    assert AccountSummary.from_api({**good, "id": "acct_../../etc"}, refreshed_at=0) is None
    assert AccountSummary.from_api({**good, "id": 7}, refreshed_at=0) is None
    assert AccountSummary.from_api("not an object", refreshed_at=0) is None  # type: ignore[arg-type]
    # A wrong type loses its field, never the account (issue 18: one odd account failed its
    # whole page, every run); odd text is cleaned, long text clipped.
    assert AccountSummary.from_api({**good, "created": True}, refreshed_at=0).created is None
    assert AccountSummary.from_api({**good, "charges_enabled": "false"}, refreshed_at=0).charges_enabled is False
    assert AccountSummary.from_api({**good, "requirements": {"current_deadline": 10**20}}, refreshed_at=0).deadline is None
    odd = AccountSummary.from_api({**good, "business_profile": {"name": "N" * 1001}, "country": "UNITEDSTATES",
                                   "type": "Custom", "metadata": {f"k{i}": f"v{i}" for i in range(1001)},
                                   "requirements": {"currently_due": ["x"] * 1001, "errors": "many"},
                                   "controller": {"type": "<b>app</b>"}}, refreshed_at=0)
    assert odd is not None and odd.business_name == "N" * 200 and odd.country is None and odd.type == "custom"
    assert len(odd.metadata) == 50 and odd.currently_due == 1001 and odd.errors == 0
    assert odd.controller_type is None
    odd = AccountSummary.from_api({**good, "email": "a\x07b@example.com",
                                   "business_profile": {"name": "Evil\x1b]0;x\x07 \u202eCo"}}, refreshed_at=0)
    assert odd is not None and odd.email == "a b@example.com" and odd.business_name == "Evil ]0;x Co"


def test_save_page_counts_new_updated_and_unchanged(index):
    a, b = summary("custom_due"), summary("express_ok")
    first = index.save_page([a, b])
    assert (first.new, first.updated) == (2, 0)
    result = index.save_page([a, dataclasses.replace(b, email="new@example.com")])
    assert (result.new, result.updated) == (0, 1)
    assert index.count() == 2
    assert names(index.search("new@exam")) == ["Lumen Yoga Studio"]
    assert index.search("namaste") == []  # the old email is no longer indexed


def test_accents_case_and_word_prefixes(index):
    index.save_page([summary(n) for n in DEMO_SPECS] + [
        summary("express_ok", id="acct_1Cafe000000001", name="Café Crème Pâtisserie", email="bonjour@creme.example.com"),
    ])
    assert names(index.search("harb bak")) == ["Harbor Street Bakery"]
    assert names(index.search("HARBOR street")) == ["Harbor Street Bakery"]
    assert names(index.search("Cafe creme")) == ["Café Crème Pâtisserie"]
    assert names(index.search("patiss")) == ["Café Crème Pâtisserie"]
    assert names(index.search("ATELIER brandt")) == ["Atelier Brandt GmbH"]
    assert names(index.search("arbor")) == []  # prefixes of words, not substrings
    assert names(index.search("kestrel")) == ["Kestrel Analytics"]  # display name only
    assert names(index.search("jamie.ortega")) == ["jamie.ortega@example.com"]  # email only
    assert names(index.search("HSB-0042")) == ["Harbor Street Bakery"]  # metadata value
    assert names(index.search("   ")) == [] and names(index.search("!!")) == []


def test_id_prefix_in_any_case(index):
    index.save_page([summary(n) for n in DEMO_SPECS])
    assert [m.account.id for m in index.search("acct_1LdCustom")] == sorted(
        [s.id for s in DEMO_SPECS.values() if s.id.startswith("acct_1LdCustom")],
        key=lambda i: -DEMO_SPECS[next(k for k, v in DEMO_SPECS.items() if v.id == i)].created)
    assert [m.account.id for m in index.search("ACCT_1LDCUSTOMDUE")] == ["acct_1LdCustomDue0001"]
    everyone = {s.id for s in DEMO_SPECS.values()}
    assert {m.account.id for m in index.search("acct_", limit=100)} == everyone  # any prefix of an id (issue 17)
    assert {m.account.id for m in index.search("acct_1", limit=100)} == everyone
    assert len(index.search("acct_")) == 10


def test_a_complete_pasted_id_finds_that_account_first(index):
    index.save_page([summary(n) for n in DEMO_SPECS] + [
        summary("custom_due", id="acct_1LdCustomDue0001x2", name="Newer Lookalike", created=NOW)])
    for pasted in ("acct_1LdCustomDue0001", "  acct_1LdCustomDue0001\n", "ACCT_1LDCUSTOMDUE0001"):
        found = index.search(pasted)
        assert [m.account.id for m in found] == ["acct_1LdCustomDue0001", "acct_1LdCustomDue0001x2"], pasted
        assert found[0].account.name == "Harbor Street Bakery"
    assert index.search("acct_1LdCustomDue0001 bakery") == []  # an id has no spaces


def test_apostrophes_fold_away_in_plain_ascii_names_too(index):
    assert fold("O'Brien") == fold("O’Brien") == fold("o'brien") == "obrien"
    assert words("O'Brien Plumbing") == ["obrien", "plumbing"]
    index.save_page([summary("express_ok", id="acct_1OBrien00000001", name="O'Brien Plumbing",
                             email="hello@obrienplumbing.example.com")])
    for typed in ("obrien", "OBRIEN plumb", "o'brien", "O’Brien"):
        assert names(index.search(typed)) == ["O'Brien Plumbing"], typed


def _shops(count: int) -> list[AccountSummary]:
    """Shop Number 1..count, o{n}@shop{n}.example, the higher numbers the newer (as after a sync
    of a platform that numbered its shops)."""
    template = summary("express_ok", metadata={})
    return [dataclasses.replace(template, id=f"acct_1Shop{n:011d}", business_name=f"Shop Number {n}",
                                display_name=None, email=f"o{n}@shop{n}.example", created=NOW - 86_400 + n)
            for n in range(1, count + 1)]


def test_an_exact_email_id_or_name_ranks_first_then_whole_words_then_prefixes(index):
    index.save_page(_shops(3_000))
    for n in (286, 7, 1_000, 2_999):  # 2860-2869 are newer, and prefix matches of 286
        assert index.search(f"o{n}@shop{n}.example")[0].account.name == f"Shop Number {n}"
        assert index.search(f"O{n}@SHOP{n}.EXAMPLE", limit=1)[0].field == "email"
        assert index.search(f"Shop Number {n}")[0].account.name == f"Shop Number {n}"
        assert index.search(f"shop number {n}", limit=1)[0].rank[0] == 0  # exact
        assert index.search(f"acct_1Shop{n:011d}")[0].account.name == f"Shop Number {n}"
    index.save_page([
        summary("express_ok", id="acct_1Harborview0001", name="Harborview Inn", email="inn@view.example", created=NOW),
        summary("express_ok", id="acct_1OldHarbor00001", name="Old Harbor Cafe", email="cafe@old.example",
                created=NOW - 10**6),
        summary("express_ok", id="acct_1Harbor00000001", name="Harbor", email="h@h.example", created=NOW - 2 * 10**6),
    ])
    assert names(index.search("harbor")) == ["Harbor", "Old Harbor Cafe", "Harborview Inn"]
    assert [m.rank[0] for m in index.search("harbor")] == [0, 1, 2]  # exact, whole word, prefix


def test_names_holding_the_word_still_appear_beyond_50_prefix_or_email_matches(index):
    template = summary("express_ok", metadata={})

    def shop(kind: str, n: int, name: str, email: str) -> AccountSummary:
        return dataclasses.replace(template, id=f"acct_1{kind}{n:011d}", business_name=name, display_name=None,
                                   email=email, created=NOW - n)

    index.save_page([shop("View", n, f"Harborview Unit {n}", f"unit{n}@view.example") for n in range(60)]
                    + [shop("Mail", n, f"Fish Shop {n}", f"harbor.{n}@fish.example") for n in range(60)]
                    + [shop("Cafe", 10**6, "Old Harbor Cafe", "cafe@old.example")])
    assert names(index.search("harbor"))[0] == "Old Harbor Cafe"  # the whole word, in a name
    assert "Old Harbor Cafe" in names(index.search("old harb")) + names(index.search("cafe harbor"))
    index.save_page([shop("Dock", n, f"Harbor Dock {n}", f"dock{n}@dock.example") for n in range(60)])
    found = names(index.search("harbor", limit=200))
    assert len(found) == 181 and "Old Harbor Cafe" in found
    # Names starting with the word, then names holding it, then emails, then word prefixes.
    where = {kind: [i for i, n in enumerate(found) if n.startswith(kind)]
             for kind in ("Harbor Dock", "Old Harbor", "Fish Shop", "Harborview")}
    assert max(where["Harbor Dock"]) < where["Old Harbor"][0] < min(where["Fish Shop"])
    assert max(where["Fish Shop"]) < min(where["Harborview"])


def test_best_matches_first(index):
    def acct(n, name=None, email=None, metadata=None, display=None):
        return summary("express_ok", id=f"acct_1Rank{n:011d}", name=name, email=email or f"x{n}@example.com",
                       metadata=metadata or {}, display_name=display)

    index.save_page([
        acct(1, metadata={"note": "harbor account"}, name="Unrelated Name"),
        acct(2, email="harbor@fish.example.com", name="Fishmonger Ltd"),
        acct(3, name="Old Harbor Ferry Company"),
        acct(4, name="Harbor Street Bakery and Café Company"),
        acct(5, name="Harbor"),
        acct(6, display="Harbor Lights"),
    ])
    ranked = index.search("harbor")
    assert names(ranked) == ["Harbor", "Harbor Lights", "Harbor Street Bakery and Café Company",
                             "Old Harbor Ferry Company", "Fishmonger Ltd", "Unrelated Name"]
    assert [m.field for m in ranked] == ["name", "name", "name", "name", "email", "metadata"]
    assert len(index.search("harbor", limit=2)) == 2


def test_delete_unseen_after_full_sync(index):
    index.save_page([summary("custom_due")], run=1)
    index.save_page([summary("express_ok")], run=2)
    assert index.delete_unseen(2, created_up_to=NOW) == 1
    assert [m.account.id for m in index.search("harbor")] == []
    assert index.count() == 1


def test_a_newer_index_is_refused_untouched(tmp_path):
    path = tmp_path / "accounts-x.sqlite3"
    DirectoryIndex.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DirectoryVersionError, match="newer Linkdesk"):
        DirectoryIndex.open(path)
    assert path.read_bytes() == before


def test_reading_only_writes_nothing_and_other_files_open_as_usual(tmp_path):
    path = tmp_path / "accounts-x.sqlite3"
    with DirectoryIndex.open(path) as index:
        index.save_page([summary("custom_due")])
    before = path.read_bytes()
    with DirectoryIndex.open(path, read_only=True) as index:
        assert names(index.search("harb bak")) == ["Harbor Street Bakery"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            index.save_page([summary("express_ok")])
    assert path.read_bytes() == before
    empty = tmp_path / "accounts-y.sqlite3"
    empty.write_bytes(b"")  # nothing to read yet: built as usual
    with DirectoryIndex.open(empty, read_only=True) as index:
        assert index.count() == 0
        index.save_page([summary("express_ok")])
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(DirectoryVersionError):
        DirectoryIndex.open(path, read_only=True)


def test_a_damaged_index_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "accounts-x.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    index = DirectoryIndex.open(path)
    assert index.count() == 0 and index.recovered_from is not None and index.recovered_from.exists()
    index.close()


def test_index_key_never_holds_the_key(tmp_path):
    secret = "sk_test_" + "A1b2C3d4" * 4
    key = index_key("https://api.stripe.com", ApiKey(secret))
    assert key == index_key("https://api.stripe.com/", secret)
    assert key != index_key("http://127.0.0.1:12112", secret)
    assert key != index_key("https://api.stripe.com", "sk_test_" + "Z9" * 16)
    assert secret[8:16].lower() not in key and secret[-8:] not in key
    assert index_path(tmp_path, key).name == f"accounts-{key}.sqlite3"
    with pytest.raises(ValueError):
        index_path(tmp_path, "../escape")


def test_each_profile_and_mode_has_its_own_index(tmp_path):
    from types import SimpleNamespace

    from app.directory.profile import directory_key

    key = ApiKey("sk_test_" + "Q7" * 12)
    live = ApiKey("sk_live_" + "Q7" * 12)
    profile = SimpleNamespace(id="p_0123abcd")
    assert directory_key(SimpleNamespace(source=profile, api_key=key, is_sandbox=False)) == "profile-p_0123abcd-test"
    assert directory_key(SimpleNamespace(source=profile, api_key=live, is_sandbox=False)) == "profile-p_0123abcd-live"
    assert directory_key(SimpleNamespace(source=SimpleNamespace(id="../x"), api_key=key)) == "profile-___x-test"
    assert directory_key(SimpleNamespace(source=None, api_key=key, is_sandbox=True)) == "sandbox-test"
    plain = directory_key(SimpleNamespace(source=None, api_key=key, is_sandbox=False, api_base="https://api.stripe.com"))
    assert plain == index_key("https://api.stripe.com", key) and "Q7Q7" not in plain
    for name in ("profile-p_0123abcd-test", plain):
        assert index_path(tmp_path, name).parent == tmp_path / "directory"
