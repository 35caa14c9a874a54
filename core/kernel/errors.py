"""RFC 9457 problem details for everything a client can cause, in the caller's language.

Raise :class:`Problem` anywhere (services, guards, hooks); the exception handlers registered by
:func:`exception_handlers` turn it, Litestar's own HTTP exceptions and any unexpected error into an
``application/problem+json`` response. A problem never carries a traceback, SQL or personal data; an
unexpected error is logged with its request id and answered with that id only.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from core.kernel.i18n import Text, negotiate
from core.kernel.settings import Locale
from core.kernel.shared import REDIS_UNAVAILABLE

log = logging.getLogger("quntuan.errors")

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
#: Problem ``type`` URIs are relative references that resolve to the problem catalogue of this API.
PROBLEM_BASE: Final = "/api/v1/problems/"
#: Seconds a client is told to wait (``Retry-After``) when a dependency is unavailable.
UNAVAILABLE_RETRY_AFTER: Final = 5


class ProblemType(msgspec.Struct, frozen=True, kw_only=True):
    """A kind of error a client may meet: a stable code, its HTTP status, a title and a detail template."""

    code: str
    status: int
    title: Text
    detail: Text


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    """One invalid input: a JSON pointer into the request, a stable code and a message."""

    pointer: str
    code: str
    message: str


class ProblemDetails(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The body of every error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = None
    errors: list[FieldError] | None = None
    extra: dict[str, Any] | None = msgspec.field(default=None, name="context")
    #: Only from the OAuth2 token endpoint: the RFC 6749 error code (``invalid_request``, ``invalid_client``,
    #: ``invalid_grant``, ``unsupported_grant_type``) OAuth2 client libraries read.
    error: str | None = None
    #: Only from the OAuth2 token endpoint: the same as ``detail``.
    error_description: str | None = None


_REGISTRY: dict[str, ProblemType] = {}


def register_problem(code: str, status: int, title: Text, detail: Text | None = None) -> ProblemType:
    """Add a problem type to the catalogue (core and plugins alike); codes are unique."""
    problem = ProblemType(code=code, status=status, title=title, detail=detail or title)
    existing = _REGISTRY.get(code)
    if existing is not None and existing != problem:
        raise ValueError(f"problem type {code!r} is already registered differently")
    _REGISTRY[code] = problem
    return problem


def problem_types() -> Mapping[str, ProblemType]:
    return dict(_REGISTRY)


def _t(zh_hans: str, en: str, zh_hant: str | None = None) -> Text:
    return Text(zh_hans=zh_hans, en=en, zh_hant=zh_hant)


BAD_REQUEST = register_problem(
    "bad-request",
    400,
    _t("请求无效", "Bad request", "請求無效"),
    _t("请求无法解析。", "The request could not be understood.", "請求無法解析。"),
)
MALFORMED_BODY = register_problem(
    "malformed-body",
    400,
    _t("请求体格式错误", "Malformed request body", "請求體格式錯誤"),
    _t("请求体不是有效的 JSON。", "The request body is not valid JSON.", "請求體不是有效的 JSON。"),
)
TOO_DEEP = register_problem(
    "body-too-deep",
    400,
    _t("请求体嵌套过深", "Request body nested too deeply", "請求體巢狀過深"),
    _t(
        "JSON 请求体中的对象和数组最多嵌套 {limit} 层。",
        "Objects and arrays in a JSON body may nest at most {limit} levels deep.",
        "JSON 請求體中的物件和陣列最多巢狀 {limit} 層。",
    ),
)
VALIDATION = register_problem(
    "validation-failed",
    422,
    _t("输入未通过校验", "Validation failed", "輸入未通過校驗"),
    _t(
        "请求中有 {count} 处错误，详见 errors。",
        "The request has {count} error(s); see errors.",
        "請求中有 {count} 處錯誤，詳見 errors。",
    ),
)
UNAUTHENTICATED = register_problem(
    "unauthenticated",
    401,
    _t("需要身份认证", "Authentication required", "需要身分認證"),
    _t("缺少有效的访问令牌。", "A valid access token is required.", "缺少有效的存取權杖。"),
)
FORBIDDEN = register_problem(
    "forbidden",
    403,
    _t("无权执行此操作", "Not allowed", "無權執行此操作"),
    _t("您的授权不允许此操作。", "Your grants do not allow this action.", "您的授權不允許此操作。"),
)
NOT_FOUND = register_problem(
    "not-found",
    404,
    _t("资源不存在", "Not found", "資源不存在"),
    _t(
        "请求的资源不存在或不在您的权限范围内。",
        "The resource does not exist or is outside your reach.",
        "請求的資源不存在或不在您的權限範圍內。",
    ),
)
METHOD_NOT_ALLOWED = register_problem(
    "method-not-allowed",
    405,
    _t("不支持该请求方法", "Method not allowed", "不支援該請求方法"),
    _t("此地址不支持 {method} 方法。", "{method} is not allowed here.", "此位址不支援 {method} 方法。"),
)
CONFLICT = register_problem(
    "conflict",
    409,
    _t("请求冲突", "Conflict", "請求衝突"),
    _t(
        "请求与资源的当前状态冲突。",
        "The request conflicts with the current state.",
        "請求與資源的目前狀態衝突。",
    ),
)
PRECONDITION_FAILED = register_problem(
    "precondition-failed",
    412,
    _t("资源已被修改", "Precondition failed", "資源已被修改"),
    _t(
        "资源在您读取之后已被修改，请重新获取。",
        "The resource changed since you read it; fetch it again.",
        "資源在您讀取之後已被修改，請重新取得。",
    ),
)
PRECONDITION_REQUIRED = register_problem(
    "precondition-required",
    428,
    _t("缺少 If-Match", "Precondition required", "缺少 If-Match"),
    _t(
        "修改此资源需要 If-Match 请求头。",
        "Updating this resource requires an If-Match header.",
        "修改此資源需要 If-Match 請求標頭。",
    ),
)
TOO_LARGE = register_problem(
    "payload-too-large",
    413,
    _t("请求体过大", "Payload too large", "請求體過大"),
    _t("请求体超过了允许的大小。", "The request body exceeds the allowed size.", "請求體超過了允許的大小。"),
)
#: What a JSON route takes; a 415 names the media types the route does take.
JSON_MEDIA: Final = "application/json"
UNSUPPORTED_MEDIA = register_problem(
    "unsupported-media-type",
    415,
    _t("不支持的内容类型", "Unsupported media type", "不支援的內容類型"),
    _t(
        "此接口接受的内容类型：{accepted}。",
        "This endpoint takes: {accepted}.",
        "此介面接受的內容類型：{accepted}。",
    ),
)
RATE_LIMITED = register_problem(
    "rate-limited",
    429,
    _t("请求过于频繁", "Too many requests", "請求過於頻繁"),
    _t(
        "请在 {retry_after} 秒后重试。", "Retry after {retry_after} seconds.", "請在 {retry_after} 秒後重試。"
    ),
)
PLUGIN_FAILED = register_problem(
    "plugin-failed",
    422,
    _t("插件未能完成检查", "A plugin could not check the request", "外掛未能完成檢查"),
    _t(
        "插件 {plugin} 未能完成对此请求的检查，未作任何改动；请联系管理员。",
        "Plugin {plugin} could not check this request; nothing was changed. Tell the operator.",
        "外掛 {plugin} 未能完成對此請求的檢查，未作任何改動；請聯絡管理員。",
    ),
)
INTERNAL = register_problem(
    "internal-error",
    500,
    _t("服务器内部错误", "Internal server error", "伺服器內部錯誤"),
    _t(
        "服务器出错，请凭请求编号 {request_id} 联系管理员。",
        "Something went wrong on our side; quote request id {request_id} to the operator.",
        "伺服器出錯，請憑請求編號 {request_id} 聯絡管理員。",
    ),
)
UNAVAILABLE = register_problem(
    "service-unavailable",
    503,
    _t("服务暂不可用", "Service unavailable", "服務暫不可用"),
    _t(
        "依赖的服务暂不可用，请稍后重试。",
        "A service we depend on is unavailable; retry later.",
        "依賴的服務暫不可用，請稍後重試。",
    ),
)

#: Messages for the per-field error codes derived from msgspec's validation messages.
FIELD_MESSAGES: Final[dict[str, Text]] = {
    "required": _t("必填字段", "This field is required", "必填欄位"),
    "unknown_field": _t("不接受此字段", "This field is not accepted", "不接受此欄位"),
    "type": _t("类型错误，应为 {expected}", "Wrong type: expected {expected}", "類型錯誤，應為 {expected}"),
    "too_small": _t("不能小于 {limit}", "Must be at least {limit}", "不能小於 {limit}"),
    "too_large": _t("不能大于 {limit}", "Must be at most {limit}", "不能大於 {limit}"),
    "too_short": _t("长度不能小于 {limit}", "Length must be at least {limit}", "長度不能小於 {limit}"),
    "too_long": _t("长度不能大于 {limit}", "Length must be at most {limit}", "長度不能大於 {limit}"),
    "pattern": _t("格式不正确", "Does not match the required format", "格式不正確"),
    "enum": _t("不是允许的取值", "Not one of the allowed values", "不是允許的取值"),
    "format": _t("格式不正确：{expected}", "Invalid format: {expected}", "格式不正確：{expected}"),
    "invalid": _t("取值无效", "Invalid value", "取值無效"),
    "out_of_range": _t(
        "超出可处理的范围（整数不超过 64 位，时间在公元 1 年至 9999 年之间）",
        "Out of range (integers fit in 64 bits, times lie between the years 1 and 9999)",
        "超出可處理的範圍（整數不超過 64 位元，時間在西元 1 年至 9999 年之間）",
    ),
    "duplicate_key": _t(
        "同一对象中重复出现的字段",
        "This key appears more than once in its object",
        "同一物件中重複出現的欄位",
    ),
    "invalid_id_number": _t(
        "身份证号无效（18 位，末位校验码须正确）",
        "Not a valid ID number (18 characters with a correct check digit)",
        "身分證號無效（18 位，末位檢查碼須正確）",
    ),
    "invalid_phone": _t(
        "手机号无效（11 位中国大陆手机号）",
        "Not a valid mobile number (11 digits, mainland China)",
        "手機號無效（11 位中國大陸手機號）",
    ),
    "invalid_character": _t(
        "不能包含空字符（U+0000）", "Must not contain the NUL character (U+0000)", "不能包含空字元（U+0000）"
    ),
}


def register_field_code(code: str, text: Text) -> str:
    """Add the message of a field-error code (``errors[].code``), core and plugins alike, so 422s render
    it in the caller's language; codes are unique. Returns ``code`` (for module constants)."""
    existing = FIELD_MESSAGES.get(code)
    if existing is not None and existing != text:
        raise ValueError(f"field code {code!r} is already registered differently")
    FIELD_MESSAGES[code] = text
    return code


