"""Imports every feature's models, so migrations and the app always see the whole schema."""

import ecommunity.accounts.auth  # noqa: F401 - registers the user loader
import ecommunity.evaluations.models  # noqa: F401 - Evaluation, EvaluationResponse and their parts
from ecommunity.accounts.models import User, UserInstrument  # noqa: F401
from ecommunity.events.models import AgendaSession, Event, EventDocument, EventInstrument, EventsVersion  # noqa: F401
from ecommunity.forums.models import (  # noqa: F401
    Category,
    CategoryWatch,
    ForumMember,
    ModerationAction,
    Post,
    PostRevision,
    Report,
    Topic,
    TopicUser,
)
from ecommunity.library.models import LibraryDocument  # noqa: F401
from ecommunity.mail.models import OutboxMessage  # noqa: F401
from ecommunity.manual.models import ManualChapter, ManualPart, ManualSection, SectionRevision, SectionVersion  # noqa: F401, E501
from ecommunity.search.changes import SearchChange  # noqa: F401, E402 - also registers the change listeners
from ecommunity.workshops.models import Registration, RegistrationLog, Workshop  # noqa: F401
