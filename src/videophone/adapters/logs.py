"""Logging: structlog and the standard library (uvicorn's loggers too) through one pipeline.

Each process the CLI starts calls :func:`configure` first.  A record becomes one line: JSON when
``log_json`` is set, plain ``key=value`` text otherwise.  Timestamps are UTC ISO 8601.  An exception is
written as its type, message and a bounded list of frames (file, line, function — never local
variables); structlog's development renderer, whose rich tracebacks print every local variable of every
frame (hundreds of KB and seconds of CPU per error, secrets included), is never used.  The last step
before rendering redacts secrets: the values of settings marked secret wherever they appear, values
under keys such as ``authorization``, ``cookie`` or ``password``, bearer tokens and session cookies.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from videophone.config import Settings

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4  # shorter "secrets" would blank out ordinary words all over the log
MAX_FRAMES = 20  # the outermost HEAD_FRAMES and the innermost MAX_FRAMES - HEAD_FRAMES
HEAD_FRAMES = 5
MAX_EXCEPTION_CHARS = 8_000  # the whole exception entry (type, message, frames, causes)
MAX_MESSAGE_CHARS = 1_000
MAX_CAUSES = 3
MAX_VALUE_CHARS = 4_000  # any other value of a record
MAX_DEPTH = 4
LOGGED = "_videophone_logged"  # set on an exception the application has already logged
# Libraries whose INFO records are noise here (httpx's carry whole URLs, query strings included).
QUIET = (
    "alembic",
    "httpx",
    "httpcore",
    "asyncio",
    "aiosqlite",
    "multipart",
)

# Keys whose values are secret whatever they hold.
SECRET_KEY = re.compile(
    r"authori[sz]ation|cookie|passw|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|data[_-]?key"
    r"|csrf|credential|session[_-]?id|^session$",
    re.IGNORECASE,
)
_NEVER_REDACTED_KEYS = frozenset({"event", "timestamp", "level", "logger", "exception", "request_id"})
_SECRETISH = r"(?:session|csrf|token|passw(?:or)?d|secret|api[_-]?key|authorization|cookie)"
# A name that contains one of those words; bounded, so that no text makes a pattern backtrack for long.
_SECRET_NAME = rf"(?<![\w.-])[\w.-]{{0,40}}?{_SECRETISH}[\w.-]{{0,40}}"
_MASK = re.escape(REDACTED)  # masking twice changes nothing
# Patterns masked inside any text (messages, exception messages, reprs), in this order.
_TEXT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization values: "Bearer abc", "Basic abc".
    (re.compile(rf"\b(bearer|basic)(\s+)(?!{_MASK})[^\s,;'\"\\)\]}}]+", re.IGNORECASE), r"\1\2" + REDACTED),
    # name=value pairs (cookies, query strings, form bodies): vp_session=…, token=…, password=…
    (re.compile(rf"({_SECRET_NAME})=(?!{_MASK})[^\s;&,'\"\\)\]}}]+", re.IGNORECASE), r"\1=" + REDACTED),
    # "key": "value" / 'key': 'value' (JSON, dict reprs, pydantic errors)
    (
        re.compile(
            rf"([\"']?)({_SECRET_NAME})\1(\s{{0,3}}[:=]\s{{0,3}})([\"'])(?:(?!\4)[^\n]){{0,500}}\4", re.IGNORECASE
        ),
        r"\1\2\1\3\4" + REDACTED + r"\4",
    ),
    # Credentials in URLs: scheme://user:password@host
    (
        re.compile(r"(\b[a-z][a-z0-9+.-]{0,20}://[^\s:/@]{0,200}:)[^\s@/]{1,200}@", re.IGNORECASE),
        r"\1" + REDACTED + "@",
    ),
    # SQLAlchemy error messages quote the statement's parameters.
    (re.compile(r"\[parameters: [^\n]*"), "[parameters: " + REDACTED + "]"),
)


class Deferred:
    """A context value known only later in the request (the route template once routing is done):
    :func:`resolve_deferred` calls it when a record is written."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[], object]) -> None:
        self._fn = fn

    def __call__(self) -> object:
        return self._fn()


