"""SMS bodies within a segment budget.

A message that fits the GSM 03.38 alphabet is sent 7-bit: 160 septets in one
segment, 153 per segment when split (the rest is the concatenation header); a
character of the extension table (``{ } [ ] ~ | ^ \\ €``) takes two septets.
Anything else, Chinese included, is UCS-2: 70 UTF-16 code units alone, 67 per
segment when split. A split never cuts an escape pair or a surrogate pair.

``compose`` builds an escalation SMS whose reply code is never cut: when the
message does not fit, the headline is shortened and marked with an ellipsis.
"""

from __future__ import annotations

import re

from command.i18n import message, render

GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
             "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = "\f^{}\\[~]|€"
_GSM_BASIC = frozenset(GSM_BASIC)
_GSM_EXTENSION = frozenset(GSM_EXTENSION)

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# "…" is not in the GSM alphabet: a 7-bit message is cut with "..." so that
# the cut alone never turns it into UCS-2 (which would halve the budget).
ELLIPSES = ("…", "...")

_SPACES = re.compile(r"\s+")
_STOPS = ".!?…。！？)）"


def is_gsm(text: str) -> bool:
    """True when every character of ``text`` is in the GSM 03.38 alphabet (basic or extension)."""
    return all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text)


def segments(text: str) -> int:
    """Return how many SMS segments ``text`` takes (an empty message is still one)."""
    if is_gsm(text):
        units = [2 if char in _GSM_EXTENSION else 1 for char in text]
        single, part = GSM_SINGLE, GSM_PART
    else:
        units = [2 if ord(char) > 0xFFFF else 1 for char in text]  # UTF-16 code units
        single, part = UCS2_SINGLE, UCS2_PART
    if sum(units) <= single:
        return 1
    count, used = 1, 0
    for size in units:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count


def compose(headline: str | None, grade: str | None, reply_code: str | None, language: str,
            exercise: bool, *, max_segments: int = 1) -> str:
    """Return an escalation SMS: labels, the headline (shortened if needed), the reply instruction.

    The labels and the reply instruction come from the catalogue in ``language`` ("zh…" gives
    【演练】【II级】… 回复A7 1确认, English [EXERCISE] [Grade II] … Reply A7 1 to ack). The result
    takes at most ``max_segments`` segments; the reply code is never cut.
    """
    zh = (language or "").lower().startswith("zh")
    prefix = "".join(render(message(key, grade=grade), language) for key, wanted in
                     (("sms.exercise_label", exercise), ("sms.grade_label", grade)) if wanted)
    suffix = render(message("sms.reply_instruction", code=reply_code), language) if reply_code else ""
    head = _SPACES.sub(" ", headline or "").strip() or render(message("sms.no_headline"), language)
    stop = "." if suffix and not zh and head[-1] not in _STOPS else ""  # "level. Reply A7 1", not "level Reply"
    if segments(prefix + head + stop + suffix) <= max_segments:
        return prefix + head + stop + suffix
    best: tuple[int, str] | None = None
    for ellipsis in ELLIPSES:
        keep = _longest_fit(prefix, head, ellipsis + suffix, max_segments)
        if keep is not None and (best is None or keep > best[0]):
            best = (keep, prefix + head[:keep].rstrip() + ellipsis + suffix)
    if best is None:
        raise ValueError(f"the labels and reply instruction alone take more than {max_segments} segment(s)")
    return best[1]


def _longest_fit(prefix: str, head: str, tail: str, max_segments: int) -> int | None:
    """The largest k such that prefix + head[:k] + tail fits (segments only grow with k), or None."""
    if segments(prefix + tail) > max_segments:
        return None
    low, high = 0, len(head)
    while low < high:
        middle = (low + high + 1) // 2
        if segments(prefix + head[:middle].rstrip() + tail) <= max_segments:
            low = middle
        else:
            high = middle - 1
    return low
