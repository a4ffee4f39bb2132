"""What one sign-in log record becomes: a :class:`SignIn` (the session, the target
and what Entra recorded), or an :class:`Unreadable` (where, and why not)."""

from __future__ import annotations

import attrs

from protected_actions.model.session import SessionState

__all__ = ["RecordedPolicy", "SignIn", "Unreadable"]


def __dir__() -> list[str]:
    return __all__


@attrs.frozen(kw_only=True)
class RecordedPolicy:
    """One entry of ``appliedConditionalAccessPolicies``: the policy and its result
    word (``success``, ``failure``, ``notApplied``, ``reportOnlySuccess`` ...)."""

    policy_id: str
    display_name: str | None
    result: str


@attrs.frozen(kw_only=True)
class SignIn:
    """One readable sign-in record.

    ``resource`` is the conditional-access target (``resourceId``, or ``appId`` when
    the record names no resource); ``auth_contexts`` are the ids listed in
    ``authenticationContextClassReferences``, evaluated together with the resource.
    ``recorded`` and ``status`` are what Entra wrote (``appliedConditionalAccessPolicies``
    and ``conditionalAccessStatus``). ``lacking`` names facts the session needed and
    the record does not give (an ambiguous method, a user the tenant's directory
    does not list is added at replay): a disagreement on such a record is
    *undetermined*, never a verdict on the engine. ``unknown_fields`` are the
    record's properties this reader does not know (counted in the reports).
    """

    source: str
    line: int
    id: str | None
    session: SessionState
    resource: str
    auth_contexts: tuple[str, ...] = ()
    recorded: tuple[RecordedPolicy, ...] = ()
    status: str | None = None
    lacking: tuple[str, ...] = ()
    unknown_fields: tuple[str, ...] = ()
    user_principal_name: str | None = None
    app_display_name: str | None = None

    @property
    def where(self) -> str:
        """``source:line`` of the record."""
        return f"{self.source}:{self.line}"


@attrs.frozen(kw_only=True)
class Unreadable:
    """A record that could not be read: its file, line and the reason."""

    source: str
    line: int
    message: str

    def as_tuple(self) -> tuple[str, int, str]:
        """``(source, line, message)``."""
        return self.source, self.line, self.message
