"""Reference lists: every UN member state, named in the reader's language."""

from flask_babel import force_locale

from ecommunity.core.reference import UN_MEMBER_STATES, country_choices, is_known_timezone, timezone_choices


def test_all_193_un_member_states_are_offered_with_localised_names(app):
    with app.test_request_context("/"):
        with force_locale("fr"):
            french = dict(country_choices())
        with force_locale("es"):
            spanish = country_choices()
    assert len(UN_MEMBER_STATES) == len(set(UN_MEMBER_STATES)) == 193
    assert french["DE"] == "Allemagne" and french["CI"] == "Côte d’Ivoire"
    names = [name for _, name in spanish]
    assert "Alemania" in names
    # Sorted as a Spanish reader expects: accents do not push "Émiratos"-like names to the end.
    assert names.index("Austria") < names.index("Azerbaiyán") < names.index("Bahamas")


def test_time_zones_are_iana_names():
    zones = dict(timezone_choices())
    assert "Africa/Nairobi" in zones and "Pacific/Fiji" in zones and "America/Guayaquil" in zones
    assert is_known_timezone("Asia/Tashkent")
    assert not is_known_timezone("Mars/Olympus_Mons")
