"""Encoder for V2GKit ledger exports, written from docs/wire-format.md only.

Used by the tests to build valid chains and chains with exactly one defect.
It deliberately shares no code with ledger_verifier.py.
"""
import hashlib
import struct
from dataclasses import dataclass, field

import nacl.signing

BoE, BoEV, BoCS = 1, 2, 3
ORDERER, EXCHANGE, EV, CS, ENDORSER = 1, 2, 3, 4, 5
CONFIG, REQUEST_LIST, OFFER, ALLOCATION, NOTIFICATION, METERING, SETTLEMENT, PENALTY, \
    MODEL_UPDATE, CAMPUS_SURPLUS, METER_REPORT = range(11)

# Offsets inside a BlockHeader (§4): field -> (offset, length).
HEADER_FIELDS = {
    "tag": (0, 8), "channel": (8, 1), "height": (9, 8), "previous": (17, 32),
    "merkle_root": (49, 32), "timestamp": (81, 8), "orderer": (89, 32), "tx_count": (121, 4),
}
HEADER_LEN = 125
SIG_LEN = 64


def sha256(b):
    return hashlib.sha256(b).digest()


def key(name):
    """A deterministic Ed25519 signing key derived from a name."""
    return nacl.signing.SigningKey(sha256(b"v2g-test-key:" + name.encode()))


def pub(sk):
    return bytes(sk.verify_key)


def sign(sk, msg32):
    return sk.sign(msg32).signature


# ---- §1 primitives
def u8(v): return struct.pack(">B", v)
def u32(v): return struct.pack(">I", v)
def u64(v): return struct.pack(">Q", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)
def boolean(v): return u8(1 if v else 0)
def blob(b): return u32(len(b)) + b
def string(s): return blob(s.encode("utf-8"))
def lst(items, enc): return u32(len(items)) + b"".join(enc(x) for x in items)
def opt(v, enc): return u8(0) if v is None else u8(1) + enc(v)
def window(w): return i64(w[0]) + i64(w[1])


# ---- §5 payloads
def config_payload(name, orderer, members, k, endorsers):
    """members: [(key bytes, role, name)], endorsers: [key bytes]."""
    return (string(name) + orderer
            + lst(members, lambda m: m[0] + u8(m[1]) + string(m[2]))
            + u32(k) + lst(endorsers, lambda e: e))


def request_list_payload(exchange, round_, requests):
    """requests: [(consumer, bid, submitted_at, energy_wh, window or None)], all of kind 0 (demand)."""
    return string(exchange) + u64(round_) + lst(requests, lambda q: (
        string(q[0]) + u8(0) + i64(q[1]) + i64(q[2]) + i64(q[3]) + opt(q[4], window)))


def offer_payload(ev, round_, energy_wh, win=None, ask=None, capacity_wh=0):
    return string(ev) + u64(round_) + i64(energy_wh) + i64(capacity_wh) + opt(win, window) + opt(ask, i64)


def allocation_payload(round_, algorithm, capacity, power, g1, g2, inputs, inputs_digest,
                       allocations, outcomes, certificate=None):
    return (u64(round_) + u8(algorithm) + i64(capacity) + i64(power) + i32(g1) + i32(g2)
            + lst(inputs, lambda h: h) + inputs_digest
            + lst(allocations, lambda a: u32(a[0]) + u32(a[1]) + i64(a[2]) + opt(a[3], window))
            + lst(outcomes, lambda o: u32(o[0]) + i64(o[1]) + i64(o[2]) + boolean(o[3]))
            + opt(certificate, lambda c: lst(c[0], i64) + lst(c[1], i64) + lst(c[2], i64)))


def notification_payload(round_, allocation, recipients):
    return u64(round_) + allocation + lst(recipients, string)


def metering_payload(round_, allocation, readings):
    return u64(round_) + allocation + lst(readings, lambda r: u32(r[0]) + i64(r[1]))


def settlement_payload(round_, allocation, metering, transfers):
    return u64(round_) + allocation + metering + lst(
        transfers, lambda t: string(t[0]) + string(t[1]) + i64(t[2]))


def penalty_payload(round_, allocation, metering, consumers, exchanges):
    return (u64(round_) + allocation + metering
            + lst(consumers, lambda c: string(c[0]) + string(c[1]) + lst(c[2], i32))
            + lst(exchanges, lambda e: string(e[0]) + lst(e[1], i32)))


def model_update_payload(round_, model, weights_digest):
    return u64(round_) + string(model) + weights_digest


def meter_report_payload(ev, round_, allocation, measurements):
    """measurements: [(index, station, evse, transaction_id, start, end, start_wh, end_wh, status)]."""
    return string(ev) + u64(round_) + allocation + lst(measurements, lambda m: (
        u32(m[0]) + string(m[1]) + u32(m[2]) + string(m[3]) + i64(m[4]) + i64(m[5]) + i64(m[6]) + i64(m[7]) + u8(m[8])))


