"""Demo registrations: the Africa pre-COP workshop open with a waiting list, and a past training.

Idempotent: a workshop that already has its registration settings is left alone. The past
training (`past_training_event()`) is where the evaluations demo adds its answers.
"""

from datetime import UTC, datetime, time, timedelta

from ecommunity.accounts.models import AccountStatus, Role, User, UserInstrument
from ecommunity.accounts.passwords import hash_password
from ecommunity.database import utcnow
from ecommunity.events.demo import demo_uid
from ecommunity.events.models import Event, EventType
from ecommunity.events.services import EventData, Schedule, SessionData, create_event
from ecommunity.extensions import db
from ecommunity.workshops.services import Answers, WorkshopSettings, register, save_workshop, workshop_for_event

PAST_TRAINING_KEY = "training-manual-africa-past"

# NFPs of African Parties who register (email, name, country, language, organisation).
AFRICAN_NFPS = [
    ("nfp.ghana@example.org", "Kwame Mensah", "GH", "en", "Wildlife Division, Forestry Commission"),
    ("nfp.nigeria@example.org", "Ngozi Okafor", "NG", "en", "Federal Ministry of Environment"),
    ("nfp.cameroon@example.org", "Jean-Paul Mbarga", "CM", "fr", "Ministère des Forêts et de la Faune"),
    ("nfp.ivorycoast@example.org", "Aminata Koné", "CI", "fr", "Office Ivoirien des Parcs et Réserves"),
    ("nfp.mali@example.org", "Boubacar Traoré", "ML", "fr", "Direction nationale des Eaux et Forêts"),
    ("nfp.tanzania@example.org", "Neema Mushi", "TZ", "en", "Wildlife Division, Ministry of Natural Resources"),
    ("nfp.uganda@example.org", "Brian Okello", "UG", "en", "Uganda Wildlife Authority"),
    ("nfp.southafrica@example.org", "Thandiwe Nkosi", "ZA", "en",
     "Department of Forestry, Fisheries and the Environment"),
    ("nfp.morocco@example.org", "Youssef El Amrani", "MA", "fr", "Agence Nationale des Eaux et Forêts"),
    ("nfp.ethiopia@example.org", "Selam Tesfaye", "ET", "en", "Ethiopian Wildlife Conservation Authority"),
    ("nfp.madagascar@example.org", "Hery Rakotomalala", "MG", "fr", "Ministère de l'Environnement"),
    ("nfp.niger@example.org", "Mariama Issoufou", "NE", "fr",
     "Direction de la Faune, de la Chasse et des Aires Protégées"),
    ("nfp.togo@example.org", "Kodjo Agbeko", "TG", "fr", "Direction des Ressources Forestières"),
    ("deputy.kenya@example.org", "Otieno Odhiambo", "KE", "en", "Kenya Wildlife Service"),
    ("deputy.senegal@example.org", "Awa Diop", "SN", "fr", "Direction des Parcs nationaux"),
]

QUESTION = "Which COP15 agenda items matter most to your country?"


def _african_people(password_hash: str) -> dict[str, User]:
    existing = {u.email: u for u in db.session.scalars(db.select(User).where(
        User.email.in_([row[0] for row in AFRICAN_NFPS] + ["nfp.kenya@example.org", "nfp.senegal@example.org"])))}
    now = utcnow()
    for email, name, country, language, organisation in AFRICAN_NFPS:
        if email in existing:
            continue
        existing[email] = user = User(
            email=email, full_name=name, country=country, region="africa", role=Role.MEMBER,
            status=AccountStatus.ACTIVE, language=language, timezone="Africa/Nairobi", organisation=organisation,
            position="National Focal Point", password_hash=password_hash, email_verified_at=now, decided_at=now,
            instrument_links=[UserInstrument(instrument="cms"), UserInstrument(instrument="aewa")],
        )
        db.session.add(user)
    db.session.flush()
    return existing


def past_training_event() -> Event | None:
    """The demo's past training workshop (closed, with confirmed participants), once seeded."""
    return db.session.scalar(db.select(Event).where(Event.uid == demo_uid(PAST_TRAINING_KEY)))


