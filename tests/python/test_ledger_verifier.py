"""Tests of ledger_verifier.py against chains built from docs/wire-format.md (chain_builder.py).

Run: python3 -m pytest tests/python -q
"""
import hashlib
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chain_builder as cb  # noqa: E402
import ledger_verifier as lv  # noqa: E402
from chain_builder import (BoE, BoEV, BoCS, KEYS, CONFIG, REQUEST_LIST, OFFER,  # noqa: E402
                           ALLOCATION, NOTIFICATION, METERING, MODEL_UPDATE, METER_REPORT, pub)

HERE = os.path.dirname(os.path.abspath(__file__))
E1, E2, E3 = KEYS["end-1"], KEYS["end-2"], KEYS["end-3"]


def H(b):
    return hashlib.sha256(b).digest()


def flip(data, offset, mask=0x01):
    b = bytearray(data)
    b[offset] ^= mask
    return bytes(b)


def expect_fail(data, code, channel, height, tx=None):
    with pytest.raises(lv.VerificationError) as info:
        lv.verify_export(data)
    e = info.value
    assert (e.code, e.channel, e.height, e.tx_index) == (code, channel, height, tx), e.line()
    return e


@pytest.fixture
def chains():
    return cb.standard_chains()


@pytest.fixture(scope="module")
def valid():
    chains = cb.standard_chains()
    return chains, cb.export_of(chains)


def request(chain, author=None, nonce=None, **kw):
    """A fresh, valid request list on BoE (unless overridden)."""
    author = author or KEYS["ex-1"]
    return chain.tx(REQUEST_LIST, author, cb.request_list_payload(
        "exchange 1", 99, [("c", 1, 2, 3, None)]), nonce=nonce, **kw)


def append_and_expect(chains, chain_id, txs, code, tx=None, **block_kw):
    """Append one block to chains[chain_id]; the export must fail there with `code`."""
    chain = chains[chain_id]
    height = len(chain.blocks)
    chain.add_block(txs, **block_kw)
    return expect_fail(cb.export_of(chains).data, code, chain_id, height, tx)


# ---------------------------------------------------------------- valid chains

def test_accepts_valid_export(valid):
    chains, export = valid
    summaries = lv.verify_export(export.data)
    assert [(s.channel, s.blocks, s.transactions, s.head) for s in summaries] == [
        (c, len(chains[c].blocks), sum(len(b.txs) for b in chains[c].blocks),
         chains[c].blocks[-1].block_hash) for c in (BoE, BoEV, BoCS)]
    assert [s.config.channel_name for s in summaries] == ["BoE campus A", "BoEV campus A",
                                                          "BoCS"]


def test_accepts_export_subset_and_empty_export(chains):
    assert len(lv.verify_export(cb.build_export([(BoEV, chains[BoEV].blocks)]).data)) == 1
    assert lv.verify_export(cb.build_export([]).data) == []


def test_accepts_five_transaction_block_and_nonce_gaps(chains):
    boe = chains[BoE]
    txs = [request(boe, nonce=10 + 3 * i) for i in range(5)]
    boe.add_block(txs)
    assert lv.verify_export(cb.export_of(chains).data)[0].blocks == 6


# ---------------------------------------------------------------- Merkle root by hand

