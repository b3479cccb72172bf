"""Bilingual user-facing text: zh-CN is the default, English the alternative."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"zh-CN": self.zh, "en": self.en}


def negotiate_language(accept_language: str | None, preferred: str | None = None) -> str:
    """The user's saved preference wins; else the first supported Accept-Language tag."""
    if preferred in LANGUAGES:
        return preferred  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-CN"
    return DEFAULT_LANGUAGE
