"""Every fixture is scanned; its findings must equal its `# expect:` annotations exactly."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from obolint.packs import load_packs
from obolint.runner import scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9][A-Z0-9_,\s-]*)")


CONFIGURED = FIXTURES / "configured"


def fixture_files() -> list[Path]:
    """Every Python file under fixtures/ scanned with the built-in packs."""
    return sorted(p for p in FIXTURES.rglob("*.py") if p.is_file() and CONFIGURED not in p.parents)


def configured_projects() -> list[Path]:
    """Fixture projects with their own pyproject.toml (user packs, settings)."""
    return sorted(p.parent for p in CONFIGURED.glob("*/pyproject.toml"))


def expected_findings(path: Path) -> Counter:
    """(line, rule) pairs annotated in a fixture with `# expect: RULE[, RULE]`."""
    expected: Counter = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for rule in match.group(1).replace(",", " ").split():
                expected[(number, rule)] += 1
    return expected


@pytest.fixture(scope="session")
def fixture_scan(tmp_path_factory):
    """One scan of the whole fixtures tree, as a user would run it."""
    packs = load_packs()
    files = fixture_files()
    result = scan(files, packs, [r.id for r in packs.rules], root=FIXTURES)
    by_file: dict[Path, Counter] = {}
    for finding in result.findings:
        path = Path(finding.location.path).resolve()
        by_file.setdefault(path, Counter())[(finding.location.line, finding.rule)] += 1
    return result, by_file


@pytest.mark.parametrize("rule", [r.id for r in load_packs().rules])
def test_every_rule_has_positive_and_negative_fixtures(rule: str):
    """A positive fixture expects the rule; its directory holds negative fixtures too."""
    directory = FIXTURES / rule.lower()
    positives = [
        p
        for p in fixture_files()
        if p.name.startswith("pos_") and any(r == rule for _, r in expected_findings(p))
    ]
    negatives = sorted(directory.glob("neg_*.py"))
    assert positives, f"no pos_ fixture expects {rule}"
    assert negatives, f"no neg_ fixture in fixtures/{directory.name}/"


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path, fixture_scan):
    result, by_file = fixture_scan
    errors = [e for e in result.errors if Path(e.path).resolve() == path]
    assert not errors, errors
    expected = expected_findings(path)
    actual = by_file.get(path, Counter())
    missing = sorted((expected - actual).elements())
    extra = sorted((actual - expected).elements())
    details = [
        f"{f.location.line}:{f.location.column} {f.rule} {f.message}"
        for f in result.findings
        if Path(f.location.path).resolve() == path
    ]
    assert not missing and not extra, (
        f"missing (line, rule): {missing}; unexpected: {extra}\nfindings:\n" + "\n".join(details)
    )
    if path.name.startswith("neg_"):
        assert not expected, "a neg_ fixture must not expect findings"
    if path.name.startswith("pos_"):
        assert expected, "a pos_ fixture must expect at least one finding"


@pytest.mark.parametrize("project", configured_projects(), ids=lambda p: p.name)
def test_configured_project(project: Path, monkeypatch):
    """A project scanned through the CLI with its own configuration (e.g. a user pack)."""
    from click.testing import CliRunner

    from obolint.cli import main

    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "."])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.output)
    assert not doc["errors"], doc["errors"]
    actual: Counter = Counter()
    for finding in doc["findings"]:
        actual[(finding["path"], finding["line"], finding["rule"])] += 1
    expected: Counter = Counter()
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project).as_posix()
        for (line, rule), count in expected_findings(path).items():
            expected[(rel, line, rule)] += count
    assert actual == expected
