"""Table-driven tests for the credential-name heuristics in obolint.names."""

from __future__ import annotations

import pytest

from obolint.names import (
    credential_word,
    is_credential_name,
    is_credential_wrapper,
    is_text_token_read,
    mentions_credential,
    names_forgery_token,
    names_generic_credential,
    split_words,
)

SPLIT_CASES = [
    ("accessToken", ("access", "token")),
    ("AccessToken", ("access", "token")),
    ("HTTPAuthorization", ("http", "authorization")),
    ("HTTP_AUTHORIZATION", ("http", "authorization")),
    ("OPENAI_API_KEY", ("openai", "api", "key")),
    ("x-api-key", ("x", "api", "key")),
    ("X-Api-Key", ("x", "api", "key")),
    ("XApiKey", ("x", "api", "key")),
    ("APIKey", ("api", "key")),
    ("APIKEY", ("apikey",)),
    ("nextPageToken", ("next", "page", "token")),
    ("IDToken", ("id", "token")),
    ("__token", ("token",)),
    ("_private_key", ("private", "key")),
    ("self.token_url", ("self", "token", "url")),
    ("Proxy Authorization", ("proxy", "authorization")),
    ("oauth2Token", ("oauth2", "token")),
    ("sha256_digest", ("sha256", "digest")),
    ("s3Key", ("s3", "key")),
    ("token2", ("token2",)),
    ("", ()),
    ("___", ()),
]

# name -> the canonical credential word it denotes
POSITIVES = {
    "token": "token",
    "access_token": "token",
    "accessToken": "token",
    "refresh_token": "token",
    "id_token": "token",
    "auth_token": "token",
    "bearer": "bearer",
    "bearer_token": "token",
    "user_token": "token",
    "obo_token": "token",
    "jwt": "jwt",
    "api_key": "api key",
    "apiKey": "api key",
    "APIKEY": "api key",
    "x-api-key": "api key",
    "X-Api-Key": "api key",
    "OPENAI_API_KEY": "api key",
    "GITHUB_TOKEN": "token",
    "client_secret": "secret",
    "secret": "secret",
    "secret_key": "secret",
    "SECRET_KEY": "secret",
    "password": "password",
    "passwd": "password",
    "pwd": "password",
    "passphrase": "passphrase",
    "new_password": "password",
    "token_in_cache": "token",
    "token_pair": "token",
    "password_check": "password",
    "password_box": "password",
    "email_change_token": "token",
    "credential": "credential",
    "credentials": "credential",
    "creds": "credential",
    "session_key": "session key",
    "session_token": "token",
    "private_key": "private key",
    "pat": "pat",
    "github_pat": "pat",
    "personal_access_token": "token",
    "authorization": "authorization",
    "Authorization": "authorization",
    "HTTP_AUTHORIZATION": "authorization",
    "auth_header": "authorization",
    "authorization_header": "authorization",
    "subscription_key": "subscription key",
    "upstream_token": "token",
    "current_token": "token",
    "raw_token": "token",
    "oauth_token": "token",
    "sas_token": "token",
    "cookie_secret": "secret",
    "signing_key": "signing key",
    "SERVICE_ACCOUNT_KEY": "account key",
    "GCP_SA_KEY": "service account key",
    "AZURE_STORAGE_ACCOUNT_KEY": "account key",
    # beyond the brief: compounds, plurals, digits, attribute chains
    "ACCESSTOKEN": "token",
    "access_tokens": "token",
    "oauth2_token": "token",
    "token2": "token",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "service_account_json": "service account key",
    "GOOGLE_SERVICE_ACCOUNT_INFO": "service account key",
    "jwt_secret": "secret",
    "db_pass": "password",
    # Run-together passwords of a service, as their environment variables are spelled.
    "PGPASSWORD": "password",
    "MYSQLPASSWORD": "password",
    "SMTPPASS": "password",
    "passcode": "passcode",
    "page_access_token": "token",
    "url_with_token": "token",
    "connection_string_with_password": "password",
    "password_reset_token": "token",
    "request.headers.authorization": "authorization",
    "settings.SECRET_KEY": "secret",
    "access_token_for_user": "token",
    "secret_for_tenant": "secret",
    "list_of_api_keys": "api key",
    "proof_of_possession_token": "token",
    "Ocp-Apim-Subscription-Key": "subscription key",
}

