import pytest

from bff.adapters.departments.signing import SignatureInvalid, sign, signed_headers, verify
from bff.adapters.departments.webhook import UnsafeDepartmentUrl, check_department_url
from bff.services.dispatch import retry_delay


def test_a_signed_message_verifies_and_yields_its_id() -> None:
    headers = signed_headers("s3cret", "msg-1", b'{"a":1}', now=1_000_000)
    assert verify("s3cret", headers, b'{"a":1}', now=1_000_010) == "msg-1"


def test_the_signature_covers_id_timestamp_and_body() -> None:
    headers = signed_headers("s3cret", "msg-1", b'{"a":1}', now=1_000_000)
    with pytest.raises(SignatureInvalid):
        verify("s3cret", headers, b'{"a":2}', now=1_000_000)
    with pytest.raises(SignatureInvalid):
        verify("s3cret", {**headers, "webhook-id": "msg-2"}, b'{"a":1}', now=1_000_000)
    with pytest.raises(SignatureInvalid):
        verify("another-department", headers, b'{"a":1}', now=1_000_000)


def test_an_old_timestamp_is_refused_even_when_correctly_signed() -> None:
    headers = signed_headers("s3cret", "msg-1", b"{}", now=1_000_000)
    with pytest.raises(SignatureInvalid):
        verify("s3cret", headers, b"{}", now=1_000_000 + 301)


def test_several_signatures_allow_rotating_the_secret() -> None:
    new = sign("new", "m", 5, b"{}")
    headers = {"webhook-id": "m", "webhook-timestamp": "5", "webhook-signature": f"v1,bogus {new}"}
    assert verify("new", headers, b"{}", now=5) == "m"


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    assert retry_delay(1, 10, 3600, rand=lambda: 1.0) == 10
    assert retry_delay(4, 10, 3600, rand=lambda: 1.0) == 80
    assert retry_delay(4, 10, 3600, rand=lambda: 0.0) == 40
    assert retry_delay(20, 10, 3600, rand=lambda: 1.0) == 3600


def test_department_urls_never_point_at_link_local_metadata() -> None:
    with pytest.raises(UnsafeDepartmentUrl):
        check_department_url("http://169.254.169.254/latest/meta-data")
    with pytest.raises(UnsafeDepartmentUrl):
        check_department_url("file:///etc/passwd")
    assert check_department_url("https://dept.example.gov.cn/hook")
