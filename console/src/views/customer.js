// The customer-360 page: profile, identities with their link evidence, tags, the contact
// timeline, purchases, complaints with their status history, and metrics with the reasons
// behind them. One statement on the hub for the 360; the churn model's probability is a
// second request, because it fails on its own (NOT_FOUND) when no model is fitted.
import { query, request, describe } from "../api.js";
import { facts, fill, fmt, h, notice, section, table } from "../dom.js";

const EVIDENCE = `probability prior competing notes
  comparisons { comparison level weight termFrequency }
  decision { decision by at reason }`;

const CUSTOMER_360 = `query Console360($id: ID!) {
  customer(id: $id) {
    id customerId externalId name email phone gender birthYear city region country
    createdAt updatedAt profileLoaded
    identities {
      linkMethod linkConfidence linkedAt linkModelVersion
      account { accountId platform handle displayName }
      linkEvidence { ${EVIDENCE} }
    }
    tags { weight source at tag { name category } }
    segments { segmentId name }
    contactHistory(first: 50) { totalCount nodes { kind at channel summary } }
    purchases(first: 20) {
      totalCount
      nodes { purchaseId at channel currency total brand { name } items { quantity unitPrice product { name } } }
    }
    complaints(first: 20) {
      totalCount
      nodes {
        complaintId status priority category channel assignee openedAt resolvedAt text
        statusHistory { status at action actor }
        sla { breached atRisk }
      }
    }
    metrics {
      asOf customerClass classReason historicLifetimeValue averageOrderValue profitability
      rfm { code recencyDays frequency monetary }
      costToServe { total complaints orders interactions }
      churn { level risk explanation }
      preferredContentTypes { contentType share }
    }
  }
}`;

const CHURN_PROBABILITY = `query ConsoleChurn($id: ID!) {
  customer(id: $id) {
    metrics { churnProbability { probability horizonDays reasons { feature contribution text } } }
  }
}`;

/** A link's or a candidate's evidence, folded (keyboard: the summary is a button). */
export function evidenceDetails(evidence) {
  if (!evidence) return "—";
  return h(
    "details",
    { class: "evidence" },
    h("summary", {}, `p = ${fmt.number(evidence.probability, 3)}`),
    facts([
      ["Prior (log2 odds)", fmt.number(evidence.prior)],
      ["Competing", fmt.number(evidence.competing)],
    ]),
    table(
      "Comparisons",
      [
        ["Comparison", (c) => c.comparison],
        ["Level", (c) => c.level ?? "no evidence"],
        ["Weight (bits)", (c) => fmt.number(c.weight), "num"],
        ["Name rarity (bits)", (c) => fmt.number(c.termFrequency), "num"],
      ],
      evidence.comparisons,
    ),
    evidence.notes.length ? h("ul", {}, evidence.notes.map((n) => h("li", {}, n))) : null,
    evidence.decision
      ? h("p", {}, `Decided ${evidence.decision.decision} by ${evidence.decision.by} at ${fmt.date(evidence.decision.at)}: ${evidence.decision.reason}`)
      : null,
  );
}