def field_codes() -> Mapping[str, Text]:
    """Every registered field-error code and its message."""
    return dict(FIELD_MESSAGES)


_TYPE_NAMES: Final[dict[str, Text]] = {
    "int": _t("整数", "an integer", "整數"),
    "float": _t("数字", "a number", "數字"),
    "str": _t("字符串", "a string", "字串"),
    "bool": _t("布尔值", "true or false", "布林值"),
    "object": _t("对象", "an object", "物件"),
    "array": _t("数组", "an array", "陣列"),
    "null": _t("空值", "null", "空值"),
    "uuid": _t("UUID", "a UUID", "UUID"),
    "datetime": _t("带时区的 RFC 3339 时间", "an RFC 3339 date-time with offset", "帶時區的 RFC 3339 時間"),
    "date": _t("日期 YYYY-MM-DD", "a date YYYY-MM-DD", "日期 YYYY-MM-DD"),
    "time": _t("时间 HH:MM:SS", "a time HH:MM:SS", "時間 HH:MM:SS"),
}


class Problem(HTTPException):
    """An error a client can act on. ``code`` names a registered :class:`ProblemType`."""

    def __init__(
        self,
        code: str | ProblemType,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        context: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.problem = code if isinstance(code, ProblemType) else _REGISTRY[code]
        self.field_errors = list(errors) if errors else None
        self.params = params
        self.context = dict(context) if context else None
        super().__init__(
            detail=self.problem.detail.format("en", **params),
            status_code=self.problem.status,
            headers=dict(headers) if headers else None,
        )

    @classmethod
    def invalid(cls, *errors: tuple[str, str] | FieldError, locale: Locale = "zh-Hans") -> Problem:
        """A 422 for rule violations found by services: ``("/pointer", "code")`` pairs or full FieldErrors."""
        built = [
            e
            if isinstance(e, FieldError)
            else FieldError(
                pointer=e[0],
                code=e[1],
                message=FIELD_MESSAGES.get(e[1], FIELD_MESSAGES["invalid"]).get(locale),
            )
            for e in errors
        ]
        return cls(VALIDATION, errors=built, count=len(built))


# --- msgspec / Litestar validation messages → field errors -------------------------------------------

_AT = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<path>[^`]*)`)?$", re.S)
_PATTERNS: Final[list[tuple[re.Pattern[str], str]]] = [
    (re.compile(r"Object missing required field `(?P<field>[^`]+)`"), "required"),
    (re.compile(r"Object contains unknown field `(?P<field>[^`]+)`"), "unknown_field"),
    (re.compile(r"Expected `[^`]+` (?:>=|>) (?P<limit>\S+)"), "too_small"),
    (re.compile(r"Expected `[^`]+` (?:<=|<) (?P<limit>\S+)"), "too_large"),
    (re.compile(r"Expected `[^`]+` of length >= (?P<limit>\d+)"), "too_short"),
    (re.compile(r"Expected `[^`]+` of length <= (?P<limit>\d+)"), "too_long"),
    (re.compile(r"Expected `[^`]+` matching regex"), "pattern"),
    (re.compile(r"Invalid enum value"), "enum"),
    (re.compile(r"Invalid (?:RFC 3339 encoded )?(?P<expected>datetime|date|time|UUID|uuid)"), "format"),
    (re.compile(r"Expected `(?P<expected>[^`|]+)[^`]*`, got `[^`]+`"), "type"),
    (re.compile(r"Expected `(?P<expected>[^`|]+)[^`]*`"), "type"),
]


def _pointer(path: str | None, source: Any, key: str | None) -> str:
    """Turn msgspec's ``$.a.b[0]`` (or Litestar's parameter key) into a JSON pointer ``/a/b/0``.

    Errors outside the body are prefixed with where they came from: ``query:/limit``, ``path:/id``.
    """
    source = str(getattr(source, "value", source)) if source is not None else None
    if path:
        parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]", path.removeprefix("$"))
        pointer = "".join(
            "/" + (name or index).replace("~", "~0").replace("/", "~1") for name, index in parts
        )
    elif key and source != "body":
        pointer = "/" + key
    else:
        pointer = ""
    if source and source not in ("body",):
        return f"{source}:{pointer or '/'}"
    return pointer


