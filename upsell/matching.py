"""Which funnel, if any, an order's shopper sees: the first active funnel (by priority)
whose trigger matches what was bought, where it goes and who bought it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from upsell.funnels import FunnelDefinition, Trigger, parse_definition
from upsell.models import Funnel, FunnelVersion


@dataclass(frozen=True)
class OrderFacts:
    """What a trigger may ask of an order. Collections and customer tags cost a platform
    call, so they are fetched only when an active funnel's trigger needs them."""

    product_ids: frozenset[str]
    total: Decimal
    country: str
    collection_ids: Callable[[], frozenset[str]] = field(default=lambda: frozenset())
    customer_tags: Callable[[], frozenset[str]] = field(default=lambda: frozenset())


def matches(trigger: Trigger, facts: OrderFacts) -> bool:
    if trigger.kind == "always":
        return True
    if trigger.kind == "order_total":
        low_ok = trigger.min_total is None or facts.total >= trigger.min_total
        return low_ok and (trigger.max_total is None or facts.total <= trigger.max_total)
    if trigger.kind == "products":
        return not facts.product_ids.isdisjoint(trigger.ids)
    if trigger.kind == "country":
        return facts.country.upper() in trigger.ids
    if trigger.kind == "collections":
        return not facts.collection_ids().isdisjoint(trigger.ids)
    if trigger.kind == "customer_tags":
        wanted = {tag.casefold() for tag in trigger.ids}
        return any(tag.casefold() in wanted for tag in facts.customer_tags())
    return False


def choose_funnel(
    candidates: Sequence[tuple[Funnel, FunnelVersion]], facts: OrderFacts
) -> tuple[FunnelVersion, FunnelDefinition] | None:
    """The first candidate (already in priority order) whose trigger matches."""
    for _funnel, version in candidates:
        definition = parse_definition(version.definition)
        if matches(definition.trigger, facts):
            return version, definition
    return None
