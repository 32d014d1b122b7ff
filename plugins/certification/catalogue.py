"""Competence frameworks: the YAML data files, their validation, and tag resolution.

Why YAML (PyYAML) rather than JSON or TOML: the files are written by people (comments cite the
source of every framework), and PyYAML's composer keeps the line of every node, so a *semantic*
mistake (a missing title, a level out of range, a duplicate code) is reported with its line, not
only a syntax error. TOML's stdlib parser gives lines for syntax errors only; JSON has neither
comments nor useful positions.

A framework file::

    id: crcn                      # tag prefix: questions are tagged "crcn:1.1" or "crcn:1.1@3"
    title: "Pix / CRCN"
    source: "..."                 # required: where the facts come from
    max_level: 8                  # levels 1..max_level (1 = a yes/no competence)
    default_difficulty: 1         # difficulty of an item whose tag has no "@N"
    rule: {type: count_at_level, count: 5, level: 1}   # or share_per_domain / per_module
    domains:
      - code: "1"
        title: "..."
        competences:
          - {code: "1.1", title: "...", rests_on: ["crcn:5.2@1"]}   # rests_on is optional

Two other kinds: ``kind: mapping`` (``mappings: [{code, rests_on}]``: what a competence of one
framework rests on in another) and ``kind: workshops`` (``workshops: [{title, codes}]``: the
competences a workshop covers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from core.i18n import gettext as _

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
BUILT_IN_FILES = ("crcn.yaml", "b2i_adultes.yaml", "pcie.yaml", "mapping.yaml", "workshops.yaml")
RULE_TYPES = ("count_at_level", "share_per_domain", "per_module")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
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


# --- YAML with lines --------------------------------------------------------------------------


class LMap(dict[str, Any]):
    """A mapping that remembers its line and each key's line."""

    line: int = 0
    key_lines: dict[str, int]


