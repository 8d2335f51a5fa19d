"""The API applies the access matrix and scopes objects like the pages do."""

import pytest

from alux_crm.core import roles as R


@pytest.mark.django_db
def test_anonymous_api_call_is_refused_with_json(client, partner_a):
    response = client.get("/api/v1/partners/")
    assert response.status_code == 403
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.django_db
def test_staff_see_all_partners(make_user, login, client, partner_a, partner_b):
    login(make_user(R.SALES))
    body = client.get("/api/v1/partners/").json()
    assert {p["code"] for p in body["results"]} == {"R-100", "R-200"}


@pytest.mark.django_db
def test_partner_sees_only_itself_and_others_are_404(make_user, login, client, partner_b):
    user = make_user(R.RETAILER)  # partner A
    login(user)
    body = client.get("/api/v1/partners/").json()
    assert [p["code"] for p in body["results"]] == ["R-100"]
    response = client.get(f"/api/v1/partners/{partner_b.pk}/")
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "detail": "No Partner matches the given query.",
    }


@pytest.mark.django_db
def test_subscriber_role_cannot_use_staff_api(make_user, login, client):
    login(make_user(R.SUBSCRIBER))
    response = client.get("/api/v1/partners/")
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"


@pytest.mark.django_db
def test_openapi_schema_for_staff_only(make_user, login, client):
    assert client.get("/api/schema/").status_code == 403
    login(make_user(R.BACK_OFFICE))
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/partners/" in response.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"<script" in docs.content and b"swagger" in docs.content.lower()
