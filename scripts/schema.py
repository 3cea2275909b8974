"""Typed reading of one YAML mapping, naming file and key in every error: the settings style of config.yaml."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ConfigError


class Section:
    """Reads typed values out of one mapping, naming file and key in every error."""

    def __init__(self, raw: object, name: str, source: str | Path, allowed: tuple[str, ...]):
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: {name}: expected a mapping of settings, got {type(raw).__name__}")
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            raise ConfigError(f"{source}: {name}.{unknown[0]}: unknown key; allowed keys: {', '.join(allowed)}")
        self.raw, self.name, self.source = raw, name, source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.name}.{key}: {problem}")

    def number(self, key: str, default: float, low: float, high: float, integer: bool = False) -> float:
        value = self.raw.get(key, default)
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "a whole number" if integer else "a number"
            raise self.fail(key, f"expected {kind} from {low} to {high}, got {value!r}")
        if not low <= value <= high:
            raise self.fail(key, f"{value} is out of range; allowed: {low} to {high}")
        return value

    def text(self, key: str, default: str) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def words(self, key: str, default: list | None = None, pattern: re.Pattern | None = None) -> tuple[str, ...]:
        value = self.raw.get(key, default)
        if value is None:
            raise self.fail(key, "is required; give a list of strings")
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, f"expected a list of non-empty strings, got {value!r}")
        for item in value:
            if pattern is not None and not pattern.match(item):
                raise self.fail(key, f"{item!r} is not allowed here")
        return tuple(item.strip() for item in value)
