"""Talking to a partner's PACT host over HTTPS: token, paginated ListFootprints, events.

``verify`` is httpx's: True (system CAs), False, or a PEM CA bundle path (a partner's
self-signed certificate, ``TANLIAN_PACT_CA_BUNDLE``).
"""

from __future__ import annotations

import re
import ssl
from typing import Any

import httpx

from tanlian.errors import TanlianError

TIMEOUT_S = 30.0
MAX_PAGES = 1000
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class PartnerHostError(TanlianError):
    """A partner's PACT host refused a request or answered something unreadable."""


def _fail(what: str, resp: httpx.Response) -> PartnerHostError:
    return PartnerHostError(f"{what}: HTTP {resp.status_code} from {resp.request.url}: {resp.text[:300]}")


def token_endpoint(client: httpx.Client, base_url: str) -> str:
    """The token URL: OpenID discovery at ``/.well-known/openid-configuration``, else ``/auth/token``."""
    base = base_url.rstrip("/")
    try:
        resp = client.get(f"{base}/.well-known/openid-configuration")
        if resp.status_code == 200 and isinstance(resp.json().get("token_endpoint"), str):
            return resp.json()["token_endpoint"]
    except (httpx.HTTPError, ValueError):
        pass
    return f"{base}/auth/token"


def get_token(client: httpx.Client, base_url: str, client_id: str, client_secret: str) -> str:
    """An access token by the client-credentials grant with HTTP Basic (PACT Action Authenticate)."""
    url = token_endpoint(client, base_url)
    resp = client.post(url, data={"grant_type": "client_credentials"}, auth=(client_id, client_secret))
    if resp.status_code != 200:
        raise _fail("authentication failed", resp)
    token = resp.json().get("access_token")
    if not isinstance(token, str):
        raise PartnerHostError(f"no access_token in the answer of {url}")
    return token


def next_link(resp: httpx.Response) -> str | None:
    """The absolute URL of the ``Link: <…>; rel="next"`` header, if any."""
    match = _NEXT.search(resp.headers.get("link", ""))
    return match.group(1) if match else None


def fetch_footprints(client: httpx.Client, url: str, token: str) -> list[dict[str, Any]]:
    """Every footprint at ``url`` (a ListFootprints URL, pages followed; or one GetFootprint URL)."""
    out: list[dict[str, Any]] = []
    page: str | None = url
    for _ in range(MAX_PAGES):
        if page is None:
            break
        resp = client.get(page, headers={"Authorization": f"Bearer {token}"})
        if resp.status_code not in (200, 202):
            raise _fail("listing footprints failed", resp)
        body = resp.json()
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict):
            out.append(data)
        elif isinstance(data, list):
            out.extend(data)
        else:
            raise PartnerHostError(f"{page} did not answer a PACT body with 'data'")
        page = next_link(resp)
    return out


def post_event(client: httpx.Client, url: str, event: dict[str, Any], token: str | None) -> httpx.Response:
    """POST a CloudEvent in structured mode; the caller decides what a status means."""
    headers = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(url, json=event, headers=headers)


def http_client(verify: bool | str = True) -> httpx.Client:
    """An HTTPS client; ``verify`` a CA bundle path trusts that bundle only."""
    context = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
    return httpx.Client(verify=context, timeout=TIMEOUT_S, follow_redirects=False)
