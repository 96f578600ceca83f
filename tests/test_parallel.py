"""--jobs: the prefilter on worker processes gives exactly the single-process result."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from obolint.cli import main
from obolint.parallel import MIN_ITEMS_FOR_POOL, map_in_order

LEAKY = textwrap.dedent(
    """\
    import logging
    import os

    def run_{n}():
        token = os.environ["API_TOKEN_{n}"]
        logging.info("using %s", token)
    """
)


def _square(value: int) -> int:
    return value * value


def test_map_in_order_keeps_the_order_for_any_number_of_workers():
    items = list(range(MIN_ITEMS_FOR_POOL * 2 + 7))
    expected = [value * value for value in items]
    assert map_in_order(_square, items, 1) == expected
    assert map_in_order(_square, items, 2) == expected
    assert map_in_order(_square, items, 3) == expected


def test_report_is_identical_for_any_number_of_jobs(tmp_path, monkeypatch):
    for n in range(MIN_ITEMS_FOR_POOL + 20):
        body = LEAKY.format(n=n) if n % 25 == 0 else f"def add_{n}(a, b):\n    return a + b\n"
        (tmp_path / f"mod_{n:03}.py").write_text(body)
    monkeypatch.chdir(tmp_path)
    reports = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["check", "--no-cache", "-j", jobs, "-f", "json", "."])
        assert result.exit_code == 1, result.output
        report = json.loads(result.output)
        report.pop("stats")
        reports.append(report)
    assert reports[0] == reports[1]
    assert len(reports[0]["findings"]) == 9  # mod_000, mod_025, ..., mod_200


def test_jobs_must_be_positive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--jobs", "0", "."])
    assert result.exit_code == 2
    assert "--jobs" in result.output


def _prefilter_in_daemon(count: int) -> list[int]:
    return map_in_order(_square, list(range(count)), 2)


def test_a_daemonic_caller_works_in_process():
    # A multiprocessing.Pool worker may not start processes of its own.
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply(_prefilter_in_daemon, (MIN_ITEMS_FOR_POOL + 1,))
    assert result == [value * value for value in range(MIN_ITEMS_FOR_POOL + 1)]
