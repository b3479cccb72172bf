"""The development provider's pages: the persona chooser and plain notices (zh-CN and English)."""

from __future__ import annotations

import html
from typing import Any


def login_page(personas: list[dict[str, Any]], query_string: str) -> str:
    """The persona chooser: one button per persona, plus cancel; posts back to the same URL."""
    buttons = "".join(_persona_button(p) for p in personas)
    body = (f'<form method="post" action="?{html.escape(query_string)}">'
            f'<ul class="personas">{buttons}</ul>'
            '<button type="submit" name="persona" value="__deny__" class="deny">取消 · Cancel</button></form>')
    return page("选择登录身份 · Choose who to sign in as", body)


def _persona_button(persona: dict[str, Any]) -> str:
    roles = " / ".join(persona.get("roles") or ["resident"])
    department = f" · {html.escape(persona['department'])}" if persona.get("department") else ""
    return (f'<li><button type="submit" name="persona" value="{html.escape(persona["sub"])}" '
            f'data-persona="{html.escape(persona["sub"])}">'
            f'<strong lang="zh-CN">{html.escape(persona["name"])}</strong> '
            f'<span lang="en">{html.escape(persona.get("name_en", ""))}</span><br>'
            f'<small lang="zh-CN">{html.escape(persona.get("description_zh", ""))}</small> · '
            f'<small lang="en">{html.escape(persona.get("description_en", ""))}</small> '
            f'<small>({html.escape(roles)}{department})</small></button></li>')


STYLE = ("body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}"
         ".personas{list-style:none;padding:0}.personas button{width:100%;text-align:left;padding:.75rem;"
         "margin:.25rem 0;font-size:1rem;cursor:pointer}.deny{margin-top:1rem}"
         ".banner{background:#fff3cd;padding:.5rem;border:1px solid #e0c46c}")


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            '<p class="banner">开发用身份提供方，仅供演示 · Development identity provider, for demonstration only</p>'
            f"{body}</body></html>")
