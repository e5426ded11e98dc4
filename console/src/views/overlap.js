// The brand overlap heatmap: every pair of the chosen brands (audienceOverlapMatrix, one
// statement on the hub), coloured by Jaccard or lift. It is an HTML table, so screen
// readers and keyboards read the same numbers the colours show.
import { query } from "../api.js";
import { fill, fmt, h, notice } from "../dom.js";

const MATRIX = `query ConsoleOverlap($brands: [ID!]!) {
  audienceOverlapMatrix(brands: $brands) {
    customersInGraph
    brands { audience brand { brandId name } }
    pairs { a { brandId } b { brandId } shared jaccard lift }
  }
}`;

const MEASURES = { jaccard: "Jaccard (shared / union)", lift: "Lift (shared / expected if independent)" };

/** Background of a cell: white at 0, the theme's blue at the largest value shown. */
function shade(value, max) {
  const t = max > 0 && value !== null ? Math.min(1, value / max) : 0;
  const mix = (from, to) => Math.round(from + (to - from) * t);
  return { background: `rgb(${mix(255, 24)}, ${mix(255, 78)}, ${mix(255, 160)})`, dark: t > 0.55 };
}

export async function overlapHeatmap(body, { params, go }) {
  const brands = params.get("brands") ?? "";
  const measure = MEASURES[params.get("measure")] ? params.get("measure") : "jaccard";
  const input = h("input", { id: "overlap-brands", name: "brands", type: "text", value: brands, autocomplete: "off", "aria-describedby": "overlap-hint" });
  const select = h("select", { id: "overlap-measure", name: "measure" }, Object.entries(MEASURES).map(([value, label]) => h("option", { value, selected: value === measure }, label)));
  const form = h(
    "form",
    { onsubmit: (event) => (event.preventDefault(), go("overlap", null, { brands: input.value.replace(/\s+/g, ""), measure: select.value })) },
    h("label", { for: "overlap-brands" }, "Brands"),
    input,
    h("span", { class: "hint", id: "overlap-hint" }, "Brand ids or keys, separated by commas (2 to 50)."),
    h("label", { for: "overlap-measure" }, "Measure"),
    select,
    h("button", { type: "submit" }, "Show overlap"),
  );
  const result = h("div", { "aria-live": "polite" });
  fill(body, form, result);
  const ids = brands.split(",").filter(Boolean);
  if (ids.length < 2) return fill(result, notice("Name at least two brands."));
  const matrix = (await query(MATRIX, { brands: ids })).audienceOverlapMatrix;
  const order = matrix.brands.map((b) => b.brand.brandId);
  const cell = new Map();
  for (const pair of matrix.pairs) {
    cell.set(`${pair.a.brandId}|${pair.b.brandId}`, pair);
    cell.set(`${pair.b.brandId}|${pair.a.brandId}`, pair);
  }
  // How strong an overlap looks: Jaccard as it is; lift by how far it is above 1 (what
  // chance alone gives), so that pairs at or below chance stay white.
  const strength = (v) => (v === null || v === undefined ? null : measure === "lift" ? Math.max(0, v - 1) : v);
  const max = Math.max(0, ...matrix.pairs.map((p) => strength(p[measure]) ?? 0));
  const label = (b) => b.brand.name ?? b.brand.brandId;
  const heatmap = h(
    "table",
    { class: "heatmap", id: "heatmap", dataset: { measure } },
    h("caption", {}, `${MEASURES[measure]} of each pair of brand audiences (${matrix.customersInGraph} customers in the graph); darker: more overlap${measure === "lift" ? " above chance" : ""}`),
    h("thead", {}, h("tr", {}, h("td", {}), matrix.brands.map((b) => h("th", { scope: "col" }, label(b))))),
    h(
      "tbody",
      {},
      matrix.brands.map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, `${label(row)} (${row.audience})`),
          matrix.brands.map((col) => {
            if (row.brand.brandId === col.brand.brandId) return h("td", { class: "self" }, "—");
            const pair = cell.get(`${row.brand.brandId}|${col.brand.brandId}`);
            const value = pair ? pair[measure] : null;
            const td = h(
              "td",
              { class: "num", title: pair ? `${label(row)} × ${label(col)}: ${pair.shared} shared, Jaccard ${fmt.number(pair.jaccard, 3)}, lift ${fmt.number(pair.lift)}` : null },
              fmt.number(value, measure === "jaccard" ? 3 : 2),
            );
            const { background, dark } = shade(strength(value), max);
            td.style.backgroundColor = background; // CSSOM, which the page's CSP allows
            if (dark) td.classList.add("dark");
            return td;
          }),
        ),
      ),
    ),
  );
  fill(result, heatmap);
  if (order.length < ids.length) result.prepend(notice(`Unknown brands were left out: ${ids.filter((id) => !order.includes(id)).join(", ")}.`));
}
