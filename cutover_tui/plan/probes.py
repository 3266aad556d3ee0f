"""Checks that run themselves: a checkpoint's `[step.check]` and the night's `[[probe]]`s.

A check is one of four kinds, told apart by `type`:
- `command`: an argv list run without a shell (`shell = "..."` only when the plan asks for
  one), with a timeout, the exit code expected and optionally an `expect` on the numbers it
  prints (plan/expect.py);
- `http`: a GET (or HEAD) of a URL, the status expected, a latency limit, optionally a JSON
  path and the value expected there;
- `tcp`: a connection to host:port within the timeout;
- `dns`: a name resolving (optionally to an address).

Only the conductor runs them (clock/probing.py), as its OS user, from the plan sealed in the
run: nothing typed by an operator ever becomes a command. `commands(plan)` is the list
`cutover validate` prints, so the commander sees every command a plan will run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .durations import format_duration, parse_duration
from .expect import Expectation, ExpectError, parse_expect
from .findings import Finding
from .severity import incident_tables

MAX_TIMEOUT = timedelta(minutes=10)  # a check longer than this is a step, not a check
MAX_ARGV = 64
MAX_ARG_CHARS = 4_000


def _timeout(value: Any) -> timedelta:
    parsed = value if isinstance(value, timedelta) else parse_duration(value)
    if parsed <= timedelta(0):
        raise ValueError(f"timeout {value!r} is zero; a check needs time to run")
    if parsed > MAX_TIMEOUT:
        raise ValueError(f"timeout {value!r} is longer than {format_duration(MAX_TIMEOUT)}")
    return parsed


def _interval(value: Any) -> timedelta:
    parsed = value if isinstance(value, timedelta) else parse_duration(value)
    if parsed < timedelta(seconds=1):
        raise ValueError(f"interval {value!r} is under a second")
    if parsed > timedelta(days=1):
        raise ValueError(f"interval {value!r} is longer than a day")
    return parsed


def _expectation(value: Any) -> Expectation:
    if isinstance(value, Expectation):
        return value
    try:
        return parse_expect(value)
    except ExpectError as exc:
        raise ValueError(str(exc)) from None


_SECONDS = WithJsonSchema({"type": "string", "examples": ["10s", "1m"]})
_OUT = PlainSerializer(format_duration, return_type=str)
Timeout = Annotated[timedelta, BeforeValidator(_timeout), _SECONDS, _OUT]
Interval = Annotated[timedelta, BeforeValidator(_interval), _SECONDS, _OUT]
Expect = Annotated[
    Expectation,
    BeforeValidator(_expectation),
    WithJsonSchema({"type": "string", "examples": ["rows >= 1000", "a == b +- 1%"]}),
    PlainSerializer(str, return_type=str),
]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, defer_build=True, arbitrary_types_allowed=True
    )


class CommandCheck(_Strict):
    type: Literal["command"]
    argv: list[Annotated[str, Field(max_length=MAX_ARG_CHARS)]] | None = Field(
        default=None, min_length=1, max_length=MAX_ARGV
    )
    shell: Annotated[str, Field(max_length=MAX_ARG_CHARS)] | None = None  # /bin/sh -c, if asked
    timeout: Timeout = timedelta(seconds=30)
    exit_code: int = 0
    expect: Expect | None = None
    auto: bool = True  # run when the checkpoint starts (false: only when someone presses x)

    @model_validator(mode="after")
    def _one_way_to_run(self) -> CommandCheck:
        if (self.argv is None) == (self.shell is None):
            raise ValueError("a command check has `argv` (a list, no shell) or `shell`, not both")
        if self.argv is not None and not self.argv[0].strip():
            raise ValueError("argv[0] is empty: name the program to run")
        if self.argv is not None and "/" in self.argv[0] and not self.argv[0].startswith("/"):
            raise ValueError(
                f"argv[0] {self.argv[0]!r} is a relative path; a check runs in /: give the "
                "absolute path, or a program name found on PATH"
            )
        return self

    @property
    def args(self) -> list[str]:
        return list(self.argv) if self.argv is not None else ["/bin/sh", "-c", self.shell or ""]


class HttpCheck(_Strict):
    type: Literal["http"]
    url: str
    method: Literal["GET", "HEAD"] = "GET"  # a check reads; it never changes what it checks
    status: int = 200
    latency_ms: int | None = Field(default=None, gt=0)  # slower than this is a failure
    timeout: Timeout = timedelta(seconds=10)
    json_path: str | None = None  # "cart.items.0.sku": keys and list indexes, dot-separated
    json_value: str | int | float | bool | None = None
    expect: Expect | None = None  # on `value`: the JSON value, else the latency in ms
    auto: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
        return value

    @model_validator(mode="after")
    def _value_needs_path(self) -> HttpCheck:
        if self.json_value is not None and self.json_path is None:
            raise ValueError("json_value is read at json_path: give json_path too")
        return self


class TcpCheck(_Strict):
    type: Literal["tcp"]
    host: str
    port: int = Field(ge=1, le=65535)
    timeout: Timeout = timedelta(seconds=5)
    auto: bool = True


class DnsCheck(_Strict):
    type: Literal["dns"]
    name: str
    address: str | None = None  # the name must resolve to this (among others)
    timeout: Timeout = timedelta(seconds=5)
    auto: bool = True


def _check_type(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("type", ""))
    return getattr(value, "type", "")


Check = Annotated[
    Annotated[CommandCheck, Tag("command")]
    | Annotated[HttpCheck, Tag("http")]
    | Annotated[TcpCheck, Tag("tcp")]
    | Annotated[DnsCheck, Tag("dns")],
    Discriminator(
        _check_type,
        custom_error_type="invalid_check",
        custom_error_message="a check's type is one of command, http, tcp, dns",
    ),
]
AnyCheck = CommandCheck | HttpCheck | TcpCheck | DnsCheck


class Probe(_Strict):
    """A health probe watched all night: run every `interval`, red after `fail_after`
    failures in a row, green again after one success. Samples are recorded when the state
    changes and once every `record_every` (not every run): the journal stays small."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str | None = None
    interval: Interval = timedelta(seconds=30)
    fail_after: int = Field(default=1, ge=1, le=100)
    record_every: Interval = timedelta(minutes=5)
    check: Check


