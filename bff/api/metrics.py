"""``GET /metrics``: Prometheus's text exposition, for the monitoring system only."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, request

from auth.permissions import access
from bff import metrics
from bff.extensions import db, redis
from bff.services import monitoring

blp = Blueprint("metrics", __name__)


@blp.get("/metrics")
@access("monitoring")
def scrape() -> Response:
    """With ``METRICS_TOKEN`` set, only a request bearing it is answered (404 otherwise, so the
    endpoint is not advertised); production refuses to start without one."""
    token = current_app.config["METRICS_TOKEN"]
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(offered.encode(), token.encode()):
            abort(404)
    state = monitoring.snapshot(db.read_session, redis.client, current_app.config["RQ_QUEUE"])
    body = metrics.exposition([metrics.StateCollector(state)])
    return Response(body, mimetype=None, content_type=metrics.CONTENT_TYPE)
