"""Notification models: push subscriptions per device, the in-app inbox, preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bff.store.models import Base, BigId, utcnow


class PushSubscription(Base):
    """One device's Web Push subscription (the browser's endpoint and its encryption keys)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    device: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column()
    failure_count: Mapped[int] = mapped_column(default=0)

    def info(self) -> dict[str, Any]:
        return subscription_info(self.endpoint, self.p256dh, self.auth)


def subscription_info(endpoint: str, p256dh: str, auth: str) -> dict[str, Any]:
    """The ``subscription_info`` pywebpush takes."""
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


class Notification(Base):
    """An entry of the resident's in-app inbox; pushes and SMS refer to it by id."""

    __tablename__ = "notifications"
    # One entry per event and person: an application's event tells every active member of its family.
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),
                      UniqueConstraint("event_id", "user_id", name="uq_notifications_event_id_user_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    application_number: Mapped[str | None] = mapped_column(String(32))
    link: Mapped[str] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class NotificationPreference(Base):
    """A resident's choices: kinds, channels and quiet hours (China time); no row means defaults."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kinds: Mapped[list[Any]] = mapped_column()
    channels: Mapped[list[Any]] = mapped_column()
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
