"""/metrics: what the deployment's monitoring scrapes, and the alert rules that read it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from bff.app import create_app
from bff.extensions import db, redis
from bff.services import monitoring
from bff.store.models import OutboxMessage, utcnow
from tests.conftest import ApiClient, _reset

ROOT = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_a_scrape_reports_request_latency_by_route_and_the_state_of_the_deployment(app, client):
    assert client.get("/api/v1/bundles/birth").status_code == 200
    db.session.add_all([OutboxMessage(topic="notify", payload={}, next_attempt_at=utcnow() - timedelta(seconds=90)),
                        OutboxMessage(topic="notify", payload={}),
                        OutboxMessage(topic="later", payload={}, next_attempt_at=utcnow() + timedelta(hours=1)),
                        OutboxMessage(topic="case.submitted", payload={}, status="dead")])
    db.session.commit()
    redis.client.hset("circuit:hrss", mapping={"failures": 5, "open_until": time.time() + 30})
    monitoring.beat(redis.client, "worker", "w1")
    monitoring.count_push_outcomes(redis.client, {"delivered": 3, "failed": 1, "gone": 0})
    redis.client.rpush(f"rq:queue:{app.config['RQ_QUEUE']}", "job-a", "job-b")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    found = samples(response.get_data(as_text=True))
    route = (("method", "GET"), ("route", "/api/v1/bundles/<string:code>"), ("status", "200"))
    assert found[("onething_http_request_duration_seconds_count", route)] >= 1
    assert found[("onething_outbox_backlog", (("topic", "notify"),))] == 2  # the scheduled row is not due
    assert found[("onething_outbox_oldest_age_seconds", (("topic", "notify"),))] >= 89
    assert found[("onething_outbox_dead", (("topic", "case.submitted"),))] == 1
    assert found[("onething_department_circuit_open", (("department", "hrss"),))] == 1
    assert 0 <= found[("onething_heartbeat_age_seconds", (("process", "worker:w1"),))] < 5
    assert found[("onething_push_total", (("outcome", "delivered"),))] == 3
    assert found[("onething_push_total", (("outcome", "failed"),))] == 1
    assert found[("onething_rq_queue_depth", ())] == 2
    assert found[("onething_redis_up", ())] == 1


def test_with_a_token_only_the_monitoring_system_gets_the_metrics(base_config):
    app = create_app({**base_config, "METRICS_TOKEN": "a-long-monitoring-token"})
    app.test_client_class = ApiClient
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token-of-same"}).status_code == 404
    scraped = client.get("/metrics", headers={"Authorization": "Bearer a-long-monitoring-token"})
    assert scraped.status_code == 200 and b"onething_outbox_backlog" in scraped.data
    with app.app_context():
        _reset(app)


def test_under_gunicorn_multiprocess_mode_a_scrape_sums_what_every_worker_process_counted(base_config, tmp_path):
    """Two processes count requests into one directory; a scrape from a third sums them."""
    script = (
        "import json, sys\n"
        "from bff.app import create_app\n"
        "app = create_app(json.loads(sys.argv[1]))\n"
        "client = app.test_client()\n"
        "if sys.argv[2] == 'count':\n"
        "    assert client.get('/api/v1/categories').status_code == 200\n"
        "else:\n"
        "    sys.stdout.write(client.get('/metrics').get_data(as_text=True))\n")
    import json

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    config = json.dumps(base_config)
    for _ in range(2):
        subprocess.run([sys.executable, "-c", script, config, "count"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    scraped = subprocess.run([sys.executable, "-c", script, config, "scrape"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
    found = samples(scraped)
    route = (("method", "GET"), ("route", "/api/v1/categories"), ("status", "200"))
    assert found[("onething_http_request_duration_seconds_count", route)] == 2


def test_every_alert_rule_is_well_formed_and_reads_only_metrics_the_bff_exports(client):
    rules = yaml.safe_load((ROOT / "deploy" / "alerts.yml").read_text(encoding="utf-8"))
    exported = {family.name for family in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))}
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    anchors = {re.sub(r"[^a-z0-9 -]", "", line[4:].strip().lower()).replace(" ", "-")
               for line in operations.splitlines() if line.startswith("### ")}
    [group] = rules["groups"]
    assert len(group["rules"]) >= 8
    for rule in group["rules"]:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in ("page", "ticket")
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["runbook"].split("#")[1] in anchors, rule["annotations"]["runbook"]
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["expr"].count("(") == rule["expr"].count(")")
        for name in re.findall(r"onething_[a-z_]+", rule["expr"]):
            base = re.sub(r"_(bucket|count|sum|total)$", "", name)
            assert base in exported, f"{rule['alert']} reads {name}, which nothing exports"
