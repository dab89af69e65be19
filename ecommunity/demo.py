"""Demo data for `flask seed-demo` and `make run`. Idempotent: running it twice changes nothing."""

from ecommunity.accounts.models import AccountStatus, Role, User, UserInstrument
from ecommunity.accounts.passwords import hash_password
from ecommunity.database import utcnow
from ecommunity.extensions import db

DEMO_PASSWORD = "migratory-species-demo"

# (email, name, country, region, role, status, language, timezone, organisation, position, instruments)
DEMO_PEOPLE = [
    ("admin@example.org", "Amina Diallo", "DE", "europe", Role.ADMIN, AccountStatus.ACTIVE,
     "en", "Europe/Berlin", "UNEP/CMS Secretariat", "Information Management Officer", ["cms"]),
    ("secretariat@example.org", "Jonas Weber", "DE", "europe", Role.SECRETARIAT,
     AccountStatus.ACTIVE, "en", "Europe/Berlin", "UNEP/CMS Secretariat",
     "Capacity Building Officer", ["cms", "aewa"]),
    ("secretariat.fr@example.org", "Claire Martin", "DE", "europe", Role.SECRETARIAT,
     AccountStatus.ACTIVE, "fr", "Europe/Berlin", "Secrétariat PNUE/AEWA",
     "Chargée de programme", ["aewa"]),
    ("nfp.kenya@example.org", "Wanjiru Kamau", "KE", "africa", Role.MEMBER, AccountStatus.ACTIVE,
     "en", "Africa/Nairobi", "Kenya Wildlife Service", "Senior Scientist", ["cms", "aewa", "raptors"]),
    ("nfp.senegal@example.org", "Moussa Ndiaye", "SN", "africa", Role.MEMBER,
     AccountStatus.ACTIVE, "fr", "Africa/Dakar", "Direction des Parcs nationaux",
     "Chef de division", ["cms", "aewa", "atlantic-turtles"]),
    ("nfp.ecuador@example.org", "María José Andrade", "EC", "south-central-america-caribbean",
     Role.MEMBER, AccountStatus.ACTIVE, "es", "America/Guayaquil",
     "Ministerio del Ambiente, Agua y Transición Ecológica", "Directora de Biodiversidad",
     ["cms", "high-andean-flamingos"]),
    ("nfp.fiji@example.org", "Seini Tuilagi", "FJ", "oceania", Role.MEMBER, AccountStatus.ACTIVE,
     "en", "Pacific/Fiji", "Ministry of Environment", "Principal Environment Officer",
     ["cms", "pacific-cetaceans", "sharks"]),
    ("nfp.uzbekistan@example.org", "Dilshod Karimov", "UZ", "asia", Role.MEMBER,
     AccountStatus.ACTIVE, "en", "Asia/Tashkent", "Ministry of Ecology", "Chief Specialist",
     ["cms", "saiga", "bukhara-deer", "central-asian-mammals"]),
    ("nfp.norway@example.org", "Ingrid Solberg", "NO", "europe", Role.MEMBER, AccountStatus.ACTIVE,
     "en", "Europe/Oslo", "Norwegian Environment Agency", "Senior Adviser",
     ["cms", "aewa", "eurobats"]),
    ("nfp.costarica@example.org", "Andrés Solís", "CR", "south-central-america-caribbean",
     Role.MEMBER, AccountStatus.ACTIVE, "es", "America/Costa_Rica", "SINAC",
     "Coordinador de Vida Silvestre", ["cms", "sharks"]),
    ("new.member@example.org", "Fatou Camara", "GM", "africa", Role.MEMBER, AccountStatus.PENDING,
     "en", "Africa/Banjul", "Department of Parks and Wildlife Management", "Wildlife Officer",
     ["cms", "aewa"]),
]


def seed_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; return (role, email, password) rows."""
    existing = set(db.session.scalars(db.select(User.email)))
    now = utcnow()
    logins = []
    for (email, name, country, region, role, status, language, timezone, organisation,
         position, instruments) in DEMO_PEOPLE:
        if status == AccountStatus.ACTIVE:
            logins.append((str(role), email, DEMO_PASSWORD))
        if email in existing:
            continue
        user = User(
            email=email, full_name=name, country=country, region=region, role=role,
            status=status, language=language, timezone=timezone, organisation=organisation,
            position=position, password_hash=hash_password(DEMO_PASSWORD),
            email_verified_at=now,
            decided_at=now if status == AccountStatus.ACTIVE else None,
            instrument_links=[UserInstrument(instrument=code) for code in instruments],
        )
        db.session.add(user)
    db.session.flush()
    return logins


def seed_demo() -> list[tuple[str, str, str]]:
    """Every feature's demo content. Features add their own seeding here."""
    from ecommunity.events.demo import seed_demo_events
    from ecommunity.forums.demo import seed_forums

    logins = seed_demo_accounts()
    seed_forums()
    seed_demo_events(author=db.session.scalar(db.select(User).filter_by(email="secretariat@example.org")))
    __import__("ecommunity.workshops.demo", fromlist=["_"]).seed_demo_workshops()  # workshops (issue 5)
    __import__("ecommunity.evaluations.demo", fromlist=["_"]).seed_demo_evaluations()  # evaluations (issue 5)
    __import__("ecommunity.manual.demo", fromlist=["_"]).seed_manual_and_library()
    return logins
