"""Reference lists used across features: UN member states, CMS regions, CMS-family instruments."""

import unicodedata
import zoneinfo
from functools import cache

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# The 193 member states of the United Nations, as ISO 3166-1 alpha-2 codes.
UN_MEMBER_STATES = (
    "AF", "AL", "DZ", "AD", "AO", "AG", "AR", "AM", "AU", "AT", "AZ", "BS", "BH", "BD", "BB", "BY",
    "BE", "BZ", "BJ", "BT", "BO", "BA", "BW", "BR", "BN", "BG", "BF", "BI", "CV", "KH", "CM", "CA",
    "CF", "TD", "CL", "CN", "CO", "KM", "CG", "CR", "CI", "HR", "CU", "CY", "CZ", "KP", "CD", "DK",
    "DJ", "DM", "DO", "EC", "EG", "SV", "GQ", "ER", "EE", "SZ", "ET", "FJ", "FI", "FR", "GA", "GM",
    "GE", "DE", "GH", "GR", "GD", "GT", "GN", "GW", "GY", "HT", "HN", "HU", "IS", "IN", "ID", "IR",
    "IQ", "IE", "IL", "IT", "JM", "JP", "JO", "KZ", "KE", "KI", "KW", "KG", "LA", "LV", "LB", "LS",
    "LR", "LY", "LI", "LT", "LU", "MG", "MW", "MY", "MV", "ML", "MT", "MH", "MR", "MU", "MX", "FM",
    "MC", "MN", "ME", "MA", "MZ", "MM", "NA", "NR", "NP", "NL", "NZ", "NI", "NE", "NG", "MK", "NO",
    "OM", "PK", "PW", "PA", "PG", "PY", "PE", "PH", "PL", "PT", "QA", "KR", "MD", "RO", "RU", "RW",
    "KN", "LC", "VC", "WS", "SM", "ST", "SA", "SN", "RS", "SC", "SL", "SG", "SK", "SI", "SB", "SO",
    "ZA", "SS", "ES", "LK", "SD", "SR", "SE", "CH", "SY", "TJ", "TH", "TL", "TG", "TO", "TT", "TN",
    "TR", "TM", "TV", "UG", "UA", "AE", "GB", "TZ", "US", "UY", "UZ", "VU", "VE", "VN", "YE", "ZM",
    "ZW",
)

# Regions as CMS uses them, for example for the Standing Committee.
REGIONS = {
    "africa": _l("Africa"),
    "asia": _l("Asia"),
    "europe": _l("Europe"),
    "oceania": _l("Oceania"),
    "south-central-america-caribbean": _l("South and Central America and the Caribbean"),
    "north-america": _l("North America"),
}

# CMS and the Agreements and Memoranda of Understanding concluded under it.
INSTRUMENTS = {
    "cms": _l("CMS (the Convention)"),
    "aewa": _l("AEWA (African-Eurasian Waterbirds)"),
    "eurobats": _l("EUROBATS (European bats)"),
    "ascobans": _l("ASCOBANS (small cetaceans of the Baltic and North Seas)"),
    "acap": _l("ACAP (albatrosses and petrels)"),
    "gorillas": _l("Gorilla Agreement"),
    "wadden-sea-seals": _l("Wadden Sea Seals Agreement"),
    "raptors": _l("Raptors MOU (birds of prey of Africa and Eurasia)"),
    "dugong": _l("Dugong MOU"),
    "sharks": _l("Sharks MOU"),
    "iosea": _l("IOSEA Marine Turtles MOU"),
    "atlantic-turtles": _l("Atlantic Turtles MOU"),
    "pacific-cetaceans": _l("Pacific Islands Cetaceans MOU"),
    "west-african-elephants": _l("West African Elephants MOU"),
    "saiga": _l("Saiga Antelope MOU"),
    "bukhara-deer": _l("Bukhara Deer MOU"),
    "siberian-crane": _l("Siberian Crane MOU"),
    "aquatic-warbler": _l("Aquatic Warbler MOU"),
    "great-bustard": _l("Middle-European Great Bustard MOU"),
    "high-andean-flamingos": _l("High Andean Flamingos MOU"),
    "grassland-birds": _l("Southern South American Grassland Birds MOU"),
    "ruddy-headed-goose": _l("Ruddy-headed Goose MOU"),
    "monk-seal": _l("Mediterranean Monk Seal MOU"),
    "central-asian-mammals": _l("Central Asian Mammals Initiative"),
}


def current_locale() -> Locale:
    locale = get_locale()
    return locale if locale is not None else Locale("en")


def country_name(code: str, locale: Locale | None = None) -> str:
    """A country's name in the reader's language (falls back to the code)."""
    locale = locale or current_locale()
    return locale.territories.get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """UN member states, named and sorted in the reader's language."""
    locale = current_locale()
    names = [(code, country_name(code, locale)) for code in UN_MEMBER_STATES]
    return sorted(names, key=lambda item: _sort_key(item[1]))


def region_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in REGIONS.items()]


def instrument_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in INSTRUMENTS.items()]


def region_name(code: str) -> str:
    return str(REGIONS.get(code, code))


def instrument_name(code: str) -> str:
    return str(INSTRUMENTS.get(code, code))


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@cache
def _available_zones() -> frozenset[str]:
    # zoneinfo reads the zone list from disk on every call (about 15 ms).
    return frozenset(zoneinfo.available_timezones())


def timezone_choices() -> list[tuple[str, str]]:
    """IANA zones people pick from (Area/City), with UTC first."""
    return list(_timezone_choices())


@cache
def _timezone_choices() -> tuple[tuple[str, str], ...]:
    zones = sorted(
        zone for zone in _available_zones()
        if "/" in zone and zone.split("/")[0] in _ZONE_AREAS
    )
    return (("UTC", "UTC"), *((zone, zone.replace("_", " ")) for zone in zones))


def is_known_timezone(name: str) -> bool:
    return name == "UTC" or name in _available_zones()


_ZONE_AREAS = {
    "Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian",
    "Pacific",
}