def describe(check: AnyCheck) -> str:
    """One line saying what a check does, for `cutover validate` and the health screen."""
    if isinstance(check, CommandCheck):
        how = f"sh -c {check.shell!r}" if check.shell is not None else _argv_text(check.args)
        tail = f", expect {check.expect}" if check.expect else ""
        return f"run {how} (exit {check.exit_code}{tail}, timeout {format_duration(check.timeout)})"
    if isinstance(check, HttpCheck):
        extra = ""
        if check.json_path is not None:
            wanted = f" == {check.json_value!r}" if check.json_value is not None else ""
            extra = f", JSON {check.json_path}{wanted}"
        limit = f", under {check.latency_ms} ms" if check.latency_ms else ""
        tail = f", expect {check.expect}" if check.expect else ""
        return f"{check.method} {check.url} (status {check.status}{limit}{extra}{tail})"
    if isinstance(check, TcpCheck):
        return f"connect to {check.host}:{check.port}"
    return f"resolve {check.name}" + (f" to {check.address}" if check.address else "")


def _argv_text(args: list[str]) -> str:
    return " ".join(
        a if a and all(c.isalnum() or c in "-_./=:,@" for c in a) else repr(a) for a in args
    )


def _check_of(step: Any) -> Any:
    """A step's check, or None. A model without a `check` field is answered from its class:
    `getattr(task, "check", None)` goes through pydantic's __getattr__ and a raised
    AttributeError, a quarter of a second over 50,000 steps in `cutover validate`. Whether a
    class has the field is asked once per class: `model_fields` on a class is a pydantic
    descriptor, itself a tenth of a second over 50,000 steps."""
    kind = type(step)
    has_check = _HAS_CHECK.get(kind)
    if has_check is None:
        fields = getattr(kind, "model_fields", None)
        has_check = _HAS_CHECK[kind] = fields is None or "check" in fields
    return getattr(step, "check", None) if has_check else None


_HAS_CHECK: dict[type, bool] = {}


def commands(plan: Any) -> list[tuple[str, str]]:
    """Every check in the plan as (where, what it does): the checkpoints' checks, then the
    probes. `cutover validate` prints them, so nothing runs that the commander has not seen."""
    out: list[tuple[str, str]] = []
    for step in [*plan.step, *plan.rollback_steps]:
        check = _check_of(step)
        if check is not None:
            out.append((f"checkpoint {step.id}", describe(check)))
    for probe in plan.probe:
        out.append(
            (f"probe {probe.id} every {format_duration(probe.interval)}", describe(probe.check))
        )
    after = getattr(plan, "aftercare", None)  # post-cutover validation items, when asked
    for item in after.check if after is not None else []:
        if item.check is not None:
            out.append((f"after the night {item.id} (when asked)", describe(item.check)))
    return out


def probe_findings(plan: Any, known: Any) -> Any:
    """Duplicate probe ids, and probe-failing triggers naming a probe the plan lacks."""
    from .errors import nearest

    seen: dict[str, int] = {}
    for index, probe in enumerate(plan.probe):
        if probe.id in seen:
            yield Finding(
                ("probe", index, "id"),
                f"duplicate id {probe.id!r}, already used by probe[{seen[probe.id]}]",
            )
        seen.setdefault(probe.id, index)
    for index, trigger in enumerate(plan.trigger):
        if trigger.probe is not None and trigger.probe not in seen:
            yield Finding(
                ("trigger", index, "probe"),
                f"unknown probe {trigger.probe!r}",
                nearest(trigger.probe, seen),
            )


def check_lines(plan: Any) -> list[str]:
    """What `cutover validate` prints about checks: each one the conductor will run."""
    found = commands(plan)
    if not found:
        return []
    asked = sum(where.endswith("(when asked)") for where, _ in found)
    by_conductor = len(found) - asked
    head = f"checks: {by_conductor} run by the conductor"
    if asked:  # an after-the-night item's check runs in the process that asks for it
        head += f", {asked} when asked (cutover check)"
    lines = [f"{head}; as the OS user that started the run (--no-checks: none)"]
    lines += [f"  {where}: {what}" for where, what in found]
    return lines


def not_in_a_sheet(plan: Any) -> list[str]:
    """What `cutover export` leaves out of a workbook: checks, probes and the triggers on them
    (what runs by itself is written and reviewed in the TOML, not in a cell), and [aftercare]."""
    counts = (
        (
            "check",
            sum(_check_of(s) is not None for s in [*plan.step, *plan.rollback_steps]),
        ),
        ("probe", len(plan.probe)),
        ("probe-failing trigger", sum(t.probe is not None for t in plan.trigger)),
    )
    left = [f"{n} {name}{'s' if n != 1 else ''}" for name, n in counts if n]
    if getattr(plan, "vars", None):  # named for the checks (plan/vars.py), which stay too
        left.append("the [vars] the checks use")
    if getattr(plan, "aftercare", None) is not None:  # no sheet holds it: said, never dropped
        left.append("the after-the-night part [aftercare]")
    left += incident_tables(plan)  # plan/severity.py: no sheet holds them either
    return left
