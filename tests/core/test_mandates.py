"""The rules of mandates (委托代办): scope, expiry, coverage (pure, no services)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bff.core import mandates as rules
from bff.core.errors import PermissionDenied, ValidationFailed

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def terms(*, scope: str = "apply_follow", bundle: str | None = "after-death", number: str | None = None,
          expires_at: datetime = NOW + timedelta(days=30), revoked_at: datetime | None = None) -> rules.Terms:
    return rules.Terms(1, 2, scope, bundle, number, expires_at, revoked_at)


def test_a_mandate_is_active_until_it_expires_or_is_revoked():
    assert rules.is_active(terms(), NOW)
    assert not rules.is_active(terms(expires_at=NOW), NOW)
    assert not rules.is_active(terms(expires_at=NOW - timedelta(seconds=1)), NOW)
    assert not rules.is_active(terms(revoked_at=NOW - timedelta(minutes=1)), NOW)


def test_receiving_money_includes_applying_but_not_the_other_way_round():
    assert rules.scope_allows("receive_money", "apply_follow")
    assert rules.scope_allows("receive_money", "receive_money")
    assert rules.scope_allows("apply_follow", "apply_follow")
    assert not rules.scope_allows("apply_follow", "receive_money")


def test_a_bundle_mandate_covers_that_bundle_and_its_applications_only():
    mandate = terms(bundle="after-death")
    assert rules.covers(mandate, rules.Need(bundle="after-death"))
    assert rules.covers(mandate, rules.Need(bundle="after-death", number="A1"))
    assert not rules.covers(mandate, rules.Need(bundle="birth"))
    assert not rules.covers(mandate, rules.Need(bundle="birth", number="A2"))
    assert not rules.covers(mandate, rules.Need(number="A3"))  # an application whose bundle is unknown
    assert rules.covers(mandate, rules.Need())  # a list, narrowed afterwards


def test_an_application_mandate_covers_that_application_and_cannot_start_another():
    mandate = terms(bundle=None, number="A1")
    assert rules.covers(mandate, rules.Need(bundle="after-death", number="A1"))
    assert not rules.covers(mandate, rules.Need(bundle="after-death", number="A2"))
    assert not rules.covers(mandate, rules.Need(bundle="after-death"))


def test_check_allowed_says_whether_the_scope_or_the_coverage_is_missing():
    mandates = [terms(scope="apply_follow")]
    assert rules.check_allowed(mandates, rules.Need(bundle="after-death"), NOW) == mandates[0]
    with pytest.raises(PermissionDenied) as scope:
        rules.check_allowed(mandates, rules.Need("receive_money", bundle="after-death"), NOW)
    assert scope.value.code == "mandate_scope"
    with pytest.raises(PermissionDenied) as coverage:
        rules.check_allowed(mandates, rules.Need(bundle="birth"), NOW)
    assert coverage.value.code == "mandate_not_covering"
    with pytest.raises(PermissionDenied):
        rules.check_allowed([terms(revoked_at=NOW)], rules.Need(bundle="after-death"), NOW)


def test_the_agent_sees_only_covered_applications_in_lists():
    mandates = [terms(bundle="after-death"), terms(bundle=None, number="B7")]
    assert rules.visible(mandates, "after-death", "A1", NOW)
    assert rules.visible(mandates, "birth", "B7", NOW)
    assert not rules.visible(mandates, "birth", "B8", NOW)
    assert not rules.visible([terms(expires_at=NOW)], "after-death", "A1", NOW)


def test_bank_and_payee_answers_need_the_money_scope():
    assert rules.money_scope(["applicant.mobile", "subject.death_date"]) == "apply_follow"
    assert rules.money_scope(["bank.card_number"]) == "receive_money"
    assert rules.money_scope(["payee.has_card_account"]) == "receive_money"
    assert rules.money_scope(["family.dependants", "bank.bank_name"]) == "receive_money"
    assert rules.money_scope([]) == "apply_follow"


def test_expiry_is_the_end_of_the_last_day_in_china_and_at_most_ninety_days_ahead():
    today = date(2026, 12, 7)
    ends = rules.expiry_of(date(2026, 12, 10), today)
    assert ends == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)  # midnight after the 10th, China time
    assert rules.expiry_of(today + timedelta(days=rules.MAX_DAYS), today)
    for bad in (today, today - timedelta(days=1), today + timedelta(days=rules.MAX_DAYS + 1)):
        with pytest.raises(ValidationFailed) as refused:
            rules.expiry_of(bad, today)
        assert "expires_on" in refused.value.errors


def test_a_mandate_names_exactly_one_bundle_or_application():
    rules.check_target("after-death", None)
    rules.check_target(None, "A1")
    for bundle, number in ((None, None), ("after-death", "A1")):
        with pytest.raises(ValidationFailed):
            rules.check_target(bundle, number)
