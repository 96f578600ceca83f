"""The prefilter: trigger words in any case, word boundaries of short stems, stems only in
names or keys that are credentials, source names as whole names, cache identity."""

from __future__ import annotations

import os
import re
import sys

import pytest
import workerpids

from obolint import names, prefilter
from obolint.packs import load_packs
from obolint.prefilter import BOUNDED_STEMS, CREDENTIAL_STEMS, Triggers, files_to_parse, triggers

PACK_TRIGGERS = triggers(load_packs())
prefilter_search = prefilter._search_text


def test_a_credential_stem_is_found_in_any_case_inside_a_longer_name():
    found_by = triggers(load_packs())
    assert found_by.search("headers = {'AUTHORIZATION': value}")
    assert found_by.search("def refreshAccessToken(): ...")
    assert not found_by.search("def add(a, b):\n    return a + b\n")


def test_a_pack_source_name_is_a_trigger_word():
    # No credential stem, but a call the packs list as a source.
    assert "assume_role" in PACK_TRIGGERS.whole_names
    assert PACK_TRIGGERS.search("creds = sts.assume_role(RoleArn=arn)['Credentials']\n")
    assert PACK_TRIGGERS.search("reply = sts.assume_role(RoleArn=arn)\n")
    assert PACK_TRIGGERS.search("import getpass\nvalue = getpass.getpass()\n")
    # A source the name heuristics do not take for a credential (`client` describes it).
    assert PACK_TRIGGERS.search("result = app.acquire_token_for_client(scopes=scopes)\n")
    # Whole names only: `getpassword_hint` is not `getpass`.
    assert not PACK_TRIGGERS.search("hint = getpassword_hint()\n")


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
    found = PACK_TRIGGERS
    assert "to_json" not in found.words + found.whole_names
    assert not files_to_parse(["payload = order.to_json()\n"], found)[0]
    assert files_to_parse(["from google.oauth2.credentials import Credentials\n"], found)[0]
    # A module whose name holds a stem but is no credential name: its method counts beside it.
    module = "from google.auth import external_account_authorized_user as m\nx = m.load()\n"
    assert not found.search(module)
    assert found.search(module + "print(x.to_json())\n")


@pytest.mark.parametrize(
    "text",
    [
        "max_tokens = 512\nprompt_tokens = usage.prompt_tokens\n",
        "ids = tokenizer.encode(text, max_new_tokens=8)\n",
        "page = client.list(next_page_token=cursor)\n",
        "post.author = request.user\nif user.is_authenticated:\n    pass\n",
        "verify_token(value)\n",
        "def check(token_count: int) -> bool: ...\n",
    ],
)
def test_a_stem_in_names_that_are_no_credentials_does_not_pass(text: str):
    assert not PACK_TRIGGERS.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "access_token = fetch()\n",
        "def refreshAccessToken(): ...\n",
        "headers = {'X-API-Key': key}\n",
        "h = {'Authorization': f'Bearer {value}'}\n",
        'v = config["auth tokens"]\n',  # a phrase across a space, in a string
        "v = os.environ['GITHUB_PAT']\n",
        "data = {'grant_type': 'urn:ietf:params:oauth:grant-type:token-exchange'}\n",
    ],
)
def test_a_stem_in_a_credential_name_or_key_passes(text: str):
    assert PACK_TRIGGERS.search(text)


@pytest.mark.parametrize(
    "text",
    [
        # Docstrings of a module, a function (after its header's `:`) and a class, raw too.
        '"""Helpers that refresh the access_token."""\nimport os\n',
        "#!/usr/bin/env python\n# Copyright\n\n'''Reads the api_key.'''\nx = 1\n",
        'def call(url,\n         timeout=3) -> dict:\n    """Call it.\n\n    api_key: the key.\n'
        '    """\n    return {}\n',
        'class Tool:\n    r"""A tool.\n\n    Args:\n        auth_token: sent.\n    """\n',
        # Comments, also after code.
        "# the token is sent\n",
        "retries = 3  # the client_secret is read later\n",
    ],
)
def test_a_stem_only_in_comments_and_docstrings_does_not_pass(text: str):
    assert not PACK_TRIGGERS.search(text)


