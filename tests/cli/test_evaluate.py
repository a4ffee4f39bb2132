"""``evaluate`` and ``what-if``: text and JSON output, exit statuses, inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli import CA_CREATE, HARD_DELETE, PARTNER_CREATE, invoke

import protected_actions as pa
from protected_actions.cli import EXIT_CHALLENGE, EXIT_DENY, EXIT_OK
from protected_actions.graph import dump_session, dump_tenant, load_tenant
from protected_actions.samples import sample_session, sample_tenant, sample_tenant_file

ADMIN_PORTALS = "MicrosoftAdminPortals"


def _evaluate(session: str, action: str, *extra: str) -> tuple[int, str]:
    result = invoke("evaluate", "--tenant", "sample", "--session", f"sample:{session}",
                    "--action", action, *extra)
    assert result.err == ""
    return result.status, result.out


def _labelled(decision: pa.Decision) -> str:
    """``decision.explain()`` with the user named as the command line names them: the
    directory's display name, then the id."""
    names = {u.id: u.display_name for u in sample_tenant().users}
    user = decision.user_id
    return decision.explain().replace(f"for user {user}", f"for user {names[user]} ({user})", 1)


def test_the_user_is_named_by_the_directory() -> None:
    """The first line names the user by display name and id."""
    _, out = _evaluate("dave-guest", CA_CREATE)
    assert out.splitlines()[0].endswith(
        "for user Dave Partner (guest) (00000004-1111-4222-8333-000000000004) "
        "(auth context c1)")


class TestOutcomes:
    """Each outcome, its text and its exit status."""

    def test_allow_exits_0(self) -> None:
        """Frank on his privileged access workstation may hard-delete: status 0."""
        status, out = _evaluate("frank-paw", HARD_DELETE)
        assert status == EXIT_OK
        assert out.startswith(f"ALLOW: {HARD_DELETE}")

    def test_challenge_exits_3_with_the_header(self) -> None:
        """A challenge gives status 3, the claims and the WWW-Authenticate value."""
        status, out = _evaluate("alice-password-push", CA_CREATE)
        assert status == EXIT_CHALLENGE
        decision = pa.evaluate(sample_tenant(), sample_session("alice-password-push"),
                               CA_CREATE)
        assert decision.challenge is not None
        assert out == (_labelled(decision) + "\nWWW-Authenticate: "
                       + decision.challenge.www_authenticate() + "\n")
        assert 'error="insufficient_claims"' in out

    @pytest.mark.parametrize(("session", "action", "code"), [
        ("erin-password-push", CA_CREATE, "NOT_AUTHORIZED"),
        ("carol-password-push", CA_CREATE, "ROLE_NOT_ACTIVE"),
        ("dave-guest", CA_CREATE, "BLOCKED_BY_POLICY"),
        ("frank-laptop", HARD_DELETE, "BLOCKED_BY_POLICY"),
        ("bob-password-sms", PARTNER_CREATE, "CONTEXT_NOT_ENFORCED"),
        ("alice-azure-powershell", CA_CREATE, "CLIENT_CANNOT_STEP_UP"),
    ])
    def test_deny_exits_4(self, session: str, action: str, code: str) -> None:
        """Every kind of deny gives status 4 and names its reason code."""
        status, out = _evaluate(session, action)
        assert status == EXIT_DENY
        assert out.startswith(f"DENY: {action}")
        assert f"  - {code}: " in out

    def test_text_is_the_explanation(self) -> None:
        """Without a challenge, the text output is ``Decision.explain()`` with the user
        named as the directory names them."""
        _, out = _evaluate("dave-guest", CA_CREATE)
        decision = pa.evaluate(sample_tenant(), sample_session("dave-guest"), CA_CREATE)
        assert out == _labelled(decision) + "\n"

    def test_verbose_lists_policies_that_do_not_apply(self) -> None:
        """``--verbose`` adds each policy that does not apply, with the reason."""
        _, short = _evaluate("frank-paw", HARD_DELETE)
        _, long = _evaluate("frank-paw", HARD_DELETE, "--verbose")
        assert "pa-c2-paw-only" not in short
        assert "pa-c2-paw-only 'PA c2 - Hard deletion - Block unless privileged access " \
               "workstation': notApplied (devices)" in long

    def test_no_authorization_skips_the_role_check(self) -> None:
        """``--no-authorization`` answers for Conditional Access only."""
        status, out = _evaluate("erin-password-push", CA_CREATE)
        assert (status, "NOT_AUTHORIZED" in out) == (EXIT_DENY, True)
        status, out = _evaluate("erin-password-push", CA_CREATE, "--no-authorization")
        assert status == EXIT_CHALLENGE
        assert "STEP_UP_REQUIRED" in out


class TestJson:
    """``--json``."""

    @pytest.mark.parametrize(("session", "action"), [
        ("frank-paw", HARD_DELETE), ("alice-password-push", CA_CREATE),
        ("bob-password-sms", PARTNER_CREATE)])
    def test_json_is_the_decision_log(self, session: str, action: str) -> None:
        """``--json`` prints ``Decision.to_dict()``."""
        result = invoke("evaluate", "--tenant", "sample", "--session", f"sample:{session}",
                        "--action", action, "--json")
        decision = pa.evaluate(sample_tenant(), sample_session(session), action)
        assert result.json() == decision.to_dict()

    def test_json_keeps_the_exit_status(self) -> None:
        """The exit status does not depend on the output format."""
        result = invoke("evaluate", "--tenant", "sample", "--session",
                        "sample:alice-password-push", "--action", CA_CREATE, "--json")
        assert result.status == EXIT_CHALLENGE
        assert result.json()["challenge"]["acrs"] == ["c1"]


