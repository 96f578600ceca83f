"""Credential-name heuristics: does an identifier or a string key denote a credential?

This is the one place these heuristics live. A name is split into lowercase word
parts (``accessToken`` -> ``access token``), credential phrases are matched on whole
word parts (never substrings, so ``pattern`` is not ``pat`` and ``secretary`` is not
``secret``), and modifier words around a match turn it into metadata about a
credential (``token_count``, ``secret_name``, ``next_page_token``, ``is_secret``).
The word lists come from the false positives CodeQL (PR #21650, ``notSensitiveRegexp``),
Bandit (#842, #1350) and detect-secrets ran into; see RULES.md, section *Names*.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "credential_word",
    "is_credential_name",
    "is_credential_wrapper",
    "names_generic_credential",
    "is_maskable_credential_name",
    "is_text_token_read",
    "mentions_credential",
    "names_random_secret",
    "split_words",
]

# One word of an identifier: an acronym before a capitalised word (``HTTP`` in
# ``HTTPAuthorization``), a capitalised or lowercase word, an all-caps run, or a number.
# Digits stay attached to the word they follow (``oauth2``, ``sha256``, ``s3``).
_WORD_RE = re.compile(r"[A-Z]+\d*(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+[a-z]*")
# Anything that is not a letter or digit separates words: ``_ - . space / :`` ...
_SEPARATOR_RE = re.compile(r"[^A-Za-z0-9]+")
_DIGITS = "0123456789"

# --- Credential phrases -------------------------------------------------------------
# Single words that on their own denote a credential value, with the canonical word
# reported for them. Synonyms collapse so callers can map the result to a label.
_CREDENTIAL_WORDS: dict[str, str] = {
    "token": "token",
    "jwt": "jwt",
    "bearer": "bearer",
    "secret": "secret",
    # Plural "secrets" is a bag of secrets (``st.secrets``, a loaded secrets dict).
    "secrets": "secret",
    "password": "password",
    "passwords": "password",
    "passwd": "password",
    "pwd": "password",
    "passphrase": "passphrase",
    # CodeQL #11148: a passcode is a password; their ``.*code.*`` exclusion missed it.
    "passcode": "passcode",
    "credential": "credential",
    "credentials": "credential",
    "cred": "credential",
    "creds": "credential",
    # GitHub/Azure DevOps personal access token; only ever as a whole word part.
    "pat": "pat",
    "authorization": "authorization",
}

# Words that qualify "key"/"keys" into a credential (``api_key``, ``private_key``).
# A bare ``key`` is a dict or cache key; ``public_key``, ``primary_key``, ``sort_key``
# are not secrets, so only these qualifiers count (detect-secrets' keyword list).
_KEY_QUALIFIERS: dict[str, str] = {
    "api": "api key",
    "private": "private key",
    "priv": "private key",
    "signing": "signing key",
    "sign": "signing key",
    "subscription": "subscription key",
    "session": "session key",
    "secret": "secret",
    "auth": "auth key",
    "master": "master key",
    "hmac": "hmac key",
    "encryption": "encryption key",
    "jwt": "jwt key",
    "app": "app key",
    "service": "service key",
    "shared": "shared key",
    "ssh": "private key",
    # Cloud service-account and storage-account keys: SERVICE_ACCOUNT_KEY, GCP_SA_KEY,
    # AZURE_STORAGE_ACCOUNT_KEY.
    "account": "account key",
    "sa": "service account key",
    "access": "access key",
}

# Words that qualify plural "tokens" into credentials (``access_tokens``). Bare
# ``tokens`` is NLP / usage vocabulary (``prompt_tokens``, ``tokens_used``).
_TOKEN_PLURAL_QUALIFIERS = frozenset(
    {
        "access", "refresh", "id", "auth", "bearer", "oauth", "obo", "jwt", "sas",
        "session", "api", "user", "upstream", "downstream", "delegated", "personal",
        "github", "bot", "service", "app",
    }
)  # fmt: skip

# Words that qualify "pass" into a password (``db_pass``, ``SMTP_PASS``). Bare
# ``pass`` (``first_pass``, ``single_pass``) is not a password.
_PASS_QUALIFIERS = frozenset(
    {
        "db", "database", "smtp", "mail", "email", "user", "admin", "root", "ldap",
        "mysql", "pg", "postgres", "redis", "proxy", "ftp", "login", "key", "keystore",
    }
)  # fmt: skip

# Multi-word phrases matched before single words, longest first; each maps to the
# canonical credential word. ``auth_header`` / ``authorization_header`` hold the header
# *value*; the header consumes the word so it is not read as ``api_key_header`` metadata.
_PHRASES: dict[tuple[str, ...], str] = {
    ("auth", "header"): "authorization",
    ("authorization", "header"): "authorization",
    ("pass", "phrase"): "passphrase",
    # AWS_SECRET_ACCESS_KEY: the trailing ``key`` belongs to the phrase.
    ("secret", "access", "key"): "secret",
    # A cloud service account's key file, as text or parsed (``service_account_info``): it
    # holds the account's private key.
    ("service", "account", "json"): "service account key",
    ("service", "account", "info"): "service account key",
    **{(q, "key"): c for q, c in _KEY_QUALIFIERS.items()},
    **{(q, "keys"): c for q, c in _KEY_QUALIFIERS.items()},
    **{(q, "tokens"): "token" for q in _TOKEN_PLURAL_QUALIFIERS},
    **{(q, "pass"): "password" for q in _PASS_QUALIFIERS},
}
_MAX_PHRASE = max(len(p) for p in _PHRASES)

# One-word compounds from ALLCAPS or run-together names (``APIKEY``, ``ACCESSTOKEN``)
# are expanded into their parts before matching.
_COMPOUNDS: dict[str, tuple[str, ...]] = {
    "apikey": ("api", "key"),
    "apikeys": ("api", "keys"),
    "apitoken": ("api", "token"),
    "accesstoken": ("access", "token"),
    "authtoken": ("auth", "token"),
    "idtoken": ("id", "token"),
    "refreshtoken": ("refresh", "token"),
    "bearertoken": ("bearer", "token"),
    "sessiontoken": ("session", "token"),
    "sessionkey": ("session", "key"),
    "secretkey": ("secret", "key"),
    "privatekey": ("private", "key"),
    "privkey": ("private", "key"),
    "clientsecret": ("client", "secret"),
    # Chinese platforms' OAuth parameters (WeCom `corpsecret`, WeChat `appsecret`).
    "appsecret": ("app", "secret"),
    "corpsecret": ("corp", "secret"),
    "authheader": ("auth", "header"),
    "nexttoken": ("next", "token"),
    "pagetoken": ("page", "token"),
    "maxtokens": ("max", "tokens"),
    # Run-together passwords of a service (``PGPASSWORD``, ``MYSQLPASSWORD``, ``SMTPPASS``).
    **{q + "password": (q, "password") for q in _PASS_QUALIFIERS},
    **{q + "pass": (q, "pass") for q in _PASS_QUALIFIERS if q not in ("key", "keystore")},
}

# --- Modifiers that turn a credential word into metadata ----------------------------
# Anywhere BEFORE the credential word: the name is a flag, a transformed value, a
# count, or an action on the credential rather than the credential itself.
_BLOCK_BEFORE = frozenset(
    {
        # Booleans and state (``is_secret``, ``has_token``, ``use_token``); Bandit and
        # detect-secrets flag ``is_secret``, CodeQL excludes ``(?<!is|is_)secret``.
        "is", "has", "have", "had", "was", "use", "uses", "should", "must", "can",
        "require", "requires", "need", "needs", "allow", "allows", "enable",
        "disable", "no", "show", "hide", "include", "invalid", "incorrect", "wrong",
        "support", "supports",
        # Transformed, non-secret values (CodeQL ``notSensitiveRegexp``: hash, md5, sha,
        # redact, obfuscate, crypt); RULES.md: hashes are derived, not secret.
        "hash", "hashed", "digest", "md5", "sha", "bcrypt", "salted", "encrypted",
        "masked", "redacted", "redact", "obfuscated", "truncated", "sanitized", "sanitised",
        "scrubbed",
        # Counts and limits (``max_tokens``, ``n_tokens``, ``total_tokens``).
        "max", "min", "num", "n", "total", "count",
        # Verbs whose result is not the credential (``forgot_password``,
        # ``verify_token`` returns a bool, ``decode_token`` returns claims).
        "forgot", "forget", "verify", "validate", "check", "revoke", "invalidate",
        "decode", "compare",
        # A decoded (parsed, verified) token is its claims (``decoded_auth_token``).
        "decoded", "parsed", "verified",
        # Tokens that are not credentials: schema references, MCP progress tokens,
        # lexer/parser tokens.
        "ref", "progress", "lexer", "parser", "syntax",
        # What lacks a credential (``url_without_token``); `with` is no such word: a URL or a
        # connection string "with" one holds it.
        "without",
        # What was taken from, made for or found by one (``user_email_from_creds``,
        # ``prompt_for_password``): the head noun comes first. Not `of`: a ``list_of_api_keys``
        # holds keys, a ``proof_of_possession_token`` is a token.
        "from", "for", "by", "via",
    }
)  # fmt: skip

# IMMEDIATELY before "token": pagination cursors (CodeQL PR #21650, Bandit #1350
# ``NextToken``), NLP special tokens, CSRF tokens (anti-forgery, not access), and
# LLM usage vocabulary. Only the adjacent word counts, so ``page_access_token`` and
# ``current_token`` still match.
_BLOCK_BEFORE_TOKEN = frozenset(
    {
        # pagination / sync cursors
        "page", "next", "prev", "previous", "continuation", "cursor", "sync",
        "scroll", "after", "before", "delta", "skip", "resume", "pagination", "starting",
        # log streams read both ways (``nextForwardToken``, ``nextBackwardToken``)
        "forward", "backward",
        # what makes a write happen once or detects a concurrent one (AWS ``VersionToken``, an
        # ETag, an idempotency key); not ``change`` (``email_change_token`` confirms a change)
        "version", "etag", "idempotency", "dedup", "deduplication", "concurrency",
        # async cancellation tokens
        "cancel", "cancellation",
        # NLP special and positional tokens
        "eos", "bos", "sos", "eot", "pad", "padding", "unk", "unknown", "sep", "cls",
        "mask", "special", "stop", "start", "end", "first", "last", "added", "image",
        "audio", "video",
        # LLM usage
        "prompt", "completion", "reasoning", "input", "output",
        # anti-forgery tokens are not access credentials, nor a webhook's validation
        # challenge, echoed back as it came (Microsoft Graph's ``validationToken``)
        "csrf", "xsrf", "validation",
        # a token as a unit of text (``input_cost_per_token``, ``chars_per_token``)
        "per",
    }
)  # fmt: skip

# IMMEDIATELY before "password": actions on the password (``reset_password``,
# ``change_password``, ``set_password``), typically function names.
_BLOCK_BEFORE_PASSWORD = frozenset({"reset", "change", "set", "update"})

_BLOCK_BEFORE_WORD: dict[str, frozenset[str]] = {
    "token": _BLOCK_BEFORE_TOKEN,
    "password": _BLOCK_BEFORE_PASSWORD,
}

# Anywhere AFTER the credential word: the name describes the credential (CodeQL PR
# #21650 ``tokens?(type|count|url|...)``, ``secret(Name|Id|Arn)``; detect-secrets
# ``is_likely_id_string``; CodeQL ``file|path|url`` exclusions).
_BLOCK_AFTER = frozenset(
    {
        # counts, limits, usage
        "count", "counts", "counter", "num", "number", "total", "limit", "limits",
        "budget", "max", "min", "usage", "used", "remaining", "quota", "rate", "cap", "caps",
        "consumption",
        "bucket", "cost", "estimate", "threshold", "thresholds",
        # shape and syntax
        "type", "types", "kind", "format", "prefix", "suffix", "delimiter",
        "separator", "position", "offset", "index", "idx", "length", "len", "size",
        "class", "style", "pattern", "regex", "encoding", "range", "ranges", "span", "spans",
        "cnt", "cnts",
        # where it lives or comes from, not what it is
        "url", "urls", "uri", "uris", "endpoint", "endpoints", "host", "domain",
        "path", "paths", "file", "files", "filename", "filepath", "dir", "directory",
        "location", "env", "var", "vars", "variable", "variables", "envvar", "source", "sources",
        # the database objects that store credentials (``auth_tokens_table``)
        "table", "tables", "column", "columns", "collection", "binding", "bindings",
        # whom it was issued to (``token_email``, ``token_owner``)
        "email", "owner",
        # a riddle's answer, not access (``secret_word``, ``secret_image``)
        "word", "words", "numbers", "image", "images",
        # a token as a unit of text and what a model computes for it (``token_logprob``)
        "logprob", "logprobs", "logit", "logits", "prob", "probs", "probability",
        "probabilities", "embedding", "embeddings",
        # measurements and reports about tokens (LLM token metrics, usage stats)
        "metrics", "metric", "stats", "statistics", "info", "detail", "details", "summary",
        # configuration of how credentials are handled, not credential values
        "config", "configs", "configuration", "settings", "options", "params", "parameters",
        "audiences",
        "ref", "refs", "reference", "references",
        "servers", "issuers", "endpoints_config",
        # a dangling key after the credential is the lookup key (``token_key``,
        # ``api_key_name``); credential keys (``secret_key``) are phrases above
        "key", "keys",
        # identity and naming
        "id", "ids", "uid", "uuid", "uuids", "guid", "arn", "version", "versions", "alias",
        "name", "names", "label", "labels", "field", "fields", "prompt", "placeholder",
        "title", "description", "descriptions", "desc", "header", "headers", "widget", "input",
        "inputs", "choice", "choices",
        "error",
        "errors", "failure", "failures", "omission", "omissions",
        # what is known of one (not where it is: ``token_in_cache`` holds it; nor a pair, a
        # check or a widget: ``token_pair``, a sign-up form's ``password_check`` and a UI's
        # ``password_box = text_input(...)`` are the values themselves)
        "attribute", "attributes", "properties", "score", "scores", "mode", "modes",
        # what a message about one says (``PASSWORD_TOO_SHORT``, ``password_mismatch``,
        # ``API_KEY_NOT_SET``, ``API_KEY_DELETED``)
        "too", "not", "mismatch", "mismatched", "deleted", "revoked", "reused", "weak",
        # time and lifetime
        "expiry", "expires", "expiration", "exp", "expire", "ttl", "lifetime", "age",
        "timeout", "time", "timestamp", "date", "deadline", "interval", "duration",
        "created", "issued", "seconds",
        # flags and state (``token_required``, ``password_valid``)
        "enabled", "disabled", "required", "optional", "valid", "invalid", "expired",
        "present", "set", "exists", "exist", "missing", "ok", "needed", "supported",
        "changed", "match", "matches", "matched", "allowed", "configured", "provided",
        "available", "status", "state", "found", "detected", "detection",
        # transformed, non-secret values
        "hash", "hashed", "digest", "fingerprint", "fingerprints", "md5", "sha", "bcrypt",
        "salt", "hashes",
        "redacted", "masked", "preview", "obfuscated", "encrypted", "mask", "blur", "visual",
        # decoded JWT parts are claims, not the token (RULES.md: jwt.decode claims)
        "claims", "claim", "payload", "scope", "scopes", "audience", "issuer",
        # password rules and flows (``password_policy``, ``password_reset_url``)
        "policy", "strength", "complexity", "rules", "requirements", "reset",
        "rotation", "hint", "hints", "validation", "require", "requires", "help",
        # how credentials are recognised in text (``secret_patterns``, ``token_regexes``)
        "patterns", "regexes", "matcher", "matchers", "detector", "detectors",
        # what a credential looks like or how it is shown, not its value
        "spec", "specs", "meta", "metadata", "display",
        # components that produce or handle credentials, not credential values
        "provider", "factory", "manager", "handler", "backend", "middleware",
        "server", "service", "client", "scheme", "schema", "validator", "verifier",
        "decoder", "encoder", "parser", "serializer", "generator",
    }
)  # fmt: skip


def _variants(part: str) -> tuple[str, ...]:
    """A word part and, if different, the part without trailing digits (``token2``)."""
    stripped = part.rstrip(_DIGITS)
    return (part, stripped) if stripped and stripped != part else (part,)


def _in(part: str, words: frozenset[str]) -> bool:
    return any(v in words for v in _variants(part))


def _match_at(parts: tuple[str, ...], i: int) -> tuple[int, str] | None:
    """Longest credential phrase starting at ``parts[i]``: (length, canonical word)."""
    for n in range(min(_MAX_PHRASE, len(parts) - i), 1, -1):
        canonical = _PHRASES.get(parts[i : i + n])
        if canonical is not None:
            return n, canonical
    for v in _variants(parts[i]):
        if v in _CREDENTIAL_WORDS:
            return 1, _CREDENTIAL_WORDS[v]
    return None


@lru_cache(maxsize=4096)
def split_words(name: str) -> tuple[str, ...]:
    """Split an identifier or string key into lowercase word parts (camelCase, _ - . space)."""
    return tuple(
        word.lower() for chunk in _SEPARATOR_RE.split(name) for word in _WORD_RE.findall(chunk)
    )


def _match_parts(words: tuple[str, ...]) -> tuple[str, ...]:
    """Word parts ready for matching, with run-together compounds expanded (``apikey``)."""
    out: list[str] = []
    for word in words:
        expanded = _COMPOUNDS.get(word) or _COMPOUNDS.get(word.rstrip(_DIGITS))
        out.extend(expanded if expanded else (word,))
    return tuple(out)


@lru_cache(maxsize=4096)
def credential_word(name: str) -> str | None:
    """Return the credential word a name denotes (e.g. "token", "api key"), else None."""
    found = _credential_match(name)
    return found[3] if found is not None else None


# Credential words that also name what is not a secret: a checkout's or a parser's token, a
# credential record, an authorization request. Qualified as an access credential
# (``access_token``, ``github_token``: the plural qualifiers above) a token is specific.
_GENERIC_WORDS = frozenset({"token", "credential", "authorization", "pat"})


# Services whose tokens are credentials by that name (`slack_token`, `hf_token`).
_SERVICE_QUALIFIERS = frozenset(
    {
        "slack", "gitlab", "bitbucket", "hf", "huggingface", "discord", "telegram", "notion",
        "jira", "confluence", "atlassian", "azure", "aws", "gcp", "google", "openai", "stripe",
        "twilio", "sendgrid", "zendesk", "salesforce", "hubspot", "shopify", "vercel",
        "netlify", "heroku", "cloudflare", "digitalocean", "pagerduty", "sentry", "datadog",
        "npm", "pypi", "docker", "dockerhub", "secret", "webhook", "graph", "entra", "okta",
        "auth0", "cognito", "keycloak", "vault",
    }
)  # fmt: skip


def names_generic_credential(name: str) -> bool:
    """Whether ``name`` denotes a credential by a generic word alone (``token``,
    ``checkout_token``, ``credentials``), not a specific one (``api_key``, ``password``,
    ``access_token``)."""
    found = _credential_match(name)
    if found is None or found[3] not in _GENERIC_WORDS:
        return False
    parts, start, end, canonical = found
    if canonical != "token":
        return True
    # `access_tokens` is one phrase; `access_token` a qualifier before the word, and so is a
    # service's name (`slack_token`). A user's tokens are as often what they spent of a
    # model's (`last_user_tokens`).
    qualifiers = (_TOKEN_PLURAL_QUALIFIERS | _SERVICE_QUALIFIERS) - {"user"}
    phrase = end - start > 1 and parts[start] != "user"
    return not (phrase or (start > 0 and _in(parts[start - 1], qualifiers)))


@lru_cache(maxsize=4096)
def _credential_match(name: str) -> tuple[tuple[str, ...], int, int, str] | None:
    """The word parts of ``name``, where its credential phrase starts and ends, and its
    canonical word; None when it names none."""
    parts = _match_parts(split_words(name))
    matches: list[tuple[int, int, str]] = []
    i = 0
    while i < len(parts):
        found = _match_at(parts, i)
        if found is None:
            i += 1
            continue
        n, canonical = found
        matches.append((i, i + n, canonical))
        i += n
    # The head of an English compound is its last noun (``jwt_secret`` is a secret,
    # ``secret_token`` a token), so try the rightmost match first.
    for start, end, canonical in reversed(matches):
        before, after = parts[:start], parts[end:]
        if any(_in(p, _BLOCK_AFTER) for p in after):
            continue
        if any(_in(p, _BLOCK_BEFORE) for p in before):
            continue
        adjacent = _BLOCK_BEFORE_WORD.get(canonical)
        if adjacent and end - start == 1 and before and _in(before[-1], adjacent):
            continue
        return parts, start, end, canonical
    return None


def names_blocked_credential(name: str) -> bool:
    """Whether ``name`` holds a credential word that its other words make something else
    (``csrf_token``, ``XSRF-TOKEN``, ``token_type``); ``keycloak_auth`` holds none."""
    if credential_word(name) is not None:
        return False
    parts = _match_parts(split_words(name))
    return any(_match_at(parts, i) is not None for i in range(len(parts)))


def names_forgery_token(name: str) -> bool:
    """Whether ``name`` names an anti-forgery token (``kd_csrf``, ``csrftoken``,
    ``XSRF-TOKEN``): a value scripts must read, not a credential."""
    return any(word.startswith(("csrf", "xsrf")) for word in split_words(name))


def is_class_name(qname: str) -> bool:
    """``pkg.TokenCodec``, ``AuthScheme``: a class (named in CapWords, as PEP 8 asks), not a
    function such as ``get_token`` nor a constant such as ``API_KEY``."""
    last = qname.rpartition(".")[2]
    return last[:1].isupper() and not last.isupper()


def is_credential_name(name: str) -> bool:
    """Whether an identifier or string key denotes a credential value."""
    return credential_word(name) is not None


# Words in a callee's name that make it a text tokenizer: what it returns are token ids or text.
_TOKENIZER_WORDS = frozenset(
    {"tokenizer", "tokenizers", "detokenizer", "vocab", "vocabulary", "lexer"}
)
# Words in an object's name that make its `token` a unit of text: an LLM's log-probabilities
# (`token_logprob.token`, `choice.logprobs.content[0].token`), a tokenizer's or a lexer's.
_TEXT_TOKEN_OWNER_WORDS = _TOKENIZER_WORDS | frozenset(
    {
        "logprob", "logprobs", "logit", "logits", "tokenized", "lexers",
        # what a text tokenizer streams (`word.token`, `async for ev in sentence_stream`)
        "sentence", "sentences", "word", "words",
        # not text, but no credential either: the token a distributed lock keeps to know its
        # owner (`lock.local.token`)
        "lock", "locks", "mutex",
    }
)  # fmt: skip


def calls_text_tokenizer(callee: str) -> bool:
    """Whether ``callee`` (a qualified name such as ``self.tokenizer.encode``) is a text
    tokenizer's by its words: ``token_data = self.tokenizer.encode(text)`` holds token ids."""
    return any(word in _TOKENIZER_WORDS for word in split_words(callee))


