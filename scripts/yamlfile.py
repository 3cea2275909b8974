"""Read a YAML file safely: UTF-8 only, no anchors or aliases, a clear error naming the file."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ListError

MAX_YAML_BYTES = 1_000_000


class _NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases, so an alias bomb cannot blow up memory or validation."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.MarkedYAMLError(problem="aliases (*name) are not allowed; write the value out", problem_mark=mark)
        return super().compose_node(parent, index)


def load_yaml(path: Path, error: type[ListError]) -> object:
    """Parse a YAML file; raise `error` naming the file, the line and the fix on any problem."""
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
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}:{where}: invalid YAML ({problem}); fix the syntax there") from None
