"""The relying party's ID-token checks, with tokens signed by the running provider's own key."""

from __future__ import annotations

import threading
import time

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from auth.oidc import LoginFailed
from auth.qr import QrError


def signed_by(provider, claims, key=None):
    keys = provider.app.extensions["devidp"].keys
    signing = key or keys.keys[0]
    return jwt.encode({"alg": "RS256", "kid": signing.kid}, claims, signing)


def good_claims(app, **changes):
    now = int(time.time())
    claims = {"iss": app.config["OIDC_ISSUER"], "aud": [app.config["OIDC_CLIENT_ID"]], "sub": "zhangwei",
              "iat": now, "exp": now + 300, "nonce": "the-nonce"}
    return {**claims, **changes}


def validate(app, token, nonce="the-nonce"):
    return app.extensions["oidc"].validate_id_token({"id_token": token}, nonce)


def test_a_well_formed_id_token_from_the_provider_is_accepted(app, provider):
    assert validate(app, signed_by(provider, good_claims(app)))["sub"] == "zhangwei"


@pytest.mark.parametrize(("changes", "reason"), [
    ({"iss": "https://login.somewhere-else.example"}, "issuer_mismatch"),
    ({"aud": ["another-client"]}, "id_token_invalid"),
    ({"exp": int(time.time()) - 3600}, "id_token_invalid"),
    ({"nonce": "a-different-nonce"}, "nonce_mismatch"),
])
def test_an_id_token_with_a_wrong_claim_is_refused(app, provider, changes, reason):
    token = signed_by(provider, good_claims(app, **changes))

    with pytest.raises(LoginFailed) as refused:
        validate(app, token)

    assert refused.value.reason == reason


def test_an_id_token_without_a_nonce_is_refused(app, provider):
    claims = good_claims(app)
    del claims["nonce"]

    with pytest.raises(LoginFailed) as refused:
        validate(app, signed_by(provider, claims))

    assert refused.value.reason == "nonce_mismatch"


def test_an_id_token_signed_by_a_key_the_provider_does_not_publish_is_refused(app, provider):
    stranger = RSAKey.generate_key(2048, private=True)
    stranger.ensure_kid()

    with pytest.raises(LoginFailed) as refused:
        validate(app, signed_by(provider, good_claims(app), key=stranger))

    assert refused.value.reason == "id_token_invalid"
    assert stranger.kid not in str(provider.app.extensions["devidp"].public_jwks())


def test_racing_kiosks_consume_an_approved_ticket_exactly_once(app):
    tickets = app.extensions["qr_tickets"]
    ticket, secret = tickets.create(ip="203.0.113.9", device="kiosk", place="hall")
    tickets.scan(ticket.id, user_id=1)
    tickets.approve(ticket.id, user_id=1, match=ticket.match_code)
    outcomes: list[str] = []

    def take() -> None:
        try:
            tickets.consume(ticket.id, secret)
            outcomes.append("consumed")
        except QrError as error:
            outcomes.append(error.reason)

    racers = [threading.Thread(target=take) for _ in range(12)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    assert sorted(outcomes) == ["already_used"] * 11 + ["consumed"]
