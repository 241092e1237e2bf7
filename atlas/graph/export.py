"""Writers for the graph: node-link JSON (the site's graph.json), GraphML, GEXF and DOT.

One model, several writers: each takes the networkx graph of `atlas.graph` (with the drawing
attributes of `atlas.layout` merged in) and returns text; none re-reads the records.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, TypeVar

import networkx as nx

from atlas.graph.layout import layout

if TYPE_CHECKING:
    from pydot.core import Common

_Element = TypeVar("_Element", bound="Common")  # a pydot node or edge


def with_layout(graph: nx.MultiDiGraph, positions: dict[str, dict[str, float | str]] | None = None) -> nx.MultiDiGraph:
    """A copy of the graph whose drawn nodes carry x, y, size and color (computed unless given)."""
    drawn = graph.copy()
    for node, attributes in (positions or layout(graph)).items():
        drawn.nodes[node].update(attributes)
    return drawn


def to_json(graph: nx.MultiDiGraph) -> str:
    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def to_graphml(graph: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


def to_gexf(graph: nx.MultiDiGraph) -> str:
    text = "\n".join(nx.generate_gexf(graph, prettyprint=True)) + "\n"
    return re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1)  # the same graph gives the same file


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT through pydot; ids and values quoted, as DOT needs for ':' and spaces."""
    import pydot

    dot = pydot.Dot("atlas", graph_type="digraph", strict=False)
    for node, data in graph.nodes(data=True):
        dot.add_node(_with_dot_attributes(pydot.Node(_dot_id(node)), data))
    for source, target, data in graph.edges(data=True):
        dot.add_edge(_with_dot_attributes(pydot.Edge(_dot_id(source), _dot_id(target)), data))
    return dot.to_string()


def _with_dot_attributes(element: _Element, data: dict[str, object]) -> _Element:
    """The node or edge with the graph's attributes set one by one, not as keyword arguments: an
    attribute named like a pydot parameter (`name`, `obj_dict`) stays an attribute."""
    for name, value in data.items():
        element.set(name, _dot_id(str(value)))
    return element


WRITERS = {"json": to_json, "graphml": to_graphml, "gexf": to_gexf, "dot": to_dot}


def export(graph: nx.MultiDiGraph, format: str) -> str:
    return WRITERS[format](with_layout(graph))
