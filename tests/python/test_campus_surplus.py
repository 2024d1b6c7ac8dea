"""Kind 9 (campus surplus) and the BoCS records of the cross-campus round, against chains built
from docs/wire-format.md (§3 table, §5 kind 9) with chain_builder.py.

Run: python3 -m pytest tests/python -q
"""
import hashlib
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chain_builder as cb  # noqa: E402
import ledger_verifier as lv  # noqa: E402
from chain_builder import (BoE, BoEV, BoCS, KEYS, CS, ENDORSER, ORDERER,  # noqa: E402
                           ALLOCATION, NOTIFICATION, METERING, SETTLEMENT, PENALTY,
                           CAMPUS_SURPLUS, pub)


def H(b):
    return hashlib.sha256(b).digest()


def expect_fail(data, code, channel, height, tx=None):
    with pytest.raises(lv.VerificationError) as info:
        lv.verify_export(data)
    e = info.value
    assert (e.code, e.channel, e.height, e.tx_index) == (code, channel, height, tx), e.line()
    return e


@pytest.fixture
def bocs():
    return cb.cross_campus_chain()


def export(*chains):
    return cb.build_export([(c.channel, c.blocks) for c in sorted(chains, key=lambda c: c.channel)])


def append_and_expect(chain, txs, code, tx=None, others=()):
    """Append one block to `chain`; the export (with `others`) must fail there with `code`."""
    height = len(chain.blocks)
    chain.add_block(txs)
    return expect_fail(export(chain, *others).data, code, chain.channel, height, tx)


def surplus(campus="campus-a", requests=None, offers=None, round_=8):
    if requests is None:
        requests = [("exchange 1", "consumer-a", 0, 120, 1_700_000_001, 5000, None)]
    if offers is None:
        offers = [cb.offer_payload("ev-1", round_, 4000, (1_700_003_600, 1_700_010_000), 95)]
    return cb.campus_surplus_payload(campus, round_, H(b"allocation"), requests, offers)


# ---------------------------------------------------------------- valid chains

def test_accepts_cross_campus_chain(bocs):
    [s] = lv.verify_export(export(bocs).data)
    assert (s.channel, s.blocks, s.transactions, s.head) == (BoCS, 3, 9, bocs.blocks[-1].block_hash)
    assert s.config.roles[pub(KEYS["cs-a"])] == {CS, ENDORSER}
    assert s.config.roles[pub(KEYS["bocs-orderer"])] == {ORDERER}


def test_accepts_cross_campus_chain_beside_campus_chains(bocs):
    chains = cb.standard_chains()
    summaries = lv.verify_export(export(chains[BoE], chains[BoEV], bocs).data)
    assert [(s.channel, s.blocks) for s in summaries] == [(BoE, 5), (BoEV, 3), (BoCS, 3)]


def test_accepts_campus_surplus_in_later_round(bocs):
    t = bocs.tx(CAMPUS_SURPLUS, KEYS["cs-c"], surplus("Campus Ç", requests=[], offers=[]))
    bocs.add_block([t, bocs.tx(CAMPUS_SURPLUS, KEYS["cs-a"], surplus())])
    assert lv.verify_export(export(bocs).data)[0].transactions == 11


def test_decodes_campus_surplus_field_by_field(bocs):
    sa, sb, sc = bocs.blocks[1].txs
    a = lv.decode_tx(sa.data).payload
    assert a == lv.CampusSurplus(
        "campus-a", 7, H(b"campus-a BoE allocation of round 7"),
        [("exchange 1", ("consumer-b", 0, 90, 1_700_000_002, 3000, (1_700_003_600, 1_700_007_200)))],
        [("ev-2", 7, 2500, 0, (1_700_003_600, 1_700_010_000), None)])
    b = lv.decode_tx(sb.data).payload
    assert (b.campus, b.allocation, b.requests) == ("campus-b", bytes(32), [])
    assert b.offers == [("ev-1", 7, 4000, 9000, (1_700_000_000, 1_700_020_000), 80)]
    c = lv.decode_tx(sc.data).payload                    # '/' inside an exchange name is fine
    assert (c.campus, c.requests, c.offers) == (
        "Campus Ç", [("exchange/with/slashes", ("c", 1, -10, 1_700_000_005, 700, None))], [])


