"""Notifications: telling residents what happened, on every channel.

- ``delivery``: the notify batch (outbox rows of topic ``notify`` → inbox entries → channels).
- ``channels``: Web Push to each device, SMS for those push cannot reach, retries.
- ``inbox``: the list behind the bell and its unread count.
- ``devices``: push subscriptions, and the VAPID key browsers subscribe with.
- ``preferences``: kinds, channels and quiet hours a resident chooses.
- ``live``: Server-Sent Events of a person's events, and their replay from the database.
"""
