"""What every command shares: the settings and session context, `--json`, row ids, the group."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from sqlalchemy import func, select

from config.listen import MAX_PORT, MIN_PORT, PORT_PROBLEMS, listen_problem
from config.logging import setup_logging
from config.settings import ConfigError, Settings, load_settings
from dashboard.access import CandidateErased
from voice.accounts import MAX_NAME_LENGTH
from voice.candidates import CandidateFieldError, check_extra_time
from voice.dates import local_moment
from voice.db import make_engine, make_session_factory, unit_of_work
from voice.models import MAX_ROW_ID, Organization
from voice.phones import PhoneError, check_region, is_e164, normalise_phone
from voice.time_zones import TimeZoneError, check_time_zone


class Context:
    """Settings and a session factory, built on first use so `--help` needs no database."""

    def __init__(self):
        self._settings: Settings | None = None
        self._factory = None

    @property
    def settings(self) -> Settings:
        """The settings from the environment; a bad one is a ClickException, not a traceback."""
        if self._settings is None:
            try:
                self._settings = load_settings()
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
            setup_logging("WARNING", self._settings.secrets())
        return self._settings

    def session(self):
        """A unit of work (a session closed at the end of a `with` block)."""
        if self._factory is None:
            self._factory = make_session_factory(make_engine(self.settings.database_url))
        return unit_of_work(self._factory)


NAMES_SHOWN = 20  # organisation names an error lists at most
pass_context = click.make_pass_decorator(Context, ensure=True)


class WholeNumber(click.IntRange):
    """A whole number from `low` to `high` (None: no bound), named for people in errors.

    Click's own IntRange says "'abc' is not a valid integer range" and "0 is not in the
    range 1<=x<=2147483647"; this says "'abc' is not an id: ids are whole numbers from 1
    to 2147483647". Raises click's BadParameter (exit 2) through `fail`.
    """

    def __init__(self, low: int | None, high: int | None, noun: str, plural: str) -> None:
        super().__init__(low, high)
        self.noun, self.plural = noun, plural
        self.name = noun.split()[-1]

    def _bounds(self) -> str:
        if self.min is not None and self.max is not None:
            return f"from {self.min} to {self.max}"
        return f"from {self.min}" if self.min is not None else f"up to {self.max}"

    def convert(self, value, param, ctx):
        """Return `value` as an int within the bounds, or fail with one sentence."""
        try:
            number = value if isinstance(value, int) else int(str(value).strip())
        except ValueError:
            number = None
        too_low = number is not None and self.min is not None and number < self.min
        too_high = number is not None and self.max is not None and number > self.max
        if number is None or too_low or too_high:
            self.fail(
                f"{value!r} is not {self.noun}: {self.plural} are whole numbers {self._bounds()}",
                param,
                ctx,
            )
        return number


ROW_ID = WholeNumber(1, MAX_ROW_ID, "an id", "ids")  # larger ids name no row
PORT = WholeNumber(MIN_PORT, MAX_PORT, "a port", "ports")  # a TCP port to listen on


def ensure_can_listen(host: str, port: int, port_option: str = "--port") -> None:
    """Raise ClickException with one sentence when no server can listen on host:port
    (unknown host, port in use, no permission); see config.listen.listen_problem.

    When another port would do, the sentence names the option that chooses it
    (`port_option`): "cannot listen on 127.0.0.1:8765: the port is in use; choose
    another with --api-port".
    """
    problem = listen_problem(host, port)
    if problem and problem.endswith(PORT_PROBLEMS):
        problem += f"; choose another with {port_option}"
    if problem:
        raise click.ClickException(problem)


class Moment(click.ParamType):
    """An ISO-8601 date or date and time; without a zone it is UTC.

    Converts to an aware UTC datetime; a value that is not one fails as a usage error
    (exit status 2) naming the option and giving an example. With `local=True` a value
    without a zone stays naive, for a command that reads it in an organisation's time
    zone once it knows which (`in_zone`).
    """

    name = "ISO-8601"

    def __init__(self, local: bool = False) -> None:
        self.local = local

    def convert(self, value, param, ctx):
        """Return an aware UTC datetime, or fail with an example of what is expected."""
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                f"{value!r} is not an ISO-8601 date or time "
                "(e.g. 2026-11-30 or 2026-11-30T09:00:00Z)",
                param,
                ctx,
            )
        if moment.tzinfo is None:
            if self.local:
                return moment
            moment = moment.replace(tzinfo=UTC)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            self.fail(f"{value!r} is outside the years 1 to 9999 in UTC", param, ctx)


def in_zone(option: str, moment: datetime | None, zone: str | None) -> datetime | None:
    """A `Moment(local=True)` value as an aware UTC time: one without a zone read in
    `zone` (an IANA name; None: UTC) by voice.dates.local_moment. Raises a usage error
    (exit status 2) for a time outside the years 1 to 9999 in UTC."""
    if moment is None:
        return None
    found = local_moment(moment, zone)
    if found is None:
        raise bad_value(option, f"{moment.isoformat()!r} is outside the years 1 to 9999 in UTC")
    return found


class E164Phone(click.ParamType):
    """A telephone number written in E.164 form (+15551234567), as Twilio sends numbers.

    Converts to the number unchanged (surrounding spaces dropped); anything else fails as a
    usage error (exit status 2) saying why, by voice.phones' one rule set for numbers.
    """

    name = "+E164"

    def convert(self, value, param, ctx):
        """Return the number, or fail with the reason and the E.164 form when there is one."""
        text = str(value).strip()
        if is_e164(text):
            return text
        try:
            number = normalise_phone(text)
        except PhoneError as exc:
            self.fail(
                f"{str(exc).rstrip('.')}; give it in E.164 form, like +15551234567", param, ctx
            )
        self.fail(f"{text!r} is not in E.164 form; write it {number}", param, ctx)


class CallerId(E164Phone):
    """A caller ID as Twilio sends it in a webhook's `From`: an E.164 number, or one of the
    withheld or placeholder values a call with no usable caller ID arrives with
    (`anonymous`, `restricted`, `+266696687`...; ivr.flow.WITHHELD, is_withheld).

    Converts to the value as given (surrounding spaces dropped), so the call flow sees what
    Twilio would send; anything else (an empty value too) fails as E164Phone does (exit
    status 2), the sentence adding how to give a withheld caller ID.
    """

    name = "+E164|anonymous"

    def convert(self, value, param, ctx):
        """Return the number or placeholder, or fail with the reason."""
        from ivr.flow import is_withheld

        text = str(value).strip()
        if text and is_withheld(text):
            return text
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            self.fail(f"{exc.message}; for a withheld caller ID, say anonymous", param, ctx)


class OptionalArgument(click.Argument):
    """An argument that may be left out, named in errors as it is written ('CODE').

    Click names an optional argument by its usage metavar, brackets included ("Invalid
    value for '[CODE]'"); the usage line keeps "[CODE]", the error says 'CODE'. Use as
    `@click.argument("code", cls=OptionalArgument, required=False)`.
    """

    def get_error_hint(self, ctx: click.Context | None) -> str:
        """The argument's name in quotes, without the optional brackets."""
        return f"'{self.human_readable_name}'"


class ExtraTime(click.ParamType):
    """An answer-time multiplier, by voice.candidates' rule (check_extra_time, EXTRA_TIME);
    converts to the float, anything else (not a number, or out of range) fails as a usage
    error (exit status 2) with that rule's sentence, never click's "not a valid float"."""

    name = "MULTIPLIER"

    def convert(self, value, param, ctx):
        """Return the multiplier, or fail: "Extra time is a multiplier from 1 (none) to 4."."""
        try:
            return check_extra_time(value)
        except CandidateFieldError as exc:
            self.fail(str(exc), param, ctx)


class Country(click.ParamType):
    """A country code for numbers written without one (US, GB, DE...), by voice.phones'
    rule (check_region); converts to the code in upper case, anything else fails as a usage
    error (exit status 2) with that rule's sentence."""

    name = "COUNTRY"

    def convert(self, value, param, ctx):
        """Return the code upper-cased, or fail: "'ZZ' is not a country code such as US or GB"."""
        try:
            return check_region(str(value))
        except PhoneError as exc:
            self.fail(str(exc), param, ctx)


class TimeZone(click.ParamType):
    """An IANA time zone (America/Chicago, Europe/Madrid...), by voice.time_zones' rule
    (check_time_zone); converts to the name as the database spells it, anything else fails
    as a usage error (exit status 2) with that rule's sentence."""

    name = "ZONE"

    def convert(self, value, param, ctx):
        """Return the zone's name, or fail: "'Mars/Base' is not a time zone such as ..."."""
        try:
            return check_time_zone(str(value))
        except TimeZoneError as exc:
            self.fail(str(exc), param, ctx)


def bad_value(option: str, message: str) -> click.BadParameter:
    """A usage error (exit status 2) for a value the user gave: "Invalid value for
    '--phone': <message>".

    For the rules that cannot run while click parses the options, as they need the
    database (a number is read in the interview's organisation's country): the command
    raises this with the domain rule's own sentence. `option` is as the user wrote it
    ("--phone", or "URL" for an argument). A request that is well formed but cannot be
    done (not found, refused, a conflict) stays a ClickException, exit status 1.
    """
    return click.BadParameter(message, param_hint=f"'{option}'")


_JSON_ASKED = "screenline.json"  # key in click's shared `Context.meta`: --json was given
_ARGS = "screenline.args"  # key in `Context.meta`: the arguments after `screenline`


def _remember_json(ctx: click.Context, _param, value: bool) -> bool:
    if value:
        ctx.meta[_JSON_ASKED] = True
    return value


# Eager, so that it is read before the other options and their errors come out as JSON too.
json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    is_eager=True,
    callback=_remember_json,
    help="Print JSON for scripts (errors too).",
)


