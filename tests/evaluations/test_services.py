"""The rules of evaluations through the services, and the pooled figures against hand-computed values."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError

from ecommunity.database import utcnow
from ecommunity.evaluations.models import (
    Evaluation,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationStatus,
    SessionRating,
)
from ecommunity.evaluations.services import (
    Answers,
    EvaluationInvalid,
    EvaluationUnavailable,
    TopicData,
    check_may_answer,
    close_evaluation,
    create_evaluation,
    csv_text,
    evaluations_of,
    invite_participants,
    open_evaluation,
    overview,
    overview_csv,
    results,
    results_csv,
    save_response,
    update_evaluation,
)
from ecommunity.extensions import db
from ecommunity.mail.models import OutboxMessage
from ecommunity.workshops.models import Registration
from tests.evaluations.conftest import TOPICS, workshop_event


def answers(evaluation, ratings=(), levels=(), comments=""):
    """Answers given by position: ratings[i] for session i, levels[j] = (before, after) for topic j."""
    return Answers(
        ratings={s.id: r for s, r in zip(evaluation.sessions, ratings, strict=False)},
        assessments={t.id: lv for t, lv in zip(evaluation.topics, levels, strict=False)},
        comments=comments,
    )


# --- preparing and opening -----------------------------------------------------------------------


def test_only_workshops_get_an_evaluation_and_only_one(app, ctx):
    webinar = workshop_event(event_type="webinar")
    with pytest.raises(EvaluationInvalid) as problem:
        create_evaluation(webinar, TOPICS)
    assert "topics" in problem.value.errors
    workshop = workshop_event()
    create_evaluation(workshop, TOPICS)
    with pytest.raises(EvaluationInvalid):
        create_evaluation(workshop, TOPICS)
    db.session.add(Evaluation(event_id=workshop.id, closes_at=utcnow()))
    with pytest.raises(IntegrityError):  # held by the database as well
        db.session.flush()
    db.session.rollback()


def test_topics_blank_rows_are_dropped_and_closing_must_follow_the_workshop(app, ctx):
    event = workshop_event()
    evaluation = create_evaluation(event, [TopicData(""), *TOPICS, TopicData("  ")])
    assert [t.title_en for t in evaluation.topics] == ["National reporting", "Negotiating at a COP"]
    assert evaluation.closes_at == event.ends_at + timedelta(days=21)
    with pytest.raises(EvaluationInvalid) as problem:
        update_evaluation(evaluation, TOPICS, event.ends_at - timedelta(hours=1))
    assert "closes_on" in problem.value.errors
    with pytest.raises(EvaluationInvalid) as problem:
        update_evaluation(evaluation, [TopicData("", "Sans titre anglais")], evaluation.closes_at)
    assert "topics-0-title_en" in problem.value.errors


def test_an_evaluation_opens_only_after_the_workshop_ended(app, ctx, make_workshop, make_participant):
    workshop = make_workshop(days_from_now=5)
    make_participant(workshop)
    evaluation = create_evaluation(workshop.event, TOPICS)
    with pytest.raises(EvaluationInvalid) as problem:
        open_evaluation(evaluation)
    assert "not ended" in str(problem.value.errors["status"])
    assert evaluation.status == EvaluationStatus.DRAFT
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationInvitation)) == 0


def test_opening_copies_the_agenda_and_invites_confirmed_participants_in_their_language(
        app, ctx, make_workshop, make_participant, make_user):
    workshop = make_workshop(sessions=3, capacity=2)
    english = make_participant(workshop, language="en")
    french = make_participant(workshop, language="fr", full_name="Moussa Ndiaye")
    from ecommunity.workshops.services import register

    waiting = make_user()
    assert register(workshop, waiting, on_behalf=True).state == "waitlisted"  # no seat left
    db.session.query(OutboxMessage).delete()
    evaluation = create_evaluation(workshop.event, TOPICS)

    assert open_evaluation(evaluation) == 2
    db.session.commit()

    assert [s.title for s in evaluation.sessions] == ["Session 1", "Session 2", "Session 3"]
    assert [s.agenda_session_id for s in evaluation.sessions] == [s.id for s in workshop.event.sessions]
    mails = {m.recipient: m for m in db.session.scalars(db.select(OutboxMessage))}
    assert set(mails) == {english.email, french.email}
    assert mails[english.email].subject.startswith("How was the workshop?")
    assert "Bonjour Moussa Ndiaye" in mails[french.email].body_text
    assert f"/evaluations/{evaluation.id}/answer" in mails[french.email].body_text
    # Inviting again sends nothing to those already invited.
    assert invite_participants(evaluation) == 0


def test_the_agenda_changing_later_keeps_the_ratings(app, ctx, make_workshop, make_participant,
                                                      open_evaluation_of):
    from ecommunity.events.services import event_data_from, update_event

    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    save_response(evaluation, person, answers(evaluation, ratings=[4, 5, 3]))
    db.session.commit()
    data = event_data_from(workshop.event)
    data.sessions[0].title = "Opening, renamed"
    update_event(workshop.event, data)  # the events code replaces every agenda row
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(SessionRating)) == 3
    assert results(evaluation).sessions[0].distribution == [0, 0, 0, 1, 0]


# --- who may answer, and when -------------------------------------------------------------------


def test_who_may_answer_and_when(app, ctx, make_workshop, make_participant, make_user):
    workshop = make_workshop()
    person = make_participant(workshop)
    stranger = make_user()
    evaluation = create_evaluation(workshop.event, TOPICS)
    db.session.commit()

    with pytest.raises(EvaluationUnavailable) as problem:  # still a draft
        check_may_answer(evaluation, person)
    assert problem.value.status == 409
    open_evaluation(evaluation, notify=False)
    check_may_answer(evaluation, person)
    with pytest.raises(EvaluationUnavailable) as problem:
        check_may_answer(evaluation, stranger)
    assert problem.value.status == 403
    with pytest.raises(EvaluationUnavailable) as problem:  # past the deadline
        check_may_answer(evaluation, person, now=evaluation.closes_at)
    assert problem.value.status == 409
    close_evaluation(evaluation)
    with pytest.raises(EvaluationUnavailable) as problem:
        save_response(evaluation, person, answers(evaluation, ratings=[5]))
    assert problem.value.status == 409


def test_a_withdrawn_participant_may_not_answer(app, ctx, make_workshop, make_participant, open_evaluation_of):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    registration = db.session.scalar(db.select(Registration).filter_by(user_id=person.id))
    registration.state = "withdrawn"  # the workshops refuse withdrawals once a workshop began; set it directly
    db.session.flush()
    with pytest.raises(EvaluationUnavailable) as problem:
        check_may_answer(evaluation, person)
    assert problem.value.status == 403


# --- answering -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "field"), [
    ({"ratings": [0]}, "session"),
    ({"ratings": [6]}, "session"),
    ({"levels": [(3, 9)]}, "after"),
    ({"levels": [(-1, 3)]}, "before"),
    ({"levels": [(None, 3)]}, "before"),
    ({"levels": [(2, None)]}, "after"),
    ({}, "comments"),
])
def test_bad_answers_are_refused_with_a_message_on_the_field(app, ctx, make_workshop, make_participant,
                                                             open_evaluation_of, given, field):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    with pytest.raises(EvaluationInvalid) as problem:
        save_response(evaluation, person, answers(evaluation, **given))
    assert any(field in name for name in problem.value.errors), problem.value.errors
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == 0


def test_a_session_of_another_evaluation_is_refused(app, ctx, make_workshop, make_participant, open_evaluation_of):
    first, second = make_workshop(), make_workshop()
    person = make_participant(first)
    mine, other = open_evaluation_of(first), open_evaluation_of(second)
    with pytest.raises(EvaluationInvalid):
        save_response(mine, person, Answers(ratings={other.sessions[0].id: 4}))


def test_one_response_per_participant_changed_in_place(app, ctx, make_workshop, make_participant,
                                                       open_evaluation_of):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    first = save_response(evaluation, person, answers(evaluation, [5, 4, 3], [(1, 3), (2, 2)], "Good"))
    db.session.commit()
    again = save_response(evaluation, person, answers(evaluation, [2, None, 3], [(1, 4)], "Better"))
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == 1
    assert sorted((r.session_id, r.rating) for r in again.ratings) == [
        (evaluation.sessions[0].id, 2), (evaluation.sessions[2].id, 3)]
    assert [(a.level_before, a.level_after) for a in again.assessments] == [(1, 4)]
    assert again.comments == "Better"
    db.session.add(EvaluationResponse(evaluation_id=evaluation.id, user_id=person.id))
    with pytest.raises(IntegrityError):  # the unique constraint holds it too
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_a_rating_out_of_range(app, ctx, make_workshop, make_participant, open_evaluation_of):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    response = save_response(evaluation, person, answers(evaluation, [3]))
    db.session.commit()
    db.session.add(SessionRating(response_id=response.id, session_id=evaluation.sessions[1].id, rating=6))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_topics_are_fixed_once_someone_answered(app, ctx, make_workshop, make_participant, open_evaluation_of):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    update_evaluation(evaluation, [*TOPICS, TopicData("Resource mobilisation")], evaluation.closes_at)
    save_response(evaluation, person, answers(evaluation, [3]))
    with pytest.raises(EvaluationInvalid) as problem:
        update_evaluation(evaluation, TOPICS, evaluation.closes_at)
    assert "topics" in problem.value.errors
    later = evaluation.closes_at + timedelta(days=7)
    update_evaluation(evaluation, [*TOPICS, TopicData("Resource mobilisation")], later)  # the deadline may move
    assert evaluation.closes_at == later


# --- the figures -----------------------------------------------------------------------------------


def _answered_workshop(make_workshop, make_participant, open_evaluation_of, make_user):
    """Four invited participants, three answers (hand-computed figures in the test below)."""
    workshop = make_workshop(sessions=2)
    people = [make_participant(workshop) for _ in range(4)]
    evaluation = open_evaluation_of(workshop)
    save_response(evaluation, people[0], answers(evaluation, [5, 4], [(1, 4), (2, 3)], "Very useful"))
    save_response(evaluation, people[1], answers(evaluation, [4, None], [(2, 4)], "=HYPERLINK(\"x\")"))
    save_response(evaluation, people[2], answers(evaluation, [5, 2], [(3, 3), (1, 5)], ""))
    db.session.commit()
    return evaluation


def test_results_of_one_workshop_match_hand_computed_figures(app, ctx, make_workshop, make_participant,
                                                              open_evaluation_of, make_user):
    evaluation = _answered_workshop(make_workshop, make_participant, open_evaluation_of, make_user)
    result = results(evaluation)

    assert (result.invited, result.responses, result.response_rate) == (4, 3, 75.0)
    first, second = result.sessions
    assert first.distribution == [0, 0, 0, 1, 2] and first.count == 3 and first.mean == 4.67  # 14 / 3
    assert second.distribution == [0, 1, 0, 1, 0] and second.count == 2 and second.mean == 3.0
    reporting, negotiating = result.topics
    # National reporting: before 1, 2, 3 -> 2.00; after 4, 4, 3 -> 3.67; gain 5 / 3 -> 1.67
    assert (reporting.count, reporting.mean_before, reporting.mean_after, reporting.gain) == (3, 2.0, 3.67, 1.67)
    # Negotiating: before 2, 1 -> 1.50; after 3, 5 -> 4.00; gain 2.50
    assert (negotiating.count, negotiating.mean_before, negotiating.mean_after, negotiating.gain) == (
        2, 1.5, 4.0, 2.5)
    assert sorted(result.comments) == ["=HYPERLINK(\"x\")", "Very useful"]


def test_overview_across_workshops_in_a_fixed_number_of_queries(app, ctx, make_workshop, make_participant,
                                                                 open_evaluation_of, make_user):
    evaluation = _answered_workshop(make_workshop, make_participant, open_evaluation_of, make_user)
    quiet = open_evaluation_of(make_workshop(days_from_now=-40))  # nobody answered
    create_evaluation(make_workshop(days_from_now=-80).event, TOPICS)  # a draft
    db.session.commit()

    def counted():
        db.session.expire_all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            pagination, rows = overview()
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements), rows

    queries, rows = counted()
    assert [row.evaluation.id for row in rows][:2] == [evaluation.id, quiet.id]  # latest workshop first
    row = rows[0]
    assert (row.invited, row.responses, row.response_rate) == (4, 3, 75.0)
    assert row.mean_rating == 4.0  # (5 + 4 + 4 + 5 + 2) / 5
    assert (row.mean_before, row.mean_after, row.gain) == (1.8, 3.8, 2.0)  # 9/5, 19/5, 10/5
    assert (rows[1].responses, rows[1].mean_rating, rows[1].gain) == (0, None, None)
    assert rows[2].evaluation.status == EvaluationStatus.DRAFT

    for days in (-120, -150, -180):
        other = make_workshop(days_from_now=days)
        person = make_participant(other)
        more = open_evaluation_of(other)
        save_response(more, person, answers(more, [3], [(2, 3)]))
    db.session.commit()
    assert counted()[0] == queries


def test_participants_see_the_evaluations_they_were_invited_to(app, ctx, make_workshop, make_participant,
                                                                open_evaluation_of, make_user):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    create_evaluation(make_workshop(days_from_now=-30).event, TOPICS)  # a draft: not listed
    assert evaluations_of(person) == [(evaluation, False)]
    save_response(evaluation, person, answers(evaluation, [4]))
    assert evaluations_of(person) == [(evaluation, True)]
    assert evaluations_of(make_user()) == []


# --- exports ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+33 1 23", "'+33 1 23"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("Plain", "Plain"), ("Évaluation", "Évaluation"), (None, ""),
])
def test_csv_text_cells_never_run_as_formulas(value, cell):
    assert csv_text(value) == cell


def test_results_csv_opens_as_utf8_with_a_bom_and_guards_formulas(app, ctx, make_workshop, make_participant,
                                                                   open_evaluation_of, make_user):
    evaluation = _answered_workshop(make_workshop, make_participant, open_evaluation_of, make_user)
    body = results_csv(results(evaluation), "fr").encode("utf-8")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Part", "Question", "Answers", "Mean"]
    assert rows[1][:9] == ["Session", "Session 1", "3", "4.67", "0", "0", "0", "1", "2"]
    assert rows[3][1] == "Rapports nationaux" and rows[3][-3:] == ["2.00", "3.67", "1.67"]
    assert ["Comment", "'=HYPERLINK(\"x\")"] in [row[:2] for row in rows]
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_overview_csv_has_a_row_per_workshop(app, ctx, make_workshop, make_participant, open_evaluation_of,
                                             make_user):
    _answered_workshop(make_workshop, make_participant, open_evaluation_of, make_user)
    _, rows = overview()
    parsed = list(csv.reader(io.StringIO(overview_csv(rows, "en").removeprefix("\ufeff"))))
    assert len(parsed) == 2
    assert parsed[1][4:] == ["4", "3", "75.00", "4.00", "1.80", "3.80", "2.00"]


def test_the_same_participant_sending_twice_at_once_keeps_one_response(app, ctx, make_workshop, make_participant,
                                                                       open_evaluation_of):
    import threading

    from ecommunity.accounts.models import User

    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    evaluation_id, user_id = evaluation.id, person.id
    db.session.remove()
    barrier, errors = threading.Barrier(4), []

    def send(n: int) -> None:
        with app.app_context(), app.test_request_context():
            try:
                current = db.session.get(Evaluation, evaluation_id)
                user = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                save_response(current, user, answers(current, [1 + n], [(1, 1 + n)], f"Sent {n}"))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected for the assertion below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(SessionRating)) == 1


def test_opening_twice_at_once_invites_each_participant_once(app, ctx, make_workshop, make_participant):
    import threading

    workshop = make_workshop()
    emails = sorted(make_participant(workshop).email for _ in range(3))
    evaluation_id = create_evaluation(workshop.event, TOPICS).id
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    db.session.remove()
    barrier, outcomes = threading.Barrier(3), []

    def click() -> None:
        with app.app_context(), app.test_request_context():
            try:
                current = db.session.get(Evaluation, evaluation_id)
                barrier.wait(timeout=10)
                outcomes.append(open_evaluation(current))
                db.session.commit()
            except EvaluationInvalid:
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001 - collected for the assertion below
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == [3, "refused", "refused"]
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationInvitation)) == len(emails)
    assert sorted(db.session.scalars(db.select(OutboxMessage.recipient))) == emails
