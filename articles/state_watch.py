"""Each process's copy of the page cache's state in Redis, told of every change over a
Redis channel, so that a page served from the cache costs no round trip for the state.

It speaks to Redis through a client of its own (redis-py, from REDIS_URL): the state
itself is stored and read through Django's cache by `articles.caching`, which hands the
watch the function that reads it. This module imports nothing of the project.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis

logger = logging.getLogger(__name__)

State = tuple[str, float | None]  # (token, next scheduled publication as a timestamp)


class StateWatch:
    """This process's copy of the page state in Redis, kept current without a round
    trip per request: every change is announced on a Redis channel this process
    subscribes to, and before the copy is used the announcements already delivered to
    this process's socket are read (a non-blocking read, no round trip). Any
    announcement, a lost subscription or a copy older than REFRESH_SECONDS makes it
    read the state from Redis again.

    Why no page is served stale: the writer announces after storing the new token and
    then waits for one more reply from Redis (PING), which Redis sends only after
    writing the announcement to every subscriber's socket. So once a change has
    returned, any process on this machine reads the announcement before serving its
    next page. On other machines it arrives as fast as the network carries it (well
    under a millisecond on a LAN), and REFRESH_SECONDS bounds the rest.
    """

    REFRESH_SECONDS = 1.0
    RETRY_SECONDS = 5.0
    TIMEOUT_SECONDS = 1.0

    def __init__(self, url: str, *, channel: str, read: Callable[[], State]):
        self.channel = channel
        self._read = read
        self._redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=self.TIMEOUT_SECONDS,
            socket_timeout=self.TIMEOUT_SECONDS,
        )
        self._lock = threading.RLock()  # reading the state may store a new token
        self._pubsub = None
        self._retry_at = 0.0
        self._copy: State | None = None
        self._copied_at = 0.0

    def state(self) -> State:
        """(token, next publication timestamp): the copy, unless it may be out of date."""
        with self._lock:
            if not self._listening() or self._announced():
                self._copy = None
            now = time.monotonic()
            if self._copy is None or now - self._copied_at >= self.REFRESH_SECONDS:
                self._copy, self._copied_at = self._read(), now
            return self._copy

    def announce(self) -> None:
        """Tell every process that the state changed (after it was stored)."""
        with self._lock:
            self._copy = None
        self._redis.publish(self.channel, b"1")
        # Two round trips on purpose, never one pipeline: PING is answered only once the
        # announcement has been written to every subscriber's socket.
        self._redis.ping()

    def _listening(self) -> bool:
        """Subscribed, or subscribing now (after a failure, once RETRY_SECONDS passed)."""
        if self._pubsub is not None:
            return True
        if time.monotonic() < self._retry_at:
            return False
        pubsub = None
        try:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=False)
            pubsub.subscribe(self.channel)
            # Only once Redis confirms the subscription is no announcement missed: the
            # state read after it is at least as new as any change not announced here.
            reply = pubsub.get_message(timeout=self.TIMEOUT_SECONDS)
            if not reply or reply.get("type") != "subscribe":
                raise ConnectionError("no subscription confirmed")
        except Exception:
            logger.warning("Could not listen for page changes; reading Redis each time")
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
            _close_quietly(pubsub)
            return False
        self._pubsub = pubsub
        self._copy = None  # read after the subscription, never before
        return True

    def _announced(self) -> bool:
        """Whether an announcement arrived since the last look (read without waiting)."""
        arrived = False
        try:
            while self._pubsub.get_message(timeout=0.0) is not None:
                arrived = True
        except Exception:
            logger.warning("Lost the page-change subscription; listening again")
            self._stop_listening()
            return True
        return arrived

    def close(self) -> None:
        """Stop listening and let go of every connection to Redis."""
        self._stop_listening()
        _close_quietly(self._redis)

    def _stop_listening(self) -> None:
        pubsub, self._pubsub, self._copy = self._pubsub, None, None
        _close_quietly(pubsub)


def _close_quietly(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except Exception:  # already broken: nothing left to release
            pass
