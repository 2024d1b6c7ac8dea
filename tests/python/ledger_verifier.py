#!/usr/bin/env python3
"""Independent verifier of V2GKit ledger exports, written from docs/wire-format.md only.

Usage: python3 ledger_verifier.py EXPORT_FILE

Prints one line per channel and exits 0, or prints one FAIL line naming the
channel, block height, transaction index (if any) and reason, and exits 1.
Needs only the standard library and PyNaCl (Ed25519); SHA-256 is hashlib's.
"""
import hashlib
import sys
from dataclasses import dataclass, field

import nacl.exceptions
import nacl.signing

CHANNELS = {1: "BoE", 2: "BoEV", 3: "BoCS"}                       # §2
ROLES = {1: "orderer", 2: "exchange", 3: "EV", 4: "control system", 5: "endorser"}
ORDERER, EXCHANGE, EV, CS = 1, 2, 3, 4
BOE, BOEV, BOCS = 1, 2, 3
ALL_CHANNELS = set(CHANNELS)
CS_OR_ORDERER = {CS, ORDERER}
# §3 table: kind -> (allowed channels, allowed author roles)
KINDS = {
    0: ("config", ALL_CHANNELS, {ORDERER}),
    1: ("request list", {BOE}, {EXCHANGE}),
    2: ("offer", {BOEV}, {EV}),
    3: ("allocation result", {BOE, BOCS}, CS_OR_ORDERER),
    4: ("notification", {BOE, BOEV, BOCS}, CS_OR_ORDERER),
    5: ("metering record", {BOE, BOCS}, CS_OR_ORDERER),
    6: ("settlement", {BOE, BOCS}, CS_OR_ORDERER),
    7: ("penalty update", {BOE, BOCS}, CS_OR_ORDERER),
    8: ("model update", {BOEV}, {EV, CS, ORDERER}),
    9: ("campus surplus", {BOCS}, {CS}),            # the orderer role alone does not suffice
    10: ("meter report", {BOEV}, {EV}),
}
ZERO_HASH = bytes(32)
TX_TAG, BLOCK_TAG, EXPORT_TAG = b"V2GTX001", b"V2GBLK01", b"V2GEXP01"


def H(data):
    return hashlib.sha256(data).digest()


class Malformed(Exception):
    """The bytes do not follow the §1 encoding rules."""


class VerificationError(Exception):
    """A §6 check (or decoding) failed; `code` is a stable short name."""

    def __init__(self, code, reason, channel=None, height=None, tx_index=None):
        super().__init__(reason)
        self.code, self.reason = code, reason
        self.channel, self.height, self.tx_index = channel, height, tx_index

    def line(self):
        if self.channel is None:
            where = "export"
        else:
            where = "channel=%s" % CHANNELS.get(self.channel, self.channel)
            if self.height is not None:
                where += " height=%d" % self.height
            if self.tx_index is not None:
                where += " tx=%d" % self.tx_index
        return "FAIL %s: %s [%s]" % (where, self.reason, self.code)


# ---------------------------------------------------------------- §1 decoding

class Reader:
    def __init__(self, data):
        self.data, self.pos = bytes(data), 0

    def take(self, n):
        if n > len(self.data) - self.pos:
            raise Malformed("truncated: need %d bytes at offset %d, %d left"
                            % (n, self.pos, len(self.data) - self.pos))
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, n):
        return int.from_bytes(self.take(n), "big")

    def sint(self, n):
        return int.from_bytes(self.take(n), "big", signed=True)

    def u8(self): return self.uint(1)
    def u32(self): return self.uint(4)
    def u64(self): return self.uint(8)
    def i32(self): return self.sint(4)
    def i64(self): return self.sint(8)
    def hash(self): return self.take(32)
    def key(self): return self.take(32)
    def sig(self): return self.take(64)
    def bytes_(self): return self.take(self.u32())

    def enum(self, allowed, what):
        v = self.u8()
        if v not in allowed:
            raise Malformed("bad %s value %d" % (what, v))
        return v

    def bool(self):
        return self.enum((0, 1), "bool") == 1

    def string(self):
        raw = self.bytes_()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("string is not valid UTF-8") from None

    def list_(self, item):
        return [item() for _ in range(self.u32())]

    def optional(self, item):
        return item() if self.enum((0, 1), "optional flag") else None

    def tag(self, expected):
        got = self.take(8)
        if got != expected:
            raise Malformed("bad tag %r, expected %r" % (got, expected))

    def end(self, what):
        if self.pos != len(self.data):
            raise Malformed("%d trailing bytes after %s" % (len(self.data) - self.pos, what))


