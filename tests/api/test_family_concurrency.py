"""Two family members submit the same bundle for the same person at the same moment: one wins."""

from __future__ import annotations

import threading
from typing import Any

from tests.api.application_helpers import start, submit
from tests.factories import create_user, sign_in


def test_two_relatives_submitting_for_the_same_deceased_at_once_make_exactly_one_application(app, client) -> None:
    assert app.extensions["db"].engine.dialect.name == "postgresql"  # the race is the real database's
    clients, drafts = {}, {}
    for key in ("chenming", "chenli"):
        client = app.test_client()  # the fixture made it send the CSRF header
        user = create_user(key)
        sign_in(app, client, user)
        clients[key], drafts[key] = client, start(client, "after-death", user_id=user.id)
    barrier = threading.Barrier(len(clients))
    answers: dict[str, Any] = {}

    def submit_at_once(key: str) -> None:
        barrier.wait()
        answers[key] = submit(clients[key], drafts[key]["number"])

    threads = [threading.Thread(target=submit_at_once, args=(key,)) for key in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [201, 409], {key: answer.json for key, answer in answers.items()}
    winner = next(key for key, answer in answers.items() if answer.status_code == 201)
    loser = next(key for key in answers if key != winner)
    refusal = answers[loser].json
    assert refusal["reason"] == "subject_already_applied"
    assert refusal["details"]["existing"]["number"] == drafts[winner]["number"]
    assert refusal["details"]["existing"]["lead_name"] == {"chenming": "陈明", "chenli": "陈丽"}[winner]
    kept = clients[loser].get(f"/api/v1/applications/{drafts[loser]['number']}").json
    assert kept["status"] == "draft" and kept["answers"] == drafts[loser]["answers"]
    lists = {key: client.get("/api/v1/applications").json["applications"] for key, client in clients.items()}
    assert [a["number"] for a in lists[winner]] == [drafts[winner]["number"]] and lists[loser] == []
    # The loser's retry with a fresh key is refused the same way (its first key was freed, nothing half done).
    assert submit(clients[loser], drafts[loser]["number"]).status_code == 409
