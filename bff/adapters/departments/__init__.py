"""Department gateways: how a case reaches the department that handles it.

- :mod:`.webhook`: the department runs its own system; we POST signed JSON to it.
- :mod:`.workbench`: the department works in our officer workbench; delivery is a
  state change in our own database.
- :mod:`.signing`: the HMAC signature both directions use (ours and the callbacks).
"""
