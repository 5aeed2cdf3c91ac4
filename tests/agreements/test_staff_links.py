"""Staff reach the agreements' pages from their dashboard."""


def test_dashboard_links_to_the_agreements_follow_up(people, client_as):
    html = client_as(people["staff"]).get("/staff/").content.decode()

    assert 'href="/staff/agreements/">Seguimiento de los acuerdos</a>' in html
    assert 'href="/staff/minutes/">Actas</a>' in html


def test_console_and_live_view_link_to_each_other_for_those_who_moderate(
    people, client_as, session1
):
    console = "/moderation/session/1/"
    live = "/agreements/session/1/live/"
    moderator = client_as(people["moderator"])
    assert f'href="{live}"' in moderator.get(console).content.decode()
    assert f'href="{console}"' in moderator.get(live).content.decode()
    assert f'href="{console}"' not in client_as(people["delegate"]).get(live).content.decode()
    # Session 2 is not the demo moderator's: no link there.
    assert 'href="/moderation/session/2/"' not in (
        client_as(people["moderator"]).get("/agreements/session/2/live/").content.decode()
    )
