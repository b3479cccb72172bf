"""The shipped catalog: complete, consistent, and what the issue asks for."""

from __future__ import annotations

import pytest

from bff.config import DEFAULTS
from bff.core.catalog import CATALOG_DIR, CatalogError, UnknownBundle, catalog_version, default_catalog, load_catalog
from bff.demo import personas

ISSUE_ITEMS = {
    "birth": ["birth-medical-certificate", "vaccination-certificate", "birth-registration", "resident-medical-insurance",
              "social-security-card", "maternity-benefits"],
    "retirement": ["retirement-approval", "pension-claim", "retiree-medical-insurance", "housing-fund-retirement-withdrawal",
                   "senior-card", "retiree-community-registration"],
    "after-death": ["death-medical-certificate", "death-certificate-police", "hukou-cancellation", "cremation-booking",
                    "funeral-subsidy", "survivor-benefits", "pension-stop-inheritance", "medical-account-inheritance",
                    "housing-fund-inheritance", "driving-licence-cancellation", "disability-card-cancellation",
                    "senior-card-cancellation"],
    # -- assistance, medical, old age, veterans, insurance transfer
    "social-assistance": ["subsistence-allowance", "temporary-assistance", "medical-assistance"],
    "treatment-elsewhere": ["treatment-elsewhere-filing", "chronic-disease-certification"],
    "old-age-benefits": ["old-age-allowance", "elderly-care-subsidy", "home-care-services", "senior-card"],
    "veteran-resettlement": ["veteran-reporting", "veteran-hukou-registration", "veteran-pension-transfer",
                             "veteran-medical-transfer", "veteran-preferential-card", "veteran-self-employment-grant",
                             "veteran-job-placement"],
    "insurance-transfer": ["pension-insurance-transfer", "medical-insurance-transfer"],
    "school-enrolment": ["primary-school-enrolment", "school-vaccination-check", "residence-permit-verification",
                         "student-status-registration"],
    "employment": ["employment-registration", "social-insurance-enrolment", "employee-medical-insurance-enrolment",
                   "unemployment-registration-cancellation"],
    "marriage": ["marriage-registration", "hukou-migration-marriage", "childbirth-registration"],
    "home-purchase": ["property-transfer-registration", "water-transfer", "power-transfer", "gas-transfer",
                      "housing-fund-loan"],
}
DEPARTMENTS = {
    "birth-medical-certificate": "health", "vaccination-certificate": "health", "birth-registration": "public-security",
    "resident-medical-insurance": "medical-insurance", "social-security-card": "hrss", "maternity-benefits": "medical-insurance",
    "retirement-approval": "hrss", "pension-claim": "hrss", "retiree-medical-insurance": "medical-insurance",
    "housing-fund-retirement-withdrawal": "housing-fund", "senior-card": "civil-affairs",
    "death-medical-certificate": "health", "death-certificate-police": "public-security", "hukou-cancellation": "public-security",
    "cremation-booking": "civil-affairs", "funeral-subsidy": "civil-affairs", "survivor-benefits": "hrss",
    "pension-stop-inheritance": "hrss", "medical-account-inheritance": "medical-insurance",
    "housing-fund-inheritance": "housing-fund", "driving-licence-cancellation": "traffic-police",
    "disability-card-cancellation": "disabled-federation", "senior-card-cancellation": "civil-affairs",
    # -- assistance, medical, old age, veterans, insurance transfer
    "subsistence-allowance": "civil-affairs", "temporary-assistance": "civil-affairs",
    "medical-assistance": "medical-insurance", "treatment-elsewhere-filing": "medical-insurance",
    "chronic-disease-certification": "medical-insurance", "old-age-allowance": "civil-affairs",
    "elderly-care-subsidy": "civil-affairs", "home-care-services": "civil-affairs",
    "veteran-reporting": "veterans-affairs", "veteran-hukou-registration": "public-security",
    "veteran-pension-transfer": "hrss", "veteran-medical-transfer": "medical-insurance",
    "veteran-preferential-card": "veterans-affairs", "veteran-self-employment-grant": "veterans-affairs",
    "veteran-job-placement": "veterans-affairs", "pension-insurance-transfer": "hrss",
    "medical-insurance-transfer": "medical-insurance",
    "primary-school-enrolment": "education", "school-vaccination-check": "health",
    "residence-permit-verification": "public-security", "student-status-registration": "education",
    "employment-registration": "hrss", "social-insurance-enrolment": "hrss",
    "employee-medical-insurance-enrolment": "medical-insurance", "unemployment-registration-cancellation": "hrss",
    "marriage-registration": "civil-affairs", "hukou-migration-marriage": "public-security",
    "childbirth-registration": "health", "property-transfer-registration": "natural-resources",
    "water-transfer": "water", "power-transfer": "power", "gas-transfer": "gas", "housing-fund-loan": "housing-fund",
}


