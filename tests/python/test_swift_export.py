"""The verifier on a chain the Swift node wrote and exported (set V2G_EXPORT to its path; skipped otherwise)."""
import os

import pytest

import ledger_verifier

EXPORT = os.environ.get("V2G_EXPORT")
pytestmark = pytest.mark.skipif(not EXPORT, reason="V2G_EXPORT is not set (make ledger-interop sets it)")


def load():
    with open(EXPORT, "rb") as f:
        return f.read()


def test_swift_export_verifies():
    ledger_verifier.verify_export(load())


@pytest.mark.parametrize("fraction", [0.001, 0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 0.999])
def test_tampered_swift_export_fails(fraction):
    data = bytearray(load())
    position = min(len(data) - 1, max(8, int(len(data) * fraction)))
    data[position] ^= 0x01
    with pytest.raises(ledger_verifier.VerificationError):
        ledger_verifier.verify_export(bytes(data))
