"""Who may reach each endpoint, declared in one place. Every request is checked against this table
before its view runs (accounts.views); an endpoint with no rule is refused, and the role matrix test
fails for it, so a new route cannot go live unguarded. Object-level checks (may this responder
answer this recommendation?) are the domain's own.

A rule is PUBLIC, SIGNED_IN (any role) or `may(action)`: the roles the one table of roles
(`accounts.roles`) gives that action."""

from __future__ import annotations

from dataclasses import dataclass

from nis_library.accounts.roles import ACTIONS, ROLES, roles_that_may


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | None  # None: anyone, signed in or not
    description: str

    @property
    def public(self) -> bool:
        return self.roles is None

    def allows(self, role: str | None) -> bool:
        return self.roles is None or role in self.roles


PUBLIC = Rule(None, "anyone")
SIGNED_IN = Rule(frozenset(ROLES), "any signed-in account")
# The ISP links API is for settings' systems, not people: reachable by anyone, and each endpoint
# checks the request's bearer token itself (isp_links.auth), answering 401 without a valid one.
BEARER_TOKEN = Rule(None, "anyone; the endpoint itself requires an API client's bearer token")


def may(action: str) -> Rule:
    """Only the roles that may take `action`."""
    roles = roles_that_may(action)
    return Rule(
        frozenset(roles),
        f"only those who may {ACTIONS[action]}: " + ", ".join(ROLES[r].label.lower() + "s" for r in roles),
    )


ENDPOINTS: dict[str, Rule] = {
    # The public library (pages, the published record, feeds, the API, static files).
    "static": PUBLIC,
    "web.browse.home": PUBLIC,
    "web.browse.areas": PUBLIC,
    "web.browse.area": PUBLIC,
    "web.browse.item": PUBLIC,
    "web.browse.item_print": PUBLIC,
    "web.browse.shortlist": PUBLIC,
    "web.browse.glossary": PUBLIC,
    "web.browse.evidence_method": PUBLIC,
    "web.search.search_page": PUBLIC,
    "history.item_version": PUBLIC,
    "history.item_history": PUBLIC,
    "history.item_diff": PUBLIC,
    "history.editions": PUBLIC,
    "history.edition": PUBLIC,
    "history.reviews": PUBLIC,
    "history.editions_feed": PUBLIC,
    "history.item_feed": PUBLIC,
    "api.changes": PUBLIC,
    "api.search": PUBLIC,
    "api.items": PUBLIC,
    "api.item": PUBLIC,
    "api.item_version": PUBLIC,
    "api.taxonomy": PUBLIC,
    "api.editions": PUBLIC,
    "api.edition": PUBLIC,
    "api.recommendations": PUBLIC,
    "api.recommendation": PUBLIC,
    "api.openapi_document": PUBLIC,
    "api_page.api_page": PUBLIC,
    # The public recommendations register (drafts are never in it).
    "governance.register_page": PUBLIC,
    "governance.recommendation": PUBLIC,
    "governance.register_csv": PUBLIC,
    "governance.register_json": PUBLIC,
    "governance.register_atom": PUBLIC,
    # Signing in and out.
    "accounts.sign_in": PUBLIC,
    "accounts.sign_out": SIGNED_IN,
    # The panel workspace.
    "workspace.home": SIGNED_IN,
    "workspace.reviews": SIGNED_IN,
    "workspace.review": SIGNED_IN,
    "workspace.audit": may("read-audit"),
    # Recommendations in the workspace; the domain checks the role again on the recommendation.
    "recommendations.index": SIGNED_IN,
    "recommendations.detail": SIGNED_IN,
    "recommendations.new": may("draft"),
    "recommendations.edit": may("edit"),
    "recommendations.publish": may("publish"),
    "recommendations.withdraw": may("withdraw"),
    "recommendations.respond": may("respond"),
}

# Whole blueprints under one rule: the preview serves the public pages' own endpoints again from the
# working copies (drafts included), so every one of them is for the panel's eyes only.
BLUEPRINTS: dict[str, Rule] = {"preview": SIGNED_IN, "isp_links": BEARER_TOKEN}


def rule_for(endpoint: str) -> Rule | None:
    """The endpoint's rule, or None when it has none (and is therefore refused)."""
    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]
    return BLUEPRINTS.get(endpoint.split(".", 1)[0])
