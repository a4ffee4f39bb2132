"""Emergency access accounts: PA101, PA102, PA103, PA110 and PA111.

Whether a policy can block an emergency account, or challenge it, is decided with
the lockout machinery, never by reading exclude lists: for each enforced policy
(``enabled``, or a state the evaluator does not know) and each designated account,
:class:`~protected_actions.analysis._search._Search` enumerates the condition
classes the policy tells apart (:mod:`protected_actions.analysis._space`; modern
clients only, as for the emergency verdicts of ``find_lockouts``) for the account
as the directory describes it (nested groups, active and tenant-wide roles, guest
type: the evaluator's ``check_users`` decides), and every candidate session is then
confirmed with the evaluator's own per-policy evaluation, before and after the
step-up the account can do (:func:`~protected_actions.simulate_step_up`, limited to
its registered methods when known).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import attrs

from protected_actions.engine.compile import (
    APPLICATION_GROUPS,
    CompiledPolicy,
    CompiledTenant,
    compiled,
)
from protected_actions.engine.conditions import Request, UserFacts, check_users
from protected_actions.engine.decision import Challenge, Requirement
from protected_actions.engine.evaluator import _evaluate_policy, _user_facts
from protected_actions.engine.grant import evaluate_grant
from protected_actions.engine.step_up import simulate_step_up
from protected_actions.model.permissions import Permission
from protected_actions.model.session import SessionState, User
from protected_actions.model.tenant import Tenant
from protected_actions.model.vocabulary import ascii_lower

from ._lint_catalog import Finding, finding
from ._search import ANALYSIS_TIME, _Search
from ._space import build_space

__all__ = ["EmergencyExposure", "emergency_accounts", "emergency_exposures",
           "emergency_findings", "exposure_text", "sign_in_targets"]

ENTRA_ADMIN_CENTER = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
"""Azure portal / Entra admin center application id (entra-facts §9): the application
an emergency account signs in to, used as the target of an all-resources policy."""
_REPRESENTATIVE_APPS = (
    ENTRA_ADMIN_CENTER,
    "00000003-0000-0ff1-ce00-000000000000",  # SharePoint Online (an Office 365 app)
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46",  # Azure CLI (entra-facts §9)
    "00000000-0000-0000-0000-00000000e1a0",  # an id no policy plausibly names
)
# The search never evaluates a permission (the policy is confirmed with the
# evaluator's per-policy evaluation for its own target); _Search only stores it.
_UNUSED_PERMISSION = Permission("microsoft.directory/conditionalAccessPolicies/create")

_EXCLUDE_FIX = (
    "Exclude the emergency access accounts (through their dedicated group) from this "
    "policy, or, to protect them rather than exclude them, make it "
    "demand only a step-up they can complete, such as an authentication strength that "
    "allows their FIDO2 security keys or certificates.")


@attrs.frozen(kw_only=True)
class EmergencyExposure:
    """What one enforced policy can do to one emergency account: ``block`` it,
    demand what it cannot do (``unmet``: ``requirements`` stay unmet after every
    step-up it can do), or ``challenge`` it with a step-up it can do
    (``requirements`` are what is asked). ``conditions`` describe the session."""

    account: str
    policy_id: str
    kind: str  # "block" | "unmet" | "challenge"
    requirements: tuple[Requirement, ...]
    conditions: tuple[str, ...]
    target: str
    activated: bool

    @property
    def locks_out(self) -> bool:
        """Whether the account cannot get past this policy in that session."""
        return self.kind != "challenge"


_GROUP_NAMES = {"office365": "Office365", "microsoftadminportals": "MicrosoftAdminPortals"}


def _target(cp: CompiledPolicy) -> tuple[str, str, str] | None:
    """``(target kind, target, label)``: what the policy is confirmed against, or
    ``None`` when it targets nothing a user signs in to."""
    if cp.contexts:
        context = min(cp.contexts)
        return "context", context, f"auth context {context}"
    if cp.user_actions:
        action = min(cp.user_actions)
        return "userAction", action, f"user action {action}"
    groups = cp.include_apps & APPLICATION_GROUPS
    if cp.include_all_apps or groups:
        preferred = [a for a in _REPRESENTATIVE_APPS if a not in cp.exclude_apps]
        if not cp.include_all_apps and "microsoftadminportals" not in groups:
            preferred = [a for a in preferred if a != ENTRA_ADMIN_CENTER]
        label = "any application" if cp.include_all_apps else \
            " and ".join(sorted(_GROUP_NAMES[g] for g in groups))
        return "application", preferred[0], label
    concrete = sorted(cp.include_apps - cp.exclude_apps)
    if concrete:
        return "application", concrete[0], f"application {concrete[0]}"
    return None


def _variants(tenant: Tenant, index: CompiledTenant, account: str) -> list[tuple[User, bool]]:
    """The account as the directory knows it, and with its eligible roles activated
    (a role-scoped policy applies once a PIM role is active)."""
    user = next((u for u in tenant.users if ascii_lower(u.id) == ascii_lower(account)),
                None) or User(id=account)
    entry = index.directory.get(ascii_lower(account))
    active = set(user.roles) | (entry.active_roles if entry else set())
    eligible = (set(user.eligible_roles) | (entry.eligible_roles if entry else set())) - active
    out = [(user, False)]
    if eligible:
        out.append((attrs.evolve(user, roles=user.roles | eligible), True))
    return out


def _conditions(search: _Search, choice: Sequence[int]) -> tuple[str, ...]:
    return tuple(text for dim, i in zip(search.dims, choice, strict=False)
                 if (text := dim.values[i].assumption) is not None)


@attrs.frozen
class _Verdict:
    blocks: bool
    unmet_after: tuple[Requirement, ...]
    asked: tuple[Requirement, ...]


def _confirm(index: CompiledTenant, cp: CompiledPolicy, session: SessionState,
             user: UserFacts, kind: str, target: str) -> _Verdict | None:
    """The evaluator's verdict for ``cp`` in ``session``: ``None`` if it does not
    apply or is satisfied; else whether it blocks, and what stays unmet after every
    step-up the account can do."""
    def evaluate(s: SessionState) -> tuple[bool, bool, tuple[Requirement, ...]]:
        req = Request(index=index, session=s, user=user, target_kind=kind, target=target)
        ev = _evaluate_policy(cp, req, explain=False)
        if not ev.applies or ev.grant is None:
            return False, False, ()
        return True, ev.grant.blocked, ev.grant.unmet

    applies, blocked, unmet = evaluate(session)
    if not applies or (not blocked and not unmet):
        return None
    if blocked:
        return _Verdict(blocks=True, unmet_after=(), asked=())
    stepped = simulate_step_up(session, Challenge(acrs=(), requirements=unmet))
    _, _, after = evaluate(stepped)
    return _Verdict(blocks=False, unmet_after=after, asked=unmet)


class _PolicySearch:
    """The lockout search over the condition classes of one policy, for one account."""

    def __init__(self, tenant: Tenant, index: CompiledTenant, cp: CompiledPolicy,
                 user: User, kind: str, target: str) -> None:
        self.index, self.cp, self.kind, self.target = index, cp, kind, target
        base = SessionState(at=ANALYSIS_TIME, user=user)
        self.facts = _user_facts(index, base)[0]
        request = Request(index=index, session=base, user=self.facts, target_kind=kind,
                          target=target)
        self.search: _Search | None = None
        if check_users(cp, request)[0] is False:
            return
        # The dimension checks never read the target; it only labels the probes.
        dims = build_space(index, [cp], base, self.facts, target, modern_clients_only=True)
        self.search = _Search(index, tenant, _UNUSED_PERMISSION, [cp], base, self.facts,
                              target, dims)
        self._asks: dict[tuple[int, ...], bool] = {}

    def asks(self, choice: Sequence[int]) -> bool:
        """Whether the policy's grant is not yet satisfied in this branch."""
        search = self.search
        assert search is not None
        key = tuple(choice[i] for i in search.grant_dims)
        if key not in self._asks:
            self._asks[key] = not evaluate_grant(self.cp, search.session(choice)).is_satisfied
        return self._asks[key]

    def candidates(self, grant_ok: Callable[[Sequence[int]], bool]
                   ) -> Iterator[tuple[Sequence[int], _Verdict]]:
        """Sessions where the policy applies and ``grant_ok`` holds, confirmed."""
        search = self.search
        if search is None or not search.policies:
            return

        def keep(choice: list[int]) -> bool:
            if search.applies(self.cp, choice) is False:
                return False
            return not search.grants_known(choice) or grant_ok(choice)

        for choice in search.leaves([], keep=keep):
            verdict = _confirm(self.index, self.cp, search.session(choice), self.facts,
                               self.kind, self.target)
            if verdict is not None:
                yield choice, verdict

    def exposure(self, account: str, label: str, activated: bool) -> EmergencyExposure | None:
        """The worst this policy does to the account: lock it out, else challenge it."""
        search = self.search
        if search is None:
            return None
        for choice, verdict in self.candidates(lambda c: search.kills(self.cp, c)):
            if verdict.blocks or verdict.unmet_after:
                return EmergencyExposure(
                    account=account, policy_id=self.cp.id,
                    kind="block" if verdict.blocks else "unmet",
                    requirements=verdict.unmet_after, conditions=_conditions(search, choice),
                    target=label, activated=activated)
        for choice, verdict in self.candidates(self.asks):
            if not verdict.blocks and not verdict.unmet_after:
                return EmergencyExposure(
                    account=account, policy_id=self.cp.id, kind="challenge",
                    requirements=verdict.asked, conditions=_conditions(search, choice),
                    target=label, activated=activated)
        return None