def field_error_from_message(
    message: str, locale: Locale, *, source: Any = None, key: str | None = None
) -> FieldError:
    """Classify one msgspec validation message; unknown shapes become ``invalid`` without echoing input."""
    match = _AT.match(message.strip())
    text, path = (match["msg"], match["path"]) if match else (message, None)
    code, params = "invalid", {}
    for pattern, candidate in _PATTERNS:
        found = pattern.search(text)
        if found:
            code, params = candidate, found.groupdict()
            break
    field = params.pop("field", None)
    pointer = _pointer(path, source, key)
    if field:
        pointer = (pointer if not pointer.endswith(":/") else pointer[:-1]) + "/" + field
    if "expected" in params:
        name = params["expected"].lower()
        params["expected"] = _TYPE_NAMES[name].get(locale) if name in _TYPE_NAMES else params["expected"]
    return FieldError(
        pointer=pointer or "/", code=code, message=FIELD_MESSAGES[code].format(locale, **params)
    )


# --- handlers ---------------------------------------------------------------------------------------


def request_locale(request: Request[Any, Any, Any]) -> Locale:
    settings = getattr(request.app.state, "settings", None)
    default: Locale = settings.default_locale if settings else "zh-Hans"
    return negotiate(request.headers.get("accept-language"), default)


