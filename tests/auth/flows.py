"""The steps of a real login: the browser (a Flask test client) and the provider (over HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/130.0 Mobile Safari/537.36")


@dataclass
class Authorization:
    """What the provider sent back to the browser: the callback URL (path and query)."""

    authorize_url: str
    callback: str

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.callback).query).items()}


def start_login(browser: FlaskClient, next_url: str = "/") -> str:
    """The browser asks the BFF to sign in; returns the provider's authorization URL."""
    response = browser.get("/auth/login", query_string={"next": next_url}, headers={"User-Agent": PHONE_AGENT})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def choose_persona(authorize_url: str, persona: str) -> Authorization:
    """On the provider's real login page, click the persona's button."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    assert f'value="{persona}"' in page.text, f"{persona} is not offered on the login page"
    answer = requests.post(authorize_url, data={"persona": persona}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    return Authorization(authorize_url, f"{location.path}?{location.query}")


def return_to_bff(browser: FlaskClient, callback: str) -> TestResponse:
    return browser.get(callback, headers={"User-Agent": PHONE_AGENT})


def log_in(browser: FlaskClient, persona: str, next_url: str = "/") -> TestResponse:
    """The whole login in one browser: BFF → provider's page → persona → BFF callback."""
    authorization = choose_persona(start_login(browser, next_url), persona)
    return return_to_bff(browser, authorization.callback)
