"""`v2g ocpp serve` against charging stations played by the `ocpp` package (PyPI), which validates every payload
it sends and receives against the official OCPP 2.0.1 and 2.1 schemas. Set V2G_BINARY to the v2g executable
(make ledger-interop does); skipped otherwise."""
import asyncio
import base64
import json
import os
import socket
import subprocess
import time

import pytest

websockets = pytest.importorskip("websockets")
from websockets.asyncio.client import connect  # noqa: E402

import ocpp.v201  # noqa: E402
import ocpp.v21  # noqa: E402

BINARY = os.environ.get("V2G_BINARY")
pytestmark = pytest.mark.skipif(not BINARY, reason="V2G_BINARY is not set (make ledger-interop sets it)")
STATIONS = {"CS1": "secret-one", "CS2": "secret-two"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ocpp")
    out, err = folder / "out.log", folder / "err.log"
    args = [BINARY, "ocpp", "serve", "--listen", "127.0.0.1:0", "--accept-token", "GOOD"]
    for station, password in STATIONS.items():
        args += ["--station", f"{station}:{password}"]
    with open(out, "w") as f, open(err, "w") as e:
        process = subprocess.Popen(args, stdout=f, stderr=e)
    deadline = time.time() + 20
    port = None
    while time.time() < deadline and port is None:
        text = out.read_text()
        if "listening on ws://127.0.0.1:" in text:
            port = int(text.split("listening on ws://127.0.0.1:")[1].split("/")[0])
        time.sleep(0.05)
    assert port, "v2g ocpp serve did not start"
    yield port, out, err
    process.terminate()
    assert process.wait(timeout=10) == 0


def auth(station, password=None):
    token = base64.b64encode(f"{station}:{password or STATIONS[station]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 30))


async def session(port, station, version, body):
    module = ocpp.v21 if version == "ocpp2.1" else ocpp.v201
    async with connect(f"ws://127.0.0.1:{port}/ocpp/{station}", subprotocols=[version],
                       additional_headers=auth(station)) as ws:
        assert ws.subprotocol == version
        cp = module.ChargePoint(station, ws)
        reader = asyncio.create_task(cp.start())
        try:
            return await body(cp, module)
        finally:
            reader.cancel()


@pytest.mark.parametrize("version", ["ocpp2.0.1", "ocpp2.1"])
def test_a_station_boots_reports_and_is_answered_by_the_schemas(server, version):
    port, out, _ = server

    async def body(cp, m):
        call, enums, types = m.call, m.enums, m.datatypes
        boot = await cp.call(call.BootNotification(
            charging_station=types.ChargingStationType(model="Bidi-11", vendor_name="Acme"), reason="PowerUp"))
        assert boot.status == "Accepted" and boot.interval == 300
        beat = await cp.call(call.Heartbeat())
        assert beat.current_time.endswith("Z")
        await cp.call(call.StatusNotification(timestamp="2026-11-30T23:00:00Z", connector_status="Occupied",
                                              evse_id=1, connector_id=1))
        good = await cp.call(call.Authorize(id_token=types.IdTokenType(id_token="GOOD", type="ISO14443")))
        bad = await cp.call(call.Authorize(id_token=types.IdTokenType(id_token="BAD", type="ISO14443")))
        assert good.id_token_info["status"] == "Accepted" and bad.id_token_info["status"] == "Invalid"
        sample = [{"timestamp": "2026-11-30T23:00:05Z",
                   "sampledValue": [{"value": 1234.5, "measurand": "Energy.Active.Export.Register"}]}]
        await cp.call(call.TransactionEvent(
            event_type="Started", timestamp="2026-11-30T23:00:01Z", trigger_reason="CablePluggedIn", seq_no=0,
            transaction_info={"transactionId": "T-1"}, evse={"id": 1, "connectorId": 1}, meter_value=sample))
        await cp.call(call.MeterValues(evse_id=1, meter_value=sample))
        needs = await cp.call(call.NotifyEVChargingNeeds(
            evse_id=1, charging_needs={"requestedEnergyTransfer": "AC_single_phase",
                                       "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6,
                                                                "evMaxCurrent": 32, "evMaxVoltage": 230}}))
        assert needs.status == "Processing"   # a schedule comes only when a round allocates

    run(session(port, "CS1", version, body))
    lines = [line for line in out.read_text().splitlines() if line.startswith(f"CS1 ({version})")]
    actions = [line.split(" ")[2] for line in lines]
    assert actions[-8:] == ["BootNotification", "Heartbeat", "StatusNotification", "Authorize", "Authorize",
                            "TransactionEvent", "MeterValues", "NotifyEVChargingNeeds"]
    assert '"measurand":"Energy.Active.Export.Register"' in lines[-3]


def refusals(err, reason):
    return err.read_text().count(reason)


# A refused upgrade gets the status that says why (401 with a Basic challenge for a password, 400 for a
# subprotocol, 404 for a path that names no station) and a one-line body; the gateway's log says it too.
def test_a_wrong_password_and_an_unknown_station_are_refused(server):
    port, _, err = server
    before = refusals(err, "refused: wrong or missing password")

    async def attempt(station, password):
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{port}/ocpp/{station}", subprotocols=["ocpp2.0.1"],
                               additional_headers=auth(station, password)):
                pass
        response = refused.value.response
        return response.status_code, response.headers.get("WWW-Authenticate"), response.body

    assert run(attempt("CS1", "secret-two")) == (401, 'Basic realm="OCPP"', b"wrong or missing password\n")
    assert run(attempt("CS9", "anything"))[0] == 401

    async def no_header():
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{port}/ocpp/CS1", subprotocols=["ocpp2.0.1"]):
                pass
        return refused.value.response.status_code

    assert run(no_header()) == 401
    time.sleep(0.2)
    assert refusals(err, "refused: wrong or missing password") - before == 3