def request_id_of(request: Request[Any, Any, Any]) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return str(value) if value else None


def problem_response(
    request: Request[Any, Any, Any],
    problem: ProblemType,
    *,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    context: Mapping[str, Any] | None = None,
    **params: Any,
) -> Response[ProblemDetails]:
    locale = request_locale(request)
    request_id = request_id_of(request)
    params.setdefault("request_id", request_id or "-")
    body = ProblemDetails(
        type=PROBLEM_BASE + problem.code,
        title=problem.title.get(locale),
        status=problem.status,
        detail=problem.detail.format(locale, **params),
        request_id=request_id,
        errors=errors,
        extra=dict(context) if context else None,
    )
    all_headers = {"Content-Language": locale, **(headers or {})}
    return Response(body, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=all_headers)


def _handle_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[ProblemDetails]:
    errors = exc.field_errors
    locale = request_locale(request)
    if errors:
        # Services build messages in zh-Hans; re-render known codes in the caller's language.
        errors = [
            FieldError(pointer=e.pointer, code=e.code, message=FIELD_MESSAGES[e.code].get(locale))
            if e.code in FIELD_MESSAGES and e.message == FIELD_MESSAGES[e.code].get("zh-Hans")
            else e
            for e in errors
        ]
    return problem_response(
        request, exc.problem, errors=errors, headers=exc.headers, context=exc.context, **exc.params
    )


