"""SMS: message bodies within a segment budget, senders behind one interface, the outbox, inbound replies.

``text`` composes bodies, ``senders`` talks to a provider (console, Twilio, an
HTTP gateway), ``outbox`` delivers Notification rows and applies delivery
callbacks, ``replies`` turns an inbound "A7 1" into an acknowledgement.
"""

from command.sms.text import compose, segments

__all__ = ["compose", "segments"]
