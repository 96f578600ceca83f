"""``--statistics``: the number of findings per rule, like ``ruff --statistics``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from obolint.findings import Finding
from obolint.rulemeta import RuleMeta


def render_statistics(findings: Sequence[Finding], rules: Sequence[RuleMeta]) -> str:
    """One line per rule that fired: count, code, name, severity; most frequent first."""
    counts = Counter(f.rule for f in findings)
    by_id = {r.id: r for r in rules}
    lines = []
    for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        meta = by_id.get(rule_id)
        name = meta.name if meta else ""
        severity = meta.severity if meta else ""
        lines.append(f"{count:>5}  {rule_id}  {name}  [{severity}]")
    lines.append(f"{sum(counts.values()):>5}  total")
    return "\n".join(lines) + "\n"
