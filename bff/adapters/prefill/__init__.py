"""Prefill sources: the built-in sample registry and the HTTP adapter, chosen by configuration.

``PREFILL_BACKEND`` (env ``ONETHING_PREFILL_BACKEND``) is ``sample`` (default) or
``http``; ``http`` needs ``PREFILL_URL`` and takes ``PREFILL_TIMEOUT`` (seconds,
default 2) and ``PREFILL_FAILURES_TO_OPEN`` / ``PREFILL_OPEN_SECONDS`` for the
circuit breaker. :func:`prefill_sources` builds the adapters once per app config.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bff.core.ports import PrefillSources


class PrefillConfigurationError(RuntimeError):
    """PREFILL_BACKEND names no adapter, or the http adapter has no PREFILL_URL."""


def build_prefill_sources(config: Mapping[str, Any]) -> PrefillSources:
    """The prefill sources the configuration selects."""
    backend = str(config.get("PREFILL_BACKEND") or "sample")
    if backend == "sample":
        from bff.adapters.prefill.sample import SampleRegistry

        registry = SampleRegistry()
        return PrefillSources(registry, registry, registry, registry, registry, registry, registry, name="sample",
                              real_estate=registry)
    if backend == "http":
        from bff.adapters.prefill.http import HttpPrefillClient

        url = str(config.get("PREFILL_URL") or "")
        if not url.startswith(("http://", "https://")):
            raise PrefillConfigurationError("PREFILL_BACKEND=http needs PREFILL_URL (http:// or https://)")
        client = HttpPrefillClient(url, timeout=float(config.get("PREFILL_TIMEOUT") or 2.0),
                                   failures_to_open=int(config.get("PREFILL_FAILURES_TO_OPEN") or 5),
                                   open_seconds=float(config.get("PREFILL_OPEN_SECONDS") or 30.0))
        return client.sources()
    raise PrefillConfigurationError(f"unknown PREFILL_BACKEND {backend!r}; use 'sample' or 'http'")
