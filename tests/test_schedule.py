from facilities.models import Session
from tests.conftest import make_program

EVENINGS = [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("thu", "18:00", "21:00")]


def test_days_and_hours_a_week_come_from_the_sessions(db):
    program = make_program(sessions=EVENINGS)
    assert (program.days_per_week, program.hours_per_week) == (3, 9.0)


def test_time_of_day_buckets_come_from_session_starts(db):
    program = make_program(
        sessions=[("tue", "09:00", "12:00"), ("thu", "13:00", "16:00"), ("sat", "10:00", "13:00")]
    )
    assert program.time_of_day == ["morning", "afternoon", "weekend"]


def test_a_session_starting_at_five_pm_is_evening_not_afternoon(db):
    program = make_program(sessions=[("mon", "17:00", "20:00")])
    assert program.time_of_day == ["evening"]


def test_two_sessions_on_one_day_count_as_one_day(db):
    program = make_program(sessions=[("mon", "09:00", "11:00"), ("mon", "13:00", "15:00")])
    assert (program.days_per_week, program.hours_per_week) == (1, 4.0)


def test_adding_a_session_updates_the_stored_facts(db):
    program = make_program(sessions=EVENINGS)
    Session.objects.create(program=program, weekday=5, start_time="10:00", end_time="13:30")
    program.refresh_from_db()
    assert (program.days_per_week, program.hours_per_week, program.offers_weekend) == (
        4,
        12.5,
        True,
    )


def test_editing_a_session_updates_the_stored_facts(db):
    program = make_program(sessions=EVENINGS)
    session = program.sessions.get(weekday=0)
    session.start_time, session.end_time = "08:00", "10:00"
    session.save()
    program.refresh_from_db()
    assert (program.hours_per_week, program.time_of_day) == (8.0, ["morning", "evening"])


def test_deleting_sessions_updates_the_stored_facts(db):
    program = make_program(sessions=EVENINGS)
    program.sessions.filter(weekday__in=[0, 2]).delete()
    program.refresh_from_db()
    assert (program.days_per_week, program.hours_per_week) == (1, 3.0)


def test_an_adult_program_under_nine_hours_is_below_the_iop_minimum(db):
    program = make_program(sessions=EVENINGS[:2], age_min=18)
    assert program.below_iop_minimum


def test_an_adolescent_program_needs_only_six_hours(db):
    program = make_program(sessions=EVENINGS[:2], age_min=12, age_max=17)
    assert not program.below_iop_minimum
