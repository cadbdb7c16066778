"""Bad input gives 4xx (or is ignored), never 500: query-string numbers and non-finite decimals."""
from __future__ import annotations

import pytest

from screening.web import MAX_ID, parse_int

HUGE = "9" * 30


@pytest.mark.parametrize("value,expected", [
    ("7", 7), ("007", 7), (str(MAX_ID), MAX_ID), (12, 12),
    ("²", None), ("٣", None), ("1e9", None), ("-1", None), ("0", None), (" 7", None), ("7 ", None), ("+7", None),
    ("0x10", None), ("", None), (None, None), (True, None), (3.0, None), (str(MAX_ID + 1), None), (HUGE, None),
])
def test_parse_int(value, expected):
    assert parse_int(value) == expected


def test_parse_int_default_and_bounds():
    assert parse_int("x", 1) == 1
    assert parse_int("0", minimum=0) == 0
    assert parse_int("11", 5, maximum=10) == 5


@pytest.mark.parametrize("value", ["²", HUGE, str(MAX_ID + 1), "-3", "1.5"])
def test_fairness_report_and_csv_refuse_a_bad_vacancy(client, auth, value):
    auth.as_role("admin")
    for path in ("/admin/fairness/", "/admin/fairness/csv"):
        response = client.get(path, query_string={"vacancy": value})
        assert response.status_code == 422, (path, value, response.status_code)


def test_fairness_report_of_a_missing_vacancy_is_not_a_500(client, auth):
    auth.as_role("admin")
    for path in ("/admin/fairness/", "/admin/fairness/csv"):
        assert client.get(path, query_string={"vacancy": str(MAX_ID)}).status_code in (200, 404, 422)


@pytest.mark.parametrize("page", [HUGE, str(MAX_ID), "²", "-1", "0", "x"])
def test_audit_page_number_out_of_range(client, auth, page):
    auth.as_role("admin")
    response = client.get("/admin/audit", query_string={"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-NaN", "inf", "-Infinity", "Infinity", "1e999999"])
def test_classifier_bands_refuse_non_finite_numbers(app, client, auth, value):
    from screening.extensions import db
    from screening.services import settings

    auth.as_role("admin")
    data = {"classifier_enabled": "y", "band_strong_yes": "80", "band_yes": value, "band_mixed": "40"}
    response = client.post("/classifier/settings", data=data)
    assert response.status_code == 422, (value, response.status_code)
    with app.app_context():
        assert settings.get("band_yes") == settings.DEFAULTS["band_yes"]
        db.session.rollback()


def test_classifier_bands_still_save_finite_numbers(app, client, auth):
    from screening.services import settings

    auth.as_role("admin")
    data = {"classifier_enabled": "y", "band_strong_yes": "80", "band_yes": "61.5", "band_mixed": "40"}
    assert client.post("/classifier/settings", data=data).status_code == 302
    with app.app_context():
        assert settings.get("band_yes") == 61.5
