"""Virus scanners behind :class:`bff.core.ports.VirusScanner`, chosen by ``VIRUS_SCANNER``.

``none`` (the embedded default) accepts everything: a deployment names its own scanner. ``eicar``
refuses content carrying the EICAR anti-virus test signature, the industry's harmless test file,
so the refusal path can be exercised end to end without a real virus engine.
"""

from __future__ import annotations

from bff.core.ports import ScanResult, VirusScanner

# The EICAR test file's signature (68 bytes), as every scanner recognises it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class AcceptingScanner:
    name = "none"

    def scan(self, content: bytes) -> ScanResult:
        return ScanResult(True)


class EicarScanner:
    name = "eicar"

    def scan(self, content: bytes) -> ScanResult:
        if EICAR in content:
            return ScanResult(False, "EICAR-Test-File")
        return ScanResult(True)


def build_scanner(name: str) -> VirusScanner:
    scanners: dict[str, type[AcceptingScanner] | type[EicarScanner]] = {"none": AcceptingScanner, "eicar": EicarScanner}
    if name not in scanners:
        raise ValueError(f"unknown VIRUS_SCANNER {name!r}; use one of {', '.join(scanners)}")
    return scanners[name]()
