"""Short, human names for the devices and places a session or QR ticket came from, and where
the pushes to a device may go."""

from __future__ import annotations

import ipaddress
import re

BROWSERS = (("MicroMessenger", "WeChat"), ("AlipayClient", "Alipay"), ("Edg/", "Edge"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("HarmonyOS", "HarmonyOS"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_user_agent(user_agent: str | None) -> str:
    """``Mozilla/5.0 (Linux; Android 14…) … Chrome/130…`` → ``Chrome on Android``."""
    agent = user_agent or ""
    browser = next((name for token, name in BROWSERS if token in agent), "")
    system = next((name for token, name in SYSTEMS if token in agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or (agent[:40] if agent else "unknown device")


def describe_address(address: str | None) -> str:
    """A coarse place from an IP address, never the whole address: ``203.0.113.*``."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".*"
    return ":".join(ip.exploded.split(":")[:3]) + ":*"


# --- Where pushes may go ----------------------------------------------------------------------
# A push endpoint is a URL the browser hands us and the worker POSTs to: left open, any resident
# could make the worker call any address it can reach. Only the browsers' own push services
# (plus hosts the deployment names) are accepted.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, most Chromium browsers
    "updates.push.services.mozilla.com",  # Firefox (autopush)
    "*.push.services.mozilla.com",
    "*.push.apple.com",  # Safari
    "*.notify.windows.com",  # Edge and the Windows push notification service
)
LOOPBACK_NAMES = ("localhost", "*.localhost")


def parse_hosts(text: str | None) -> frozenset[str]:
    """``"a.example, *.b.example"`` → the set of lower-case host patterns."""
    return frozenset(part.strip().lower() for part in (text or "").split(",") if part.strip())


def host_matches(host: str, pattern: str) -> bool:
    """``pattern`` is a host name, an address, or ``*.suffix`` (one label or more before the suffix)."""
    host, pattern = host.lower(), pattern.lower()
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and len(host) > len(suffix) and not host.startswith(".")
    return host == pattern


# scheme://authority[/path][?query]; the authority is host[:port] with no user name or password.
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?:[/?#].*)?", re.DOTALL)
# Host names in the plain letters, digits, dots and hyphens (no percent-encoding, no control
# characters that one URL parser drops and another keeps).
_AUTHORITY = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")


def endpoint_host(endpoint: str) -> tuple[str, str] | None:
    """(scheme, host) of an absolute URL, both lower-case (an IPv6 host without brackets); ``None``
    if it has none, a user name or password, a character a host name does not have, or a port
    that is not a number."""
    url = _URL.fullmatch(endpoint)
    authority = _AUTHORITY.fullmatch(url.group("authority")) if url else None
    if url is None or authority is None:
        return None
    return url.group("scheme").lower(), authority.group("host").strip("[]").lower()


def push_endpoint_allowed(endpoint: str, *, extra_hosts: frozenset[str] = frozenset(),
                          allow_http: bool = False) -> bool:
    """True if ``endpoint`` is an https URL (plain http only where ``allow_http``) of a known push
    service or of a host the deployment added; no user name or password in it."""
    parts = endpoint_host(endpoint)
    if parts is None:
        return False
    scheme, host = parts
    if scheme not in (("https", "http") if allow_http else ("https",)) or not host or host.endswith("."):
        return False
    return any(host_matches(host, pattern) for pattern in (*PUSH_SERVICE_HOSTS, *extra_hosts))


def is_loopback_host(pattern: str) -> bool:
    """True if a host pattern names this machine (an address of 127.0.0.0/8 or ::1, or localhost)."""
    if any(host_matches(pattern.removeprefix("*."), name) for name in LOOPBACK_NAMES):
        return True
    try:
        return ipaddress.ip_address(pattern.strip("[]")).is_loopback
    except ValueError:
        return False


# Ranges ``ipaddress`` calls global but no push service lives in.
_NOT_PUSH_SERVICES = (ipaddress.ip_network("64:ff9b:1::/48"), ipaddress.ip_network("2001::/23"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def push_address_allowed(address: str, *, loopback: bool = False) -> bool:
    """True if a push may be sent to ``address``: a public unicast address. Refused: private,
    loopback (unless ``loopback``), link-local (cloud metadata), shared (CGNAT, 100.64/10, where
    some clouds put theirs), multicast, reserved and unspecified ranges, in IPv4 and IPv6, and
    IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64, Teredo) judged by that address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return push_address_allowed(str(embedded), loopback=loopback)
        if any(ip in network for network in _NOT_PUSH_SERVICES):
            return False
    if ip.is_loopback:
        return loopback
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_link_local)