NEGATIVES = [
    # what a credential word only qualifies (usage details, a detection flag, a style)
    "cached_token_detail",
    "raw_secret_detected",
    "SECRET_VISUAL_MASK_BLUR_FILTER",
    # how credentials are recognised or shown, not their values
    "token_fingerprints",
    "secret_patterns",
    "token_regexes",
    "token_help",
    "secret_hashes",
    # what a model computes for a token of text
    "token_logprob",
    "token_logits",
    "token_embeddings",
    # database objects that store credentials
    "auth_tokens_table",
    "api_keys_collection",
    "password_column",
    # what a test asks a model to remember, not access
    "secret_word",
    "SECRET_NUMBER",
    "secret_image",
    # LLM usage and NLP vocabulary
    "max_tokens",
    "max_completion_tokens",
    "token_count",
    "token_range",
    "input_cost_per_token",
    "CHARS_PER_TOKEN",
    # what lacks the credential
    "url_without_token",
    "password_require_uppercase",
    "supports_manual_credentials",
    "credentials_spec",
    "token_meta",
    "token_display",
    "test_credentials_uuid",
    "service_account_info_path",
    "service_account_email",
    "compact_token_threshold",
    "PASSWORD_VALIDATION_HINT",
    "INCORRECT_PASSWORD",
    "API_KEY_NOT_FOUND",
    "secret_span",
    "n_tokens",
    "num_tokens",
    "tokens_used",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "token_budget",
    "token_limit",
    "tokenizer",
    "tokenize",
    "tokenized",
    "tokens",
    "token_count_by_user",
    "eos_token",
    "pad_token",
    "bos_token",
    "unk_token",
    "sep_token",
    "mask_token",
    "special_token",
    "stop_token",
    "last_token",
    "first_token",
    "next_token",
    # pagination cursors and anti-forgery tokens
    "next_page_token",
    # cloud APIs' cursors, concurrency and idempotency tokens
    "nextForwardToken",
    "nextBackwardToken",
    "starting_token",
    "StartingToken",
    "pagination_token",
    "version_token",
    "IdempotencyToken",
    # what is known of one, where it goes, and the widgets that hold one
    "token_score",
    "token_choices",
    "secret_parameters",
    # what was taken from, made for or found by one: the head noun comes first
    "user_email_from_creds",
    "prompt_for_password",
    "custom_secrets_descriptions",
    "service_key_attributes",
    "limited_token_mode",
    "sanitized_api_key",
    "secret_failure",
    "credential_omissions",
    "messages_with_token_cnts",
    "PASSWORD_TOO_SHORT",
    "password_mismatch",
    "API_KEY_NOT_SET",
    "API_KEY_DELETED",
    "page_token",
    "nextPageToken",
    "NextToken",
    "continuation_token",
    "cursor_token",
    "csrf_token",
    "xsrf_token",
    # token metadata
    "token_type",
    "token_url",
    "token_uri",
    "token_endpoint",
    "token_expiry",
    "token_expires_at",
    "expires_in",
    "token_ttl",
    "ADMIN_TOKEN_SOURCES",
    "token_metrics",
    "token_info",
    "decoded_auth_token",
    "ref_token",
    "progress_token",
    "secret_refs",
    "authorization_config",
    "token_audiences",
    "authorization_servers",
    "token_id",
    "token_file",
    "token_path",
    "self.token_url",
    "bearer_token_provider",
    # secret metadata
    "secret_name",
    "secret_id",
    "secret_arn",
    "secret_version",
    "secret_path",
    "secretary",
    "secret_client",
    # flags
    "is_secret",
    "has_token",
    "use_token",
    "should_refresh_token",
    "requires_password",
    "needs_token",
    "token_required",
    # passwords: transformed values, rules, UI and actions
    "hashed_password",
    "password_hash",
    "password_length",
    "password_policy",
    "password_reset_url",
    "forgot_password",
    "reset_password",
    "password_field",
    "password_label",
    "password_prompt",
    # api keys: the header or env var *name*, not the value
    "api_key_env_var",
    "api_key_name",
    "api_key_header",
    # keys that are not secrets
    "key",
    "public_key",
    "primary_key",
    "cache_key",
    "sort_key",
    "keyboard",
    "monkey",
    # auth look-alikes
    "author",
    "authority",
    "authorize",
    "authorized",
    "auth_url",
    "authentication_backend",
    # identifiers
    "user_id",
    "client_id",
    "tenant_id",
    "session_id",
    "credential_id",
    # no substring matches
    "pattern",
    "path",
    "compat",
    "spatial",
    "passenger",
    "bypass",
    "first_pass",
    "PGPASSFILE",
    "compass",
    "",
]