def resolve_deferred(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key, value in list(event_dict.items()):
        if isinstance(value, Deferred):
            try:
                resolved = value()
            except Exception:  # a record is never lost to a context helper
                resolved = None
            if resolved is None:
                del event_dict[key]
            else:
                event_dict[key] = resolved
    return event_dict


# -- exceptions ---------------------------------------------------------------------------------------


_LIBRARY_ROOT = re.compile(r".*/(?:site-packages|src|lib/python3\.\d+)/")


@functools.lru_cache(maxsize=1024)
def _short_path(filename: str) -> str:
    """``videophone/web/app.py``, ``starlette/routing.py``, ``asyncio/events.py``."""
    shortened = _LIBRARY_ROOT.sub("", filename, count=1)
    return shortened if shortened != filename else "/".join(filename.split("/")[-3:])


def _text_of(exc: BaseException, clean: Callable[[str], str], limit: int = MAX_MESSAGE_CHARS) -> str:
    try:
        text = clean(str(exc))  # whole, before it is cut: a secret across the cut is still found
    except Exception:  # an exception whose __str__ fails still gets a line
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + "…"


def _unchanged(text: str) -> str:
    return text


def _frames(tb: types.TracebackType | None) -> tuple[list[str], int]:
    frames: list[str] = []
    repeats = 0
    for frame, lineno in _walk(tb):
        text = f"{_short_path(frame.f_code.co_filename)}:{lineno} in {frame.f_code.co_name}"
        if frames and frames[-1] == text:
            repeats += 1  # a recursion: one entry for the run, as Python's own traceback does
            continue
        if repeats:
            frames[-1] += f" (×{repeats + 1})"
            repeats = 0
        frames.append(text)
    if repeats:
        frames[-1] += f" (×{repeats + 1})"
    if len(frames) <= MAX_FRAMES:
        return frames, 0
    tail = MAX_FRAMES - HEAD_FRAMES
    return frames[:HEAD_FRAMES] + frames[-tail:], len(frames) - MAX_FRAMES


def _walk(tb: types.TracebackType | None) -> Iterable[tuple[types.FrameType, int]]:
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


def describe_exception(exc: BaseException, clean: Callable[[str], str] = _unchanged) -> dict[str, Any]:
    """Type, message, frames (file:line in function) and the chain of causes, at most
    :data:`MAX_EXCEPTION_CHARS` long once rendered.  Local variables are never read.  ``clean`` is
    applied to each message before it is shortened (:meth:`Redactor.text`)."""
    frames, omitted = _frames(exc.__traceback__)
    out: dict[str, Any] = {"type": type(exc).__qualname__, "message": _text_of(exc, clean), "frames": frames}
    causes: list[str] = []
    seen = {id(exc)}
    link = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    while link is not None and id(link) not in seen and len(causes) < MAX_CAUSES:
        seen.add(id(link))
        causes.append(f"{type(link).__qualname__}: {_text_of(link, clean, 300)}")
        link = link.__cause__ or (None if link.__suppress_context__ else link.__context__)
    if causes:
        out["causes"] = causes
    while len(json.dumps(out, ensure_ascii=False)) > MAX_EXCEPTION_CHARS and out["frames"]:
        del out["frames"][len(out["frames"]) // 2]  # the middle of the stack matters least
        omitted += 1
    if omitted:
        out["frames_omitted"] = omitted
    return out


def _exception_of(value: object) -> BaseException | None:
    if isinstance(value, BaseException):
        return value
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value[1]
    if value is True:
        return sys.exc_info()[1]
    return None


class BoundedException:
    """The processor turning ``exc_info`` into ``exception`` (:func:`describe_exception`, messages
    passed through ``clean``); stack dumps are dropped."""

    def __init__(self, clean: Callable[[str], str] = _unchanged) -> None:
        self.clean = clean

    def __call__(self, _: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        exc = _exception_of(event_dict.pop("exc_info", None))
        event_dict.pop("stack_info", None)
        if exc is not None:
            event_dict["exception"] = describe_exception(exc, self.clean)
        return event_dict


def mark_logged(exc: BaseException) -> None:
    """The application logged ``exc``: the server's own "Exception in ASGI application" record of the
    same exception is dropped (:class:`_DropLogged`), so an error is one line."""
    with contextlib.suppress(AttributeError, TypeError):  # an exception type without a __dict__
        setattr(exc, LOGGED, True)


# -- redaction ----------------------------------------------------------------------------------------


class Redactor:
    """The processor that masks secrets in every value of a record (strings, nested mappings and
    sequences; other objects by their ``str``)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._secrets = re.compile("|".join(re.escape(v) for v in values)) if values else None

    def text(self, text: str) -> str:
        if self._secrets is not None:
            text = self._secrets.sub(REDACTED, text)
        if len(text) > MAX_VALUE_CHARS:  # cut after the secrets are out, before the patterns run
            text = text[:MAX_VALUE_CHARS] + "…"
        for pattern, replacement in _TEXT_RULES:
            text = pattern.sub(replacement, text)
        return text

    def value(self, value: object, depth: int = 0) -> object:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.text(value[:MAX_VALUE_CHARS].decode("utf-8", "replace"))
        if depth < MAX_DEPTH and isinstance(value, Mapping):
            return {str(k): self.keyed(str(k), v, depth + 1) for k, v in value.items()}
        if depth < MAX_DEPTH and isinstance(value, list | tuple | set | frozenset):
            return [self.value(v, depth + 1) for v in list(value)[:100]]
        try:
            text = str(value)
        except Exception:
            text = f"<{type(value).__name__}>"
        return self.text(text)

    def keyed(self, key: str, value: object, depth: int = 0) -> object:
        if key == "exception" and isinstance(value, dict) and depth == 0:
            return self.exception(value)
        if key not in _NEVER_REDACTED_KEYS and SECRET_KEY.search(key) and value not in (None, ""):
            return REDACTED
        return self.value(value, depth)

    def exception(self, described: dict[str, Any]) -> dict[str, Any]:
        """:func:`describe_exception`'s output: its frames are code locations (file, line, function)
        and hold no data; the message and the causes are redacted like any text."""
        out = dict(described)
        out["message"] = self.text(str(described.get("message", "")))
        if "causes" in described:
            out["causes"] = [self.text(str(cause)) for cause in described["causes"]]
        return out

    def __call__(self, _: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        return {key: self.keyed(key, value) for key, value in event_dict.items()}


# -- rendering ----------------------------------------------------------------------------------------


def _plain_value(value: object) -> str:
    if isinstance(value, str) and value and not any(c in value for c in ' ="\n\r\t'):
        return value
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def render_text(_: WrappedLogger, __: str, event_dict: EventDict) -> str:
    """One line for a terminal: ``time level event key=value …``."""
    timestamp = event_dict.pop("timestamp", "")
    level = str(event_dict.pop("level", "info"))
    event = str(event_dict.pop("event", "")).strip().replace("\r", "\\r").replace("\n", "\\n")
    parts = [str(timestamp), f"{level:<7}", event]
    parts += [f"{key}={_plain_value(value)}" for key, value in event_dict.items()]
    return " ".join(p for p in parts if p)


def render_json(_: WrappedLogger, __: str, event_dict: EventDict) -> str:
    first = {key: event_dict.pop(key) for key in ("timestamp", "level", "event") if key in event_dict}
    return json.dumps({**first, **event_dict}, ensure_ascii=False, default=str)


# -- the standard library side ------------------------------------------------------------------------


class _DropLogged(logging.Filter):
    """Drops a server record of an exception the application has already logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (exc is not None and getattr(exc, LOGGED, False))


# Paths whose segment after this prefix is a secret: a video message's deposit token.
_TOKEN_IN_PATH = re.compile(r"(/voicemail/deposits/)[^/?#\s]+")


class _NoQueryStrings(logging.Filter):
    """uvicorn's access lines without query strings (they may carry tokens), and without the tokens
    some paths carry (``/api/v1/voicemail/deposits/<token>``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            if isinstance(args[2], str):
                args[2] = _TOKEN_IN_PATH.sub(r"\1" + REDACTED, args[2].split("?", 1)[0])
            record.args = tuple(args)
        return True


class _StandardError:
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _drop_meta(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    event_dict.pop("_record", None)
    event_dict.pop("_from_structlog", None)
    event_dict.pop("positional_args", None)
    return event_dict


def configure(settings: Settings, stream: IO[str] | None = None, *, level: int = logging.INFO) -> None:
    """Route structlog and the standard library through one handler on ``stream`` (default: standard
    error).  May be called again (tests): the previous handler is replaced."""
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        timestamper,
    ]
    redactor = Redactor(settings.secret_values())
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            _drop_meta,
            BoundedException(redactor.text),
            resolve_deferred,
            redactor,
            render_json if settings.log_json else render_text,
        ],
    )
    handler = logging.StreamHandler(stream if stream is not None else _StandardError())
    handler.setFormatter(formatter)
    handler.addFilter(_DropLogged())
    handler.addFilter(_NoQueryStrings())
    handler.set_name("videophone")

    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        server_logger = logging.getLogger(name)
        for old in list(server_logger.handlers):
            server_logger.removeHandler(old)
        server_logger.propagate = True

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        context_class=dict,
        cache_logger_on_first_use=False,  # tests reconfigure (capture_logs, another stream)
    )
