"""The demo: a closed evaluation of the past training, answered by most participants; seeding twice adds nothing."""

from ecommunity.accounts.models import Role
from ecommunity.evaluations.demo import ANSWERS
from ecommunity.evaluations.models import Evaluation, EvaluationResponse, EvaluationStatus
from ecommunity.evaluations.services import results
from ecommunity.extensions import db
from tests.accounts.conftest import sign_in


def test_seed_demo_adds_a_closed_evaluation_once_and_its_pages_render(app, runner, client, make_user):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0

    [evaluation] = db.session.scalars(db.select(Evaluation))
    assert evaluation.status == EvaluationStatus.CLOSED
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == len(ANSWERS)
    result = results(evaluation)
    assert result.responses == len(ANSWERS) and result.invited >= len(ANSWERS)
    assert all(item.gain is not None and item.gain > 0 for item in result.topics)

    sign_in(client, make_user(role=Role.SECRETARIAT))
    for url in ("/evaluations", f"/evaluations/{evaluation.id}", f"/evaluations/{evaluation.id}.csv",
                f"/evaluations/{evaluation.id}/edit"):
        assert client.get(url).status_code == 200, url
