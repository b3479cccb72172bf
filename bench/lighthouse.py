"""Lighthouse (mobile) against the local server with Debian's Chromium; prints the scores.

Usage: python -m bench.lighthouse [--path /] [--path /app/bundles/birth]
Goals: performance ≥ 95 and accessibility 100 on the home screen.

Lighthouse 12.8.2 (the last release for Node 20) is installed with npm into var/lighthouse on
first use; nothing is committed and no browser is downloaded (CHROME_PATH=/usr/bin/chromium).
The BFF runs under gunicorn + gevent on the bench database, as in `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.harness import ROOT, Server
from bench.run import REDIS_URL, prepare_database

LIGHTHOUSE_DIR = ROOT / "var" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def ensure_lighthouse() -> Path:
    if not LIGHTHOUSE.exists():
        if not shutil.which("npm"):
            raise SystemExit("bench.lighthouse needs Node.js and npm (apt-get install nodejs npm)")
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "lighthouse@12.8.2"],
                       cwd=LIGHTHOUSE_DIR, check=True)
    return LIGHTHOUSE


def audit(url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run([
            str(ensure_lighthouse()), url, "--quiet", "--form-factor=mobile", "--output=json",
            f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
            "--disable-component-update --no-first-run",
        ], env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=180)
        result = json.loads(report.read_text())
    scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    audits = result["audits"]
    scores["transfer KB"] = round(audits["total-byte-weight"]["numericValue"] / 1024, 1)
    scores["LCP ms"] = round(audits["largest-contentful-paint"]["numericValue"])
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", action="append", default=[])
    args = parser.parse_args()
    paths = args.path or ["/", "/app/bundles/birth"]
    database_url = prepare_database()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "ONETHING_LOG_LEVEL": "WARNING"}
    server = Server("wsgi:app", env)
    try:
        rows = [(path, audit(f"http://127.0.0.1:{server.port}{path}")) for path in paths]
    finally:
        server.stop()
    print("\nLighthouse 12.8.2, mobile, Debian Chromium, local gunicorn + gevent (goal: performance ≥ 95, "
          "accessibility 100)\n")
    header = ["path", *CATEGORIES, "transfer KB", "LCP ms"]
    print("  ".join(f"{h:>14}" for h in header))
    for path, scores in rows:
        print("  ".join([f"{path:>14}", *(f"{scores[h]:>14}" for h in header[1:])]))


if __name__ == "__main__":
    main()
