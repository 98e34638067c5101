"""The hang-ups a node forwarded to the node holding their call, kept for a takeover (ADR 0013)."""

from __future__ import annotations

from datetime import UTC, datetime

from videophone.calling.services.signaling_adoption import KEEP_PER_CALL, KEEP_SECONDS, Forwarded, sent_at


def _item(call_id: str, kind: str = "hangup") -> dict[str, object]:
    return {"op": "event", "call_id": call_id, "from": [1, "d"], "kind": kind, "payload": {}, "sent_at": "x"}


def test_only_hangups_are_kept_and_given_once_to_a_new_owner() -> None:
    kept = Forwarded()
    kept.keep("dead", _item("c1", "ice"), 0.0)
    kept.keep("dead", _item("c1"), 1.0)
    assert kept.taken("c1", "dead") == []  # the same owner: it has them (and they are forgotten)
    kept.keep("dead", _item("c2"), 1.0)
    assert [i["kind"] for i in kept.taken("c2", "adopter")] == ["hangup"]
    assert kept.taken("c2", "adopter") == []


def test_old_ones_go_and_a_call_keeps_a_few() -> None:
    kept = Forwarded()
    kept.keep("dead", _item("old"), 0.0)
    for n in range(KEEP_PER_CALL + 5):
        kept.keep("dead", _item("busy"), KEEP_SECONDS + 1 + n)
    assert kept.taken("old", "adopter") == []
    assert len(kept.taken("busy", "adopter")) == KEEP_PER_CALL


def test_the_stamp_is_read_or_ignored() -> None:
    at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert sent_at({"sent_at": at.isoformat()}) == at
    assert sent_at({"sent_at": "not a time"}) is None and sent_at({}) is None


def test_a_hangup_is_forgotten_once_the_owner_ended_the_call_and_old_ones_go_first() -> None:
    kept = Forwarded()
    for n in range(1000):  # under load: each call's end confirmed by its owner right after
        kept.keep("owner", _item(f"c{n}"), float(n) / 100)
        kept.forget(f"c{n}")
    assert len(kept) == 0
    for n in range(10):  # unconfirmed ones: only the fresh stay
        kept.keep("dead", _item(f"u{n}"), n * KEEP_SECONDS / 4)
    assert len(kept) == 5