def test_merkle_root_by_hand():
    t = [H(bytes([i])) for i in range(5)]              # five arbitrary tx_ids
    leaf = [H(b"\x00" + x) for x in t]                 # leaves: H(0x00 || tx_id)

    def node(left, right):                              # inner nodes: H(0x01 || l || r)
        return H(b"\x01" + left + right)

    # 0 leaves: 32 zero bytes.
    expected0 = bytes(32)
    # 1 leaf: the single leaf is the root (it is hashed, not the bare tx_id).
    expected1 = leaf[0]
    # 2 leaves: one pair.
    expected2 = node(leaf[0], leaf[1])
    # 3 leaves: level 1 = [node(L0,L1), L2 (odd, carried up)]; level 2 = node of those.
    n01 = node(leaf[0], leaf[1])
    expected3 = node(n01, leaf[2])
    # 5 leaves: level 1 = [node(L0,L1), node(L2,L3), L4 carried];
    #           level 2 = [node(N01,N23), L4 carried]; level 3 = node(N0123, L4).
    n23 = node(leaf[2], leaf[3])
    n0123 = node(n01, n23)
    expected5 = node(n0123, leaf[4])

    for n, expected in [(0, expected0), (1, expected1), (2, expected2), (3, expected3),
                        (5, expected5)]:
        assert lv.merkle_root(t[:n]) == expected, n
        assert cb.merkle_root(t[:n]) == expected, n
    assert expected1 != t[0]
    assert expected3 != node(n01, node(leaf[2], leaf[2]))   # odd node is not duplicated


def test_rejects_duplicated_odd_leaf_merkle_root(chains):
    boe = chains[BoE]
    txs = [request(boe) for _ in range(3)]
    leaf = [H(b"\x00" + x.tx_id) for x in txs]
    bitcoin_style = H(b"\x01" + H(b"\x01" + leaf[0] + leaf[1]) + H(b"\x01" + leaf[2] + leaf[2]))
    append_and_expect(chains, BoE, txs, "merkle-root", merkle=bitcoin_style)


# ---------------------------------------------------------------- flipped bytes

HEADER_EXPECT = {
    "tag": {"malformed"}, "channel": {"malformed", "block-channel"},
    "height": {"block-height"}, "previous": {"block-previous"},
    "merkle_root": {"merkle-root"}, "timestamp": {"block-signature"},
    "orderer": {"block-orderer"}, "tx_count": {"malformed"},
}


@pytest.mark.parametrize("field", sorted(HEADER_EXPECT))
@pytest.mark.parametrize("channel,height", [(BoE, 0), (BoE, 2), (BoEV, 1), (BoCS, 1)])
def test_flipped_header_byte(valid, field, channel, height):
    _, export = valid
    start, length = cb.HEADER_FIELDS[field]
    base = export.block_offsets[(channel, height)]
    for i in range(length):
        for mask in (0x01, 0x80):
            with pytest.raises(lv.VerificationError) as info:
                lv.verify_export(flip(export.data, base + start + i, mask))
            e = info.value
            assert e.code in HEADER_EXPECT[field], (i, mask, e.line())
            assert (e.channel, e.height, e.tx_index) == (channel, height, None), e.line()


@pytest.mark.parametrize("channel,height", [(BoE, 0), (BoE, 3), (BoEV, 2)])
def test_flipped_block_signature_byte(valid, channel, height):
    _, export = valid
    base = export.block_offsets[(channel, height)] + cb.HEADER_LEN
    for i in range(cb.SIG_LEN):
        expect_fail(flip(export.data, base + i), "block-signature", channel, height)


def tx_offset(export, chains, channel, height, index):
    return (export.block_offsets[(channel, height)]
            + chains[channel].blocks[height].tx_offsets[index])


@pytest.mark.parametrize("channel,height,index", [(BoE, 1, 1), (BoE, 2, 0), (BoE, 3, 2),
                                                  (BoEV, 1, 0), (BoCS, 1, 0), (BoE, 0, 0)])
def test_flipped_payload_byte(valid, channel, height, index):
    chains, export = valid
    tx = chains[channel].blocks[height].txs[index]
    base = tx_offset(export, chains, channel, height, index) + tx.payload_offset
    codes = set()
    for i in range(tx.payload_len):
        with pytest.raises(lv.VerificationError) as info:
            lv.verify_export(flip(export.data, base + i))
        e = info.value
        assert (e.channel, e.height, e.tx_index) == (channel, height, index), e.line()
        allowed = {"tx-author-signature", "malformed"}
        if height == 0:   # the config names the orderer, endorsers and members itself
            allowed |= {"genesis", "config", "tx-author-not-member", "tx-author-role"}
        assert e.code in allowed, (i, e.line())
        codes.add(e.code)
    assert "tx-author-signature" in codes


