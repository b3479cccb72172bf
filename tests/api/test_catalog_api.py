"""Catalog API on real PostgreSQL and Redis: public catalog reads and the resident's combined form."""

from __future__ import annotations

from datetime import date

import pytest

from bff.core.catalog import default_catalog
from bff.demo import persona
from tests.factories import create_user, sign_in

DEMO = {"birth": "zhangwei", "retirement": "lijianguo", "after-death": "chenming"}
# -- assistance, medical, old age, veterans, insurance transfer
DEMO |= {"social-assistance": "wuxiulan", "treatment-elsewhere": "sunjianhua", "old-age-benefits": "liuxiuying",
         "veteran-resettlement": "wanglei", "insurance-transfer": "linxiaoyan"}
TYPED = {
    "birth": {"subject.name": "张子涵", "subject.hukou_choice": "father", "delivery.method": "electronic",
              "consent.data_sharing": True, "consent.declaration": True},
    "retirement": {"delivery.method": "post", "consent.data_sharing": True, "consent.declaration": True},
    "after-death": {"subject.funeral_home": "hangzhou", "subject.cremation_date": date.today().isoformat(),
                    "family.dependants": "spouse", "consent.declaration": True},
}
# -- assistance, medical, old age, veterans, insurance transfer
CONSENTS = {"consent.data_sharing": True, "consent.declaration": True}
TYPED |= {
    "social-assistance": {"subject.hardship_reason": "illness", **CONSENTS},
    "treatment-elsewhere": {"subject.filing_type": "long-term-resident", "subject.destination_city": "上海市浦东新区",
                            **CONSENTS},
    "old-age-benefits": CONSENTS,
    "veteran-resettlement": {"delivery.method": "electronic", **CONSENTS},
    "insurance-transfer": CONSENTS,
}


def signed_in(app, client, key):
    sign_in(app, client, create_user(key))
    return client


def field_of(body, key):
    return next(f for s in body["sections"] for f in s["fields"] if f["key"] == key)


# ---- public catalog ----------------------------------------------------------------------

def test_categories_are_the_ten_life_cycle_stages_with_their_bundles(client):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    categories = response.get_json()["categories"]
    assert [c["name"]["zh-CN"] for c in categories][:1] == ["出生"] and len(categories) == 10
    assert {c["code"]: c["bundles"] for c in categories}["after-death"] == ["after-death"]


