// Customer search: the `customers` list filtered by `search` (name, email, phone, ids).
import { query } from "../api.js";
import { fill, h, notice, table } from "../dom.js";

const SEARCH = `query ConsoleSearch($q: String, $first: Int!) {
  customers(first: $first, filter: { search: $q }) {
    totalCount
    nodes { id customerId name city country profileLoaded }
  }
}`;

export async function searchView(body, { params, go }) {
  const q = params.get("q") ?? "";
  const input = h("input", { id: "search-q", name: "q", type: "search", value: q, autocomplete: "off" });
  const form = h(
    "form",
    { role: "search", onsubmit: (event) => (event.preventDefault(), go("search", null, { q: input.value.trim() })) },
    h("label", { for: "search-q" }, "Search customers (name, email, phone or id)"),
    input,
    h("button", { type: "submit" }, "Search"),
  );
  const results = h("div", { "aria-live": "polite" });
  fill(body, form, results);
  if (!q) return;
  const data = await query(SEARCH, { q, first: 50 });
  const { nodes, totalCount } = data.customers;
  fill(
    results,
    notice(`${totalCount} customer${totalCount === 1 ? "" : "s"} found${totalCount > nodes.length ? `, first ${nodes.length} shown` : ""}.`),
    table(
      "Matching customers",
      [
        ["Name", (c) => h("a", { href: `#/customer/${encodeURIComponent(c.customerId)}` }, c.name ?? c.customerId)],
        ["Customer id", (c) => c.customerId],
        ["City", (c) => c.city ?? "—"],
        ["Country", (c) => c.country ?? "—"],
        ["Profile", (c) => (c.profileLoaded ? "loaded" : "not loaded yet")],
      ],
      nodes,
      { id: "search-results" },
    ),
  );
}