def test_flipped_string_byte_in_payload_is_bad_author_signature(valid):
    chains, export = valid
    tx = chains[BoE].blocks[1].txs[1]     # request list of "exchange 2"
    offset = tx_offset(export, chains, BoE, 1, 1) + tx.payload_offset + 4   # 'e' -> 'd'
    expect_fail(flip(export.data, offset), "tx-author-signature", BoE, 1, 1)


@pytest.mark.parametrize("part,start,length,code", [
    ("nonce", 42, 8, "tx-author-signature"), ("timestamp", 50, 8, "tx-author-signature"),
    ("author", 10, 32, "tx-author-signature"), ("tag", 0, 8, "malformed"),
])
def test_flipped_transaction_header_byte(valid, part, start, length, code):
    chains, export = valid
    base = tx_offset(export, chains, BoEV, 2, 1)
    for i in range(length):
        expect_fail(flip(export.data, base + start + i), code, BoEV, 2, 1)


def test_flipped_author_and_endorsement_signature_bytes(valid):
    chains, export = valid
    tx = chains[BoE].blocks[2].txs[1]
    base = tx_offset(export, chains, BoE, 2, 1)
    for i in range(cb.SIG_LEN):
        expect_fail(flip(export.data, base + tx.signature_offset + i),
                    "tx-author-signature", BoE, 2, 1)
    for j in range(2):                                    # two endorsements (k = 2)
        sig_at = base + tx.endorsements_offset + j * 96 + 32
        for i in range(cb.SIG_LEN):
            e = expect_fail(flip(export.data, sig_at + i), "endorsement-signature", BoE, 2, 1)
            assert "endorsement %d " % j in e.reason


def test_flipped_endorsement_key_byte(valid):
    chains, export = valid
    tx = chains[BoE].blocks[2].txs[1]
    base = tx_offset(export, chains, BoE, 2, 1) + tx.endorsements_offset
    for i in range(64 + 32 + 32):
        if i % 96 >= 32:
            continue                                      # skip signatures
        with pytest.raises(lv.VerificationError) as info:
            lv.verify_export(flip(export.data, base + i))
        assert info.value.code in {"endorser-not-allowed", "endorsements-order"}
        assert (info.value.height, info.value.tx_index) == (2, 1)


def test_every_sampled_byte_flip_is_detected_cleanly(valid):
    _, export = valid
    for offset in range(0, len(export.data), 7):
        with pytest.raises(lv.VerificationError):
            lv.verify_export(flip(export.data, offset))


# ---------------------------------------------------------------- replay and nonces

def test_rejects_replayed_transaction_in_later_block(chains):
    old = chains[BoE].blocks[1].txs[0]
    append_and_expect(chains, BoE, [old], "replayed-tx", 0)


def test_rejects_replayed_transaction_in_same_block(chains):
    t = request(chains[BoE])
    append_and_expect(chains, BoE, [t, t], "replayed-tx", 1)


def test_rejects_equal_nonce(chains):
    append_and_expect(chains, BoE, [request(chains[BoE], nonce=1)], "nonce-not-increasing", 0)


def test_rejects_decreasing_nonce_in_same_block(chains):
    boe = chains[BoE]
    txs = [request(boe, nonce=6), request(boe, author=KEYS["ex-2"]), request(boe, nonce=5)]
    append_and_expect(chains, BoE, txs, "nonce-not-increasing", 2)


def test_nonces_are_per_channel(chains):
    # cs-a used nonce 1 for the config on every channel: that is fine (valid export).
    # The orderer reusing nonce 2 on BoE after its allocation result is not.
    t = chains[BoE].tx(NOTIFICATION, KEYS["cs-a"], cb.notification_payload(1, bytes(32), []),
                       nonce=2)
    append_and_expect(chains, BoE, [t], "nonce-not-increasing", 0)


