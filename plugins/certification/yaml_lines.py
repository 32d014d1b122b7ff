"""YAML read with the line of every node, and a reader whose every failure names its line.

PyYAML's composer knows where each node starts; the loader below keeps that line on every
mapping (and each of its keys) and every list (and each of its items), and refuses duplicate keys
(plain PyYAML keeps the last one silently). ``Reader`` turns type and range checks into
``FrameworkError``s with the file, the line and the reason.
"""

from __future__ import annotations

from typing import Any

import yaml

from core.i18n import gettext as _
from plugins.certification.catalogue import FrameworkError


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


class Reader:
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
