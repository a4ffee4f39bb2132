"""Immutable values: permissions and roles, auth contexts and protected actions,
authentication methods and strengths, named locations, Conditional Access policies,
sessions, and the tenant that holds them all.

The models know no JSON (that is :mod:`protected_actions.graph`) and no evaluation
(that is :mod:`protected_actions.engine`); they validate themselves on construction.
"""
