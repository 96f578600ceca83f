"""--jobs: the prefilter and the parse on worker processes give the single-process result."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from obolint import parallel, parsing
from obolint.cli import main
from obolint.parallel import OrderedResults, imap_in_order

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


MIN_ITEMS = 50


def _in_order(function, items, jobs) -> list:
    """All results of ``imap_in_order``, the pool ended."""
    results = imap_in_order(function, items, jobs, min_items=MIN_ITEMS, chunk_size=8)
    try:
        return list(results)
    finally:
        results.close()


def test_imap_in_order_keeps_the_order_for_any_number_of_workers():
    items = list(range(MIN_ITEMS * 2 + 7))
    expected = [value * value for value in items]
    assert _in_order(_square, items, 1) == expected
    assert _in_order(_square, items, 2) == expected
    assert _in_order(_square, items, 3) == expected


def _reports_for_jobs(
    directory, monkeypatch, jobs_list=("1", "2"), analysed=parsing.MIN_FILES_FOR_PARSE_POOL + 8
) -> list[dict]:
    """The JSON report (without stats) of a scan of ``directory`` for each number of jobs."""
    monkeypatch.chdir(directory)
    reports = []
    for jobs in jobs_list:
        result = CliRunner().invoke(main, ["check", "--no-cache", "-j", jobs, "-f", "json", "."])
        assert result.exit_code == 1, result.output
        report = json.loads(result.output)
        stats = report.pop("stats")
        assert stats["files_analyzed"] == analysed
        reports.append(report)
    return reports


def test_report_is_identical_for_any_number_of_jobs(tmp_path, monkeypatch):
    # One file in five has a trigger word: enough of them to be parsed on workers.
    for n in range(220):
        body = LEAKY.format(n=n) if n % 5 == 0 else f"def add_{n}(a, b):\n    return a + b\n"
        (tmp_path / f"mod_{n:03}.py").write_text(body)
    assert parsing.MIN_FILES_FOR_PARSE_POOL <= 220 // 5
    reports = _reports_for_jobs(tmp_path, monkeypatch, analysed=44)
    assert reports[0] == reports[1]
    assert len(reports[0]["findings"]) == 44  # mod_000, mod_005, ..., mod_215


def test_jobs_must_be_positive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--jobs", "0", "."])
    assert result.exit_code == 2
    assert "--jobs" in result.output


def _parse_in_daemon(count: int) -> list[int]:
    return _in_order(_square, list(range(count)), 2)


def test_a_daemonic_caller_works_in_process():
    # A multiprocessing.Pool worker may not start processes of its own.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply(_parse_in_daemon, (MIN_ITEMS + 1,))
    assert result == [value * value for value in range(MIN_ITEMS + 1)]


def _project_to_parse(tmp_path):
    # Every file has a trigger word: all of them are parsed, enough for the parse pool.
    for n in range(parsing.MIN_FILES_FOR_PARSE_POOL + 8):
        (tmp_path / f"mod_{n:03}.py").write_text(LEAKY.format(n=n))
    (tmp_path / "mod_syntax.py").write_text("token = (\n")  # a parse error comes back too


def test_parse_on_workers_gives_the_single_process_report(tmp_path, monkeypatch):
    _project_to_parse(tmp_path)
    reports = _reports_for_jobs(tmp_path, monkeypatch, ("1", "2", "3"))
    assert reports[0] == reports[1] == reports[2]
    assert len(reports[0]["findings"]) == parsing.MIN_FILES_FOR_PARSE_POOL + 8
    assert [e["path"] for e in reports[0]["errors"]] == ["mod_syntax.py"]


_parse_for_parent = parsing._parse_for_parent


def _refuse_to_pickle_some(item: tuple[str, str, str]) -> bytes | None:
    # As a worker does for a tree too deep to pickle: the parent parses these files itself.
    with open(os.environ["OBOLINT_TEST_WORKER_LOG"], "a") as log:
        log.write(f"{os.getpid()}\n")
    return None if item[0].endswith(("7.py", "syntax.py")) else _parse_for_parent(item)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers see the patch")
def test_files_a_worker_cannot_send_back_are_parsed_here(tmp_path, monkeypatch):
    _project_to_parse(tmp_path)
    expected = _reports_for_jobs(tmp_path, monkeypatch, ("1",))[0]
    monkeypatch.setattr(parsing, "_parse_for_parent", _refuse_to_pickle_some)
    log = tmp_path.parent / f"{tmp_path.name}-workers.log"
    monkeypatch.setenv("OBOLINT_TEST_WORKER_LOG", str(log))
    assert _reports_for_jobs(tmp_path, monkeypatch, ("2",))[0] == expected
    workers = set(log.read_text().split())
    assert workers and str(os.getpid()) not in workers  # parsed on worker processes


def _square_or_die(value: int) -> int:
    if value == 5 and multiprocessing.current_process().name != "MainProcess":
        os._exit(3)  # a crash in native code ends a worker the same way
    return value * value


def test_a_dead_worker_leaves_the_rest_to_this_process():
    items = list(range(40))
    results = list(imap_in_order(_square_or_die, items, 2, min_items=1, chunk_size=2))
    assert results == [value * value for value in items]


def _slow_square(value: int) -> int:
    import time

    time.sleep(0.05)
    return value * value


def test_a_worker_dying_while_this_process_takes_chunks_leaves_the_rest_here(monkeypatch):
    # Two workers; this process takes chunks from the end (slowly) while one worker dies on
    # item 5. The results are all there, the pool's threads raise nothing, and the surviving
    # worker ends too (on Python 3.11, cancelled futures made the pool's manager thread die
    # on a worker's death and leave the other worker running).
    import threading

    thread_errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: thread_errors.append(args.exc_value))
    items = list(range(40))
    results = imap_in_order(_square_or_die, items, 3, min_items=1, chunk_size=2, here=_slow_square)
    workers = list(results._pool._processes)
    assert len(workers) == 2
    try:
        assert list(results) == [value * value for value in items]
    finally:
        results.close()
    assert not thread_errors
    assert not any(_alive(pid) for pid in workers)


def test_files_too_deep_for_a_worker_are_reported_as_in_one_process(tmp_path, monkeypatch):
    # Deep trees stress the worker's pickling; nesting beyond the parsers' limits must give
    # the same diagnostics as a single-process scan (same recursion limit while parsing).
    _project_to_parse(tmp_path)
    (tmp_path / "deep_attribute.py").write_text("token = a" + ".b" * 8000 + "\n")
    (tmp_path / "deep_sum.py").write_text("token = " + " + ".join(["t"] * 3000) + "\n")
    reports = _reports_for_jobs(tmp_path, monkeypatch)
    assert reports[0] == reports[1]
    assert {e["path"] for e in reports[0]["errors"]} >= {"deep_attribute.py", "deep_sum.py"}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() only")
def test_a_forked_child_gets_a_free_lock_even_if_a_thread_held_it():
    import threading

    from obolint.forksafe import ForkSafeLock

    lock = ForkSafeLock()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    pid = os.fork()
    if pid == 0:  # the child: the holder thread does not exist here
        os._exit(0 if lock._lock.acquire(timeout=5) else 1)
    release.set()
    holder.join()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _sleep_then_square(value: int) -> int:
    import time

    time.sleep(0.2)
    return value * value


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_closing_before_the_first_result_ends_the_workers():
    results = imap_in_order(_sleep_then_square, list(range(40)), 2, min_items=1, chunk_size=1)
    workers = list(results._pool._processes)
    assert workers
    results.close()
    assert not any(_alive(pid) for pid in workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    import signal
    import subprocess
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from obolint.parallel import imap_in_order\n"
        "from test_parallel import _sleep_then_square\n"
        "results = imap_in_order(_sleep_then_square, list(range(200)), 2, min_items=1, "
        "chunk_size=1)\n"
        "next(results)\n"
        "print(' '.join(map(str, results._pool._processes)), flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert workers
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def test_nothing_is_computed_after_close():
    results = imap_in_order(_square, list(range(10)), 1, min_items=1, chunk_size=1)
    assert next(results) == 0
    results.close()
    with pytest.raises(StopIteration):
        next(results)


def _pid_after_a_nap(value: int) -> int:
    import time

    time.sleep(0.02)
    return os.getpid()


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no forkserver"
)
def test_workers_started_by_a_forkserver_do_the_work(monkeypatch):
    # Their parent is the fork server, not this process: they must not take that for death.
    from obolint import parallel

    def long_nap_here(value: int) -> int:
        import time

        time.sleep(0.2)  # a chunk here takes longer than a fork server takes to start
        return os.getpid()

    monkeypatch.setattr(parallel, "_START_METHOD", "forkserver")
    items = list(range(MIN_ITEMS))
    results = imap_in_order(
        _pid_after_a_nap, items, 2, min_items=1, chunk_size=8, here=long_nap_here
    )
    try:
        pids = list(results)
    finally:
        results.close()
    assert set(pids) - {os.getpid()}


def _nap_then_tag(value: int) -> tuple[int, str]:
    import time

    time.sleep(0.02)
    return value, "worker"


def _nap_here_then_tag(value: int) -> tuple[int, str]:
    import time

    time.sleep(0.02)
    return value, "here"


def test_this_process_takes_the_last_chunks_while_the_worker_is_busy():
    # Two jobs: one worker, and this process, which computes with `here` the chunks at the
    # end that the worker has not started, instead of waiting for them.
    items = list(range(64))
    computed, results = _tagged_results(items, take_next=False)
    here = [value for value, where in computed if where == "here"]
    assert here == items[-len(here) :]
    assert results.chunks_taken_here == len(here) // 4


def _tagged_results(items: list[int], take_next: bool) -> tuple[list, OrderedResults]:
    """Each item tagged with where it was computed: one worker, or this process."""
    results = imap_in_order(
        _nap_then_tag,
        items,
        2,
        min_items=1,
        chunk_size=4,
        here=_nap_here_then_tag,
        take_next=take_next,
    )
    try:
        assert len(results._pool._processes) == 1
        computed = list(results)
    finally:
        results.close()
    assert [value for value, _ in computed] == items
    here = [value for value, where in computed if where == "here"]
    assert 0 < len(here) < len(items)
    return computed, results


def test_with_take_next_this_process_takes_the_next_chunks():
    # For a caller that works on each result as it comes (the analysis in batches): this
    # process helps with the chunks right after the one it waits for, so results come in
    # order sooner, and it is not left with the last ones once the worker is done.
    items = list(range(64))
    computed, _ = _tagged_results(items, take_next=True)
    here = [value for value, where in computed if where == "here"]
    # Both work from the front: neither takes the last chunks in one run from the end.
    assert min(here) < len(items) // 4
    worker = [value for value, where in computed if where == "worker"]
    assert max(worker) >= len(items) * 3 // 4


@pytest.mark.parametrize("first_to_end", [0, 1])
def test_the_lock_is_handed_over_often_while_workers_run_and_as_before_after(first_to_end):
    # The pool's threads read the workers' results between the main thread's work; the
    # interval is shortened while any pool runs and restored when the last one ends, whatever
    # the order in which they end.
    before = sys.getswitchinterval()
    items = list(range(MIN_ITEMS))
    pools = [imap_in_order(_square, items, 2, min_items=1, chunk_size=8)]
    try:
        assert sys.getswitchinterval() == min(before, parallel.POOL_SWITCH_INTERVAL) < before
        pools.append(imap_in_order(_square, items, 2, min_items=1, chunk_size=8))
        assert next(pools[0]) == 0
        pools[first_to_end].close()
        assert sys.getswitchinterval() < before  # the other still runs
        assert list(pools[1 - first_to_end])[-1] == items[-1] ** 2  # exhausted: closed
        assert sys.getswitchinterval() == before
        in_process = imap_in_order(_square, items, 1, min_items=1, chunk_size=8)
        assert sys.getswitchinterval() == before
        in_process.close()
        assert sys.getswitchinterval() == before
    finally:
        for pool in pools:
            pool.close()
    assert sys.getswitchinterval() == before


def test_a_pool_that_cannot_start_leaves_the_interval_alone(monkeypatch):
    def cannot_start(*args, **kwargs):
        raise OSError("no processes left")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", cannot_start)
    before = sys.getswitchinterval()
    results = imap_in_order(_square, list(range(MIN_ITEMS)), 2, min_items=1, chunk_size=8)
    assert sys.getswitchinterval() == before
    assert list(results) == [value * value for value in range(MIN_ITEMS)]  # computed here
    assert sys.getswitchinterval() == before


def _switch_interval(_item: int) -> float:
    import time

    time.sleep(0.05)  # long enough for the worker to take some items
    return sys.getswitchinterval()


def test_a_forked_worker_keeps_the_usual_interval():
    # Its workers forked while another pool runs (and the interval is short here), a pool's
    # workers still use the interval this process had before any pool.
    before = sys.getswitchinterval()
    running = imap_in_order(_square, list(range(MIN_ITEMS)), 2, min_items=1, chunk_size=8)
    results = imap_in_order(_switch_interval, list(range(16)), 2, min_items=1, chunk_size=1)
    try:
        seen = set(results)
    finally:
        results.close()
        running.close()
    # This process computes some items itself while it waits: those see the short interval.
    assert before in seen
    assert seen <= {before, min(before, parallel.POOL_SWITCH_INTERVAL)}