def emit(as_json: bool, data, text: str) -> None:
    """Print `data` as indented JSON with --json, else the human `text`."""
    click.echo(json.dumps(data, indent=2, default=str) if as_json else text)


class JsonErrorsGroup(click.Group):
    """The top group: with --json, a command's error is printed as JSON, not text.

    Any ClickException (a command's own error, or a bad option or argument) of a command
    given --json prints `{"error": "<message>"}` on standard error (standard output stays
    empty, so it is never mistaken for data), and the exit status stays the exception's
    (1, or 2 for a usage error). Without --json, click prints "Error: <message>" as before.
    A change refused because the candidate is erased (dashboard.access.CandidateErased)
    is such an error, exit status 1. An unknown option or an extra argument stops click
    before it reads --json, so a "--json" among the arguments (before any "--") counts too.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Keep the arguments, so that an error while parsing them can still see --json."""
        ctx.meta[_ARGS] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        """Run the command, turning its ClickException into JSON when --json was given."""
        try:
            try:
                return super().invoke(ctx)
            except CandidateErased as exc:
                raise click.ClickException(erased_error(exc)) from None
        except click.ClickException as exc:
            if not (ctx.meta.get(_JSON_ASKED) or _json_among(ctx.meta.get(_ARGS, []))):
                raise
            click.echo(json.dumps({"error": exc.format_message()}), err=True)
            ctx.exit(exc.exit_code)