def emergency_accounts(tenant: Tenant) -> list[str]:
    """The designated accounts, once each (ids compare without regard to case),
    sorted."""
    seen: dict[str, str] = {}
    for account in tenant.emergency_access_accounts:
        seen.setdefault(ascii_lower(account), account)
    return sorted(seen.values())


def emergency_exposures(tenant: Tenant) -> list[EmergencyExposure]:
    """For every designated account and enforced policy, the worst exposure found."""
    index = compiled(tenant)
    out = []
    for account in emergency_accounts(tenant):
        variants = _variants(tenant, index, account)
        for cp in index.compiled:
            target = _target(cp) if cp.enforced else None
            if target is None:
                continue
            kind, where, label = target
            worst: EmergencyExposure | None = None
            for user, activated in variants:
                found = _PolicySearch(tenant, index, cp, user, kind, where).exposure(
                    account, label, activated)
                if found is not None and (worst is None or
                                          (found.locks_out and not worst.locks_out)):
                    worst = found
                if worst is not None and worst.locks_out:
                    break
            if worst is not None:
                out.append(worst)
    return out


def _policy_label(tenant: Tenant, policy_id: str) -> str:
    policy = tenant.policy(policy_id)
    name = policy.display_name
    return f"{name!r} ({policy_id})" if name and name != policy_id else repr(policy_id)


