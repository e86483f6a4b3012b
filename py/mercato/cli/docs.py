"""``mercato docs``: regenerate (or check) documentation that is derived from the database."""

from __future__ import annotations

from pathlib import Path

import click

from mercato.config import database_url, project_root


def _write_or_check(path: Path, text: str, check: bool, name: str) -> None:
    if check:
        current = path.read_text() if path.exists() else ""
        if current != text:
            raise click.ClickException(f"{path} is out of date: run `mercato docs {name}`")
        click.echo(f"{path} matches the database")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    click.echo(f"wrote {path}")


@click.group(name="docs")
def command() -> None:
    """Generate documentation from the deployed database."""


@command.command()
@click.option("--check", is_flag=True, help="Exit 1 if docs/errors.md differs from the database.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Default: docs/errors.md.")
def errors(check: bool, output: Path | None) -> None:
    """Write docs/errors.md from the error catalogue (core.error)."""
    from mercato.harness.docs import errors_markdown

    _write_or_check(output or project_root() / "docs" / "errors.md", errors_markdown(database_url()), check, "errors")


@command.command()
@click.option("--check", is_flag=True, help="Exit 1 if docs/api.md differs from the database.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Default: docs/api.md.")
def api(check: bool, output: Path | None) -> None:
    """Write docs/api.md from the api schema (functions, who may call them, their errors)."""
    from mercato.harness.docs import api_markdown

    _write_or_check(output or project_root() / "docs" / "api.md", api_markdown(database_url()), check, "api")
