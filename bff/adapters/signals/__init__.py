"""Life-event signal sources (``bff.core.ports.SourceOfSignals``): the demo world's and the HTTP feed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bff.core.ports import SourceOfSignals


def build_signal_source(config: Mapping[str, Any], ages: Sequence[int]) -> SourceOfSignals:
    """The source the configuration selects (``SIGNALS_BACKEND``: sample or http). ``ages`` are the
    ages some automatic item starts at (the sample sends an age signal for each)."""
    backend = str(config.get("SIGNALS_BACKEND") or "sample")
    if backend == "sample":
        from bff.adapters.prefill.sample import SampleRegistry
        from bff.adapters.signals.sample import SampleSignals

        return SampleSignals(SampleRegistry(), ages)
    if backend == "http":
        from bff.adapters.signals.http import HttpSignals

        url = str(config.get("SIGNALS_URL") or "")
        if not url.startswith(("http://", "https://")):
            raise ValueError("SIGNALS_BACKEND=http needs SIGNALS_URL (http:// or https://)")
        return HttpSignals(url, timeout=float(config.get("SIGNALS_TIMEOUT") or 5.0))
    raise ValueError(f"unknown SIGNALS_BACKEND {backend!r}; use 'sample' or 'http'")
