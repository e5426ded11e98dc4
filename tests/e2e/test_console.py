"""The browser console at /console in a real headless Chromium (Debian's `chromium`,
driven by Playwright): sign-in, search by keyboard, a customer's 360, accepting an identity
candidate, assigning a complaint, the overlap heatmap, audience growth, the network
drawing, and a role the API refuses. Each check compares the page with what /graphql
answers for the same key, not with numbers written here.

One browser and one hub (uvicorn in a thread, the embedded engine, the small sample graph
plus one review candidate) serve the whole module. Screenshots are saved in
tests/artifacts/console/ (git-ignored). `make test` installs Chromium with apt-get when it
is missing; only when it could not be installed are these tests skipped, saying so."""

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from graph.identity_links import APPLY_MODEL_DECISIONS
from graph.migrations import migrate
from graph.store import open_store
from hub.settings import Settings
from loaders.pipeline import write_records
from resolvers.keys import create_key
from resolvers.principal import Role
from tests.e2e.hub_process import serving_in_thread
from tests.integration.sample_graph import T0, load_sample

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "console" / "dist"
ARTIFACTS = ROOT / "tests" / "artifacts" / "console"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts,
# which this closed network refuses, and can hang; a fresh profile for every run.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
KEY_STORAGE = "hub.console.key"  # console/src/api.js
EXACT_METHODS = {"crm_id", "email", "phone"}  # links that carry no model evidence

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason="Debian's chromium package is not installed and could not be (`make test` runs "
    "`apt-get install -y chromium` when it is missing): the console's browser tests are skipped",
)

# The review candidate the seed adds: the model would link account a3 to customer c2.
CANDIDATE_EVIDENCE = {
    "probability": 0.72,
    "prior": -4.1,
    "competing": 0.0,
    "evidence": [
        {"comparison": "name", "level": "handle", "weight": 5.2, "tf": 0.4},
        {"comparison": "place", "level": None, "weight": 0.0, "tf": 0.0},
    ],
    "notes": [],
}


# A third brand and a third customer's account beside the sample graph, so that the
# heatmap has pairs of different overlaps.
MORE_ROWS: list[tuple[str, list[dict[str, object]]]] = [
    ("brands", [{"id": "b3", "name": "Noctis", "category": "home", "created_at": T0}]),
    ("social_accounts", [
        {"id": "a4", "platform": "weibo", "handle": "@liwei", "customer_id": "c3"},
    ]),
    ("follows", [
        {"account_id": "a2", "target_kind": "brand", "target_id": "b3", "since": T0},
        {"account_id": "a4", "target_kind": "brand", "target_id": "b3", "since": T0},
        {"account_id": "a4", "target_kind": "brand", "target_id": "b2", "since": T0},
    ]),
]  # fmt: skip


