"""Imports every feature's models, so migrations and the app always see the whole schema."""

import ecommunity.accounts.auth  # noqa: F401 - registers the user loader
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
from ecommunity.mail.models import OutboxMessage  # noqa: F401
