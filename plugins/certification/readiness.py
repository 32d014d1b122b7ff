"""Readiness verdicts: pure functions from a learner's estimates to "ready / nearly / not yet",
with the reasons in plain words and the next things to work on.

One target per rule of a framework file:

- ``count_at_level`` (Pix/CRCN): eligible with at least ``count`` competences at ``level`` or more
  (Pix: 5 competences at level 1).
- ``share_per_domain`` (B2i Adultes): at least ``share`` of the competences of *each* domain
  validated (B2i: 70 %, so 3 of 4, or 2 of 2).
- ``per_module`` (PCIE): one target per module; a module is ready when every CRCN competence it
  rests on is at the level needed and, if the learner answered practice questions tagged with
  the module, their recency-weighted share of right answers reaches the pass mark (75 %).

A competence is **validated** when its own estimate reaches the level, or when every competence
it rests on (``rests_on``) reaches its level; **nearly** when it is within the "nearly" margin
(a setting, half a level by default) of that. A target is **nearly** ready when counting the
nearly-validated competences would make it ready.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.i18n import gettext as _
from plugins.certification.catalogue import Catalogue, Competence, Framework, Requirement
from plugins.certification.estimation import Estimate, estimate

READY, NEARLY, NOT_YET = "ready", "nearly", "not_yet"
VALIDATED, MISSING = "validated", "missing"
NO_EVIDENCE = estimate([], 8)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Practice:
    """Answers to questions tagged with a module itself: recency-weighted share right."""

    share: float
    answers: int


@dataclass(frozen=True)
class NextStep:
    key: str
    title: str
    why: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Verdict:
    target: str  # "crcn", "b2i", "pcie:CE"
    title: str
    status: str  # READY, NEARLY, NOT_YET
    reasons: tuple[str, ...]
    next_steps: tuple[NextStep, ...] = ()


@dataclass
class Profile:
    """What readiness needs about one learner."""

    estimates: Mapping[str, Estimate]
    practice: Mapping[str, Practice] = field(default_factory=dict)
    links: Mapping[str, tuple[Link, ...]] = field(default_factory=dict)
    margin: float = 0.5

    def of(self, key: str) -> Estimate:
        return self.estimates.get(key, NO_EVIDENCE)


def status_label(status: str) -> str:
    return {READY: _("Ready"), NEARLY: _("Nearly"), NOT_YET: _("Not yet")}.get(status, status)


def competence_status(
    catalogue: Catalogue, profile: Profile, comp: Competence, level: int = 1
) -> str:
    """VALIDATED, NEARLY or MISSING for ``comp`` at ``level`` (own evidence, or its bases)."""
    own = profile.of(comp.key)
    if own.reaches(level):
        return VALIDATED
    statuses = [requirement_status(catalogue, profile, r.key, r.level) for r in comp.rests_on]
    if statuses and all(s == VALIDATED for s in statuses):
        return VALIDATED
    if own.nearly(level, profile.margin) or (statuses and all(s != MISSING for s in statuses)):
        return NEARLY
    return MISSING


def requirement_status(catalogue: Catalogue, profile: Profile, key: str, level: int) -> str:
    est = profile.of(key)
    if est.reaches(level):
        return VALIDATED
    return NEARLY if est.nearly(level, profile.margin) else MISSING


def _quoted(titles: list[str]) -> str:
    # Quotation marks differ by language: “…” in English, « … » in French.
    return ", ".join(_("“%(title)s”", title=t) for t in titles)


def _step(profile: Profile, key: str, title: str, why: str) -> NextStep:
    return NextStep(key, title, why, tuple(profile.links.get(key, ())))


def verdicts(catalogue: Catalogue, profile: Profile) -> list[Verdict]:
    """Every target of every framework, in the catalogue's order."""
    out: list[Verdict] = []
    for fw in catalogue.frameworks.values():
        if fw.rule.type == "count_at_level":
            out.append(count_at_level(catalogue, fw, profile))
        elif fw.rule.type == "share_per_domain":
            out.append(share_per_domain(catalogue, fw, profile))
        else:
            out.extend(per_module(catalogue, fw, comp, profile) for comp in fw.competences)
    return out


