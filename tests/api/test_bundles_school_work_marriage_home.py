"""The school, work, marriage and home bundles on real PostgreSQL and Redis: who each form is about,
which items apply and why, what the shared data prefills, and what is left to type."""

from __future__ import annotations

from datetime import date

import pytest

from bff.core.catalog import default_catalog
from bff.demo import persona
from tests.api.application_helpers import case_of, officer_client, run_worker, submit, submitted_application
from tests.factories import create_user, sign_in

DEMO = {"school-enrolment": "sunlei", "employment": "linxiao", "marriage": "liuyang", "home-purchase": "wuhao"}
TYPED = {
    "school-enrolment": {"subject.school_choice": "catchment", "consent.data_sharing": True,
                         "consent.declaration": True},
    "employment": {"subject.new_employer_name": "杭州西湖数据服务有限公司",
                   "subject.new_employer_credit_code": "91330106MA2H3K4L5P",
                   "subject.employment_start_date": date.today().isoformat(),
                   "subject.labour_contract_type": "fixed-term", "consent.declaration": True},
    "marriage": {"family.hukou_move_direction": "partner-joins-applicant", "family.child_order": "first",
                 "delivery.method": "electronic", "consent.marriage_declaration": True,
                 "consent.data_sharing": True, "consent.declaration": True},
    "home-purchase": {"subject.property_ownership": "sole", "subject.loan_amount_yuan": 800000,
                      "subject.loan_term_years": 25, "delivery.method": "post", "consent.data_sharing": True,
                      "consent.declaration": True},
}


def signed_in(app, client, key):
    sign_in(app, client, create_user(key))
    return client


def form_of(app, client, key, code):
    response = signed_in(app, client, key).get(f"/api/v1/bundles/{code}/form")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def field_of(body, key):
    return next(f for s in body["sections"] for f in s["fields"] if f["key"] == key)


def decisions(body):
    return {i["item"]: i for i in body["items"]}


@pytest.mark.parametrize("code", sorted(DEMO))
def test_the_demo_resident_types_at_most_a_fifth_uploads_nothing_and_checks_clean(app, client, code):
    body = form_of(app, client, DEMO[code], code)
    burden = body["burden"]
    assert burden["questions_to_type"] <= 0.2 * burden["fields_separately"]
    assert burden["uploads_left"] == 0 and burden["trips_before"] > burden["trips_after"]
    response = client.post(f"/api/v1/bundles/{code}/form/check", json={"answers": TYPED[code]})
    assert response.status_code == 200, response.get_json()


def test_marriage_still_takes_the_couple_to_the_registry_office_once_and_nothing_else_does(app, client):
    """The Civil Code has both partners register in person: that one trip is left, together."""
    for code, key in DEMO.items():
        assert form_of(app, client, key, code)["burden"]["trips_after"] == (1 if code == "marriage" else 0)


def test_school_the_father_applies_for_his_daughter_and_the_home_is_checked_from_the_register(app, client):
    body = form_of(app, client, "sunlei", "school-enrolment")
    assert body["subject"]["name"] == "孙小雨" and body["subject"]["relation"] == "father"
    assert body["subject"]["kind"] == "child"
    title = field_of(body, "family.home_certificate_number")["prefilled"]
    assert title["value"] == "浙（2019）杭州市不动产权第0087654号" and title["source"] == "real-estate"
    assert field_of(body, "subject.birth_date")["prefilled"]["value"] == persona("sunxiaoyu").born.isoformat()
    permit = decisions(body)["residence-permit-verification"]
    assert not permit["included"] and permit["reason"]["en"] == (
        "The child has a Hangzhou hukou, so no residence permit check is needed.")
    home = next(m for m in body["materials"] if m["code"] == "home-title")
    assert not home["requested"]


@pytest.mark.parametrize("key", ["wuhao", "liuxiuying"])  # no child; grown-up children only
def test_school_a_parent_with_no_child_of_entry_age_is_told_so(app, client, key):
    response = signed_in(app, client, key).get("/api/v1/bundles/school-enrolment/form",
                                               headers={"Accept-Language": "en"})
    assert response.status_code == 404 and response.get_json()["reason"] == "no_subject"


def test_employment_a_new_graduate_enrols_in_insurance_and_closes_her_unemployment_registration(app, client):
    body = form_of(app, client, "linxiao", "employment")
    items = decisions(body)
    assert all(items[code]["included"] for code in (
        "employment-registration", "social-insurance-enrolment", "employee-medical-insurance-enrolment",
        "unemployment-registration-cancellation"))
    number = field_of(body, "subject.unemployment_registration_number")["prefilled"]
    assert number["source"] == "social-insurance" and number["value"].startswith("SY")
    assert field_of(body, "subject.new_employer_name")["prefilled"] is None


def test_employment_an_insured_employee_changing_jobs_needs_only_the_registration(app, client):
    items = decisions(form_of(app, client, "lijianguo", "employment"))
    assert items["employment-registration"]["included"]
    assert not items["social-insurance-enrolment"]["included"]
    assert items["social-insurance-enrolment"]["reason"]["zh-CN"] == "您已有职工社会保险参保记录，由新单位办理增员即可接续。"
    assert not items["unemployment-registration-cancellation"]["included"]


