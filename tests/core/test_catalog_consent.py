"""The catalog's consent keys: which items wait for the heirs, the undertaking limit, the uploads."""

from __future__ import annotations

from bff.core.catalog import default_catalog
from tests.core.catalog_files import at, edit, load_error

ITEM = "items/housing-fund-inheritance.yaml"


def test_the_three_inheritance_items_wait_for_the_heirs_and_take_an_undertaking():
    items = default_catalog().items
    waiting = sorted(code for code, item in items.items() if item.consent == "heirs")
    assert waiting == ["housing-fund-inheritance", "medical-account-inheritance", "pension-stop-inheritance"]
    for code in waiting:
        assert items[code].undertaking_limit_yuan == 50000
        [upload] = items[code].uploads
        assert (upload.code, upload.when, upload.name.zh) == ("notarised-inheritance-certificate", "declined", "继承权公证书")


def test_survivor_benefits_are_paid_to_the_survivors_without_the_heirs_consent():
    survivor = default_catalog().items["survivor-benefits"]
    assert survivor.consent is None and survivor.uploads == ()


def test_an_unknown_kind_of_consent_is_refused(catalog_dir):
    edit(catalog_dir / ITEM, "consent: heirs", "consent: everyone")
    assert f"{at(catalog_dir, ITEM, 'consent: everyone')} consent: must be one of heirs" in load_error(catalog_dir)


def test_an_undertaking_limit_must_be_a_positive_sum(catalog_dir):
    edit(catalog_dir / ITEM, "undertaking_limit_yuan: 50000", "undertaking_limit_yuan: -5")
    assert (f"{at(catalog_dir, ITEM, 'undertaking_limit_yuan')} undertaking_limit_yuan: must be a positive whole "
            "number of yuan") in load_error(catalog_dir)


def test_an_undertaking_without_consent_is_refused(catalog_dir):
    edit(catalog_dir / ITEM, "consent: heirs\n", "")
    error = load_error(catalog_dir)
    assert (f"{at(catalog_dir, ITEM, 'undertaking_limit_yuan')} undertaking_limit_yuan: only an item that asks for "
            "consent takes an undertaking") in error
    assert f"{at(catalog_dir, ITEM, 'when: declined')} uploads[0].when: 'declined' needs the item to ask for consent" in error


def test_an_upload_needs_a_known_when_and_both_languages(catalog_dir):
    edit(catalog_dir / ITEM, "when: declined", "when: always")
    edit(catalog_dir / ITEM, "en: Notarised inheritance certificate", "en: ''")
    error = load_error(catalog_dir)
    assert f"{at(catalog_dir, ITEM, 'when: always')} uploads[0].when: must be one of declined" in error
    unnamed = at(catalog_dir, ITEM, "en: ''")
    assert f"{unnamed} uploads[0].name: needs both zh and en text" in error


def test_an_upload_code_must_be_a_short_code(catalog_dir):
    edit(catalog_dir / ITEM, "code: notarised-inheritance-certificate", "code: 'a b/c'")
    assert (f"{at(catalog_dir, ITEM, 'a b/c')} uploads[0].code: must be a short code of letters, digits and dashes"
            in load_error(catalog_dir))