# ---------------------------------------------------------------- membership and policy

def test_rejects_non_member_author(chains):
    append_and_expect(chains, BoE, [request(chains[BoE], author=KEYS["stranger"])],
                      "tx-author-not-member", 0)


def test_rejects_member_of_another_channel(chains):
    t = chains[BoE].tx(NOTIFICATION, KEYS["cs-b"], cb.notification_payload(1, bytes(32), []))
    append_and_expect(chains, BoE, [t], "tx-author-not-member", 0)


@pytest.mark.parametrize("endorse", [[E1], []])
def test_rejects_too_few_endorsements(chains, endorse):
    boe = chains[BoE]
    append_and_expect(chains, BoE, [request(boe), request(boe, endorse=endorse)],
                      "too-few-endorsements", 1)


@pytest.mark.parametrize("outsider", ["end-4", "ex-2", "stranger"])
def test_rejects_endorsement_by_key_not_in_endorsers(chains, outsider):
    t = request(chains[BoE], endorse=[E1, E2, KEYS[outsider]])
    e = append_and_expect(chains, BoE, [t], "endorser-not-allowed", 0)
    assert pub(KEYS[outsider]).hex() in e.reason


def test_rejects_unsorted_endorsements(chains):
    descending = sorted([E1, E2], key=pub, reverse=True)
    t = request(chains[BoE], endorse=descending, sort=False)
    append_and_expect(chains, BoE, [t], "endorsements-order", 0)


def test_rejects_duplicate_endorsements(chains):
    t = request(chains[BoE], endorse=[E1, E1])
    append_and_expect(chains, BoE, [t], "endorsements-order", 0)


def test_rejects_endorsement_signed_by_wrong_key(chains):
    payload = cb.request_list_payload("exchange 1", 1, [])
    good = cb.build_tx(BoE, REQUEST_LIST, KEYS["ex-1"], 50, payload)
    forged = sorted([(pub(E1), cb.sign(E3, good.tx_id)), (pub(E2), cb.sign(E2, good.tx_id))])
    t = cb.build_tx(BoE, REQUEST_LIST, KEYS["ex-1"], 50, payload, endorsements=forged)
    assert t.tx_id == good.tx_id
    append_and_expect(chains, BoE, [t], "endorsement-signature", 0)


@pytest.mark.parametrize("channel,kind,author,payload", [
    (BoE, METERING, "ex-1", cb.metering_payload(1, bytes(32), [])),
    (BoE, REQUEST_LIST, "end-1", cb.request_list_payload("e", 1, [])),
    (BoE, REQUEST_LIST, "cs-a", cb.request_list_payload("e", 1, [])),
    (BoEV, NOTIFICATION, "ev-1", cb.notification_payload(1, bytes(32), [])),
    (BoEV, OFFER, "cs-a", cb.offer_payload("cs", 1, 1)),
    (BoEV, METER_REPORT, "cs-a", cb.meter_report_payload("ev-1", 1, bytes(32), [])),
])
def test_rejects_author_role_not_allowed(chains, channel, kind, author, payload):
    t = chains[channel].tx(kind, KEYS[author], payload)
    append_and_expect(chains, channel, [t], "tx-author-role", 0)


@pytest.mark.parametrize("channel,kind,author,payload", [
    (BoE, OFFER, "ev-1", cb.offer_payload("ev-1", 1, 1)),
    (BoCS, MODEL_UPDATE, "cs-b", cb.model_update_payload(1, "m", bytes(32))),
    (BoEV, METERING, "cs-a", cb.metering_payload(1, bytes(32), [])),
    (BoE, METER_REPORT, "ev-1", cb.meter_report_payload("ev-1", 1, bytes(32), [])),
    (BoEV, ALLOCATION, "cs-a", cb.allocation_payload(1, 1, -1, -1, 0, 0, [], H(b""), [], [])),
])
def test_rejects_kind_not_allowed_on_channel(chains, channel, kind, author, payload):
    t = chains[channel].tx(kind, KEYS[author], payload)
    append_and_expect(chains, channel, [t], "tx-kind-channel", 0)


