"""Framework files: reading the YAML data files with the line of every node, validating them,
and loading the catalogue (built-in files plus an organisation's own).

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
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.i18n import gettext as _
from plugins.certification.catalogue import (
    RULE_TYPES,
    TAG_PATTERN,
    Catalogue,
    Competence,
    Domain,
    Framework,
    FrameworkError,
    Requirement,
    Rule,
    Workshop,
)
from plugins.certification.yaml_lines import LMap, Reader, parse_yaml

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
BUILT_IN_FILES = ("crcn.yaml", "b2i_adultes.yaml", "pcie.yaml", "mapping.yaml", "workshops.yaml")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def _rule(reader: Reader, data: LMap, max_level: int) -> Rule:
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


def _requirements(reader: Reader, holder: LMap) -> list[tuple[str, int, int]]:
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
    reader = Reader(source)
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


def _code(reader: Reader, holder: LMap, seen: dict[str, int]) -> str:
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
    reader = Reader(source)
    data = parse_yaml(text, source)
    reader.get(data, "source", str)
    out: dict[str, list[tuple[str, int, int]]] = {}
    for item, line in reader.items(reader.get(data, "mappings", list)):
        entry = reader.mapping_item(item, line, "mapping")
        out.setdefault(reader.get(entry, "code", str), []).extend(_requirements(reader, entry))
    return out


def read_workshops(text: str, source: str) -> tuple[tuple[Workshop, list[tuple[str, int]]], ...]:
    reader = Reader(source)
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