class LList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps lines and refuses duplicate keys (PyYAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LMap:
        result = LMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise FrameworkError(
                    "", key_node.start_mark.line + 1, _("a key must be plain text")
                )
            key = str(key)
            if key in result:
                raise FrameworkError(
                    "", key_node.start_mark.line + 1, _("“%(key)s” is given twice", key=key)
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LList:
        result = LList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def parse_yaml(text: str, source: str) -> LMap:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except FrameworkError as exc:
        raise FrameworkError(source, exc.line, exc.reason) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise FrameworkError(
            source, line, _("not valid YAML: %(problem)s", problem=exc.problem or exc.context)
        ) from None
    except yaml.YAMLError as exc:
        raise FrameworkError(source, None, _("not valid YAML: %(problem)s", problem=exc)) from None
    if not isinstance(data, LMap):
        raise FrameworkError(source, 1, _("the file must be a mapping of keys (id, title, ...)"))
    return data


class _Reader:
    """Typed access to one parsed file, every failure naming the line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int | None, reason: str) -> FrameworkError:
        return FrameworkError(self.source, line, reason)

    def get(
        self, mapping: LMap, key: str, kind: type | tuple[type, ...], required: bool = True
    ) -> Any:
        if key not in mapping:
            if required:
                raise self.fail(mapping.line, _("“%(key)s” is missing", key=key))
            return None
        value = mapping[key]
        line = mapping.key_lines.get(key, mapping.line)
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(line, _("“%(key)s” must be a whole number", key=key))
        if kind is float and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.fail(line, _("“%(key)s” must be a number", key=key))
        if kind is str:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise self.fail(line, _("“%(key)s” must be text", key=key))
            value = str(value).strip()
            if required and not value:
                raise self.fail(line, _("“%(key)s” must not be empty", key=key))
        if kind is list and not isinstance(value, list):
            raise self.fail(line, _("“%(key)s” must be a list", key=key))
        if kind is dict and not isinstance(value, dict):
            raise self.fail(line, _("“%(key)s” must be a mapping", key=key))
        return value

    def line_of(self, mapping: LMap, key: str) -> int:
        return mapping.key_lines.get(key, mapping.line)

    def in_range(self, mapping: LMap, key: str, low: float, high: float, kind: type = int) -> Any:
        value = self.get(mapping, key, kind)
        if not low <= value <= high:
            raise self.fail(
                self.line_of(mapping, key),
                _("“%(key)s” must be between %(low)s and %(high)s", key=key, low=low, high=high),
            )
        return value

    def items(self, seq: LList) -> list[tuple[Any, int]]:
        return list(zip(seq, seq.item_lines, strict=True))

    def mapping_item(self, item: Any, line: int, what: str) -> LMap:
        if not isinstance(item, LMap):
            raise self.fail(
                line, _("each %(what)s must be a mapping (code, title, ...)", what=what)
            )
        return item


def _rule(reader: _Reader, data: LMap, max_level: int) -> Rule:
    rule = reader.get(data, "rule", dict)
    kind = reader.get(rule, "type", str)
    if kind not in RULE_TYPES:
        raise reader.fail(
            reader.line_of(rule, "type"),
            _(
                "rule type “%(kind)s” is not one of %(types)s",
                kind=kind,
                types=", ".join(RULE_TYPES),
            ),
        )
    if kind == "count_at_level":
        return Rule(
            kind,
            count=reader.in_range(rule, "count", 1, 1000),
            level=reader.in_range(rule, "level", 1, max_level),
        )
    if kind == "share_per_domain":
        return Rule(kind, share=reader.in_range(rule, "share", 0.01, 1.0, float))
    return Rule(
        kind,
        questions=reader.in_range(rule, "questions", 1, 1000),
        minutes=reader.in_range(rule, "minutes", 1, 1000),
        pass_mark=reader.in_range(rule, "pass_mark", 0.01, 1.0, float),
    )


def _requirements(reader: _Reader, holder: LMap) -> list[tuple[str, int, int]]:
    """``rests_on`` strings as (key, level, line); cross-checked once every file is read."""
    raw = reader.get(holder, "rests_on", list, required=False)
    if raw is None:
        return []
    out = []
    for item, line in reader.items(raw):
        match = TAG_PATTERN.match(str(item)) if isinstance(item, str) else None
        if match is None or match["level"] is None or not match["level"].isdigit():
            raise reader.fail(
                line, _("“%(item)s” must look like crcn:5.2@1 (framework:code@level)", item=item)
            )
        out.append((f"{match['fw']}:{match['code']}", int(match["level"]), line))
    return out


@dataclass
class _Draft:
    """A framework read but not yet cross-checked (its rests_on may name other files)."""

    framework: Framework
    requirements: dict[str, list[tuple[str, int, int]]]
    source: str
    id_line: int = 1


def read_framework(text: str, source: str, built_in: bool = True) -> _Draft:
    reader = _Reader(source)
    data = parse_yaml(text, source)
    fw_id = reader.get(data, "id", str)
    if not ID_PATTERN.match(fw_id):
        raise reader.fail(
            reader.line_of(data, "id"),
            _("“id” must be lower-case letters, digits or _ (it is the tag prefix)"),
        )
    max_level = reader.in_range(data, "max_level", 1, 8)
    default_difficulty = 1
    if "default_difficulty" in data:
        default_difficulty = reader.in_range(data, "default_difficulty", 1, max_level)
    rule = _rule(reader, data, max_level)
    domains_raw = reader.get(data, "domains", list)
    if not domains_raw:
        raise reader.fail(
            reader.line_of(data, "domains"), _("“domains” must list at least one domain")
        )
    seen: dict[str, int] = {}
    requirements: dict[str, list[tuple[str, int, int]]] = {}
    domains = []
    for item, line in reader.items(domains_raw):
        dom = reader.mapping_item(item, line, "domain")
        dcode = _code(reader, dom, seen)
        comps_raw = reader.get(dom, "competences", list)
        if not comps_raw:
            raise reader.fail(
                reader.line_of(dom, "competences"),
                _("domain %(code)s has no competence", code=dcode),
            )
        comps = []
        for citem, cline in reader.items(comps_raw):
            comp = reader.mapping_item(citem, cline, "competence")
            ccode = _code(reader, comp, seen)
            reqs = _requirements(reader, comp)
            if reqs:
                requirements[f"{fw_id}:{ccode}"] = reqs
            comps.append(Competence(fw_id, ccode, reader.get(comp, "title", str), dcode))
        domains.append(Domain(fw_id, dcode, reader.get(dom, "title", str), tuple(comps)))
    framework = Framework(
        id=fw_id,
        title=reader.get(data, "title", str),
        source=reader.get(data, "source", str),
        max_level=max_level,
        default_difficulty=default_difficulty,
        rule=rule,
        domains=tuple(domains),
        built_in=built_in,
    )
    return _Draft(framework, requirements, source, reader.line_of(data, "id"))


def _code(reader: _Reader, holder: LMap, seen: dict[str, int]) -> str:
    code = reader.get(holder, "code", str)
    line = reader.line_of(holder, "code")
    if not CODE_PATTERN.match(code):
        raise reader.fail(
            line, _("code “%(code)s” may hold only letters, digits, “.”, “_” or “-”", code=code)
        )
    if code in seen:
        raise reader.fail(
            line, _("code “%(code)s” is already used on line %(line)s", code=code, line=seen[code])
        )
    seen[code] = line
    return code


def read_mapping(text: str, source: str) -> dict[str, list[tuple[str, int, int]]]:
    reader = _Reader(source)
    data = parse_yaml(text, source)
    reader.get(data, "source", str)
    out: dict[str, list[tuple[str, int, int]]] = {}
    for item, line in reader.items(reader.get(data, "mappings", list)):
        entry = reader.mapping_item(item, line, "mapping")
        out.setdefault(reader.get(entry, "code", str), []).extend(_requirements(reader, entry))
    return out


def read_workshops(text: str, source: str) -> tuple[tuple[Workshop, list[tuple[str, int]]], ...]:
    reader = _Reader(source)
    data = parse_yaml(text, source)
    reader.get(data, "source", str)
    out = []
    for item, line in reader.items(reader.get(data, "workshops", list)):
        entry = reader.mapping_item(item, line, "workshop")
        codes = reader.get(entry, "codes", list)
        out.append(
            (
                Workshop(reader.get(entry, "title", str), tuple(str(c) for c in codes)),
                [(str(c), ln) for c, ln in reader.items(codes)],
            )
        )
    return tuple(out)


def _attach(
    drafts: list[_Draft],
    mappings: list[tuple[str, dict[str, list[tuple[str, int, int]]]]],
) -> dict[str, Framework]:
    """Check every ``rests_on`` against the frameworks read, and attach them to competences."""
    frameworks = {d.framework.id: d.framework for d in drafts}
    probe = Catalogue(dict(frameworks))
    reqs_by_key: dict[str, list[Requirement]] = {}
    for source, table in [*((d.source, d.requirements) for d in drafts), *mappings]:
        for key, reqs in table.items():
            comp = probe.competence(key)
            if comp is None:
                line = reqs[0][2] if reqs else None
                raise FrameworkError(
                    source, line, _("“%(key)s” names no competence of a known framework", key=key)
                )
            checked = []
            for req_key, level, line in reqs:
                target = probe.competence(req_key)
                if target is None:
                    raise FrameworkError(
                        source,
                        line,
                        _("“%(key)s” names no competence of a known framework", key=req_key),
                    )
                if level > frameworks[target.framework].max_level:
                    raise FrameworkError(
                        source,
                        line,
                        _(
                            "level %(level)s is above the top level of %(framework)s",
                            level=level,
                            framework=target.framework,
                        ),
                    )
                checked.append(Requirement(req_key, level))
            # A later file (an organisation's) replaces what an earlier one said for that key.
            reqs_by_key[key] = checked
    out = {}
    for fw_id, fw in frameworks.items():
        domains = tuple(
            Domain(
                d.framework,
                d.code,
                d.title,
                tuple(
                    Competence(
                        c.framework, c.code, c.title, c.domain, tuple(reqs_by_key.get(c.key, ()))
                    )
                    for c in d.competences
                ),
            )
            for d in fw.domains
        )
        out[fw_id] = Framework(
            fw.id,
            fw.title,
            fw.source,
            fw.max_level,
            fw.default_difficulty,
            fw.rule,
            domains,
            fw.built_in,
        )
    return out


@cache
def _built_in_texts() -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, (FRAMEWORKS_DIR / name).read_text(encoding="utf-8")) for name in BUILT_IN_FILES
    )


def load_catalogue(extra: tuple[tuple[str, str], ...] = ()) -> Catalogue:
    """The built-in frameworks plus an organisation's own files (``(name, yaml text)``).

    An extra file may be a framework (``id: ...``) or a mapping (``kind: mapping``). Raises
    ``FrameworkError`` naming the file and line of the first problem."""
    return _load(extra)


@cache
def _load(extra: tuple[tuple[str, str], ...]) -> Catalogue:
    drafts: list[_Draft] = []
    mappings: list[tuple[str, dict[str, list[tuple[str, int, int]]]]] = []
    workshops: list[tuple[Workshop, list[tuple[str, int]]]] = []
    workshop_source = ""
    for index, (name, text) in enumerate((*_built_in_texts(), *extra)):
        built_in = index < len(BUILT_IN_FILES)
        kind = _kind_of(text, name)
        if kind == "mapping":
            mappings.append((name, read_mapping(text, name)))
        elif kind == "workshops":
            workshops.extend(read_workshops(text, name))
            workshop_source = name
        else:
            draft = read_framework(text, name, built_in=built_in)
            if any(d.framework.id == draft.framework.id for d in drafts):
                raise FrameworkError(
                    name,
                    draft.id_line,
                    _("a framework with id “%(id)s” already exists", id=draft.framework.id),
                )
            drafts.append(draft)
    frameworks = _attach(drafts, mappings)
    catalogue = Catalogue(frameworks)
    for _workshop, codes in workshops:
        for code, line in codes:
            if not catalogue.knows(code):
                raise FrameworkError(
                    workshop_source, line, _("“%(code)s” names no competence or domain", code=code)
                )
    return Catalogue(frameworks, tuple(w for w, _ in workshops))


def _kind_of(text: str, name: str) -> str:
    data = parse_yaml(text, name)
    kind = data.get("kind", "framework")
    if kind not in ("framework", "mapping", "workshops"):
        raise FrameworkError(
            name,
            data.key_lines.get("kind"),
            _("kind “%(kind)s” is not framework, mapping or workshops", kind=kind),
        )
    return str(kind)


def check_framework_file(
    text: str, name: str, others: tuple[tuple[str, str], ...] = ()
) -> Catalogue:
    """Validate an uploaded file together with the organisation's other files (raises
    ``FrameworkError``); built-in ids cannot be redefined."""
    return load_catalogue((*others, (name, text)))