# A `token` parameter is a unit of text in a model's streaming callback (`on_llm_new_token`)
# and in a method that feeds text on (`push_text`, `add_chunk`): the verbs and the text words
# must both be there (`send_text(token, ...)` may send a bot's token, `save_new_token` and
# `on_new_token` keep an OAuth client's).
_FEEDING_VERBS = frozenset({"push", "feed", "append", "add"})
_TEXT_UNIT_WORDS = frozenset(
    {"text", "chunk", "chunks", "delta", "deltas", "sentence", "sentences", "word", "words",
     "transcript"}
)  # fmt: skip


def is_text_token_parameter(parameter: str, function: str) -> bool:
    """Whether parameter ``parameter`` of function ``function`` is a token of text: one named
    just ``token`` of a model's streaming callback (``on_llm_new_token``) or of a method that
    feeds text on (``push_text``)."""
    if split_words(parameter) != ("token",):
        return False
    words = split_words(function)
    return ("llm" in words and "token" in words) or (
        bool(words) and words[0] in _FEEDING_VERBS and any(w in _TEXT_UNIT_WORDS for w in words)
    )


def is_text_token_read(owner: str, key: str) -> bool:
    """Whether reading ``key`` from the object written ``owner`` (source text such as
    ``token_logprob``) gives a token of text, not a credential: a bare ``token`` of an
    object named for log-probabilities, a tokenizer or a lexer (or a lock's owner token)."""
    return split_words(key) == ("token",) and any(
        word in _TEXT_TOKEN_OWNER_WORDS for word in split_words(owner)
    )