def count_at_level(catalogue: Catalogue, fw: Framework, profile: Profile) -> Verdict:
    level, needed = fw.rule.level, fw.rule.count
    done: list[Competence] = []
    nearly: list[Competence] = []
    missing: list[Competence] = []
    for comp in fw.competences:
        status = competence_status(catalogue, profile, comp, level)
        {VALIDATED: done, NEARLY: nearly, MISSING: missing}[status].append(comp)
    if len(done) >= needed:
        status = READY
    elif len(done) + len(nearly) >= needed:
        status = NEARLY
    else:
        status = NOT_YET
    counted = _(
        "%(done)s competences at level %(level)s or more (%(needed)s needed)",
        done=len(done),
        needed=needed,
        level=level,
    )
    if done:
        counted = _("%(count)s: %(list)s", count=counted, list=_quoted([c.title for c in done]))
    reasons = [counted]
    if nearly:
        reasons.append(_("Nearly there: %(list)s", list=_quoted([c.title for c in nearly])))
    steps: list[NextStep] = []
    if status != READY:
        short = needed - len(done)
        # Nearly-validated first, then those with something to follow (a quiz or a workshop).
        candidates = nearly + sorted(missing, key=lambda c: (not profile.links.get(c.key), c.code))
        for comp in candidates[:short]:
            why = (
                _("Nearly at level %(level)s", level=level)
                if comp in nearly
                else _("Not shown at level %(level)s yet", level=level)
            )
            steps.append(_step(profile, comp.key, comp.title, why))
    title = _("%(framework)s certification", framework=fw.title)
    return Verdict(fw.id, title, status, tuple(reasons), tuple(steps))


def share_per_domain(catalogue: Catalogue, fw: Framework, profile: Profile) -> Verdict:
    reasons: list[str] = []
    steps: list[NextStep] = []
    domain_status: list[str] = []
    for domain in fw.domains:
        total = len(domain.competences)
        needed = math.ceil(fw.rule.share * total - 1e-9)
        done: list[Competence] = []
        nearly: list[Competence] = []
        missing: list[Competence] = []
        for comp in domain.competences:
            status = competence_status(catalogue, profile, comp, 1)
            {VALIDATED: done, NEARLY: nearly, MISSING: missing}[status].append(comp)
        reason = _(
            "%(done)s of %(total)s competences of %(domain)s validated",
            done=len(done),
            total=total,
            domain=domain.code,
        )
        not_done = nearly + missing
        if not_done:
            reason += "; " + _("missing: %(list)s", list=_quoted([c.title for c in not_done]))
        if len(done) < needed:
            reason += " " + _("(%(needed)s needed)", needed=needed)
        reasons.append(reason)
        if len(done) >= needed:
            domain_status.append(READY)
        elif len(done) + len(nearly) >= needed:
            domain_status.append(NEARLY)
        else:
            domain_status.append(NOT_YET)
        if len(done) < needed:
            for comp in not_done[: needed - len(done)]:
                why = _("Needed for %(domain)s", domain=f"{domain.code} {domain.title}")
                steps.append(_step(profile, comp.key, comp.title, why))
    if all(s == READY for s in domain_status):
        status = READY
    elif all(s != NOT_YET for s in domain_status):
        status = NEARLY
    else:
        status = NOT_YET
    return Verdict(fw.id, fw.title, status, tuple(reasons), tuple(steps))


def per_module(
    catalogue: Catalogue, fw: Framework, module: Competence, profile: Profile
) -> Verdict:
    rule = fw.rule
    reasons: list[str] = []
    steps: list[NextStep] = []
    done: list[Requirement] = []
    nearly: list[Requirement] = []
    missing: list[Requirement] = []
    for req in module.rests_on:
        status = requirement_status(catalogue, profile, req.key, req.level)
        {VALIDATED: done, NEARLY: nearly, MISSING: missing}[status].append(req)
    if module.rests_on:
        reason = _(
            "%(done)s of %(total)s competences it rests on at the level needed",
            done=len(done),
            total=len(module.rests_on),
        )
        if nearly or missing:
            reason += "; " + _(
                "missing: %(list)s",
                list=", ".join(
                    _(
                        "“%(title)s” (level %(level)s)",
                        title=catalogue.title_of(r.key),
                        level=r.level,
                    )
                    for r in nearly + missing
                ),
            )
        reasons.append(reason)
        for req in nearly + missing:
            why = _("Level %(level)s needed for %(module)s", level=req.level, module=module.code)
            steps.append(_step(profile, req.key, catalogue.title_of(req.key), why))
        base = READY if not (nearly or missing) else NEARLY if not missing else NOT_YET
    else:
        own = profile.of(module.key)
        base = READY if own.reaches(1) else NEARLY if own.nearly(1, profile.margin) else NOT_YET
    practice = profile.practice.get(module.key)
    if practice is not None and practice.answers:
        reasons.append(
            _(
                "Practice questions: %(share)s %% right over %(n)s answers; the test asks for "
                "%(mark)s %% (%(questions)s questions in %(minutes)s minutes)",
                share=round(practice.share * 100),
                n=practice.answers,
                mark=round(rule.pass_mark * 100),
                questions=rule.questions,
                minutes=rule.minutes,
            )
        )
        if practice.share < rule.pass_mark:
            base = NEARLY if base == READY else base
            steps.append(
                _step(profile, module.key, module.title, _("Practise the module's questions"))
            )
    elif not module.rests_on:
        reasons.append(_("No evidence on this module yet"))
        steps.append(_step(profile, module.key, module.title, _("Practise the module's questions")))
    title = f"{fw.title} {module.code}: {module.title}"
    return Verdict(f"{fw.id}:{module.code}", title, base, tuple(reasons), tuple(steps))
