"""The control API under /_control/: what tests use to steer the sandbox.

Reset and seed, list what the platforms hold, move the clock, arm faults, and
switch delivery chaos (duplicates, reordering). Emulators add their own routes
under /_control/<name>/.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from sandbox.delivery import DeliveryChaos
from sandbox.faults import FaultRule, FaultRuleError
from sandbox.server import SandboxContext, sandbox_context

blueprint = Blueprint("sandbox_control", __name__, url_prefix="/_control")


def _context() -> SandboxContext:
    return sandbox_context(current_app)


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.content_length:
        raise FaultRuleError("the body must be a JSON object")
    if body is not None and not isinstance(body, dict):
        raise FaultRuleError("the body must be a JSON object")
    return body or {}


@blueprint.errorhandler(FaultRuleError)
@blueprint.errorhandler(ValueError)
def _bad_request(error: ValueError):
    return jsonify(error=str(error)), 400


@blueprint.get("/health")
def health():
    return jsonify(status="ok", emulators=[emulator.name for emulator in _context().emulators])


@blueprint.post("/reset")
def reset():
    _context().reset()
    return jsonify(status="reset")


@blueprint.post("/seed")
def seed():
    name = _json_body().get("seed", "demo")
    _context().seed(name)
    return jsonify(status="seeded", seed=name)


@blueprint.get("/state")
def state():
    return jsonify({emulator.name: emulator.snapshot() for emulator in _context().emulators})


@blueprint.get("/clock")
def clock():
    context = _context()
    return jsonify(now=context.clock.now(), scale=context.clock.scale)


@blueprint.post("/clock")
def set_clock():
    body, context = _json_body(), _context()
    if "scale" in body:
        context.clock.set_scale(float(body["scale"]))
    if "advance" in body:
        context.clock.advance(float(body["advance"]))
    return jsonify(now=context.clock.now(), scale=context.clock.scale)


@blueprint.get("/faults")
def list_faults():
    return jsonify(faults=_context().faults.rules())


@blueprint.post("/faults")
def add_fault():
    rule = _context().faults.add(FaultRule.from_json(_json_body()))
    return jsonify(rule.describe()), 201


@blueprint.delete("/faults")
def clear_faults():
    _context().faults.clear()
    return jsonify(faults=[])


@blueprint.get("/deliveries")
def deliveries():
    return jsonify(deliveries=_context().deliverer.deliveries())


@blueprint.post("/deliveries/chaos")
def delivery_chaos():
    body = _json_body()
    chaos = DeliveryChaos(
        duplicate_probability=float(body.get("duplicate_probability", 0.0)),
        reorder_window=float(body.get("reorder_window", 0.0)),
    )
    if not 0 <= chaos.duplicate_probability <= 1 or chaos.reorder_window < 0:
        raise FaultRuleError("duplicate_probability is in [0, 1] and reorder_window >= 0")
    _context().deliverer.chaos = chaos
    return jsonify(vars(chaos))


@blueprint.post("/deliveries/wait")
def wait_for_deliveries():
    timeout = float(_json_body().get("timeout", 10))
    idle = _context().deliverer.wait_idle(min(timeout, 60))
    return jsonify(idle=idle), (200 if idle else 504)
