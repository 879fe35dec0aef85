"""The auth package's one blueprint; the platform modules add their routes to it."""

from __future__ import annotations

from flask import Blueprint

from auth import errors

blueprint = Blueprint("auth", __name__)
errors.register(blueprint)
