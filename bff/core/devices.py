"""Short, human names for the devices and places a session or QR ticket came from."""

from __future__ import annotations

import ipaddress

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
