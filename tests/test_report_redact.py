"""Redaction: source lines shown by reports never carry a secret-looking value."""

from __future__ import annotations

import itertools

import pytest

from obolint.report.redact import REDACTED, looks_secret, redact, redacted_offset, secret_spans


def test_openai_key_literal_is_hidden_and_quotes_kept() -> None:
    line = 'client = OpenAI(api_key="sk-abc123def456ghi789jkl")'
    assert redact(line) == 'client = OpenAI(api_key="***")'


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("key = 'sk-proj-AbCdEf1234567890'", "key = '***'"),
        ('t = "ghp_0123456789abcdefABCDEF0123"', 't = "***"'),
        ('slack = "xoxb-1234-5678-abcdefgh"', 'slack = "***"'),
        ('bot = "xoxp-1234-5678-abcdefgh"', 'bot = "***"'),
        ('aws = "AKIAIOSFODNN7EXAMPLE"', 'aws = "***"'),
        ('jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"', 'jwt = "***"'),
        ('aws_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', 'aws_secret = "***"'),
        ('digest = "5d41402abc4b2a76b9719d911017c592"', 'digest = "***"'),
        ('h = {"Authorization": "Bearer abcdefghij0123456789"}', 'h = {"Authorization": "***"}'),
        ('b = b"sk-live0123456789"', 'b = b"***"'),
        ('f = f"prefix sk-abc123def456 {name}"', 'f = f"***"'),
        ('doc = """sk-abc123def456ghi"""', 'doc = """***"""'),
        ("x = 'don\\'t sk-abc123def456'", "x = '***'"),
        ("    # old key: sk-abc123def456ghi789", "    # old key: ***"),
        ("    aB3xY9kLmN2pQ7rS5tU8vW1z", "    ***"),  # a line inside a multi-line string
        ('pem = "-----BEGIN RSA PRIVATE KEY-----"', 'pem = "***"'),
    ],
)
def test_secret_shapes_are_hidden(line: str, expected: str) -> None:
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        'if token.startswith("sk-"):',
        'headers = {"Authorization": f"Bearer {token}"}',
        'token = request.headers["Authorization"]',
        'model = "gpt-4o-mini-2024-07-18"',
        'model = "claude-3-5-sonnet-20241022"',
        'model = "anthropic.claude-3-5-sonnet-20240620-v1:0"',
        'url = "https://api.openai.com/v1/chat/completions"',
        'ct = "application/x-www-form-urlencoded"',
        "plain_identifier_with_long_name_2024 = version_2024_release_candidate",
        "class Handler(OAuth2PasswordBearerWithCookie, getUserAccountById2Handler): pass",
        'log.info("Loaded %d tokens for tenant %s", n, tenant)',
        "x = 12345678901234567890123",
    ],
)
def test_ordinary_code_is_left_alone(line: str) -> None:
    assert redact(line) == line


def test_only_the_secret_literal_changes() -> None:
    line = 'call(model="gpt-4o", key="sk-abc123def456ghi789", user="alice")'
    assert redact(line) == 'call(model="gpt-4o", key="***", user="alice")'


def test_multi_line_text_keeps_line_endings() -> None:
    text = 'a = "sk-abc123def456ghi"\r\nb = 1\n'
    assert redact(text) == 'a = "***"\r\nb = 1\n'


def test_spans_are_sorted_and_disjoint() -> None:
    line = 'f("sk-abc123def456ghi", "xoxb-1234-5678-abcdefgh")  # sk-zzz999yyy888'
    spans = secret_spans(line)
    assert spans == sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert len(spans) == 3


def test_redacted_offset_follows_the_shortened_line() -> None:
    line = 'f(key="sk-abc123def456ghi789", user=token)'
    spans = secret_spans(line)
    redacted = redact(line)
    before = line.index("key")
    after = line.index("token")
    inside = line.index("sk-") + 10
    assert redacted_offset(before, spans) == redacted.index("key")
    assert redacted_offset(after, spans) == redacted.index("token")
    assert redacted[redacted_offset(inside, spans) - 1] in REDACTED


def test_looks_secret_on_literal_contents() -> None:
    assert looks_secret("sk-abc123def456ghi789")
    assert looks_secret("Bearer abcdefghij0123456789")
    assert not looks_secret("Bearer {token}")
    assert not looks_secret("You are a helpful assistant.")
