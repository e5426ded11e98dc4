"""What a live consent is, written once for every statement that filters on it.

A customer is in a brand's audience for a purpose when a CONSENTED relationship to that
brand lists the purpose, was granted at or before `$now`, is not withdrawn at `$now`, and
the customer's processing is not restricted. Statements use these fragments verbatim and
pass `$now` (epoch ms) and the purpose as parameters, so a withdrawal or a restriction
takes effect on the very next read.
"""


def live_consent(customer: str, rel: str, purpose_param: str) -> str:
    """A WHERE condition on a bound ``(customer)-[rel:CONSENTED]->(brand)``: the consent
    is live for ``$<purpose_param>`` at ``$now``. Names are fixed text from callers."""
    return (
        f"${purpose_param} IN {rel}.purposes AND {rel}.granted_at <= $now"
        f" AND ({rel}.withdrawn_at IS NULL OR {rel}.withdrawn_at > $now)"
        f" AND {customer}.restricted_at IS NULL"
    )


# The audience of the partner brand `$partner` for `$purpose`: binds `c`, one row each.
PARTNER_AUDIENCE_MATCH = (
    "MATCH (:Brand {id: $partner})<-[lc:CONSENTED]-(c:Customer) "
    "WHERE " + live_consent("c", "lc", "purpose") + " "
    "WITH DISTINCT c"
)
