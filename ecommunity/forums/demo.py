"""Demo forums: categories for the CMS family and discussions in English, French and Spanish.

Idempotent: categories are found by slug and every demo post carries a fixed submission token,
so a second run adds nothing. Runs after the demo accounts exist (see ecommunity/demo.py).
"""

from datetime import timedelta

from ecommunity.accounts.models import User
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import Access, Category, CategoryWatch, ForumMember, Post

CATEGORIES = [
    dict(slug="help-desk", position=1, access=Access.MEMBERS,
         name="Help desk", name_fr="Aide", name_es="Ayuda",
         description="Questions about using the e-community: accounts, forums, notifications.",
         description_fr="Questions sur l'utilisation de l'e-communauté : comptes, forums, notifications.",
         description_es="Preguntas sobre el uso de la e-comunidad: cuentas, foros, notificaciones."),
    dict(slug="cop-preparation", position=2, access=Access.MEMBERS,
         name="COP preparation", name_fr="Préparation de la COP", name_es="Preparación de la COP",
         description="Delegations, credentials, agendas, draft resolutions and negotiating positions.",
         description_fr="Délégations, pouvoirs, ordres du jour, projets de résolution et positions de négociation.",
         description_es="Delegaciones, credenciales, agendas, proyectos de resolución y posiciones de negociación."),
    dict(slug="national-reporting", position=3, access=Access.MEMBERS,
         name="National reporting", name_fr="Rapports nationaux", name_es="Informes nacionales",
         description="Preparing the national reports to the COP and to the Meetings of the Parties.",
         description_fr="Préparer les rapports nationaux à la COP et aux Réunions des Parties.",
         description_es="Preparar los informes nacionales a la COP y a las Reuniones de las Partes."),
    dict(slug="nbsaps-kmgbf", position=4, access=Access.MEMBERS,
         name="NBSAPs and the Kunming-Montreal Framework",
         name_fr="SPANB et Cadre de Kunming-Montréal", name_es="EPANB y Marco de Kunming-Montreal",
         description="Bringing migratory species into national biodiversity strategies and targets.",
         description_fr="Intégrer les espèces migratrices dans les stratégies et cibles nationales.",
         description_es="Integrar las especies migratorias en las estrategias y metas nacionales."),
    dict(slug="instruments", position=5, access=Access.MEMBERS,
         name="Agreements and MOUs", name_fr="Accords et mémorandums", name_es="Acuerdos y memorandos",
         description="AEWA, EUROBATS, ASCOBANS, ACAP, the Sharks and Raptors MOUs and the rest of the family.",
         description_fr="L'AEWA, EUROBATS, ASCOBANS, l'ACAP, les MdE Requins et Rapaces et le reste de la famille.",
         description_es="AEWA, EUROBATS, ASCOBANS, ACAP, los MdE sobre tiburones y rapaces y el resto de la familia."),
    dict(slug="region-africa", position=10, access=Access.REGION, region="africa",
         name="Africa", name_fr="Afrique", name_es="África",
         description="For the NFPs of the African region.",
         description_fr="Pour les correspondants de la région Afrique.",
         description_es="Para los puntos focales de la región de África."),
    dict(slug="region-asia", position=11, access=Access.REGION, region="asia",
         name="Asia", name_fr="Asie", name_es="Asia", description="For the NFPs of the Asian region."),
    dict(slug="region-europe", position=12, access=Access.REGION, region="europe",
         name="Europe", name_fr="Europe", name_es="Europa", description="For the NFPs of the European region."),
    dict(slug="region-oceania", position=13, access=Access.REGION, region="oceania",
         name="Oceania", name_fr="Océanie", name_es="Oceanía", description="For the NFPs of Oceania."),
    dict(slug="region-americas", position=14, access=Access.REGION, region="south-central-america-caribbean",
         name="South and Central America and the Caribbean",
         name_fr="Amérique du Sud et centrale et Caraïbes", name_es="América del Sur y Central y el Caribe",
         description="For the NFPs of South and Central America and the Caribbean.",
         description_es="Para los puntos focales de América del Sur y Central y el Caribe."),
    dict(slug="secretariat", position=20, access=Access.SECRETARIAT,
         name="Secretariat staff room", name_fr="Salle du secrétariat", name_es="Sala de la secretaría",
         description="Moderation and coordination among secretariat staff."),
]

