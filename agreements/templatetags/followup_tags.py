"""The agreements card of a participant's home (``{% home_agreements %}``)."""

from django import template

from agreements.followup import participant_party, party_counts, workshop_today

register = template.Library()


@register.inclusion_tag("agreements/followup/_home_card.html", takes_context=True)
def home_agreements(context) -> dict:
    """How many of the agreements naming the participant's country (or organisation) are at
    each follow-up status. Reads ``participant`` and ``workshop`` from the home's context
    (the participant with its delegation's country and its organisation loaded) and adds
    one query, none for a participant with neither."""
    workshop = context["workshop"]
    party = participant_party(context["participant"])
    return {
        "title": party.title,
        "party": party.label,
        "has_party": party.exists,
        "counts": party_counts(
            workshop=workshop,
            country_id=party.country_id,
            organisation_id=party.organisation_id,
            today=workshop_today(workshop),
        ),
    }