@pytest.mark.parametrize(
    "text",
    [
        # A prompt or template is a string a flow can be formatted into, not a docstring.
        'PROMPT = """Use the api_key you were given."""\n',
        'send(\n    """the api_key is here"""\n)\n',
        # An f-string holds code.
        'def f(x):\n    f"""{x.api_key}"""\n',
        # A `#` inside a string is no comment; the code after a docstring is code.
        's = "#"; access_token = read()\n',
        'def f():\n    """Doc."""\n    api_key = load()\n',
        # Text after the closing quotes: not a docstring alone on its lines.
        'def f():\n    """Doc.""" + api_key\n',
        # Unpaired quotes: the rest is code.
        'def f():\n    """never closed\n    api_key = 1\n',
        # Lines that end in a lone carriage return; a `#` line inside a triple-quoted string.
        "import logging\r# helper\rdef go(cfg):\r    api_key = cfg.load()\r    log(api_key)\r",
        'log.info(f"""\n# key {cfg.api_key}\n""")\n',
        'PROMPT = """\n# Use the api_key you were given.\n"""\n',
        # Triple quotes inside one-line quotes or a comment do not pair with the next ones, and
        # a prompt's line ending with `:` is no `def` header.
        'def unquote(s):\n    return s.strip(\'"""\')\n'
        'PROMPT = """Answer the question.\nAnswer:\n"""\n'
        "def go(cfg):\n    api_key = cfg.load()\n"
        'OTHER = """\nx\n"""\n',
        '# the model may wrap code in """ fences\n'
        'PROMPT = """Answer the question.\nAnswer:\n"""\n'
        "def go(cfg):\n    api_key = cfg.load()\n"
        'OTHER = """\nx\n"""\n',
    ],
)
def test_a_stem_in_code_next_to_prose_passes(text: str):
    assert PACK_TRIGGERS.search(text)


def test_a_key_the_packs_read_passes_though_no_credential_name():
    found = Triggers(stems=["auth"], keys=[re.compile(r"^x-auth-code$")])
    assert found.search("code = headers['x-auth-code']\n")
    assert not found.search("mode = headers['x-auth-mode']\n")


def test_a_container_read_whole_passes_on_its_trigger_words():
    # `dict(request.headers)` holds the Authorization header without naming it.
    assert PACK_TRIGGERS.search("def proxy(request):\n    return dict(request.headers)\n")
    assert not PACK_TRIGGERS.search("def fetch(reply):\n    return dict(reply.headers)\n")


def test_a_confirming_name_counts_only_where_its_module_is_named():
    found = Triggers(stems=["auth"], confirming_names={"to_json": ["g_auth"]})
    assert found.search("import g_auth\ng_auth.C().to_json()\n")
    assert not found.search("order.to_json()\n")
    assert not found.search("import g_auth\ng_auth.C().to_jsonl()\n")
    # Another stem does not do: the call belongs to `g_auth`.
    assert not found.search("author = order.to_json()\n")


def test_without_confirmation_a_stem_alone_passes():
    assert Triggers(stems=["token"], confirm=False).search("max_tokens = 1\n")
    assert not Triggers(stems=["token"]).search("max_tokens = 1\n")


def test_a_text_whose_length_changes_when_lowered_passes_on_a_stem():
    # `İ` lowers to two characters: positions no longer match, so a stem is enough.
    assert Triggers(stems=["token"]).search("İ = 1\nmax_tokens = 2\n")


def test_every_credential_word_and_phrase_of_the_name_heuristics_holds_a_stem():
    # A credential name without a stem would never pass the first step.
    stems = Triggers(stems=CREDENTIAL_STEMS, bounded=BOUNDED_STEMS, confirm=False)
    spelled = [
        *names._CREDENTIAL_WORDS,
        *("_".join(phrase) for phrase in names._PHRASES),
        *names._COMPOUNDS,
    ]
    assert [name for name in spelled if not stems.search(name)] == []
    assert all(names.credential_word(name) for name in ("db_pass", "ACCOUNT_KEY", "cred"))


def test_a_file_of_one_long_line_is_searched_around_each_stem_only():
    # A stem's name, key and string are read within MAX_NAME_CHARS: read to the end of the
    # line or of the run of name characters, this took minutes.
    line = "x = '" + "cache-key-" * 40_000 + "'\n"
    assert not PACK_TRIGGERS.search(line)
    assert PACK_TRIGGERS.search(line + "y = {'api-key': v}\n")


def test_prose_is_told_apart_in_linear_time_on_hostile_texts():
    # One comment line of 1.6 MB: a stem over MAX_PROSE_LINE_CHARS past the `#` counts, as if
    # in code, instead of every stem looking back to the line's start.
    comment = "# " + "api_key " * 200_000 + "\n"
    assert PACK_TRIGGERS.search(comment)
    # 100,000 triple-quoted strings, none with single quotes: the docstring spans are found in
    # one pass, not by searching the rest of the file for `'''` after each string.
    docstring = 'def f():\n    """The api_key."""\n' + 's = """a"""\n' * 100_000
    assert not PACK_TRIGGERS.search(docstring)
    counted = _CountingText(docstring)
    strings, docstrings = prefilter._triple_quoted(counted)
    assert (len(strings), len(docstrings)) == (100_001, 1)
    assert counted.scanned < 4 * len(docstring)


