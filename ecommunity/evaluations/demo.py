"""Demo evaluation: the answers of the past Africa training's participants. Idempotent.

Everything goes through the services with the times it would have happened at: opened the day
after the workshop, answered over the following days, closed three weeks after the workshop.
"""

from datetime import timedelta

from ecommunity.evaluations.models import Evaluation
from ecommunity.evaluations.services import (
    Answers,
    TopicData,
    close_evaluation,
    create_evaluation,
    open_evaluation,
    save_response,
)
from ecommunity.events.models import Event
from ecommunity.extensions import db
from ecommunity.workshops.services import confirmed_participants

TOPICS = [
    TopicData("The role of the National Focal Point", "Le rôle du correspondant national",
              "El papel del punto focal nacional"),
    TopicData("National reporting", "Les rapports nationaux", "Los informes nacionales"),
    TopicData("Negotiating at a COP", "Négocier à une COP", "Negociar en una COP"),
]

# One row per participant who answered (in the order of confirmed_participants): ratings of the
# three sessions (None: did not attend), (before, after) per topic, a comment in their language.
ANSWERS = [
    ([5, 4, 5], [(2, 4), (1, 4), (1, 3)], "The session on national reports was the most useful for me."),
    ([4, 4, 3], [(3, 4), (2, 4), (2, 3)], ""),
    ([5, 5, 4], [(2, 5), (2, 4), (1, 4)], "Très utile. Il faudrait plus de temps pour les exercices pratiques."),
    ([3, None, 4], [(3, 4), (3, 3), (2, 3)], ""),
    ([4, 5, 5], [(1, 4), (1, 3), (1, 3)], "Please share the slides before the workshop: our connection is slow."),
    ([5, 3, 4], [(2, 4), (2, 4), (2, 4)], "Les documents en français sont arrivés tard."),
    ([4, 4, 4], [(3, 5), (2, 4), (1, 2)], ""),
    ([2, 4, 3], [(4, 4), (3, 4), (3, 4)], "More time for questions to the secretariat, please."),
]


def seed_demo_evaluations() -> Evaluation | None:
    """A closed evaluation of the workshops demo's past training, answered by most participants."""
    from ecommunity.workshops.demo import past_training_event

    event: Event | None = past_training_event()
    if event is None:
        return None
    existing = db.session.scalar(db.select(Evaluation).where(Evaluation.event_id == event.id))
    if existing is not None:
        return existing
    closes_at = event.ends_at + timedelta(days=21)
    evaluation = create_evaluation(event, TOPICS, closes_at=closes_at)
    open_evaluation(evaluation, now=event.ends_at + timedelta(days=1), notify=False)
    people = confirmed_participants(event.id)
    for n, (person, (ratings, levels, comments)) in enumerate(zip(people, ANSWERS, strict=False)):
        save_response(evaluation, person, Answers(
            ratings={s.id: r for s, r in zip(evaluation.sessions, ratings, strict=True) if r is not None},
            assessments={t.id: level for t, level in zip(evaluation.topics, levels, strict=True)},
            comments=comments,
        ), now=event.ends_at + timedelta(days=2, hours=7 * n))
    close_evaluation(evaluation, now=closes_at)
    db.session.flush()
    return evaluation
