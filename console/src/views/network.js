// A neighbourhood of the graph (customers, accounts, brands, posts... within 1 to 3 hops),
// drawn with cytoscape.js (bundled, nothing fetched) in rings by distance. The same nodes
// and edges are listed in tables below the drawing, for keyboards and screen readers.
import cytoscape from "cytoscape";
import { query } from "../api.js";
import { fill, h, notice, table } from "../dom.js";

const NEIGHBOURHOOD = `query ConsoleNetwork($node: ID!, $hops: Int!, $maxNodes: Int!, $first: Int!) {
  neighbourhood(node: $node, hops: $hops, maxNodes: $maxNodes) {
    truncated
    nodes(first: $first) { totalCount nodes { type key globalId displayName distance } }
    edges(first: $first) { totalCount nodes { fromType fromKey type toType toKey count } }
  }
}`;

const COLOURS = {
  Customer: "#1f4e9c", SocialAccount: "#2a7f62", Brand: "#b5441b", Post: "#6b4c9a",
  Purchase: "#8a6d00", Product: "#a33a6b", Complaint: "#b00020", Tag: "#4a5560",
};

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
      "background-color": "data(colour)", width: 18, height: 18, color: "#1b1b1b",
    },
  },
  { selector: "node[distance = 0]", style: { width: 28, height: 28, "border-width": 3, "border-color": "#111" } },
  {
    selector: "edge",
    style: {
      width: "mapData(count, 1, 10, 1, 5)", "line-color": "#9aa5b1", "curve-style": "bezier",
      "target-arrow-shape": "triangle", "target-arrow-color": "#9aa5b1", "arrow-scale": 0.7,
    },
  },
];

const nodeId = (type, key) => `${type}:${key}`;

export async function networkView(body, { params, go }) {
  const node = params.get("node") ?? "";
  const hops = ["1", "2", "3"].includes(params.get("hops")) ? params.get("hops") : "1";
  const input = h("input", { id: "network-node", name: "node", type: "text", value: node, autocomplete: "off" });
  const select = h("select", { id: "network-hops", name: "hops" }, ["1", "2", "3"].map((n) => h("option", { value: n, selected: n === hops }, n)));
  const form = h(
    "form",
    { onsubmit: (event) => (event.preventDefault(), go("network", null, { node: input.value.trim(), hops: select.value })) },
    h("label", { for: "network-node" }, "Start from (customer key or any global id)"),
    input,
    h("label", { for: "network-hops" }, "Hops"),
    select,
    h("button", { type: "submit" }, "Draw"),
  );
  const result = h("div", { "aria-live": "polite" });
  fill(body, form, result);
  if (!node) return fill(result, notice("Name a node to start from."));
  const n = (await query(NEIGHBOURHOOD, { node, hops: Number(hops), maxNodes: 100, first: 100 })).neighbourhood;
  const nodes = n.nodes.nodes;
  const known = new Set(nodes.map((x) => nodeId(x.type, x.key)));
  const edges = n.edges.nodes.filter((e) => known.has(nodeId(e.fromType, e.fromKey)) && known.has(nodeId(e.toType, e.toKey)));
  const summary = `${nodes.length} nodes and ${edges.length} edges within ${hops} hop${hops === "1" ? "" : "s"} of ${node}${n.truncated ? " (truncated: the neighbourhood is larger)" : ""}`;
  const canvas = h("div", { id: "network", class: "network", role: "img", "aria-label": `Network drawing: ${summary}. The tables below list the same nodes and edges.` });
  const label = (x) => x.displayName ?? x.key;
  fill(
    result,
    notice(summary + "."),
    canvas,
    table(
      "Nodes",
      [
        ["Type", (x) => x.type],
        ["Name", (x) => (x.type === "Customer" ? h("a", { href: `#/customer/${encodeURIComponent(x.key)}` }, label(x)) : label(x))],
        ["Hops away", (x) => x.distance ?? "—", "num"],
      ],
      nodes,
    ),
    table(
      "Edges",
      [
        ["From", (e) => `${e.fromType} ${e.fromKey}`],
        ["Relationship", (e) => e.type],
        ["To", (e) => `${e.toType} ${e.toKey}`],
        ["Count", (e) => e.count, "num"],
      ],
      edges,
    ),
  );
  const cy = cytoscape({
    container: canvas,
    style: STYLE,
    elements: [
      ...nodes.map((x) => ({
        data: { id: nodeId(x.type, x.key), label: label(x), colour: COLOURS[x.type] ?? "#555", distance: x.distance ?? 0, type: x.type, key: x.key },
      })),
      ...edges.map((e, i) => ({
        data: { id: `e${i}`, source: nodeId(e.fromType, e.fromKey), target: nodeId(e.toType, e.toKey), count: e.count },
      })),
    ],
    layout: { name: "concentric", concentric: (el) => 10 - (el.data("distance") ?? 0), levelWidth: () => 1, animate: false },
    wheelSensitivity: 0.3,
  });
  cy.on("tap", "node[type = 'Customer']", (event) => go("customer", event.target.data("key")));
  // Read by the browser test: what cytoscape drew, not what was asked for.
  canvas.dataset.nodes = String(cy.nodes().length);
  canvas.dataset.edges = String(cy.edges().length);
}