class _CountingText(str):
    """A text that counts the characters its searches pass over."""

    scanned = 0

    def find(self, sub, start=0, end=None):  # type: ignore[override]
        end = len(self) if end is None else end
        at = super().find(sub, start, end)
        self.scanned += (end if at < 0 else at) - start
        return at


def test_the_class_of_a_framework_scheme_is_a_source_name():
    # `Depends(scheme)` names only `Depends`; the class the scheme is built from tells.
    assert PACK_TRIGGERS.search("scheme = APIKeyHeader(name='X-Service')\n")
    assert PACK_TRIGGERS.search("basic = HTTPBasic()\n")


def test_a_glob_of_the_packs_matches_whole_names_around_its_stem():
    # `video` before `token` makes the name heuristics pass it over; the minting glob does not.
    assert PACK_TRIGGERS.search("grant = service.generate_video_token(identity)\n")
    found = Triggers(stems=["token"], name_globs=["make_*_token"])
    assert found.search("t = make_video_token()\n")
    assert not found.search("t = make_video_tokens()\n")
    assert not Triggers(stems=["token"]).search("t = make_video_token()\n")


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        ("def f(sessionJwt): ...\n", True),
        ("dbPwd = argv[1]\n", True),
        ("claims = getJWT()\n", True),
        ("path = Path(pattern)\n", False),
        ("PATH = os.defpath\n", False),
        ("spat = 1\n", False),
    ],
)
def test_a_short_stem_counts_at_a_change_of_case(text: str, passes: bool):
    assert PACK_TRIGGERS.search(text) is passes


def test_a_name_with_a_letter_outside_ascii_is_read_whole():
    # The name heuristics split `authéheader` at `é` into `auth header`, a credential.
    assert PACK_TRIGGERS.search("authéheader = read()\n")


def _spellings(word: str) -> set[str]:
    """``api_key`` as code spells it: snake, upper, camel, Pascal and dashed case, with a word
    before and a suffix after."""
    parts = word.split("_")
    styles = {
        "_".join(parts),
        "_".join(parts).upper(),
        parts[0] + "".join(p.title() for p in parts[1:]),
        "".join(p.title() for p in parts),
        "-".join(p.title() for p in parts),
    }
    found = set()
    for style in styles:
        for before, after in (("", ""), ("user", ""), ("db", "2"), ("", "value"), ("x", "raw")):
            found.add("_".join(p for p in (before, style, after) if p))
            found.add(before + (style[:1].upper() + style[1:] if before else style) + after.title())
    return found


def test_every_spelling_of_a_credential_name_passes():
    # Whatever the name heuristics take for a credential, as a variable, a key or a parameter,
    # makes its file worth parsing.
    spelled = [
        *names._CREDENTIAL_WORDS,
        *("_".join(phrase) for phrase in names._PHRASES),
        *names._COMPOUNDS,
    ]
    missed = []
    for name in sorted({s for word in spelled for s in _spellings(word)}):
        if not names.credential_word(name):
            continue
        code_name = name.replace("-", "_")
        for text in (
            f"{code_name} = read()\n",
            f"v = env['{name}']\n",
            f"def f({code_name}): 1\n",
        ):
            if not PACK_TRIGGERS.search(text):
                missed.append(text)
    assert missed == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers only")
def test_many_texts_are_searched_on_worker_processes_with_the_same_verdicts(tmp_path, monkeypatch):
    texts = ["access_token = read()\n", "max_tokens = 5\n", None, "x = 1\n"] * 12
    expected = [True, False, False, False] * 12
    assert files_to_parse(texts, PACK_TRIGGERS) == expected
    monkeypatch.setattr(prefilter, "MIN_TEXTS_FOR_POOL", 16)
    monkeypatch.setattr(prefilter, "POOL_CHUNK_SIZE", 2)
    monkeypatch.setattr(prefilter, "_search_text", workerpids.noting_pid)
    notes = tmp_path / "pids"
    workerpids.start(notes, prefilter_search, wait_for_a_worker=True)
    assert files_to_parse(texts, PACK_TRIGGERS, jobs=2) == expected
    assert len(workerpids.pids(notes)) == len(texts)
    assert len(set(workerpids.pids(notes))) == 2  # this process and a worker
    # Below the threshold, one process.
    notes.unlink()
    workerpids.start(notes, prefilter_search, wait_for_a_worker=False)
    assert files_to_parse(texts[:8], PACK_TRIGGERS, jobs=2) == expected[:8]
    assert set(workerpids.pids(notes)) == {str(os.getpid())}
