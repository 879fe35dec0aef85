"""The store control panel's app pages: install consent, and the app opened in an iframe.

bigcommerce/docs docs/integrations/apps/guide/auth.mdx and callbacks.mdx: the
merchant clicks Install, accepts every scope, and the control panel renders the
app's auth callback in an iframe; opening an installed app renders its load
callback (with signed_payload_jwt) in the same iframe. A user is picked with
?user=<id> (the owner by default) since the sandbox has no login.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from sandbox.bigcommerce import auth
from sandbox.bigcommerce.api import emulator
from sandbox.bigcommerce.callbacks import signed_query
from sandbox.bigcommerce.state import App, Store, User

blueprint = Blueprint(
    "bigcommerce_control_panel",
    __name__,
    url_prefix="/bigcommerce/manage",
    template_folder="templates",
)


def _context(app_id: str) -> tuple[App, Store, User]:
    state = emulator().state
    app = state.app_by_id(app_id)
    store = state.stores.get(request.args.get("store", ""))
    if app is None or store is None:
        abort(404, "unknown app or store")
    user_id = request.args.get("user", type=int) or store.owner.id
    user = store.users.get(user_id)
    if user is None:
        abort(403, f"user {user_id} has no access to store {store.hash}")
    return app, store, user


@blueprint.route("/marketplace/apps/<app_id>", methods=["GET", "POST"])
def install_page(app_id: str) -> str:
    """GET: the consent card with the Install button; POST: the app's auth callback framed."""
    bc = emulator()
    with bc.state.lock:
        app, store, user = _context(app_id)
    frame_url = None
    if request.method == "POST":
        frame_url = auth.issue_code(bc.state, app, store, user.id, bc.context.clock.now())
    return render_template(
        "bigcommerce/control_panel.html",
        title=f"Install {app.name}",
        app=app,
        store=store,
        user=user,
        frame_url=frame_url,
    )


@blueprint.get("/app/<app_id>")
def app_page(app_id: str) -> str:
    """An installed app, loaded through its load callback inside the control panel."""
    bc = emulator()
    with bc.state.lock:
        app, store, user = _context(app_id)
        if (store.hash, app.client_id) not in bc.state.installations:
            abort(404, f"{app.name} is not installed on this store")
        query = signed_query(app, store, user, bc.context.clock.now(), f"/manage/app/{app_id}")
    return render_template(
        "bigcommerce/control_panel.html",
        title=app.name,
        app=app,
        store=store,
        user=user,
        frame_url=f"{app.load_callback}?{query}",
    )