export async function customerView(body, { arg, heading }) {
  if (!arg) return fill(body, notice("No customer given: search for one first.", "error"));
  const data = await query(CUSTOMER_360, { id: arg });
  const c = data.customer;
  if (!c) return fill(body, notice(`No customer ${arg}.`, "error"));
  fill(heading, `Customer 360: ${c.name ?? c.customerId}`);
  const m = c.metrics;
  const churnReasons = h("div", { "aria-live": "polite" }, notice("Loading the churn model's view…"));
  fill(
    body,
    h("p", {}, h("a", { href: `#/network?node=${encodeURIComponent(c.customerId)}` }, "See this customer's network")),
    section(
      "Profile",
      facts([
        ["Customer id", c.customerId],
        ["CRM id", c.externalId],
        ["Name", c.name],
        ["Email", c.email],
        ["Phone", c.phone],
        ["Gender", c.gender],
        ["Birth year", c.birthYear],
        ["Place", [c.city, c.region, c.country].filter(Boolean).join(", ") || null],
        ["Created", fmt.date(c.createdAt)],
        ["Profile loaded", c.profileLoaded ? "yes" : "not yet (only referenced by other records)"],
        ["Segments", c.segments.map((s) => s.name ?? s.segmentId).join(", ") || null],
      ]),
    ),
    section(
      "Identities",
      table(
        "Linked social accounts and the evidence of each link",
        [
          ["Platform", (i) => i.account.platform ?? "—"],
          ["Handle", (i) => i.account.handle ?? i.account.accountId],
          ["Method", (i) => i.linkMethod ?? "—"],
          ["Confidence", (i) => fmt.percent(i.linkConfidence), "num"],
          ["Linked", (i) => fmt.date(i.linkedAt)],
          ["Evidence", (i) => evidenceDetails(i.linkEvidence)],
        ],
        c.identities,
        { id: "identities" },
      ),
    ),
    section(
      "Tags",
      table(
        "Tags, strongest first",
        [
          ["Tag", (t) => t.tag.name ?? "—"],
          ["Category", (t) => t.tag.category ?? "—"],
          ["Weight", (t) => fmt.number(t.weight), "num"],
          ["Source", (t) => t.source ?? "—"],
        ],
        c.tags,
      ),
    ),
    section(
      "Metrics",
      facts([
        ["Class", `${m.customerClass}: ${m.classReason}`],
        ["RFM", `${m.rfm.code} (last purchase ${m.rfm.recencyDays ?? "—"} days ago, ${m.rfm.frequency} orders, ${fmt.number(m.rfm.monetary)} spent)`],
        ["Churn risk", `${m.churn.level}: ${m.churn.explanation}`],
        ["Lifetime value so far", fmt.number(m.historicLifetimeValue)],
        ["Average order", fmt.number(m.averageOrderValue)],
        ["Cost to serve", `${fmt.number(m.costToServe.total)} (${m.costToServe.orders} orders, ${m.costToServe.complaints} complaints, ${m.costToServe.interactions} interactions)`],
        ["Profitability", fmt.number(m.profitability)],
        ["Preferred content", m.preferredContentTypes.map((p) => `${p.contentType} ${fmt.percent(p.share)}`).join(", ") || null],
        ["As of", fmt.date(m.asOf)],
      ]),
      churnReasons,
    ),
    section(
      "Timeline",
      h("p", {}, `${c.contactHistory.totalCount} contacts across channels, newest first.`),
      h(
        "ol",
        { class: "timeline", id: "timeline" },
        c.contactHistory.nodes.map((e) =>
          h("li", {}, h("time", { datetime: e.at ?? "" }, fmt.date(e.at)), " ", h("strong", {}, e.kind), e.channel ? ` (${e.channel})` : "", ` — ${e.summary}`),
        ),
      ),
    ),
    section(
      "Purchases",
      table(
        `Purchases (${c.purchases.totalCount}), newest first`,
        [
          ["Date", (p) => fmt.date(p.at)],
          ["Brand", (p) => p.brand?.name ?? "—"],
          ["Channel", (p) => p.channel ?? "—"],
          ["Items", (p) => p.items.map((i) => `${i.quantity ?? 1} × ${i.product.name ?? "?"}`).join(", ")],
          ["Total", (p) => fmt.money(p.total, p.currency), "num"],
        ],
        c.purchases.nodes,
      ),
    ),
    section(
      "Complaints",
      table(
        `Complaints (${c.complaints.totalCount}), newest first`,
        [
          ["Opened", (x) => fmt.date(x.openedAt)],
          ["Category", (x) => x.category ?? "—"],
          ["Status", (x) => `${x.status ?? "—"}${x.sla.breached ? " (SLA breached)" : x.sla.atRisk ? " (SLA at risk)" : ""}`],
          ["Assignee", (x) => x.assignee ?? "—"],
          ["Text", (x) => x.text ?? "—"],
          [
            "Status history",
            (x) =>
              h(
                "details",
                {},
                h("summary", {}, `${x.statusHistory.length} change${x.statusHistory.length === 1 ? "" : "s"}`),
                h("ol", {}, x.statusHistory.map((s) => h("li", {}, `${fmt.date(s.at)} ${s.status}${s.action ? ` (${s.action}${s.actor ? " by " + s.actor : ""})` : ""}`))),
              ),
          ],
        ],
        c.complaints.nodes,
      ),
    ),
  );
  const churn = await request(CHURN_PROBABILITY, { id: arg }).catch((error) => ({ errors: [{ message: describe(error) }] }));
  const probability = churn.data?.customer?.metrics?.churnProbability;
  if (probability) {
    fill(
      churnReasons,
      h("h4", {}, `Churn probability ${fmt.percent(probability.probability)} within ${probability.horizonDays} days, because:`),
      h("ul", {}, probability.reasons.map((r) => h("li", {}, `${r.text} (${fmt.number(r.contribution)})`))),
    );
  } else {
    const why = churn.errors?.[0];
    fill(
      churnReasons,
      notice(why ? `No churn probability: ${why.extensions?.code ? `[${why.extensions.code}] ` : ""}${why.message}` : "No churn probability: the customer never bought."),
    );
  }
}
