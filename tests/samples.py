"""Source snippets several test modules scan (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import textwrap

# A Flask route forwarding the inbound bearer token: OBO401 at line 9 of whatever file holds it.
FORWARDED_BEARER = textwrap.dedent(
    """\
    import requests
    from flask import Flask, request

    app = Flask(__name__)

    @app.get("/repos")
    def repos():
        token = request.headers["Authorization"]
        return requests.get("https://api.example.com", headers={"Authorization": token}).json()
    """
)
# No credential anywhere.
CLEAN = "def add(a, b):\n    return a + b\n"
# An environment secret printed: OBO501 at line 2.
PRINTED_ENV_TOKEN = "import os\nprint(os.environ['GH_TOKEN'])\n"
# A helper module (helper.py) that prints its argument, and a module that passes it a secret.
SHOUT_HELPER = "def shout(x):\n    print(x)\n"
SHOUT_CALLER = "import os\nfrom helper import shout\nshout(os.environ['GH_TOKEN'])\n"
# An environment secret written to the log: OBO501 at line 6.
LOGGED_ENV_TOKEN = textwrap.dedent(
    """\
    import logging
    import os

    def run():
        token = os.environ["API_TOKEN"]
        logging.info("using %s", token)
    """
)
