"""What a plugin declares about a process type: its states, transitions, deadlines and forms.

A plugin returns :class:`ProcessType` values from ``quntuan_process_types``; the core checks them once
at start-up (:func:`check_process_type`) and runs every instance with one state machine. A plugin never
writes a state machine of its own: it names states and transitions, who may take each, and optional
``validate``/``after`` callables that run inside the transition's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import msgspec

from core.kernel.i18n import Text

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

#: What happens when a deadline passes: take a transition, escalate to the parent org, or remind.
DeadlineAction = Literal["transition", "escalate", "remind"]
#: Who handles the process after a transition: the same org, its parent (上报), the home org again, or
#: the org a field of the applicant's form names (``handler_field``: a transfer's receiving org), or
#: the org a field of the step's own form names (``step``: a dispatch names the org that takes it; an
#: empty field leaves the handler as it is).
Handler = Literal["same", "parent", "home", "form", "step"]


class Deadline(msgspec.Struct, frozen=True, kw_only=True):
    """A time limit on a state, counted from when the process entered it.

    ``action`` ``transition`` takes ``transition`` (a code) as the system; ``escalate`` hands the
    process to the parent of its handling org (and starts the clock again); ``remind`` emits
    ``process.overdue`` once.
    """

    days: float
    action: DeadlineAction = "remind"
    transition: str | None = None


class State(msgspec.Struct, frozen=True, kw_only=True):
    """A state of a process. ``final`` states end it with ``outcome`` (approved, rejected, withdrawn…)."""

    code: str
    name: Text
    final: bool = False
    outcome: str | None = None
    deadline: Deadline | None = None


class Transition(msgspec.Struct, frozen=True, kw_only=True):
    """A step from one of ``sources`` to ``target``.

    Who may take it: the applicant (``applicant=True``), or an account holding ``permission`` on the
    handling org (``level="org"``), its parent (``"parent"``) or any ancestor (``"ancestor"``), or a
    person holding a post titled ``post`` in the handling org. With none of these the core's
    ``core.process.handle`` on the handling org is needed. ``form`` is an optional msgspec Struct for
    the step's own data; ``comment_required`` makes a reason mandatory (rejections). ``handler`` moves
    the process up (``parent``), back (``home``), to the org whose id the applicant's form's
    ``handler_field`` holds (``form``) or to the one the step's own form names there (``step``: 派单 to
    the org that takes it; left as is when the field is empty). ``deadline`` overrides the target
    state's.
    ``publish_notice`` publishes a notice (公示) of the process when the step is taken.

    ``validate(ctx)`` runs before the change and may veto by raising a :class:`core.kernel.errors.Problem` (or
    :class:`ProcessRejected`); ``after(ctx)`` runs after it, in the same transaction (create the
    membership on approval). Either may be ``async``. An ``after`` that raises rolls the whole step back.
    """

    code: str
    name: Text
    sources: tuple[str, ...]
    target: str
    applicant: bool = False
    permission: str | None = None
    level: Literal["org", "parent", "ancestor"] = "org"
    post: str | None = None
    form: Any = None
    comment_required: bool = False
    handler: Handler = "same"
    handler_field: str | None = None
    #: Only the system takes it (a deadline's ``transition``): no person or cadre may.
    system: bool = False
    deadline: Deadline | None = None
    publish_notice: bool = False
    validate: Callable[[ProcessContext], Any] | None = None
    after: Callable[[ProcessContext], Any] | None = None


class ProcessType(msgspec.Struct, frozen=True, kw_only=True):
    """A type of process (入会申请, 困难帮扶…), code ``<owner>.<name>``.

    ``org_kinds`` are the kinds of org it may run on (empty: any). ``form`` is the applicant's msgspec
    Struct (shown in OpenAPI); ``personal_fields`` names its fields that hold personal data (encrypted
    at rest, masked unless the reader may see personal data, exported and erased with the person).
    ``referral_from`` lists other types a referral may map onto this one (转办 across plugins).
    ``validate_open(ctx)`` runs when a process of the type is opened (``transition`` is ``"open"``) and
    may veto like a transition's ``validate`` (a transfer checks the membership is the applicant's).
    ``notice_days`` is the default window of its notices; ``on_objection`` says whether an objection
    ``hold``\\ s the process or ``reopen``\\ s it into ``reopen_state``.

    ``read_permission`` makes the type sensitive (维权 cases, child-care files): only the applicant and
    holders of that permission on the home or handling org see its processes (in lists, the queue and
    the detail), every detail read is audited (``process.read``) and so is every refused one
    (``process.read_denied``). ``refers_to`` names other types (of any plugin) this one may be referred
    onto without their declaring ``referral_from``; naming one that no installed plugin declares answers
    ``referral-type-missing``.
    """

    code: str
    name: Text
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...]
    org_kinds: tuple[str, ...] = ()
    form: Any = None
    personal_fields: tuple[str, ...] = ()
    referral_from: tuple[str, ...] = ()
    notice_days: int = 5
    on_objection: Literal["hold", "reopen"] = "hold"
    reopen_state: str | None = None
    description: Text | None = None
    validate_open: Callable[[ProcessContext], Any] | None = None
    read_permission: str | None = None
    refers_to: tuple[str, ...] = ()

    def state(self, code: str) -> State | None:
        return next((s for s in self.states if s.code == code), None)

    def transition(self, code: str) -> Transition | None:
        return next((t for t in self.transitions if t.code == code), None)


class ProcessRejected(Exception):
    """Raised by a transition's ``validate`` to veto it: answers 422 naming ``pointer``."""

    def __init__(self, pointer: str, code: str, message: Text) -> None:
        super().__init__(code)
        self.pointer = pointer
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ProcessContext:
    """What ``validate`` and ``after`` get: the process as stored, the step, its form, the actor."""

    process_id: UUID
    type: str
    org_id: UUID
    org_path: str
    handler_org_id: UUID
    applicant_id: UUID
    transition: str
    from_state: str
    to_state: str
    #: The applicant's form as decoded into the type's Struct (personal fields in clear).
    form: Any
    #: The step's own form (the transition's Struct) or None.
    step_form: Any
    comment: str
    #: The principal taking the step, or None when the system applies a deadline.
    actor: Any
    #: The plugin manager, for plugins that call other hooks.
    plugin_manager: Any = None
    #: The personal-data vault (blind indexes and decryption of what the step must match).
    vault: Any = None