# ---------------------------------------------------------------- §5 payloads

def _window(r):
    start, end = r.i64(), r.i64()
    if end <= start:
        raise Malformed("window end %d is not after start %d" % (end, start))
    return (start, end)


def _request(r):
    return (r.string(), r.enum((0, 1), "request kind"), r.i64(), r.i64(), r.i64(), r.optional(lambda: _window(r)))


def _offer(r):
    return (r.string(), r.u64(), r.i64(), r.i64(), r.optional(lambda: _window(r)), r.optional(r.i64))


@dataclass
class CampusSurplus:
    campus: str
    round: int
    allocation: bytes
    requests: list           # [(exchange, request)], request as _request returns it
    offers: list             # [offer], as _offer returns it


def _campus_surplus(r):
    campus = r.string()
    if not campus or "/" in campus:     # no U+002F: the same as no 0x2F byte in the UTF-8
        raise Malformed("campus name %r is empty or contains '/'" % campus)
    round_, allocation = r.u64(), r.hash()
    requests = r.list_(lambda: (r.string(), _request(r)))
    return CampusSurplus(campus, round_, allocation, requests, r.list_(lambda: _offer(r)))


def _measurement(r):
    index, station, evse, transaction_id = r.u32(), r.string(), r.u32(), r.string()
    start, end, start_wh, end_wh = r.i64(), r.i64(), r.i64(), r.i64()
    status = r.enum(range(0, 6), "measurement status")
    if end <= start:
        raise Malformed("measurement end %d is not after start %d" % (end, start))
    return (index, station, evse, transaction_id, start, end, start_wh, end_wh, status)


def _allocation_result(r):
    out = [r.u64(), r.enum((1, 2, 3, 4, 5, 6, 8), "algorithm"), r.i64(), r.i64(), r.i32(), r.i32(),
           r.list_(r.hash), r.hash()]
    out.append(r.list_(lambda: (r.u32(), r.u32(), r.i64(), r.optional(lambda: _window(r)))))
    out.append(r.list_(lambda: (r.u32(), r.i64(), r.i64(), r.bool())))
    out.append(r.optional(lambda: (r.list_(r.i64), r.list_(r.i64), r.list_(r.i64))))
    return out


@dataclass
class Config:
    channel_name: str
    orderer: bytes
    members: list            # [(key, role, name)]
    endorsements_required: int
    endorsers: list          # [key]
    roles: dict = field(default_factory=dict)   # key -> set of roles


def _config(r):
    name, orderer = r.string(), r.key()
    members = r.list_(lambda: (r.key(), r.enum(ROLES, "role"), r.string()))
    cfg = Config(name, orderer, members, r.u32(), r.list_(r.key))
    for key, role, _ in members:
        cfg.roles.setdefault(key, set()).add(role)
    return cfg


PAYLOADS = {
    0: _config,
    1: lambda r: (r.string(), r.u64(), r.list_(lambda: _request(r))),
    2: _offer,
    3: _allocation_result,
    4: lambda r: (r.u64(), r.hash(), r.list_(r.string)),
    5: lambda r: (r.u64(), r.hash(), r.list_(lambda: (r.u32(), r.i64()))),
    6: lambda r: (r.u64(), r.hash(), r.hash(),
                  r.list_(lambda: (r.string(), r.string(), r.i64()))),
    7: lambda r: (r.u64(), r.hash(), r.hash(),
                  r.list_(lambda: (r.string(), r.string(), r.list_(r.i32))),
                  r.list_(lambda: (r.string(), r.list_(r.i32)))),
    8: lambda r: (r.u64(), r.string(), r.hash()),
    9: _campus_surplus,
    10: lambda r: (r.string(), r.u64(), r.hash(), r.list_(lambda: _measurement(r))),
}


def decode_payload(kind, payload):
    r = Reader(payload)
    value = PAYLOADS[kind](r)
    r.end("%s payload" % KINDS[kind][0])
    return value


# ---------------------------------------------------------------- §3, §4 structures

@dataclass
class Tx:
    channel: int
    kind: int
    author: bytes
    nonce: int
    timestamp: int
    payload: object          # decoded payload
    tx_id: bytes
    author_signature: bytes
    endorsements: list       # [(key, sig)]


