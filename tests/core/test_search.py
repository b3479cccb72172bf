"""Search: the words residents use find their life event; ranking is a pure function of the index."""

from __future__ import annotations

import pytest

from bff.core import search
from bff.core.catalog import default_catalog, load_catalog
from bff.core.errors import ValidationFailed
from tests.core.catalog_files import at, edit, load_error

CATALOG = default_catalog()


def found(query: str) -> list[str]:
    return [hit.code for hit in search.rank(CATALOG.search, query)]


@pytest.mark.parametrize(("query", "code"), [
    ("身后事", "after-death"), ("丧事", "after-death"), ("丧葬", "after-death"), ("去世", "after-death"),
    ("过世", "after-death"), ("死亡", "after-death"), ("殡葬", "after-death"),
    ("生孩子", "birth"), ("生娃", "birth"), ("上户口", "birth"), ("出生证", "birth"), ("报户口", "birth"),
    ("退休金", "retirement"), ("养老金", "retirement"), ("办退休", "retirement"),
    ("funeral", "after-death"), ("pension", "retirement"), ("baby", "birth"),
])
def test_everyday_words_find_their_bundle_first(query, code):
    assert found(query)[0] == code


@pytest.mark.parametrize("query", ["shenhoushi", "ShenHouShi", "shen hou shi", "shs", "SHS", "houshi"])
def test_full_pinyin_and_initials_find_a_bundle_in_any_case(query):
    assert found(query) == ["after-death"]


def test_an_item_name_finds_the_bundle_that_includes_it():
    assert found("驾驶证") == ["after-death"]
    assert found("vaccination") == ["birth", "school-enrolment"]  # the certificate, and its check at school


def test_a_category_name_finds_its_bundles():
    assert found("身后")[0] == "after-death"
    assert "retirement" in found("Retirement")


def test_a_sentence_that_contains_a_term_finds_it():
    assert found("我家老人去世了")[0] == "after-death"


def test_every_word_must_match_when_some_bundle_matches_them_all():
    assert found("pension funeral") == ["after-death"]  # the survivors' pension is an after-death item


def test_words_that_no_bundle_matches_together_find_each_ones_bundle():
    assert set(found("出生、退休、身后事")) == {"birth", "retirement", "after-death"}


def test_a_full_width_query_is_read_as_half_width():
    assert found("ＳＨＳ") == ["after-death"]


def test_nonsense_and_empty_queries_find_nothing():
    assert found("xyzzy") == [] and found("   ") == [] and found("，、") == []


def test_one_latin_letter_finds_nothing():
    assert found("q") == []


def test_ranking_prefers_the_name_to_an_item_and_an_exact_term_to_part_of_one():
    index = search.build_index({
        "by-item": [("退休人员医保", search.ITEM)],
        "by-name": [("退休一件事", search.NAME)],
        "by-part": [("办退休手续", search.TERM)],
        "exact": [("退休", search.TERM)],
    })
    assert [hit.code for hit in search.rank(index, "退休")] == ["by-name", "exact", "by-part", "by-item"]


def test_equal_scores_keep_the_catalogs_order():
    index = search.build_index({"b": [("出生", search.TERM)], "a": [("出生", search.TERM)]})
    assert [hit.code for hit in search.rank(index, "出生")] == ["b", "a"]


def test_a_query_too_long_to_be_a_search_is_a_field_error_in_both_languages():
    with pytest.raises(ValidationFailed) as raised:
        search.check_query("字" * (search.MAX_QUERY_LENGTH + 1))
    assert raised.value.errors["q"][0].zh.startswith("搜索词") and "characters" in raised.value.errors["q"][0].en


# ---- search_terms in the catalog -----------------------------------------------------------

def test_a_bundle_without_search_terms_loads_and_is_found_by_its_name(catalog_dir):
    text = (catalog_dir / "bundles/birth.yaml").read_text(encoding="utf-8")
    start = text.index("search_terms:")
    end = text.index("\nsections:")
    (catalog_dir / "bundles/birth.yaml").write_text(text[:start] + text[end + 1:], encoding="utf-8")
    catalog = load_catalog(catalog_dir)
    assert catalog.bundle("birth").search_terms.zh == ()
    assert [hit.code for hit in search.rank(catalog.search, "出生")][0] == "birth"
    assert "birth" not in [hit.code for hit in search.rank(catalog.search, "生孩子")]


def test_a_search_term_listed_twice_is_refused(catalog_dir):
    edit(catalog_dir / "bundles/birth.yaml", "zh: [生孩子,", "zh: [生孩子, 生孩子,")
    assert f"{at(catalog_dir, 'bundles/birth.yaml', 'zh: [生孩子')} search_terms.zh: '生孩子' is listed twice" \
        in load_error(catalog_dir)


def test_a_search_term_that_is_not_a_string_is_refused(catalog_dir):
    edit(catalog_dir / "bundles/birth.yaml", "zh: [生孩子,", "zh: [{a: 1}, 生孩子,")
    assert f"{at(catalog_dir, 'bundles/birth.yaml', 'zh: [{a: 1}')} search_terms.zh: must be a list of non-empty " \
        "strings" in load_error(catalog_dir)


def test_search_terms_in_an_unknown_language_are_refused(catalog_dir):
    edit(catalog_dir / "bundles/birth.yaml", "search_terms:\n", "search_terms:\n  fr: [bébé]\n")
    assert f"{at(catalog_dir, 'bundles/birth.yaml', 'fr: [bébé]')} search_terms: unknown key 'fr'" \
        in load_error(catalog_dir)
