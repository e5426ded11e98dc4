"""What every process does to a graph it opens, before anything else: the schema step
(graph/migrations.py), then the one-off upgrade of contact keys (loaders/key_upgrade.py)."""

from graph.migrations import migrate
from graph.store import GraphStore
from hub.settings import Settings
from loaders.key_upgrade import KeyUpgradeReport, upgrade_contact_keys


async def prepare_graph(store: GraphStore, settings: Settings) -> KeyUpgradeReport:
    """Migrate ``store`` and upgrade its keys; return what the upgrade did. Raises
    GraphError (graph/errors.py) when the graph refuses a step."""
    await migrate(store)
    return await upgrade_contact_keys(store, settings.phone_region)


def upgrade_lines(report: KeyUpgradeReport, always: bool = False) -> list[str]:
    """What to tell an operator about the key upgrade: what it did (when it did anything),
    and the accounts left on old keys (when ``always`` or it did anything)."""
    lines = []
    if report.customers or report.accounts:
        lines.append(
            f"upgraded the email/phone keys of {report.customers:,} customers and "
            f"{report.accounts:,} social accounts ({report.relinked:,} links changed)"
        )
    if report.accounts_left and (always or lines):
        lines.append(
            f"{report.accounts_left:,} social accounts keep email/phone keys of the old scheme "
            "and link by them to nothing: load their rows again to refresh them"
        )
    return lines
