"""The target of a sign-in (:func:`protected_actions.evaluate_sign_in`), read strictly.

A target is an application id (a GUID, also written ``{guid}`` or
``urn:uuid:guid``, read as the lowercase GUID), one of the named application
groups (``All``, ``Office365``, ``MicrosoftAdminPortals``) or a user action
(``urn:user:registersecurityinfo``, ``urn:user:registerdevice``); names are matched
in any ASCII case. Anything else (padding, control characters, a homoglyph, a
truncated GUID, an unknown user action) raises
:class:`~protected_actions.InvalidModelError` with a did-you-mean where one is
close: a target the library cannot read is never a silent miss.
"""

from __future__ import annotations

import re

from protected_actions.errors import InvalidModelError
from protected_actions.model.vocabulary import ascii_lower, near_miss, text_problem

__all__ = ["APPLICATION", "USER_ACTION", "sign_in_target"]

APPLICATION = "application"
USER_ACTION = "userAction"

_GUID = re.compile(r"(?:\{|urn:uuid:)?"
                   r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\}?)")
_USER_ACTIONS = ("urn:user:registersecurityinfo", "urn:user:registerdevice")
_NAMED_GROUPS = ("All", "Office365", "MicrosoftAdminPortals")
_KNOWN = {ascii_lower(name): name for name in (*_USER_ACTIONS, *_NAMED_GROUPS)}
_EXPECTED = ("an application id (a GUID, '{guid}' or 'urn:uuid:guid'), "
             + ", ".join(repr(n) for n in _NAMED_GROUPS) + " or a user action ("
             + ", ".join(repr(a) for a in _USER_ACTIONS) + ")")


def sign_in_target(target: object) -> tuple[str, str]:
    """``(kind, target)``: ``kind`` is :data:`APPLICATION` or :data:`USER_ACTION`,
    ``target`` the normalised form (lowercase GUID, or the canonical name).

    >>> sign_in_target("{00000003-0000-0000-C000-000000000000}")
    ('application', '00000003-0000-0000-c000-000000000000')
    >>> sign_in_target("urn:user:RegisterSecurityInfo")
    ('userAction', 'urn:user:registersecurityinfo')
    """
    problem = text_problem(target)
    if problem is not None:
        raise InvalidModelError("target", f"{_EXPECTED}: {problem}", target)
    assert isinstance(target, str)
    folded = ascii_lower(target)
    named = _KNOWN.get(folded)
    if named is not None:
        return (USER_ACTION if named in _USER_ACTIONS else APPLICATION), named
    if folded.isascii():
        match = _GUID.fullmatch(folded)
        if match is not None and (match[2] == "}") == folded.startswith("{"):
            return APPLICATION, match[1]
    close = near_miss(target, _KNOWN.values())
    hint = f" (did you mean {close!r}?)" if close is not None else ""
    raise InvalidModelError("target", _EXPECTED + hint, target)
