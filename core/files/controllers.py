"""HTTP routes of files: ``/api/v1/files`` — upload, metadata, content, an owner's list, delete.

Access is the owner's to decide: every route asks the owner kind's ``authorize`` callback (see
:mod:`core.kernel.declarations.files`) and answers 404 when the owner is unknown or hidden from the caller. The routes
therefore declare no permission of their own (``opt={"policy": "file-owner"}``) beyond being signed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import Parameter
from litestar.response import Stream

from core.files import services
from core.files.schemas import FileInfo
from core.files.storage import storage_key
from core.files.upload import SPOOL_DIR, receive
from core.idempotency import claim_key, replay
from core.kernel.access import Principal
from core.kernel.guards import current_principal, require_permission
from core.kernel.openapi_truth import file_responses
from core.kernel.pagination import Page, PageParam

POLICY = {"policy": "file-owner"}
FileId = Annotated[UUID, Parameter(description="File id")]
#: Types a browser may show inline; everything else is offered as a download.
_INLINE = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})


def _principal(request: Request[Any, Any, State]) -> Principal:
    principal = current_principal(request)
    assert principal is not None  # the guard answered 401 already
    return principal


def _registry(request: Request[Any, Any, State]) -> Any:
    """The plugin registry: the owner kinds and what their ``authorize`` callbacks may consult."""
    return request.app.state.registry


def content_disposition(name: str, content_type: str) -> str:
    """RFC 6266 with an RFC 5987 ``filename*`` for non-ASCII (Chinese) names and an ASCII fallback."""
    disposition = "inline" if content_type in _INLINE else "attachment"
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\;' else "_" for ch in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@dataclass
class UploadOperation(Operation):
    """The upload's form in the OpenAPI document (the handler streams the body itself, so Litestar
    cannot derive it from a ``data`` parameter)."""

    def __post_init__(self) -> None:
        form = Schema(
            type=OpenAPIType.OBJECT,
            required=["owner_kind", "owner_id", "file"],
            properties={
                "owner_kind": Schema(type=OpenAPIType.STRING, max_length=64, description="e.g. process"),
                "owner_id": Schema(type=OpenAPIType.STRING, format="uuid"),  # type: ignore[arg-type]
                "file": Schema(type=OpenAPIType.STRING, content_media_type="application/octet-stream"),
            },
        )
        self.request_body = RequestBody(
            required=True, content={"multipart/form-data": OpenAPIMediaType(schema=form)}
        )


class FileController(Controller):
    """``/api/v1/files``: attachments (附件) of processes, notices, places and whatever plugins register."""

    path = "/files"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["files"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @post(
        "/",
        opt=POLICY,
        request_max_body_size=None,  # bounded while streaming by QUNTUAN_FILES_MAX_SIZE (core.files.upload)
        status_code=201,
        operation_class=UploadOperation,
        summary="上传附件",
        description="上传附件（multipart），检查类型与大小。",
        summary_en="Upload a file",
        description_en="Uploads a file (multipart); its type and size are checked.",
    )
    async def upload_file(self, request: Request[Any, Any, State]) -> Response[FileInfo]:
        """Attach a file to an owner: ``multipart/form-data`` with ``owner_kind``, ``owner_id`` and ``file``.

        What ``wx.uploadFile`` sends (``name: "file"``, ``formData: {owner_kind, owner_id}``). The content
        is sniffed: a type outside the allowed ones, or a declared type or extension that disagrees with
        the content, is refused with 415; above the size limit, 413. ``Idempotency-Key`` is honoured.
        """
        state = request.app.state
        settings = state.settings
        principal = _principal(request)
        registry = _registry(request)
        resolved: dict[str, Any] = {}

        async def limit_for(fields: Mapping[str, str]) -> int:
            if "owner_kind" in fields and "owner_id" in fields:
                resolved["owner"] = await services.attachable_owner(registry, principal, dict(fields))
                return services.size_limit(settings, resolved["owner"][0])
            return int(settings.files_max_size)

        received = await receive(request, settings.files_path / SPOOL_DIR, settings.files_max_size, limit_for)
        try:
            kind, access, owner_id = resolved.get("owner") or await services.attachable_owner(
                registry, principal, received.fields
            )
            mime, name = services.check_content(settings, kind, received)
            file_id = services.new_file_id()
            storage = state.files
            key = storage_key(file_id)
            await storage.put(key, received.spool, size=received.size, content_type=mime)
            fingerprint = "\n".join([kind.code, str(owner_id), name, received.sha256]).encode()
            try:
                async with state.db.transaction():
                    claim = await claim_key(request, principal, scope="files.upload", content=fingerprint)
                    if claim.replay is not None:
                        await storage.delete(key)
                        return replay(claim.replay, FileInfo)
                    row = await services.record_upload(
                        principal, kind, access, owner_id, received, file_id=file_id, mime=mime, name=name
                    )
                    info = services.to_info(row)
                    await claim.record(201, info)
            except BaseException:
                await storage.delete(key)
                raise
        finally:
            received.discard()
        return Response(info, status_code=201, headers={"ETag": services.etag(row)})

    @get(
        "/",
        opt=POLICY,
        summary="列出附件",
        description="某对象的附件。",
        summary_en="List files",
        description_en="The files attached to an owner.",
    )
    async def list_files(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        owner_kind: Annotated[str, Parameter(max_length=64, description="Owner kind, e.g. process")],
        owner_id: Annotated[UUID, Parameter(description="Owner id")],
    ) -> Page[FileInfo]:
        """The files of one owner the caller may see, oldest first; 404 when the owner is hidden."""
        rows, cursor = await services.list_files(
            _registry(request), _principal(request), owner_kind, owner_id, page
        )
        return Page(items=[services.to_info(r) for r in rows], next_cursor=cursor)

    @get(
        "/{file_id:uuid}",
        opt=POLICY,
        summary="附件信息",
        description="附件的名称、类型、大小与所属对象。",
        summary_en="File metadata",
        description_en="A file's name, media type, size and owner.",
    )
    async def get_file(self, request: Request[Any, Any, State], file_id: FileId) -> Response[FileInfo]:
        """One file's metadata, for callers who may see its owner."""
        row, _ = await services.load_visible(_registry(request), _principal(request), file_id)
        return Response(services.to_info(row), headers={"ETag": services.etag(row)})

    @get(
        "/{file_id:uuid}/content",
        opt=POLICY,
        operation_class=file_responses(
            "application/octet-stream",
            description="附件内容（Content-Type 为内容嗅探出的类型）· The file's bytes",
        ),
        summary="下载附件",
        description="附件的内容，按原媒体类型返回。",
        summary_en="Download a file",
        description_en="The file's content in its media type.",
    )
    async def get_content(self, request: Request[Any, Any, State], file_id: FileId) -> Response[Any]:
        """The bytes, with the sniffed ``Content-Type``, ``nosniff``, a sandbox CSP and the checksum as ETag."""
        row, _ = await services.load_visible(_registry(request), _principal(request), file_id)
        tag = services.etag(row)
        headers = {
            "ETag": tag,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-cache",
        }
        if tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(b"", status_code=304, headers=headers)
        chunks = await request.app.state.files.open(row["storage_key"])
        headers["Content-Disposition"] = content_disposition(row["name"], row["content_type"])
        headers["Content-Length"] = str(row["size"])
        return Stream(chunks, media_type=row["content_type"], headers=headers)

    @delete(
        "/{file_id:uuid}",
        opt=POLICY,
        status_code=204,
        summary="删除附件",
        description="删除附件及其内容。",
        summary_en="Delete a file",
        description_en="Deletes the file and its content.",
    )
    async def delete_file(self, request: Request[Any, Any, State], file_id: FileId) -> None:
        """Remove a file: the owner's callback allows it, or the caller uploaded it and may still attach."""
        state = request.app.state
        async with state.db.transaction():
            await services.delete_file(_registry(request), state.files, _principal(request), file_id)