def test_rejects_config_after_genesis(chains):
    boe = chains[BoE]
    t = boe.tx(CONFIG, KEYS["cs-a"], cb.config_payload("again", pub(KEYS["cs-a"]), [], 0, []))
    append_and_expect(chains, BoE, [request(boe), t], "tx-config-after-genesis", 1)


def test_rejects_transaction_of_another_channel(chains):
    t = request(chains[BoE], channel=BoEV)
    append_and_expect(chains, BoE, [t], "tx-channel", 0)


# ---------------------------------------------------------------- blocks

def test_rejects_block_signed_by_someone_else(chains):
    append_and_expect(chains, BoE, [request(chains[BoE])], "block-signature",
                      signer=KEYS["cs-b"])


def test_rejects_block_from_another_orderer(chains):
    append_and_expect(chains, BoE, [request(chains[BoE])], "block-orderer",
                      signer=KEYS["cs-b"], orderer_key=pub(KEYS["cs-b"]))


@pytest.mark.parametrize("previous", ["random", "grandparent", "zero"])
def test_rejects_wrong_previous_hash(chains, previous):
    boe = chains[BoE]
    value = {"random": H(b"x"), "grandparent": boe.blocks[-2].block_hash,
             "zero": bytes(32)}[previous]
    append_and_expect(chains, BoE, [request(boe)], "block-previous", previous=value)


@pytest.mark.parametrize("delta", [1, -1, 2 ** 32])
def test_rejects_wrong_height(chains, delta):
    boe = chains[BoE]
    append_and_expect(chains, BoE, [request(boe)], "block-height",
                      height=len(boe.blocks) + delta)


def test_rejects_block_channel_mismatch(chains):
    append_and_expect(chains, BoEV, [], "block-channel", channel=BoCS)


def test_rejects_wrong_merkle_root_even_if_signed(chains):
    boe = chains[BoE]
    a, b = request(boe), request(boe)
    append_and_expect(chains, BoE, [a, b], "merkle-root",
                      merkle=cb.merkle_root([b.tx_id, a.tx_id]))


# ---------------------------------------------------------------- genesis and config

def genesis_only(channel, txs, **kw):
    block = cb.build_block(channel, 0, bytes(32), txs, KEYS["cs-a"], **kw)
    return cb.build_export([(channel, [block])]).data


def config_tx(members=None, orderer="cs-a", endorsers=(), k=0, author="cs-a", nonce=1):
    if members is None:
        members = [(pub(KEYS["cs-a"]), 1, "cs")]
    return cb.build_tx(BoE, CONFIG, KEYS[author], nonce, cb.config_payload(
        "BoE", pub(KEYS[orderer]), members, k, [pub(e) for e in endorsers]))


def test_minimal_genesis_is_valid():
    [s] = lv.verify_export(genesis_only(BoE, [config_tx()]))
    assert (s.blocks, s.transactions) == (1, 1)


def test_rejects_genesis_with_two_transactions(chains):
    data = genesis_only(BoE, [config_tx(), request(chains[BoE])])
    expect_fail(data, "genesis", BoE, 0)


def test_rejects_genesis_without_config(chains):
    expect_fail(genesis_only(BoE, [request(chains[BoE])]), "genesis", BoE, 0)
    expect_fail(genesis_only(BoE, []), "genesis", BoE, 0)


def test_rejects_genesis_config_not_authored_by_its_orderer():
    members = [(pub(KEYS["cs-a"]), 1, "a"), (pub(KEYS["cs-b"]), 1, "b")]
    data = genesis_only(BoE, [config_tx(members, orderer="cs-b")],
                        signer=KEYS["cs-b"], orderer_key=pub(KEYS["cs-b"]))
    expect_fail(data, "genesis", BoE, 0, 0)


