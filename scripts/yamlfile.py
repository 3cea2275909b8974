"""Read a YAML file safely: UTF-8 only, no anchors or aliases, bounded nesting, a clear error naming the file."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ListError

MAX_YAML_BYTES = 1_000_000
MAX_DEPTH = 50  # settings and collections nest a handful of levels; thousands would overflow the parser's stack


class _NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases (an alias bomb cannot blow up memory) and deep nesting (nor the stack)."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            raise yaml.MarkedYAMLError(problem="aliases (*name) are not allowed; write the value out", problem_mark=mark)
        if self.depth >= MAX_DEPTH:
            raise yaml.MarkedYAMLError(problem=f"values nested more than {MAX_DEPTH} levels deep", problem_mark=mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _UniqueKeyLoader(_NoAliasLoader):
    """A _NoAliasLoader that also refuses a key written twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        repeated = repeated_keys(node)
        if repeated:
            raise yaml.MarkedYAMLError(problem=f"key {repeated[0].value!r} is written twice; keep one",
                                       problem_mark=repeated[0].start_mark)
        return super().construct_mapping(node, deep=deep)


def repeated_keys(node: yaml.MappingNode) -> list[yaml.ScalarNode]:
    """The key nodes of a mapping that repeat an earlier key (YAML would keep the last value silently)."""
    seen: set[object] = set()
    repeated = []
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                repeated.append(key_node)
            seen.add(key_node.value)
    return repeated


def load_yaml(path: Path, error: type[ListError], unique_keys: bool = False) -> object:
    """Parse a YAML file; raise `error` naming the file, the line and the fix on any problem.

    With unique_keys, a key repeated within one mapping is an error too.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: file not found; create it or pass the right path") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_YAML_BYTES:
        raise error(f"{path}: {len(raw)} bytes is too large for a settings file (limit {MAX_YAML_BYTES}); trim it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: byte {exc.start} is not UTF-8; save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader if unique_keys else _NoAliasLoader)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise error(f"{path}: line {line}: character U+{exc.character:04X} is not allowed in YAML; delete it") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}: line {mark.line + 1}" if mark is not None else str(path)
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise error(f"{where}: invalid YAML ({problem}); fix the syntax there") from None
