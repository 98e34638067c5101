"""Call forwarding's rules (R-17, ``domain.forwarding``): the settings check and the diversion decision —
bounded, loop-free and never to a refused target, whatever the graph of rules (property tests)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from videophone.calling.domain import forwarding as fwd
from videophone.calling.domain.forwarding import Condition, Rule, RuleInput, Target, TargetKind

NUMBERS = [f"9510000{i:04d}" for i in range(8)]


def check(raw: RuleInput, *, own: str = "95100000000", known: bool = True, voicemail: bool = False) -> list[str]:
    _, errors = fwd.check_rule(raw, own_numbers={own}, number_known=known, has_voicemail=voicemail)
    return [f"{e.field}:{e.code}" for e in errors]


# -- settings -------------------------------------------------------------------------------------------------
def test_a_good_rule_is_accepted_with_the_default_delay() -> None:
    rule, errors = fwd.check_rule(
        RuleInput("no_answer", "number", "95100000001"),
        own_numbers={"95100000000"},
        number_known=True,
        has_voicemail=False,
    )
    assert errors == [] and rule == Rule(Condition.NO_ANSWER, TargetKind.NUMBER, "95100000001", fwd.DELAY_DEFAULT)


def test_bad_rules_are_refused_with_their_field() -> None:
    assert check(RuleInput("sometimes", "number", "95100000001")) == ["rules.0.condition:forwarding_condition_unknown"]
    assert check(RuleInput("busy", "fax", "95100000001")) == ["rules.busy.target:forwarding_target_unknown"]
    assert check(RuleInput("busy", "number", "")) == ["rules.busy.number:forwarding_number_required"]
    assert check(RuleInput("busy", "number", "95100000000")) == ["rules.busy.number:forwarding_number_own"]
    assert check(RuleInput("busy", "number", "95100000009"), known=False) == [
        "rules.busy.number:forwarding_number_unknown"
    ]
    assert check(RuleInput("busy", "voicemail")) == ["rules.busy.target:forwarding_voicemail_unavailable"]
    assert check(RuleInput("busy", "voicemail"), voicemail=True) == []
    assert check(RuleInput("no_answer", "number", "95100000001", 4)) == [
        "rules.no_answer.delay_seconds:forwarding_delay_range"
    ]
    assert check(RuleInput("no_answer", "number", "95100000001", 61)) == [
        "rules.no_answer.delay_seconds:forwarding_delay_range"
    ]
    assert check(RuleInput("no_answer", "number", "95100000001", 60)) == []
    assert check(RuleInput("busy", "number", "95100000001", 20)) == [
        "rules.busy.delay_seconds:forwarding_delay_only_no_answer"
    ]


def test_no_answer_timer() -> None:
    rules = {Condition.NO_ANSWER: Rule(Condition.NO_ANSWER, TargetKind.NUMBER, "1", 20)}
    assert fwd.no_answer_delay(rules, 45, voicemail=False) == 20
    assert fwd.no_answer_delay(rules, 15, voicemail=False) is None  # the normal timeout comes first
    assert fwd.no_answer_delay(rules, 15, voicemail=True) == 15  # then the mailbox takes it
    assert fwd.no_answer_delay({}, 45, voicemail=True) == 45
    assert fwd.no_answer_delay({}, 45, voicemail=False) is None


# -- the decision ---------------------------------------------------------------------------------------------
def to(number: str, condition: Condition = Condition.UNCONDITIONAL) -> dict[Condition, Rule]:
    return {condition: Rule(condition, TargetKind.NUMBER, number)}


def test_a_loop_back_to_a_party_stops() -> None:
    # A calls B, B forwards to A: A is already in the call.
    assert fwd.next_target(Condition.UNCONDITIONAL, ["A", "B"], to("A"), forwarding=True, voicemail=False) is None
    # A → B → C, C forwards back to B.
    assert fwd.next_target(Condition.UNCONDITIONAL, ["A", "B", "C"], to("B"), forwarding=True, voicemail=False) is None
    assert fwd.next_target(Condition.UNCONDITIONAL, ["A", "B"], to("C"), forwarding=True, voicemail=False) == Target(
        TargetKind.NUMBER, "C"
    )


def test_hops_are_bounded() -> None:
    chain = ["A", "B", "C", "D", "E"]  # three forwards already
    assert len(chain) - 2 == fwd.MAX_HOPS
    assert fwd.next_target(Condition.BUSY, chain, to("F", Condition.BUSY), forwarding=True, voicemail=False) is None


def test_without_the_feature_or_with_a_refused_target_no_forward() -> None:
    assert (
        fwd.next_target(Condition.BUSY, ["A", "B"], to("C", Condition.BUSY), forwarding=False, voicemail=False) is None
    )
    assert (
        fwd.next_target(
            Condition.BUSY, ["A", "B"], to("C", Condition.BUSY), forwarding=True, voicemail=False, refused={"C"}
        )
        is None
    )


def test_voicemail_by_rule_or_when_no_rule_applies() -> None:
    vm = {Condition.BUSY: Rule(Condition.BUSY, TargetKind.VOICEMAIL)}
    assert fwd.next_target(Condition.BUSY, ["A", "B"], vm, forwarding=True, voicemail=True) == Target(
        TargetKind.VOICEMAIL
    )
    # A voicemail rule without the voicemail feature does nothing.
    assert fwd.next_target(Condition.BUSY, ["A", "B"], vm, forwarding=True, voicemail=False) is None
    # No rule (or one refused): the callee's mailbox, for busy, no answer and unreachable — not at once.
    for condition in (Condition.BUSY, Condition.NO_ANSWER, Condition.UNREACHABLE):
        assert fwd.next_target(condition, ["A", "B"], {}, forwarding=False, voicemail=True) == Target(
            TargetKind.VOICEMAIL, by_rule=False
        )
    assert fwd.next_target(Condition.UNCONDITIONAL, ["A", "B"], {}, forwarding=True, voicemail=True) is None
    refused = fwd.next_target(
        Condition.BUSY, ["A", "B"], to("C", Condition.BUSY), forwarding=True, voicemail=True, refused={"C"}
    )
    assert refused == Target(TargetKind.VOICEMAIL, by_rule=False)


rule_graphs = st.dictionaries(
    st.sampled_from(NUMBERS),
    st.dictionaries(st.sampled_from(list(Condition)), st.sampled_from(NUMBERS), max_size=4),
    max_size=len(NUMBERS),
)


@settings(max_examples=400, deadline=None)
@given(
    graph=rule_graphs,
    caller=st.sampled_from(NUMBERS),
    callee=st.sampled_from(NUMBERS),
    conditions=st.lists(st.sampled_from(list(Condition)), min_size=1, max_size=12),
    refused=st.frozensets(st.sampled_from(NUMBERS), max_size=3),
)
def test_whatever_the_rules_a_call_is_forwarded_a_bounded_number_of_times_and_never_loops(
    graph: dict[str, dict[Condition, str]],
    caller: str,
    callee: str,
    conditions: list[Condition],
    refused: frozenset[str],
) -> None:
    """Follow the decision from party to party, under any condition at each step, as the hub does."""
    chain = [caller, callee]
    for condition in conditions:
        rules = {c: Rule(c, TargetKind.NUMBER, n) for c, n in graph.get(chain[-1], {}).items()}
        target = fwd.next_target(condition, chain, rules, forwarding=True, voicemail=False, refused=refused)
        if target is None:
            break
        assert target.kind is TargetKind.NUMBER
        assert target.number not in chain  # never back to a party already in the call
        assert target.number not in refused  # never to a blocked or barred target
        assert target.number == rules[condition].number  # only where the forwarder's rule says
        chain.append(target.number)
    assert len(chain) - 2 <= fwd.MAX_HOPS
    assert len(set(chain[1:])) == len(chain) - 1


@settings(max_examples=200, deadline=None)
@given(graph=rule_graphs, caller=st.sampled_from(NUMBERS), callee=st.sampled_from(NUMBERS))
def test_following_unconditional_rules_always_stops(
    graph: dict[str, dict[Condition, str]], caller: str, callee: str
) -> None:
    """However the unconditional rules point (cycles included), the chain ends within the bound."""
    chain = [caller, callee]
    steps = 0
    while True:
        rules = {c: Rule(c, TargetKind.NUMBER, n) for c, n in graph.get(chain[-1], {}).items()}
        target = fwd.next_target(Condition.UNCONDITIONAL, chain, rules, forwarding=True, voicemail=True)
        if target is None:
            break
        chain.append(target.number)
        steps += 1
        assert steps <= fwd.MAX_HOPS
