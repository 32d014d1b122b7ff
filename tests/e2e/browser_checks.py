"""Helpers for the browser tests of issue 9 (accessibility, journeys, page weight, phones):
axe-core runs, target sizes, and a ready-made organisation with a learner and a quiz.

Imported by the test modules as ``browser_checks`` (a plain module beside conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.models import Organisation, User
from core.testing import LiveServer

PASSWORD = "browser-test-password"
# (test_accessibility.py, test_journeys.py, test_page_weight.py, test_phone_width.py)

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.2 AA as far as axe can tell (axe tags its rules per WCAG version and level).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(
    page: Any, tags: tuple[str, ...] = AXE_TAGS, rules: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Run the vendored axe-core on the page as it is now and return its violations.

    The page's context must bypass the Content-Security-Policy (``bypass_csp=True``, as the
    contexts of ``new_context`` do): the script is injected inline and the policy forbids that.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    run_only = (
        {"type": "rule", "values": list(rules)} if rules else {"type": "tag", "values": list(tags)}
    )
    result = page.evaluate(
        """async (runOnly) => {
            const r = await axe.run(document, {runOnly, resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                                          impact: n.impact})),
            }));
        }""",
        run_only,
    )
    return list(result)


def describe_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found {len(violations)} blocking violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> None:
    """Fail with every violation of impact serious or critical (rule id, target, help)."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, describe_violations(where or page.url, blocking)


# Interactive elements and their on-screen size. A checkbox or radio counts with its label (the
# label is part of its target); links inside a sentence are left out, as WCAG 2.5.8 allows
# ("inline" exception), like hidden and off-screen elements (the skip link before it has focus).
TARGET_SIZES_JS = """() => {
  const out = [];
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(sel)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.closest('[hidden]')) continue;
    let r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right < 0 || r.bottom < 0 || r.left > document.documentElement.scrollWidth) continue;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels.length) {
      let left = r.left, top = r.top, right = r.right, bottom = r.bottom;
      for (const label of el.labels) {
        const l = label.getBoundingClientRect();
        left = Math.min(left, l.left); top = Math.min(top, l.top);
        right = Math.max(right, l.right); bottom = Math.max(bottom, l.bottom);
      }
      r = {width: right - left, height: bottom - top};
    }
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.parentElement.closest('p, li, td, dd, label, legend, span, div');
      const text = block ? block.textContent.replace(/\\s+/g, ' ').trim() : '';
      const own = el.textContent.replace(/\\s+/g, ' ').trim();
      if (text.length > own.length) continue;  // a link inside a sentence
    }
    const name = (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '').replace(/\\s+/g, ' ').trim();
    out.push({tag: el.tagName.toLowerCase(), name: name.slice(0, 40), id: el.id,
              width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10});
  }
  return out;
}"""


def small_targets(page: Any, minimum: float) -> list[dict[str, Any]]:
    """Interactive elements smaller than ``minimum`` CSS pixels in width or height."""
    return [
        t
        for t in page.evaluate(TARGET_SIZES_JS)
        if t["width"] + 0.5 < minimum or t["height"] + 0.5 < minimum
    ]


@dataclass(frozen=True)
class LearnerQuiz:
    """An organisation with the quiz plugin on, a course, a learner and a three-question quiz
    (single choice, numerical, true/false), one question per page."""

    org: Organisation
    learner: User
    trainer: User
    admin: User
    course_id: int
    quiz_id: int
    password: str = PASSWORD


def make_learner_quiz(
    live_server: LiveServer, name: str, language: str | None = None
) -> LearnerQuiz:
    from plugins.quiz.tests.builders import make_quiz

    kit = live_server.kit
    org = kit.org(name=name)
    for plugin in ("quiz", "attendance", "certification", "equipment"):
        kit.enable(org, plugin)
    learner = kit.user(org, "learner", password=PASSWORD, display_name="Samira Benali")
    trainer = kit.user(org, "trainer", password=PASSWORD, display_name="Thomas Formateur")
    admin = kit.user(org, "admin", password=PASSWORD, display_name="Alice Administratrice")
    course = kit.course(org, title="Clic'Emploi", sections=4)
    kit.enrol(course, learner)
    kit.enrol(course, trainer, "trainer")
    if language:
        set_language(live_server, learner, language)
    quiz_id = make_quiz(kit, org, course, questions_per_page=1)
    return LearnerQuiz(org, learner, trainer, admin, course.id, quiz_id)


def set_language(live_server: LiveServer, user: User, language: str) -> None:
    with live_server.kit.db() as db:
        db.get(User, user.id).language = language  # type: ignore[union-attr]


def start_attempt(page: Any, setup: LearnerQuiz) -> None:
    """From the quiz's page, start an attempt (lands on its first question)."""
    page.goto(f"/o/{setup.org.slug}/quiz/{setup.quiz_id}")
    with page.expect_navigation():
        page.click("form[action$='/start'] button")
