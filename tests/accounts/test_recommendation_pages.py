"""The workspace pages for recommendations, through the forms as a browser without JavaScript
would use them: draft, edit, publish, respond, withdraw; error summaries, a stale save that keeps
both people's text, invalid transitions, CSRF, and the result on the public register."""

from __future__ import annotations

import re

from sqlalchemy import select

from nis_library.governance import recommendations as recs
from nis_library.state.schema import audit_log
from tests.support import csrf_token_of, sign_in


def client_as(app, role: str):
    client = app.test_client()
    username = sign_in(app, client, role)
    return client, username


def post(client, path: str, data: dict, form_page: str | None = None):
    token = csrf_token_of(client.get(form_page or path).get_data(as_text=True))
    return client.post(path, data=data | {"csrf_token": token})


def draft(client, **fields):
    data = {"review": "standards-2026-ooc-1", "text": "Publish the criteria.", "rationale": "Ratings differ."}
    return post(client, "/panel/recommendations/new", data | fields)


def reading(engine, read, *args):
    with engine.connect() as conn:
        return read(conn, *args)


def test_draft_publish_respond_not_accepted_and_see_it_in_public(app, engine):
    panel, panel_name = client_as(app, "panel-member")
    made = draft(panel, items="int-0502", layers="targeted", areas="speech-language-communication")
    assert made.status_code == 303 and made.headers["Location"] == "/panel/recommendations/R-2026-S-01?saved=drafted"
    assert "Draft saved." in panel.get(made.headers["Location"]).get_data(as_text=True)
    assert ">R-2026-S-01</a>" in panel.get("/panel/recommendations/").get_data(as_text=True)
    assert app.test_client().get("/recommendations/R-2026-S-01").status_code == 404  # drafts are not public

    chair, _ = client_as(app, "chair")
    published = post(
        chair, "/panel/recommendations/R-2026-S-01/publish", {"version": "1"}, "/panel/recommendations/R-2026-S-01"
    )
    assert published.status_code == 303
    again = post(
        chair, "/panel/recommendations/R-2026-S-01/publish", {"version": "2"}, "/panel/recommendations/R-2026-S-01"
    )
    assert again.status_code == 409 and "is published: only a draft can be published" in again.get_data(as_text=True)

    responder, responder_name = client_as(app, "responder")
    path = "/panel/recommendations/R-2026-S-01/respond"
    refused = post(responder, path, {"version": "2", "response": "not-accepted", "explanation": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "There is a problem" in page
    assert re.search(r'<a href="#explanation">Explain why the recommendation is not accepted', page)
    answered = post(responder, path, {"version": "2", "response": "not-accepted", "explanation": "Criteria exist."})
    assert answered.status_code == 303

    public = app.test_client().get("/recommendations/R-2026-S-01").get_data(as_text=True)
    assert "Not accepted" in public and "Criteria exist." in public
    with engine.connect() as conn:
        actions = [(r.actor, r.action) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]
    assert (panel_name, "recommendation.draft") in actions and (responder_name, "recommendation.respond") in actions


def test_an_empty_draft_gets_an_error_summary_and_keeps_what_was_typed(app):
    panel, _ = client_as(app, "panel-member")
    response = draft(panel, review="", text="<b>kept</b>", rationale="", items="INT-9999")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and "<title>Error:" in page
    for field in ("review", "rationale", "items"):
        assert f'<a href="#{field}">' in page and f'id="{field}-error"' in page
    assert "&lt;b&gt;kept&lt;/b&gt;</textarea>" in page and "<b>kept</b>" not in page


def test_a_stale_edit_is_refused_showing_both_values(app, engine):
    one, _ = client_as(app, "panel-member")
    two, _ = client_as(app, "chair")
    draft(one)
    path = "/panel/recommendations/R-2026-S-01/edit"
    form = {"version": "1", "rationale": "Ratings differ."}
    assert post(one, path, form | {"text": "First person's words"}).status_code == 303
    stale = post(two, path, form | {"text": "Second person's words"})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Someone else changed this" in page
    comparison = page.split('id="stale-comparison"')[1]
    assert "Second person&#39;s words" in comparison and "First person&#39;s words" in comparison
    assert 'name="version" value="2"' in page  # saving again keeps theirs
    assert reading(engine, recs.get, "R-2026-S-01").text == "First person's words"
    assert post(two, path, form | {"text": "Second person's words", "version": "2"}).status_code == 303
    assert reading(engine, recs.get, "R-2026-S-01").text == "Second person's words"


def test_withdraw_needs_a_reason_and_a_published_recommendation(app, engine):
    panel, _ = client_as(app, "panel-member")
    draft(panel)
    chair, _ = client_as(app, "chair")
    path = "/panel/recommendations/R-2026-S-01/withdraw"
    assert chair.get(path).status_code == 409  # a draft cannot be withdrawn
    post(chair, "/panel/recommendations/R-2026-S-01/publish", {"version": "1"}, "/panel/recommendations/R-2026-S-01")
    refused = post(chair, path, {"version": "2", "reason": "  "})
    assert refused.status_code == 400 and "The reason cannot be empty." in refused.get_data(as_text=True)
    assert post(chair, path, {"version": "2", "reason": "Superseded."}).status_code == 303
    assert reading(engine, recs.get, "R-2026-S-01").status == "withdrawn"


def test_a_form_without_its_csrf_token_changes_nothing(app, engine):
    panel, _ = client_as(app, "panel-member")
    response = panel.post(
        "/panel/recommendations/new", data={"review": "standards-2026-ooc-1", "text": "t", "rationale": "r"}
    )
    assert response.status_code == 400
    assert reading(engine, recs.every) == []


def test_a_bad_version_field_is_a_message_not_a_500(app):
    panel, _ = client_as(app, "panel-member")
    draft(panel)
    response = post(panel, "/panel/recommendations/R-2026-S-01/edit", {"version": "１", "text": "t", "rationale": "r"})
    assert response.status_code == 400 and "open it again" in response.get_data(as_text=True)


def test_the_workspace_review_page_lists_the_recommendations_it_made(app):
    panel, _ = client_as(app, "panel-member")
    draft(panel, text="Made by the out-of-cycle review.")
    page = panel.get("/panel/reviews/standards-2026-ooc-1").get_data(as_text=True)
    assert "Recommendations made in this review" in page and "/panel/recommendations/R-2026-S-01" in page
    other = panel.get("/panel/reviews/standards-2026-initial").get_data(as_text=True)
    assert "R-2026-S-01" not in other and "None yet." in other
    home = panel.get("/panel/").get_data(as_text=True)
    assert 'href="/panel/recommendations/"' in home
