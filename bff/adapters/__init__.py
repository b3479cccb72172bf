"""Outside systems behind the ports of ``bff.core.ports``: prefill sources, department gateways,
Web Push and SMS. Each has a built-in implementation that is real for the embedded default."""