async def _seed(graph_url: str) -> dict[str, str]:
    """The sample graph and a little more, one identity candidate, and a key of each role
    the console serves (admin, app, analyst)."""
    async with open_store(graph_url) as store:
        await migrate(store)
        await load_sample(store)
        for kind, rows in MORE_ROWS:
            await write_records(store, kind, rows, T0)
        change = {
            "account_id": "a3", "customer_id": "c2", "outcome": "review", "confidence": 0.72,
            "model_version": "fs-em-1:console-test", "blocked": None,
            "evidence": json.dumps(CANDIDATE_EVIDENCE),
        }  # fmt: skip
        await store.write(APPLY_MODEL_DECISIONS, {"changes": [change], "now": T0})
        return {
            "admin": (await create_key(store, "console admin", Role.ADMIN)).key,
            "app": (await create_key(store, "console app", Role.APP)).key,
            "analyst": (await create_key(store, "console analyst", Role.ANALYST)).key,
        }


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The running hub: {"url", "admin", "app", "analyst"} (a key of each role)."""
    if not (DIST / "index.html").is_file():
        pytest.fail(
            "console/dist is not built: run `make console` (npm ci and esbuild)", pytrace=False
        )
    data_dir = tmp_path_factory.mktemp("console")
    graph_url = f"embedded://{data_dir}/graph"
    keys = asyncio.run(_seed(graph_url))
    with serving_in_thread(Settings(graph_url=graph_url, console_dir=DIST)) as url:
        yield {"url": url, **keys}


@pytest.fixture(scope="module")
def browser_log() -> list[str]:
    """Uncaught page errors and console messages about the content security policy."""
    return []


@pytest.fixture(scope="module")
def page(
    tmp_path_factory: pytest.TempPathFactory, browser_log: list[str], hub: dict[str, str]
) -> Iterator[Page]:
    # After `hub`: Playwright's sync API keeps an event loop running in this thread, where
    # the seed's asyncio.run could not start one.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        try:
            # Generous: CI machines are shared; a passing step takes well under a second.
            context.set_default_timeout(15_000)
            expect.set_options(timeout=15_000)
            page = context.pages[0] if context.pages else context.new_page()
            page.on("pageerror", lambda error: browser_log.append(f"page error: {error}"))
            page.on("console", lambda m: _log_policy_violation(browser_log, m.text))
            yield page
        finally:
            context.close()


def _log_policy_violation(log: list[str], text: str) -> None:
    if "Content Security Policy" in text:
        log.append(text)


def api(hub: dict[str, str], role: str, query: str, **variables: Any) -> Any:
    """What /graphql answers ``role``'s key: the data, checked for errors."""
    response = httpx.post(
        f"{hub['url']}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {hub[role]}"},
        timeout=30,
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]