def _json_among(args: list[str]) -> bool:
    """Whether "--json" is one of the options in `args` (those before a "--")."""
    options = args[: args.index("--")] if "--" in args else args
    return "--json" in options


def erased_error(exc: CandidateErased) -> str:
    """The command line's words for a refused change: "candidate 7: this candidate's data
    is erased; nothing was changed"."""
    text = str(exc).rstrip(".")
    return f"candidate {exc.candidate_id}: {text[0].lower()}{text[1:]}"


@click.group(cls=JsonErrorsGroup)
def main():
    """Screenline: one-way job interviews by telephone."""


def organisation(
    session, name: str | None, create: bool = False, create_hint: str = ""
) -> Organization:
    """The organisation named (or numbered) `name`, or the only one there is.

    `create` makes a new one when `name` matches none (or, with no name, when there are
    none yet). Raises click.ClickException (exit status 1) for a name that matches none
    when `create` is false, naming those there are and `create_hint` (how to create one),
    and for no name when there are several (naming them too); a usage error (exit status
    2) for a name longer than MAX_NAME_LENGTH.
    """
    if name:
        if len(name) > MAX_NAME_LENGTH:
            raise bad_value(
                "--org", f"an organisation name has at most {MAX_NAME_LENGTH} characters"
            )
        org = session.scalar(select(Organization).where(Organization.name == name))
        if org is None and name.isdecimal() and int(name) <= MAX_ROW_ID:
            org = session.get(Organization, int(name))
        if org is None:
            near = session.scalar(
                select(Organization.name).where(func.lower(Organization.name) == name.lower())
            )
            if near is not None:  # never a second organisation differing only in case
                raise click.ClickException(
                    f"no organisation named {name!r}; did you mean {near!r}? "
                    "(names match exactly, capitals included)"
                )
            if not create:
                what = "named or numbered" if name.isdecimal() else "named"
                raise click.ClickException(
                    f"no organisation {what} {name!r}; "
                    + _organisations_known(session)
                    + (f" ({create_hint})" if create_hint else "")
                )
            org = Organization(name=name)
            session.add(org)
        return org
    orgs = session.scalars(select(Organization).limit(2)).all()
    if len(orgs) == 1:
        return orgs[0]
    if not orgs and create:
        org = Organization(name="My organisation")
        session.add(org)
        return org
    raise click.ClickException(
        "say which organisation with --org NAME; " + _organisations_known(session)
    )


def _organisations_known(session) -> str:
    """The names of the organisations there are, for an error that names a wrong one."""
    names = session.scalars(
        select(Organization.name).order_by(Organization.name).limit(NAMES_SHOWN + 1)
    ).all()
    if not names:
        return "there are no organisations yet"
    more = ", ..." if len(names) > NAMES_SHOWN else ""
    return "there are: " + ", ".join(repr(n) for n in names[:NAMES_SHOWN]) + more
