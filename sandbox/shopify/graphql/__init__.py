"""Admin GraphQL: parse and validate with graphql-core, price the query, throttle, execute.

The answer carries `extensions.cost` like Shopify's. Bad documents get top-level
`errors` (HTTP 200, as Shopify answers them); a throttled call gets THROTTLED with no
`data`; a query over the 1000-point ceiling gets MAX_COST_EXCEEDED.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute,
    get_operation_ast,
    parse,
    validate,
)

from sandbox.shopify.graphql import access, edit_pricing, mutations, online_store, queries
from sandbox.shopify.graphql.cost import CostWalker
from sandbox.shopify.graphql.nodes import Ctx
from sandbox.shopify.graphql.sdl import SDL
from sandbox.shopify.ratelimit import MAX_QUERY_COST

RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"


@cache
def schema() -> GraphQLSchema:
    built = build_schema(SDL + online_store.SDL + edit_pricing.SDL)
    for root, resolvers in (
        (built.query_type, {**queries.RESOLVERS, **online_store.QUERIES}),
        (
            built.mutation_type,
            {**mutations.RESOLVERS, **online_store.MUTATIONS, **edit_pricing.MUTATIONS},
        ),
    ):
        if not isinstance(root, GraphQLObjectType):
            raise TypeError("the SDL must define query and mutation roots")
        for name, resolver in resolvers.items():
            root.fields[name].resolve = access.guarded(name, resolver)
    for (type_name, field_name), resolver in online_store.FIELDS.items():
        owner = built.get_type(type_name)
        if not isinstance(owner, GraphQLObjectType):
            raise TypeError(f"the SDL must define {type_name}")
        owner.fields[field_name].resolve = resolver
    return built


def _errors(messages: list[GraphQLError]) -> dict[str, Any]:
    return {"errors": [error.formatted for error in messages]}


def run(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    """Answer one POST to graphql.json; the caller holds `state.lock`."""
    query = body.get("query")
    variables = body.get("variables") or {}
    if not isinstance(query, str) or not isinstance(variables, dict):
        return {"errors": [{"message": "Parameter Missing or Invalid: query"}]}
    try:
        document: DocumentNode = parse(query)
    except GraphQLError as error:
        return _errors([error])
    problems = validate(schema(), document)
    if problems:
        return _errors(problems)
    operation = get_operation_ast(document, body.get("operationName"))
    if not isinstance(operation, OperationDefinitionNode):
        return {"errors": [{"message": "An operation name is required"}]}
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = CostWalker(schema(), fragments, variables)
    requested = walker.operation(operation)
    limits = ctx.emulator.limits
    key, plan = (ctx.token.client_id, ctx.shop.domain), ctx.shop.plan
    if requested > MAX_QUERY_COST:
        return {
            "errors": [
                {
                    "message": f"Query cost is {requested}, which exceeds the single query max "
                    f"cost limit ({MAX_QUERY_COST}).",
                    "extensions": {
                        "code": "MAX_COST_EXCEEDED",
                        "cost": requested,
                        "maxCost": MAX_QUERY_COST,
                    },
                }
            ],
        }
    granted, status = limits.reserve(key, plan, requested, ctx.now)
    cost: dict[str, Any] = {
        "requestedQueryCost": requested,
        "actualQueryCost": None,
        "throttleStatus": status,
    }
    if not granted:
        # https://community.shopify.com/t/throttled/254776 shows this exact shape.
        return {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
                }
            ],
            "extensions": {"cost": cost},
        }
    result = execute(
        schema(),
        document,
        variable_values=variables,
        context_value=ctx,
        operation_name=body.get("operationName"),
    )
    actual = (
        walker.operation(operation, result.data or {}) if result.data is not None else requested
    )
    actual = min(actual, requested)
    cost["actualQueryCost"] = actual
    cost["throttleStatus"] = limits.refund(key, plan, requested - actual, ctx.now)
    answer: dict[str, Any] = {}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    answer["data"] = result.data
    answer["extensions"] = {"cost": cost}
    return answer
