"""Command line: ``videophone serve | db upgrade|backup|restore | keys | staff create | demo``."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from videophone.adapters.db.backup import hold_serving_lock
from videophone.adapters.db.migrate import upgrade
from videophone.bootstrap import Container, build
from videophone.common.deps import Actor
from videophone.config import Settings, SettingsError
from videophone.demo.people import DEMO_PASSWORD, TOUR_EMAIL
from videophone.kernel.errors import DomainError, ValidationFailed
from videophone.ops_cli import checked_settings as _settings
from videophone.ops_cli import db_backup, db_restore, keys_app

app = typer.Typer(help="videophone — video telephone service platform (可视电话业务)", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
sip_edge_app = typer.Typer(help="The SIP edge (Kamailio) of the SIP phones (ADR 0012).", no_args_is_help=True)
app.add_typer(sip_edge_app, name="sip-edge")
sip_media_app = typer.Typer(help="The media relay (rtpengine) of SIP calls (ADR 0012).", no_args_is_help=True)
app.add_typer(sip_media_app, name="sip-media")
app.add_typer(keys_app, name="keys")
db_app.command("backup")(db_backup)
db_app.command("restore")(db_restore)
console = Console()


def _container(settings: Settings) -> Container:
    return build(settings)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the database migrations."""
    settings = _settings()
    upgrade(settings.effective_database_url(), revision)
    console.print(f"database at [bold]{revision}[/bold]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port")] = None,
    migrate: Annotated[
        bool | None,
        typer.Option(
            "--migrate/--no-migrate",
            help="Upgrade the database first (default: VIDEOPHONE_MIGRATE_ON_START, true)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Upgrade the database (unless told not to) and serve the web portal, console and API."""
    import uvicorn

    from videophone.web.app import create_app

    settings = _settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    try:
        settings.check_tls()
    except SettingsError as exc:
        console.print(f"[red]配置错误 / configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    hold_serving_lock(settings.effective_database_url())  # `db restore` refuses while a serve holds it
    if settings.migrate_on_start if migrate is None else migrate:
        upgrade(settings.effective_database_url())  # under a lock: nodes starting at once take turns
    container = _container(settings)
    mode = "demo" if settings.demo else "production"
    console.print(f"videophone ({mode}) on [bold]{settings.effective_public_url()}[/bold]")
    uvicorn.run(
        create_app(container, run_jobs=True, freeze_heap=True),
        host=settings.host,
        port=settings.port,
        # Per-connection access/"connection open" lines cost CPU at thousands of devices; errors stay.
        log_level="warning",
        log_config=None,  # uvicorn's records go through adapters/logs.py like every other
        proxy_headers=True,
        # Signaling frames are small JSON; compression costs CPU per message and keeps zlib state
        # per connection (tens of thousands of idle devices per node).
        ws_per_message_deflate=False,
        # HTTPS straight from uvicorn (a browser gives the camera only to https or localhost).
        ssl_certfile=str(settings.tls_cert) if settings.tls_cert else None,
        ssl_keyfile=str(settings.tls_key) if settings.tls_key else None,
    )


@app.command()
def gateway(
    host: Annotated[str | None, typer.Option(help="Listen address")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port")] = None,
) -> None:
    """Serve the built-in payment gateway (its own process, port and store; R-23)."""
    import uvicorn

    from videophone.adapters.clock import OffsetFileClock, SystemClock
    from videophone.gateway.app import GatewayConfig, create_gateway_app

    settings = _settings()
    listen_host, listen_port = host or settings.gateway_host, port or settings.gateway_port
    config = GatewayConfig(
        merchants={settings.gateway_merchant_id: settings.effective_gateway_secret()},
        db_path=settings.data_dir / "gateway.sqlite3",
        clock=OffsetFileClock(settings.clock_file) if settings.clock_file else SystemClock(),
    )
    console.print(f"payment gateway on [bold]http://{listen_host}:{listen_port}[/bold]")
    uvicorn.run(create_gateway_app(config), host=listen_host, port=listen_port, log_level="warning", log_config=None)


def _render_edge(settings: Settings, out: Path) -> Path:
    """The edge's configuration rendered from the settings into ``out`` (or exit 2)."""
    from videophone.adapters.sip_edge import EdgeConfig, EdgeConfigError, render

    try:
        host, port = settings.sip_registrar_address()
        addresses = settings.sip_gateway_addresses()
        gateway = (settings.sip_gateway_host or addresses[0][0], addresses[0][1]) if addresses else None
        config = EdgeConfig(
            listen_host=host,
            listen_port=port,
            realm=settings.effective_sip_realm(),
            service_url=settings.sip_service_url or settings.effective_public_url(),
            edge_secret=settings.sip_edge_secret,
            rpc_url=settings.sip_edge_rpc_url,
            tls_cert=str(settings.sip_tls_cert.resolve()) if settings.sip_tls_cert else "",
            tls_key=str(settings.sip_tls_key.resolve()) if settings.sip_tls_key else "",
            tls_port=settings.sip_tls_port,
            gateway=gateway,
        )
        return render(config, out)
    except (SettingsError, EdgeConfigError) as exc:
        console.print(f"[red]配置错误 / configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


@sip_edge_app.command("render")
def sip_edge_render(
    out: Annotated[Path, typer.Option(help="Directory to write kamailio.cfg into")] = Path("var/sip-edge"),
) -> None:
    """Write the SIP edge's kamailio.cfg (and its settings) from the VIDEOPHONE_* settings."""
    cfg = _render_edge(Settings(), out)
    console.print(f"wrote [bold]{cfg}[/bold]")


@sip_edge_app.command("run")
def sip_edge_run(
    out: Annotated[Path, typer.Option(help="Directory to write kamailio.cfg into")] = Path("var/sip-edge"),
) -> None:
    """Render the configuration and run Kamailio in the foreground with it."""
    import os

    from videophone.adapters.sip_edge import command

    argv = command(_render_edge(Settings(), out))
    console.print(f"starting {' '.join(argv)}")
    os.execvp(argv[0], argv)  # noqa: S606 (Kamailio replaces this process, with our arguments only)


def _render_media(settings: Settings, out: Path) -> Path:
    """rtpengine's configuration rendered from the settings into ``out`` (or exit 2)."""
    from videophone.adapters.rtpengine_config import MediaConfig, MediaConfigError, parse_address, parse_ports, render

    try:
        low, high = parse_ports(settings.sip_media_ports)
        config = MediaConfig(parse_address(settings.sip_media_ng), settings.sip_media_interface, low, high)
        return render(config, out)
    except MediaConfigError as exc:
        console.print(f"[red]配置错误 / configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


@sip_media_app.command("render")
def sip_media_render(
    out: Annotated[Path, typer.Option(help="Directory to write rtpengine.conf into")] = Path("var/sip-media"),
) -> None:
    """Write rtpengine.conf from the VIDEOPHONE_SIP_MEDIA_* settings."""
    conf = _render_media(Settings(), out)
    console.print(f"wrote [bold]{conf}[/bold]")


@sip_media_app.command("run")
def sip_media_run(
    out: Annotated[Path, typer.Option(help="Directory to write rtpengine.conf into")] = Path("var/sip-media"),
) -> None:
    """Render the configuration and run rtpengine in the foreground (userspace only) with it."""
    import os

    from videophone.adapters.rtpengine_config import command

    argv = command(_render_media(Settings(), out))
    console.print(f"starting {' '.join(argv)}")
    os.execvp(argv[0], argv)  # noqa: S606 (rtpengine replaces this process, with our arguments only)


@staff_app.command("create")
def staff_create(
    username: Annotated[str, typer.Option(help="Login name")],
    role: Annotated[list[str], typer.Option(help="administrator | reviewer | billing | support | legal")],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a staff account (the first administrator is made this way)."""
    settings = _settings()
    upgrade(settings.effective_database_url())

    async def run() -> None:
        c = _container(settings)
        try:
            await c.ensure_reference_data()
            view = await c.staff.create(Actor.system(), username, name or username, password, role)
            console.print(f"created staff [bold]{view.username}[/bold] roles={','.join(view.roles)}")
        finally:
            await c.close()

    try:
        asyncio.run(run())
    except ValidationFailed as exc:
        for err in exc.errors:
            console.print(f"[red]{err.field}[/red]: {err.code} {dict(err.params) or ''}")
        raise typer.Exit(1) from exc


@app.command()
def demo() -> None:
    """Set up the demo operator: staff for every role, subscribers, and in a new database a few months
    of history — calls, bills paid and unpaid, a late fee, a dispute, a claim (idempotent)."""
    from videophone.demo.setup import set_up

    settings = _settings()
    if not settings.demo:
        console.print("[red]`videophone demo` only runs in demo mode (VIDEOPHONE_DEMO=true).[/red]")
        raise typer.Exit(2)
    upgrade(settings.effective_database_url())
    try:
        done = asyncio.run(set_up(settings))
    except DomainError as exc:
        console.print(f"[red]demo set-up failed:[/red] {exc.code}")
        raise typer.Exit(1) from exc
    url = settings.effective_public_url()
    table = Table(title=f"videophone demo — password for every login: {DEMO_PASSWORD}")
    table.add_column("where")
    table.add_column("login")
    table.add_column("who / roles")
    for where, login, who in done.logins:
        table.add_row(f"{url}/console/login" if where == "console" else f"{url}/login", login, who)
    console.print(table)
    if done.history is not None:
        console.print(
            f"history seeded: {done.history.calls} calls, {done.history.payments} payments; "
            f"the README tour logs in as {TOUR_EMAIL} (a bill to pay, a late fee, a dispute)"
        )
    console.print(f"portal: {url}/   console: {url}/console   API docs: {url}/docs   today: {date.today()}")


# -- billing (R-22) ---------------------------------------------------------------------------------------
billing_app = typer.Typer(help="Rating and the monthly bill run.", no_args_is_help=True)
app.add_typer(billing_app, name="billing")


def _billing(action: str, period: str) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    settings = _settings()
    upgrade(settings.effective_database_url())

    async def run() -> Mapping[str, object]:
        c = _container(settings)
        try:
            await c.ensure_reference_data()
            if action == "rate":
                return await c.rating.rate_period(period)
            with Progress(
                TextColumn("[bold]bill run {task.fields[period]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as bar:
                task = bar.add_task("bills", total=None, period=period)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                summary = await c.billing.run(period, actor=Actor.system(), progress=progress)
            return summary.to_dict()
        finally:
            await c.close()

    try:
        result = asyncio.run(run())
    except ValidationFailed as exc:
        for err in exc.errors:
            console.print(f"[red]{err.field}[/red]: {err.code}")
        raise typer.Exit(1) from exc
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    table = Table(title=f"billing {action} {period}")
    table.add_column("")
    table.add_column("")
    for key, value in result.items():
        table.add_row(key, str(value))
    console.print(table)


@billing_app.command("run")
def billing_run(period: Annotated[str, typer.Option(help="The month to bill, YYYY-MM (must have ended)")]) -> None:
    """Bill every account of the period that has no bill yet (safe to run again)."""
    _billing("run", period)


@billing_app.command("rate")
def billing_rate(period: Annotated[str, typer.Option(help="The month to rate, YYYY-MM")]) -> None:
    """Rate every call of the period again (idempotent)."""
    _billing("rate", period)


# -- scheduled jobs --------------------------------------------------------------------------------------
jobs_app = typer.Typer(help="The scheduled jobs (they also run inside `serve`).", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


@jobs_app.command("list")
def jobs_list() -> None:
    """The jobs `serve` runs (once per cluster), how often, their last run and the next."""
    from videophone.jobs.scheduler import reports

    settings = _settings()
    upgrade(settings.effective_database_url())

    async def run() -> list[Any]:
        c = _container(settings)
        try:
            return await reports(c)
        finally:
            await c.close()

    try:
        found = asyncio.run(run())
    except Exception as exc:
        console.print(
            f"[red]the jobs' record could not be read ({type(exc).__name__}); is the database upgraded?[/red]"
        )
        raise typer.Exit(1) from exc
    table = Table(title="jobs (times in UTC)")
    table.add_column("name", no_wrap=True)
    table.add_column("every (s)")
    table.add_column("last run")
    table.add_column("node", overflow="ellipsis", max_width=16)
    table.add_column("result", overflow="ellipsis", max_width=40)
    table.add_column("next run")
    for report in found:
        state = report.state
        if state is None or state.started_at is None:
            last, node, result = "never", "", ""
        else:
            last, node = _when(state.finished_at or state.started_at), state.node
            outcome = {True: "ok", False: "FAILED", None: ""}[state.ok]
            result = f"{outcome} {state.result}".strip()
        nxt = (
            f"running (lease until {_when(state.lease_until)})" if report.running and state else _when(report.next_run)
        )
        table.add_row(report.job.name, f"{report.job.interval:g}", last, node, result, nxt)
    console.print(table)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


@jobs_app.command("run")
def jobs_run(name: Annotated[str, typer.Argument(help="A job name from `videophone jobs list`")]) -> None:
    """Run one job once now, unless a node is running it (its lease); the run is recorded like a node's."""
    import os
    import socket

    from videophone.jobs.scheduler import JOBS, Ran, Scheduler

    job = next((j for j in JOBS if j.name == name), None)
    if job is None:
        console.print(f"[red]unknown job {name!r}[/red]; known: {', '.join(j.name for j in JOBS)}")
        raise typer.Exit(2)
    settings = _settings()
    upgrade(settings.effective_database_url())

    async def run() -> Ran | None:
        c = _container(settings)
        try:
            await c.ensure_reference_data()
            scheduler = Scheduler(c, [job], node=f"cli-{socket.gethostname()}-{os.getpid()}")
            return await scheduler.run_once(job, due_only=False)
        finally:
            await c.close()

    ran = asyncio.run(run())
    if ran is None:
        console.print(f"[red]{name} is running on another node now[/red] (`videophone jobs list` says where)")
        raise typer.Exit(1)
    if not ran.ok:
        console.print(f"[red]{name} failed[/red] (the log and `videophone jobs list` say why)")
        raise typer.Exit(1)
    console.print({"job": name, "result": ran.result})


if __name__ == "__main__":
    app()