def test_an_unknown_subprotocol_is_refused(server):
    port, _, err = server

    async def attempt():
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{port}/ocpp/CS2", subprotocols=["ocpp1.6"], additional_headers=auth("CS2")):
                pass
        return refused.value.response.status_code

    assert run(attempt()) == 400
    time.sleep(0.2)
    assert refusals(err, 'CS2 refused: offered "ocpp1.6"') == 1


def test_a_path_that_names_no_station_and_a_plain_request_are_refused(server):
    port, _, _ = server

    async def attempt(path):
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{port}{path}", subprotocols=["ocpp2.0.1"], additional_headers=auth("CS1")):
                pass
        return refused.value.response.status_code

    assert run(attempt("/ocpp/")) == 404
    assert run(attempt("/elsewhere/CS1")) == 404
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        authorization = auth("CS1")["Authorization"]
        plain.sendall(f"GET /ocpp/CS1 HTTP/1.1\r\nHost: x\r\nAuthorization: {authorization}\r\n\r\n".encode())
        answer = plain.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 400") and "expected a WebSocket upgrade" in answer


def test_malformed_messages_get_the_callerror_the_specification_asks_for(server):
    port, _, _ = server

    async def body():
        async with connect(f"ws://127.0.0.1:{port}/ocpp/CS2", subprotocols=["ocpp2.0.1"],
                           additional_headers=auth("CS2")) as ws:
            async def exchange(text):
                await ws.send(text)
                return json.loads(await ws.recv())

            assert (await exchange("not json"))[:3] == [4, "-1", "RpcFrameworkError"]
            assert (await exchange('[2,"a","Heartbeat",{"extra":1}]'))[:3] == [4, "a", "FormatViolation"]
            assert (await exchange('[2,"b","BootNotification",{"reason":"PowerUp"}]'))[:3] == [4, "b", "OccurrenceConstraintViolation"]
            assert (await exchange('[2,"c","StatusNotification",{"timestamp":"yesterday","connectorStatus":"Occupied","evseId":1,"connectorId":1}]'))[:3] == [4, "c", "PropertyConstraintViolation"]
            assert (await exchange('[2,"d","DataTransfer",{"vendorId":"x"}]'))[:3] == [4, "d", "NotImplemented"]
            assert (await exchange('[2,"e","SetChargingProfile",{}]'))[:3] == [4, "e", "NotSupported"]
            nested = "[" * 5000 + "]" * 5000                   # refused at once, not parsed for seconds
            assert (await exchange(nested))[:3] == [4, "-1", "RpcFrameworkError"]
            await ws.send('[9,"f","Heartbeat",{}]')          # an unknown message type is ignored ...
            answer = await exchange('[2,"g","Heartbeat",{}]')  # ... so the next answer is the heartbeat's
            assert answer[:2] == [3, "g"]
            await ws.send("x" * (65 << 10))                    # over the 64 KiB limit: the connection is closed
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd.code if closed.value.rcvd else None

    assert run(body()) == 1009


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """`v2g ocpp serve` with a self-signed certificate: security profile 2."""
    folder = tmp_path_factory.mktemp("ocpp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    out, err = folder / "out.log", folder / "err.log"
    args = [BINARY, "ocpp", "serve", "--listen", "127.0.0.1:0", "--station", "CS1:secret-one",
            "--tls-certificate", str(cert), "--tls-private-key", str(key)]
    with open(out, "w") as f, open(err, "w") as e:
        process = subprocess.Popen(args, stdout=f, stderr=e)
    deadline, port = time.time() + 20, None
    while time.time() < deadline and port is None:
        text = out.read_text()
        if "listening on wss://127.0.0.1:" in text:
            port = int(text.split("listening on wss://127.0.0.1:")[1].split("/")[0])
        time.sleep(0.05)
    assert port, "v2g ocpp serve --tls-certificate did not start: " + err.read_text()
    yield port, cert
    process.terminate()
    assert process.wait(timeout=10) == 0


def test_security_profile_2_serves_wss_and_nothing_in_clear(tls_server):
    import ssl
    port, cert = tls_server
    context = ssl.create_default_context(cafile=str(cert))

    async def boot():
        async with connect(f"wss://127.0.0.1:{port}/ocpp/CS1", subprotocols=["ocpp2.1"], ssl=context,
                           additional_headers=auth("CS1")) as ws:
            cp = ocpp.v21.ChargePoint("CS1", ws)
            reader = asyncio.create_task(cp.start())
            try:
                result = await cp.call(ocpp.v21.call.BootNotification(
                    charging_station={"model": "Bidi-22", "vendorName": "Acme"}, reason="PowerUp"))
                return result.status, ws.transport.get_extra_info("ssl_object").version()
            finally:
                reader.cancel()

    status, version = run(boot())
    assert status == "Accepted" and version in ("TLSv1.2", "TLSv1.3")

    async def plain():
        async with connect(f"ws://127.0.0.1:{port}/ocpp/CS1", subprotocols=["ocpp2.1"], additional_headers=auth("CS1"),
                           open_timeout=5):
            pass

    with pytest.raises(Exception):   # no WebSocket in clear on a TLS port
        run(plain())
