"""Reading YAML safely for the codebook importer: PyYAML's SafeLoader without aliases, deep nesting
or duplicate keys, and the line of every field so that errors name it. No Django."""

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

MAX_DEPTH = 12  # the codebook shape nests 5 levels deep
FieldPath = tuple[str | int, ...]


class CodebookLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader without aliases, deep nesting or duplicate keys. A 475-byte file of
    nested aliases expands to gigabytes ("billion laughs"); a codebook needs no alias, so any
    alias is refused while composing, before anything is expanded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it unannotated
            raise ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed in a codebook", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]  # as above
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the parent class says so
                break
            if duplicate:
                raise ConstructorError(None, None, f"key '{key}' appears twice in one mapping", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> tuple[yaml.Node | None, Any]:
    """(root node, data) of a YAML text with CodebookLoader; raises yaml.YAMLError."""
    loader = CodebookLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def lines_by_path(root: yaml.Node | None) -> dict[FieldPath, int]:
    """Map a field path like ('indicators', 2, 'level') to its 1-based line in the file."""
    lines: dict[FieldPath, int] = {}

    def walk(node: yaml.Node, path: FieldPath) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    if root is not None:
        walk(root, ())
    return lines