# Words that make a function or variable name worth following into another module, even when
# the name itself is not a credential (`current_token()`, `get_auth_headers()`, `service_key()`).
_MENTION_WORDS = frozenset(
    {
        "token",
        "tokens",
        "secret",
        "secrets",
        "password",
        "passwd",
        "pwd",
        "auth",
        "authorization",
        "bearer",
        "credential",
        "credentials",
        "creds",
        "jwt",
        "apikey",
        "key",
        "keys",
        "oauth",
        "obo",
        "assertion",
    }
)


@lru_cache(maxsize=4096)
def mentions_credential(name: str) -> bool:
    """True when a name has a word about credentials (looser than ``is_credential_name``)."""
    return any(word.rstrip(_DIGITS) in _MENTION_WORDS for word in split_words(name))


# Identifiers a service mints for its own bookkeeping (a transaction id, a JWT's `jti`, a
# request id): random like a token, but presenting one grants nothing. A session id does.
_IDENTIFIER_WORDS = frozenset({"id", "ids", "jti", "email"})


def is_identifier_name(name: str) -> bool:
    """Whether a name denotes an identifier, not a credential, when it holds a freshly minted
    random value or an element of one (``txn_id``, ``access_jti``, ``tenant_id``,
    ``admin_email``; not ``session_id``)."""
    words = split_words(name)
    return bool(words) and words[-1].rstrip(_DIGITS) in _IDENTIFIER_WORDS and "session" not in words


