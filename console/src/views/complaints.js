// The complaint queue across customers (apps, admins), soonest due first: assign, respond
// and resolve, each sent with the version read, so that a change someone made meanwhile
// is refused (CONFLICT) instead of overwritten.
import { query } from "../api.js";
import { fill, fmt, h, notice, table } from "../dom.js";

const STATUSES = ["OPEN", "IN_PROGRESS", "ESCALATED", "RESOLVED", "CLOSED"];
const OPEN = ["OPEN", "IN_PROGRESS", "ESCALATED"];

const QUEUE = `query ConsoleComplaints($status: [ComplaintStatus!], $first: Int!) {
  complaints(filter: { status: $status }, sort: DUE_ASC, first: $first) {
    totalCount
    counts { status count }
    nodes {
      id complaintId customerId brandId status priority category channel assignee openedAt version
      sla { firstResponseDueAt resolutionDueAt breached atRisk }
    }
  }
}`;

const RESULT = `__typename
  ... on ComplaintPayload { complaint { complaintId status assignee version } }
  ... on WriteError { code message argument }`;

const ACTIONS = {
  assign: `mutation ConsoleAssign($id: ID!, $assignee: String!, $version: Int) {
    result: assignComplaint(complaintId: $id, assignee: $assignee, expectedVersion: $version) { ${RESULT} } }`,
  respond: `mutation ConsoleRespond($id: ID!, $note: String, $version: Int) {
    result: respondToComplaint(complaintId: $id, note: $note, expectedVersion: $version) { ${RESULT} } }`,
  resolve: `mutation ConsoleResolve($id: ID!, $note: String, $version: Int) {
    result: resolveComplaint(complaintId: $id, note: $note, expectedVersion: $version) { ${RESULT} } }`,
};

function sla(x) {
  if (x.sla.breached) return "breached";
  if (x.sla.atRisk) return `at risk (due ${fmt.date(x.sla.resolutionDueAt)})`;
  return x.sla.resolutionDueAt ? `due ${fmt.date(x.sla.resolutionDueAt)}` : "—";
}

export async function complaintQueue(body, context) {
  const { params, go } = context;
  const chosen = params.get("status");
  const statuses = chosen ? [chosen] : OPEN;
  const data = await query(QUEUE, { status: statuses, first: 50 });
  const { nodes, totalCount, counts } = data.complaints;
  const status = h("div", { "aria-live": "polite", id: "complaint-status" });

  async function act(action, complaint, variables) {
    const { result } = await query(ACTIONS[action], { id: complaint.complaintId, version: complaint.version, ...variables });
    if (result.__typename === "WriteError") {
      fill(status, notice(`[${result.code}] ${result.message}`, "error"));
      return;
    }
    await complaintQueue(body, context);
    fill(document.getElementById("complaint-status"), notice(`Complaint ${result.complaint.complaintId}: ${result.complaint.status}${result.complaint.assignee ? `, assigned to ${result.complaint.assignee}` : ""}.`));
  }

  const select = h(
    "select",
    { id: "complaint-status-filter", onchange: () => go("complaints", null, { status: select.value }) },
    h("option", { value: "" }, "Open, in progress or escalated"),
    STATUSES.map((s) => h("option", { value: s, selected: s === chosen }, s)),
  );
  fill(
    body,
    h("p", {}, h("label", { for: "complaint-status-filter" }, "Show "), select),
    h("p", {}, `${totalCount} complaints. By status: ${counts.map((c) => `${c.status} ${c.count}`).join(", ") || "none"}.`),
    status,
    table(
      "Complaints, soonest due first",
      [
        ["Complaint", (x) => x.complaintId],
        ["Customer", (x) => (x.customerId ? h("a", { href: `#/customer/${encodeURIComponent(x.customerId)}` }, x.customerId) : "—")],
        ["Brand", (x) => x.brandId ?? "—"],
        ["Category", (x) => x.category ?? "—"],
        ["Priority", (x) => x.priority ?? "—"],
        ["Status", (x) => x.status ?? "—"],
        ["Assignee", (x) => x.assignee ?? "—"],
        ["Opened", (x) => fmt.date(x.openedAt)],
        ["SLA", sla],
        [
          "Actions",
          (x) => {
            const base = `c-${x.complaintId}`.replace(/[^A-Za-z0-9_-]/g, "_");
            const assignee = h("input", { id: `${base}-assignee`, type: "text", autocomplete: "off", value: x.assignee ?? "" });
            const note = h("input", { id: `${base}-note`, type: "text", autocomplete: "off" });
            return h(
              "div",
              { class: "actions", role: "group", "aria-label": `Handle complaint ${x.complaintId}` },
              h("label", { for: `${base}-assignee` }, "Assignee"),
              assignee,
              h("button", { type: "button", onclick: () => (assignee.value.trim() ? act("assign", x, { assignee: assignee.value.trim() }) : (fill(status, notice("Name an assignee first.", "error")), assignee.focus())) }, "Assign"),
              h("label", { for: `${base}-note` }, "Note"),
              note,
              h("button", { type: "button", onclick: () => act("respond", x, { note: note.value.trim() || null }) }, "Respond"),
              h("button", { type: "button", onclick: () => act("resolve", x, { note: note.value.trim() || null }) }, "Resolve"),
            );
          },
        ],
      ],
      nodes,
      { id: "complaints" },
    ),
  );
}
