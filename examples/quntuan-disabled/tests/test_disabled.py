"""The 残联 example plugin, tested as a third party would: through HTTP, with quntuan's testkit only."""

from __future__ import annotations

import json
from typing import Any

from disabled_helpers import id_number, person_id
from quntuan_disabled import hooks

from core.sdk import vault
from core.testkit import assert_plugin_contract, assert_problem, audit_entries, signals_emitted

CERTS = "/api/v1/disabled/certificates"


def _changes(entry: dict[str, Any]) -> dict[str, Any]:
    changes = entry["changes"]
    return json.loads(changes) if isinstance(changes, str) else changes  # type: ignore[no-any-return]


def _body(person: str, org: str, serial: int, **extra: Any) -> dict[str, Any]:
    return {
        "person_id": person,
        "org_id": org,
        "id_number": id_number(serial),
        "category": "physical",
        "grade": 2,
        "issued_on": "2024-03-01",
        "valid_until": "2034-03-01",
        **extra,
    }


async def _certificate_of_county_b(client: Any, tree: Any) -> str:
    """A certificate registered by a 残联 under county B: what the contract's sibling cadre must not reach."""
    headers = tree.headers["platform"]
    federation = await client.post(
        "/api/v1/orgs",
        json={
            "name": "乙县残联",
            "kind": "disabled.federation",
            "level": "county",
            "parent": str(tree.orgs["county_b"]["id"]),
        },
        headers=headers,
    )
    holder = await person_id(client, headers, federation.json()["id"])
    made = await client.post(CERTS, json=_body(holder, federation.json()["id"], 99), headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_keeps_the_contract(quntuan_settings: Any) -> None:
    await assert_plugin_contract(
        "disabled",
        hooks,
        quntuan_settings,
        resources={"certificate_id": _certificate_of_county_b},
        bodies={("PATCH", f"{CERTS}/{{certificate_id}}"): {"grade": 1}},
    )


async def test_registry_within_reach_masked_and_audited(
    quntuan_client: Any, quntuan_tree: Any, federations: dict[str, Any]
) -> None:
    h = quntuan_tree.headers
    fed_a, fed_b = federations["a"]["id"], federations["b"]["id"]
    holder = await person_id(quntuan_client, h["city"], fed_a)

    created = await quntuan_client.post(CERTS, json=_body(holder, fed_a, 1), headers=h["city"])
    assert created.status_code == 201, created.text
    cert = created.json()
    number = id_number(1) + "42"  # the ID number, then category 肢体 (4) and grade 二级 (2)
    # The city cadre holds every permission, personal data included: the number in full, and audited.
    assert cert["number"] == number and cert["masked"] is False
    assert cert["category_name"] == "肢体残疾" and cert["version"] == 1
    assert created.headers["etag"] == '"1"'
    (registered,) = await audit_entries("disabled.certificate.registered")
    assert registered["resource_id"] == cert["id"]
    assert number not in str(registered["changes"])  # nothing personal in the audit trail
    (signal,) = await signals_emitted("disabled.certificate_registered")
    assert number not in str(signal)
    assert len(await audit_entries("disabled.certificate.personal_data.read")) == 1

    # At rest the number is a ciphertext; the blind index finds it by the holder's ID number.
    keys = vault(quntuan_client.app.state)
    from quntuan_disabled.tables import DisabledCertificate

    stored = await DisabledCertificate.select().first().run()
    assert (
        number not in str(stored)
        and keys.decrypt("disabled_certificate_number", stored["number_enc"]) == number
    )
    found = await quntuan_client.get(CERTS, params={"id_number": id_number(1)}, headers=h["city"])
    assert [c["id"] for c in found.json()["items"]] == [cert["id"]]
    assert (await quntuan_client.get(CERTS, params={"id_number": id_number(2)}, headers=h["city"])).json()[
        "items"
    ] == []

    # One uncancelled certificate per person and category.
    assert_problem(
        await quntuan_client.post(CERTS, json=_body(holder, fed_a, 1), headers=h["city"]),
        409,
        "disabled-certificate-exists",
    )
    # Bad input names its fields; a party committee is not a 残联.
    bad = assert_problem(
        await quntuan_client.post(
            CERTS,
            json=_body(holder, str(quntuan_tree.orgs["county_a"]["id"]), 3, id_number="110101198001010000"),
            headers=h["city"],
        ),
        422,
    )
    assert {e["pointer"] for e in bad["errors"]} == {"/org_id", "/id_number"}
    late = assert_problem(
        await quntuan_client.post(
            CERTS, json=_body(holder, fed_a, 4, valid_until="2020-01-01"), headers=h["city"]
        ),
        422,
    )
    assert [e["code"] for e in late["errors"]] == ["disabled_validity"]
    nobody = assert_problem(
        await quntuan_client.post(
            CERTS, json=_body("00000000-0000-0000-0000-000000000001", fed_a, 5), headers=h["city"]
        ),
        422,
    )
    assert [e["pointer"] for e in nobody["errors"]] == ["/person_id"]

    # Outside reach: county A's cadre (county A itself only) sees nothing of the federations below;
    # a member without a grant is refused; a sibling's certificate is 404, as a missing one.
    other = await person_id(quntuan_client, h["city"], fed_b, "李四")
    in_b = (await quntuan_client.post(CERTS, json=_body(other, fed_b, 6), headers=h["city"])).json()
    assert (await quntuan_client.get(CERTS, headers=h["county"])).json()["items"] == []
    assert_problem(await quntuan_client.get(f"{CERTS}/{in_b['id']}", headers=h["county"]), 404)
    assert_problem(await quntuan_client.post(CERTS, json=_body(other, fed_b, 7), headers=h["county"]), 404)
    assert_problem(await quntuan_client.get(CERTS, headers=h["member"]), 403)
    listed = (await quntuan_client.get(CERTS, params={"limit": 1}, headers=h["province"])).json()
    rest = await quntuan_client.get(
        CERTS, params={"limit": 1, "cursor": listed["next_cursor"]}, headers=h["province"]
    )
    assert [c["id"] for c in listed["items"] + rest.json()["items"]] == [cert["id"], in_b["id"]]


async def test_masked_without_the_personal_data_permission(
    quntuan_client: Any, quntuan_tree: Any, federations: dict[str, Any]
) -> None:
    h = quntuan_tree.headers
    fed_a = federations["a"]["id"]
    holder = await person_id(quntuan_client, h["city"], fed_a)
    cert = (await quntuan_client.post(CERTS, json=_body(holder, fed_a, 8), headers=h["city"])).json()
    reads = len(await audit_entries("disabled.certificate.personal_data.read"))

    role = await quntuan_client.post(
        "/api/v1/roles",
        json={"code": "disabled-clerk", "name": "残联办事员", "permissions": ["disabled.certificate.read"]},
        headers=h["platform"],
    )
    assert role.status_code == 201, role.text
    account = await quntuan_client.post(
        "/api/v1/accounts",
        json={"username": "clerk-a", "password": "Disabled-Clerk-2026!", "person": holder},
        headers=h["platform"],
    )
    assert account.status_code == 201, account.text
    grant = await quntuan_client.post(
        "/api/v1/grants",
        json={"role": role.json()["id"], "org": fed_a, "account": account.json()["id"]},
        headers=h["platform"],
    )
    assert grant.status_code == 201, grant.text
    token = await quntuan_client.post(
        "/api/v1/auth/token",
        json={"grant_type": "password", "username": "clerk-a", "password": "Disabled-Clerk-2026!"},
    )
    clerk = {"Authorization": f"Bearer {token.json()['access_token']}"}

    shown = (await quntuan_client.get(f"{CERTS}/{cert['id']}", headers=clerk)).json()
    assert shown["masked"] is True
    assert shown["number"] == id_number(8)[:6] + "********" + id_number(8)[14:] + "42"
    assert len(await audit_entries("disabled.certificate.personal_data.read")) == reads  # masked: no read
    # Reading is not changing: the clerk cannot change the grade.
    assert_problem(
        await quntuan_client.patch(
            f"{CERTS}/{cert['id']}", json={"grade": 1}, headers={**clerk, "If-Match": '"1"'}
        ),
        403,
    )


async def test_review_changes_grade_and_number_under_if_match(
    quntuan_client: Any, quntuan_tree: Any, federations: dict[str, Any]
) -> None:
    h = quntuan_tree.headers
    fed_a = federations["a"]["id"]
    holder = await person_id(quntuan_client, h["city"], fed_a)
    cert = (await quntuan_client.post(CERTS, json=_body(holder, fed_a, 9), headers=h["city"])).json()
    url = f"{CERTS}/{cert['id']}"

    assert_problem(await quntuan_client.patch(url, json={"grade": 1}, headers=h["city"]), 428)
    changed = await quntuan_client.patch(url, json={"grade": 1}, headers={**h["city"], "If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["number"] == id_number(9) + "41" and changed.headers["etag"] == '"2"'
    stale = await quntuan_client.patch(
        url, json={"status": "cancelled"}, headers={**h["city"], "If-Match": '"1"'}
    )
    assert_problem(stale, 412, "disabled-certificate-changed")
    assert_problem(
        await quntuan_client.patch(url, json={"grade": 5}, headers={**h["city"], "If-Match": '"2"'}), 422
    )
    cancelled = await quntuan_client.patch(
        url, json={"status": "cancelled"}, headers={**h["city"], "If-Match": '"2"'}
    )
    assert cancelled.json()["status"] == "cancelled"
    (first, second) = [_changes(e) for e in await audit_entries("disabled.certificate.changed")]
    assert first["grade"] == [2, 1] and second["status"] == ["valid", "cancelled"]
    assert len(await signals_emitted("disabled.certificate_changed")) == 2
    # Cancelled, it no longer blocks a new certificate of the category.
    again = await quntuan_client.post(CERTS, json=_body(holder, fed_a, 9), headers=h["city"])
    assert again.status_code == 201, again.text


async def test_certificate_application_is_issued_into_the_registry(
    quntuan_client: Any, quntuan_tree: Any, federations: dict[str, Any]
) -> None:
    h = quntuan_tree.headers
    fed_a = federations["a"]["id"]
    form = {"id_number": id_number(10), "category": "hearing", "phone": "13800138000"}
    opened = await quntuan_client.post(
        "/api/v1/processes",
        json={"type": "disabled.certificate", "org_id": fed_a, "form": form},
        headers=h["member"],
    )
    assert opened.status_code == 201, opened.text
    process = opened.json()
    assert process["state"] == "submitted"
    assert process["form"]["phone"] == "13800138000"  # the applicant reads their own form in full
    bad = await quntuan_client.post(
        "/api/v1/processes",
        json={
            "type": "disabled.certificate",
            "org_id": fed_a,
            "form": {**form, "id_number": "110101198001010000"},
        },
        headers=h["member"],
    )
    assert assert_problem(bad, 422)["errors"][0]["pointer"] == "/form/id_number"

    async def act(transition: str, **body: Any) -> dict[str, Any]:
        response = await quntuan_client.post(
            f"/api/v1/processes/{process['id']}/transitions",
            json={"transition": transition, **body},
            headers={**h["city"], "If-Match": f'"{process["version"]}"'},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    process = await act("approve")
    assert process["state"] == "approved"
    invalid = await quntuan_client.post(
        f"/api/v1/processes/{process['id']}/transitions",
        json={
            "transition": "issue",
            "form": {"grade": 3, "issued_on": "2025-01-01", "valid_until": "2024-01-01"},
        },
        headers={**h["city"], "If-Match": f'"{process["version"]}"'},
    )
    assert assert_problem(invalid, 422)["errors"][0]["pointer"] == "/form/valid_until"
    process = await act("issue", form={"grade": 3, "issued_on": "2025-01-01", "valid_until": "2035-01-01"})
    assert process["state"] == "issued" and process["outcome"] == "approved"

    (cert,) = (await quntuan_client.get(CERTS, headers=h["city"])).json()["items"]
    assert cert["process_id"] == process["id"] and cert["number"] == id_number(10) + "23"
    assert cert["person_id"] == process["applicant_id"] and cert["org_id"] == fed_a

    stats = await quntuan_client.get(
        f"/api/v1/orgs/{quntuan_tree.orgs['city']['id']}/statistics", headers=h["city"]
    )
    assert stats.status_code == 200, stats.text
    figures = {f["code"]: f["value"] for f in stats.json()["plugins"] if f["plugin"] == "disabled"}
    assert figures["disabled.certified"] == 1
    assert figures["disabled.certified.hearing"] == 1 and figures["disabled.certified.grade3"] == 1
    assert figures["disabled.certified.vision"] == 0
    elsewhere = await quntuan_client.get(
        f"/api/v1/orgs/{federations['b']['id']}/statistics", headers=h["city"]
    )
    assert {f["code"]: f["value"] for f in elsewhere.json()["plugins"]}["disabled.certified"] == 0


async def test_assistance_application_reaches_delivery(
    quntuan_client: Any, quntuan_tree: Any, federations: dict[str, Any]
) -> None:
    h = quntuan_tree.headers
    form = {"kind": "assistive_device", "item": "轮椅", "phone": "13800138000", "reason": "下肢行动不便"}
    opened = await quntuan_client.post(
        "/api/v1/processes",
        json={"type": "disabled.assistance", "org_id": federations["a"]["id"], "form": form},
        headers=h["member"],
    )
    assert opened.status_code == 201, opened.text
    process = opened.json()
    for transition, body in (("approve", {}), ("deliver", {"form": {"delivered_on": "2026-01-05"}})):
        response = await quntuan_client.post(
            f"/api/v1/processes/{process['id']}/transitions",
            json={"transition": transition, **body},
            headers={**h["city"], "If-Match": f'"{process["version"]}"'},
        )
        assert response.status_code == 200, response.text
        process = response.json()
    assert process["state"] == "delivered" and process["outcome"] == "approved"
    # Applied for on a party committee it is refused: the type runs on 残联 only.
    wrong = await quntuan_client.post(
        "/api/v1/processes",
        json={
            "type": "disabled.assistance",
            "org_id": str(quntuan_tree.orgs["county_a"]["id"]),
            "form": form,
        },
        headers=h["member"],
    )
    assert wrong.status_code in (409, 422), wrong.text


async def test_builtin_roles_are_seeded_and_grant_what_they_say(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    roles = (
        await quntuan_client.get(
            "/api/v1/roles", params={"limit": 100}, headers=quntuan_tree.headers["platform"]
        )
    ).json()
    shipped = {r["code"]: r for r in roles["items"] if r.get("builtin_of") == "disabled"}
    assert set(shipped) == {"disabled.officer", "disabled.registrar"}
    assert "disabled.certificate.personal_data" not in shipped["disabled.officer"]["permissions"]
    assert "disabled.certificate.personal_data" in shipped["disabled.registrar"]["permissions"]