@pytest.mark.parametrize(("name", "expected"), SPLIT_CASES)
def test_split_words(name: str, expected: tuple[str, ...]) -> None:
    assert split_words(name) == expected


@pytest.mark.parametrize(("name", "word"), sorted(POSITIVES.items()))
def test_credential_names(name: str, word: str) -> None:
    assert credential_word(name) == word
    assert is_credential_name(name)


@pytest.mark.parametrize("name", NEGATIVES)
def test_not_credential_names(name: str) -> None:
    assert credential_word(name) is None
    assert not is_credential_name(name)


def test_tables_do_not_overlap() -> None:
    assert not set(POSITIVES) & set(NEGATIVES)
    assert len(POSITIVES) + len(NEGATIVES) >= 70


@pytest.mark.parametrize(
    ("class_name", "wraps"),
    [
        ("BearerAuth", True),
        ("HTTPBasicAuth", True),
        ("AzureKeyCredential", True),
        ("AccessToken", True),
        ("Credentials", True),
        ("AuthorizationConfig", False),
        ("TokenManager", False),
        ("OpenAI", False),
        ("Gemini", False),
    ],
)
def test_credential_wrappers(class_name: str, wraps: bool) -> None:
    assert is_credential_wrapper(class_name) is wraps


@pytest.mark.parametrize(
    ("name", "mentions"),
    [
        ("current_token", True),
        ("get_auth_headers", True),
        ("service_key", True),
        ("fetch_contacts", False),
        ("answer", False),
    ],
)
def test_mentions_credential(name: str, mentions: bool) -> None:
    assert mentions_credential(name) is mentions


@pytest.mark.parametrize(
    ("owner", "key", "text"),
    [
        ("token_logprob", "token", True),
        ("response.choices[0].logprobs.content[0]", "token", True),
        ("self.tokenizer", "token", True),
        ("lexer.next()", "token", True),
        ("word", "token", True),
        ("self._sentence_stream", "token", True),
        ("account", "token", False),
        ("self._sessions", "token", False),
        ("token_logprob", "access_token", False),
        ("creds", "token", False),
    ],
)
def test_text_token_reads(owner: str, key: str, text: bool) -> None:
    assert is_text_token_read(owner, key) is text


@pytest.mark.parametrize(
    ("name", "forgery"),
    [("kd_csrf", True), ("csrftoken", True), ("XSRF-TOKEN", True), ("session_id", False)],
)
def test_forgery_token_names(name: str, forgery: bool) -> None:
    assert names_forgery_token(name) is forgery


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("token", True),
        ("checkout_token", True),
        ("credentials", True),
        ("authorization", True),
        ("access_token", False),
        ("AccessToken", False),
        ("github_token", False),
        ("id_tokens", False),
        ("api_key", False),
        ("password", False),
        ("client_secret", False),
        ("jwt", False),
        ("max_tokens", False),
        ("last_user_tokens", True),
        ("user_token", True),
    ],
)
def test_generic_credential_names(name: str, generic: bool) -> None:
    assert names_generic_credential(name) is generic
