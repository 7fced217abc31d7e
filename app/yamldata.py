"""YAML data (names, timeline, claims, document metadata), parsed by libyaml's safe loader when PyYAML
was built with it: about ten times faster than the pure-Python one, which made a second of the start-up."""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def loads(text: str) -> Any:
    """`yaml.safe_load`, by the fastest safe loader installed; raises `yaml.YAMLError` on bad YAML."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)
