"""The PDF fetcher loads data: URLs and our own static files, and nothing else.

A real local HTTP server counts the requests it receives: the fetcher must send none, for a
plain URL, a static-looking path on another origin or a redirect. A whole render with
``file://`` images and stylesheets must not carry the files' contents into the PDF.
"""

import base64
import http.server
import os
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings

from crm_workshop.pdf import (
    PDF_BASE_URL,
    ResourceRefused,
    render_pdf,
    render_pdf_document,
    safe_fetcher,
    safe_url_fetcher,
)

# A one-pixel transparent PNG.
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG_1PX)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1; ``.requests`` lists every path it was asked for."""
    handler = type("Handler", (_CountingHandler,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def test_fetcher_refuses_file_urls():
    with pytest.raises(ResourceRefused):
        safe_url_fetcher("file:///etc/passwd")


@pytest.mark.parametrize("path", ["/x.png", "/static/css/pdf.css", "/redirect"])
def test_fetcher_sends_no_request_to_http_servers(http_server, path):
    server, handler = http_server
    port = server.server_address[1]
    url = f"http://127.0.0.1:{port}{path}"
    # The server answers when asked: the refusal is the fetcher's, not the network's.
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/probe", timeout=5) as response:
        assert response.status == 200
    assert handler.requests == ["/probe"]

    with pytest.raises(ResourceRefused):
        safe_url_fetcher(url)
    fetcher = safe_fetcher()
    with pytest.raises(ResourceRefused):
        fetcher(url)
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url.replace("http://", "https://"))
    assert handler.requests == ["/probe"]


def test_render_sends_no_request_for_remote_image_or_redirect(http_server, tmp_path):
    server, handler = http_server
    port = server.server_address[1]
    html = (
        f'<html><body><p>Remote</p><img src="http://127.0.0.1:{port}/x.png">'
        f'<img src="http://127.0.0.1:{port}/redirect">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css"></body></html>'
    )
    pdf = render_pdf(html=html)
    assert pdf.startswith(b"%PDF-")
    assert handler.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/x.png",
        "gopher://127.0.0.1/x",
        "javascript:alert(1)",
        "/etc/passwd",
        "static/css/pdf.css",
        PDF_BASE_URL + "etc/passwd",
        PDF_BASE_URL + "static/../../etc/passwd",
        PDF_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        PDF_BASE_URL + "static/%2E%2E/%2E%2E/etc/passwd",
        PDF_BASE_URL + "static/%252e%252e/%252e%252e/etc/passwd",
        PDF_BASE_URL + "static/css/..%2f..%2f..%2fetc/passwd",
        PDF_BASE_URL + "static/css%2fpdf.css",
        PDF_BASE_URL + "static/..\\..\\etc\\passwd",
        PDF_BASE_URL + "static//etc/passwd",
        PDF_BASE_URL + "static/./css/pdf.css",
        PDF_BASE_URL + "static/",
        PDF_BASE_URL + "media/compendia/x.pdf",
        "https://crm-workshop.invalid.evil.test/static/css/pdf.css",
        "http://crm-workshop.invalid/static/css/pdf.css",
    ],
)
def test_fetcher_refuses_anything_but_plain_static_paths(url):
    with pytest.raises(ResourceRefused):
        safe_url_fetcher(url)


def test_fetcher_refuses_symlink_out_of_static(tmp_path, settings):
    static_root = tmp_path / "collected"
    (static_root / "css").mkdir(parents=True)
    (static_root / "css" / "inside.css").write_text("p { color: red }")
    os.symlink("/etc/passwd", static_root / "css" / "passwd.css")
    settings.STATIC_ROOT = str(static_root)
    assert safe_url_fetcher(PDF_BASE_URL + "static/css/inside.css").read() == b"p { color: red }"
    with pytest.raises(ResourceRefused):
        safe_url_fetcher(PDF_BASE_URL + "static/css/passwd.css")


def test_fetcher_loads_data_image():
    url = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    response = safe_url_fetcher(url)
    assert response.read() == PNG_1PX
    assert response.content_type == "image/png"


def test_fetcher_loads_project_static_css():
    response = safe_fetcher()(PDF_BASE_URL + "static/css/pdf.css")
    expected = (Path(settings.BASE_DIR) / "static" / "css" / "pdf.css").read_bytes()
    assert response.read() == expected
    assert response.content_type == "text/css"


def test_render_uses_static_css_and_data_image(tmp_path):
    data_png = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    html = (
        '<html><head><link rel="stylesheet" href="/static/css/pdf.css"></head>'
        f'<body><h1>Hola</h1><img src="{data_png}" width="20" height="20"></body></html>'
    )
    rendered = render_pdf_document(html=html)
    assert rendered.content.startswith(b"%PDF-")
    assert rendered.page_count == 1
    # pdf.css applied: headings in a sans-serif face, body text in a serif one; without
    # the stylesheet WeasyPrint would use one default face for both.
    path = tmp_path / "styled.pdf"
    path.write_bytes(rendered.content)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "DejaVu-Sans-Bold" in fonts
    # The image was embedded: an image XObject exists.
    assert b"/Subtype /Image" in rendered.content or b"/Subtype/Image" in rendered.content


def test_render_keeps_server_files_out_of_the_pdf(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-7f3a9c\n")
    secret_css = tmp_path / "secret.css"
    secret_css.write_text('body::after { content: "CSS-MARKER-51be02"; }')
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="file:///etc/passwd">'
        f'<link rel="stylesheet" href="file://{secret_css}">'
        "</head><body><p>Visible paragraph</p>"
        '<img src="file:///etc/hostname" alt="">'
        f'<object data="file://{secret}" type="text/plain"></object>'
        f'<embed src="file://{secret}" type="text/plain">'
        f'<iframe src="file://{secret}"></iframe>'
        "</body></html>"
    )
    text = _pdf_text(render_pdf(html=html), tmp_path)
    assert "Visible paragraph" in text
    assert "SECRET-MARKER" not in text
    assert "CSS-MARKER" not in text
    assert "root:x:0" not in text
    assert Path("/etc/hostname").read_text().strip() not in text.split()


def test_default_weasyprint_fetcher_would_leak(tmp_path):
    """The danger is real: WeasyPrint's own fetcher puts a file:// stylesheet into the PDF."""
    from weasyprint import HTML

    secret_css = tmp_path / "secret.css"
    secret_css.write_text('body::after { content: "CSS-MARKER-51be02"; }')
    html = f'<html><head><link rel="stylesheet" href="file://{secret_css}"></head><body>x</body>'
    assert "CSS-MARKER-51be02" in _pdf_text(HTML(string=html).write_pdf(), tmp_path)


