"""axe-core (from the npm registry: package.json, package-lock.json, `make install`) run on
the page a browser test is showing.

The script is evaluated through the DevTools protocol (`page.evaluate`), which the page's
Content-Security-Policy does not govern; `page.add_script_tag(content=...)` would add an
inline script, which our CSP (`script-src 'self'`) blocks. Only the violations whose impact
is serious or critical are returned; the message names each rule, its impact, the elements
(CSS selectors) and the rule's help page.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# All of axe's default rules (WCAG 2.0-2.2 A/AA and best practices), violations only.
_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(" "),
      impact: n.impact,
      summary: n.failureSummary || "",
    })),
  }));
}"""


@cache
def axe_source() -> str:
    """The text of axe.min.js; skips the test outside CI when it is not installed, fails
    in CI (as the Chromium check in conftest.py)."""
    if not AXE_JS.exists():
        reason = f"axe-core is not installed ({AXE_JS}): run `make install`"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: the accessibility tests are required in CI.")
        pytest.skip(reason)
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; its violations of the given impacts."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    violations: list[dict[str, Any]] = page.evaluate(_RUN)
    return [v for v in violations if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]], where: str = "") -> str:
    """A readable report: one paragraph per rule, one line per element."""
    lines = [f"{len(violations)} accessibility violation(s){f' on {where}' if where else ''}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> None:
    """Fail with the readable report when axe finds a serious or critical violation."""
    violations = axe_violations(page)
    assert not violations, describe(violations, where or page.url)


def page_problems(
    page: Any,
    base_url: str,
    paths: list[str],
    label: str,
    languages: tuple[str, ...] = ("en", "fr"),
) -> list[str]:
    """Open each path in each language (the language cookie) and report, per page, a width
    past the viewport's (the page scrolls sideways) and axe's serious or critical findings.
    An empty list: every page fits and passes."""
    width = page.viewport_size["width"]
    found: list[str] = []
    for language in languages:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        for path in paths:
            page.goto(f"{base_url}{path}")
            page.wait_for_selector(f"html[lang={language}]")
            where = f"{path} ({language}, {label})"
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                found.append(f"{where} is {scroll}px wide")
            violations = axe_violations(page)
            if violations:
                found.append(describe(violations, where))
    return found
