"""Typed reading of one YAML mapping, naming file and key in every error: the settings style of config.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

from .errors import ConfigError

Number = TypeVar("Number", int, float)


class Section:
    """Reads typed values out of one mapping, naming file and key in every error."""

    def __init__(self, raw: object, name: str, source: str | Path, allowed: tuple[str, ...]) -> None:
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: {name}: expected a mapping of settings, got {type(raw).__name__}")
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            raise ConfigError(f"{source}: {name}.{unknown[0]}: unknown key; allowed keys: {', '.join(allowed)}")
        self.raw: dict[object, object] = raw
        self.name, self.source = name, source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.name}.{key}: {problem}")

    def number(self, key: str, default: float | None, low: float, high: float) -> float:
        """Return a number from low to high; a default of None makes the key required."""
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number from {low} to {high}, got {value!r}")
        return self.in_range(key, value, low, high)

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        """Return a whole number from low to high."""
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number from {low} to {high}, got {value!r}")
        return self.in_range(key, value, low, high)

    def in_range(self, key: str, value: Number, low: float, high: float) -> Number:
        if not low <= value <= high:
            raise self.fail(key, f"{value} is out of range; allowed: {low} to {high}")
        return value

    def text(self, key: str, default: str) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def words(self, key: str, default: list[str] | None = None, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
        value = self.raw.get(key, default)
        if value is None:
            raise self.fail(key, "is required; give a list of strings")
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, f"expected a list of non-empty strings, got {value!r}")
        for item in value:
            if pattern is not None and not pattern.match(item):
                raise self.fail(key, f"{item!r} is not allowed here")
        return tuple(item.strip() for item in value)
