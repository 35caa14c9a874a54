"""Problem types of files: each refusal of an upload a client can act on has its own ``type``."""

from __future__ import annotations

from core.kernel.errors import register_problem
from core.kernel.i18n import Text


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


FILE_TOO_LARGE = register_problem(
    "file-too-large",
    413,
    _t("文件过大", "檔案過大", "File too large"),
    _t(
        "文件不能超过 {limit} 字节。",
        "檔案不能超過 {limit} 位元組。",
        "The file must not exceed {limit} bytes.",
    ),
)
FILE_TYPE_NOT_ALLOWED = register_problem(
    "file-type-not-allowed",
    415,
    _t("不接受此类文件", "不接受此類檔案", "File type not accepted"),
    _t(
        "文件内容的类型（{type}）不在允许的类型之内：{allowed}。",
        "檔案內容的類型（{type}）不在允許的類型之內：{allowed}。",
        "The file's content is {type}, which is not among the accepted types: {allowed}.",
    ),
)
FILE_TYPE_MISMATCH = register_problem(
    "file-type-mismatch",
    415,
    _t("文件类型与内容不符", "檔案類型與內容不符", "File type does not match its content"),
    _t(
        "文件声明为 {declared}，但其内容是 {type}；请上传真实的文件。",
        "檔案聲明為 {declared}，但其內容是 {type}；請上傳真實的檔案。",
        "The file claims to be {declared} but its content is {type}; upload the real file.",
    ),
)
MULTIPART_REQUIRED = register_problem(
    "multipart-required",
    415,
    _t("请以表单上传文件", "請以表單上傳檔案", "Send the file as multipart/form-data"),
    _t(
        "上传文件须使用 multipart/form-data，文件放在 file 字段中。",
        "上傳檔案須使用 multipart/form-data，檔案放在 file 欄位中。",
        "Upload files as multipart/form-data with the file in the field named file.",
    ),
)
MALFORMED_MULTIPART = register_problem(
    "malformed-multipart",
    400,
    _t("表单格式错误", "表單格式錯誤", "Malformed multipart body"),
    _t(
        "请求体不是完整有效的 multipart/form-data。",
        "請求體不是完整有效的 multipart/form-data。",
        "The request body is not complete, valid multipart/form-data.",
    ),
)
