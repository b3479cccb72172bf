"""GET /api/v1/bundles?q=: the server finds life events by the words residents use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

PWA_I18N = Path(__file__).resolve().parents[2] / "pwa" / "i18n"


def codes(client, **params):
    response = client.get("/api/v1/bundles", query_string=params)
    assert response.status_code == 200, response.get_json()
    return [b["code"] for b in response.get_json()["bundles"]]


@pytest.mark.parametrize(("query", "code"), [("身后事", "after-death"), ("丧葬", "after-death"), ("去世", "after-death"),
                                             ("生孩子", "birth"), ("退休金", "retirement"), ("shenhoushi", "after-death"),
                                             ("SHS", "after-death"), ("pension", "retirement"),
                                             ("低保", "social-assistance"), ("外地看病", "treatment-elsewhere"),
                                             ("八十岁", "old-age-benefits"), ("退伍", "veteran-resettlement"),
                                             ("换城市工作", "insurance-transfer"), ("veteran", "veteran-resettlement"),
                                             ("上学", "school-enrolment"), ("领证", "marriage"),
                                             ("买房", "home-purchase"), ("找工作", "employment")])
def test_the_words_residents_use_find_their_life_event_first(client, query, code):
    assert codes(client, q=query)[0] == code


def test_a_search_answers_with_the_words_it_read_and_full_bundle_summaries(client):
    body = client.get("/api/v1/bundles", query_string={"q": "  Shen Hou Shi "}).get_json()
    assert body["query"] == "shen hou shi"
    assert [b["code"] for b in body["bundles"]] == ["after-death"]
    found = body["bundles"][0]
    assert found["name"]["zh-CN"] == "身后一件事" and found["burden"]["saved"]["trips"] > 0 and found["departments"]


def test_nothing_found_is_an_empty_list_not_an_error(client):
    assert codes(client, q="xyzzy") == []


def test_a_category_narrows_the_search_and_lists_its_bundles_without_words(client):
    assert codes(client, q="hukou", category="birth") == ["birth"]
    assert codes(client, category="retirement") == ["retirement"]


def test_without_words_every_bundle_is_listed(client):
    assert set(codes(client, q="  ")) == set(codes(client))


def test_a_search_is_public_and_revalidates_with_the_catalog_version(client):
    first = client.get("/api/v1/bundles", query_string={"q": "生孩子"})
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get("/api/v1/bundles", query_string={"q": "生孩子"}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_query_too_long_is_a_field_error_in_the_residents_language(client):
    response = client.get("/api/v1/bundles", query_string={"q": "x" * 101}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["q"] == ["Please use at most 100 characters to search."]
    zh = client.get("/api/v1/bundles", query_string={"q": "字" * 101}).get_json()
    assert zh["errors"]["json"]["q"] == ["搜索词请不要超过 100 个字。"]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_example_in_the_search_placeholder_finds_its_bundle(client, language):
    placeholder = json.loads((PWA_I18N / f"{language}.json").read_text(encoding="utf-8"))["search_placeholder"]
    examples = [w for w in re.split(r"[、,，]\s*", re.split(r"[:：]\s*", placeholder, maxsplit=1)[-1]) if w]
    assert len(examples) >= 3
    wanted = {"zh-CN": ["birth", "retirement", "after-death"], "en": ["birth", "retirement", "after-death"]}[language]
    for example, code in zip(examples, wanted, strict=True):
        assert codes(client, q=example)[0] == code, example
    assert set(codes(client, q=placeholder)) >= set(wanted)