def test_catalog_reads_are_publicly_cacheable_with_an_etag_and_revalidate_to_304(client):
    response = client.get("/api/v1/bundles/birth")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    etag = response.headers["ETag"]
    assert default_catalog().version in etag
    again = client.get("/api/v1/bundles/birth", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "public, max-age=300"


def test_bundles_list_each_with_departments_and_burden_figures(client):
    bundles = {b["code"]: b for b in client.get("/api/v1/bundles").get_json()["bundles"]}
    assert set(bundles) == {"birth", "retirement", "after-death", "social-assistance", "treatment-elsewhere",
                            "old-age-benefits", "veteran-resettlement", "insurance-transfer", "school-enrolment",
                            "employment", "marriage", "home-purchase"}
    after_death = bundles["after-death"]
    assert "traffic-police" in {d["code"] for d in after_death["departments"]}
    assert after_death["burden"]["trips_after"] == 0
    totals = after_death["burden"]
    assert totals["saved"] == {"trips": totals["trips_before"], "materials": totals["materials_separately"]
                               - totals["uploads_left"], "fields": totals["fields_separately"] - totals["questions_to_type"]}


def test_the_list_and_the_bundle_page_give_the_same_totals(client):
    listed = {b["code"]: b["burden"] for b in client.get("/api/v1/bundles").get_json()["bundles"]}
    for code, totals in listed.items():
        assert client.get(f"/api/v1/bundles/{code}").get_json()["burden"] == totals


def test_a_bundle_shows_its_items_with_the_eight_unifications_and_conditions(client):
    body = client.get("/api/v1/bundles/after-death").get_json()
    entries = {e["item"]["code"]: e for e in body["items"]}
    licence = entries["driving-licence-cancellation"]
    item = licence["item"]
    assert item["department"] == "traffic-police" and item["time_limit_days"] >= 1
    assert item["legal_basis"][0]["zh-CN"].startswith("《") and item["procedure"]["trips_separately"] >= 1
    assert item["internal_process"] and item["fields"] and item["materials"] and item["result"]["en"]
    assert licence["when"] == {"key": "subject.has_driving_licence", "equals": True}
    assert licence["reason_out"]["en"] == "The deceased held no driving licence."
    material = item["materials"][0]
    assert material["satisfied_by"]["source"] == "medical-records"
    assert body["burden"]["typed_share"] <= 0.2


def test_an_unknown_bundle_is_a_404_in_the_one_error_envelope(client):
    response = client.get("/api/v1/bundles/wedding", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.get_json()["message"] == "There is no such life event."


# ---- the resident's form ----------------------------------------------------------------

def test_the_form_needs_a_signed_in_resident(client):
    assert client.get("/api/v1/bundles/birth/form").status_code == 401


def test_the_after_death_form_for_chen_ming_says_which_items_apply_and_why(app, client):
    body = signed_in(app, client, "chenming").get("/api/v1/bundles/after-death/form").get_json()
    assert body["subject"]["name"] == "陈国华" and body["subject"]["relation"] == "child"
    items = {i["item"]: i for i in body["items"]}
    assert items["driving-licence-cancellation"]["included"] and items["senior-card-cancellation"]["included"]
    out = items["disability-card-cancellation"]
    assert not out["included"] and out["reason"]["zh-CN"] == "逝者没有残疾人证，无需注销。"


def test_prefilled_answers_carry_their_source_and_are_read_only(app, client):
    body = signed_in(app, client, "chenming").get("/api/v1/bundles/after-death/form").get_json()
    death_date = field_of(body, "subject.death_date")
    assert death_date["read_only"] and death_date["prefilled"]["source"] == "medical-records"
    assert death_date["prefilled"]["source_name"]["en"].startswith("Medical records")
    assert field_of(body, "subject.funeral_home")["prefilled"] is None


def test_id_numbers_and_bank_cards_are_masked_and_never_sent_in_full(app, client):
    response = signed_in(app, client, "chenming").get("/api/v1/bundles/after-death/form")
    body = response.get_json()
    subject_id = field_of(body, "subject.id_number")["prefilled"]
    assert subject_id["masked"] and subject_id["value"].startswith("330106") and "*" in subject_id["value"]
    for key in ("chenguohua", "chenming", "liuxiuying"):
        assert persona(key).id_number not in response.get_data(as_text=True)
    assert field_of(body, "bank.card_number")["prefilled"]["masked"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("code", sorted(DEMO))
def test_in_the_demo_world_the_resident_types_at_most_a_fifth_and_uploads_nothing(app, client, code):
    burden = signed_in(app, client, DEMO[code]).get(f"/api/v1/bundles/{code}/form").get_json()["burden"]
    assert burden["questions_to_type"] <= 0.2 * burden["fields_separately"]
    assert burden["uploads_left"] == 0 and burden["trips_after"] == 0 < burden["trips_before"]
    totals = client.get(f"/api/v1/bundles/{code}").get_json()["burden"]["saved"]
    assert all(0 < burden["saved"][figure] <= totals[figure] for figure in ("trips", "materials", "fields"))


@pytest.mark.parametrize("code", sorted(DEMO))
def test_checked_answers_give_each_item_only_the_fields_it_declares(app, client, code):
    client = signed_in(app, client, DEMO[code])
    response = client.post(f"/api/v1/bundles/{code}/form/check", json={"answers": TYPED[code]})
    assert response.status_code == 200, response.get_json()
    items = default_catalog().items
    for item_code, keys in response.get_json()["items"].items():
        assert set(keys) <= set(items[item_code].fields), item_code


def test_invalid_answers_are_refused_per_field_in_the_users_language(app, client):
    client = signed_in(app, client, "chenming")
    answers = {**TYPED["after-death"], "subject.cremation_date": "2000-01-01", "consent.declaration": False}
    response = client.post("/api/v1/bundles/after-death/form/check", json={"answers": answers},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert errors["subject.cremation_date"] == ["The cremation cannot be before the death."]
    assert errors["consent.declaration"] == ["Please read and tick to agree."]


def test_field_errors_are_in_chinese_by_default(app, client):
    # A separate test: the test app context (and so flask.g, where the language is kept) spans a whole test.
    client = signed_in(app, client, "chenming")
    answers = {**TYPED["after-death"], "consent.declaration": False}
    chinese = client.post("/api/v1/bundles/after-death/form/check", json={"answers": answers})
    assert chinese.get_json()["errors"]["json"]["consent.declaration"] == ["请阅读并勾选同意。"]


def test_a_masked_value_sent_back_unchanged_keeps_the_governments_value(app, client):
    client = signed_in(app, client, "chenming")
    form = client.get("/api/v1/bundles/after-death/form").get_json()
    masked = field_of(form, "subject.id_number")["prefilled"]["value"]
    answers = {**TYPED["after-death"], "subject.id_number": masked}
    assert client.post("/api/v1/bundles/after-death/form/check", json={"answers": answers}).status_code == 200


def test_the_birth_form_prefills_from_the_hospital_record_and_leaves_the_name_to_the_parents(app, client):
    body = signed_in(app, client, "zhangwei").get("/api/v1/bundles/birth/form").get_json()
    assert body["subject"]["kind"] == "newborn" and body["subject"]["relation"] == "father"
    assert field_of(body, "subject.birth_hospital")["prefilled"]["value"] == "浙江大学医学院附属妇产科医院"
    assert field_of(body, "subject.name")["prefilled"] is None
    assert field_of(body, "family.mother_name")["prefilled"]["value"] == "王芳"


def test_a_subject_outside_the_applicants_family_is_not_found(app, client):
    client = signed_in(app, client, "chenming")
    assert client.get("/api/v1/bundles/after-death/form?subject=p-000000000000").status_code == 404


def test_someone_with_no_deceased_relative_gets_a_clear_404(app, client):
    response = signed_in(app, client, "zhangwei").get("/api/v1/bundles/after-death/form",
                                                      headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.get_json()["reason"] == "no_subject"


def test_the_name_check_counts_registered_people_with_the_name(app, client):
    client = signed_in(app, client, "zhangwei")
    assert client.get("/api/v1/name-check?name=张子涵").get_json()["same_name_count"] > 0


def test_subjects_list_whom_i_may_apply_about_by_opaque_ref(app, client):
    response = signed_in(app, client, "liuxiuying").get("/api/v1/bundles/after-death/subjects")
    (subject,) = response.get_json()["subjects"]
    assert subject["name"] == "陈国华" and subject["relation"] == "spouse" and subject["ref"].startswith("p-")
    assert persona("chenguohua").id_number not in response.get_data(as_text=True)


def test_a_cached_public_document_is_the_same_on_every_read(client):
    first = client.get("/api/v1/bundles/retirement")
    second = client.get("/api/v1/bundles/retirement")
    assert first.get_json() == second.get_json() and first.get_json()["code"] == "retirement"
    assert first.headers["Content-Type"].startswith("application/json")


def test_materials_that_shared_data_satisfies_are_not_requested(app, client):
    body = signed_in(app, client, "chenming").get("/api/v1/bundles/after-death/form").get_json()
    materials = {(m["item"], m["code"]): m for m in body["materials"]}
    death = materials[("hukou-cancellation", "death-certificate")]
    assert not death["requested"] and death["satisfied_by"] == "medical-records"
    assert death["source_name"]["zh-CN"].startswith("卫健")
    assert materials[("funeral-subsidy", "cremation-certificate")]["satisfied_by"] == "item:cremation-booking"
    assert not any(m["requested"] for m in body["materials"])
