"""The search-quality table: questions National Focal Points really type, and the manual section
that must answer them.

Each row is `(query, interface_lang, expected, top_k)`:

- `query`: what the person types in the search box, as typed: natural questions, short keyword
  queries, words without their accents ("especes migratrices", "migracion"), and a few typos;
- `interface_lang`: the reader's interface language ("en", "fr" or "es");
- `expected`: the manual section that answers it, as "<chapter-slug>/<section-slug>" (any language
  version of that section counts);
- `top_k`: 1 when that section must be the first manual result, 3 when it must be in the first three.

French and Spanish questions only ask about chapters that exist in French and Spanish
(the Convention and its appendices, the role of the NFP, national reports, the COP at work, NBSAPs
and the Kunming-Montreal Framework), so that they can be answered in the language of the text.
The key words of every question appear in the title or body of the expected section
(ecommunity/manual/content/).
"""

QUESTIONS = [
    # --- English ---------------------------------------------------------------------------------
    ("how do I submit a national report", "en", "national-reports/online-reporting-system", 3),
    ("national report deadline", "en", "national-reports/purpose-and-timing", 3),
    ("appendix I exceptions to the prohibition on taking", "en", "convention-and-appendices/appendix-i", 1),
    ("what does listing on Appendix II mean", "en", "convention-and-appendices/appendix-ii", 3),
    ("who is a range state", "en", "convention-and-appendices/range-states", 1),
    ("AEWA waterbirds flyway approach", "en", "cms-family/aewa", 1),
    ("albatrosses petrels longline bycatch", "en", "cms-family/other-agreements", 3),
    ("how does a country sign an MOU", "en", "cms-family/memoranda-of-understanding", 3),
    ("difference between resolutions and decisions", "en", "the-cop/resolutions-and-decisions", 1),
    ("deadline to submit a listing proposal 150 days", "en", "the-cop/amending-the-appendices", 1),
    ("credentials from the foreign ministry for the delegation", "en", "preparing-for-a-cop/before-the-cop", 3),
    ("pre-COP regional preparatory workshops", "en", "preparing-for-a-cop/regional-meetings", 3),
    ("Standing Committee regional members", "en", "institutions/standing-committee", 1),
    ("sessional committee scientific councillor", "en", "institutions/scientific-council", 1),
    ("assessed contributions arrears", "en", "institutions/secretariat-and-funding", 1),
    ("Samarkand Strategic Plan 2024-2032", "en", "strategic-plan/spms-overview", 1),
    ("State of the World's Migratory Species report findings", "en", "strategic-plan/state-of-migratory-species", 1),
    ("integrate migratory species into the NBSAP", "en", "nbsaps-and-kmgbf/integrating-migratory-species", 3),
    ("Ramsar sites waterbird 1% criterion", "en", "other-conventions/ramsar", 1),
    ("CITES and CMS appendices difference", "en", "other-conventions/cites", 3),
    ("how do I write an intervention in plenary", "en", "negotiation-skills/interventions-in-plenary", 1),
    ("mission report after the COP", "en", "preparing-for-a-cop/after-the-cop", 1),
    ("acronyms", "en", "glossary/acronyms", 1),
    ("national focal pont duties", "en", "role-of-the-nfp/duties", 3),  # typo: pont
    ("square brakets contact group compromise", "en", "negotiation-skills/contact-groups", 3),  # typo: brakets

    # --- French ------------------------------------------------------------------------------------
    ("que fait le correspondant national", "fr", "role-of-the-nfp/duties", 3),
    ("especes migratrices annexe I", "fr", "convention-and-appendices/appendix-i", 3),
    ("comment soumettre le rapport national", "fr", "national-reports/online-reporting-system", 3),
    ("dérogations à l'interdiction de prélèvement", "fr", "convention-and-appendices/appendix-i", 1),
    ("etat de l'aire de repartition", "fr", "convention-and-appendices/range-states", 1),
    ("état de conservation favorable", "fr", "convention-and-appendices/appendix-ii", 1),
    ("difference entre resolution et decision", "fr", "the-cop/resolutions-and-decisions", 1),
    ("proposition d'amendement des annexes 150 jours", "fr", "the-cop/amending-the-appendices", 1),
    ("désignation du correspondant national lettre officielle", "fr", "role-of-the-nfp/who-is-the-nfp", 1),
    ("ministere des peches captures accidentelles", "fr", "role-of-the-nfp/working-with-ministries", 3),
    ("journee mondiale des oiseaux migrateurs", "fr", "role-of-the-nfp/stakeholders-and-outreach", 1),
    ("systeme de rapport en ligne mot de passe", "fr", "national-reports/online-reporting-system", 1),
    ("SPANB especes migratrices", "fr", "nbsaps-and-kmgbf/integrating-migratory-species", 3),
    ("cibles du Cadre de Kunming-Montreal", "fr", "nbsaps-and-kmgbf/kunming-montreal-framework", 1),
    ("connectivite ecologique corridors", "fr", "nbsaps-and-kmgbf/connectivity-in-national-targets", 1),
    ("Comité plénier et commission de vérification des pouvoirs", "fr", "the-cop/how-the-cop-runs", 1),
    ("raport national erreurs frequentes", "fr", "national-reports/tips-and-pitfalls", 3),  # typo: raport
    ("Convention de Bonn 1979", "fr", "convention-and-appendices/what-cms-is", 1),
    ("réserve amendement 90 jours", "fr", "convention-and-appendices/range-states", 3),
    ("preambule et dispositif d'une resolution", "fr", "the-cop/resolutions-and-decisions", 1),
    ("Processus de Berne", "fr", "nbsaps-and-kmgbf/kunming-montreal-framework", 3),

    # --- Spanish -----------------------------------------------------------------------------------
    ("especies migratorias apéndice I", "es", "convention-and-appendices/appendix-i", 3),
    ("¿qué es la Convención de Bonn?", "es", "convention-and-appendices/what-cms-is", 3),
    ("funciones del punto focal nacional", "es", "role-of-the-nfp/duties", 1),
    ("estado del area de distribucion", "es", "convention-and-appendices/range-states", 1),
    ("estado de conservacion favorable", "es", "convention-and-appendices/appendix-ii", 1),
    ("diferencia entre resoluciones y decisiones", "es", "the-cop/resolutions-and-decisions", 1),
    ("propuesta de enmienda de los apendices 150 dias", "es", "the-cop/amending-the-appendices", 1),
    ("designacion del punto focal carta oficial", "es", "role-of-the-nfp/who-is-the-nfp", 1),
    ("Día Mundial de las Aves Migratorias", "es", "role-of-the-nfp/stakeholders-and-outreach", 1),
    ("sistema de presentacion de informes en linea contraseña", "es", "national-reports/online-reporting-system", 1),
    ("cuándo hay que presentar el informe nacional", "es", "national-reports/purpose-and-timing", 3),
    ("integrar las especies migratorias en la EPANB", "es", "nbsaps-and-kmgbf/integrating-migratory-species", 3),
    ("metas del Marco de Kunming-Montreal", "es", "nbsaps-and-kmgbf/kunming-montreal-framework", 1),
    ("conectividad ecologica corredores migracion", "es", "nbsaps-and-kmgbf/connectivity-in-national-targets", 1),
    ("corchetes negociacion enmiendas", "es", "the-cop/negotiating-texts", 3),
    ("informe nacinal errores frecuentes", "es", "national-reports/tips-and-pitfalls", 3),  # typo: nacinal
    ("quién es el punto focal nacional", "es", "role-of-the-nfp/who-is-the-nfp", 3),
    ("reserva enmienda 90 dias", "es", "convention-and-appendices/range-states", 3),
    ("obstaculos a la migracion tendidos electricos", "es", "convention-and-appendices/appendix-i", 3),
    ("preambulo parte dispositiva resolucion", "es", "the-cop/resolutions-and-decisions", 1),
    ("Proceso de Berna", "es", "nbsaps-and-kmgbf/kunming-montreal-framework", 3),
]
