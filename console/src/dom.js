// Building the page from data without innerHTML: every value a customer or an API key
// holder wrote reaches the page as text, never as markup.

/** An element: h("td", { class: "num" }, "3"). Attributes starting with "on" are
 *  listeners; null, undefined and false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace what `el` holds with `children`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table with a caption, column headers and one row per item; `columns` are
 *  [header, item => cell content, class?]. An empty list says so in one row. */
export function table(caption, columns, items, attrs = {}) {
  return h(
    "table",
    attrs,
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map(([header, , cls]) => h("th", { scope: "col", class: cls }, header)))),
    h(
      "tbody",
      {},
      items.length === 0
        ? h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, "None."))
        : items.map((item) => h("tr", {}, columns.map(([, cell, cls]) => h("td", { class: cls }, cell(item))))),
    ),
  );
}

/** A definition list of [term, value] pairs; null values show as "—". */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value ?? "—")]));
}

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section", { "aria-labelledby": id }, h("h3", { id }, title), ...children);
}

export const fmt = {
  date(value) {
    return value ? new Date(value).toISOString().slice(0, 16).replace("T", " ") : "—";
  },
  number(value, digits = 2) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(digits);
  },
  percent(value) {
    return value === null || value === undefined ? "—" : `${(Number(value) * 100).toFixed(1)}%`;
  },
  money(value, currency) {
    return value === null || value === undefined ? "—" : `${Number(value).toFixed(2)} ${currency ?? ""}`.trim();
  },
};

/** A status line read out by screen readers (role=status, or alert for errors). */
export function notice(text, kind = "info") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
