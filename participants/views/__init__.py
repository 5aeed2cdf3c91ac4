"""Pages for people taking part: invitation link, registration, homes by role, staff pages."""
