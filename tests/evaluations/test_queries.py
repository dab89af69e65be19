"""The evaluation pages run a fixed number of SQL queries, however many workshops, participants and answers."""

from contextlib import contextmanager

from sqlalchemy import event as sa_event

from ecommunity.accounts.models import Role
from ecommunity.evaluations.services import Answers, save_response
from ecommunity.extensions import db
from tests.accounts.conftest import sign_in


@contextmanager
def counting():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def test_pages_keep_a_fixed_number_of_queries(app, client, make_user, make_workshop, make_participant,
                                              open_evaluation_of):
    def answer(evaluation, participants):
        for n, person in enumerate(participants):
            save_response(evaluation, person, Answers(
                ratings={s.id: 1 + (n + i) % 5 for i, s in enumerate(evaluation.sessions)},
                assessments={t.id: (1 + n % 3, 3 + n % 3) for t in evaluation.topics}, comments=f"Comment {n}"))
        db.session.commit()

    def add_workshop(days: int, people: int):
        workshop = make_workshop(days_from_now=days, sessions=3)
        participants = [make_participant(workshop) for _ in range(people)]
        evaluation = open_evaluation_of(workshop)
        answer(evaluation, participants)
        return workshop, evaluation, participants

    workshop, first, people = add_workshop(-10, 2)
    sign_in(client, make_user(role=Role.SECRETARIAT))
    pages = ["/evaluations", f"/evaluations/{first.id}", f"/evaluations/{first.id}.csv", "/evaluations.csv"]

    def measure():
        counts = {}
        for url in pages:
            with counting() as statements:
                assert client.get(url).status_code == 200, url
            counts[url] = len(statements)
        participant = app.test_client()
        sign_in(participant, people[0])
        for url in ("/evaluations/mine", f"/evaluations/{first.id}/answer"):
            with counting() as statements:
                assert participant.get(url).status_code == 200, url
            counts[url] = len(statements)
        return counts

    before = measure()
    for days in (-30, -50, -70):
        add_workshop(days, 3)
    answer(first, [make_participant(workshop) for _ in range(4)])  # invited later, answered anyway
    after = measure()
    assert after == before
