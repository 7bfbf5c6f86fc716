from __future__ import annotations

from datetime import timedelta

from esp_registry.notifications.delivery import retry_delay


def test_retries_wait_a_minute_then_double_up_to_an_hour():
    waits = [retry_delay(attempts) for attempts in range(1, 10)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_the_wait_stays_an_hour_however_many_tries():
    assert retry_delay(10_000) == timedelta(hours=1)


def test_jitter_only_ever_adds_a_little():
    assert retry_delay(1, jitter=0.1) == timedelta(seconds=66)
    assert retry_delay(7, jitter=0.05) == timedelta(minutes=63)