class TestInputs:
    """Where the tenant and the session come from."""

    def test_session_from_a_file(self, tmp_path: Path) -> None:
        """``--session FILE`` reads session JSON."""
        path = tmp_path / "frank.json"
        path.write_text(json.dumps(dump_session(sample_session("frank-paw"))))
        result = invoke("evaluate", "--tenant", "sample", "--session", str(path),
                        "--action", HARD_DELETE)
        assert result.status == EXIT_OK

    def test_session_from_standard_input(self) -> None:
        """``--session -`` reads session JSON from standard input."""
        text = json.dumps(dump_session(sample_session("alice-password-push")))
        result = invoke("evaluate", "--tenant", "sample", "--session", "-", "--action",
                        CA_CREATE, stdin=text)
        assert result.status == EXIT_CHALLENGE

    def test_tenant_from_a_file(self) -> None:
        """``--tenant FILE`` reads a bundle file (here, the sample's own)."""
        result = invoke("evaluate", "--tenant", str(sample_tenant_file()), "--session",
                        "sample:frank-paw", "--action", HARD_DELETE)
        assert result.status == EXIT_OK

    def test_tenant_from_a_folder(self, tmp_path: Path) -> None:
        """``--tenant FOLDER`` reads one ``KEY.json`` file per bundle key."""
        for key, value in dump_tenant(sample_tenant()).items():
            (tmp_path / f"{key}.json").write_text(json.dumps(value), encoding="utf-8")
        assert load_tenant(tmp_path) == sample_tenant()
        result = invoke("evaluate", "--tenant", str(tmp_path), "--session",
                        "sample:frank-laptop", "--action", HARD_DELETE)
        assert result.status == EXIT_DENY


class TestWhatIf:
    """``what-if`` for sign-ins."""

    def test_application_sign_in(self) -> None:
        """A compliant-device requirement no prompt can satisfy denies: status 4."""
        result = invoke("what-if", "--tenant", "sample", "--session",
                        "sample:alice-password-push", "--app", ADMIN_PORTALS)
        assert result.status == EXIT_DENY
        assert result.out.startswith(f"DENY: {ADMIN_PORTALS}")
        assert "REQUIREMENT_NOT_INTERACTIVE" in result.out

    def test_sign_in_allowed(self) -> None:
        """A sign-in every applying policy is satisfied with exits 0."""
        result = invoke("what-if", "--tenant", "sample", "--session", "sample:frank-paw",
                        "--app", ADMIN_PORTALS)
        assert result.status == EXIT_OK

    def test_sign_in_challenge_has_no_header(self) -> None:
        """A sign-in challenge has no auth context, so no WWW-Authenticate line."""
        result = invoke("what-if", "--tenant", "sample", "--session", "sample:dave-guest",
                        "--app", ADMIN_PORTALS)
        assert result.status == EXIT_CHALLENGE
        assert "WWW-Authenticate" not in result.out

    def test_user_action_json(self) -> None:
        """A user action as target; ``--json`` prints the decision log."""
        target = "urn:user:registersecurityinfo"
        result = invoke("what-if", "--tenant", "sample", "--session", "sample:dave-guest",
                        "--app", target, "--json")
        decision = pa.evaluate_sign_in(sample_tenant(), sample_session("dave-guest"), target)
        assert result.json() == decision.to_dict()
        assert result.status == EXIT_DENY


class TestScope:
    """``--scope``: a role assigned to an administrative unit counts only for an
    action on an object in that unit."""

    AU = "/administrativeUnits/5a1e9d2c-0000-4000-8000-00000000a001"

    def _files(self, tmp_path: Path) -> tuple[str, str]:
        tenant = pa.Tenant(role_assignments=[pa.RoleAssignment(
            id="ra-au", principal_id="bob", role_definition_id=pa.GLOBAL_ADMINISTRATOR.id,
            directory_scope_id=self.AU)])
        session = pa.SessionState(at=sample_session("frank-paw").at, user=pa.User(id="bob"))
        tenant_path, session_path = tmp_path / "tenant.json", tmp_path / "session.json"
        tenant_path.write_text(json.dumps(dump_tenant(tenant)), encoding="utf-8")
        session_path.write_text(json.dumps(dump_session(session)), encoding="utf-8")
        return str(tenant_path), str(session_path)

    def test_without_scope_the_scoped_role_does_not_authorize(self, tmp_path: Path) -> None:
        tenant, session = self._files(tmp_path)
        result = invoke("evaluate", "--tenant", tenant, "--session", session,
                        "--action", CA_CREATE)
        assert result.status == EXIT_DENY
        assert "ra-au" in result.out and self.AU in result.out

    def test_with_its_scope_it_does(self, tmp_path: Path) -> None:
        tenant, session = self._files(tmp_path)
        result = invoke("evaluate", "--tenant", tenant, "--session", session,
                        "--action", CA_CREATE, "--scope", self.AU)
        assert result.status == EXIT_OK

    def test_a_malformed_scope_is_an_error(self, tmp_path: Path) -> None:
        tenant, session = self._files(tmp_path)
        result = invoke("evaluate", "--tenant", tenant, "--session", session,
                        "--action", CA_CREATE, "--scope", "administrativeUnits/x ")
        assert result.status not in (EXIT_OK, EXIT_DENY, EXIT_CHALLENGE)
        assert "scope" in result.err
