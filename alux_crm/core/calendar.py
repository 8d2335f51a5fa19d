"""Working-day calendar used to compute SLAs.

Service-level agreements in the CRM (ticket response and resolution times,
provisioning deadlines, callback promises, ...) are expressed in *working days*
or *business hours* of the operator's country rather than in plain elapsed
time. This module answers questions such as "is 1 December a working day?",
"what is the date three working days after this one?" or "when does a
four-business-hour SLA opened on Friday at 16:00 expire?".

There is one calendar for the whole system: the operator's country (and
optional subdivision) selects the public holidays, supplied by the ``holidays``
package, and the operator can declare additional closing days, a different
weekend and different opening hours. A factory in the core app builds a
:class:`WorkingCalendar` from the operator settings; this module itself is pure
Python and deliberately has no Django dependency, so it can be unit tested and
reused (Celery tasks, reports) without a configured project.

Time handling:

* Business hours are a daily window ``[day_start, day_end)`` of *local
  wall-clock* time in the calendar's time zone, applied to every working day.
* All public methods taking a moment require timezone-aware datetimes (naive
  values are ambiguous and are rejected with ``ValueError``); they are
  converted to the calendar's time zone, and results are returned as aware
  datetimes in that time zone.
* Each day's opening and closing instants are obtained by combining the local
  date with ``day_start``/``day_end`` and localising with :mod:`zoneinfo`, so a
  daylight-saving change between two days never shifts the opening hour.
  Business time *inside* a window is the real time elapsed between instants
  (computed in UTC). For the usual configuration, where the DST switch happens
  at night outside business hours, this is identical to wall-clock time.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = ["WorkingCalendar"]

_ONE_DAY = timedelta(days=1)
_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


@lru_cache(maxsize=256)
def _holidays_for_year(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """Return the public holidays of ``country``/``subdivision`` in ``year``.

    The result is cached per ``(country, subdivision, year)`` and returned as a
    read-only mapping of date to holiday name (several names on the same day
    are joined with ``"; "`` by the ``holidays`` package).
    """
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return MappingProxyType(dict(calendar.items()))


@lru_cache(maxsize=64)
def _check_holiday_entity(country: str, subdivision: str | None) -> None:
    """Raise ``ValueError`` if ``holidays`` does not know the country/subdivision."""
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        supported = holidays.list_supported_countries()
        if country not in supported:
            raise ValueError(
                f"Unknown country code {country!r}: the holidays package has no calendar "
                "for it (expected an ISO 3166-1 alpha-2 code such as 'RO')."
            ) from exc
        subdivisions = ", ".join(supported[country]) or "none"
        raise ValueError(
            f"Unknown subdivision {subdivision!r} for country {country!r} "
            f"(supported subdivisions: {subdivisions})."
        ) from exc


def _require_aware(moment: datetime, name: str) -> datetime:
    """Return ``moment`` as a UTC datetime, rejecting naive or non-datetime values."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment!r}.")
    return moment.astimezone(UTC)