def test_campus_surplus_offer_is_a_whole_offer_payload():
    offer = cb.offer_payload("ev-9", 3, 1, (5, 6), -7, capacity_wh=2)
    payload = cb.campus_surplus_payload("x", 3, bytes(32), [], [offer])
    assert payload.endswith(cb.u32(1) + offer)
    assert lv.decode_payload(CAMPUS_SURPLUS, payload).offers == [lv.decode_payload(2, offer)]


@pytest.mark.parametrize("kind,author,payload", [
    (ALLOCATION, "cs-b", cb.allocation_payload(8, 2, -1, 7000, 0, 0, [], H(b""), [], [])),
    (NOTIFICATION, "cs-c", cb.notification_payload(8, bytes(32), ["campus-a/exchange 1/c"])),
    (METERING, "bocs-orderer", cb.metering_payload(8, bytes(32), [])),
    (SETTLEMENT, "cs-a", cb.settlement_payload(8, bytes(32), bytes(32), [])),
    (PENALTY, "bocs-orderer", cb.penalty_payload(8, bytes(32), bytes(32), [], [])),
])
def test_accepts_round_records_on_bocs(bocs, kind, author, payload):
    bocs.add_block([bocs.tx(kind, KEYS[author], payload)])
    assert lv.verify_export(export(bocs).data)[0].blocks == 4


# ---------------------------------------------------------------- channels and roles

@pytest.mark.parametrize("channel,author", [(BoE, "cs-a-ops"), (BoE, "cs-a"), (BoEV, "cs-a")])
def test_rejects_campus_surplus_off_bocs(channel, author):
    chains = cb.standard_chains()
    chain = chains[channel]
    t = chain.tx(CAMPUS_SURPLUS, KEYS[author], surplus())
    e = append_and_expect(chain, [t], "tx-kind-channel", 0)
    assert "kind 9 (campus surplus) not allowed on %s" % lv.CHANNELS[channel] in e.reason


@pytest.mark.parametrize("author", ["bocs-orderer", "end-1"])
def test_rejects_campus_surplus_by_non_control_system(bocs, author):
    t = bocs.tx(CAMPUS_SURPLUS, KEYS[author], surplus())
    e = append_and_expect(bocs, [t], "tx-author-role", 0)
    assert "kind 9 (campus surplus)" in e.reason


def test_rejects_campus_surplus_by_orderer_of_standard_bocs():
    chains = cb.standard_chains()                # there cs-a is the orderer and nothing else
    bocs = chains[BoCS]
    t = bocs.tx(CAMPUS_SURPLUS, KEYS["cs-a"], surplus())
    append_and_expect(bocs, [bocs.tx(CAMPUS_SURPLUS, KEYS["cs-b"], surplus("campus-b")), t],
                      "tx-author-role", 1, others=[chains[BoE]])


def test_rejects_campus_surplus_by_non_member(bocs):
    t = bocs.tx(CAMPUS_SURPLUS, KEYS["ex-1"], surplus())
    append_and_expect(bocs, [t], "tx-author-not-member", 0)


def test_rejects_campus_surplus_with_too_few_endorsements(bocs):
    t = bocs.tx(CAMPUS_SURPLUS, KEYS["cs-a"], surplus(), endorse=[KEYS["cs-a"], KEYS["cs-b"]])
    append_and_expect(bocs, [t], "too-few-endorsements", 0)


