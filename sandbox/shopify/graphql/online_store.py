"""Script tags and app-data metafields in Admin GraphQL: what a storefront app installs.

https://shopify.dev/docs/api/admin-graphql/latest/mutations/scriptTagCreate (ScriptTagInput
src, displayScope ALL | ONLINE_STORE | ORDER_STATUS, cache), scriptTags(src:),
scriptTagDelete; https://shopify.dev/docs/apps/custom-data/metafields/app-data: metafieldsSet
with the app installation as owner, read back on AppInstallation.metafield and by themes as
`app.metafields` (the storefront renders script tags; theme Liquid is not emulated).
"""

from __future__ import annotations

import zlib
from typing import Any

from graphql import GraphQLResolveInfo

from sandbox.shopify.graphql.mutations import user_error
from sandbox.shopify.graphql.nodes import Ctx, connection, parse_gid
from sandbox.shopify.resources import gid, iso
from sandbox.shopify.state import ScriptTag

SDL = """
enum ScriptTagDisplayScope { ALL ONLINE_STORE ORDER_STATUS }
type ScriptTag {
  id: ID!
  src: URL!
  displayScope: ScriptTagDisplayScope!
  cache: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type ScriptTagEdge { cursor: String! node: ScriptTag! }
type ScriptTagConnection { edges: [ScriptTagEdge!]! nodes: [ScriptTag!]! pageInfo: PageInfo! }
input ScriptTagInput { src: URL displayScope: ScriptTagDisplayScope cache: Boolean }
type ScriptTagCreatePayload { scriptTag: ScriptTag userErrors: [UserError!]! }
type ScriptTagDeletePayload { deletedScriptTagId: ID userErrors: [UserError!]! }

type Metafield { id: ID! namespace: String! key: String! type: String! value: String! }
input MetafieldsSetInput { ownerId: ID! namespace: String key: String! type: String value: String! }
type MetafieldsSetUserError { field: [String!] message: String! code: String }
type MetafieldsSetPayload { metafields: [Metafield!] userErrors: [MetafieldsSetUserError!]! }

extend type AppInstallation { metafield(namespace: String, key: String!): Metafield }
extend type QueryRoot {
  scriptTags(
    first: Int, after: String, last: Int, before: String, reverse: Boolean, src: URL
  ): ScriptTagConnection!
}
extend type Mutation {
  scriptTagCreate(input: ScriptTagInput!): ScriptTagCreatePayload
  scriptTagDelete(id: ID!): ScriptTagDeletePayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
}
"""

MAX_METAFIELDS = 25  # per metafieldsSet call
DEFAULT_NAMESPACE = "$app"


def script_tag_node(tag: ScriptTag) -> dict[str, Any]:
    return {
        "id": gid("ScriptTag", tag.id),
        "src": tag.src,
        "displayScope": tag.display_scope.upper(),
        "cache": tag.cache,
        "createdAt": iso(tag.created_at),
        "updatedAt": iso(tag.created_at),
    }


def _own_tags(ctx: Ctx) -> list[ScriptTag]:
    return sorted(
        (t for t in ctx.shop.script_tags.values() if t.client_id == ctx.token.client_id),
        key=lambda t: t.id,
    )


def resolve_script_tags(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict:
    ctx: Ctx = info.context
    tags = [t for t in _own_tags(ctx) if not args.get("src") or t.src == args["src"]]
    return connection(tags, script_tag_node, lambda t: t.id, args)


def script_tag_create(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:  # noqa: A002
    ctx: Ctx = info.context
    src = str(input.get("src") or "")
    if not src.startswith(("https://", "http://")):
        return {"scriptTag": None, "userErrors": [user_error(["input", "src"], "Src is invalid")]}
    tag = ScriptTag(
        id=ctx.emulator.state.next_id(),
        client_id=ctx.token.client_id,
        src=src,
        display_scope=str(input.get("displayScope") or "ALL").lower(),
        created_at=ctx.now,
        cache=bool(input.get("cache")),
    )
    ctx.shop.script_tags[tag.id] = tag
    return {"scriptTag": script_tag_node(tag), "userErrors": []}


def script_tag_delete(_root: Any, info: GraphQLResolveInfo, id: str) -> dict:  # noqa: A002
    ctx: Ctx = info.context
    tag = ctx.shop.script_tags.get(parse_gid(id, "ScriptTag") or -1)
    if tag is None or tag.client_id != ctx.token.client_id:
        return {"deletedScriptTagId": None, "userErrors": [user_error(["id"], "Not Found")]}
    del ctx.shop.script_tags[tag.id]
    return {"deletedScriptTagId": id, "userErrors": []}


def _installation_id(ctx: Ctx) -> str:
    return gid("AppInstallation", ctx.emulator.state.apps[ctx.token.client_id].app_id)


def _metafield_node(ctx: Ctx, namespace: str, key: str, stored: tuple[str, str]) -> dict:
    number = zlib.crc32(f"{ctx.token.client_id}/{namespace}/{key}".encode())
    return {
        "id": gid("Metafield", number),
        "namespace": namespace,
        "key": key,
        "type": stored[0],
        "value": stored[1],
    }


def metafields_set(_root: Any, info: GraphQLResolveInfo, metafields: list[dict]) -> dict:
    """All or nothing, as documented; only the caller's own installation is an owner here."""
    ctx: Ctx = info.context
    errors = []
    if len(metafields) > MAX_METAFIELDS:
        errors.append(user_error(["metafields"], f"Exceeded the maximum of {MAX_METAFIELDS}."))
    for index, field in enumerate(metafields):
        if field["ownerId"] != _installation_id(ctx):
            errors.append(user_error(["metafields", str(index), "ownerId"], "Owner not found."))
        if not field.get("type"):
            errors.append(user_error(["metafields", str(index), "type"], "Type can't be blank."))
    if errors:
        return {"metafields": None, "userErrors": errors}
    mine = ctx.shop.app_metafields.setdefault(ctx.token.client_id, {})
    written = []
    for field in metafields:
        namespace = field.get("namespace") or DEFAULT_NAMESPACE
        stored = mine[(namespace, field["key"])] = (field["type"], field["value"])
        written.append(_metafield_node(ctx, namespace, field["key"], stored))
    return {"metafields": written, "userErrors": []}


def resolve_installation_metafield(
    _installation: Any, info: GraphQLResolveInfo, key: str, namespace: str | None = None
) -> dict | None:
    ctx: Ctx = info.context
    stored = ctx.shop.app_metafields.get(ctx.token.client_id, {})
    found = stored.get((namespace or DEFAULT_NAMESPACE, key))
    return _metafield_node(ctx, namespace or DEFAULT_NAMESPACE, key, found) if found else None


QUERIES = {"scriptTags": resolve_script_tags}
MUTATIONS = {
    "scriptTagCreate": script_tag_create,
    "scriptTagDelete": script_tag_delete,
    "metafieldsSet": metafields_set,
}
FIELDS = {("AppInstallation", "metafield"): resolve_installation_metafield}
