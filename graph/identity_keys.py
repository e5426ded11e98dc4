"""The stored lookup key of an email or a phone, and the statements of its one-off upgrade.

A key is the plain SHA-256 (hex) of the value **already normalised** the way identity
resolution normalises it (identity/contact.py: an email trimmed and lower-cased, a phone in
E.164 with its '+'). It is what sources that share only hashes send and what partners
send (docs/identity.md), so a supplied hash is a key as it stands. Normalising needs
identity/, which graph/ may not import: callers normalise (loaders/contact_keys.py), this
module only hashes, so a key written is a key found.

Keys before version 2 were namespaced (SHA-256 of "email:"/"phone:" + a looser
normalisation); `KEY_VERSION` on a Customer or SocialAccount says which scheme its keys
follow (loaders/key_upgrade.py upgrades the old ones).
"""

import hashlib

# The scheme the loaders write. 1: an account's keys could not be recomputed (it keeps no
# raw values) and still follow the old scheme; absent: written before versions existed.
KEY_VERSION = 2


def contact_key(normalised: str) -> str:
    """SHA-256 hex of an already normalised email or E.164 phone."""
    return hashlib.sha256(normalised.encode()).hexdigest()


# --- the upgrade of keys written before KEY_VERSION (loaders/key_upgrade.py) -------------

# Customers whose keys predate versions, a page at a time (stubs hold no email or phone).
UNVERSIONED_CUSTOMERS = """
MATCH (c:Customer) WHERE c.key_version IS NULL AND c.id > $after
  AND (c.email IS NOT NULL OR c.phone IS NOT NULL
       OR c.email_hash IS NOT NULL OR c.phone_hash IS NOT NULL)
RETURN c.id AS id, c.email AS email, c.phone AS phone, c.country AS country,
       c.email_hash AS email_hash, c.phone_hash AS phone_hash
ORDER BY id LIMIT $limit
"""

# Unversioned accounts holding one of the old keys (one index lookup a key).
ACCOUNTS_WITH_OLD_KEYS = """
UNWIND $email_keys AS k MATCH (a:SocialAccount {email_hash: k}) WHERE a.key_version IS NULL
RETURN a.id AS id, a.platform AS platform, a.email_hash AS email_hash, a.phone_hash AS phone_hash
UNION
UNWIND $phone_keys AS k MATCH (a:SocialAccount {phone_hash: k}) WHERE a.key_version IS NULL
RETURN a.id AS id, a.platform AS platform, a.email_hash AS email_hash, a.phone_hash AS phone_hash
"""

# Set one property of nodes by id ($rows: {id, value}; a null value removes it). One
# property a statement: the embedded engine removes the wrong properties when one statement
# removes several of a node's (graph/writes.py).
SET_KEY_PROPERTY: dict[tuple[str, str], str] = {
    (label, prop): f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) SET n.{prop} = row.value"
    for label in ("Customer", "SocialAccount")
    for prop in ("email_hash", "phone_hash", "key_version")
}

COUNT_UNVERSIONED_ACCOUNTS = """
MATCH (a:SocialAccount) WHERE a.key_version IS NULL
  AND (a.email_hash IS NOT NULL OR a.phone_hash IS NOT NULL)
RETURN count(a) AS accounts
"""

# Accounts with unversioned keys that no customer's raw values reproduced: marked version 1
# (they match nothing until their own rows are loaded again).
MARK_OLD_ACCOUNTS = """
MATCH (a:SocialAccount) WHERE a.key_version IS NULL
  AND (a.email_hash IS NOT NULL OR a.phone_hash IS NOT NULL)
SET a.key_version = 1
"""

COUNT_OLD_ACCOUNTS = "MATCH (a:SocialAccount {key_version: 1}) RETURN count(a) AS accounts"
