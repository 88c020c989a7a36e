"""The framework ceiling: a Falcon app that answers every GET and POST with a constant JSON body."""
import falcon


class Hello:
    """Answers 201 with a fixed body and does no other work."""

    def on_get(self, req, resp, **params):
        resp.status = falcon.HTTP_201
        resp.data = b'{"message":"web hook triggered"}'
        resp.content_type = falcon.MEDIA_JSON

    on_post = on_get


def create_app() -> falcon.App:
    """Return the hello-world app on the same routes as the service."""
    app = falcon.App()
    app.add_route("/webhook", Hello())
    app.add_route("/webhook/{hook_id}", Hello())
    return app
