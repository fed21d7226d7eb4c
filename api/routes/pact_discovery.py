"""``GET /.well-known/openid-configuration``: where PACT clients find the token endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter(tags=["auth"])


@router.get("/.well-known/openid-configuration", summary="OpenID provider metadata (token endpoint)")
def openid_configuration(request: Request) -> dict:
    """The token endpoint (OAuth2 client credentials, HTTP Basic) under this host's base URL."""
    base = str(request.base_url).rstrip("/")
    return {
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256"],
    }