def check_process_type(ptype: ProcessType) -> None:
    """Raise ValueError naming what is wrong: unknown or unreachable states, duplicate codes, bad forms."""
    states = [s.code for s in ptype.states]
    for code in states:
        if not CODE_RE.match(code):
            raise ValueError(f"process type {ptype.code!r}: state code {code!r} is not allowed")
    if len(set(states)) != len(states):
        dup = next(c for c in states if states.count(c) > 1)
        raise ValueError(f"process type {ptype.code!r}: state {dup!r} is declared twice")
    codes = [t.code for t in ptype.transitions]
    if len(set(codes)) != len(codes):
        dup = next(c for c in codes if codes.count(c) > 1)
        raise ValueError(f"process type {ptype.code!r}: transition {dup!r} is declared twice")
    for code in codes:
        if not CODE_RE.match(code):
            raise ValueError(f"process type {ptype.code!r}: transition code {code!r} is not allowed")
    if ptype.initial not in states:
        raise ValueError(f"process type {ptype.code!r}: initial state {ptype.initial!r} is not declared")
    known = set(states)
    for t in ptype.transitions:
        for name in (*t.sources, t.target):
            if name not in known:
                raise ValueError(
                    f"process type {ptype.code!r}: transition {t.code!r} names unknown state {name!r}"
                )
        for name in t.sources:
            if ptype.state(name).final:  # type: ignore[union-attr]
                raise ValueError(
                    f"process type {ptype.code!r}: transition {t.code!r} leaves final state {name!r}"
                )
        if t.handler == "form":
            form_fields = set(ptype.form.__struct_fields__) if ptype.form is not None else set()
            if t.handler_field not in form_fields:
                raise ValueError(
                    f"process type {ptype.code!r}: transition {t.code!r} handler_field must name a form field"
                )
        if t.form is not None and not (isinstance(t.form, type) and issubclass(t.form, msgspec.Struct)):
            raise ValueError(f"process type {ptype.code!r}: transition {t.code!r} form must be a Struct")
        if t.handler == "step" and (t.form is None or t.handler_field not in t.form.__struct_fields__):
            raise ValueError(
                f"process type {ptype.code!r}: transition {t.code!r} handler_field must name a field of its form"
            )
    for s in ptype.states:
        if s.final and s.deadline is not None:
            raise ValueError(f"process type {ptype.code!r}: final state {s.code!r} cannot have a deadline")
        for deadline in [s.deadline, *(t.deadline for t in ptype.transitions if t.target == s.code)]:
            if deadline is None:
                continue
            if deadline.days <= 0:
                raise ValueError(f"process type {ptype.code!r}: deadline of {s.code!r} must be positive")
            if deadline.action == "transition":
                t = ptype.transition(deadline.transition or "")
                if t is None or s.code not in t.sources:
                    raise ValueError(
                        f"process type {ptype.code!r}: deadline of {s.code!r} names no transition from it"
                    )
    reachable = {ptype.initial}
    changed = True
    while changed:
        changed = False
        for t in ptype.transitions:
            if t.target not in reachable and any(src in reachable for src in t.sources):
                reachable.add(t.target)
                changed = True
    unreachable = [s for s in states if s not in reachable]
    if unreachable:
        raise ValueError(f"process type {ptype.code!r}: state {unreachable[0]!r} is unreachable")
    if not any(s.final for s in ptype.states):
        raise ValueError(f"process type {ptype.code!r}: no final state")
    if ptype.form is not None and not (
        isinstance(ptype.form, type) and issubclass(ptype.form, msgspec.Struct)
    ):
        raise ValueError(f"process type {ptype.code!r}: form must be a msgspec Struct")
    fields = set(ptype.form.__struct_fields__) if ptype.form is not None else set()
    for name in ptype.personal_fields:
        if name not in fields:
            raise ValueError(f"process type {ptype.code!r}: personal field {name!r} is not in the form")
    if ptype.on_objection == "reopen" and ptype.reopen_state not in known:
        raise ValueError(f"process type {ptype.code!r}: reopen_state must name a state")
    if ptype.notice_days < 1 or ptype.notice_days > 90:
        raise ValueError(f"process type {ptype.code!r}: notice_days must be 1 to 90")
