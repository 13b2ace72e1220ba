"""The REST API root: one NinjaAPI, routers per app under /api/v1/.

- OpenAPI at /api/openapi.json, Swagger UI at /api/docs served from our own
  static files (guanxi/static/vendor/swagger-ui, no CDN).
- Auth: `Authorization: Bearer <token>` or the Django session (with CSRF).
- Errors: problem+json, mapped once in guanxi.platform.api_errors; the schema
  documents every error response under that media type.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.templatetags.static import static
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from guanxi.platform.api_auth import API_AUTH
from guanxi.platform.api_errors import PROBLEM_CONTENT_TYPE, install_error_handlers

_DOCS_TEMPLATE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{{ css }}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ js }}"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: {{ openapi_url_json|safe }},
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      // Tags start collapsed: with all operations expanded (130+) Swagger UI stopped
      // rendering after the first few tags.
      docExpansion: "none",
      requestInterceptor: function (req) {
        req.headers["X-CSRFToken"] = {{ csrf_json|safe }};
        return req;
      }
    });
  </script>
</body>
</html>"""
)


class LocalSwagger(DocsBase):
    """Swagger UI from vendored files: the docs page works offline and without a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        html = _DOCS_TEMPLATE.render(
            Context(
                {
                    "title": api.title,
                    "css": static("vendor/swagger-ui/swagger-ui.css"),
                    "js": static("vendor/swagger-ui/swagger-ui-bundle.js"),
                    "openapi_url_json": json.dumps(self.get_openapi_url(api, kwargs)),
                    "csrf_json": json.dumps(get_token(request)),
                }
            )
        )
        return HttpResponse(html)


class GuanxiAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """Operation ids are the view names: `<entity>_<action>` (STYLE.md rule 17)."""
        return operation.view_func.__name__

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        # Error answers are application/problem+json, not application/json.
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if int(status) >= 400 and content and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = GuanxiAPI(
    title="Guanxi API",
    version="1",
    description=(
        "Guanxi (关系) CRM. Authenticate with `Authorization: Bearer <token>` "
        "(POST /api/v1/auth/token) or a browser session. Lists use keyset pagination: "
        "pass `next_cursor` back as `cursor`. PATCH honours `If-Match` with the ETag "
        "from GET (stale -> 409). Errors are application/problem+json."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs=LocalSwagger(),
    auth=API_AUTH,
)
install_error_handlers(api)


def _mount_routers() -> None:
    from guanxi.accounts.api import router as accounts_router
    from guanxi.customers.api import router as customers_router

    api.add_router("/v1/", accounts_router)
    api.add_router("/v1/", customers_router)
    api.add_router("/v1/", "guanxi.customers.api.exports.router")
    api.add_router("/v1/", "guanxi.sales.api.router")
    api.add_router("/v1/", "guanxi.activities.api.router")
    api.add_router("/v1/", "guanxi.leads.api.router")
    api.add_router("/v1/", "guanxi.pool.api.router")
    api.add_router("/v1/", "guanxi.deals.api.router")
    api.add_router("/v1/", "guanxi.contracts.api.router")
    api.add_router("/v1/", "guanxi.reports.api.router")
    api.add_router("/v1/", "guanxi.notifications.api.router")
    api.add_router("/v1/", "guanxi.analytics.api.router")
    api.add_router("/v1/", "guanxi.platform.api_imports.router")


_mount_routers()
