"""A tiny outside client for probing a running gunicorn (standard library only).

It talks plain HTTP to a loopback server but says ``X-Forwarded-Proto: https`` (production
trusts that header), and keeps its own cookies, so the production ``Secure`` cookies are
sent back. Usage: ``from client import Client``; see bench/probe/README.md.
"""

import base64
import hashlib
import hmac
import html
import http.client
import re
import struct
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


def totp(secret_b32: str, at: float | None = None, step: int = 30) -> str:
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", "replace")
        self.elapsed = elapsed

    def header(self, name, default=None):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    @property
    def location(self):
        return self.header("Location")

    def csrf(self):
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        return match.group(1) if match else None

    def __repr__(self):
        return f"<{self.status} {self.location or ''} {self.elapsed:.2f}s {len(self.body)}B>"


class Client:
    def __init__(self, port=8101, host="127.0.0.1", xff=None, timeout=40):
        self.port = port
        self.host = host
        self.xff = xff
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method, path, data=None, headers=None, follow=False):
        hdrs = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{self.host}:{self.port}{path}",
            "Accept-Language": "es",
        }
        if self.xff:
            hdrs["X-Forwarded-For"] = self.xff
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        start = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=hdrs)
            raw = conn.getresponse()
            payload = raw.read()
        finally:
            conn.close()
        response = Response(raw.status, raw.getheaders(), payload, time.monotonic() - start)
        for key, value in raw.getheaders():
            if key.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        if follow and response.status in (301, 302, 303) and response.location:
            target = urlsplit(response.location)
            path = target.path + (f"?{target.query}" if target.query else "")
            return self.request("GET", path, follow=True)
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data, **kw):
        return self.request("POST", path, data=data, **kw)

    def form_post(self, path, data, csrf_from=None, **kw):
        """GETs the form page (or ``csrf_from``) for its CSRF token, then POSTs ``data``."""
        page = self.get(csrf_from or path)
        token = page.csrf()
        return self.post(path, {"csrfmiddlewaretoken": token, **data}, **kw)

    def login(self, email, password="demo-crm-2022", totp_secret=None):  # noqa: S107 - seed_demo
        response = self.form_post("/accounts/login/", {"login": email, "password": password})
        if response.status == 302 and "/2fa/authenticate" in (response.location or ""):
            if totp_secret is None:
                return response
            response = self.form_post("/accounts/2fa/authenticate/", {"code": totp(totp_secret)})
        return response


def unescape(text):
    return html.unescape(text)


def form_fields(page_html: str, form_index: int = -1) -> dict:
    """The fields a browser would submit from a form of ``page_html`` (default: the last
    form with a CSRF token), as a dict of lists, keeping the values already set."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.forms = []
            self.current = None
            self.select = None
            self.textarea = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.current = {}
                self.forms.append(self.current)
            if self.current is None:
                return
            name = a.get("name")
            if tag == "input" and name:
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio") and "checked" not in a:
                    return
                if kind in ("submit", "button", "image", "file"):
                    return
                self.current.setdefault(name, []).append(
                    a.get("value", "on" if kind in ("checkbox", "radio") else "")
                )
            elif tag == "select" and name:
                self.select = name
                self.current.setdefault(name, [])
            elif tag == "option" and self.select and "selected" in a:
                self.current[self.select].append(a.get("value", ""))
            elif tag == "textarea" and name:
                self.textarea = name
                self.current[name] = [""]

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None
            elif tag == "form":
                self.current = None

        def handle_data(self, data):
            if self.textarea and self.current is not None:
                self.current[self.textarea][0] += data

    parser = Parser()
    parser.feed(page_html)
    forms = [f for f in parser.forms if "csrfmiddlewaretoken" in f]
    return forms[form_index] if forms else {}
