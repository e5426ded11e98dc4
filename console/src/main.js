// The console's shell: sign-in, navigation and a hash router (#/search, #/customer/ID...),
// so that every view has an address the browser's back button and bookmarks keep.
import { ApiError, describe, request, session } from "./api.js";
import { fill, h, notice } from "./dom.js";
import { complaintQueue } from "./views/complaints.js";
import { customerView } from "./views/customer.js";
import { audienceGrowth } from "./views/growth.js";
import { identityQueue } from "./views/identity.js";
import { networkView } from "./views/network.js";
import { overlapHeatmap } from "./views/overlap.js";
import { searchView } from "./views/search.js";

const VIEWS = {
  search: { title: "Customers", render: searchView },
  customer: { title: "Customer 360", render: customerView, hidden: true },
  identity: { title: "Identity review", render: identityQueue },
  complaints: { title: "Complaints", render: complaintQueue },
  overlap: { title: "Brand overlap", render: overlapHeatmap },
  growth: { title: "Audience growth", render: audienceGrowth },
  network: { title: "Network", render: networkView },
};

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const signOut = document.getElementById("sign-out");

/** The route of a hash: #/customer/c1?x=1 -> { name: "customer", arg: "c1", params }. */
function route() {
  const [path, search] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  return {
    name: VIEWS[name] ? name : "search",
    arg: rest.length ? decodeURIComponent(rest.join("/")) : null,
    params: new URLSearchParams(search ?? ""),
  };
}

/** Go to a view; `params` become the hash's query string. */
export function go(name, arg = null, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null));
  const hash = `#/${name}${arg ? "/" + encodeURIComponent(arg) : ""}${query.size ? "?" + query : ""}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

function renderNav(current) {
  fill(
    nav,
    h(
      "ul",
      {},
      Object.entries(VIEWS)
        .filter(([, view]) => !view.hidden)
        .map(([name, view]) =>
          h("li", {}, h("a", { href: `#/${name}`, "aria-current": name === current ? "page" : null }, view.title)),
        ),
    ),
  );
}

function signInView(message) {
  nav.hidden = true;
  signOut.hidden = true;
  document.title = "Sign in · Customer-360 console";
  const input = h("input", { id: "api-key", name: "key", type: "password", autocomplete: "off", required: true });
  const status = h("div", { "aria-live": "polite" }, message ? notice(message, "error") : null);
  const form = h(
    "form",
    {
      class: "sign-in",
      onsubmit: async (event) => {
        event.preventDefault();
        session.signIn(input.value.trim());
        fill(status, notice("Checking the key…"));
        try {
          await request("{ __typename }");
          render();
        } catch (error) {
          session.signOut();
          fill(status, notice(describe(error), "error"));
          input.focus();
        }
      },
    },
    h("label", { for: "api-key" }, "API key"),
    h("p", { class: "hint", id: "api-key-hint" }, "Held in this tab only (sessionStorage) and sent as a Bearer token; what you see follows the key's role."),
    input,
    h("button", { type: "submit" }, "Sign in"),
  );
  input.setAttribute("aria-describedby", "api-key-hint");
  fill(main, h("h2", { tabindex: "-1" }, "Sign in"), form, status);
  input.focus();
}

let rendering = 0;

async function render() {
  if (!session.key()) return signInView();
  const { name, arg, params } = route();
  const view = VIEWS[name];
  const ticket = ++rendering;
  nav.hidden = false;
  signOut.hidden = false;
  renderNav(name);
  document.title = `${view.title} · Customer-360 console`;
  const heading = h("h2", { tabindex: "-1" }, view.title);
  const body = h("div", { "aria-busy": "true" }, notice("Loading…"));
  fill(main, heading, body);
  heading.focus(); // screen readers hear where they are; keyboard users start from here
  try {
    await view.render(body, { arg, params, go, heading, isCurrent: () => ticket === rendering });
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") {
      session.signOut();
      return signInView(describe(error));
    }
    if (ticket === rendering) fill(body, notice(describe(error), "error"));
  } finally {
    body.removeAttribute("aria-busy");
  }
}

signOut.addEventListener("click", () => {
  session.signOut();
  location.hash = "";
  render();
});
document.getElementById("skip").addEventListener("click", (event) => {
  event.preventDefault(); // the hash is the router's
  main.focus();
});
window.addEventListener("hashchange", render);
render();
