"""Source files as reports need them: read once per report, never fatal."""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def read_source(path: str) -> str | None:
    """The file's text exactly as decoded (BOM kept), or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # Like Node's utf8 stream reader (which GitHub's fingerprints use): keep a BOM,
    # replace undecodable bytes.
    return data.decode("utf-8", errors="replace")


class SourceFiles:
    """A per-report cache of file texts, read from paths as given (relative to the CWD)."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        """The file's lines (split on LF, CRLF and CR, like Python's tokenizer), or None."""
        if path not in self._lines:
            text = read_source(path)
            if text is None:
                self._lines[path] = None
            else:
                self._lines[path] = _LINE_BREAK.split(text.removeprefix("\ufeff"))
        return self._lines[path]

    def line(self, path: str, number: int) -> str | None:
        """Line ``number`` (1-based) of the file, or None when missing or unreadable."""
        lines = self.lines(path)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]