def test_render_stops_at_its_time_limit():
    from crm_workshop.pdf import PdfRenderTimeout

    html = "<html><body>" + "<p>Párrafo de relleno para un documento largo.</p>" * 3000 + "</body>"
    with pytest.raises(PdfRenderTimeout):
        render_pdf(html=html, time_limit=0.05)
    # The alarm is gone afterwards: a small render with no limit completes.
    assert render_pdf(html="<p>ok</p>", time_limit=0).startswith(b"%PDF-")


def test_page_number_css_escapes_the_words():
    from crm_workshop.pdf import page_number_css

    assert page_number_css("página %(page)s de %(pages)s") == (
        '@page { @bottom-center { content: "página " counter(page) " de " counter(pages); } }'
    )
    hostile = page_number_css('</style><script>x"</script> %(page)s')
    assert "<" not in hostile
    assert hostile.count('"') == 2  # the text's own quote is escaped: one CSS string only
    assert hostile.endswith('" counter(page); } }')


def test_page_numbers_print_in_the_pdf(tmp_path):
    from crm_workshop.pdf import page_number_css

    html = (
        f"<html><head><style>{page_number_css('page %(page)s of %(pages)s')}</style></head>"
        "<body><p>uno</p><p style='break-before: page'>dos</p></body></html>"
    )
    text = _pdf_text(render_pdf(html=html), tmp_path)
    assert "page 1 of 2" in text
    assert "page 2 of 2" in text