def test_marriage_both_partners_see_one_shared_subject_so_the_second_joins_the_firsts_case(app, client):
    body = form_of(app, client, "liuyang", "marriage")
    assert body["subject"]["name"] == "赵静" and body["subject"]["kind"] == "partner"
    assert field_of(body, "family.marriage_office")["prefilled"]["value"] == "杭州市西湖区婚姻登记处"
    assert field_of(body, "subject.hukou_address")["prefilled"]["value"].startswith("浙江省宁波市")
    move = decisions(body)["hukou-migration-marriage"]
    assert move["included"] and move["reason"]["en"].startswith("Your hukou are in different cities")
    started = client.post("/api/v1/applications", json={"bundle": "marriage", "subject_ref": body["subject"]["ref"],
                                                         "answers": TYPED["marriage"]})
    assert started.status_code == 201, started.get_json()
    assert submit(client, started.get_json()["number"]).status_code == 201

    partner = app.test_client()
    theirs = form_of(app, partner, "zhaojing", "marriage")
    assert theirs["subject"]["name"] == "刘洋" and theirs["subject"]["ref"] == body["subject"]["ref"]
    again = partner.post("/api/v1/applications", json={"bundle": "marriage", "subject_ref": theirs["subject"]["ref"]})
    assert again.status_code == 409 and again.get_json()["reason"] == "subject_already_applied"
    number = started.get_json()["number"]
    asked = partner.post(f"/api/v1/applications/{number}/join-requests")  # the registry links her to it
    assert asked.status_code == 201, asked.get_json()
    assert client.post(f"/api/v1/applications/{number}/members/{asked.get_json()['id']}/accept").status_code == 200
    assert partner.get(f"/api/v1/applications/{number}").status_code == 200


def test_marriage_without_a_booking_there_is_no_one_to_apply_with(app, client):
    response = signed_in(app, client, "linxiao").get("/api/v1/bundles/marriage/form")
    assert response.status_code == 404 and response.get_json()["reason"] == "no_subject"


def test_home_the_filed_contract_prefills_the_registration_and_the_loan(app, client):
    body = form_of(app, client, "wuhao", "home-purchase")
    address = field_of(body, "subject.property_address")["prefilled"]
    assert address["value"].startswith("浙江省杭州市西湖区") and address["source"] == "real-estate"
    assert field_of(body, "subject.property_price_yuan")["prefilled"]["value"] == 3_860_000
    assert field_of(body, "subject.housing_fund_account")["prefilled"]["source"] == "housing-fund"
    assert decisions(body)["housing-fund-loan"]["included"]
    assert field_of(body, "bank.card_number")["prefilled"]["masked"]


def test_home_with_no_contract_on_file_the_contract_is_asked_for_and_no_fund_means_no_loan(app, client):
    body = form_of(app, client, "linxiao", "home-purchase")
    contract = next(m for m in body["materials"] if m["code"] == "purchase-contract")
    assert contract["requested"]
    loan = decisions(body)["housing-fund-loan"]
    assert not loan["included"] and loan["reason"]["en"].startswith("No active housing fund account")


def test_a_loan_beyond_the_ceiling_is_a_field_error_in_the_users_language(app, client):
    signed_in(app, client, "wuhao")
    answers = TYPED["home-purchase"] | {"subject.loan_amount_yuan": 5_000_000}
    response = client.post("/api/v1/bundles/home-purchase/form/check", json={"answers": answers},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "subject.loan_amount_yuan" in response.get_json()["errors"]["json"]


def test_the_utilities_wait_for_the_title_certificate(app, client):
    body = client.get("/api/v1/bundles/home-purchase").get_json()
    needs = {e["item"]["code"]: e["item"]["needs"] for e in body["items"]}
    assert needs["water-transfer"] == needs["power-transfer"] == needs["gas-transfer"] == [
        "property-transfer-registration"]
    assert needs["housing-fund-loan"] == []



def test_the_education_officer_admits_the_child_and_the_student_record_follows_with_the_admission(app, client):
    submitted = submitted_application(app, client, "school-enrolment")
    officer = officer_client(app, "education")
    queue = officer.get("/api/v1/officer/cases").json["cases"]
    # The student record waits for the admission: only the enrolment is on the education workbench.
    assert [c["item"] for c in queue] == ["primary-school-enrolment"]
    enrolment = case_of(submitted["receipt"], "primary-school-enrolment")
    detail = officer.get(f"/api/v1/officer/cases/{enrolment}").json
    assert set(detail["fields"]) <= set(default_catalog().items["primary-school-enrolment"].fields)
    assert officer.post(f"/api/v1/officer/cases/{enrolment}/accept").status_code == 200
    assert officer.post(f"/api/v1/officer/cases/{enrolment}/approve").status_code == 200
    run_worker(app)
    queue = officer.get("/api/v1/officer/cases").json["cases"]
    record = next(c for c in queue if c["item"] == "student-status-registration")
    [given] = officer.get(f"/api/v1/officer/cases/{record['reference']}").json["inputs"]
    assert given["name"] == "admission_number" and given["from"]["reference"] == enrolment
