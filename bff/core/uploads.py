"""What an uploaded document may be: PDF, JPEG or PNG, recognised by its first bytes, and no larger
than the configured limit. Pure rules (no IO); the storage and the scanner are ports.

The declared content type, the file name's extension and the bytes must all say the same thing:
a PNG named ``.pdf``, or a page of HTML sent as ``application/pdf``, is refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass

from bff.core.errors import DomainError, ValidationFailed
from bff.core.text import Text

# content type -> (leading bytes, the extensions a file of that type may carry)
KINDS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
ALLOWED = tuple(KINDS)

NOT_ALLOWED = Text("只能上传 PDF、JPG 或 PNG 文件。", "Only PDF, JPG or PNG files can be uploaded.")
MISMATCH = Text("文件内容与其类型或扩展名不符，请上传原始的 PDF、JPG 或 PNG 文件。",
                "The file is not what its type or name says; upload the original PDF, JPG or PNG.")
EMPTY = Text("文件是空的。", "The file is empty.")
INFECTED = Text("文件未通过安全检查，未被保存。", "The file did not pass the security check and was not stored.")


class TooLarge(DomainError):
    """413: the upload is over the limit (the message names it)."""

    code = "upload_too_large"


def too_large(limit_bytes: int) -> TooLarge:
    size = f"{limit_bytes // (1024 * 1024)} MB" if limit_bytes >= 1024 * 1024 else f"{max(1, limit_bytes // 1024)} KB"
    return TooLarge(Text(f"文件太大，最大 {size}。", f"The file is too large; the limit is {size}."))


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str


def sniff(content: bytes) -> str | None:
    """The content type the bytes themselves announce (PDF, JPEG or PNG), else ``None``."""
    return next((kind for kind, (magic, _) in KINDS.items() if content.startswith(magic)), None)


def check_upload(content: bytes, declared_type: str | None, filename: str | None, limit_bytes: int) -> Checked:
    """Refuse an empty, oversized, unknown or mislabelled file; return what it is."""
    if len(content) > limit_bytes:
        raise too_large(limit_bytes)
    if not content:
        raise ValidationFailed(EMPTY, code="upload_empty", errors={"file": [EMPTY]})
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in KINDS:
        raise ValidationFailed(NOT_ALLOWED, code="upload_type_not_allowed", errors={"file": [NOT_ALLOWED]})
    extension = "." + (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    actual = sniff(content)
    if actual != declared or extension not in KINDS[declared][1]:
        raise ValidationFailed(MISMATCH, code="upload_mismatch", errors={"file": [MISMATCH]})
    return Checked(declared, extension)