@pytest.mark.parametrize("kind", [METERING, SETTLEMENT, PENALTY])
def test_rejects_round_records_on_boev(kind):
    chains = cb.standard_chains()
    boev = chains[BoEV]
    payload = {METERING: cb.metering_payload(1, bytes(32), []),
               SETTLEMENT: cb.settlement_payload(1, bytes(32), bytes(32), []),
               PENALTY: cb.penalty_payload(1, bytes(32), bytes(32), [], [])}[kind]
    append_and_expect(boev, [boev.tx(kind, KEYS["cs-a"], payload)], "tx-kind-channel", 0)


# ---------------------------------------------------------------- malformed payloads

def test_rejects_truncated_campus_surplus(bocs):
    good = surplus(requests=[("exchange 1", "c", 0, 1, 2, 3, (10, 20))])
    height = len(bocs.blocks)
    for cut in range(len(good)):
        chain = cb.cross_campus_chain()
        t = chain.tx(CAMPUS_SURPLUS, KEYS["cs-a"], good[:cut])
        chain.add_block([t])
        e = expect_fail(export(chain).data, "malformed", BoCS, height, 0)
        assert "truncated" in e.reason, (cut, e.line())


@pytest.mark.parametrize("campus", ["campus/a", "/", "campus-a/", "/campus-a", "a/\u0338b", ""])
def test_rejects_campus_name_with_slash_or_empty(bocs, campus):
    t = bocs.tx(CAMPUS_SURPLUS, KEYS["cs-a"], surplus(campus))
    e = append_and_expect(bocs, [t], "malformed", 0)
    assert "'/'" in e.reason


@pytest.mark.parametrize("campus", ["a\u2215b", "\uff0f", "campus a"])
def test_accepts_campus_name_with_slash_lookalikes(bocs, campus):
    bocs.add_block([bocs.tx(CAMPUS_SURPLUS, KEYS["cs-a"], surplus(campus))])
    lv.verify_export(export(bocs).data)


@pytest.mark.parametrize("what,reason", [
    ("trailing", "trailing"), ("request-kind", "request kind"), ("request-window", "window"),
    ("offer-window", "window"), ("offer-trailing", "trailing"), ("optional", "optional"),
    ("utf8-exchange", "UTF-8"),
])
def test_rejects_malformed_campus_surplus(bocs, what, reason):
    request = ("exchange 1", "c", 0, 1, 2, 3, None)
    if what == "trailing":
        payload = surplus() + b"\x00"
    elif what == "request-kind":
        payload = surplus(requests=[request[:2] + (2,) + request[3:]])
    elif what == "request-window":
        payload = surplus(requests=[request[:6] + ((20, 20),)])
    elif what == "offer-window":
        payload = surplus(offers=[cb.offer_payload("ev-1", 8, 1, (21, 20))])
    elif what == "offer-trailing":          # an Offer is exactly one kind-2 payload, no more
        payload = surplus(offers=[cb.offer_payload("ev-1", 8, 1) + b"\x00"])
    elif what == "optional":
        payload = surplus(offers=[cb.offer_payload("ev-1", 8, 1)[:-1] + b"\x02"])
    else:                                   # SurplusRequest.exchange is not UTF-8
        payload = (cb.string("campus-a") + cb.u64(8) + bytes(32)
                   + cb.u32(1) + cb.blob(b"\xc3\x28") + cb.string("c") + cb.u8(0)
                   + cb.i64(1) + cb.i64(2) + cb.i64(3) + cb.u8(0)
                   + cb.u32(0))
        assert payload.replace(b"\xc3\x28", b"ab") == cb.campus_surplus_payload(
            "campus-a", 8, bytes(32), [("ab", "c", 0, 1, 2, 3, None)], [])
    t = bocs.tx(CAMPUS_SURPLUS, KEYS["cs-a"], payload)
    e = append_and_expect(bocs, [t], "malformed", 0)
    assert reason in e.reason, e.line()


def test_rejects_unknown_kind_after_campus_surplus(bocs):
    t = bocs.tx(11, KEYS["cs-a"], surplus())
    e = append_and_expect(bocs, [t], "malformed", 0)
    assert "kind" in e.reason
