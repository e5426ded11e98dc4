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


def test_a_second_record_typed_with_a_slip_keeps_its_contact_values() -> None:
    # One person typed twice (a letter swapped, dropped or mistyped): the phone and email
    # they share are that person's, the evidence that finds the duplicate; relatives with
    # other names, or another Han name, still make a value shared.
    crm = [
        customer_profile(CustomerRecord(id="1", name="Robert Smith", phone="+447700900123",
                                        email="rsmith@mail.co.uk"), "GB"),
        customer_profile(CustomerRecord(id="2", name="Robret Smith", phone="+447700900123",
                                        email="rsmith@mail.co.uk"), "GB"),
        customer_profile(CustomerRecord(id="3", name="Léa Martin", phone="+33612345678"), "FR"),
        customer_profile(CustomerRecord(id="4", name="Lea Marin", phone="+33612345678"), "FR"),
        customer_profile(CustomerRecord(id="5", name="Anna Smith", phone="+447700900999"), "GB"),
        customer_profile(CustomerRecord(id="6", name="Emma Smith", phone="+447700900999"), "GB"),
        customer_profile(CustomerRecord(id="7", name="王伟", phone="13812345678"), "CN"),
        customer_profile(CustomerRecord(id="8", name="王纬", phone="13812345678"), "CN"),
        customer_profile(CustomerRecord(id="9", name="王伟", phone="13912345678"), "CN"),
        customer_profile(CustomerRecord(id="10", name="汪伟", phone="13912345678"), "CN"),
        customer_profile(CustomerRecord(id="11", name="王伟", phone="13712345678"), "CN"),
        customer_profile(CustomerRecord(id="12", name="王文", phone="13712345678"), "CN"),
    ]  # fmt: skip
    shared = shared_contacts(crm)
    assert (crm[0].phone.hashes | crm[0].email.hashes).isdisjoint(shared)
    assert crm[2].phone.hashes.isdisjoint(shared)
    assert crm[4].phone.hashes <= shared  # Anna and Emma: two people, one edit or not
    # 王伟 / 王纬 / 汪伟 are one name in pinyin (a homophone slip), as before; two Han names
    # that read differently stay two names even one letter apart in pinyin.
    assert crm[6].phone.hashes.isdisjoint(shared) and crm[8].phone.hashes.isdisjoint(shared)
    assert crm[10].phone.hashes <= shared  # 王伟 / 王文: wangwei / wangwen, two names