def test_the_shipped_catalog_loads_and_is_versioned_by_its_content():
    catalog = default_catalog()
    assert catalog.version == catalog_version(CATALOG_DIR)
    assert len(catalog.version) == 12


@pytest.mark.parametrize("code", sorted(ISSUE_ITEMS))
def test_each_bundle_has_exactly_the_items_the_issue_lists_in_order(code):
    assert [item.code for item in default_catalog().bundle(code).items] == ISSUE_ITEMS[code]


def test_items_belong_to_the_departments_the_issue_names():
    items = default_catalog().items
    assert {code: items[code].department for code in DEPARTMENTS} == DEPARTMENTS


def test_every_department_has_an_officer_in_the_demo_world_or_answers_through_the_simulator():
    officers = {who.department for who in personas() if "officer" in who.roles}
    simulated = set(DEFAULTS["SIMULATED_DEPARTMENTS"].split(","))
    assert set(default_catalog().departments) == officers | simulated
    assert {"water", "power", "gas"} <= simulated - officers  # the utilities have no workbench page


def test_every_item_carries_the_eight_unifications():
    for item in default_catalog().items.values():
        assert item.name.zh and item.name.en and item.sub_item.zh and item.sub_item.en
        assert item.legal_basis and all(t.zh.startswith("《") for t in item.legal_basis)
        assert item.materials and item.procedure.steps and item.internal_process and item.fields
        assert 0 < item.time_limit_days <= 30
        assert item.procedure.trips_separately >= 1


def test_the_ten_life_cycle_categories_exist_with_the_bundles_in_theirs():
    catalog = default_catalog()
    assert [c.name.zh for c in catalog.categories] == [
        "出生", "上学", "就业", "婚育", "置业", "救助", "就医", "退休", "养老", "身后"]
    assert {b.code: b.category for b in catalog.bundles.values()} == {
        "birth": "birth", "retirement": "retirement", "after-death": "after-death",
        # -- assistance, medical, old age, veterans, insurance transfer
        "social-assistance": "assistance", "treatment-elsewhere": "medical", "old-age-benefits": "elderly",
        "veteran-resettlement": "employment", "insurance-transfer": "employment",
        "school-enrolment": "schooling", "employment": "employment", "marriage": "marriage",
        "home-purchase": "housing"}


def test_an_unknown_bundle_is_not_found():
    with pytest.raises(UnknownBundle):
        default_catalog().bundle("wedding")


def test_every_field_has_both_languages_and_every_select_has_choices():
    for definition in default_catalog().fields.values():
        assert definition.label.zh and definition.label.en and definition.help.zh and definition.help.en
        assert (definition.type == "select") == bool(definition.choices)


def test_conditional_items_say_why_they_are_in_and_why_they_are_out():
    for bundle in default_catalog().bundles.values():
        for entry in bundle.entries:
            if entry.when is not None:
                assert entry.reason_in and entry.reason_out, entry.item.code


def test_a_missing_catalog_directory_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="fields.yaml:1: -: file is missing"):
        load_catalog(tmp_path)
