"""Responses built from stored objects: `expand[]` and list objects.

Expansion replaces an id with the object it names, along dotted paths, on a copy
(stored objects keep ids). Lists are Stripe's `{"object": "list", "data", "has_more",
"url"}` with `limit` (1-100, default 10) and `starting_after` cursors.
https://docs.stripe.com/api/expanding_objects, https://docs.stripe.com/api/pagination
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.stripe import forms
from sandbox.stripe.errors import invalid_param, resource_missing
from sandbox.stripe.state import Account

MAX_DEPTH = 4


def expand(account: Account, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    result = copy.deepcopy(obj)
    for path in paths:
        parts = path.split(".")
        if len(parts) > MAX_DEPTH:
            raise invalid_param(
                f"You cannot expand more than {MAX_DEPTH} levels of a property.", "expand"
            )
        _expand_path(account, result, parts, path)
    return result


def _expand_path(account: Account, node: Any, parts: list[str], path: str) -> None:
    if isinstance(node, list):
        for item in node:
            _expand_path(account, item, parts, path)
        return
    head, rest = parts[0], parts[1:]
    if not isinstance(node, dict) or head not in node:
        raise invalid_param(f"This property cannot be expanded ({path}).", "expand")
    value = node[head]
    if isinstance(value, str) and value in account.objects:
        value = node[head] = copy.deepcopy(account.objects[value])
    elif isinstance(value, str):
        raise invalid_param(f"This property cannot be expanded ({path}).", "expand")
    if rest and value is not None:
        _expand_path(account, value, rest, path)


def list_of(items: list[dict[str, Any]], url: str, params: forms.Params) -> dict[str, Any]:
    """Newest first (`items` come in creation order), one page, as Stripe lists paginate."""
    limit = forms.integer(params, "limit")
    limit = 10 if limit is None else limit
    if not 1 <= limit <= 100:
        raise invalid_param("Invalid limit: must be between 1 and 100", "limit")
    ordered = list(reversed(items))
    after = forms.text(params, "starting_after")
    if after is not None:
        ids = [obj["id"] for obj in ordered]
        if after not in ids:
            raise resource_missing("object", after, "starting_after")
        ordered = ordered[ids.index(after) + 1 :]
    return {
        "object": "list",
        "data": ordered[:limit],
        "has_more": len(ordered) > limit,
        "url": url,
    }


def get(account: Account, kind: str, object_id: str, label: str, param: str = "id"):
    """A stored object of one type, or Stripe's 404 naming it."""
    obj = account.objects.get(object_id)
    if obj is None or obj["object"] != kind:
        raise resource_missing(label, object_id, param)
    return obj
