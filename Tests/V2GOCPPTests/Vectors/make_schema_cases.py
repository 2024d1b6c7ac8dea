#!/usr/bin/env python3
"""Writes schema-cases.jsonl: payloads for the OCPP schemas the gateway vendors, each labelled valid or not by
the reference validator (python-jsonschema, Draft 6, with its date-time format check), for the Swift
validator to agree with. Payloads are drawn at random from each schema, then half are mutated (a required
member dropped, an unknown one added, a type, length, enum, range, date-time or item count broken).

Run: pip install ocpp rfc3339-validator && python3 make_schema_cases.py   (seeded: the same file every time)
"""
import json
import os
import random

import jsonschema
import ocpp

ACTIONS = ["Authorize", "BootNotification", "ClearChargingProfile", "GetVariables", "Heartbeat", "MeterValues",
           "NotifyEVChargingNeeds", "SetChargingProfile", "SetVariables", "StatusNotification", "TransactionEvent"]
rng = random.Random(20261130)


def instance(schema, root, depth=0):
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].split("/")[-1]]
    if "enum" in schema:
        return rng.choice(schema["enum"])
    t = schema.get("type")
    if t == "object":
        props = schema.get("properties", {})
        out = {}
        for name, sub in props.items():
            if name in schema.get("required", []) or (depth < 3 and rng.random() < 0.3):
                out[name] = instance(sub, root, depth + 1)
        return out
    if t == "array":
        n = rng.randint(schema.get("minItems", 0), min(schema.get("maxItems", 3), schema.get("minItems", 0) + 2))
        return [instance(schema["items"], root, depth + 1) for _ in range(n)]
    if t == "string":
        if schema.get("format") == "date-time":
            return "2026-%02d-%02dT%02d:%02d:%02d%sZ" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                                                       rng.randint(0, 59), rng.randint(0, 59), rng.choice(["", ".5", ".123"]))
        return "".join(rng.choice("abcXYZ09é-") for _ in range(rng.randint(0, min(schema.get("maxLength", 12), 12))))
    if t == "integer":
        return rng.randint(int(schema.get("minimum", -1000)), int(schema.get("maximum", 100000)))
    if t == "number":
        return round(rng.uniform(schema.get("minimum", -1000), schema.get("maximum", 100000)), 3)
    if t == "boolean":
        return rng.random() < 0.5
    return None


def paths(value, prefix=()):
    yield prefix, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))


def mutate(payload):
    places = list(paths(payload))
    path, value = rng.choice(places)
    parent = payload
    for p in path[:-1]:
        parent = parent[p]
    kind = rng.choice(["drop", "extra", "type", "long", "enum", "date", "range", "items"])
    if kind == "extra" and isinstance(value, dict):
        value["notInTheSchema"] = 1
    elif kind == "drop" and isinstance(value, dict) and value:
        del value[rng.choice(list(value))]
    elif kind == "long" and isinstance(value, str) and path:
        parent[path[-1]] = value + "x" * 2600
    elif kind == "date" and isinstance(value, str) and path:
        parent[path[-1]] = rng.choice(["2026-13-01T00:00:00Z", "2026-01-01 00:00:00", "yesterday", "2026-01-01T00:00:00"])
    elif kind == "range" and isinstance(value, (int, float)) and not isinstance(value, bool) and path:
        parent[path[-1]] = rng.choice([-10**9, 10**12, 1.5])
    elif kind == "items" and isinstance(value, list) and path:
        parent[path[-1]] = [] if rng.random() < 0.5 else value * 50
    elif path:
        parent[path[-1]] = rng.choice(["text", 12, 1.25, True, None, [], {}])
    else:
        return rng.choice([[], "text", 3])
    return payload


cases = []
for folder, version in (("v201", "ocpp2.0.1"), ("v21", "ocpp2.1")):
    base = os.path.join(os.path.dirname(ocpp.__file__), folder, "schemas")
    for action in ACTIONS:
        for kind in ("Request", "Response"):
            with open(os.path.join(base, action + kind + ".json"), encoding="utf-8-sig") as f:
                schema = json.load(f)
            validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())
            for i in range(24):
                payload = instance(schema, schema)
                if i % 2:
                    payload = mutate(payload)
                cases.append({"version": version, "schema": action + kind, "payload": payload,
                              "valid": validator.is_valid(payload)})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema-cases.jsonl"), "w") as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n")
print(len(cases), "cases,", sum(c["valid"] for c in cases), "valid")