def test_rejects_genesis_signed_by_other_than_config_orderer():
    expect_fail(genesis_only(BoE, [config_tx()], signer=KEYS["cs-b"]), "block-signature", BoE, 0)
    expect_fail(genesis_only(BoE, [config_tx()], signer=KEYS["cs-b"],
                             orderer_key=pub(KEYS["cs-b"])), "block-orderer", BoE, 0)


def test_rejects_genesis_with_nonzero_previous():
    block = cb.build_block(BoE, 0, H(b"x"), [config_tx()], KEYS["cs-a"])
    expect_fail(cb.build_export([(BoE, [block])]).data, "block-previous", BoE, 0)


def test_rejects_orderer_missing_from_its_members():
    data = genesis_only(BoE, [config_tx([(pub(KEYS["cs-b"]), 4, "b")])])
    expect_fail(data, "tx-author-not-member", BoE, 0, 0)


def test_rejects_orderer_listed_without_orderer_role():
    data = genesis_only(BoE, [config_tx([(pub(KEYS["cs-a"]), 4, "a")])])
    expect_fail(data, "tx-author-role", BoE, 0, 0)


def test_rejects_config_endorser_that_is_not_a_member():
    data = genesis_only(BoE, [config_tx(endorsers=[E1], k=1)])
    expect_fail(data, "config", BoE, 0, 0)


def test_rejects_empty_channel_chain():
    expect_fail(cb.build_export([(BoE, [])]).data, "genesis", BoE, 0)


@pytest.mark.parametrize("order", [[BoEV, BoE], [BoE, BoE], [BoCS, BoEV]])
def test_rejects_channels_out_of_order_or_repeated(chains, order):
    data = cb.build_export([(c, chains[c].blocks) for c in order]).data
    expect_fail(data, "channel-order", order[1], None)


# ---------------------------------------------------------------- malformed input

def test_rejects_trailing_bytes_after_export(valid):
    _, export = valid
    e = expect_fail(export.data + b"\x00", "malformed", None, None)
    assert "trailing" in e.reason


def test_rejects_trailing_bytes_inside_block(chains):
    boe = chains[BoE]
    boe.blocks[2] = cb.BlockEnc(boe.blocks[2].data + b"\x00", boe.blocks[2].block_hash, [])
    e = expect_fail(cb.export_of(chains).data, "malformed", BoE, 2)
    assert "trailing" in e.reason


def test_rejects_trailing_bytes_inside_transaction(chains):
    t = request(chains[BoE])
    t.data += b"\x00"
    e = append_and_expect(chains, BoE, [t], "malformed", 0)
    assert "trailing" in e.reason


def test_rejects_trailing_bytes_inside_payload(chains):
    t = chains[BoEV].tx(MODEL_UPDATE, KEYS["ev-2"],
                        cb.model_update_payload(1, "m", bytes(32)) + b"\x00")
    e = append_and_expect(chains, BoEV, [t], "malformed", 0)
    assert "trailing" in e.reason


def test_rejects_truncated_export(valid):
    chains, export = valid
    data = export.data
    cuts = set(range(0, len(data), 11)) | {len(data) - 1, 7, 8, 11, 12}
    cuts |= {o - 4 for o in export.block_offsets.values()}
    cuts |= {o for o in export.block_offsets.values()}
    for cut in sorted(cuts):
        with pytest.raises(lv.VerificationError) as info:
            lv.verify_export(data[:cut])
        assert info.value.code == "malformed", (cut, info.value.line())
    e = expect_fail(data[:-1], "malformed", BoCS, 1)
    assert "truncated" in e.reason


@pytest.mark.parametrize("what", ["kind", "role", "algorithm", "bool", "optional",
                                  "utf8", "tx-tag", "tx-channel"])
