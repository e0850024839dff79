"""A FHIR bundle as a FHIR server hands it back (tests/test_fhir_orders.py,
tests/test_fhir_device_sleep.py): what an import must read besides taperline's own bundles.

:func:`through_a_server` turns a transaction bundle into the searchset a server would answer
with: the server's own ids, ``Type/id`` references in place of ``urn:uuid:`` ones, ``meta``,
search modes, and an OperationOutcome entry.
"""

from __future__ import annotations

import json
from typing import Any

Json = dict[str, Any]


def through_a_server(transaction: Json) -> Json:
    """What a server hands back on a search: its own ids, Type/id references, meta."""
    ids: dict[str, str] = {}
    for number, entry in enumerate(transaction["entry"], start=101):
        ids[entry["fullUrl"]] = f"{entry['resource']['resourceType']}/{number}"
    text = json.dumps(transaction)
    for old, new in ids.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    served = json.loads(text)
    entries = []
    for entry in served["entry"]:
        resource = entry["resource"]
        kind, number = entry["fullUrl"].split("/")
        resource["id"] = number
        resource["meta"] = {"versionId": "1", "lastUpdated": "2027-02-01T12:00:01Z"}
        entries.append(
            {
                "fullUrl": f"https://fhir.example/r4/{kind}/{number}",
                "resource": resource,
                "search": {"mode": "match"},
            }
        )
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "information", "code": "informational"}],
    }
    entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries) - 1,
            "entry": entries}  # fmt: skip