def _as_timedelta(hours: float | Decimal | timedelta) -> timedelta:
    """Convert an hour count (or a timedelta) to a non-negative timedelta."""
    if isinstance(hours, timedelta):
        duration = hours
    elif isinstance(hours, bool):
        raise TypeError("hours must be a number of hours or a timedelta, not a bool.")
    elif isinstance(hours, Decimal):
        if not hours.is_finite():
            raise ValueError(f"hours must be finite, got {hours}.")
        micros = (hours * _MICROSECONDS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN)
        duration = timedelta(microseconds=int(micros))
    elif isinstance(hours, int | float):
        if not math.isfinite(hours):
            raise ValueError(f"hours must be finite, got {hours}.")
        duration = timedelta(hours=hours)
    else:
        raise TypeError(
            f"hours must be an int, float, Decimal or timedelta, got {type(hours).__name__}."
        )
    if duration < timedelta(0):
        raise ValueError(f"hours must not be negative, got {hours!r}.")
    return duration


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and business hours of the operator's country.

    Attributes:
        country: ISO 3166-1 alpha-2 code known to the ``holidays`` package
            (e.g. ``"RO"``); normalised to upper case.
        subdivision: Optional subdivision code as defined by ``holidays``
            (e.g. ``"BY"`` for Bavaria); an empty string means none.
        weekend: Weekday numbers (Monday=0 ... Sunday=6) that are never
            working days.
        day_start: Local opening time of each working day (naive ``time``).
        day_end: Local closing time of each working day; must be after
            ``day_start`` (business hours are ``[day_start, day_end)``).
        time_zone: IANA time zone name the hours refer to.
        extra_holidays: Operator-declared closing days on top of the public
            holidays.
    """

    country: str
    subdivision: str | None = None
    weekend: frozenset[int] = frozenset({5, 6})
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    time_zone: str = "Europe/Bucharest"
    extra_holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        """Validate and normalise the configuration.

        Raises ``ValueError`` for invalid values and ``TypeError`` for values of the wrong type.
        """
        if not isinstance(self.country, str) or not self.country.strip():
            raise ValueError(f"country must be a non-empty ISO country code, got {self.country!r}.")
        object.__setattr__(self, "country", self.country.strip().upper())

        subdivision = self.subdivision
        if subdivision is not None:
            if not isinstance(subdivision, str):
                raise ValueError(f"subdivision must be a string or None, got {subdivision!r}.")
            subdivision = subdivision.strip() or None
        object.__setattr__(self, "subdivision", subdivision)

        try:
            weekend = frozenset(self.weekend)
        except TypeError as exc:
            raise ValueError(
                f"weekend must be a set of weekday numbers, got {self.weekend!r}."
            ) from exc
        for day in weekend:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError(
                    f"weekend values must be weekday numbers 0..6 (Monday=0), got {day!r}."
                )
        if len(weekend) == 7:
            raise ValueError("weekend cannot contain every day of the week.")
        object.__setattr__(self, "weekend", weekend)

        for name in ("day_start", "day_end"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise TypeError(f"{name} must be a datetime.time, got {value!r}.")
            if value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive local time, got {value!r}.")
        if not self.day_start < self.day_end:
            raise ValueError(
                f"day_start ({self.day_start.isoformat()}) must be before "
                f"day_end ({self.day_end.isoformat()})."
            )

        if not isinstance(self.time_zone, str):
            raise TypeError(f"time_zone must be an IANA time zone name, got {self.time_zone!r}.")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from exc

        try:
            extra = frozenset(self.extra_holidays)
        except TypeError as exc:
            raise ValueError(
                f"extra_holidays must be a set of dates, got {self.extra_holidays!r}."
            ) from exc
        for day in extra:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"extra_holidays must contain dates only, got {day!r}.")
        object.__setattr__(self, "extra_holidays", extra)

        _check_holiday_entity(self.country, self.subdivision)

    # ------------------------------------------------------------------ helpers

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's time zone as a :class:`zoneinfo.ZoneInfo`."""
        return ZoneInfo(self.time_zone)

    def _as_date(self, d: date) -> date:
        """Return ``d`` as a plain date (aware datetimes use the calendar's local date)."""
        if isinstance(d, datetime):
            if d.tzinfo is not None and d.utcoffset() is not None:
                return d.astimezone(self.tz).date()
            return d.date()
        if isinstance(d, date):
            return d
        raise TypeError(f"Expected a date, got {type(d).__name__}.")

    def _local_date(self, instant_utc: datetime) -> date:
        """Local calendar date of a UTC instant."""
        return instant_utc.astimezone(self.tz).date()

    def _window(self, d: date) -> tuple[datetime, datetime]:
        """Opening and closing instants (in UTC) of day ``d``'s business hours."""
        tz = self.tz
        opening = datetime.combine(d, self.day_start, tzinfo=tz).astimezone(UTC)
        closing = datetime.combine(d, self.day_end, tzinfo=tz).astimezone(UTC)
        return opening, max(opening, closing)

    def _working_windows(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        """Yield the business-hour windows of working days from ``first_day`` onwards."""
        day = first_day
        while True:
            if self.is_working_day(day):
                yield self._window(day)
            day += _ONE_DAY

    # ------------------------------------------------------------------- days

    def is_holiday(self, d: date) -> bool:
        """Return True if ``d`` is a public holiday of the country/subdivision.

        Operator-declared ``extra_holidays`` are not public holidays; they are
        taken into account by :meth:`is_working_day`.
        """
        d = self._as_date(d)
        return d in _holidays_for_year(self.country, self.subdivision, d.year)

    def holiday_name(self, d: date) -> str | None:
        """Return the public holiday name(s) of ``d`` (joined with ``"; "``), or None."""
        d = self._as_date(d)
        return _holidays_for_year(self.country, self.subdivision, d.year).get(d)

    def is_working_day(self, d: date) -> bool:
        """Return True if ``d`` is neither a weekend day, a public holiday nor an extra holiday."""
        d = self._as_date(d)
        return (
            d.weekday() not in self.weekend
            and d not in self.extra_holidays
            and not self.is_holiday(d)
        )

    def next_working_day(self, d: date, include_today: bool = False) -> date:
        """Return the first working day after ``d`` (or ``d`` itself if ``include_today``)."""
        day = self._as_date(d)
        if include_today and self.is_working_day(day):
            return day
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, d: date, include_today: bool = False) -> date:
        """Return the last working day before ``d`` (or ``d`` itself if ``include_today``)."""
        day = self._as_date(d)
        if include_today and self.is_working_day(day):
            return day
        day -= _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def add_working_days(self, d: date, n: int) -> date:
        """Return the date ``n`` working days after ``d`` (before it if ``n`` is negative).

        ``d`` itself need not be a working day: ``n=1`` gives the first working
        day strictly after ``d`` and ``n=-1`` the last one strictly before it.
        ``n=0`` returns ``d`` if it is a working day, otherwise the next working
        day. For ``n >= 1`` (and ``n == 0`` on a working day),
        ``working_days_between(d, result) == n``.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, got {type(n).__name__}.")
        day = self._as_date(d)
        if n == 0:
            return self.next_working_day(day, include_today=True)
        step = self.next_working_day if n > 0 else self.previous_working_day
        for _ in range(abs(n)):
            day = step(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count the working days in the half-open interval ``(start, end]``.

        Returns 0 when ``end <= start``.
        """
        start, end = self._as_date(start), self._as_date(end)
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += _ONE_DAY
        return count

    # ------------------------------------------------------------------ hours

    def is_within_business_hours(self, moment: datetime) -> bool:
        """Return True if the aware ``moment`` falls in business hours of a working day.

        Business hours are half-open: the opening instant is inside, the
        closing instant is not.
        """
        instant = _require_aware(moment, "moment")
        day = self._local_date(instant)
        if not self.is_working_day(day):
            return False
        opening, closing = self._window(day)
        return opening <= instant < closing

    def add_working_hours(self, start: datetime, hours: float | Decimal | timedelta) -> datetime:
        """Return the deadline ``hours`` business hours after ``start``.

        Only business hours of working days are counted; a ``start`` outside
        business hours counts from the next opening. ``hours`` may be an int,
        float or Decimal number of hours, or a timedelta, and must not be
        negative. A deadline that exhausts a day exactly lands on that day's
        closing time (not on the next opening).

        Raises ``ValueError`` if ``start`` is naive. The result is an aware
        datetime in the calendar's time zone.
        """
        instant = _require_aware(start, "start")
        remaining = _as_timedelta(hours)
        for opening, closing in self._working_windows(self._local_date(instant)):
            if closing <= instant:
                continue
            begin = max(instant, opening)
            available = closing - begin
            if remaining <= available:
                return (begin + remaining).astimezone(self.tz)
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover - the generator is infinite

    def working_hours_between(self, start: datetime, end: datetime) -> timedelta:
        """Return the business time elapsed between two aware datetimes.

        Only the parts of ``[start, end]`` that fall in business hours of
        working days are counted. Returns ``timedelta(0)`` when
        ``end <= start``. This is the inverse of :meth:`add_working_hours`:
        ``working_hours_between(s, add_working_hours(s, h)) == h``.
        """
        start_utc = _require_aware(start, "start")
        end_utc = _require_aware(end, "end")
        total = timedelta(0)
        if end_utc <= start_utc:
            return total
        day = self._local_date(start_utc)
        last_day = self._local_date(end_utc)
        while day <= last_day:
            if self.is_working_day(day):
                opening, closing = self._window(day)
                overlap = min(closing, end_utc) - max(opening, start_utc)
                if overlap > timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total