def _past_training(today) -> Event:
    event = past_training_event()
    if event is not None:
        return event
    start = today - timedelta(days=75)
    return create_event(EventData(
        title_en="Training on the CMS Family Manual for National Focal Points: Africa",
        title_fr="Formation au Manuel de la famille CMS pour les correspondants nationaux : Afrique",
        title_es="Formación sobre el Manual de la Familia CMS para puntos focales nacionales: África",
        description_en="Two days on the role of the National Focal Point, national reporting and preparing for "
                       "the COP, for NFPs of CMS and AEWA from English- and French-speaking African Parties.",
        description_fr="Deux jours sur le rôle du correspondant national, les rapports nationaux et la préparation "
                       "de la COP, pour les correspondants de la CMS et de l'AEWA des Parties africaines.",
        event_type=EventType.PRE_COP_WORKSHOP.value, region="africa", instruments=["cms", "aewa"],
        city="Dakar", country="SN", organiser_name="UNEP/CMS Secretariat, Capacity Building",
        organiser_email="capacity@example.org",
        schedule=Schedule(timezone="Africa/Dakar", all_day=False, start_date=start,
                          end_date=start + timedelta(days=1), start_time=time(9), end_time=time(17)),
        sessions=[SessionData(title="The role of the National Focal Point", day=start, start_time=time(9),
                              end_time=time(12, 30)),
                  SessionData(title="National reports: who provides what", day=start, start_time=time(14),
                              end_time=time(17)),
                  SessionData(title="Before, during and after the COP", day=start + timedelta(days=1),
                              start_time=time(9), end_time=time(13))],
    ), uid=demo_uid(PAST_TRAINING_KEY))


def seed_demo_workshops(author: User | None = None, today=None) -> None:
    """Registration for the Africa pre-COP workshop (open, full, with a waiting list) and a past training."""
    today = today or utcnow().date()
    now = datetime.combine(today, time(12), tzinfo=UTC)
    people = _african_people(hash_password("migratory-species-demo"))
    order = [row[0] for row in AFRICAN_NFPS]

    africa = db.session.scalar(db.select(Event).where(Event.uid == demo_uid("precop-africa")))
    if africa is not None and workshop_for_event(africa.id) is None:
        workshop = save_workshop(africa, WorkshopSettings(
            opens_at=now - timedelta(days=14), closes_at=now + timedelta(days=14), capacity=12, country_quota=2,
            eligible_regions=["africa"], working_languages=["en", "fr"], questions=[QUESTION]), actor=author)
        # Kenya's NFP registered early; Senegal's NFP came after the seats were gone: on the waiting list.
        sequence = ["nfp.kenya@example.org", *order[:11], "deputy.kenya@example.org", "nfp.senegal@example.org",
                    *order[11:13]]
        for n, email in enumerate(sequence):
            person = people[email]
            register(workshop, person, Answers(
                travel_support=n % 3 != 0, visa_letter=person.country not in ("KE",) and n % 4 == 1,
                material_language=person.language if person.language in ("en", "fr") else "en",
                dietary_needs="vegetarian" if n % 5 == 2 else "",
                answers={"q1": "Bird flyways and energy infrastructure" if n % 2 else "Illegal killing of birds"}),
                now=now - timedelta(days=13, hours=-n * 5), notify=False)

    past = _past_training(today)
    if workshop_for_event(past.id) is None:
        opened = past.starts_at - timedelta(days=60)
        workshop = save_workshop(past, WorkshopSettings(
            opens_at=opened, closes_at=past.starts_at - timedelta(days=14), capacity=10, country_quota=2,
            eligible_regions=["africa"], working_languages=["en", "fr"]), actor=author)
        attendees = ["nfp.kenya@example.org", "nfp.senegal@example.org", *order[:9]]
        for n, email in enumerate(attendees):
            register(workshop, people[email], Answers(travel_support=True, material_language=people[email].language),
                     now=opened + timedelta(days=1, hours=n * 7), notify=False)
    db.session.flush()
