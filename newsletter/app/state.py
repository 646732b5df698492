"""What every page of the app shares: the list, the key, the limits, the mailer."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from newsletter.app.challenge import Verifier
from newsletter.app.limits import RateLimit, SharedRateLimit, used_once
from newsletter.app.pages import Pages
from newsletter.app.settings import AppSettings
from newsletter.deliver.audience.confirmations import ConfirmationMailer, ConfirmationTemplate
from newsletter.deliver.audience.welcome import WelcomeMessages
from newsletter.load import Project


@dataclass
class AppState:
    """Built once by :func:`newsletter.app.routes.create_app`."""

    engine: Engine
    project: Project
    key: bytes
    settings: AppSettings
    pages: Pages
    mailer: ConfirmationMailer | None = None
    confirmations: dict[str, ConfirmationTemplate] = field(default_factory=dict)
    """The confirmation e-mail per language, encoded once."""
    welcome: WelcomeMessages | None = None
    """The welcome e-mail after a confirmation (with sign-up only)."""
    verifier: Verifier = field(init=False)
    per_network: RateLimit = field(init=False)
    per_address: RateLimit = field(init=False)
    mails: RateLimit = field(init=False)
    without_work: RateLimit = field(init=False)
    expired_at: float = 0.0  # when pending sign-ups were last expired
    retrying: threading.Lock = field(default_factory=threading.Lock)
    """Held while queued requests are written (one writer of the queues at a time)."""

    def __post_init__(self) -> None:
        s = self.settings
        self.verifier = Verifier(self.key, s.pow_max_number,
                                 functools.partial(used_once, self.engine))
        # in the database: every process of `serve --workers N` draws on one budget
        shared = functools.partial(SharedRateLimit, self.engine, secret=self.key)
        self.per_network = shared("network", s.ip_burst, s.ip_per_hour)
        self.per_address = shared("address", s.address_burst, s.address_per_day / 24)
        self.mails = shared("mails", s.mails_per_hour, s.mails_per_hour)
        self.without_work = shared("nojs", s.nojs_per_hour, s.nojs_per_hour)

    @staticmethod
    def now() -> float:
        return time.time()
