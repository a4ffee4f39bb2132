"""Microsoft's Conditional Access templates as policies.

Graph lists templates (``GET /identity/conditionalAccess/templates``) as
``{id, name, description, scenarios, details: {conditions, grantControls,
sessionControls}}``. A template read by ``load_policies`` becomes a :class:`Policy`:

- ``id`` and ``templateId`` are the template's ``id`` (a policy created from a
  template records that id as its ``templateId``);
- ``displayName`` is the template's ``name``; ``description`` is kept;
- ``state`` is ``enabledForReportingButNotEnforced`` (:data:`TEMPLATE_STATE`): the
  Entra admin center creates policies from templates in report-only mode, and
  reading a catalogue must never enforce anything;
- the template's own properties (``scenarios`` and any unknown ones) are kept in the
  policy's ``unmodelled`` under the instance annotation
  ``@protectedActions.template`` (:data:`TEMPLATE_ANNOTATION`), which POST bodies
  leave out; unknown ``details`` properties are kept as policy properties.

``dump_template`` writes the template form back.
"""

from __future__ import annotations

from typing import Any

import attrs

from protected_actions.model.frozen import FrozenDict, FrozenJSON, freeze_mapping
from protected_actions.model.policy import Conditions, GrantControls, Policy, SessionControls

from ._codecs import Nested, Text
from ._schema import Field, Schema
from ._schemas import POLICY

__all__: list[str] = []

TEMPLATE_STATE = "enabledForReportingButNotEnforced"
"""The state given to a policy read from a template (report-only)."""

TEMPLATE_ANNOTATION = "@protectedActions.template"
"""Where a template-derived policy keeps the template's own properties."""


def _unmodelled() -> FrozenDict[str, FrozenJSON]:
    return attrs.field(factory=FrozenDict)


@attrs.frozen(kw_only=True)
class TemplateDetails:
    """``conditionalAccessPolicyDetail``: the policy part of a template."""

    conditions: Conditions = attrs.field(factory=Conditions)
    grant_controls: GrantControls | None = None
    session_controls: SessionControls | None = None
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


@attrs.frozen(kw_only=True)
class PolicyTemplate:
    """``conditionalAccessTemplate``."""

    id: str
    name: str = ""
    description: str | None = None
    details: TemplateDetails = attrs.field(factory=TemplateDetails)
    unmodelled: FrozenDict[str, FrozenJSON] = _unmodelled()


TEMPLATE_DETAILS = Schema(TemplateDetails, (
    Field("conditions", "conditions", Nested(Conditions, default=Conditions)),
    Field("grant_controls", "grantControls", Nested(GrantControls | None)),
    Field("session_controls", "sessionControls", Nested(SessionControls | None)),
))

POLICY_TEMPLATE = Schema(PolicyTemplate, (
    Field("id", "id", Text()),
    Field("name", "name", Text(default="")),
    Field("description", "description", Text(optional=True)),
    Field("details", "details", Nested(TemplateDetails, default=TemplateDetails)),
), documented=("scenarios",), order=("id", "name", "description", "scenarios", "details"))


def policy_from_template(template: PolicyTemplate) -> Policy:
    """The policy a template describes (see the module docstring)."""
    details = template.details
    unmodelled: dict[str, Any] = dict(details.unmodelled)
    if template.unmodelled:
        unmodelled[TEMPLATE_ANNOTATION] = template.unmodelled
    return Policy(
        id=template.id, display_name=template.name, description=template.description,
        state=TEMPLATE_STATE, template_id=template.id, conditions=details.conditions,
        grant_controls=details.grant_controls, session_controls=details.session_controls,
        unmodelled=freeze_mapping(unmodelled))


def template_from_policy(policy: Policy) -> PolicyTemplate:
    """The template form of a policy (inverse of :func:`policy_from_template`)."""
    kept = policy.unmodelled.get(TEMPLATE_ANNOTATION)
    own = POLICY.field_keys
    details = {k: v for k, v in policy.unmodelled.items()
               if k != TEMPLATE_ANNOTATION and k not in own}
    return PolicyTemplate(
        id=policy.template_id or policy.id, name=policy.display_name,
        description=policy.description,
        details=TemplateDetails(conditions=policy.conditions,
                                grant_controls=policy.grant_controls,
                                session_controls=policy.session_controls,
                                unmodelled=freeze_mapping(details)),
        unmodelled=kept if isinstance(kept, FrozenDict) else FrozenDict())
