"""Web Push: VAPID keys (:mod:`.vapid`) and the pywebpush sender (:mod:`.sender`)."""
