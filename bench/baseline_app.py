"""The baseline: a bare Flask app answering like /readyz does, without any work."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    return jsonify(status="ok", checks={"database": "ok", "migrations": "ok", "redis": "ok"})
