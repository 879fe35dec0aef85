"""Calculated query cost, by Shopify's published rules.

Scalars and enums 0, objects 1, connections 2 + (first|last) × the cost of one node,
mutations 10 (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, "Cost
calculation"). The requested cost uses the page sizes asked for; the actual cost walks the
answer and counts the nodes really returned.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MUTATION_COST = 10
CONNECTION_COST = 2


class CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def operation(self, operation: OperationDefinitionNode, data: Any = None) -> int:
        if operation.operation == OperationType.MUTATION:
            return MUTATION_COST * len(self._fields(operation.selection_set))
        root = self.schema.query_type
        if root is None:
            return 0
        return self._selection(operation.selection_set, root, data, actual=data is not None)

    def _fields(self, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        """Fields of a selection set with fragments flattened (type conditions are all concrete)."""
        found: list[FieldNode] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(self._fields(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    found.extend(self._fields(fragment.selection_set))
        return found

    def _selection(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLObjectType,
        data: Any,
        *,
        actual: bool,
    ) -> int:
        total = 0
        for node in self._fields(selection_set):
            definition = parent.fields.get(node.name.value)
            if definition is None:
                continue  # __typename and friends cost nothing
            named = get_named_type(definition.type)
            if is_leaf_type(named) or not isinstance(named, GraphQLObjectType):
                continue
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            if actual and value is None:
                continue
            if named.name.endswith("Connection"):
                total += self._connection(node, named, value, actual=actual)
            elif isinstance(value, list):
                total += 1 + max(
                    (self._selection(node.selection_set, named, v, actual=True) for v in value),
                    default=0,
                )
            else:
                total += 1 + self._selection(node.selection_set, named, value, actual=actual)
        return total

    def _connection(
        self, node: FieldNode, connection: GraphQLObjectType, value: Any, *, actual: bool
    ) -> int:
        cost = CONNECTION_COST
        for part in self._fields(node.selection_set):
            name = part.name.value
            key = part.alias.value if part.alias else name
            if name == "edges":
                edge_type = _object(connection.fields["edges"].type)
                items = value.get(key) if actual else None
                cost += self._per_item(part, edge_type, items, node, actual=actual)
            elif name == "nodes":
                node_type = _object(connection.fields["nodes"].type)
                items = value.get(key) if actual else None
                cost += self._nodes(part, node_type, items, node, actual=actual)
        return cost

    def _per_item(
        self,
        edges: FieldNode,
        edge_type: GraphQLObjectType,
        items: Any,
        owner: FieldNode,
        *,
        actual: bool,
    ) -> int:
        """Edges are free; each edge's node is an object."""
        if actual:
            return sum(
                self._selection(edges.selection_set, edge_type, item, actual=True)
                for item in items or []
            )
        return self._page_size(owner) * self._selection(
            edges.selection_set, edge_type, None, actual=False
        )

    def _nodes(
        self,
        nodes: FieldNode,
        node_type: GraphQLObjectType,
        items: Any,
        owner: FieldNode,
        *,
        actual: bool,
    ) -> int:
        if actual:
            return sum(
                1 + self._selection(nodes.selection_set, node_type, item, actual=True)
                for item in items or []
            )
        return self._page_size(owner) * (
            1 + self._selection(nodes.selection_set, node_type, None, actual=False)
        )

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    return int(given) if isinstance(given, int) else 0
        return 0


def _object(field_type: Any) -> GraphQLObjectType:
    named = get_named_type(field_type)
    if not isinstance(named, GraphQLObjectType):
        raise TypeError(f"{named} is not an object type")
    return named
