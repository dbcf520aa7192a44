"""The ``schemabot`` command: serve, worker, check-config, migrate (``lint`` and ``rules`` are
dispatched earlier, by ``app.entry``, without importing this module)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from app.config import Config

__all__ = ["main"]

#: Exit code for a config file that cannot be used (bad usage, as for any CLI).
EXIT_CONFIG = 2

cli = typer.Typer(
    name="schemabot",
    help="GitOps for database migrations: lint on review, roll out on merge.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        envvar="SCHEMABOT_CONFIG",
        help="The server config file (TOML). Default: $SCHEMABOT_CONFIG.",
        dir_okay=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        from app import __version__

        typer.echo(f"schemabot {__version__}")
        raise typer.Exit()


@cli.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """schemabot."""


def _fail_config(message: str, problems: list[str]) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    for problem in problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(EXIT_CONFIG)


def _load(config: Path | None) -> Config:
    from app.config import ConfigError, load_config

    if config is None:
        _fail_config("no config file: pass --config FILE or set SCHEMABOT_CONFIG", [])
    try:
        return load_config(config)
    except ConfigError as error:
        _fail_config(f"{error.path} is not a valid schemabot config:", error.problems)


def _logging() -> None:
    from app.logs import configure_logging
    from app.settings import Settings

    settings = Settings()
    configure_logging(level=settings.log_level, json=settings.log_format == "json")


@cli.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[
        str, typer.Option(envvar="SCHEMABOT_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="SCHEMABOT_PORT", help="Port to listen on.")] = 8080,
) -> None:
    """Start the service: webhooks, API, dashboard, and the in-process queue if no Redis."""
    import uvicorn

    from app.api import create_app

    loaded = _load(config)
    _logging()
    uvicorn.run(
        create_app(loaded),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(loaded.server.shutdown_grace.total_seconds()) + 5,
    )


@cli.command()
def worker(
    config: ConfigOption = None,
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty.")] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            envvar="SCHEMABOT_WORKER_METRICS_PORT",
            help="Serve this worker's Prometheus metrics (jobs by kind and outcome) on this port.",
        ),
    ] = None,
) -> None:
    """Run an arq worker on the configured Redis (needs server.redis_url)."""
    loaded = _load(config)
    if not loaded.server.redis_url:
        _fail_config(
            "server.redis_url is empty: jobs run inside `schemabot serve`; a worker needs Redis",
            [],
        )
    _logging()
    from app.queue.arq_worker import create_worker

    if metrics_port is not None:
        # Job metrics live in the worker process: the API's /metrics cannot see them.
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="0.0.0.0")  # noqa: S104 - scraped from the pod network
    create_worker(loaded, burst=burst).run()


@cli.command("check-config")
def check_config(config: ConfigOption = None) -> None:
    """Validate the config file and print what it sets up (secrets masked)."""
    loaded = _load(config)
    from app.dsn import masked

    typer.echo(f"config OK: {config}")
    typer.echo(f"  state: {masked(loaded.server.state_url)}")
    queue = f"arq on {masked(loaded.server.redis_url)}" if loaded.server.redis_url else "in-process"
    typer.echo(f"  queue: {queue}")
    for name, forge in (("github", loaded.forges.github), ("gitlab", loaded.forges.gitlab)):
        state = "enabled" if forge.enabled else f"disabled ({forge.disabled_reason})"
        typer.echo(f"  forge {name}: {state}")
    for repository in loaded.repositories:
        typer.echo(
            f"  repository {repository.forge}:{repository.name} ({repository.dialect},"
            f" {repository.migrations}/, deploys {repository.deploy_branch})"
        )
        for environment in repository.environments:
            gate = " approval" if environment.approval else ""
            typer.echo(f"    -> {environment.name}: {environment.display_url}{gate}")


@cli.command(
    "migrate",
    add_help_option=False,
    # Everything after `migrate` goes to the runner's own argparse command line, --help too.
    context_settings={
        "allow_extra_args": True,
        "ignore_unknown_options": True,
        "help_option_names": [],
    },
)
def migrate(context: typer.Context) -> None:
    """Apply, inspect and repair migrations by hand."""
    # `schemabot migrate ...` normally never gets here: app.entry dispatches it before typer is
    # imported. This command lists it in `schemabot --help` and serves callers of `run`.
    from app.migrations.command import main as migrate_main

    raise typer.Exit(migrate_main(context.args))


def run(args: list[str]) -> None:
    cli(args=args, prog_name="schemabot")


def main(argv: list[str] | None = None) -> None:
    from app.entry import main as entry_main

    entry_main(argv)


if __name__ == "__main__":
    main()
