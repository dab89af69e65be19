"""Demo events: a year of CMS-family meetings across the regions and their time zones.

Dates are placed relative to the day of the first seeding (a few months back, most of them
ahead), so a fresh demo always has upcoming meetings. Each event has a fixed UID, which makes
seeding idempotent. Titles and texts are demo content written for this site.
"""

import uuid
from datetime import date, time, timedelta

from ecommunity.database import utcnow
from ecommunity.events.models import Event, EventType
from ecommunity.events.services import (
    DocumentData,
    EventData,
    Schedule,
    SessionData,
    cancel_event,
    create_event,
    postpone_event,
)
from ecommunity.extensions import db

MON, TUE, WED, THU, FRI = range(5)


def demo_uid(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://ecommunity.example/demo/events/{key}"))


def _day(anchor: date, months: int, week: int, weekday: int) -> date:
    """The `week`-th `weekday` of the month `months` after `anchor`'s month."""
    month_index = anchor.year * 12 + anchor.month - 1 + months
    first = date(month_index // 12, month_index % 12 + 1, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * week)


# Each: a key (for the UID); a fixed date `on`, or `months` from now with the `week`-th `weekday`; `days`;
# the venue's zone; local (start, end) hours each day, or None for all-day; titles and descriptions in
# (en, fr, es), an empty one falling back to English; optional agenda, documents, postponement or cancellation.
DEMO_EVENTS = [
    dict(
        key="cop14-samarkand", on=date(2024, 2, 12), days=6, zone="Asia/Samarkand", hours=None,
        type=EventType.COP, region=None, instruments=["cms"], city="Samarkand", country="UZ",
        titles=("Fourteenth Meeting of the Conference of the Parties to CMS (COP14)",
                "Quatorzième session de la Conférence des Parties à la CMS (COP14)",
                "Decimocuarta reunión de la Conferencia de las Partes de la CMS (COP14)"),
        descriptions=(
            "The first COP held in Central Asia, under the theme \"Nature knows no borders\". Parties adopted the "
            "Samarkand Strategic Plan for Migratory Species 2024-2032 and listed new species on the Appendices.\n\n"
            "The first State of the World's Migratory Species report was launched just before the meeting.",
            "Première COP tenue en Asie centrale, sur le thème « La nature ne connaît pas de frontières ». Les "
            "Parties ont adopté le Plan stratégique de Samarcande pour les espèces migratrices 2024-2032.",
            ""),
        organiser=("UNEP/CMS Secretariat", "cms.secretariat@example.org"),
        documents=[("Meeting report (demo link)", "https://www.example.org/cms/cop14/report")],
    ),
    dict(
        key="stc-bonn", months=-2, week=1, weekday=TUE, days=3, zone="Europe/Berlin", hours=(time(10), time(17)),
        type=EventType.STANDING_COMMITTEE, region=None, instruments=["cms"], city="Bonn", country="DE",
        titles=("Meeting of the CMS Standing Committee", "Réunion du Comité permanent de la CMS",
                "Reunión del Comité Permanente de la CMS"),
        descriptions=(
            "The Standing Committee steers the work of the Convention between two COPs. This meeting reviews the "
            "budget, the implementation of the Samarkand Strategic Plan and the preparation of COP15.",
            "Le Comité permanent oriente les travaux de la Convention entre deux COP. Cette réunion examine le "
            "budget, la mise en œuvre du Plan stratégique de Samarcande et la préparation de la COP15.",
            "El Comité Permanente orienta el trabajo de la Convención entre dos COP. Esta reunión examina el "
            "presupuesto, la aplicación del Plan Estratégico de Samarcanda y la preparación de la COP15."),
        organiser=("UNEP/CMS Secretariat", "cms.secretariat@example.org"),
        sessions=[(0, time(10), time(12, 30), "Opening, adoption of the agenda"),
                  (0, time(14), time(17), "Budget and administrative matters"),
                  (1, time(10), time(17), "Implementation of the Strategic Plan"),
                  (2, time(10), time(13), "Preparation of COP15"),
                  (2, time(14, 30), time(17), "Adoption of the report, closing")],
        documents=[("Provisional agenda (demo link)", "https://www.example.org/cms/stc/agenda"),
                   ("List of documents (demo link)", "https://www.example.org/cms/stc/documents")],
    ),
    dict(
        key="webinar-reporting", months=-1, week=2, weekday=WED, days=1, zone="UTC", hours=(time(13), time(14, 30)),
        type=EventType.WEBINAR, region=None, instruments=["cms", "aewa"], online="https://meet.example.org/reporting",
        titles=("Webinar: preparing your national report for COP15",
                "Webinaire : préparer votre rapport national pour la COP15",
                "Seminario web: preparar su informe nacional para la COP15"),
        descriptions=(
            "How to coordinate the national report with the other ministries and stakeholders, and how to use the "
            "online reporting system. For National Focal Points and their reporting teams.",
            "Comment coordonner le rapport national avec les autres ministères et parties prenantes, et utiliser le "
            "système de rapport en ligne.",
            ""),
        organiser=("Capacity Building Unit", "capacity@example.org"), public=False,
    ),
    dict(
        key="sc-sessional", months=1, week=1, weekday=MON, days=4, zone="Europe/Berlin", hours=(time(9, 30), time(18)),
        type=EventType.SCIENTIFIC_COUNCIL, region=None, instruments=["cms"], city="Bonn", country="DE",
        titles=("Sessional Committee of the CMS Scientific Council",
                "Comité de session du Conseil scientifique de la CMS",
                "Comité del período de sesiones del Consejo Científico de la CMS"),
        descriptions=(
            "The Scientific Council's Sessional Committee reviews the listing proposals and the scientific "
            "documents that will go to COP15, including the update of the State of the World's Migratory Species.",
            "Le Comité de session examine les propositions d'inscription et les documents scientifiques destinés à "
            "la COP15.",
            "El Comité del período de sesiones examina las propuestas de inclusión y los documentos científicos "
            "para la COP15."),
        organiser=("UNEP/CMS Secretariat, Science Unit", "science@example.org"),
        sessions=[(0, time(9, 30), time(12, 30), "Opening; review of listing proposals"),
                  (1, time(9, 30), time(18), "Working groups: avian, aquatic and terrestrial species"),
                  (3, time(14), time(18), "Conclusions and recommendations to COP15")],
    ),
    dict(
        key="precop-africa", months=1, week=2, weekday=TUE, days=3, zone="Africa/Nairobi", hours=(time(9), time(17)),
        type=EventType.PRE_COP_WORKSHOP, region="africa", instruments=["cms", "aewa", "raptors"],
        city="Nairobi", country="KE",
        titles=("Regional preparatory workshop for COP15: Africa",
                "Atelier régional de préparation de la COP15 : Afrique",
                "Taller regional preparatorio de la COP15: África"),
        descriptions=(
            "Three days for the National Focal Points of African Parties to study the COP15 agenda, agree on "
            "regional positions and practise negotiation: credentials, statements and how to follow changes to "
            "draft resolutions.\n\nSessions in English and French with interpretation.",
            "Trois jours pour que les correspondants nationaux des Parties africaines étudient l'ordre du jour de la "
            "COP15, s'accordent sur les positions régionales et s'exercent à la négociation.\n\nSessions en anglais "
            "et en français avec interprétation.",
            ""),
        organiser=("UNEP/CMS Secretariat, Capacity Building", "capacity@example.org"),
        sessions=[(0, time(9), time(10, 30), "Opening and introductions"),
                  (0, time(11), time(17), "The COP15 agenda, item by item"),
                  (1, time(9), time(17), "Regional positions: working groups"),
                  (2, time(9), time(13), "Negotiation practice: statements and interventions"),
                  (2, time(14), time(17), "National reporting and NBSAPs; closing")],
        documents=[("Workshop programme (demo link)", "https://www.example.org/cms/precop/africa/programme")],
    ),
    dict(
        key="webinar-nbsap", months=1, week=1, weekday=THU, days=1, zone="Europe/Berlin",
        hours=(time(14), time(15, 30)),
        type=EventType.WEBINAR, region=None, instruments=["cms"], online="https://meet.example.org/nbsap",
        titles=("Webinar: migratory species in your NBSAP",
                "Webinaire : les espèces migratrices dans votre SPANB",
                "Seminario web: las especies migratorias en su EPANB"),
        descriptions=(
            "How National Focal Points can bring migratory species into National Biodiversity Strategies and Action "
            "Plans and national targets under the Kunming-Montreal Global Biodiversity Framework.",
            "",
            "Cómo los puntos focales nacionales pueden integrar las especies migratorias en las estrategias y "
            "planes de acción nacionales en materia de biodiversidad."),
        organiser=("UNEP/CMS Secretariat", "cms.secretariat@example.org"),
    ),
    dict(
        key="precop-latam", months=2, week=1, weekday=MON, days=3, zone="America/Panama", hours=(time(8, 30), time(17)),
        type=EventType.PRE_COP_WORKSHOP, region="south-central-america-caribbean",
        instruments=["cms", "high-andean-flamingos", "sharks"], city="Panama City", country="PA",
        titles=("Regional preparatory workshop for COP15: Latin America and the Caribbean",
                "Atelier régional de préparation de la COP15 : Amérique latine et Caraïbes",
                "Taller regional preparatorio de la COP15: América Latina y el Caribe"),
        descriptions=(
            "The COP15 agenda, regional priorities and negotiation practice for the National Focal Points of the "
            "region. Sessions in Spanish and English.",
            "",
            "El orden del día de la COP15, las prioridades regionales y la práctica de la negociación para los "
            "puntos focales nacionales de la región. Sesiones en español e inglés."),
        organiser=("UNEP/CMS Secretariat, Capacity Building", "capacity@example.org"),
        sessions=[(0, time(8, 30), time(12), "Opening; the COP15 agenda"),
                  (1, time(8, 30), time(17), "Regional priorities: sharks, flamingos, grassland birds"),
                  (2, time(8, 30), time(13), "Negotiation practice; closing")],
    ),
    dict(
        key="precop-pacific", months=2, week=2, weekday=TUE, days=3, zone="Pacific/Fiji", hours=(time(9), time(16, 30)),
        type=EventType.PRE_COP_WORKSHOP, region="oceania", instruments=["cms", "pacific-cetaceans", "sharks", "dugong"],
        city="Suva", country="FJ",
        titles=("Regional preparatory workshop for COP15: Pacific Islands",
                "Atelier régional de préparation de la COP15 : îles du Pacifique",
                "Taller regional preparatorio de la COP15: islas del Pacífico"),
        descriptions=(
            "For the National Focal Points of Pacific Island Parties and Signatories: the COP15 agenda, marine "
            "species priorities and how small delegations can follow a large meeting.",
            "", ""),
        organiser=("UNEP/CMS Secretariat, Capacity Building", "capacity@example.org"),
        sessions=[(0, time(9), time(16, 30), "Opening; the COP15 agenda"),
                  (1, time(9), time(16, 30), "Cetaceans, sharks and dugongs: regional priorities"),
                  (2, time(9), time(12), "Small delegations at a large meeting; closing")],
    ),
    dict(
        key="webinar-flyways", months=2, week=3, weekday=WED, days=1, zone="UTC", hours=(time(8), time(9, 30)),
        type=EventType.WEBINAR, region="africa", instruments=["aewa"], online="https://meet.example.org/flyways",
        titles=("Webinar: the flyway approach, with the Flyways Training Kit",
                "Webinaire : l'approche par voie de migration, avec le kit de formation Flyways", ""),
        descriptions=(
            "An introduction to the first module of the Flyways Training Kit: understanding the flyway approach to "
            "the conservation of migratory waterbirds.", "", ""),
        organiser=("UNEP/AEWA Secretariat", "aewa.secretariat@example.org"), public=False,
        cancel="The trainer is unavailable; the webinar will be offered again later in the year.",
    ),
    dict(
        key="precop-asia", months=3, week=1, weekday=MON, days=3, zone="Asia/Tashkent", hours=(time(9), time(17)),
        type=EventType.PRE_COP_WORKSHOP, region="asia", instruments=["cms", "saiga", "bukhara-deer",
                                                                     "central-asian-mammals"],
        city="Tashkent", country="UZ",
        titles=("Regional preparatory workshop for COP15: Asia",
                "Atelier régional de préparation de la COP15 : Asie",
                "Taller regional preparatorio de la COP15: Asia"),
        descriptions=(
            "For the National Focal Points of Asian Parties: the COP15 agenda, the Central Asian Mammals Initiative "
            "and regional positions.", "", ""),
        organiser=("UNEP/CMS Secretariat, Capacity Building", "capacity@example.org"),
        postpone=(1, "Postponed by one week at the request of the host country."),
    ),
    dict(
        key="aewa-mop", months=4, week=1, weekday=MON, days=5, zone="Europe/Berlin", hours=None,
        type=EventType.MEETING_OF_PARTIES, region=None, instruments=["aewa"], city="Bonn", country="DE",
        titles=("AEWA Meeting of the Parties", "Réunion des Parties à l'AEWA", "Reunión de las Partes del AEWA"),
        descriptions=(
            "The Parties to the Agreement on the Conservation of African-Eurasian Migratory Waterbirds meet to "
            "review implementation and adopt resolutions, the budget and amendments to the Action Plan.",
            "Les Parties à l'Accord sur la conservation des oiseaux d'eau migrateurs d'Afrique-Eurasie se réunissent "
            "pour examiner la mise en œuvre et adopter des résolutions.",
            "Las Partes del Acuerdo sobre la conservación de las aves acuáticas migratorias afroeuroasiáticas se "
            "reúnen para examinar la aplicación y adoptar resoluciones."),
        organiser=("UNEP/AEWA Secretariat", "aewa.secretariat@example.org"),
    ),
    dict(
        key="eurobats-ac", months=5, week=0, weekday=TUE, days=3, zone="Europe/Oslo", hours=(time(9), time(17, 30)),
        type=EventType.MEETING_OF_PARTIES, region="europe", instruments=["eurobats"], city="Oslo", country="NO",
        titles=("EUROBATS Advisory Committee", "Comité consultatif d'EUROBATS", "Comité Asesor de EUROBATS"),
        descriptions=("The Advisory Committee of the Agreement on the Conservation of Populations of European Bats "
                      "prepares the next Meeting of the Parties.", "", ""),
        organiser=("UNEP/EUROBATS Secretariat", "eurobats@example.org"),
    ),
    dict(
        key="acap-ac", months=5, week=2, weekday=MON, days=5, zone="Australia/Hobart", hours=(time(9), time(17)),
        type=EventType.MEETING_OF_PARTIES, region="oceania", instruments=["acap"], city="Hobart", country="AU",
        titles=("ACAP Advisory Committee", "Comité consultatif de l'ACAP", "Comité Asesor del ACAP"),
        descriptions=("Albatross and petrel conservation: bycatch in longline and trawl fisheries, population "
                      "status and the work programme of the Agreement.", "", ""),
        organiser=("ACAP Secretariat", "acap@example.org"),
    ),
    dict(
        key="raptors-mos", months=6, week=1, weekday=TUE, days=3, zone="Asia/Dubai", hours=(time(9), time(17)),
        type=EventType.MEETING_OF_PARTIES, region="asia", instruments=["raptors"], city="Abu Dhabi", country="AE",
        titles=("Raptors MOU: Meeting of Signatories", "MdE Rapaces : réunion des Signataires",
                "MdE Rapaces: reunión de los Signatarios"),
        descriptions=("The Signatories of the Memorandum of Understanding on birds of prey of Africa and Eurasia "
                      "review the Action Plan.", "", ""),
        organiser=("Raptors MOU Coordinating Unit", "raptors@example.org"),
    ),
    dict(
        key="webinar-listing", months=6, week=3, weekday=THU, days=1, zone="America/Guayaquil",
        hours=(time(9), time(10, 30)), type=EventType.WEBINAR, region="south-central-america-caribbean",
        instruments=["cms"], online="https://meet.example.org/listing",
        titles=("Webinar: how a species is listed on the CMS Appendices",
                "Webinaire : comment une espèce est inscrite aux Annexes de la CMS",
                "Seminario web: cómo se incluye una especie en los Apéndices de la CMS"),
        descriptions=(
            "Appendix I and Appendix II, who may propose a listing, the two-thirds majority and the 90 days before "
            "an amendment enters into force.", "",
            "Apéndice I y Apéndice II, quién puede proponer una inclusión, la mayoría de dos tercios y los 90 días "
            "antes de la entrada en vigor de una enmienda."),
        organiser=("UNEP/CMS Secretariat", "cms.secretariat@example.org"),
    ),
    dict(
        key="iosea-sss", months=7, week=2, weekday=MON, days=4, zone="Asia/Bangkok", hours=(time(9), time(17)),
        type=EventType.MEETING_OF_PARTIES, region="asia", instruments=["iosea"], city="Bangkok", country="TH",
        titles=("IOSEA Marine Turtles MOU: Meeting of Signatory States",
                "MdE IOSEA Tortues marines : réunion des États signataires", ""),
        descriptions=("Marine turtle conservation in the Indian Ocean and South-East Asia: national reports, the "
                      "site network and the work programme.", "", ""),
        organiser=("IOSEA Secretariat", "iosea@example.org"),
    ),
    dict(
        key="stc-bonn-2", months=8, week=1, weekday=WED, days=2, zone="Europe/Berlin", hours=(time(10), time(17)),
        type=EventType.STANDING_COMMITTEE, region=None, instruments=["cms"], city="Bonn", country="DE",
        online="https://meet.example.org/stc-stream",
        titles=("Meeting of the CMS Standing Committee (pre-COP15)",
                "Réunion du Comité permanent de la CMS (avant la COP15)",
                "Reunión del Comité Permanente de la CMS (antes de la COP15)"),
        descriptions=("The last meeting of the Standing Committee before COP15: arrangements for the COP and the "
                      "draft decisions. Streamed online for observers.", "", ""),
        organiser=("UNEP/CMS Secretariat", "cms.secretariat@example.org"),
    ),
    dict(
        key="webinar-negotiation", months=9, week=0, weekday=TUE, days=1, zone="Africa/Dakar",
        hours=(time(10), time(11, 30)), type=EventType.WEBINAR, region="africa", instruments=["cms", "aewa"],
        online="https://meet.example.org/negotiation",
        titles=("Webinar: before, during and after the COP",
                "Webinaire : avant, pendant et après la COP", ""),
        descriptions=(
            "Credentials and full powers, pre-registration, studying the agenda; asking for the floor and following "
            "changes to texts; the report and informing national colleagues afterwards.",
            "Lettres de créance et pleins pouvoirs, préinscription, étude de l'ordre du jour ; demander la parole et "
            "suivre les modifications des textes ; le rapport et l'information des collègues nationaux ensuite.",
            ""),
        organiser=("Capacity Building Unit", "capacity@example.org"), public=False,
    ),
    dict(
        key="sharks-mos", months=10, week=1, weekday=MON, days=3, zone="America/Costa_Rica",
        hours=(time(9), time(17)), type=EventType.MEETING_OF_PARTIES, region="south-central-america-caribbean",
        instruments=["sharks"], city="San José", country="CR",
        titles=("Sharks MOU: Meeting of Signatories", "MdE Requins : réunion des Signataires",
                "MdE Tiburones: reunión de los Signatarios"),
        descriptions=("Signatories review the conservation plan for migratory sharks and rays.", "",
                      "Los Signatarios examinan el plan de conservación de los tiburones y rayas migratorios."),
        organiser=("Sharks MOU Secretariat", "sharks@example.org"),
    ),
]


def _event_data(spec: dict, start: date) -> EventData:
    end = start + timedelta(days=spec["days"] - 1)
    hours = spec["hours"]
    schedule = Schedule(
        timezone=spec["zone"], all_day=hours is None, start_date=start, end_date=end,
        start_time=hours[0] if hours else None, end_time=hours[1] if hours else None,
    )
    titles, descriptions = spec["titles"], spec["descriptions"]
    organiser = spec.get("organiser", ("", ""))
    return EventData(
        title_en=titles[0], title_fr=titles[1], title_es=titles[2],
        description_en=descriptions[0], description_fr=descriptions[1], description_es=descriptions[2],
        event_type=spec["type"].value, region=spec["region"], instruments=spec["instruments"],
        is_public=spec.get("public", True), city=spec.get("city", ""), country=spec.get("country"),
        online_url=spec.get("online", ""), organiser_name=organiser[0], organiser_email=organiser[1],
        schedule=schedule,
        sessions=[SessionData(title=title, day=start + timedelta(days=offset), start_time=begin, end_time=finish)
                  for offset, begin, finish, title in spec.get("sessions", [])],
        documents=[DocumentData(title=title, url=url) for title, url in spec.get("documents", [])],
    )


def seed_demo_events(author=None, today: date | None = None) -> int:
    """Create the demo events that do not exist yet; return how many were created."""
    today = today or utcnow().date()
    existing = set(db.session.scalars(db.select(Event.uid)))
    created = 0
    for spec in DEMO_EVENTS:
        uid = demo_uid(spec["key"])
        if uid in existing:
            continue
        start = spec.get("on") or _day(today, spec["months"], spec["week"], spec["weekday"])
        event = create_event(_event_data(spec, start), author=author, uid=uid)
        if "postpone" in spec:
            weeks, note = spec["postpone"]
            data = _event_data(spec, start + timedelta(weeks=weeks))
            postpone_event(event, data.schedule, note)
        if "cancel" in spec:
            cancel_event(event, spec["cancel"])
        created += 1
    db.session.flush()
    return created
