"""Merge protection: contact values shared by people with different names."""

from __future__ import annotations

from identity.profiles import account_profile, customer_profile
from identity.protection import shared_contacts, without_shared
from identity.records import AccountRecord, CustomerRecord


def test_a_phone_of_two_people_is_shared_one_of_a_person_twice_is_not() -> None:
    crm = [
        customer_profile(CustomerRecord(id="1", name="林建华", phone="13912340000"), "CN"),
        customer_profile(CustomerRecord(id="2", name="林晓燕", phone="13912340000"), "CN"),
        customer_profile(CustomerRecord(id="3", name="王伟", phone="13812345678"), "CN"),
        customer_profile(CustomerRecord(id="4", name="Wang Wei", phone="+8613812345678"), "CN"),
    ]
    shared = shared_contacts(crm)
    assert crm[0].phone.hashes <= shared
    assert crm[2].phone.hashes.isdisjoint(shared)  # one person's two records
    stripped = without_shared(crm[0], shared)
    assert not stripped.phone.usable and stripped.placeholders == ("shared phone",)
    assert without_shared(crm[2], shared) is crm[2]
    account = account_profile(AccountRecord(id="a", platform="wechat", phone="13912340000"))
    assert not without_shared(account, shared).phone.usable


def test_many_holders_share_a_value_whatever_their_names() -> None:
    crm = [customer_profile(CustomerRecord(id=str(i), name="王伟", email="shop@163.com"))
           for i in range(4)]  # fmt: skip
    assert crm[0].email.hashes <= shared_contacts(crm)
