"""Staff reach the agreements' pages from their dashboard."""


def test_dashboard_links_to_the_agreements_follow_up(people, client_as):
    html = client_as(people["staff"]).get("/staff/").content.decode()

    assert 'href="/staff/agreements/">Seguimiento de los acuerdos</a>' in html
