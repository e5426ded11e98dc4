// A brand's audience: its size by engagement kind and its growth month by month, as bars
// (an SVG with a text summary) and as a table.
import { query } from "../api.js";
import { facts, fill, h, notice, table } from "../dom.js";

const AUDIENCE = `query ConsoleGrowth($brand: ID!, $first: Int!) {
  brandAudience(brand: $brand) {
    brand { brandId name }
    customers followers interactors purchasers undatedMembers
    growth(first: $first) { totalCount nodes { month newMembers runningTotal } }
  }
}`;

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

function bars(months) {
  const width = 640, height = 200, gap = 2;
  const max = Math.max(1, ...months.map((m) => m.newMembers));
  const w = months.length ? width / months.length : width;
  const title = `New audience members per month, ${months[0]?.month ?? ""} to ${months.at(-1)?.month ?? ""}, at most ${max}`;
  return svg(
    "svg",
    { viewBox: `0 0 ${width} ${height + 20}`, role: "img", "aria-label": title, class: "bars", id: "growth-chart" },
    svg("title", {}, title),
    ...months.map((m, i) => {
      const bar = Math.round((m.newMembers / max) * height);
      return svg("rect", { x: i * w + gap / 2, y: height - bar, width: Math.max(1, w - gap), height: bar }, svg("title", {}, `${m.month}: ${m.newMembers}`));
    }),
  );
}

export async function audienceGrowth(body, { params, go, heading }) {
  const brand = params.get("brand") ?? "";
  const input = h("input", { id: "growth-brand", name: "brand", type: "text", value: brand, autocomplete: "off" });
  const form = h(
    "form",
    { onsubmit: (event) => (event.preventDefault(), go("growth", null, { brand: input.value.trim() })) },
    h("label", { for: "growth-brand" }, "Brand id or key"),
    input,
    h("button", { type: "submit" }, "Show growth"),
  );
  const result = h("div", { "aria-live": "polite" });
  fill(body, form, result);
  if (!brand) return fill(result, notice("Name a brand."));
  const a = (await query(AUDIENCE, { brand, first: 100 })).brandAudience;
  fill(heading, `Audience growth: ${a.brand.name ?? a.brand.brandId}`);
  const months = a.growth.nodes;
  fill(
    result,
    facts([
      ["Customers", a.customers],
      ["Followers", a.followers],
      ["Interactors", a.interactors],
      ["Purchasers", a.purchasers],
      ["Members with no date", a.undatedMembers],
    ]),
    months.length ? bars(months) : notice("No dated members yet."),
    table(
      "Audience by month",
      [
        ["Month", (m) => m.month],
        ["New members", (m) => m.newMembers, "num"],
        ["Running total", (m) => m.runningTotal, "num"],
      ],
      months,
    ),
  );
}
