"""Evaluations through HTTP: the secretariat prepares and opens, participants answer, results and exports."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecommunity.accounts.models import Role
from ecommunity.evaluations import charts
from ecommunity.evaluations.models import Evaluation, EvaluationResponse
from ecommunity.evaluations.services import Answers, close_evaluation, create_evaluation, save_response
from ecommunity.extensions import db
from tests.accounts.conftest import path_of, sign_in
from tests.conftest import submit
from tests.evaluations.conftest import TOPICS

SVG = "{http://www.w3.org/2000/svg}"


def svgs_in(html: str) -> list[ET.Element]:
    """Every inline SVG of a page, parsed as XML (which fails on anything malformed)."""
    found = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    return [ET.fromstring(match) for match in found]  # noqa: S314 - our own markup


def bar_values(svg: ET.Element) -> list[float]:
    """The values the bars draw, read back from their widths."""
    return [round(float(rect.get("width")) * 5 / charts.PLOT_WIDTH, 2) for rect in svg.iter(f"{SVG}rect")
            if rect.get("class") == "bar"]


def answer_data(evaluation, ratings=(), levels=(), comments="") -> dict:
    data = {"comments": comments}
    for item, value in zip(evaluation.sessions, ratings, strict=False):
        data[f"session_{item.id}"] = "" if value is None else str(value)
    for topic, (before, after) in zip(evaluation.topics, levels, strict=False):
        data[f"topic_{topic.id}_before"] = str(before)
        data[f"topic_{topic.id}_after"] = str(after)
    return data


@pytest.fixture
def secretariat(client, make_user):
    user = make_user(role=Role.SECRETARIAT, full_name="Jonas Weber")
    sign_in(client, user)
    return user


def test_the_secretariat_prepares_and_opens_and_participants_are_invited_in_their_language(
        app, client, secretariat, make_workshop, make_participant, mailbox):
    workshop = make_workshop()
    person = make_participant(workshop, language="fr", full_name="Moussa Ndiaye")
    event = workshop.event
    page = client.get("/evaluations")
    assert f"/events/{event.id}/evaluation/new" in page.get_data(as_text=True)  # listed as waiting

    response = submit(client, f"/events/{event.id}/evaluation/new", {
        "closes_on": (event.end_date - timedelta(days=1)).isoformat(),  # before the workshop ends
        "topics-0-title_en": "National reporting", "topics-0-title_fr": "Rapports nationaux",
    })
    assert response.status_code == 400
    assert "The evaluation must close after the workshop ends." in response.get_data(as_text=True)

    response = submit(client, f"/events/{event.id}/evaluation/new", {
        "closes_on": (event.end_date + timedelta(days=30)).isoformat(),
        "topics-0-title_en": "National reporting", "topics-0-title_fr": "Rapports nationaux",
        "topics-1-title_en": "", "topics-2-title_en": "Negotiating at a COP",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    evaluation = db.session.scalar(db.select(Evaluation).filter_by(event_id=event.id))
    assert [t.title_en for t in evaluation.topics] == ["National reporting", "Negotiating at a COP"]
    last_day = event.end_date + timedelta(days=30)
    nairobi = ZoneInfo("Africa/Nairobi")
    assert evaluation.closes_at == datetime.combine(last_day + timedelta(days=1), time(0), nairobi)
    assert client.get(f"/events/{event.id}/evaluation/new").status_code == 302  # one per workshop

    results_url = f"/evaluations/{evaluation.id}"
    response = submit(client, f"{results_url}/open", page=results_url)
    assert response.status_code == 302
    assert "1 participant was invited" in client.get(results_url).get_data(as_text=True)

    mailbox.deliver()
    [mail] = [m for m in mailbox.to(person.email) if f"/evaluations/{evaluation.id}/answer" in mailbox.text_of(m)]
    assert "Bonjour Moussa Ndiaye" in mailbox.text_of(mail)
    link = next(link for link in mailbox.links_in(mail) if "/answer" in link)
    participant = app.test_client()
    sign_in(participant, person)
    form = participant.get(path_of(link)).get_data(as_text=True)
    assert "Rapports nationaux" in form  # topics in the participant's language


def test_opening_before_the_workshop_ended_is_refused_with_a_message(client, secretariat, make_workshop):
    workshop = make_workshop(days_from_now=3)
    evaluation = create_evaluation(workshop.event, TOPICS)
    db.session.commit()
    url = f"/evaluations/{evaluation.id}"
    response = submit(client, f"{url}/open", page=url)
    assert response.status_code == 409
    assert "The workshop has not ended yet" in response.get_data(as_text=True)
    assert db.session.get(Evaluation, evaluation.id).status == "draft"


def test_a_participant_answers_then_changes_the_answers(app, client, make_workshop, make_participant,
                                                        open_evaluation_of):
    workshop = make_workshop(sessions=2)
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    sign_in(client, person)
    url = f"/evaluations/{evaluation.id}/answer"

    page = client.get(url).get_data(as_text=True)
    assert "Session 1" in page and "National reporting" in page
    response = submit(client, url, answer_data(evaluation, [5, None], [(1, 4)], "Merci"))
    assert response.status_code == 302
    response = submit(client, url, answer_data(evaluation, [3, 4], [(2, 4), (1, 2)], "Thanks"))
    assert response.status_code == 302

    [saved] = db.session.scalars(db.select(EvaluationResponse))
    assert saved.comments == "Thanks"
    assert sorted(r.rating for r in saved.ratings) == [3, 4]
    page = client.get(url).get_data(as_text=True)
    assert re.search(rf'name="session_{evaluation.sessions[0].id}"[^>]*value="3"[^>]*checked'
                     rf'|checked[^>]*name="session_{evaluation.sessions[0].id}"[^>]*value="3"', page)
    assert "You answered on" in page


@pytest.mark.parametrize(("field", "value"), [("session", "7"), ("session", "0"), ("session", "abc"),
                                              ("before", "6")])
def test_a_level_out_of_range_gets_a_message_and_400(client, make_workshop, make_participant, open_evaluation_of,
                                                     field, value):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    sign_in(client, person)
    data = answer_data(evaluation, [4], [(2, 3)])
    name = f"session_{evaluation.sessions[0].id}" if field == "session" else f"topic_{evaluation.topics[0].id}_before"
    data[name] = value
    response = submit(client, f"/evaluations/{evaluation.id}/answer", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Choose a level from 1 to 5." in body
    assert f'id="{name}-error"' in body
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == 0


def test_half_a_self_assessment_gets_a_message(client, make_workshop, make_participant, open_evaluation_of):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    sign_in(client, person)
    data = answer_data(evaluation, [4])
    data[f"topic_{evaluation.topics[0].id}_before"] = "2"
    response = submit(client, f"/evaluations/{evaluation.id}/answer", data)
    assert response.status_code == 400
    assert "Give both levels, before and after the workshop, or neither." in response.get_data(as_text=True)


def test_who_may_answer_through_http(app, client, make_user, make_workshop, make_participant, open_evaluation_of):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    url = f"/evaluations/{evaluation.id}/answer"

    assert client.get(url).status_code == 302  # to the login page
    sign_in(client, make_user())
    response = client.get(url)
    assert response.status_code == 403
    assert "Only the confirmed participants of this workshop" in response.get_data(as_text=True)
    response = submit(client, url, answer_data(evaluation, [4]), page="/")
    assert response.status_code == 403

    sign_in(client, person)
    close_evaluation(evaluation)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 409
    assert "The evaluation is closed" in response.get_data(as_text=True)
    response = submit(client, url, answer_data(evaluation, [4]), page="/")
    assert response.status_code == 409


def test_answering_before_the_workshop_ended_gets_409(client, make_workshop, make_participant):
    workshop = make_workshop(days_from_now=3)
    person = make_participant(workshop)
    evaluation = create_evaluation(workshop.event, TOPICS)
    db.session.commit()
    sign_in(client, person)
    response = client.get(f"/evaluations/{evaluation.id}/answer")
    assert response.status_code == 409
    assert "The evaluation is not open yet." in response.get_data(as_text=True)


def _three_answers(make_workshop, make_participant, open_evaluation_of):
    workshop = make_workshop(sessions=2)
    people = [make_participant(workshop, full_name=f"Secret Name {i}") for i in range(4)]
    evaluation = open_evaluation_of(workshop)
    for person, ratings, levels, comments in [
        (people[0], [5, 4], [(1, 4), (2, 3)], "Very useful"),
        (people[1], [4, None], [(2, 4)], "=cmd|' /C calc'!A0"),
        (people[2], [5, 2], [(3, 3), (1, 5)], ""),
    ]:
        save_response(evaluation, person, Answers(
            ratings={s.id: r for s, r in zip(evaluation.sessions, ratings, strict=True) if r is not None},
            assessments={t.id: lv for t, lv in zip(evaluation.topics, levels, strict=False)}, comments=comments))
    db.session.commit()
    return evaluation


def test_results_page_shows_pooled_figures_charts_and_no_names(client, secretariat, make_workshop,
                                                                make_participant, open_evaluation_of):
    evaluation = _three_answers(make_workshop, make_participant, open_evaluation_of)
    response = client.get(f"/evaluations/{evaluation.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 of 4 invited participants answered (75.0 %)." in page
    assert "Very useful" in page
    assert "Secret Name" not in page  # answers are never shown with a name
    sessions_chart, topics_chart = sorted(svgs_in(page), key=lambda svg: svg.get("id"))
    assert sessions_chart.get("role") == "img"
    for svg in (sessions_chart, topics_chart):
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}desc").get("id") == desc_id
    assert bar_values(sessions_chart) == [4.67, 3.0]
    assert bar_values(topics_chart) == [2.0, 3.67, 1.5, 4.0]  # before, after for each topic
    for figure in ("4.67", "3.67", "+1.67", "+2.50"):
        assert f'<td class="num">{figure}</td>' in page  # the table beside the chart


def test_results_are_for_the_secretariat_only(client, make_user, make_workshop, make_participant,
                                              open_evaluation_of):
    evaluation = _three_answers(make_workshop, make_participant, open_evaluation_of)
    sign_in(client, make_user())
    assert client.get(f"/evaluations/{evaluation.id}").status_code == 403
    assert client.get(f"/evaluations/{evaluation.id}.csv").status_code == 403
    assert client.get("/evaluations").status_code == 403


def test_exports_open_in_excel_as_utf8(client, secretariat, make_workshop, make_participant, open_evaluation_of):
    evaluation = _three_answers(make_workshop, make_participant, open_evaluation_of)
    for url in (f"/evaluations/{evaluation.id}.csv", "/evaluations.csv"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert not any(cell[:1] in ("=", "+", "@") for row in rows for cell in row)
    assert ["Comment", "'=cmd|' /C calc'!A0"] in [row[:2] for row in
                                                   csv.reader(io.StringIO(client.get(
                                                       f"/evaluations/{evaluation.id}.csv").data.decode(
                                                       "utf-8-sig")))]


def test_overview_chart_matches_its_table(client, secretariat, make_workshop, make_participant,
                                          open_evaluation_of):
    _three_answers(make_workshop, make_participant, open_evaluation_of)
    open_evaluation_of(make_workshop(days_from_now=-40))  # no answers: a row in the table, no bars
    page = client.get("/evaluations").get_data(as_text=True)
    [chart] = svgs_in(page)
    assert chart.find(f"{SVG}title").text == "Self-assessed level before and after each workshop"
    assert bar_values(chart) == [1.8, 3.8]
    assert '<td class="num">1.80</td>' in page and '<td class="num">+2.00</td>' in page
    assert '<td class="num">3 of 4</td>' in page and '<td class="num">0 of 0</td>' in page


def test_participants_list_their_evaluations(client, make_workshop, make_participant, open_evaluation_of):
    workshop = make_workshop()
    person = make_participant(workshop)
    evaluation = open_evaluation_of(workshop)
    sign_in(client, person)
    page = client.get("/evaluations/mine").get_data(as_text=True)
    assert f"/evaluations/{evaluation.id}/answer" in page
    assert "Waiting for your answers" in page


def test_chart_markup_is_valid_xml_and_escapes_labels():
    svg = ET.fromstring(str(charts.bar_chart(  # noqa: S314 - our own markup
        "c", "Title <b>", "Desc & more", ["A & B <script>", "Second"],
        [charts.Series("Before", charts.BEFORE), charts.Series("After", charts.AFTER)],
        [[1.0, 2.5], [None, 5.0]])))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c-title c-desc"
    assert svg.find(f"{SVG}title").text == "Title <b>"
    assert bar_values(svg) == [1.0, 2.5, 5.0]
    assert [t.text for t in svg.iter(f"{SVG}title")][1] == "A & B <script>: Before 1.00"


def test_topics_cannot_change_once_answered_and_the_form_says_why(client, secretariat, make_workshop,
                                                                  make_participant, open_evaluation_of):
    evaluation = _three_answers(make_workshop, make_participant, open_evaluation_of)
    url = f"/evaluations/{evaluation.id}/edit"
    closes_on = (evaluation.event.end_date + timedelta(days=40)).isoformat()
    response = submit(client, url, {"closes_on": closes_on, "topics-0-title_en": "Something else"})
    assert response.status_code == 400
    assert "Participants have answered already: the topics can no longer change." in response.get_data(as_text=True)
    kept = {"closes_on": closes_on, "topics-0-title_en": "National reporting",
            "topics-0-title_fr": "Rapports nationaux",
            "topics-1-title_en": "Negotiating at a COP"}
    assert submit(client, url, kept).status_code == 302  # the closing day may still move


def test_only_workshops_have_an_evaluation_page(client, secretariat, make_workshop):
    from tests.evaluations.conftest import workshop_event

    webinar = workshop_event(event_type="webinar")
    db.session.commit()
    assert client.get(f"/events/{webinar.id}/evaluation/new").status_code == 404


def test_a_closing_day_at_the_end_of_the_calendar_is_refused_beside_the_field(
        client, secretariat, make_workshop):
    event = make_workshop().event

    response = submit(client, f"/events/{event.id}/evaluation/new", {
        "closes_on": "9999-12-31", "topics-0-title_en": "National reporting"})

    assert response.status_code == 400
    assert "Give a day before the year 2200." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Evaluation).filter_by(event_id=event.id)) is None
