"""The OpenAPI document: valid, generated from the schemas, and covering every route the app serves."""
import falcon.inspect
from openapi_spec_validator import validate

from tests.unit.test_http_api import make_container


def test_the_document_validates_and_carries_the_schema_rules():
    client_app = make_container().app()
    document = falcon.testing.TestClient(client_app).simulate_get("/openapi.json").json
    validate(document)
    userid = document["components"]["schemas"]["RegisterRequest"]["properties"]["userid"]
    assert (userid["maxLength"], userid["pattern"]) == (128, "^[A-Za-z0-9._@+-]+$")
    assert document["components"]["schemas"]["Error"]["required"] == ["detail", "status", "title"]


def test_every_served_route_and_method_is_documented():
    app = make_container().app()
    document = falcon.testing.TestClient(app).simulate_get("/openapi.json").json
    for route in falcon.inspect.inspect_app(app).routes:
        documented = document["paths"].get(route.path)
        assert documented is not None, f"{route.path} is not documented"
        served = {m.method.lower() for m in route.methods if not m.internal and m.method != "OPTIONS"}
        assert served <= set(documented), f"{route.path}: {served - set(documented)} not documented"


def test_the_docs_page_and_its_assets_are_served_offline():
    client = falcon.testing.TestClient(make_container().app())
    page = client.simulate_get("/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text and "http" not in page.text.split("<body>")[1]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.simulate_get(f"/docs/assets/{asset}").status_code == 200