def open_view(page: Page, hub: dict[str, str], role: str, view: str) -> None:
    """Signed in as ``role``, at #/``view``: the page is loaded once, then each view is
    opened by its address as a user's link or bookmark does (the router re-renders)."""
    console = f"{hub['url']}/console/"
    if not page.url.startswith(console):
        page.goto(console)
    page.evaluate("([name, key]) => sessionStorage.setItem(name, key)", [KEY_STORAGE, hub[role]])
    page.goto(f"{console}#/")  # so that the next address is a change even if it is the same
    page.goto(f"{console}#/{view}")


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_sign_in_refuses_a_wrong_key_and_keeps_the_right_one_in_the_tab(page, hub):
    page.goto(f"{hub['url']}/console/")
    key = page.get_by_label("API key")
    key.fill("hub_not_a_key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("UNAUTHENTICATED")
    key.fill(hub["admin"])
    key.press("Enter")
    expect(page.get_by_role("navigation", name="Console sections")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_have_text("Customers")
    shot(page, "signed-in")
    assert page.evaluate(f"sessionStorage.getItem('{KEY_STORAGE}')") == hub["admin"]
    assert page.evaluate("localStorage.length") == 0  # not kept beyond the tab


def test_search_and_open_a_360_by_keyboard_alone(page, hub):
    open_view(page, hub, "admin", "search")
    page.get_by_label("Search customers").fill("Wang")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results")).to_contain_text("Wang Fang")
    shot(page, "search")
    for _ in range(10):  # Tab from the heading to the result's link, then follow it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Wang Fang":
            break
    else:
        pytest.fail("the search result cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_have_text("Customer 360: Wang Fang")


def test_customer_360_shows_what_the_api_holds(page, hub):
    open_view(page, hub, "admin", "customer/c1")
    expect(page.get_by_role("heading", level=2)).to_have_text("Customer 360: Wang Fang")
    truth = api(
        hub, "admin",
        """query($id: ID!) { customer(id: $id) {
             identities { linkMethod account { handle } }
             tags { tag { name } }
             contactHistory(first: 50) { nodes { kind summary } }
             complaints { nodes { category statusHistory { status } } }
             metrics { classReason churn { explanation } }
           } }""",
        id="c1",
    )["customer"]  # fmt: skip
    identities = page.locator("#identities tbody tr")
    expect(identities).to_have_count(len(truth["identities"]))
    for identity in truth["identities"]:
        row = identities.filter(has_text=identity["account"]["handle"])
        expect(row).to_contain_text(identity["linkMethod"])
        if identity_has_evidence := row.locator("summary").count():
            row.locator("summary").first.click()  # the link evidence unfolds
            expect(row.locator("details table").first).to_be_visible()
        assert identity_has_evidence or identity["linkMethod"] in EXACT_METHODS
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(len(truth["contactHistory"]["nodes"]))
    expect(timeline.first).to_contain_text(truth["contactHistory"]["nodes"][0]["summary"])
    for tag in truth["tags"]:
        expect(page.get_by_role("region", name="Tags")).to_contain_text(tag["tag"]["name"])
    metrics = page.get_by_role("region", name="Metrics")
    expect(metrics).to_contain_text(truth["metrics"]["classReason"])
    expect(metrics).to_contain_text(truth["metrics"]["churn"]["explanation"])
    expect(metrics).to_contain_text("churn probability", ignore_case=True)  # or why not
    complaints = page.get_by_role("region", name="Complaints")
    for complaint in truth["complaints"]["nodes"]:
        expect(complaints).to_contain_text(complaint["category"])
        changes = len(complaint["statusHistory"])
        expect(complaints).to_contain_text(f"{changes} change{'' if changes == 1 else 's'}")
    shot(page, "customer-360")


def test_accepting_a_candidate_links_the_account(page, hub):
    open_view(page, hub, "admin", "identity")
    decision = page.get_by_role("group", name="Decide on @nobody as Claire Martin")
    expect(decision).to_be_visible()
    candidate = page.locator("#candidates > tbody > tr").filter(has=decision)
    candidate.locator("summary").click()  # the model's evidence unfolds
    for comparison in CANDIDATE_EVIDENCE["evidence"]:
        row = candidate.locator("details tbody tr").filter(has_text=comparison["comparison"])
        expect(row).to_contain_text(comparison["level"] or "no evidence")
        expect(row).to_contain_text(f"{comparison['weight']:.2f}")
    decision.get_by_role("button", name="Accept @nobody as Claire Martin").click()
    expect(page.get_by_role("alert")).to_contain_text("needs a reason")  # nothing was sent
    decision.get_by_label("Reason").fill("same person: confirmed by phone")
    shot(page, "identity-review")
    decision.get_by_role("button", name="Accept @nobody as Claire Martin").click()
    expect(page.locator("#decision-status")).to_contain_text("@nobody: linked")
    expect(page.locator("#candidates")).not_to_contain_text("@nobody")
    shot(page, "identity-accepted")
    identities = api(
        hub, "admin",
        "{ customer(id: \"c2\") { identities { linkMethod account { accountId } } } }",
    )["customer"]["identities"]  # fmt: skip
    assert {"linkMethod": "accepted", "account": {"accountId": "a3"}} in identities


def test_complaint_queue_acts_on_the_version_it_read(page, hub):
    open_view(page, hub, "app", "complaints")
    actions = page.get_by_role("group", name="Handle complaint cmp3")
    actions.get_by_label("Assignee").fill("agent-7")
    actions.get_by_role("button", name="Assign").click()
    expect(page.locator("#complaint-status")).to_contain_text("assigned to agent-7")
    shot(page, "complaints")
    queue = "{ complaints(first: 50) { nodes { complaintId assignee status } } }"
    complaints = {c["complaintId"]: c for c in api(hub, "app", queue)["complaints"]["nodes"]}
    assert complaints["cmp3"]["assignee"] == "agent-7"
    # Someone else changes it meanwhile: the page's next action is refused, not applied.
    api(
        hub, "app",
        'mutation { assignComplaint(complaintId: "cmp3", assignee: "agent-9") { __typename } }',
    )  # fmt: skip
    actions = page.get_by_role("group", name="Handle complaint cmp3")
    actions.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("alert")).to_contain_text("[CONFLICT]")
    complaints = {c["complaintId"]: c for c in api(hub, "app", queue)["complaints"]["nodes"]}
    assert complaints["cmp3"]["assignee"] == "agent-9"
    assert complaints["cmp3"]["status"] != "resolved"


def test_the_overlap_heatmap_renders_what_the_api_computes(page, hub):
    open_view(page, hub, "admin", "overlap?brands=b1,b2,b3")
    heatmap = page.locator("#heatmap")
    expect(heatmap.locator("tbody th[scope=row]")).to_have_count(3)
    matrix = api(
        hub, "admin",
        """{ audienceOverlapMatrix(brands: ["b1", "b2", "b3"]) {
             brands { brand { brandId } }
             pairs { a { brandId } b { brandId } jaccard } } }""",
    )["audienceOverlapMatrix"]  # fmt: skip
    order = [b["brand"]["brandId"] for b in matrix["brands"]]
    jaccard = {}
    for pair in matrix["pairs"]:
        jaccard[pair["a"]["brandId"], pair["b"]["brandId"]] = pair["jaccard"]
        jaccard[pair["b"]["brandId"], pair["a"]["brandId"]] = pair["jaccard"]
    assert len(set(jaccard.values())) > 1  # the shades have something to tell apart
    rows = heatmap.locator("tbody tr")
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            cell = rows.nth(i).locator("td").nth(j)
            expected = "—" if a == b else f"{jaccard[a, b]:.3f}"
            expect(cell).to_have_text(expected)
    strongest = max(jaccard, key=lambda pair: jaccard[pair] or 0)
    darkest = rows.nth(order.index(strongest[0])).locator("td").nth(order.index(strongest[1]))
    expect(darkest).to_have_class("num dark")  # the largest value, in the darkest shade
    shot(page, "overlap-heatmap")
    page.get_by_label("Measure").select_option("lift")
    page.get_by_role("button", name="Show overlap").click()
    expect(page.locator("#heatmap")).to_have_attribute("data-measure", "lift")


def test_audience_growth_draws_a_bar_a_month(page, hub):
    open_view(page, hub, "admin", "growth?brand=b1")
    growth = '{ brandAudience(brand: "b1") { growth(first: 100) { nodes { month } } } }'
    months = api(hub, "admin", growth)["brandAudience"]["growth"]["nodes"]
    expect(page.locator("#growth-chart rect")).to_have_count(len(months))
    shot(page, "audience-growth")


def test_the_network_view_draws_the_neighbourhood_with_cytoscape(page, hub):
    open_view(page, hub, "admin", "network?node=c1&hops=2")
    truth = api(
        hub, "admin",
        '{ neighbourhood(node: "c1", hops: 2, maxNodes: 100) { nodes(first: 100) { totalCount } } }',  # noqa: E501
    )["neighbourhood"]  # fmt: skip
    drawing = page.locator("#network")
    expect(drawing).to_have_attribute("data-nodes", str(truth["nodes"]["totalCount"]))
    expect(drawing.locator("canvas").first).to_be_attached()  # cytoscape's layers
    shot(page, "network")


def test_roles_apply_as_in_the_api(page, hub):
    open_view(page, hub, "app", "identity")  # identity review is for admins
    expect(page.get_by_role("alert")).to_contain_text("[FORBIDDEN]")
    # Analysts read pseudonymised personal data: the page shows what the API gives them.
    seen = api(hub, "analyst", '{ customer(id: "c1") { name email } }')["customer"]
    assert seen["name"] != "Wang Fang"
    open_view(page, hub, "analyst", "customer/c1")
    expect(page.get_by_role("heading", level=2)).to_have_text(f"Customer 360: {seen['name']}")
    expect(page.get_by_role("region", name="Profile")).not_to_contain_text("Wang")


def test_no_script_errors_or_policy_violations(page, hub, browser_log):
    # The views that load cytoscape and colour cells through the CSSOM, once more here so
    # that this test stands alone; the log holds the whole module's pages.
    open_view(page, hub, "admin", "network?node=c1")
    expect(page.locator("#network canvas").first).to_be_attached()
    open_view(page, hub, "admin", "overlap?brands=b1,b2")
    expect(page.locator("#heatmap")).to_be_visible()
    assert browser_log == []
