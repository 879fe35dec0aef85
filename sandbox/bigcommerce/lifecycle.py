"""Uninstalling an app and removing a store user, with their server-side callbacks.

bigcommerce/docs docs/integrations/apps/guide/callbacks.mdx: the uninstall and
remove_user callbacks are GET requests from BigCommerce's servers carrying
signed_payload_jwt. Uninstall revokes the app's token (401 from then on), deletes
its webhooks (webhooks/overview.mdx) and its scripts marked auto_uninstall
(reference/scripts.v3.yml). store/app/uninstalled is documented as "a client
store is cancelled and uninstalled"; the sandbox also sends it to the app's own
hooks on uninstall (data {type: "store", id}), before the hooks are deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.bigcommerce import callbacks, webhooks

if TYPE_CHECKING:
    from sandbox.bigcommerce import BigCommerceEmulator


class LifecycleError(ValueError):
    """The store, app, installation or user named does not exist."""


def uninstall(
    bc: BigCommerceEmulator, store_hash: str, client_id: str, user_id: int | None
) -> dict[str, object]:
    """Uninstall `client_id` from the store as `user_id` (the owner by default)."""
    state = bc.state
    with state.lock:
        store = state.stores.get(store_hash)
        if store is None or (store_hash, client_id) not in state.installations:
            raise LifecycleError(f"app {client_id} is not installed on store {store_hash}")
        user = store.users.get(user_id or store.owner.id)
        if user is None:
            raise LifecycleError(f"user {user_id} is not a user of store {store_hash}")
        app = state.apps[client_id]
    data = {"type": "store", "id": str(store.id)}
    webhooks.fire(bc, store_hash, "store/app/uninstalled", data, only_client=client_id)
    with state.lock:
        del state.installations[(store_hash, client_id)]
        store.hooks = {k: h for k, h in store.hooks.items() if h.client_id != client_id}
        store.scripts = {
            k: s
            for k, s in store.scripts.items()
            if s.client_id != client_id or not s.fields.get("auto_uninstall", True)
        }
        query = callbacks.signed_query(app, store, user, bc.context.clock.now())
    result = callbacks.call(app.uninstall_callback, query) if app.uninstall_callback else None
    return {"uninstalled": True, "callback": result.describe() if result else None}


def remove_user(bc: BigCommerceEmulator, store_hash: str, user_id: int) -> dict[str, object]:
    """Remove a (non-owner) user from the store and tell every installed app."""
    state = bc.state
    with state.lock:
        store = state.stores.get(store_hash)
        if store is None or user_id not in store.users:
            raise LifecycleError(f"user {user_id} is not a user of store {store_hash}")
        if user_id == store.owner.id:
            raise LifecycleError("the store owner cannot be removed")
        user = store.users.pop(user_id)
        calls = []
        for (hash_, client_id), _installed in state.installations.items():
            app = state.apps.get(client_id)
            if hash_ == store_hash and app is not None and app.remove_user_callback:
                query = callbacks.signed_query(app, store, user, bc.context.clock.now())
                calls.append((app.remove_user_callback, query))
    results = [callbacks.call(url, query).describe() for url, query in calls]
    return {"removed": user_id, "callbacks": results}
