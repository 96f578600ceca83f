"""The prefilter's trigger-word search: case, word boundaries of short stems, cache identity."""

from __future__ import annotations

from obolint.packs import load_packs
from obolint.prefilter import Triggers, files_to_parse, triggers


def test_a_credential_stem_is_found_in_any_case_inside_a_longer_name():
    found_by = triggers(load_packs())
    assert found_by.search("headers = {'AUTHORIZATION': value}")
    assert found_by.search("def refreshAccessToken(): ...")
    assert not found_by.search("def add(a, b):\n    return a + b\n")


def test_a_pack_source_name_is_a_trigger_word():
    # No credential stem, but a call the packs list as a source.
    assert "getpass" in triggers(load_packs()).words
    assert triggers(load_packs()).search("import getpass\nvalue = getpass.getpass()\n")


def test_a_short_stem_counts_only_between_non_letters():
    found_by = Triggers([], ["pat"])
    assert found_by.search("github_pat = read()")
    assert found_by.search("PAT=1")
    assert found_by.search("pat")
    assert not found_by.search("path = patch(pattern)")
    assert not found_by.search("spat")


def test_words_that_contain_another_word_are_dropped():
    assert Triggers(["token", "get_token", "access_token", "secret"]).words == ("secret", "token")


def test_the_cache_key_changes_with_the_vocabulary():
    assert Triggers(["token"]).key != Triggers(["token", "secret"]).key
    assert Triggers(["token"], ["pat"]).key != Triggers(["token"]).key
    assert Triggers(["Token"]).key == Triggers(["token"]).key


def test_unreadable_texts_are_not_parsed():
    assert files_to_parse(["token = 1", None, "x = 1"], Triggers(["token"])) == [True, False, False]


def test_a_method_of_a_credential_class_adds_no_trigger_word():
    # `google.oauth2.credentials.Credentials().to_json` is a source; a file calling it names
    # `credentials` already, so `to_json` (in any file that serialises) is not a trigger.
    found = triggers(load_packs())
    assert "to_json" not in found.words
    assert not files_to_parse(["payload = order.to_json()\n"], found)[0]
    assert files_to_parse(["from google.oauth2.credentials import Credentials\n"], found)[0]