def _methods(user: User | None) -> str | None:
    if user is None or user.registered_methods is None:
        return None
    return ", ".join(sorted(user.registered_methods)) or "none"


def sign_in_targets(tenant: Tenant) -> list[str]:
    """What the sign-in checks cover: every target an enforced policy names (an auth
    context, a user action, an application or application group), once each."""
    index = compiled(tenant)
    labels = {target[2] for cp in index.compiled if cp.enforced
              and (target := _target(cp)) is not None}
    return sorted(labels)


def exposure_text(tenant: Tenant, e: EmergencyExposure) -> str:
    """One sentence: what the policy does to the account, where."""
    return _exposure_finding(tenant, e).message


def _exposure_finding(tenant: Tenant, e: EmergencyExposure) -> Finding:
    policy = _policy_label(tenant, e.policy_id)
    where = "; ".join((e.target, *e.conditions))
    pim = " once it activates its eligible roles" if e.activated else ""
    user = next((u for u in tenant.users if ascii_lower(u.id) == ascii_lower(e.account)), None)
    needs = "; ".join(r.describe() for r in e.requirements)
    methods = _methods(user)
    if e.kind == "challenge":
        # The "protect, don't exclude" pattern (corpus source 5); entra-facts §9 asks
        # for quarterly tests of the accounts.
        return finding(
            "PA111",
            f"Policy {policy} challenges emergency access account {e.account!r}{pim} "
            f"({where}): {needs}; the account can complete it"
            + (f" with its registered methods ({methods})." if methods else "."),
            "Nothing to change if this is deliberate ('protect, don't exclude'); test the "
            "account's sign-in with these methods at least every 90 days.",
            (e.account, e.policy_id), e.policy_id)
    # entra-facts §9: exclude the accounts from policies that block or restrict sign-in.
    if e.kind == "block":
        message = (f"Policy {policy} blocks emergency access account {e.account!r}{pim} "
                   f"({where}).")
    else:
        message = (f"Policy {policy} demands from emergency access account {e.account!r}"
                   f"{pim} what it cannot do ({where}): {needs}."
                   + (f" Its registered methods: {methods}." if methods else ""))
    return finding("PA110", message, _EXCLUDE_FIX, (e.account, e.policy_id), e.policy_id)


def emergency_findings(tenant: Tenant) -> list[Finding]:
    """PA101, PA102, PA103, PA110 and PA111."""
    accounts = emergency_accounts(tenant)
    out: list[Finding] = []
    # entra-facts §9: two or more cloud-only accounts, permanent active Global
    # Administrators, FIDO2 or certificate-based authentication.
    if not accounts:
        out.append(finding(
            "PA101",
            "The tenant designates no emergency access accounts, so nothing shows that "
            "someone can still sign in and repair Conditional Access when every "
            "administrator is locked out.",
            "Create two or more cloud-only emergency access accounts (permanent active "
            "Global Administrator, FIDO2 security key or certificate-based "
            "authentication), list their ids in emergencyAccessAccounts and exclude "
            "their group from policies that block or restrict sign-in."))
        return out
    if len(accounts) < 2:
        out.append(finding(
            "PA102",
            f"Only one emergency access account is designated ({accounts[0]!r}); Microsoft "
            "recommends two or more, for redundancy.",
            "Designate a second cloud-only emergency access account with different "
            "credentials, stored separately.",
            accounts))
    users = {ascii_lower(u.id) for u in tenant.users}
    for account in accounts:
        if ascii_lower(account) not in users:
            out.append(finding(
                "PA103",
                f"Emergency access account {account!r} is not a user of the tenant's "
                "directory: its groups and roles are unknown, so the policies are "
                "checked against the bare id.",
                "Add the account to the tenant's users with its group memberships, roles "
                "and registered methods, or correct the id in emergencyAccessAccounts.",
                (account,)))
    out.extend(_exposure_finding(tenant, e) for e in emergency_exposures(tenant))
    return out
