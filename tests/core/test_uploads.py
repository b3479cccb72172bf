"""What an upload may be: PDF, JPEG or PNG by its bytes, its type and name agreeing, within the limit."""

from __future__ import annotations

import pytest

from bff.core import uploads as rules
from bff.core.errors import ValidationFailed

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.mark.parametrize(("content", "kind"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
                                               (b"<html>", None), (b"", None)])
def test_the_bytes_say_what_a_file_is(content, kind):
    assert rules.sniff(content) == kind


@pytest.mark.parametrize(("content", "declared", "name"), [(PDF, "application/pdf", "证书.PDF"),
                                                           (JPEG, "image/jpeg", "scan.jpeg"), (JPEG, "image/jpeg", "a.jpg"),
                                                           (PNG, "image/png; charset=binary", "photo.png")])
def test_a_file_whose_bytes_type_and_name_agree_passes(content, declared, name):
    assert rules.check_upload(content, declared, name, 1024).content_type == declared.split(";")[0]


@pytest.mark.parametrize(("content", "declared", "name", "code"), [
    (PNG, "application/pdf", "certificate.pdf", "upload_mismatch"),  # a picture sent as a PDF
    (PDF, "application/pdf", "certificate.png", "upload_mismatch"),  # the name says otherwise
    (PDF, "application/pdf", "certificate", "upload_mismatch"),  # no extension at all
    (b"<html><script>", "application/pdf", "x.pdf", "upload_mismatch"),
    (b"MZ\x90\x00", "application/x-msdownload", "x.exe", "upload_type_not_allowed"),
    (PDF, None, "x.pdf", "upload_type_not_allowed"),
    (b"", "application/pdf", "x.pdf", "upload_empty"),
])
def test_a_file_that_is_not_what_it_says_is_refused_with_a_clear_message(content, declared, name, code):
    with pytest.raises(ValidationFailed) as raised:
        rules.check_upload(content, declared, name, 1024)
    assert raised.value.code == code and "file" in raised.value.errors


def test_a_file_over_the_limit_names_the_limit():
    with pytest.raises(rules.TooLarge) as raised:
        rules.check_upload(PDF + b"x" * 2048, "application/pdf", "x.pdf", 1024)
    assert raised.value.message.zh == "文件太大，最大 1 KB。"
    assert rules.too_large(10 * 1024 * 1024).message.en == "The file is too large; the limit is 10 MB."