ADMIN, JONAS, CLAIRE = "admin@example.org", "secretariat@example.org", "secretariat.fr@example.org"
KENYA, SENEGAL, ECUADOR = "nfp.kenya@example.org", "nfp.senegal@example.org", "nfp.ecuador@example.org"
FIJI, UZBEKISTAN, NORWAY, COSTA_RICA = (
    "nfp.fiji@example.org", "nfp.uzbekistan@example.org", "nfp.norway@example.org", "nfp.costarica@example.org",
)

# key, category, author, days ago, title, body, replies [(author, hours after the topic, body)], extras
TOPICS = [
    ("welcome", "help-desk", JONAS, 24, "Welcome to the forums: writing, quoting and notifications",
     "Welcome! A few tips for writing here:\n\n"
     "- Posts use **Markdown**: `**bold**`, `*italic*`, `> quote`, `- list`, `[link](https://www.cms.int)`.\n"
     "- Press **Quote** under a post to answer a specific point.\n"
     "- Mention a colleague with `@` and their name joined by dots, e.g. @Claire.Martin.\n"
     "- **Watch** a topic or a whole category to receive a mail when someone replies. You get one mail per "
     "topic until you read it, never a flood.\n\n"
     "You can write in English, French or Spanish: colleagues from every region read along.",
     [(KENYA, 5, "Thank you, Jonas. The weekly digest option is very useful on our office connection."),
      (SENEGAL, 9, "Merci ! Est-ce que les notifications arrivent en français si mon profil est en français ?"),
      (CLAIRE, 11, "Oui @Moussa.Ndiaye, les messages sont envoyés dans la langue de votre profil. "
                   "Les contributions, elles, restent dans la langue de leur auteur.")],
     {"pin": True}),
    ("timeline", "national-reporting", KENYA, 18, "Timeline for the COP15 national report: when should we start?",
     "Our ministry asks when we should start collecting data for the next national report. Last cycle we began "
     "four months before the deadline and it was too late to consult the research institutes properly.\n\n"
     "How long do your countries give themselves?",
     [(NORWAY, 3, "We start about **eight months** ahead. The first two months are only for agreeing who "
                  "provides which data: the environment agency, the fisheries directorate and two universities."),
      (ECUADOR, 20, "En Ecuador empezamos seis meses antes con un taller nacional. Invitamos a las "
                    "organizaciones que hacen los censos de aves acuáticas y de tortugas marinas."),
      (JONAS, 26, "A good practice from the NFP manual: treat the report as a multi-stakeholder exercise that "
                  "the NFP coordinates, not writes alone. The section on national reporting has a checklist."),
      (UZBEKISTAN, 70, "Eight months sounds right for us as well. The saiga and Bukhara deer data come from "
                       "field teams that only report after the autumn surveys.")],
     {"link": ("manual", "national-reporting"),
      "edit": "Our ministry asks when we should start collecting data for the next national report. Last cycle "
              "we began four months before the deadline, which left no time to consult the research institutes "
              "and the regional wildlife offices.\n\nHow long do your countries give themselves?"}),
    ("consultation", "national-reporting", SENEGAL, 9, "Consultation des parties prenantes pour le rapport national",
     "Bonjour à tous,\n\nPour le prochain rapport, nous voulons associer les ONG de suivi des oiseaux d'eau et "
     "les services des pêches. Comment organisez-vous la validation du rapport avant l'envoi ?\n\n"
     "Chez nous, l'atelier de validation a lieu à Dakar, mais les régions ont du mal à y participer.",
     [(CLAIRE, 4, "Bonjour Moussa, plusieurs pays ont fait une validation en deux temps : une réunion en ligne "
                  "pour les régions, puis un atelier national plus court. Cela réduit aussi les coûts."),
      (KENYA, 30, "In Kenya we circulate the draft by mail for two weeks, then hold a one-day validation "
                  "meeting. Comments that arrive late go into an annex for the next cycle.")],
     {}),
    ("credentials", "cop-preparation", COSTA_RICA, 15, "Credenciales y plenos poderes para la delegación a la COP",
     "Colegas, ¿quién firma las credenciales de la delegación en sus países? El año pasado tuvimos dudas entre "
     "el ministerio de ambiente y la cancillería.",
     [(JONAS, 6, "Credentials are issued by the Head of State or Government or the Minister of Foreign Affairs "
                 "(or someone they authorise). Send a scanned copy before the meeting and bring the original: "
                 "the Credentials Committee checks them in the first days."),
      (ECUADOR, 10, "En nuestro caso las firma la Cancillería. Conviene pedirlas con un mes de anticipación, "
                    "porque necesitan la lista final de la delegación.")],
     {}),
    ("resolution", "cop-preparation", FIJI, 6, "Submitting a draft resolution: what does the deadline mean?",
     "Fiji is considering a draft resolution on cetacean bycatch. Is the submission deadline for the text "
     "itself, or only for notifying the secretariat that we intend to submit one?",
     [(JONAS, 2, "It is for the **full text**. Drafts received after the deadline can only be considered if "
                 "the COP agrees, which is rare. Happy to look at an early draft informally."),
      (UZBEKISTAN, 28, "Our experience from COP14 in Samarkand: start talking with other Range States early, "
                       "a draft with several co-sponsors goes much more smoothly.")],
     {}),
    ("samarkand", "cop-preparation", UZBEKISTAN, 40, "COP14 in Samarkand: lessons for the next COP",
     "COP14 in Samarkand (February 2024) adopted the Samarkand Strategic Plan for Migratory Species 2024-2032. "
     "What did your delegations learn that you would do differently next time?",
     [(NORWAY, 12, "Fewer people, better prepared: we split the agenda items between two delegates and met every "
                   "evening to update the positions."),
      (JONAS, 30, "Thank you all. I am locking this topic now that it has served its purpose; please continue "
                  "in the COP preparation topics.")],
     {"lock": True}),
    ("nbsap", "nbsaps-kmgbf", NORWAY, 4, "Integrating migratory species into our updated NBSAP",
     "We are updating our NBSAP to align with the Kunming-Montreal Global Biodiversity Framework. How have "
     "others reflected **connectivity** and flyways in the national targets? Concrete wording welcome.",
     [(UZBEKISTAN, 5, "We linked our target on ecological corridors to the Central Asian Mammals Initiative, "
                      "naming the saiga migration routes explicitly."),
      (ECUADOR, 9, "Nosotros incluimos una meta sobre conectividad de humedales altoandinos para los flamencos. "
                   "Lo difícil fue encontrar un indicador que ya se mida."),
      (SENEGAL, 26, "Même démarche chez nous pour les tortues marines. @Ingrid.Solberg, avez-vous un "
                    "indicateur national pour les voies de migration ?"),
      (NORWAY, 30, "Not yet, @Moussa.Ndiaye. We are testing one based on the share of key sites for migratory "
                   "waterbirds that are protected. I will share the draft here.")],
     {}),
    ("bern", "nbsaps-kmgbf", SENEGAL, 2, "Le processus de Berne : quel rôle pour les correspondants nationaux ?",
     "La CMS participe au processus de Berne avec les autres conventions relatives à la biodiversité. "
     "Concrètement, qu'est-ce que cela change pour nous, correspondants nationaux ? Faut-il coordonner "
     "davantage avec le correspondant de la CDB ?",
     [(CLAIRE, 3, "Oui : l'idée est que les correspondants des différentes conventions travaillent ensemble sur "
                  "la SPANB. Une réunion annuelle entre correspondants nationaux est déjà un bon début.")],
     {}),
    ("aewa-data", "instruments", NORWAY, 12, "Reusing data between the AEWA and CMS national reports",
     "Much of what we report to AEWA on waterbirds is also relevant to the CMS report. Has anyone set up a "
     "single data collection for both?",
     [(CLAIRE, 7, "The AEWA and CMS secretariats encourage exactly that. Keep one national dataset and answer "
                  "both reports from it; note in each report where the data come from."),
      (KENYA, 21, "We use one spreadsheet with a column per instrument. It saved us weeks in the last cycle.")],
     {}),
    ("sharks", "instruments", COSTA_RICA, 7, "MdE Tiburones: datos de captura incidental en palangre",
     "¿Alguien tiene experiencia con observadores a bordo en la pesca con palangre? Queremos mejorar los datos "
     "de captura incidental de tiburones para la próxima reunión de signatarios.",
     [(FIJI, 8, "Fiji has an observer programme on part of the longline fleet. Coverage is the problem: about "
                "one trip in ten. Electronic monitoring looks promising."),
      (UZBEKISTAN, 9, "Does anyone have a pair of used binoculars to sell? Writing here because it is busy."),
      (ECUADOR, 15, "Podemos compartir el formulario que usan nuestros observadores, está en español.")],
     {"report": (1, COSTA_RICA, "off-topic", "Not about the Sharks MOU; a private sale.")}),
    ("visas", "region-africa", KENYA, 3, "Regional pre-COP workshop: visas and travel",
     "For those coming to the regional preparatory workshop: the invitation letters are out. Apply for visas "
     "at least six weeks ahead; some of us waited a month last time.",
     [(SENEGAL, 5, "Merci Wanjiru. Nous avons reçu la lettre hier, la demande de visa part cette semaine.")],
     {}),
    ("taller", "region-americas", ECUADOR, 1, "Taller regional preparatorio: propuestas de temas",
     "Queridos colegas, estamos preparando la agenda del taller regional. ¿Qué temas les parecen prioritarios? "
     "Propongo: informes nacionales, especies de los Andes y tiburones.",
     [(COSTA_RICA, 4, "De acuerdo. Agregaría una sesión práctica sobre cómo preparar las intervenciones en la COP.")],
     {}),
    ("cetaceans", "region-oceania", FIJI, 11, "Pacific Islands Cetaceans MOU: sharing survey data",
     "Our whale survey team would like to share sightings with neighbouring countries. Is there a regional "
     "format that others already use?", [], {}),
    ("saiga", "region-asia", UZBEKISTAN, 5, "Saiga antelope: follow-up of the Range States meeting",
     "A short summary of the actions agreed for the saiga, and who leads what. Comments welcome before we send "
     "it to the coordinating unit.", [], {}),
    ("bats", "region-europe", NORWAY, 8, "EUROBATS and wind farms: national guidance",
     "Several of us are updating national guidance on wind farms and bats. Shall we compare notes on "
     "curtailment rules?", [], {}),
    ("rota", "secretariat", ADMIN, 10, "Moderation rota for the forums",
     "Let us take turns checking the report queue: Jonas on Mondays and Wednesdays, Claire on Tuesdays and "
     "Thursdays, me on Fridays.",
     [(JONAS, 2, "Works for me. I will also answer the help desk questions.")], {}),
]


