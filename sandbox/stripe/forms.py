"""Stripe's form-encoded parameters: nested keys in, typed values out.

Stripe's API takes `application/x-www-form-urlencoded` bodies (and query strings)
with bracketed keys: `metadata[order]=1`, `expand[]=customer` or `expand[0]=customer`
(stripe-python's form), `card[number]=...`. This module turns them into nested
dicts and lists, and reads typed values with Stripe's validation messages.
https://docs.stripe.com/api (Authentication / Expanding responses sections)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sandbox.stripe.errors import invalid_param, missing_param

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

Params = dict[str, Any]


def parse(pairs: Iterable[tuple[str, str]]) -> Params:
    """Nest `a[b][c]=v` pairs into dicts; `a[]` appends and all-index dicts become lists."""
    root: Params = {}
    for raw_key, value in pairs:
        match = _KEY.match(raw_key)
        if not match:
            raise invalid_param(f"Invalid parameter name: {raw_key}", raw_key)
        path = [match.group(1), *_PART.findall(match.group(2))]
        node: Any = root
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if part == "":
                part = str(len(node))
            if last:
                node[part] = value
                break
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise invalid_param(f"Invalid parameter: {raw_key}", raw_key)
            node = child
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def check_known(params: Params, allowed: Iterable[str]) -> None:
    """Refuse parameters the endpoint does not take, as Stripe does (`parameter_unknown`)."""
    known = {*allowed, "expand"}
    for name in params:
        if name not in known:
            raise invalid_param(f"Received unknown parameter: {name}", name, "parameter_unknown")


def text(params: Params, name: str, *, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None:
        if required:
            raise missing_param(name)
        return None
    if not isinstance(value, str):
        raise invalid_param(f"Invalid string: {name}", name)
    return value


def choice(params: Params, name: str, options: tuple[str, ...]) -> str | None:
    value = text(params, name)
    if value is not None and value not in options:
        raise invalid_param(
            f"Invalid {name}: must be one of {', '.join(options)}", name, "parameter_invalid"
        )
    return value


def integer(params: Params, name: str, *, required: bool = False) -> int | None:
    value = text(params, name, required=required)
    if value is None:
        return None
    if not re.fullmatch(r"-?\d+", value):
        raise invalid_param(f"Invalid integer: {value}", name, "parameter_invalid_integer")
    return int(value)


def boolean(params: Params, name: str) -> bool | None:
    value = text(params, name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise invalid_param(f"Invalid boolean: {value}", name)
    return value == "true"


def mapping(params: Params, name: str) -> dict[str, Any] | None:
    """A hash parameter; the empty string means "unset" and is returned as {}."""
    value = params.get(name)
    if value is None:
        return None
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid_param(f"Invalid hash: {name}", name)
    return value


def expand_paths(params: Params) -> list[str]:
    value = params.get("expand", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid_param("Invalid array: expand", "expand")
    return value


def merge_metadata(current: dict[str, str], update: dict[str, Any] | None) -> dict[str, str]:
    """Stripe's metadata update: keys merge, an empty value deletes a key, "" clears all.

    https://docs.stripe.com/api/metadata
    """
    if update is None:
        return current
    if update == {}:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if not isinstance(value, str):
            raise invalid_param(f"Invalid metadata value for {key}", f"metadata[{key}]")
        if len(key) > 40:
            raise invalid_param("Metadata keys can be at most 40 characters.", f"metadata[{key}]")
        if len(value) > 500:
            raise invalid_param(
                "Metadata values can be at most 500 characters.", f"metadata[{key}]"
            )
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > 50:
        raise invalid_param("Metadata can have at most 50 keys.", "metadata")
    return merged