def decode_tx(blob):
    r = Reader(blob)
    r.tag(TX_TAG)
    channel, kind = r.enum(CHANNELS, "channel"), r.enum(KINDS, "kind")
    author, nonce, timestamp, payload = r.key(), r.u64(), r.i64(), r.bytes_()
    tx_id = H(r.data[:r.pos])
    signature = r.sig()
    endorsements = r.list_(lambda: (r.key(), r.sig()))
    r.end("transaction")
    return Tx(channel, kind, author, nonce, timestamp, decode_payload(kind, payload),
              tx_id, signature, endorsements)


@dataclass
class Block:
    channel: int
    height: int
    previous: bytes
    merkle_root: bytes
    timestamp: int
    orderer: bytes
    block_hash: bytes
    orderer_signature: bytes
    tx_blobs: list


def decode_block(blob):
    r = Reader(blob)
    r.tag(BLOCK_TAG)
    channel, height = r.enum(CHANNELS, "channel"), r.u64()
    previous, merkle_root, timestamp, orderer = r.hash(), r.hash(), r.i64(), r.key()
    tx_count = r.u32()
    block_hash = H(r.data[:r.pos])
    signature = r.sig()
    tx_blobs = [r.bytes_() for _ in range(tx_count)]
    r.end("block")
    return Block(channel, height, previous, merkle_root, timestamp, orderer, block_hash,
                 signature, tx_blobs)


