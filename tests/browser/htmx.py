"""Waiting for htmx to finish a swap before the next tap.

htmx wires up swapped-in content in its settle step (20 ms after the swap): until then a
form in the new content has no htmx handler, and a tap that fast submits it as a plain
form — a full page load. A person never taps that fast; a test does."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def settled(page: Page) -> None:
    """Return once no request is in flight and every swapped-in element is wired up."""
    expect(page.locator(".htmx-request, .htmx-added, .htmx-settling")).to_have_count(0)
