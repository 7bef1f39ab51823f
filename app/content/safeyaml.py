"""YAML front matter, read and written safely: dates stay text (``document`` parses them,
with an error on the right line), anchors and aliases are refused ("billion laughs"), and so
is a key given twice; libyaml's parser when PyYAML has it; lists written on one line."""

from __future__ import annotations

import re
from typing import Any, cast

import yaml

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _without_timestamps(resolvers: dict[str, list[tuple[str, Any]]]) -> dict[str, Any]:
    return {
        key: [(tag, regexp) for tag, regexp in entries if tag != _TIMESTAMP_TAG]
        for key, entries in resolvers.items()
    }


class DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping that gives one key twice: YAML would keep the last value and lose the
    first without a word. ``first`` and ``again`` are where it is given (marks: 0-based lines)."""

    def __init__(self, key: object, first: yaml.Mark, again: yaml.Mark) -> None:
        super().__init__(problem=f"{key!r} is given twice", problem_mark=again)
        self.key = key
        self.first, self.again = first, again


def _refuse_duplicates(constructor: yaml.constructor.SafeConstructor, node: yaml.Node) -> None:
    """Raise ``DuplicateKey`` at the second of two equal keys of the mapping ``node``."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        key = constructor.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node.start_mark)
        except TypeError:  # an unhashable key: the constructor words that error
            continue
        if first is not key_node.start_mark:
            raise DuplicateKey(key, first, key_node.start_mark)


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text: we parse them, with an error on the right line;
    a key given twice in one mapping is an error, not a lost value."""

    yaml_implicit_resolvers = _without_timestamps(yaml.SafeLoader.yaml_implicit_resolvers)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        _refuse_duplicates(self, node)
        return super().construct_mapping(node, deep=deep)


_FastLoader: type[Any] = _Loader
if yaml.__with_libyaml__:

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """``_Loader``'s rules on libyaml's parser: several times faster."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            _refuse_duplicates(self, node)
            return super().construct_mapping(node, deep=deep)


class AliasRefused(yaml.MarkedYAMLError):
    """Front matter with an anchor (``&name``) or alias (``*name``): refused, since a few
    hundred bytes of nested aliases expand to gigabytes ("billion laughs")."""


def _refuse_aliases(front: str) -> None:
    """Raise ``AliasRefused`` at the first anchor or alias in ``front``.

    Only text with a ``&`` or ``*`` can have one, and only that text is walked event by
    event (by libyaml when PyYAML has it), before any value is built. YAML that does not
    parse is left to the loader, which words the error.
    """
    if "&" not in front and "*" not in front:
        return
    try:
        for event in yaml.parse(front, Loader=_FastLoader):
            anchor = getattr(event, "anchor", None)
            if anchor is not None:  # an alias event names its anchor too
                kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
                sign = "*" if kind == "alias" else "&"
                raise AliasRefused(
                    problem=f"YAML {kind} '{sign}{anchor}' is not allowed",
                    problem_mark=cast(yaml.Mark, event.start_mark),  # libyaml's has a line too
                )
    except AliasRefused:
        raise
    except yaml.YAMLError:
        return


def load_yaml(front: str) -> Any:
    """Front matter as Python values, parsed by libyaml when PyYAML has it; anchors and
    aliases are refused (``_refuse_aliases``) by either parser."""
    _refuse_aliases(front)
    try:
        return yaml.load(front, Loader=_FastLoader)
    except yaml.YAMLError:
        if _FastLoader is _Loader:
            raise
    # libyaml words errors tersely; the pure-Python parser names the same line and says more
    # (and, should the two ever disagree, it decides).
    return yaml.load(front, Loader=_Loader)


class Dumper(yaml.SafeDumper):
    """Writes date-like strings unquoted, matching ``_Loader``."""

    yaml_implicit_resolvers = _without_timestamps(yaml.SafeDumper.yaml_implicit_resolvers)


def _flow_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    """Lists on one line (``tags: [a, b]``); mappings stay in block style (and a list of
    them, as ``photos:``, one item a line)."""
    flow = not any(isinstance(item, dict) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


#: A line of YAML front matter that begins a top-level key (not indented, not a comment, not a
#: list item): where one key's lines end (error lines, a save that keeps lines).
TOP_KEY_LINE = re.compile(r"[^\s#-]")


class Lines(list[Any]):
    """A list ``Dumper`` writes one item a line (a note's URLs: on one line, each would be
    quoted)."""


Dumper.add_representer(list, _flow_list)
Dumper.add_representer(
    Lines, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value)
)
# Never write an anchor (a value used twice): ``load_yaml`` refuses them.
Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]
