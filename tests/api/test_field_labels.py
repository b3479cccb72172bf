"""The public field dictionary labels the officer page shows instead of raw keys."""

from __future__ import annotations


def test_every_field_key_has_its_labels_in_both_languages(client) -> None:
    response = client.get("/api/v1/fields")
    assert response.status_code == 200
    labels = {f["key"]: f for f in response.json["fields"]}
    assert labels["delivery.address"]["label"]["zh-CN"] and labels["delivery.address"]["label"]["en"]
    choices = [f for f in labels.values() if f["choices"]]
    assert choices and all(c["label"]["zh-CN"] for c in choices[0]["choices"])


def test_the_labels_are_public_and_cached_by_catalog_version(client) -> None:
    first = client.get("/api/v1/fields")
    assert "public" in first.headers["Cache-Control"]
    again = client.get("/api/v1/fields", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
