"""The assistance, medical, old-age, veterans and insurance-transfer bundles on real PostgreSQL and Redis:
each persona's form from the sample registry, and a submission every department receives."""

from __future__ import annotations

import pytest

from tests.api.application_helpers import approval_body, case_of, officer_client, run_worker, submitted_application
from tests.factories import create_user, sign_in

EXPECTED = {  # bundle: (persona, items in, items out)
    "social-assistance": ("wuxiulan", {"subsistence-allowance", "temporary-assistance", "medical-assistance"}, set()),
    "treatment-elsewhere": ("sunjianhua", {"treatment-elsewhere-filing", "chronic-disease-certification"}, set()),
    "old-age-benefits": ("liuxiuying", {"old-age-allowance", "elderly-care-subsidy", "home-care-services"},
                         {"senior-card"}),
    "veteran-resettlement": ("wanglei", {"veteran-reporting", "veteran-hukou-registration", "veteran-pension-transfer",
                                         "veteran-medical-transfer", "veteran-preferential-card",
                                         "veteran-self-employment-grant"}, {"veteran-job-placement"}),
    "insurance-transfer": ("linxiaoyan", {"pension-insurance-transfer", "medical-insurance-transfer"}, set()),
}


def form_of(app, client, bundle):
    persona = EXPECTED[bundle][0]
    sign_in(app, client, create_user(persona))
    response = client.get(f"/api/v1/bundles/{bundle}/form")
    assert response.status_code == 200, response.json
    return response.get_json()


def prefilled(body, key):
    field = next(f for s in body["sections"] for f in s["fields"] if f["key"] == key)
    return field["prefilled"]


def test_every_category_of_the_provincial_standard_that_these_bundles_fill_lists_them(client):
    categories = {c["code"]: c["bundles"] for c in client.get("/api/v1/categories").get_json()["categories"]}
    assert "social-assistance" in categories["assistance"] and "treatment-elsewhere" in categories["medical"]
    assert "old-age-benefits" in categories["elderly"]
    assert {"veteran-resettlement", "insurance-transfer"} <= set(categories["employment"])


@pytest.mark.parametrize("bundle", sorted(EXPECTED))
def test_each_persona_is_told_which_items_apply_from_shared_data(app, client, bundle):
    body = form_of(app, client, bundle)
    _persona, included, excluded = EXPECTED[bundle]
    items = {i["item"]: i for i in body["items"]}
    assert {code for code, i in items.items() if i["included"]} == included
    assert {code for code, i in items.items() if not i["included"]} == excluded
    assert all(items[code]["reason"]["en"] for code in included | excluded)
    assert body["burden"]["uploads_left"] == 0 and body["burden"]["trips_after"] == 0


def test_the_means_check_prefills_the_household_and_explains_the_allowance(app, client):
    body = form_of(app, client, "social-assistance")
    members = prefilled(body, "subject.household_members")
    assert members["value"] == 2 and members["source"] == "civil-affairs"
    assert prefilled(body, "subject.household_monthly_income")["value"] == 1800
    allowance = next(i for i in body["items"] if i["item"] == "subsistence-allowance")
    assert allowance["reason"]["zh-CN"].startswith("家庭经济状况核对显示，您家庭月人均收入低于低保标准")


def test_the_veteran_sees_his_discharge_record_and_the_mover_her_former_city(app, client):
    veteran = form_of(app, client, "veteran-resettlement")
    assert prefilled(veteran, "subject.resettlement_type")["value"] == "self-employment"
    assert prefilled(veteran, "subject.service_months")["source"] == "veterans-records"
    mover = form_of(app, client, "insurance-transfer")
    assert prefilled(mover, "subject.previous_insured_in")["value"] == "上海市浦东新区"


def test_a_birth_form_never_asks_civil_affairs_for_a_households_means(app, client):
    sign_in(app, client, create_user("zhangwei"))
    body = client.get("/api/v1/bundles/birth/form").get_json()
    assert "civil-affairs" not in {f["prefilled"]["source"] for s in body["sections"] for f in s["fields"]
                                   if f["prefilled"]}


@pytest.mark.parametrize("bundle", sorted(EXPECTED))
def test_each_persona_submits_and_every_included_item_becomes_a_case(app, client, bundle):
    submitted = submitted_application(app, client, bundle)
    receipt = submitted["receipt"]
    assert {c["item"] for c in receipt["cases"]} == EXPECTED[bundle][1]


def test_the_veterans_reporting_releases_the_cases_that_wait_for_it(app, client):
    receipt = submitted_application(app, client, "veteran-resettlement")["receipt"]
    statuses = {c["item"]: c["status"] for c in receipt["cases"]}
    assert statuses["veteran-reporting"] == "submitted" and statuses["veteran-hukou-registration"] == "waiting"
    officer = officer_client(app, "veterans-affairs")
    reference = case_of(receipt, "veteran-reporting")
    assert officer.post(f"/api/v1/officer/cases/{reference}/accept").status_code == 200
    assert officer.post(f"/api/v1/officer/cases/{reference}/approve",
                        json=approval_body("veteran-reporting")).status_code == 200
    run_worker(app)
    released = officer_client(app, "public-security").get("/api/v1/officer/cases").get_json()
    assert case_of(receipt, "veteran-hukou-registration") in {c["reference"] for c in released["cases"]}
