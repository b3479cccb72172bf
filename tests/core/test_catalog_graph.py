"""The catalog loader refuses a broken item graph, naming the file and the line."""

from __future__ import annotations

from bff.core.catalog import CATALOG_DIR, load_catalog
from tests.core.catalog_files import at, edit, line_of, load_error


def test_the_shipped_graph_loads_with_needs_consumes_and_produces():
    catalog = load_catalog(CATALOG_DIR)
    registration = catalog.items["birth-registration"]
    assert registration.needs == ("birth-medical-certificate",)
    assert registration.consumes == {"birth_certificate_number": ("birth-medical-certificate.certificate_number",)}
    assert registration.produces == ("citizen_id_number",)
    assert catalog.items["hukou-cancellation"].consumes["death_certificate_number"] == (
        "death-medical-certificate.certificate_number", "death-certificate-police.certificate_number")


def test_a_cycle_is_refused_with_the_file_line_and_the_round(catalog_dir):
    path = catalog_dir / "items/birth-medical-certificate.yaml"
    edit(path, "time_limit_days: 3\n", "time_limit_days: 3\nneeds: [social-security-card]\n")
    message = load_error(catalog_dir)
    line = line_of(path, "needs: [social-security-card]")
    assert (f"items/birth-medical-certificate.yaml:{line}: needs: needs go round in a cycle: "
            "birth-medical-certificate -> social-security-card -> birth-registration -> birth-medical-certificate") \
        in message


def test_an_unknown_item_in_needs_is_refused_at_its_line(catalog_dir):
    path = catalog_dir / "items/vaccination-certificate.yaml"
    edit(path, "needs: [birth-medical-certificate]", "needs:\n  - birth-medical-certificate\n  - birth-medicl-certificate")
    line = line_of(path, "- birth-medicl-certificate")
    assert (f"items/vaccination-certificate.yaml:{line}: needs[1]: needs unknown item 'birth-medicl-certificate'"
            in load_error(catalog_dir))


def test_a_consumed_output_no_needed_item_produces_is_refused(catalog_dir):
    path = catalog_dir / "items/social-security-card.yaml"
    edit(path, "citizen_id_number: birth-registration.citizen_id_number",
         "citizen_id_number: birth-registration.citizen_number")
    line = line_of(path, "citizen_id_number: birth-registration.citizen_number")
    assert (f"items/social-security-card.yaml:{line}: consumes.citizen_id_number: consumes "
            "'birth-registration.citizen_number', but 'birth-registration' does not produce 'citizen_number'"
            in load_error(catalog_dir))


def test_consuming_from_an_item_that_is_not_needed_is_refused(catalog_dir):
    path = catalog_dir / "items/maternity-benefits.yaml"
    edit(path, "birth_certificate_number: birth-medical-certificate.certificate_number",
         "citizen_id_number: birth-registration.citizen_id_number")
    line = line_of(path, "citizen_id_number: birth-registration.citizen_id_number")
    assert (f"items/maternity-benefits.yaml:{line}: consumes.citizen_id_number: consumes "
            "'birth-registration.citizen_id_number', but 'birth-registration' is not in needs"
            in load_error(catalog_dir))


def test_a_material_satisfied_by_another_item_must_be_a_need(catalog_dir):
    path = catalog_dir / "items/funeral-subsidy.yaml"
    edit(path, "needs: [cremation-booking]\n", "")
    edit(path, "  cremation_certificate_number: cremation-booking.certificate_number\n", "  {}\n")
    message = load_error(catalog_dir)
    assert "items/funeral-subsidy.yaml:" in message
    assert "materials: material 'cremation-certificate' is satisfied by 'cremation-booking', which is not in needs" \
        in message


def test_a_need_outside_the_bundle_is_refused_at_the_bundle_line(catalog_dir):
    path = catalog_dir / "bundles/birth.yaml"
    edit(path, "  - item: birth-medical-certificate\n", "")
    message = load_error(catalog_dir)
    line = line_of(path, "- item: vaccination-certificate")
    assert (f"bundles/birth.yaml:{line}: items[0]: item 'vaccination-certificate' needs "
            "'birth-medical-certificate', which is not in this bundle") in message


def test_malformed_graph_keys_are_refused(catalog_dir):
    path = catalog_dir / "items/senior-card.yaml"
    edit(path, "time_limit_days: 5\n", "time_limit_days: 5\nneeds: retirement-approval\nproduces: [Card Number]\n"
                                       "consumes: {x: no-dot}\n")
    message = load_error(catalog_dir)
    item = "items/senior-card.yaml"
    assert f"{at(catalog_dir, item, 'needs: ')} needs: must be a list of distinct item codes" in message
    assert f"{at(catalog_dir, item, 'produces: ')} produces: must be a list of output names" in message
    assert f"{at(catalog_dir, item, 'consumes: ')} consumes.x: must be \"item.output\" or a list of them" in message
