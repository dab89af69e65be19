"""The participant list as CSV that spreadsheet programs open correctly (UTF-8 with a BOM)."""

import csv
import io

from flask import Response
from flask_babel import gettext as _

from ecommunity.core.reference import country_name, region_name
from ecommunity.workshops.models import REGISTRATION_STATES, Registration, Workshop

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: values that would start a formula get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def participants_csv(workshop: Workshop, registrations: list[Registration]) -> Response:
    """The CSV download of a workshop's registrations, in the reader's language."""
    from ecommunity.workshops.services import waitlist_positions

    positions = waitlist_positions(workshop.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    yes, no = _("yes"), _("no")
    writer.writerow([
        _("Name"), _("Email"), _("Country"), _("Region"), _("Organisation"), _("State"),
        _("Waiting list position"), _("Registered at (UTC)"), _("Travel support"), _("Visa letter"),
        _("Arrival"), _("Departure"), _("Dietary needs"), _("Language for materials"), _("Reason"),
        *[q["label"] for q in workshop.questions],
    ])
    for r in registrations:
        writer.writerow([safe_cell(v) for v in (
            r.user.full_name, r.user.email, country_name(r.country), region_name(r.region), r.user.organisation,
            str(REGISTRATION_STATES.get(r.state, r.state)), positions.get(r.id, ""),
            r.created_at.strftime("%Y-%m-%d %H:%M"), yes if r.travel_support else no,
            yes if r.visa_letter else no, r.arrival_date or "", r.departure_date or "", r.dietary_needs,
            r.material_language, r.rejection_reason,
            *[(r.answers or {}).get(q["key"], "") for q in workshop.questions],
        )])
    body = "\ufeff" + out.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="workshop-{workshop.id}-participants.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
