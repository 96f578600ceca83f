"""Rule metadata and documentation pages (loaded from ``rules/rules.toml``)."""

from __future__ import annotations

from dataclasses import dataclass

# The message of a rule whose entry has no ``message`` template: a source reaching a sink.
FLOW_MESSAGE = "{kind} from line {source_line} ({source_note}) reaches {sink}. {fix}"
# The fields a message template may use, each with a value of the type a finding fills in (a
# template is checked with them when a pack loads): kind is "Credential" or "Inbound bearer
# token", sink the sink's note, tool the tool's name (tool rules).
MESSAGE_EXAMPLE: dict[str, object] = {
    "kind": "Credential",
    "source_line": 1,
    "source_note": "the source",
    "sink": "the sink",
    "tool": "the tool",
    "fix": "The fix.",
}
MESSAGE_FIELDS = tuple(MESSAGE_EXAMPLE)


@dataclass(frozen=True)
class RuleMeta:
    """One rule of the catalog: identity, severity, mappings and its documentation page."""

    id: str  # "OBO101"
    name: str  # "credential-in-prompt"
    severity: str  # "error" | "warning"
    cwe: int
    summary: str  # one line, for `obolint rules` and SARIF shortDescription
    what: str  # "What it does" section (markdown)
    why: str  # "Why is this bad?" section (markdown)
    example: str  # Python code, no fences
    use_instead: str  # Python code, no fences
    references: tuple[str, ...]  # markdown list items: "[title](url)" or plain text
    owasp: tuple[str, ...]  # e.g. ("ASI03", "LLM02", "NHI2")
    requires: frozenset[str]  # taint labels a flow must carry to break the rule
    fix: str  # one sentence appended to finding messages: how to fix it
    security_severity: str  # SARIF "security-severity", e.g. "8.1"
    precision: str  # SARIF precision: very-high | high | medium | low
    message: str = FLOW_MESSAGE  # a template of MESSAGE_FIELDS

    def page_markdown(self) -> str:
        """The rule's page as Markdown (used by `obolint explain` and SARIF help.markdown)."""
        refs = "\n".join(f"- {ref}" for ref in self.references)
        return (
            f"# {self.id} {self.name}\n\n"
            f"Severity: {self.severity} · CWE-{self.cwe}"
            + (f" · OWASP {', '.join(self.owasp)}" if self.owasp else "")
            + "\n\n"
            f"## What it does\n\n{self.what.strip()}\n\n"
            f"## Why is this bad?\n\n{self.why.strip()}\n\n"
            f"## Example\n\n```python\n{self.example.strip()}\n```\n\n"
            f"## Use instead\n\n```python\n{self.use_instead.strip()}\n```\n\n"
            f"## References\n\n{refs}\n"
        )

    def page_text(self) -> str:
        """The rule's page as plain text (SARIF help.text)."""
        return self.page_markdown().replace("```python\n", "").replace("```\n", "")


class SelectionError(ValueError):
    """A --select/--ignore selector names no rule."""


def select_rules(
    rules: tuple[RuleMeta, ...] | list[RuleMeta],
    select: tuple[str, ...] | list[str] = (),
    ignore: tuple[str, ...] | list[str] = (),
) -> list[str]:
    """Rule ids enabled by ``select`` (all when empty) minus ``ignore``."""

    def matching(selector: str, option: str) -> set[str]:
        token = selector.strip()
        found = {
            r.id
            for r in rules
            if r.id.upper().startswith(token.upper()) or r.name == token.lower() or token == "ALL"
        }
        if not found:
            known = ", ".join(f"{r.id} ({r.name})" for r in rules)
            raise SelectionError(
                f"{option} '{selector}' matches no rule. Use a code (OBO401), a prefix (OBO4) "
                f"or a name (bearer-forwarding); rules: {known}."
            )
        return found

    enabled = {r.id for r in rules} if not select else set()
    for selector in select:
        enabled |= matching(selector, "--select")
    for selector in ignore:
        enabled -= matching(selector, "--ignore")
    return sorted(enabled)