# Last words of names that denote where something is, not what it is.
_LOCATION_WORDS = frozenset(
    {"path", "paths", "file", "filename", "filepath", "dir", "directory", "folder", "url", "uri"}
)


def is_location_name(name: str) -> bool:
    """Whether a name denotes a location (``json_file_path``, ``credentials_dir``,
    ``token_url``), not a credential."""
    words = split_words(name)
    return bool(words) and words[-1] in _LOCATION_WORDS


def is_file_location_name(name: str) -> bool:
    """Whether a name denotes where a file is (``CLIENT_SECRETS_PATH``, ``creds_file``), not
    a URL, which may carry a password."""
    words = split_words(name)
    return bool(words) and words[-1] in _LOCATION_WORDS - {"url", "uri"}


def names_random_secret(name: str) -> bool:
    """Whether a name given to a randomly drawn value makes it a secret: a credential's name
    (``api_key``), a session's (``session_id``) or a PKCE verifier's (``code_verifier``, which
    redeems the authorization code); not ``state``, ``nonce`` or ``tag``."""
    words = split_words(name)
    return is_credential_name(name) or "session" in words or "verifier" in words


# Credentials short enough that a dozen characters may be all of them.
_SHORT_CREDENTIALS = frozenset({"password", "passphrase", "passcode", "pat"})


