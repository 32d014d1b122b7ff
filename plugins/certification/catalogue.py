"""Competence frameworks as loaded: frameworks, domains, competences, rules, and the catalogue an
organisation works with (lookups and tag resolution). Reading and validating the YAML files is
``framework_files.py``'s job."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.i18n import gettext as _

RULE_TYPES = ("count_at_level", "share_per_domain", "per_module")
# "crcn:1.1", "crcn:1.1@3": framework id, code, optional item difficulty.
TAG_PATTERN = re.compile(r"^(?P<fw>[a-z][a-z0-9_]*):(?P<code>[^@\s]+)(?:@(?P<level>[^@\s]*))?$")


class FrameworkError(ValueError):
    """A framework file that cannot be used: which file, which line, and why."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = _("%(file)s, line %(line)s", file=source, line=line) if line else source
        super().__init__(f"{where}: {reason}")


# --- the loaded shapes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """``key`` (``crcn:5.2``) needed at ``level`` or more."""

    key: str
    level: int


@dataclass(frozen=True)
class Competence:
    framework: str
    code: str
    title: str
    domain: str
    rests_on: tuple[Requirement, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.framework}:{self.code}"


@dataclass(frozen=True)
class Domain:
    framework: str
    code: str
    title: str
    competences: tuple[Competence, ...]

    @property
    def key(self) -> str:
        return f"{self.framework}:{self.code}"


@dataclass(frozen=True)
class Rule:
    type: str
    count: int = 0
    level: int = 1
    share: float = 0.0
    questions: int = 0
    minutes: int = 0
    pass_mark: float = 0.0


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    source: str
    max_level: int
    default_difficulty: int
    rule: Rule
    domains: tuple[Domain, ...]
    built_in: bool = True

    @property
    def competences(self) -> tuple[Competence, ...]:
        return tuple(c for d in self.domains for c in d.competences)


@dataclass(frozen=True)
class Workshop:
    title: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ResolvedTag:
    """A question tag that names a competence (or a domain/module) of a known framework."""

    key: str
    difficulty: int


@dataclass
class Catalogue:
    """Every framework an organisation works with, indexed by key."""

    frameworks: dict[str, Framework]
    workshops: tuple[Workshop, ...] = ()
    _competences: dict[str, Competence] = field(default_factory=dict)
    _domains: dict[str, Domain] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for fw in self.frameworks.values():
            for domain in fw.domains:
                self._domains[domain.key] = domain
                for comp in domain.competences:
                    self._competences[comp.key] = comp

    def competence(self, key: str) -> Competence | None:
        return self._competences.get(key)

    def domain(self, key: str) -> Domain | None:
        return self._domains.get(key)

    def title_of(self, key: str) -> str:
        node = self._competences.get(key) or self._domains.get(key)
        return node.title if node else key

    def framework_of(self, key: str) -> Framework | None:
        return self.frameworks.get(key.split(":", 1)[0])

    def knows(self, key: str) -> bool:
        return key in self._competences or key in self._domains

    def resolve_tag(self, tag: str) -> ResolvedTag | None:
        """The competence a question tag names; None for a tag outside every framework's
        namespace (``theme:email`` is not ours). Raises ``UnknownTagError`` for a tag in a
        framework's namespace that names nothing there, so the trainer is told, not ignored."""
        match = TAG_PATTERN.match(tag.strip())
        if match is None or match["fw"] not in self.frameworks:
            return None
        fw = self.frameworks[match["fw"]]
        key = f"{fw.id}:{match['code']}"
        if not self.knows(key):
            raise UnknownTagError(tag, "unknown_code")
        difficulty = fw.default_difficulty
        if match["level"] is not None:
            if not match["level"].isdigit() or not 1 <= int(match["level"]) <= fw.max_level:
                raise UnknownTagError(tag, "bad_level")
            difficulty = int(match["level"])
        return ResolvedTag(key, difficulty)


class UnknownTagError(ValueError):
    """A tag in a framework's namespace that names no competence (``reason``: unknown_code or
    bad_level)."""

    def __init__(self, tag: str, reason: str) -> None:
        super().__init__(tag)
        self.tag = tag
        self.reason = reason