def test_rejects_bad_enums_tags_and_text(chains, what):
    boe, boev = chains[BoE], chains[BoEV]
    ex1 = KEYS["ex-1"]
    payload = cb.request_list_payload("exchange 1", 1, [])
    if what == "kind":
        t = boe.tx(11, ex1, payload)
    elif what == "role":
        t = boe.tx(CONFIG, KEYS["cs-a"], cb.config_payload("x", pub(KEYS["cs-a"]),
                                                           [(pub(ex1), 6, "x")], 0, []))
    elif what == "algorithm":
        t = boe.tx(ALLOCATION, KEYS["cs-a"], cb.allocation_payload(
            1, 7, -1, -1, 0, 0, [], H(b""), [], []))
    elif what == "bool":
        p = cb.allocation_payload(1, 1, -1, -1, 0, 0, [], H(b""), [], [(0, 1, 1, True)])
        t = boe.tx(ALLOCATION, KEYS["cs-a"], p[:-2] + b"\x02" + p[-1:])
    elif what == "optional":
        p = cb.offer_payload("ev-1", 1, 1)
        t = boev.tx(OFFER, KEYS["ev-1"], p[:-1] + b"\x02")
    elif what == "utf8":
        t = boe.tx(REQUEST_LIST, ex1, cb.blob(b"\xff\xfe") + payload[14:])
    elif what == "tx-tag":
        good = boe.tx(REQUEST_LIST, ex1, payload)
        good.data = b"V2GTX002" + good.data[8:]
        t = good
    else:
        t = request(boe, channel=7)
    chain = boev if what == "optional" else boe
    e = append_and_expect(chains, chain.channel, [t], "malformed", 0)
    assert e.reason


def test_rejects_bad_export_tag_and_channel_enum(valid):
    _, export = valid
    expect_fail(b"V2GEXP02" + export.data[8:], "malformed", None, None)
    expect_fail(b"V2GEXP01" + cb.u32(1) + b"\x04" + cb.u32(0), "malformed", None, None)
    expect_fail(b"", "malformed", None, None)


# ---------------------------------------------------------------- command line

def run_cli(path):
    return subprocess.run([sys.executable, os.path.join(HERE, "ledger_verifier.py"), str(path)],
                          capture_output=True, text=True)


def test_cli_valid_export(valid, tmp_path):
    chains, export = valid
    path = tmp_path / "export.bin"
    path.write_bytes(export.data)
    out = run_cli(path)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines == [
        "BoE blocks=5 transactions=8 head=%s" % chains[BoE].blocks[-1].block_hash.hex(),
        "BoEV blocks=3 transactions=7 head=%s" % chains[BoEV].blocks[-1].block_hash.hex(),
        "BoCS blocks=2 transactions=2 head=%s" % chains[BoCS].blocks[-1].block_hash.hex(),
    ]


def test_cli_failure_line(chains, tmp_path):
    t = request(chains[BoE], author=KEYS["stranger"])
    chains[BoE].add_block([request(chains[BoE]), t])
    path = tmp_path / "bad.bin"
    path.write_bytes(cb.export_of(chains).data)
    out = run_cli(path)
    assert out.returncode == 1
    [line] = out.stdout.splitlines()
    assert line.startswith("FAIL channel=BoE height=5 tx=1: author ")
    assert "not a member" in line and out.stderr == ""


@pytest.mark.parametrize("content", [b"", b"garbage", b"V2GEXP01\xff\xff\xff\xff"])
def test_cli_malformed_input_has_no_traceback(tmp_path, content):
    path = tmp_path / "bad.bin"
    path.write_bytes(content)
    out = run_cli(path)
    assert out.returncode == 1 and out.stdout.startswith("FAIL ") and out.stderr == ""


def test_cli_missing_file(tmp_path):
    out = run_cli(tmp_path / "missing.bin")
    assert out.returncode == 1 and out.stdout.startswith("FAIL ") and "Traceback" not in out.stderr