def _handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[ProblemDetails]:
    locale = request_locale(request)
    raw = exc.extra if isinstance(exc.extra, list) else []
    if not raw and exc.detail and "malformed" in exc.detail.lower():
        return problem_response(request, MALFORMED_BODY)
    errors: list[FieldError] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        if message.startswith(("JSON is malformed", "Input data was truncated")):
            return problem_response(request, MALFORMED_BODY)
        errors.append(
            field_error_from_message(message, locale, source=item.get("source"), key=item.get("key"))
        )
    if not errors:
        detail = exc.detail or ""
        if "JSON" in detail or "decode" in detail.lower() or "malformed" in detail.lower():
            return problem_response(request, MALFORMED_BODY)
        return problem_response(request, BAD_REQUEST)
    return problem_response(request, VALIDATION, errors=errors, count=len(errors))


_STATUS_PROBLEMS: Final[dict[int, ProblemType]] = {
    400: BAD_REQUEST,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    409: CONFLICT,
    412: PRECONDITION_FAILED,
    413: TOO_LARGE,
    415: UNSUPPORTED_MEDIA,
    428: PRECONDITION_REQUIRED,
    429: RATE_LIMITED,
    503: UNAVAILABLE,
}


def _handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ProblemDetails]:
    status = exc.status_code
    problem = _STATUS_PROBLEMS.get(status)
    headers = dict(exc.headers or {})
    if problem is None:
        problem = INTERNAL if status >= 500 else BAD_REQUEST
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="quntuan"')
    if status == 400 and exc.detail and ("JSON" in exc.detail or "decode" in exc.detail.lower()):
        problem = MALFORMED_BODY
    return problem_response(
        request,
        problem,
        headers=headers,
        method=request.method,
        retry_after=headers.get("Retry-After", "?"),
        accepted=JSON_MEDIA,
    )


def _handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ProblemDetails]:
    # The exception's message may quote SQL parameters (personal data): log its type and frames only.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "unhandled %s in %s %s request_id=%s\n%s",
        type(exc).__name__,
        request.method,
        request.scope.get("path_template") or request.url.path,
        request_id_of(request),
        frames,
    )
    return problem_response(request, INTERNAL)


def _handle_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[ProblemDetails]:
    """Redis down, frozen (a command timed out) or read-only: 503 with ``Retry-After``, not a 500."""
    log.warning(
        "dependency unavailable (%s) in %s %s request_id=%s",
        type(exc).__name__,
        request.method,
        request.scope.get("path_template") or request.url.path,
        request_id_of(request),
    )
    return problem_response(request, UNAVAILABLE, headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)})


def exception_handlers() -> dict[type[Exception] | int, Callable[..., Response[Any]]]:
    """The handlers ``create_app`` installs: one per family, most specific first."""
    return {
        Problem: _handle_problem,
        ValidationException: _handle_validation,
        NotFoundException: _handle_http,
        HTTPException: _handle_http,
        **dict.fromkeys(REDIS_UNAVAILABLE, _handle_unavailable),
        Exception: _handle_unexpected,
    }
