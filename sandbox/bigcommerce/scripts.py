"""v3 Scripts API (/v3/content/scripts) and how the storefront injects them.

bigcommerce/docs reference/scripts.v3.yml and docs/integrations/scripts.mdx:
fields name, description, html (one <script>, <= 64 KB) or src, kind
src | script_tag, load_method default | async | defer, location head | footer,
visibility storefront | all_pages | checkout | order_confirmation,
auto_uninstall, consent_category essential | functional | analytics | targeting,
enabled, channel_id, integrity_hashes (<= 5); checkout/all_pages need the
Checkout Content scope (store_content_checkout); 10 scripts per app. Themes render
head scripts in {{head.scripts}} and footer ones in {{footer.scripts}}.
"""

from __future__ import annotations

import html as html_escape
import uuid
from typing import Any

from flask import Response

from sandbox.bigcommerce.api import (
    api_blueprint,
    emulator,
    installation,
    json_object,
    no_content,
    store,
)
from sandbox.bigcommerce.catalog import iso, paginate
from sandbox.bigcommerce.responses import not_found, unprocessable, v3_data
from sandbox.bigcommerce.state import Script, Store

blueprint = api_blueprint("scripts", "v3", "store_v2_content")

CHOICES = {
    "kind": ("src", "script_tag"),
    "load_method": ("default", "async", "defer"),
    "location": ("head", "footer"),
    "visibility": ("storefront", "all_pages", "checkout", "order_confirmation"),
    "consent_category": ("essential", "functional", "analytics", "targeting"),
}
DEFAULTS = {
    "description": "",
    "html": "",
    "src": "",
    "auto_uninstall": True,
    "load_method": "default",
    "location": "footer",
    "visibility": "storefront",
    "kind": "src",
    "consent_category": "essential",
    "enabled": True,
    "channel_id": 1,
    "integrity_hashes": [],
}
MAX_SCRIPTS = 10
MAX_HTML = 65536
CHECKOUT_SCOPE = "store_content_checkout"


def script_json(script: Script) -> dict[str, Any]:
    return {
        "uuid": script.uuid,
        **script.fields,
        "api_client_id": script.client_id,
        "date_created": iso(script.date_created),
        "date_modified": iso(script.date_modified),
    }


def _validated(fields: dict[str, Any], scopes: list[str]) -> dict[str, Any]:
    errors = {}
    if not str(fields.get("name", "")).strip():
        errors["name"] = "name is required"
    for name, allowed in CHOICES.items():
        if fields[name] not in allowed:
            errors[name] = f"{name} must be one of {', '.join(allowed)}"
    if fields["kind"] == "src" and not str(fields["src"]).startswith(("https://", "http://")):
        errors["src"] = "a src script needs an absolute src URL"
    if fields["kind"] == "script_tag" and not fields["html"]:
        errors["html"] = "a script_tag script needs html"
    if len(str(fields["html"])) > MAX_HTML:
        errors["html"] = "html must be at most 65536 characters"
    if not isinstance(fields["integrity_hashes"], list) or len(fields["integrity_hashes"]) > 5:
        errors["integrity_hashes"] = "at most 5 integrity hashes"
    if fields["visibility"] in ("checkout", "all_pages") and CHECKOUT_SCOPE not in scopes:
        errors["visibility"] = "checkout and all_pages need the Checkout Content scope"
    if errors:
        raise unprocessable(errors)
    return fields


def _mine(current: Store) -> list[Script]:
    client_id = installation().client_id
    return sorted(
        (s for s in current.scripts.values() if s.client_id == client_id),
        key=lambda s: s.date_created,
    )


@blueprint.get("/content/scripts")
def list_scripts() -> Response:
    with emulator().state.lock:
        chunk, meta = paginate(_mine(store()))
        return v3_data([script_json(s) for s in chunk], meta=meta)


@blueprint.post("/content/scripts")
def create_script() -> Response:
    bc, body = emulator(), json_object()
    fields = {**DEFAULTS, **{k: v for k, v in body.items() if k in (*DEFAULTS, "name")}}
    fields = _validated(fields, installation().scope.split())
    with bc.state.lock:
        current = store()
        if len(_mine(current)) >= MAX_SCRIPTS:
            raise unprocessable({"scripts": f"an app may install at most {MAX_SCRIPTS} scripts"})
        now = bc.context.clock.now()
        script = Script(str(uuid.uuid4()), installation().client_id, fields, now, now)
        current.scripts[script.uuid] = script
        return v3_data(script_json(script))


def _find(script_uuid: str) -> Script:
    script = store().scripts.get(script_uuid)
    if script is None or script.client_id != installation().client_id:
        raise not_found("script")
    return script


@blueprint.get("/content/scripts/<script_uuid>")
def show_script(script_uuid: str) -> Response:
    with emulator().state.lock:
        return v3_data(script_json(_find(script_uuid)))


@blueprint.put("/content/scripts/<script_uuid>")
def update_script(script_uuid: str) -> Response:
    bc, body = emulator(), json_object()
    with bc.state.lock:
        script = _find(script_uuid)
        changes = {k: v for k, v in body.items() if k in (*DEFAULTS, "name")}
        script.fields = _validated({**script.fields, **changes}, installation().scope.split())
        script.date_modified = bc.context.clock.now()
        return v3_data(script_json(script))


@blueprint.delete("/content/scripts/<script_uuid>")
def delete_script(script_uuid: str) -> Response:
    with emulator().state.lock:
        del store().scripts[_find(script_uuid).uuid]
    return no_content()


def render_tags(current: Store, page: str, location: str) -> str:
    """The script tags a storefront page of kind `page` carries at `location`."""
    pages = {"storefront", "all_pages"} if page == "storefront" else {page, "all_pages"}
    tags = []
    for script in sorted(current.scripts.values(), key=lambda s: s.date_created):
        fields = script.fields
        if not fields["enabled"] or fields["location"] != location:
            continue
        if fields["visibility"] not in pages:
            continue
        tags.append(_tag(fields))
    return "\n".join(tags)


def _tag(fields: dict[str, Any]) -> str:
    if fields["kind"] == "script_tag":
        return str(fields["html"])
    attributes = [f'src="{html_escape.escape(fields["src"])}"']
    if fields["load_method"] != "default":
        attributes.append(fields["load_method"])
    if fields["integrity_hashes"]:
        hashes = " ".join(
            f"{h['hash_algorithm']}-{h['hash']}" if isinstance(h, dict) else str(h)
            for h in fields["integrity_hashes"]
        )
        attributes.append(f'integrity="{html_escape.escape(hashes)}" crossorigin="anonymous"')
    return f"<script {' '.join(attributes)}></script>"
