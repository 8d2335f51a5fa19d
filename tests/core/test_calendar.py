"""Tests for the working-day calendar used by SLAs (pure Python, no database)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest
from dateutil.easter import EASTER_ORTHODOX, easter

from alux_crm.core.calendar import WorkingCalendar, _holidays_for_year

BUCHAREST = ZoneInfo("Europe/Bucharest")
BERLIN = ZoneInfo("Europe/Berlin")

RO = WorkingCalendar("RO")


def buc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Aware datetime in Europe/Bucharest wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=BUCHAREST)


# --------------------------------------------------------------------------- holidays


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year
        date(2026, 1, 2),
        date(2026, 1, 24),  # Union of the Principalities (a Saturday)
        date(2026, 4, 10),  # Orthodox Good Friday
        date(2026, 4, 13),  # Orthodox Easter Monday
        date(2026, 5, 1),
        date(2026, 6, 1),  # Children's Day + Pentecost Monday
        date(2026, 11, 30),  # St Andrew
        date(2026, 12, 1),  # National Day
        date(2026, 12, 25),
        date(2026, 12, 26),
    ],
)
def test_romanian_public_holidays_2026(day: date) -> None:
    assert RO.is_holiday(day)
    assert not RO.is_working_day(day)
    assert RO.holiday_name(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 6),  # Western Easter Monday: a working day in Romania
        date(2026, 4, 14),
        date(2026, 12, 2),
        date(2026, 12, 24),
        date(2026, 12, 31),
    ],
)
def test_ordinary_weekdays_are_not_romanian_holidays(day: date) -> None:
    assert day.weekday() < 5
    assert not RO.is_holiday(day)
    assert RO.holiday_name(day) is None
    assert RO.is_working_day(day)


def test_orthodox_easter_monday_matches_independent_computation() -> None:
    for year in (2025, 2026, 2027, 2030):
        easter_monday = easter(year, EASTER_ORTHODOX) + timedelta(days=1)
        assert RO.is_holiday(easter_monday), easter_monday
        assert not RO.is_working_day(easter_monday)
    assert easter(2026, EASTER_ORTHODOX) + timedelta(days=1) == date(2026, 4, 13)


def test_holiday_name_comes_from_the_holidays_package() -> None:
    reference = holidays.country_holidays("RO", years=2026)
    assert RO.holiday_name(date(2026, 12, 1)) == reference[date(2026, 12, 1)]
    assert RO.holiday_name(date(2026, 12, 25)) == reference[date(2026, 12, 25)]
    assert RO.holiday_name(date(2026, 12, 1)) != RO.holiday_name(date(2026, 12, 25))


def test_holidays_are_cached_per_country_subdivision_and_year() -> None:
    RO.is_holiday(date(2031, 1, 1))
    before = _holidays_for_year.cache_info()
    RO.is_holiday(date(2031, 3, 3))
    RO.holiday_name(date(2031, 12, 1))
    after = _holidays_for_year.cache_info()
    assert after.misses == before.misses
    assert after.hits >= before.hits + 2


def test_aware_datetime_is_read_as_local_date() -> None:
    # 23:30 UTC on 30 Nov is 01:30 on 1 Dec (National Day) in Bucharest.
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert RO.holiday_name(moment) == RO.holiday_name(date(2026, 12, 1))
    assert RO.is_holiday(moment)


# ------------------------------------------------------------------------ working days


def test_weekend_is_not_working() -> None:
    assert date(2026, 3, 7).weekday() == 5
    assert not RO.is_working_day(date(2026, 3, 7))
    assert not RO.is_working_day(date(2026, 3, 8))
    assert not RO.is_holiday(date(2026, 3, 7))
    for day in range(2, 7):  # Monday 2 .. Friday 6 March 2026
        assert RO.is_working_day(date(2026, 3, day))


def test_next_working_day() -> None:
    # Fri 27 Nov -> weekend, St Andrew (Mon 30), National Day (Tue 1) -> Wed 2 Dec.
    assert RO.next_working_day(date(2026, 11, 27)) == date(2026, 12, 2)
    assert RO.next_working_day(date(2026, 11, 28), include_today=True) == date(2026, 12, 2)
    assert RO.next_working_day(date(2026, 12, 2)) == date(2026, 12, 3)
    assert RO.next_working_day(date(2026, 12, 2), include_today=True) == date(2026, 12, 2)


def test_previous_working_day() -> None:
    # Wed 2 Dec -> National Day (Tue), St Andrew (Mon), weekend -> Fri 27 Nov.
    assert RO.previous_working_day(date(2026, 12, 2)) == date(2026, 11, 27)
    assert RO.previous_working_day(date(2026, 12, 1), include_today=True) == date(2026, 11, 27)
    assert RO.previous_working_day(date(2026, 12, 2), include_today=True) == date(2026, 12, 2)


def test_add_working_days_skips_weekends() -> None:
    assert RO.add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
    assert RO.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert RO.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)


def test_add_working_days_across_easter_weekend() -> None:
    # Thu 9 Apr 2026, then Good Friday, Sat, Easter Sunday, Easter Monday.
    assert RO.add_working_days(date(2026, 4, 9), 1) == date(2026, 4, 14)
    assert RO.add_working_days(date(2026, 4, 9), 2) == date(2026, 4, 15)
    assert RO.add_working_days(date(2026, 4, 8), 3) == date(2026, 4, 15)


def test_add_working_days_across_new_year_and_epiphany() -> None:
    # 1-2 Jan (Thu-Fri) then weekend; 6-7 Jan (Tue-Wed) are holidays too.
    assert RO.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert RO.add_working_days(date(2026, 1, 5), 1) == date(2026, 1, 8)
    assert RO.add_working_days(date(2025, 12, 31), 3) == date(2026, 1, 9)


def test_add_working_days_backwards() -> None:
    assert RO.add_working_days(date(2026, 4, 14), -1) == date(2026, 4, 9)
    assert RO.add_working_days(date(2026, 4, 14), -3) == date(2026, 4, 7)
    assert RO.add_working_days(date(2026, 3, 9), -1) == date(2026, 3, 6)
    assert RO.add_working_days(date(2026, 3, 8), -1) == date(2026, 3, 6)
    assert RO.add_working_days(date(2026, 1, 8), -2) == date(2025, 12, 31)


def test_add_zero_working_days() -> None:
    assert RO.add_working_days(date(2026, 4, 9), 0) == date(2026, 4, 9)
    assert RO.add_working_days(date(2026, 4, 11), 0) == date(2026, 4, 14)
    assert RO.add_working_days(date(2026, 12, 1), 0) == date(2026, 12, 2)


def test_add_working_days_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        RO.add_working_days(date(2026, 4, 9), 1.5)  # type: ignore[arg-type]


def test_working_days_between() -> None:
    assert RO.working_days_between(date(2026, 4, 9), date(2026, 4, 14)) == 1
    assert RO.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert RO.working_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0
    assert RO.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert RO.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0
    # December 2026: 31 days - 8 weekend days - 1 Dec (Tue) - 25 Dec (Fri) = 21.
    assert RO.working_days_between(date(2026, 11, 30), date(2026, 12, 31)) == 21


@pytest.mark.parametrize(
    "start", [date(2026, 4, 8), date(2026, 4, 11), date(2026, 11, 27), date(2026, 12, 20)]
)
def test_working_days_between_inverts_add_working_days(start: date) -> None:
    for n in range(1, 40):
        end = RO.add_working_days(start, n)
        assert RO.is_working_day(end)
        assert RO.working_days_between(start, end) == n
        assert RO.working_days_between(start, end - timedelta(days=1)) == n - 1
        assert RO.add_working_days(end, -n) == RO.previous_working_day(start, include_today=True)


# ------------------------------------------------------------------------ working hours


def test_friday_afternoon_plus_two_hours_is_monday_morning() -> None:
    deadline = RO.add_working_hours(buc(2026, 3, 6, 16), 2)
    assert deadline == buc(2026, 3, 9, 10)
    assert deadline.weekday() == 0
    assert deadline.tzinfo == BUCHAREST


def test_hours_accepts_float_decimal_and_timedelta() -> None:
    start = buc(2026, 3, 3, 10)
    expected = buc(2026, 3, 3, 11, 30)
    assert RO.add_working_hours(start, 1.5) == expected
    assert RO.add_working_hours(start, Decimal("1.5")) == expected
    assert RO.add_working_hours(start, timedelta(minutes=90)) == expected


def test_start_before_opening_counts_from_opening() -> None:
    assert RO.add_working_hours(buc(2026, 3, 3, 7, 30), 1.5) == buc(2026, 3, 3, 10, 30)


def test_start_at_night_counts_from_next_opening() -> None:
    assert RO.add_working_hours(buc(2026, 3, 3, 22), 3) == buc(2026, 3, 4, 12)
    assert RO.add_working_hours(buc(2026, 3, 4, 2), 3) == buc(2026, 3, 4, 12)
    # Zero hours outside business hours means "at the next opening".
    assert RO.add_working_hours(buc(2026, 3, 6, 18), 0) == buc(2026, 3, 9, 9)


def test_deadline_filling_a_day_ends_at_closing_time() -> None:
    assert RO.add_working_hours(buc(2026, 3, 3, 9), 8) == buc(2026, 3, 3, 17)
    assert RO.add_working_hours(buc(2026, 3, 3, 9), timedelta(hours=8, minutes=1)) == buc(
        2026, 3, 4, 9, 1
    )


def test_add_working_hours_over_several_days() -> None:
    # Mon 8h + Tue 8h + Wed 4h.
    assert RO.add_working_hours(buc(2026, 3, 2, 9), 20) == buc(2026, 3, 4, 13)
    # One full working week from Monday opening ends on Friday closing.
    assert RO.add_working_hours(buc(2026, 3, 2, 9), 40) == buc(2026, 3, 6, 17)


def test_add_working_hours_across_easter_holidays() -> None:
    # Thu 9 Apr 15:00 + 4h: 2h on Thursday, then Good Friday .. Easter Monday are skipped.
    assert RO.add_working_hours(buc(2026, 4, 9, 15), 4) == buc(2026, 4, 14, 11)


def test_add_working_hours_across_national_day() -> None:
    assert RO.add_working_hours(buc(2026, 11, 27, 16), 2) == buc(2026, 12, 2, 10)


def test_start_in_another_time_zone_is_converted() -> None:
    # 14:00 UTC on Fri 6 Mar 2026 is 16:00 in Bucharest (EET, UTC+2).
    deadline = RO.add_working_hours(datetime(2026, 3, 6, 14, tzinfo=UTC), 2)
    assert deadline == buc(2026, 3, 9, 10)
    assert deadline.tzinfo == BUCHAREST
    assert (deadline.hour, deadline.minute) == (10, 0)


def test_autumn_dst_change_keeps_opening_at_local_nine() -> None:
    # Clocks go back on Sun 25 Oct 2026: Friday is EEST (+3), Monday is EET (+2).
    start = buc(2026, 10, 23, 16)
    deadline = RO.add_working_hours(start, 2)
    assert (deadline.date(), deadline.hour, deadline.minute) == (date(2026, 10, 26), 10, 0)
    assert start.utcoffset() == timedelta(hours=3)
    assert deadline.utcoffset() == timedelta(hours=2)
    # 66 wall-clock hours + the repeated hour (subtract in UTC: same-tzinfo subtraction is naive).
    assert deadline.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=67)
    assert deadline.astimezone(UTC) == datetime(2026, 10, 26, 8, tzinfo=UTC)
    assert RO.working_hours_between(start, deadline) == timedelta(hours=2)


def test_spring_dst_change_keeps_opening_at_local_nine() -> None:
    # Clocks go forward on Sun 29 Mar 2026: Friday is EET (+2), Monday is EEST (+3).
    start = buc(2026, 3, 27, 16)
    deadline = RO.add_working_hours(start, 2)
    assert (deadline.date(), deadline.hour, deadline.minute) == (date(2026, 3, 30), 10, 0)
    assert deadline.utcoffset() == timedelta(hours=3)
    assert deadline.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=65)
    assert deadline.astimezone(UTC) == datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert RO.working_hours_between(start, deadline) == timedelta(hours=2)


def test_dst_change_inside_business_hours_counts_real_elapsed_time() -> None:
    # A 7-day calendar open from midnight: on 29 Mar 2026 the hour 03:00-04:00 does not exist,
    # so five business hours after midnight is 06:00 local (22:00Z + 5h = 03:00Z).
    always_open = WorkingCalendar(
        "RO", weekend=frozenset(), day_start=time(0, 0), day_end=time(23, 0)
    )
    deadline = always_open.add_working_hours(buc(2026, 3, 29, 0), 5)
    assert deadline == datetime(2026, 3, 29, 3, tzinfo=UTC)
    assert (deadline.hour, deadline.utcoffset()) == (6, timedelta(hours=3))
    # That day is only 22 real hours long between 00:00 and 23:00 local time.
    assert always_open.working_hours_between(buc(2026, 3, 29, 0), buc(2026, 3, 30, 0)) == (
        timedelta(hours=22)
    )


def test_working_hours_between() -> None:
    assert RO.working_hours_between(buc(2026, 3, 6, 16), buc(2026, 3, 9, 10)) == timedelta(hours=2)
    assert RO.working_hours_between(buc(2026, 3, 3, 10), buc(2026, 3, 3, 10, 45)) == timedelta(
        minutes=45
    )
    # A calendar week contains 5 x 8 business hours.
    assert RO.working_hours_between(buc(2026, 3, 2), buc(2026, 3, 9)) == timedelta(hours=40)
    # Easter week: Good Friday and Easter Monday are holidays -> Mon-Thu only.
    assert RO.working_hours_between(buc(2026, 4, 6), buc(2026, 4, 13, 23)) == timedelta(hours=32)
    # Entirely outside business hours.
    assert RO.working_hours_between(buc(2026, 3, 3, 18), buc(2026, 3, 4, 8)) == timedelta(0)
    assert RO.working_hours_between(buc(2026, 3, 7, 10), buc(2026, 3, 8, 16)) == timedelta(0)


def test_working_hours_between_is_zero_when_end_not_after_start() -> None:
    assert RO.working_hours_between(buc(2026, 3, 3, 12), buc(2026, 3, 3, 12)) == timedelta(0)
    assert RO.working_hours_between(buc(2026, 3, 4, 12), buc(2026, 3, 3, 12)) == timedelta(0)


def test_working_hours_between_accepts_mixed_time_zones() -> None:
    start = datetime(2026, 3, 3, 8, tzinfo=UTC)  # 10:00 Bucharest
    end = buc(2026, 3, 3, 12)
    assert RO.working_hours_between(start, end) == timedelta(hours=2)


SLA_STARTS = [
    buc(2026, 3, 2, 9),  # Monday opening
    buc(2026, 3, 6, 16),  # Friday afternoon
    buc(2026, 3, 7, 11),  # Saturday
    buc(2026, 3, 27, 13, 17),  # Friday before the spring DST change
    buc(2026, 4, 9, 16, 59),  # Thursday before Orthodox Easter
    buc(2026, 10, 23, 8),  # Friday before the autumn DST change, before opening
    buc(2026, 12, 24, 23, 30),  # Christmas Eve night
    datetime(2026, 11, 27, 12, 5, tzinfo=UTC),  # foreign time zone, before National Day
]
SLA_DURATIONS = [0, 0.25, 1, 2, 7.5, 8, 8.01, 17, 40, 100.5]


@pytest.mark.parametrize("start", SLA_STARTS, ids=lambda s: s.isoformat())
@pytest.mark.parametrize("hours", SLA_DURATIONS)
def test_working_hours_between_inverts_add_working_hours(start: datetime, hours: float) -> None:
    deadline = RO.add_working_hours(start, hours)
    assert deadline >= start
    assert RO.working_hours_between(start, deadline) == timedelta(hours=hours)
    if hours > 0:
        # The deadline is the earliest moment with that much business time elapsed.
        assert RO.working_hours_between(start, deadline - timedelta(minutes=1)) < timedelta(
            hours=hours
        )
        assert RO.is_within_business_hours(deadline - timedelta(microseconds=1))


@pytest.mark.parametrize("start", SLA_STARTS, ids=lambda s: s.isoformat())
def test_add_working_hours_inverts_working_hours_between(start: datetime) -> None:
    for end in (buc(2027, 1, 4, 9, 30), buc(2027, 1, 5, 16), buc(2027, 2, 1, 12, 45)):
        assert RO.is_within_business_hours(end)
        assert RO.add_working_hours(start, RO.working_hours_between(start, end)) == end


def test_is_within_business_hours() -> None:
    assert RO.is_within_business_hours(buc(2026, 3, 3, 9))
    assert RO.is_within_business_hours(buc(2026, 3, 3, 16, 59))
    assert not RO.is_within_business_hours(buc(2026, 3, 3, 17))
    assert not RO.is_within_business_hours(buc(2026, 3, 3, 8, 59))
    assert not RO.is_within_business_hours(buc(2026, 3, 7, 12))  # Saturday
    assert not RO.is_within_business_hours(buc(2026, 12, 1, 12))  # National Day
    assert RO.is_within_business_hours(datetime(2026, 3, 3, 7, 30, tzinfo=UTC))  # 09:30 local
    assert not RO.is_within_business_hours(datetime(2026, 3, 3, 6, 30, tzinfo=UTC))  # 08:30
    assert RO.is_within_business_hours(datetime(2026, 10, 26, 7, tzinfo=UTC))  # 09:00 EET
    assert not RO.is_within_business_hours(datetime(2026, 10, 26, 6, 30, tzinfo=UTC))


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 3, 3, 10)
    aware = buc(2026, 3, 3, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        RO.add_working_hours(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        RO.working_hours_between(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        RO.working_hours_between(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        RO.is_within_business_hours(naive)


@pytest.mark.parametrize("hours", [-1, -0.5, Decimal(-2), timedelta(hours=-1)])
def test_negative_durations_are_rejected(hours: object) -> None:
    with pytest.raises(ValueError, match="negative"):
        RO.add_working_hours(buc(2026, 3, 3, 10), hours)  # type: ignore[arg-type]


@pytest.mark.parametrize("hours", [float("nan"), float("inf"), Decimal("NaN")])
def test_non_finite_durations_are_rejected(hours: object) -> None:
    with pytest.raises(ValueError, match="finite"):
        RO.add_working_hours(buc(2026, 3, 3, 10), hours)  # type: ignore[arg-type]


@pytest.mark.parametrize("hours", ["2", None, True])
def test_non_numeric_durations_are_rejected(hours: object) -> None:
    with pytest.raises(TypeError):
        RO.add_working_hours(buc(2026, 3, 3, 10), hours)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"country": "XX"}, "Unknown country code 'XX'"),
        ({"country": ""}, "country"),
        ({"country": "DE", "subdivision": "ZZ"}, "Unknown subdivision 'ZZ'"),
        ({"country": "RO", "day_start": time(17), "day_end": time(9)}, "day_start"),
        ({"country": "RO", "day_start": time(9), "day_end": time(9)}, "day_start"),
        ({"country": "RO", "weekend": frozenset({5, 7})}, "0..6"),
        ({"country": "RO", "weekend": frozenset({-1})}, "0..6"),
        ({"country": "RO", "weekend": frozenset(range(7))}, "every day"),
        ({"country": "RO", "time_zone": "Mars/Olympus_Mons"}, "time zone"),
        ({"country": "RO", "time_zone": ""}, "time zone"),
        ({"country": "RO", "day_start": time(9, tzinfo=UTC)}, "naive"),
    ],
)
def test_invalid_configuration_is_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"extra_holidays": frozenset({datetime(2026, 12, 24, 12)})}, "dates only"),
        ({"extra_holidays": frozenset({"2026-12-24"})}, "dates only"),
        ({"day_start": "09:00"}, "datetime.time"),
        ({"time_zone": None}, "IANA"),
    ],
)
def test_wrongly_typed_configuration_is_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        WorkingCalendar("RO", **kwargs)  # type: ignore[arg-type]


def test_configuration_is_normalised() -> None:
    calendar = WorkingCalendar(
        " ro ", subdivision="", weekend={6, 5}, extra_holidays=[date(2026, 12, 24)]
    )  # type: ignore[arg-type]
    assert calendar.country == "RO"
    assert calendar.subdivision is None
    assert calendar.weekend == frozenset({5, 6})
    assert isinstance(calendar.extra_holidays, frozenset)
    assert calendar == WorkingCalendar("RO", extra_holidays=frozenset({date(2026, 12, 24)}))
    assert hash(calendar) == hash(
        WorkingCalendar("RO", extra_holidays=frozenset({date(2026, 12, 24)}))
    )


def test_calendar_is_frozen_and_has_expected_defaults() -> None:
    assert RO.subdivision is None
    assert RO.weekend == frozenset({5, 6})
    assert (RO.day_start, RO.day_end) == (time(9), time(17))
    assert RO.time_zone == "Europe/Bucharest"
    assert RO.extra_holidays == frozenset()
    with pytest.raises(dataclasses.FrozenInstanceError):
        RO.country = "DE"  # type: ignore[misc]


def test_extra_holidays_are_closing_days() -> None:
    christmas_eve = date(2026, 12, 24)
    calendar = WorkingCalendar("RO", extra_holidays=frozenset({christmas_eve, date(2026, 12, 31)}))
    assert RO.is_working_day(christmas_eve)
    assert not calendar.is_working_day(christmas_eve)
    assert not calendar.is_working_day(date(2026, 12, 31))
    # Operator closing days are not public holidays.
    assert not calendar.is_holiday(christmas_eve)
    assert calendar.holiday_name(christmas_eve) is None

    assert RO.add_working_days(date(2026, 12, 23), 1) == christmas_eve
    assert calendar.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert calendar.add_working_days(date(2026, 12, 28), -1) == date(2026, 12, 23)
    # 24, 28, 29, 30, 31 Dec and 4 Jan (1 Jan is a holiday, 2-3 Jan a weekend).
    assert RO.working_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 6
    assert calendar.working_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 4

    assert RO.add_working_hours(buc(2026, 12, 23, 16), 2) == buc(2026, 12, 24, 10)
    assert calendar.add_working_hours(buc(2026, 12, 23, 16), 2) == buc(2026, 12, 28, 10)
    assert not calendar.is_within_business_hours(buc(2026, 12, 24, 12))


def test_german_calendar_with_bavarian_subdivision() -> None:
    bavaria = WorkingCalendar("DE", subdivision="BY", time_zone="Europe/Berlin")
    berlin = WorkingCalendar("DE", subdivision="BE", time_zone="Europe/Berlin")

    # Western Easter Monday is a holiday in Germany but not in Romania, and vice versa.
    assert bavaria.is_holiday(date(2026, 4, 6))
    assert not RO.is_holiday(date(2026, 4, 6))
    assert not bavaria.is_holiday(date(2026, 4, 13))
    assert bavaria.is_working_day(date(2026, 12, 1))
    # Corpus Christi (Thu 4 Jun 2026) is a holiday in Bavaria but not in Berlin.
    assert bavaria.is_holiday(date(2026, 6, 4))
    assert not berlin.is_holiday(date(2026, 6, 4))

    assert bavaria.add_working_days(date(2026, 6, 3), 1) == date(2026, 6, 5)
    assert berlin.add_working_days(date(2026, 6, 3), 1) == date(2026, 6, 4)
    start = datetime(2026, 6, 3, 16, tzinfo=BERLIN)
    deadline = bavaria.add_working_hours(start, 2)
    assert deadline == datetime(2026, 6, 5, 10, tzinfo=BERLIN)
    assert deadline.tzinfo == BERLIN
    assert berlin.add_working_hours(start, 2) == datetime(2026, 6, 4, 10, tzinfo=BERLIN)


def test_custom_friday_saturday_weekend() -> None:
    calendar = WorkingCalendar("RO", weekend=frozenset({4, 5}))
    assert not calendar.is_working_day(date(2026, 3, 6))  # Friday
    assert not calendar.is_working_day(date(2026, 3, 7))  # Saturday
    assert calendar.is_working_day(date(2026, 3, 8))  # Sunday
    assert calendar.is_working_day(date(2026, 3, 5))  # Thursday
    assert calendar.add_working_days(date(2026, 3, 5), 1) == date(2026, 3, 8)
    assert calendar.add_working_days(date(2026, 3, 8), -1) == date(2026, 3, 5)
    assert calendar.working_days_between(date(2026, 3, 1), date(2026, 3, 8)) == 5
    assert calendar.add_working_hours(buc(2026, 3, 5, 16), 2) == buc(2026, 3, 8, 10)
    assert calendar.is_within_business_hours(buc(2026, 3, 8, 12))
    assert not calendar.is_within_business_hours(buc(2026, 3, 6, 12))


def test_custom_business_hours() -> None:
    calendar = WorkingCalendar("RO", day_start=time(8, 30), day_end=time(12, 0))
    assert calendar.add_working_hours(buc(2026, 3, 3, 11), 2) == buc(2026, 3, 4, 9, 30)
    assert calendar.working_hours_between(buc(2026, 3, 2), buc(2026, 3, 9)) == timedelta(
        hours=17, minutes=30
    )
    assert not calendar.is_within_business_hours(buc(2026, 3, 3, 12))
    assert calendar.is_within_business_hours(buc(2026, 3, 3, 8, 30))


@pytest.mark.django_db
def test_operator_calendar_follows_the_operator_settings(django_capture_on_commit_callbacks):
    from alux_crm.core.selectors import working_calendar
    from alux_crm.core.services import operator_settings_update

    calendar = working_calendar()
    assert calendar.country == "RO"
    assert not calendar.is_working_day(date(2026, 12, 1))  # Romania's national day
    assert calendar.is_working_day(date(2026, 5, 25))  # Whit Monday is not a holiday in RO
    with django_capture_on_commit_callbacks(execute=True):
        operator_settings_update(
            actor=None, country="DE", time_zone="Europe/Berlin", business_day_start=time(8, 0)
        )
    calendar = working_calendar()
    assert calendar.is_working_day(date(2026, 12, 1))
    assert not calendar.is_working_day(date(2026, 5, 25))  # Whit Monday in Germany
    assert calendar.day_start == time(8, 0)
