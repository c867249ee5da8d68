"""Response headers every page gets: a strict Content-Security-Policy (no inline scripts or styles
anywhere, so htmx runs with eval and injected styles switched off), no framing, no MIME sniffing,
a tight referrer policy, HSTS over HTTPS; and ETags so a browser revalidates a page instead of downloading it again."""

from __future__ import annotations

from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def init_app(app: Flask) -> None:
    app.after_request(_secure)


# Sent only over HTTPS (as the request arrived, or as the proxy says: ProxyFix reads
# X-Forwarded-Proto), so a plain-http development server never pins a browser to https.
HSTS = "max-age=31536000; includeSubDomains"


def _secure(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if (
        response.mimetype == "text/html"
        and request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.direct_passthrough
    ):
        response.add_etag()
        response.cache_control.no_cache = True
        response.make_conditional(request)
    return response
