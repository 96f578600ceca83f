"""Dotted-name glob patterns: what a pack's ``calls = [...]`` matches."""

from __future__ import annotations

import pytest

from obolint.packs import load_packs
from obolint.patterns import NamePatterns, _compiled, split_last_name

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
    ("*session.request", "client_session.request", True),
    ("*session.request", "session.request", True),
    ("*session.request", "session.requests", False),
    ("*session.request", "x.session.request.get", False),
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


def _spellings(pattern: str) -> set[str]:
    """Names near ``pattern``: its wildcards filled in several ways, with and without a
    prefix, and cut short by a character."""
    filled = {pattern.replace("*", fill) for fill in ("", "x", "x.y", ".")}
    filled |= {pattern.replace("*.", fill) for fill in ("", "x")}
    return {
        spelling
        for name in filled
        for spelling in (name, "a." + name, "a" + name, name[1:], name[:-1] + "Z")
    }


def test_comparisons_and_suffix_tests_match_what_the_expression_matches():
    # Patterns whose only wildcard leads them are not compiled: the answer must be the one
    # the expression of the glob gives, for every pattern of the built-in packs.
    specs = load_packs()
    tables = [
        specs.call_sinks,
        specs.call_sources,
        specs.exchanges,
        specs.read_sources,
        specs.store_sinks,
        specs.tools,
    ]
    pack_patterns = {
        pattern
        for table in tables
        for spec in table
        for value in vars(spec).values()
        if isinstance(value, NamePatterns)
        for pattern in value.patterns
    }
    assert len(pack_patterns) > 500
    by_last: dict[str, set[str]] = {}
    for pattern in pack_patterns:
        by_last.setdefault(pattern.rpartition(".")[2].strip("*"), set()).add(pattern)
    compared = 0
    for group in by_last.values():
        names = {name for pattern in group for name in _spellings(pattern)}
        for pattern in group:
            expression = _compiled([pattern])
            matcher = NamePatterns([pattern])
            for name in names:
                assert matcher.matches(name) is (expression.match(name) is not None), (
                    pattern,
                    name,
                )
                compared += 1
    assert compared > 10_000