def campus_surplus_payload(campus, round_, allocation, requests, offers):
    """requests: [(exchange, consumer, kind, bid, submitted_at, energy_wh, window or None)];
    offers: [bytes], each an entire kind-2 payload (offer_payload)."""
    return (string(campus) + u64(round_) + allocation
            + lst(requests, lambda q: (string(q[0]) + string(q[1]) + u8(q[2]) + i64(q[3])
                                       + i64(q[4]) + i64(q[5]) + opt(q[6], window)))
            + lst(offers, lambda o: o))


# ---- §3 transactions, §4 blocks, §7 export
@dataclass
class TxEnc:
    data: bytes
    tx_id: bytes
    body: bytes
    payload_offset: int          # offset of the payload bytes (after their u32 length)
    payload_len: int
    signature_offset: int
    endorsements_offset: int     # offset of the first Endorsement (after the u32 count)


def build_tx(channel, kind, author, nonce, payload, endorsers=(), timestamp=1_700_000_000,
             sort=True, author_key=None, endorsements=None):
    """author/endorsers are SigningKeys; author_key overrides the encoded key,
    endorsements (list of (key, sig)) overrides the computed endorsements."""
    author_pub = author_key if author_key is not None else pub(author)
    head = (b"V2GTX001" + u8(channel) + u8(kind) + author_pub + u64(nonce) + i64(timestamp))
    body = head + blob(payload)
    tx_id = sha256(body)
    if endorsements is None:
        endorsements = [(pub(e), sign(e, tx_id)) for e in endorsers]
        if sort:
            endorsements.sort(key=lambda e: e[0])
    sig = sign(author, tx_id)
    data = body + sig + lst(endorsements, lambda e: e[0] + e[1])
    return TxEnc(data, tx_id, body, len(head) + 4, len(payload), len(body),
                 len(body) + SIG_LEN + 4)


