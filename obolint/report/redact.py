"""Hide secret-looking values in source lines before a report prints them.

Reports show the code around a finding; the code may hold the very credential the
finding is about. Anything shown must pass through :func:`redact`: the contents of a
string literal that looks like a secret become ``***`` (quotes kept), and so does a
secret-looking token outside literals (comments, lines inside multi-line strings).
Erring towards hiding is cheap; printing a live key into a CI log is not.
"""

from __future__ import annotations

import math
import re
from collections import Counter

REDACTED = "***"

# Well-known credential shapes; each needs enough characters after its prefix that a
# bare prefix used in code (``token.startswith("sk-")``) is left alone.
_KNOWN_SECRET = re.compile(
    r"""
    (?<![A-Za-z0-9_])
    (?:
        (?:sk|rk|pk)-[A-Za-z0-9_\-]{6,}                      # OpenAI, Anthropic, ...
      | (?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{6,}    # Stripe
      | whsec_[A-Za-z0-9+/=]{16,}
      | gh[pousr]_[A-Za-z0-9]{16,}                          # GitHub tokens
      | github_pat_[A-Za-z0-9_]{20,}
      | xox[abposr]-[A-Za-z0-9\-]{8,}                       # Slack
      | xapp-[A-Za-z0-9\-]{8,}
      | (?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}  # AWS key ids
      | AIza[0-9A-Za-z_\-]{30,}                             # Google API keys
      | ya29\.[0-9A-Za-z_\-]{16,}                           # Google OAuth tokens
      | glpat-[A-Za-z0-9_\-]{16,}                           # GitLab
      | hf_[A-Za-z0-9]{20,}                                 # Hugging Face
      | npm_[A-Za-z0-9]{30,}
      | eyJ[A-Za-z0-9_\-]{8,}(?:\.[A-Za-z0-9_\-]{4,}){1,2}   # JWT
      | -----BEGIN[A-Z ]*PRIVATE\ KEY-----
    )
    """,
    re.VERBOSE,
)
# "Bearer <token>" / "Basic <base64>" with a value that has at least one digit.
_AUTH_VALUE = re.compile(r"(?i)\b(?:bearer|basic)\s+(?=\S*\d)([A-Za-z0-9._~+/=\-]{16,})")
_RANDOM_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_SEPARATORS = re.compile(r"[_\-/+]")
_WORD_PIECE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character."""
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in Counter(text).values())


def _is_word_part(part: str) -> bool:
    """True for one separator-delimited part that reads as a word: ``sonnet``, ``2024``, ``v1``."""
    return len(_WORD_PIECE.findall(part)) <= 2


def _camel_words(core: str) -> bool:
    """True when most characters sit in word-sized pieces: ``getUserById2Handler``, ``HTTPAuth``."""
    pieces = _WORD_PIECE.findall(core)
    total = sum(map(len, pieces))
    wordy = sum(len(p) for p in pieces if len(p) >= 3 and not (p.isupper() and len(p) > 5))
    return total > 0 and wordy / total >= 0.75


def _looks_random(run: str) -> bool:
    """True for a run of base64/hex characters that reads like key material, not a name."""
    core = run.strip("=")
    if len(core) < 20:
        return False
    if all(_is_word_part(part) for part in _SEPARATORS.split(core) if part):
        return False  # claude-3-5-sonnet-20241022, version_2024_release_candidate
    digits = sum(c.isdigit() for c in core)
    if _HEX.fullmatch(core):
        return 0 < digits < len(core) and _entropy(core) >= 3.0
    if any(c.isupper() for c in core) and any(c.islower() for c in core):
        if _camel_words(core):
            return False  # getUserAccountById2Handler, OAuth2PasswordBearerWithCookie
        return _entropy(core) >= (3.5 if digits else 3.8)
    # One-case alphanumerics (many API keys): ask for longer, denser runs.
    return len(core) >= 24 and digits >= 4 and _entropy(core) >= 3.7


def looks_secret(text: str) -> bool:
    """True when ``text`` (e.g. a string literal's contents) contains a secret-looking value."""
    if _KNOWN_SECRET.search(text) or _AUTH_VALUE.search(text):
        return True
    return any(_looks_random(m.group()) for m in _RANDOM_RUN.finditer(text))


def _literal_and_code_spans(
    line: str,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Split one source line into string-literal contents and the code (and comment) between."""
    literals: list[tuple[int, int]] = []
    code: list[tuple[int, int]] = []
    segment_start = 0
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        if char == "#":
            break  # the comment joins the last code segment
        if char not in "\"'":
            i += 1
            continue
        quote = char * 3 if line.startswith(char * 3, i) else char
        code.append((segment_start, i))
        j = content_start = i + len(quote)
        while j < n and not line.startswith(quote, j):
            j += 2 if line[j] == "\\" else 1
        j = min(j, n)
        literals.append((content_start, j))
        i = segment_start = min(j + len(quote), n)
    code.append((segment_start, n))
    return literals, code


def secret_spans(line: str) -> list[tuple[int, int]]:
    """Sorted, disjoint ``(start, end)`` offsets of one line that :func:`redact` replaces."""
    literals, code = _literal_and_code_spans(line)
    spans = [(s, e) for s, e in literals if e > s and looks_secret(line[s:e])]
    for start, end in code:
        segment = line[start:end]
        found = [m.span() for m in _KNOWN_SECRET.finditer(segment)]
        found += [m.span(1) for m in _AUTH_VALUE.finditer(segment)]
        found += [m.span() for m in _RANDOM_RUN.finditer(segment) if _looks_random(m.group())]
        spans += [(start + s, start + e) for s, e in found]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def redact(text: str) -> str:
    """``text`` with every secret-looking literal content or token replaced by ``***``."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        pos = 0
        for start, end in secret_spans(body):
            out.append(body[pos:start] + REDACTED)
            pos = end
        out.append(line[pos:])
    return "".join(out)


def redacted_offset(offset: int, spans: list[tuple[int, int]]) -> int:
    """Where 0-based ``offset`` of the original line lands once ``spans`` are redacted."""
    shift = 0
    for start, end in spans:
        if offset <= start:
            break
        if offset < end:
            return start - shift + min(offset - start, len(REDACTED))
        shift += (end - start) - len(REDACTED)
    return offset - shift
