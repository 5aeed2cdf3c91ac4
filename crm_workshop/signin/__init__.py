"""The one way in: every sign-in, and every change to a staff member's second factor.

- ``site``: the admin site, whose login page never reads a password and hands over to
  allauth's login (rate limits, MFA stage).
- ``middleware.AdminMFAMiddleware``: staff reach ``/admin/`` only with a second factor.
- ``adapters``: allauth's hooks. Staff re-authenticate with their second factor only, and only
  someone who has just proved it may remove it.
- ``forms``: allauth's MFA and e-mail forms with the staff rules added.
- ``enrolment``: a staff member's first authenticator comes through a signed, expiring,
  single-use link e-mailed to their address; ``views`` and ``urls`` are its two pages.
- ``rules``: the predicates the others share.
"""
