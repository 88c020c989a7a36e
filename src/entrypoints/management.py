"""The management resources under /webhooks: read, change, revoke, list, history, replay."""
from __future__ import annotations

import dataclasses

import falcon

from ..adapters.hook_codec import public_hook
from ..domain.service import WebhookService
from .bodies import BodyReader, read_object
from .request_context import bearer_token
from .schemas import HistoryQuerySchema, ListQuerySchema, UpdateRequestSchema

class HookResource:
    """``GET|PATCH|DELETE /webhooks/{hook_id}``: read, change or revoke a hook (its token, or an admin)."""

    def __init__(self, service: WebhookService, max_body_bytes: int) -> None:
        self._service = service
        self._reader = BodyReader(max_body_bytes)
        self._update_schema = UpdateRequestSchema()

    def on_get(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Answer the hook's view (no secrets)."""
        resp.media = public_hook(self._service.read(hook_id, bearer_token(req)))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Change the arguments and/or settings named in the JSON body; answer the new view."""
        credential = bearer_token(req)
        changes = self._update_schema.load(read_object(req, self._reader, (falcon.MEDIA_JSON,)))
        arguments = changes.pop("arguments", None)
        hook = self._service.update(hook_id, credential, arguments=arguments, settings=changes)
        resp.media = public_hook(hook)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Revoke the hook; triggers answer 404 from now on."""
        self._service.delete(hook_id, bearer_token(req))
        resp.status = falcon.HTTP_204


class HookCollectionResource:
    """``GET /webhooks?userid=…``: a user's hooks, newest first, a page at a time (admins only)."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service
        self._query_schema = ListQuerySchema()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer one page and the cursor of the next."""
        credential = bearer_token(req)
        self._service.require_admin(credential)  # before the query: strangers learn nothing, not even 400s
        query = self._query_schema.load(req.params)
        page = self._service.list_hooks(query["userid"], credential, query["limit"], query.get("cursor"))
        resp.media = {"hooks": [public_hook(hook) for hook in page.hooks], "next_cursor": page.next_cursor}


class HistoryResource:
    """``GET /webhooks/{hook_id}/history``: the hook's recent triggers, newest first (its token, or admin)."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service
        self._query_schema = HistoryQuerySchema()

    def on_get(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Answer one page and the cursor of the next."""
        query = self._query_schema.load(req.params)  # a malformed query tells nothing about the hook
        page = self._service.history(hook_id, bearer_token(req), query["limit"], query.get("cursor"))
        resp.media = {"entries": [dataclasses.asdict(entry) for entry in page.entries], "next_cursor": page.next_cursor}


class ReplayResource:
    """``POST /webhooks/{hook_id}/history/{event_id}/replay``: trigger a kept event again, as a new event."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response, hook_id: str, event_id: str) -> None:
        """Replay it; 201 when handled (inline), 202 when queued."""
        result = self._service.replay(hook_id, event_id, bearer_token(req))
        resp.status = falcon.HTTP_202 if self._service.queues_events else falcon.HTTP_201
        resp.media = {"event_id": result.event.id, "replay_of": event_id}