def merkle_root(tx_ids):
    """§4: leaves H(0x00||id); pairs H(0x01||l||r); odd last node carried up."""
    if not tx_ids:
        return ZERO_HASH
    nodes = [H(b"\x00" + t) for t in tx_ids]
    while len(nodes) > 1:
        nxt = [H(b"\x01" + nodes[i] + nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        if len(nodes) % 2:
            nxt.append(nodes[-1])
        nodes = nxt
    return nodes[0]


def signature_ok(key, message, signature):
    try:
        nacl.signing.VerifyKey(key).verify(message, signature)
        return True
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        return False


# ---------------------------------------------------------------- §6 checks

@dataclass
class ChannelSummary:
    channel: int
    blocks: int = 0
    transactions: int = 0
    head: bytes = ZERO_HASH
    config: Config = None

    def line(self):
        return "%s blocks=%d transactions=%d head=%s" % (
            CHANNELS[self.channel], self.blocks, self.transactions, self.head.hex())


class ChannelVerifier:
    def __init__(self, channel):
        self.s = ChannelSummary(channel)
        self.seen_tx_ids = set()
        self.last_nonce = {}      # author -> last nonce on this channel

    def fail(self, code, reason, height, tx_index=None):
        raise VerificationError(code, reason, self.s.channel, height, tx_index)

    def add_block(self, blob):
        height = self.s.blocks   # the height this block must have
        try:
            block = decode_block(blob)
        except Malformed as e:
            self.fail("malformed", "malformed block: %s" % e, height)
        txs = []
        for i, tx_blob in enumerate(block.tx_blobs):
            try:
                txs.append(decode_tx(tx_blob))
            except Malformed as e:
                self.fail("malformed", "malformed transaction: %s" % e, height, i)

        if block.channel != self.s.channel:
            self.fail("block-channel", "block channel %d, chain is %s"
                      % (block.channel, CHANNELS[self.s.channel]), height)
        if block.height != height:
            self.fail("block-height", "block height %d, expected %d" % (block.height, height),
                      height)
        if block.previous != self.s.head:
            self.fail("block-previous", "previous hash %s, expected %s"
                      % (block.previous.hex(), self.s.head.hex()), height)
        if height == 0:
            if len(txs) != 1 or txs[0].kind != 0:
                self.fail("genesis", "genesis block must hold exactly one config transaction",
                          height)
            cfg = txs[0].payload
            if txs[0].author != cfg.orderer:
                self.fail("genesis", "config author is not the config's orderer", height, 0)
            for k in cfg.endorsers:
                if k not in cfg.roles:
                    self.fail("config", "endorser %s is not a member" % k.hex(), height, 0)
            self.s.config = cfg
        cfg = self.s.config
        if block.orderer != cfg.orderer:
            self.fail("block-orderer", "block orderer %s is not the config's orderer"
                      % block.orderer.hex(), height)
        for i, tx in enumerate(txs):
            self.check_tx(tx, height, i)
        if block.merkle_root != merkle_root([tx.tx_id for tx in txs]):
            self.fail("merkle-root", "merkle root does not match the transactions", height)
        if not signature_ok(block.orderer, block.block_hash, block.orderer_signature):
            self.fail("block-signature", "orderer signature does not verify", height)

        self.s.blocks += 1
        self.s.transactions += len(txs)
        self.s.head = block.block_hash

    def check_tx(self, tx, height, i):
        cfg = self.s.config
        name, channels, roles = KINDS[tx.kind]
        if tx.channel != self.s.channel:
            self.fail("tx-channel", "transaction channel %d differs from the block's"
                      % tx.channel, height, i)
        if tx.channel not in channels:
            self.fail("tx-kind-channel", "kind %d (%s) not allowed on %s"
                      % (tx.kind, name, CHANNELS[tx.channel]), height, i)
        if tx.kind == 0 and height != 0:
            self.fail("tx-config-after-genesis", "config transaction after height 0", height, i)
        if not signature_ok(tx.author, tx.tx_id, tx.author_signature):
            self.fail("tx-author-signature", "author signature does not verify", height, i)
        if tx.author not in cfg.roles:
            self.fail("tx-author-not-member", "author %s is not a member" % tx.author.hex(),
                      height, i)
        if not cfg.roles[tx.author] & roles:
            self.fail("tx-author-role", "author role(s) %s may not author kind %d (%s)"
                      % (sorted(cfg.roles[tx.author]), tx.kind, name), height, i)
        keys = [k for k, _ in tx.endorsements]
        for a, b in zip(keys, keys[1:]):
            if not a < b:
                self.fail("endorsements-order", "endorsements not sorted and distinct",
                          height, i)
        for j, (key, sig) in enumerate(tx.endorsements):
            if key not in cfg.endorsers:
                self.fail("endorser-not-allowed", "endorsement %d by %s, not an endorser"
                          % (j, key.hex()), height, i)
            if not signature_ok(key, tx.tx_id, sig):
                self.fail("endorsement-signature", "endorsement %d signature does not verify"
                          % j, height, i)
        if tx.kind != 0 and len(keys) < cfg.endorsements_required:
            self.fail("too-few-endorsements", "%d endorsements, %d required"
                      % (len(keys), cfg.endorsements_required), height, i)
        if tx.tx_id in self.seen_tx_ids:
            self.fail("replayed-tx", "tx_id %s already on the channel" % tx.tx_id.hex(),
                      height, i)
        last = self.last_nonce.get(tx.author)
        if last is not None and tx.nonce <= last:
            self.fail("nonce-not-increasing", "nonce %d not above the author's previous %d"
                      % (tx.nonce, last), height, i)
        self.seen_tx_ids.add(tx.tx_id)
        self.last_nonce[tx.author] = tx.nonce


def verify_export(data):
    """Verify a whole §7 export; return [ChannelSummary] or raise VerificationError."""
    r = Reader(data)
    try:
        r.tag(EXPORT_TAG)
        n_channels = r.u32()
    except Malformed as e:
        raise VerificationError("malformed", "malformed export header: %s" % e) from None
    summaries, previous_channel = [], 0
    for _ in range(n_channels):
        try:
            channel = r.enum(CHANNELS, "channel")
        except Malformed as e:
            raise VerificationError("malformed", "malformed channel chain: %s" % e) from None
        if channel <= previous_channel:
            raise VerificationError("channel-order", "channels not in ascending order, "
                                    "each at most once", channel)
        previous_channel = channel
        chain = ChannelVerifier(channel)
        try:
            n_blocks = r.u32()
        except Malformed as e:
            raise VerificationError("malformed", "malformed channel chain: %s" % e,
                                    channel) from None
        for height in range(n_blocks):
            try:
                blob = r.bytes_()
            except Malformed as e:
                raise VerificationError("malformed", "malformed block: %s" % e,
                                        channel, height) from None
            chain.add_block(blob)
        if n_blocks == 0:
            raise VerificationError("genesis", "channel has no genesis block", channel, 0)
        summaries.append(chain.s)
    try:
        r.end("the export")
    except Malformed as e:
        raise VerificationError("malformed", str(e)) from None
    return summaries


def main(argv):
    if len(argv) != 2:
        print("usage: %s EXPORT_FILE" % argv[0], file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            data = f.read()
    except OSError as e:
        print("FAIL export: cannot read %s: %s" % (argv[1], e.strerror))
        return 1
    try:
        summaries = verify_export(data)
    except VerificationError as e:
        print(e.line())
        return 1
    for s in summaries:
        print(s.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
