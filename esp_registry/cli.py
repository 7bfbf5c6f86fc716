"""Command-line tasks: `flask seed reference` and `flask seed demo`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from esp_registry.seeding import DEMO_PASSWORD, seed_demo, seed_reference

seed = AppGroup("seed", help="Load reference or demo data (safe to run twice).")


@seed.command("reference")
def reference_command() -> None:
    """Job families, the 52 state affiliates and the programs."""
    added = seed_reference()
    click.echo(f"Reference data loaded ({added} rows added).")


@seed.command("demo")
def demo_command() -> None:
    """Demo people for every role and offerings to click through."""
    accounts = seed_demo()
    click.echo("Demo accounts (password for all: " + DEMO_PASSWORD + "):")
    for account in accounts:
        click.echo(f"  {account.email:28} {DEMO_PASSWORD}  {account.name} - {account.roles}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed)
