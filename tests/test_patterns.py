"""Dotted-name glob patterns: what a pack's ``calls = [...]`` matches."""

from __future__ import annotations

import pytest

from obolint.patterns import NamePatterns, split_last_name

CASES = [
    # pattern, name, matches
    ("*.get", "requests.get", True),
    ("*.get", "get", True),
    ("*.get", "forget", False),
    ("*.get", "requests.get.x", False),
    ("*.headers", "headers", True),
    ("openai.OpenAI().chat.completions.create", "openai.OpenAI().chat.completions.create", True),
    ("openai.OpenAI().chat.completions.create", "openai.OpenAI().chat.completions.created", False),
    ("*.chat.completions.create", "x.OpenAI().chat.completions.create", True),
    ("*.chat.completions.create", "chat.completions.create", True),
    ("*.chat.completions.create", "completions.create", False),
    ("httpx.Client()", "httpx.Client()", True),
    ("httpx.Client()", "httpx.Client", False),
    ("httpx.*", "httpx.Client().post", True),
    ("httpx.*", "httpx2.post", False),
    ("*.redact_*", "utils.redact_token", True),
    ("*.redact_*", "redact_token", True),
    ("*.redact_*", "unredact_token", False),
    ("e2b*Sandbox", "e2b_code_interpreter.Sandbox", True),
    ("e2b*Sandbox", "e2b.AsyncSandbox", True),
    ("e2b*Sandbox", "e2b.Sandbox.create", False),
    ("mistralai*.Mistral().chat.*", "mistralai.client.Mistral().chat.complete", True),
    ("getenv", "getenv", True),
    ("getenv", "os.getenv", False),
    ("a*.create", "ab.x.create", True),
    ("a*.create", "ab.x.created", False),
    ("*Stub().*", "pkg.FooStub().Call", True),
    ("dspy.predict.*()", "dspy.predict.Predict()", True),
]


@pytest.mark.parametrize(("pattern", "name", "expected"), CASES)
def test_a_pattern_matches_whole_names(pattern: str, name: str, expected: bool):
    assert NamePatterns([pattern]).matches(name) is expected


def test_a_set_matches_a_name_any_of_its_patterns_matches():
    patterns = NamePatterns(pattern for pattern, _, _ in CASES)
    for _, name, _ in CASES:
        expected = any(NamePatterns([p]).matches(name) for p, _, _ in CASES)
        assert patterns.matches(name) is expected
    # Asked again, from the expressions compiled the first time.
    assert patterns.matches("requests.get") and not patterns.matches("forget")


def test_no_pattern_matches_nothing():
    assert not NamePatterns().matches("anything")
    assert not NamePatterns(["*.get"]).matches(None)
    assert not NamePatterns()


def test_sets_join():
    joined = NamePatterns(["*.get"]) | NamePatterns(["httpx.*"])
    assert joined.matches("requests.get") and joined.matches("httpx.post")
    assert joined.patterns == ("*.get", "httpx.*")


def test_the_last_name_of_a_pattern():
    assert split_last_name("sdk.Client().ask") == ("sdk.Client()", "ask")
    assert split_last_name("sdk.*Agent") == ("sdk", "Agent")