def seed_forums() -> None:
    """Create the demo categories and discussions that do not exist yet."""
    people = {u.email: u for u in db.session.scalars(db.select(User))}
    if JONAS not in people:
        return
    categories = {c.slug: c for c in db.session.scalars(db.select(Category))}
    for fields in CATEGORIES:
        if fields["slug"] not in categories:
            categories[fields["slug"]] = services.save_category(None, **fields)
    existing = set(db.session.scalars(db.select(Post.submission_token).where(Post.submission_token.like("demo-%"))))
    now = utcnow()
    _seed_members(people, categories, now)
    moderator = people[JONAS]
    for key, slug, author, days, title, body, replies, extras in TOPICS:
        if f"demo-{key}" in existing:
            continue
        at = now - timedelta(days=days)
        topic = services.create_topic(
            category=categories[slug], author=people[author], title=title, body=body, token=f"demo-{key}",
            link=extras.get("link"), at=at, notify=False,
        )
        posts = []
        for n, (replier, hours, text) in enumerate(replies, start=2):
            posts.append(services.reply(topic=topic, author=people[replier], body=text, token=f"demo-{key}-{n}",
                                        at=at + timedelta(hours=hours), notify=False))
        if "edit" in extras:
            first = services.post_by_number(topic, 1)
            services.edit_post(first, people[author], extras["edit"], at=at + timedelta(hours=1))
        if extras.get("pin"):
            services.moderate_topic(topic, moderator, "pin")
        if extras.get("lock"):
            services.moderate_topic(topic, moderator, "lock", "Answered; discussion continues elsewhere")
        if "report" in extras:
            index, reporter, reason, details = extras["report"]
            services.report_post(posts[index], people[reporter], reason, details)
    db.session.flush()


def _seed_members(people: dict, categories: dict, now) -> None:
    """Visits three days ago (so "new since my last visit" has something), digests and watches."""
    members = set(db.session.scalars(db.select(ForumMember.user_id)))
    for email, user in people.items():
        if user.id in members or not user.is_active:
            continue
        db.session.add(ForumMember(
            user_id=user.id, last_seen_at=now - timedelta(days=3), digest="weekly" if email == NORWAY else "off",
            mention_mails=True, auto_watch=True, feed_version=1,
        ))
    db.session.flush()
    watches = {tuple(row) for row in db.session.execute(db.select(CategoryWatch.user_id, CategoryWatch.category_id))}
    for email, slug in [(KENYA, "national-reporting"), (ECUADOR, "region-americas"), (JONAS, "help-desk")]:
        if email in people and (people[email].id, categories[slug].id) not in watches:
            db.session.add(CategoryWatch(user_id=people[email].id, category_id=categories[slug].id))
