"""The SIP benchmark's figures: the printed table, the targets, the block in docs/performance.md."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.signaling.run import machine_facts, pct
from bench.sip.client import Stats

DOCS = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
TARGET_SETUPS = 100.0
TARGET_RINGING_P99_MS = 50.0
TARGET_PHONES = 5000


@dataclass
class Phase:
    name: str
    stats: Stats
    seconds: float
    cpu: dict[str, float]  # CPU seconds each server part used during the phase (service, kamailio, rtpengine)
    client_cpu: float
    retransmitted: dict[str, int] = field(default_factory=dict)  # method → requests the phones sent again

    def again_text(self) -> str:
        return ", ".join(f"{m} {n}" for m, n in sorted(self.retransmitted.items())) or "none"

    @property
    def rate(self) -> float:
        return self.stats.completed / self.seconds if self.seconds > 0 else 0.0

    def cpu_text(self) -> str:
        parts = [f"{name} {seconds / self.seconds * 100:.0f} %" for name, seconds in self.cpu.items()]
        return ", ".join([*parts, f"client {self.client_cpu / self.seconds * 100:.0f} %"]) + " of one core"


@dataclass
class Results:
    phases: dict[str, Phase] = field(default_factory=dict)
    rss_start: dict[str, float] = field(default_factory=dict)
    rss_registered: dict[str, float] = field(default_factory=dict)
    registered: int = 0
    bad_datagrams: int = 0
    client_failures: dict[str, int] = field(default_factory=dict)  # exceptions reading datagrams (client bugs)
    udp_errors: dict[str, int] = field(default_factory=dict)  # the namespace's UDP drops over the whole run
    load: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())


def _pp(values: list[float]) -> str:
    return f"{pct(values, 50):.1f} / {pct(values, 99):.1f}"


def _rss(values: dict[str, float]) -> str:
    return ", ".join(f"{name} {mib:.0f}" for name, mib in values.items()) + " MiB"


def checks_of(results: Results, args: argparse.Namespace) -> list[tuple[str, bool]]:
    rate, top = results.phases["open loop"], results.phases["max throughput"]
    return [
        (f"≥ {TARGET_SETUPS:.0f} SIP call setups/s", top.rate >= TARGET_SETUPS and top.stats.failed == 0),
        (
            f"p99 INVITE → 180 ≤ {TARGET_RINGING_P99_MS:.0f} ms at {args.rate:g} setups/s",
            pct(rate.stats.ringing, 99) <= TARGET_RINGING_P99_MS and rate.stats.failed == 0,
        ),
        (f"{TARGET_PHONES:,} registered phones", results.registered >= TARGET_PHONES),
    ]


def rows_of(results: Results, args: argparse.Namespace, backend: str) -> list[tuple[str, str]]:
    reg, rate, top = results.phases["register"], results.phases["open loop"], results.phases["max throughput"]
    per_1000 = {
        k: (results.rss_registered[k] - results.rss_start[k]) / max(1, results.registered) * 1000
        for k in results.rss_start
    }
    return [
        ("backend", backend),
        (
            "registrations/s",
            f"{reg.rate:.0f}  ({reg.stats.completed} of {args.phones} in {reg.seconds:.1f} s, "
            f"{args.register_concurrency} in flight, {reg.stats.failed} failed)",
        ),
        ("REGISTER → 200 (with the 401 round) p50 / p99", f"{_pp(reg.stats.registered)} ms"),
        ("registering: CPU", reg.cpu_text()),
        ("registering: requests retransmitted (no answer in T1…)", reg.again_text()),
        (
            "max throughput: call setups/s",
            f"{top.rate:.0f}  ({top.stats.completed} calls in {top.seconds:.1f} s, "
            f"{args.pairs} concurrent caller/callee pairs, {top.stats.failed} failed)",
        ),
        ("max throughput: INVITE → 180 p50 / p99", f"{_pp(top.stats.ringing)} ms"),
        ("max throughput: 200 read before its 180 (counted as INVITE → 200)", f"{top.stats.overtaken} calls"),
        ("max throughput: CPU", top.cpu_text()),
        ("max throughput: requests retransmitted", top.again_text()),
        (
            f"open loop {args.rate:g}/s: achieved",
            f"{rate.rate:.1f} setups/s ({rate.stats.completed} calls, {rate.stats.failed} failed, "
            f"hold {args.hold:g} s, start lag p99 {pct(rate.stats.lag, 99):.1f} ms)",
        ),
        (f"open loop {args.rate:g}/s: INVITE → 180 p50 / p99", f"{_pp(rate.stats.ringing)} ms"),
        (f"open loop {args.rate:g}/s: first INVITE (407 round) → 180 p50 / p99", f"{_pp(rate.stats.ringing_full)} ms"),
        (f"open loop {args.rate:g}/s: INVITE → 200 p50 / p99", f"{_pp(rate.stats.setup)} ms"),
        (f"open loop {args.rate:g}/s: BYE → 200 p50 / p99", f"{_pp(rate.stats.ended)} ms"),
        (f"open loop {args.rate:g}/s: 200 read before its 180", f"{rate.stats.overtaken} calls"),
        (f"open loop {args.rate:g}/s: CPU", rate.cpu_text()),
        (f"open loop {args.rate:g}/s: requests retransmitted", rate.again_text()),
        ("registered phones held", f"{results.registered:,} of {args.phones:,}"),
        (
            "UDP datagrams dropped in the namespace (whole run)",
            ", ".join(f"{k} {v}" for k, v in results.udp_errors.items()) or "?",
        ),
        ("memory (PSS) at start", _rss(results.rss_start)),
        ("memory (PSS) with the phones registered", _rss(results.rss_registered)),
        ("memory (PSS) per 1,000 registered phones", _rss(per_1000)),
    ]


def report(results: Results, args: argparse.Namespace, backend: str) -> tuple[str, list[tuple[str, bool]]]:
    checks = checks_of(results, args)
    rows = rows_of(results, args, backend)
    errors: dict[str, int] = {}
    for phase in results.phases.values():
        for key, value in phase.stats.errors.items():
            errors[key] = errors.get(key, 0) + value
    if errors:
        rows.append(("errors", ", ".join(f"{k}={v}" for k, v in sorted(errors.items()))))
    if results.bad_datagrams:
        rows.append(("unparsable datagrams", str(results.bad_datagrams)))
    if results.client_failures:
        failures = ", ".join(f"{k} ×{v}" for k, v in sorted(results.client_failures.items()))
        rows.append(("errors in the client (its own bug)", failures))
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    lines += [f"{'target'.ljust(width)}  {'MET' if ok else 'NOT MET'}: {name}" for name, ok in checks]
    return "\n".join(lines), checks


def markdown(
    results: Results, args: argparse.Namespace, backend: str, checks: list[tuple[str, bool]], command: str
) -> str:
    facts = machine_facts()
    before, after = results.load
    lines = [
        f"### {backend}",
        "",
        f"* command: `{command}`",
        f"* date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"* machine: `nproc` = {facts['nproc']}, {facts['cpu']}, Python {facts['python']}; load (1/5/15 min) "
        f"{' '.join(f'{v:.2f}' for v in before)} → {' '.join(f'{v:.2f}' for v in after)}",
        "",
        "| figure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows_of(results, args, backend)[1:]],
        "",
        "| target | met? |",
        "|---|---|",
        *[f"| {name} | {'yes' if ok else '**no**'} |" for name, ok in checks],
        "",
    ]
    return "\n".join(lines)


def update_docs(section: str, backend_key: str) -> None:
    """Replace this backend's generated block inside docs/performance.md (the rest is hand-written)."""
    begin, end = f"<!-- bench-sip:{backend_key}:begin -->", f"<!-- bench-sip:{backend_key}:end -->"
    block = f"{begin}\n{section}{end}"
    text = DOCS.read_text()
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        anchor = "<!-- bench-sip:results -->"
        text = text.replace(anchor, f"{anchor}\n\n{block}", 1) if anchor in text else text.rstrip() + f"\n\n{block}\n"
    DOCS.write_text(text)