def merkle_root(tx_ids):
    if not tx_ids:
        return bytes(32)
    nodes = [sha256(b"\x00" + t) for t in tx_ids]
    while len(nodes) > 1:
        paired = [sha256(b"\x01" + nodes[i] + nodes[i + 1])
                  for i in range(0, len(nodes) // 2 * 2, 2)]
        nodes = paired + nodes[len(nodes) // 2 * 2:]
    return nodes[0]


@dataclass
class BlockEnc:
    data: bytes
    block_hash: bytes
    txs: list
    tx_offsets: list = field(default_factory=list)   # offset of each Transaction in data


def build_block(channel, height, previous, txs, orderer, timestamp=1_700_000_000,
                merkle=None, orderer_key=None, signer=None, tx_count=None):
    header = (b"V2GBLK01" + u8(channel) + u64(height) + previous
              + (merkle if merkle is not None else merkle_root([t.tx_id for t in txs]))
              + i64(timestamp)
              + (orderer_key if orderer_key is not None else pub(orderer))
              + u32(len(txs) if tx_count is None else tx_count))
    assert len(header) == HEADER_LEN
    block_hash = sha256(header)
    data = header + sign(signer or orderer, block_hash)
    offsets = []
    for t in txs:
        offsets.append(len(data) + 4)
        data += blob(t.data)
    return BlockEnc(data, block_hash, list(txs), offsets)


@dataclass
class ExportEnc:
    data: bytes
    block_offsets: dict    # (channel, index) -> offset of the Block encoding in data


def build_export(chains):
    """chains: [(channel, [BlockEnc or raw bytes])], written in the given order."""
    data = b"V2GEXP01" + u32(len(chains))
    offsets = {}
    for channel, blocks in chains:
        data += u8(channel) + u32(len(blocks))
        for i, b in enumerate(blocks):
            raw = b.data if isinstance(b, BlockEnc) else b
            offsets[(channel, i)] = len(data) + 4
            data += blob(raw)
    return ExportEnc(data, offsets)


class Chain:
    """One channel's chain: a genesis config block, then blocks appended by the test."""

    def __init__(self, channel, name, orderer, members, k, endorsers):
        self.channel, self.orderer = channel, orderer
        self.endorsers, self.k = endorsers, k
        self.nonces = {}
        self.blocks = []
        self.config_tx = self.tx(CONFIG, orderer, config_payload(
            name, pub(orderer), [(pub(sk), role, n) for sk, role, n in members], k,
            [pub(e) for e in endorsers]), endorse=[])
        self.add_block([self.config_tx])

    def next_nonce(self, author):
        n = self.nonces.get(pub(author), 0) + 1
        self.nonces[pub(author)] = n
        return n

    def tx(self, kind, author, payload, endorse=None, nonce=None, **kw):
        """Build a transaction; endorse defaults to the first k endorsers."""
        if endorse is None:
            endorse = self.endorsers[:self.k]
        if nonce is None:
            nonce = self.next_nonce(author)
        return build_tx(kw.pop("channel", self.channel), kind, author, nonce, payload,
                        endorse, **kw)

    @property
    def head(self):
        return self.blocks[-1].block_hash if self.blocks else bytes(32)

    def add_block(self, txs, **kw):
        height = kw.pop("height", len(self.blocks))
        previous = kw.pop("previous", self.head)
        block = build_block(kw.pop("channel", self.channel), height, previous, txs,
                            self.orderer, timestamp=1_700_000_000 + 60 * len(self.blocks), **kw)
        self.blocks.append(block)
        return block


# ---- the standard scenario
KEYS = {n: key(n) for n in [
    "cs-a", "cs-b", "cs-c", "cs-a-ops", "ex-1", "ex-2", "ev-1", "ev-2",
    "end-1", "end-2", "end-3", "end-4", "stranger", "bocs-orderer"]}


def standard_chains():
    """Three valid chains (BoE, BoEV, BoCS) covering kinds 0 to 8 and 10 (kind 9: cross_campus_chain)."""
    K = KEYS
    E1, E2, E3 = K["end-1"], K["end-2"], K["end-3"]
    boe = Chain(BoE, "BoE campus A", K["cs-a"], [
        (K["cs-a"], ORDERER, "campus A CS"), (K["cs-a-ops"], CS, "campus A ops"),
        (K["ex-1"], EXCHANGE, "exchange 1"), (K["ex-2"], EXCHANGE, "exchange 2"),
        (E1, ENDORSER, "e1"), (E2, ENDORSER, "e2"), (E3, ENDORSER, "e3"),
        (K["end-4"], ENDORSER, "e4 (member, not in the policy)")], 2, [E3, E1, E2])
    r1 = boe.tx(REQUEST_LIST, K["ex-1"], request_list_payload("exchange 1", 7, [
        ("consumer-a", 120, 1_700_000_001, 5000, (1_700_003_600, 1_700_007_200)),
        ("consumer-b", 90, 1_700_000_002, 3000, None)]))
    r2 = boe.tx(REQUEST_LIST, K["ex-2"], request_list_payload("exchange 2", 7, [
        ("consümer-ç", -5, 1_700_000_003, 1000, None)]), endorse=[E1, E2, E3])
    boe.add_block([r1, r2])
    alloc = boe.tx(ALLOCATION, K["cs-a"], allocation_payload(
        7, 2, -1, 11000, 500_000, -250_000, [r1.tx_id, r2.tx_id], sha256(r1.body + r2.body),
        [(0, 0, 4000, (1_700_003_600, 1_700_005_000)), (2, 1, 1000, None)],
        [(0, 5000, 4000, False), (1, 3000, 0, False), (2, 1000, 1000, True)]))
    note = boe.tx(NOTIFICATION, K["cs-a-ops"], notification_payload(
        7, alloc.tx_id, ["exchange 1", "exchange 2"]))
    boe.add_block([alloc, note])
    meter = boe.tx(METERING, K["cs-a-ops"], metering_payload(7, alloc.tx_id, [(0, 3900),
                                                                              (1, 1000)]))
    settle = boe.tx(SETTLEMENT, K["cs-a"], settlement_payload(
        7, alloc.tx_id, meter.tx_id, [("exchange 1", "ev-1", 468_000), ("exchange 2", "ev-2",
                                                                       120_000)]))
    penalty = boe.tx(PENALTY, K["cs-a-ops"], penalty_payload(
        7, alloc.tx_id, meter.tx_id, [("exchange 1", "consumer-a", [0, -3, 2])],
        [("exchange 1", [1]), ("exchange 2", [])]))
    boe.add_block([meter, settle, penalty])
    boe.add_block([])                                  # an empty block is allowed

    boev = Chain(BoEV, "BoEV campus A", K["cs-a"], [
        (K["cs-a"], ORDERER, "campus A CS"), (K["ev-1"], EV, "ev 1"), (K["ev-2"], EV, "ev 2"),
        (E1, ENDORSER, "e1"), (E2, ENDORSER, "e2")], 1, [E1, E2])
    o1 = boev.tx(OFFER, K["ev-1"], offer_payload("ev-1", 7, 4000, (1_700_003_600,
                                                                   1_700_010_000), 95))
    o2 = boev.tx(OFFER, K["ev-2"], offer_payload("ev-2", 7, 2500))
    boev.add_block([o1, o2])
    boev.add_block([
        boev.tx(NOTIFICATION, K["cs-a"], notification_payload(7, alloc.tx_id, ["ev-1"])),
        boev.tx(MODEL_UPDATE, K["ev-1"], model_update_payload(7, "sret", sha256(b"w1"))),
        boev.tx(METER_REPORT, K["ev-1"], meter_report_payload("ev-1", 8, alloc.tx_id, [
            (0, "ST1", 1, "TX-1", 1_700_003_600, 1_700_004_500, 12_000, 15_900, 0)])),
        boev.tx(MODEL_UPDATE, K["cs-a"], model_update_payload(8, "global", sha256(b"w2")),
                endorse=[E2]),
    ])

    bocs = Chain(BoCS, "BoCS", K["cs-a"], [
        (K["cs-a"], ORDERER, "campus A CS"), (K["cs-b"], CS, "campus B CS"),
        (K["cs-c"], CS, "campus C CS"), (E1, ENDORSER, "e1"), (E2, ENDORSER, "e2"),
        (E3, ENDORSER, "e3")], 3, [E1, E2, E3])
    bocs.add_block([bocs.tx(ALLOCATION, K["cs-b"], allocation_payload(
        3, 6, 50000, 7000, 0, 0, [], sha256(b""), [(0, 0, 100, None)], [(0, 100, 100, True)],
        ([0], [1, -2, 3], [0, 4])))])
    return {BoE: boe, BoEV: boev, BoCS: bocs}


def cross_campus_chain():
    """A valid BoCS chain of the cross-campus round (§5 kind 9, §6.1): a genesis config whose
    members are an orderer (role 1 only), three campus control systems (roles 4 and 5) and an
    auditor (role 5); then one block of campus surpluses and one of the cross-campus result and
    its records, which name exchanges and EVs `campus/name`."""
    K = KEYS
    A, B, C, AUDITOR = K["cs-a"], K["cs-b"], K["cs-c"], K["end-1"]
    bocs = Chain(BoCS, "BoCS", K["bocs-orderer"], [
        (K["bocs-orderer"], ORDERER, "BoCS orderer"),
        (A, CS, "campus-a"), (A, ENDORSER, "campus-a"),
        (B, CS, "campus-b"), (B, ENDORSER, "campus-b"),
        (C, CS, "Campus Ç"), (C, ENDORSER, "Campus Ç"),
        (AUDITOR, ENDORSER, "auditor")], 3, [A, B, C, AUDITOR])
    sa = bocs.tx(CAMPUS_SURPLUS, A, campus_surplus_payload(
        "campus-a", 7, sha256(b"campus-a BoE allocation of round 7"),
        [("exchange 1", "consumer-b", 0, 90, 1_700_000_002, 3000, (1_700_003_600, 1_700_007_200))],
        [offer_payload("ev-2", 7, 2500, (1_700_003_600, 1_700_010_000))]))
    sb = bocs.tx(CAMPUS_SURPLUS, B, campus_surplus_payload(
        "campus-b", 7, bytes(32), [],
        [offer_payload("ev-1", 7, 4000, (1_700_000_000, 1_700_020_000), 80, capacity_wh=9000)]),
        endorse=[B, C, AUDITOR])
    sc = bocs.tx(CAMPUS_SURPLUS, C, campus_surplus_payload(   # names inside a campus may hold '/'
        "Campus Ç", 7, sha256(b"Campus C BoE allocation of round 7"),
        [("exchange/with/slashes", "c", 1, -10, 1_700_000_005, 700, None)], []))
    bocs.add_block([sa, sb, sc])
    # Requests: 0 = campus-a/exchange 1, 1 = Campus Ç/exchange/with/slashes.
    # Offers:   0 = campus-a/ev-2, 1 = campus-b/ev-1.
    alloc = bocs.tx(ALLOCATION, K["bocs-orderer"], allocation_payload(
        7, 2, -1, 7000, 100_000, 100_000, [sa.tx_id, sb.tx_id, sc.tx_id],
        sha256(sa.body + sb.body + sc.body),
        [(0, 1, 3000, (1_700_003_600, 1_700_005_143))],
        [(0, 3000, 3000, True), (1, 700, 0, False)]))
    note = bocs.tx(NOTIFICATION, K["bocs-orderer"], notification_payload(
        7, alloc.tx_id, ["campus-a/exchange 1/consumer-b"]))
    meter = bocs.tx(METERING, B, metering_payload(7, alloc.tx_id, [(0, 3000)]))
    settle = bocs.tx(SETTLEMENT, K["bocs-orderer"], settlement_payload(
        7, alloc.tx_id, meter.tx_id,
        [("consumer:campus-a/exchange 1/consumer-b", "ev:campus-b/ev-1", 270_000)]))
    penalty = bocs.tx(PENALTY, C, penalty_payload(
        7, alloc.tx_id, meter.tx_id, [], [("campus-a/exchange 1", [])]))
    bocs.add_block([alloc, note, meter, settle, penalty])
    return bocs


def export_of(chains):
    return build_export([(c, chains[c].blocks) for c in sorted(chains)])
