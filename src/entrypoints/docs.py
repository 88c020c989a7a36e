"""Serves the OpenAPI document and a Swagger UI page whose assets come from a package (no CDN)."""
from __future__ import annotations

from typing import Any

import falcon
import orjson
import swagger_ui_bundle

#: Where the docs page loads Swagger UI's files from; they are served from the swagger-ui-bundle package.
ASSETS_ROUTE = "/docs/assets"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>webhook-register API</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui"}});
  </script>
</body>
</html>
"""


class OpenApiResource:
    """``GET /openapi.json``: the document, encoded once."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._body = orjson.dumps(document)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer the OpenAPI document."""
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self._body


class DocsResource:
    """``GET /docs``: the Swagger UI page."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer the HTML page."""
        resp.content_type = falcon.MEDIA_HTML
        resp.text = _PAGE.format(assets=ASSETS_ROUTE)


def install_docs(app: falcon.App, document: dict[str, Any]) -> None:
    """Add ``/openapi.json``, ``/docs`` and the page's static assets to ``app``."""
    app.add_route("/openapi.json", OpenApiResource(document))
    app.add_route("/docs", DocsResource())
    app.add_static_route(ASSETS_ROUTE, swagger_ui_bundle.swagger_ui_path)