def is_maskable_credential_name(name: str) -> bool:
    """Whether a name denotes one long credential (``token``, ``api_key``), of which a few
    characters reveal nothing; not a bag of them (``api_keys``) nor a password."""
    word = credential_word(name)
    if word is None or word in _SHORT_CREDENTIALS:
        return False
    return not split_words(name)[-1].endswith("s")


# The last word of a class name that makes the class a credential wrapper (its instances carry
# the secret they were built from): BearerAuth, HTTPBasicAuth, AzureKeyCredential, AccessToken.
# AuthorizationConfig or TokenManager are not: they configure or manage credentials.
_WRAPPER_WORDS = frozenset(
    {"auth", "token", "credential", "credentials", "key", "secret", "password", "bearer", "jwt"}
)


@lru_cache(maxsize=4096)
def is_credential_wrapper(class_name: str) -> bool:
    """True when a class name denotes a value wrapping a credential (``BearerAuth``)."""
    words = split_words(class_name)
    return bool(words) and words[-1].rstrip(_DIGITS) in _WRAPPER_WORDS


def covers_credential_kinds(words: frozenset[str]) -> bool:
    """Whether every credential name holds one of ``words`` (lower case), as a redaction test
    writes them (``any(w in k.lower() for w in ("key", "password", "token", "secret"))``): a
    key, a token, a secret and a password are all named."""
    return {"key", "token", "secret"} <= words and any("pass" in w or w == "pwd" for w in words)
