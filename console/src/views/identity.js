// The identity review queue: accounts the model would link to a customer but not surely
// enough (or that a protection rule stopped), most probable first; a person accepts or
// rejects each with a reason (admins: the hub refuses other roles with FORBIDDEN).
import { query } from "../api.js";
import { fill, fmt, h, notice, table } from "../dom.js";
import { evidenceDetails } from "./customer.js";

const CANDIDATES = `query ConsoleCandidates($first: Int!) {
  identityCandidates(first: $first) {
    totalCount blockedCount
    nodes {
      customerId customerName confidence modelVersion foundAt blocked
      account { accountId platform handle displayName }
      evidence { probability prior competing notes comparisons { comparison level weight termFrequency } decision { decision by at reason } }
    }
  }
}`;

const DECIDE = (mutation) => `mutation ConsoleDecide($accountId: ID!, $customerId: ID!, $reason: String!) {
  ${mutation}(accountId: $accountId, customerId: $customerId, reason: $reason) {
    __typename
    ... on LinkDecisionPayload { accountId decision customerId }
    ... on LinkDecisionError { code message argument }
  }
}`;

export async function identityQueue(body, context) {
  const data = await query(CANDIDATES, { first: 50 });
  const { nodes, totalCount, blockedCount } = data.identityCandidates;
  const status = h("div", { "aria-live": "polite", id: "decision-status" });

  async function decide(mutation, candidate, reasonInput) {
    const reason = reasonInput.value.trim();
    if (!reason) {
      fill(status, notice("Say why first: a decision needs a reason.", "error"));
      reasonInput.focus();
      return;
    }
    const result = (await query(DECIDE(mutation), { accountId: candidate.account.accountId, customerId: candidate.customerId, reason }))[mutation];
    if (result.__typename === "LinkDecisionError") {
      fill(status, notice(`[${result.code}] ${result.message}`, "error"));
      return;
    }
    await identityQueue(body, context);
    fill(document.getElementById("decision-status"), notice(`${candidate.account.handle ?? candidate.account.accountId}: ${result.decision} (customer ${candidate.customerId}).`));
  }

  fill(
    body,
    status,
    h("p", {}, `${totalCount} candidate${totalCount === 1 ? "" : "s"} waiting (${blockedCount} stopped by a protection rule).`),
    table(
      "Link candidates, most probable first",
      [
        ["Account", (c) => `${c.account.platform ?? "?"} ${c.account.handle ?? c.account.accountId}${c.account.displayName ? ` (${c.account.displayName})` : ""}`],
        ["Customer", (c) => h("a", { href: `#/customer/${encodeURIComponent(c.customerId)}` }, c.customerName ?? c.customerId)],
        ["Confidence", (c) => fmt.percent(c.confidence), "num"],
        ["Blocked by", (c) => c.blocked ?? "—"],
        ["Found", (c) => fmt.date(c.foundAt)],
        ["Evidence", (c) => evidenceDetails(c.evidence)],
        [
          "Decision",
          (c) => {
            const id = `reason-${c.account.accountId}-${c.customerId}`.replace(/[^A-Za-z0-9_-]/g, "_");
            const reason = h("input", { id, type: "text", required: true, autocomplete: "off" });
            const who = `${c.account.handle ?? c.account.accountId} as ${c.customerName ?? c.customerId}`;
            return h(
              "div",
              { class: "decision", role: "group", "aria-label": `Decide on ${who}` },
              h("label", { for: id }, "Reason"),
              reason,
              h("button", { type: "button", "aria-label": `Accept ${who}`, onclick: () => decide("acceptLink", c, reason) }, "Accept"),
              h("button", { type: "button", "aria-label": `Reject ${who}`, onclick: () => decide("rejectLink", c, reason) }, "Reject"),
            );
          },
        ],
      ],
      nodes,
      { id: "candidates" },
    ),
  );
}
