"""Local HTTP servers speaking the contracts of the WeChat and SMS APIs, for the tests of sign-up.

Each server checks requests the way the real service does — WeChat its appid/secret and single-use
codes, Aliyun and Tencent Cloud the request signature, recomputed here from their documentation
independently of the platform's code — and answers with the real service's success and error bodies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class ContractServer:
    """Runs ``handle(method, path, headers, body) -> (status, body dict)`` on a thread at 127.0.0.1."""

    requests: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        raise NotImplementedError

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = outer.handle(self.command, self.path, headers, body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


APP_ID = "wx-test-app"
APP_SECRET = "wx-test-secret"


@dataclass
class WeChatServer(ContractServer):
    """``GET /sns/jscode2session``: codes map to (openid, unionid); each code works once (then 40163).

    Codes ``bad`` (40029), ``limit`` (45011) and ``busy`` (-1) answer those errors.
    """

    codes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        parts = urlsplit(path)
        query = dict(parse_qsl(parts.query))
        self.requests.append({"path": parts.path, "query": query})
        if method != "GET" or parts.path != "/sns/jscode2session":
            return 404, {"errcode": 404, "errmsg": "not found"}
        if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("grant_type") != "authorization_code":
            return 200, {"errcode": 40002, "errmsg": "invalid grant_type"}
        code = query.get("js_code", "")
        if code == "limit":
            return 200, {"errcode": 45011, "errmsg": "api minute-quota reach limit"}
        if code == "busy":
            return 200, {"errcode": -1, "errmsg": "system error"}
        if code in self.used:
            return 200, {"errcode": 40163, "errmsg": "code been used"}
        if code not in self.codes:
            return 200, {"errcode": 40029, "errmsg": "invalid code"}
        self.used.add(code)
        openid, unionid = self.codes[code]
        answer: dict[str, Any] = {"openid": openid, "session_key": "c2Vzc2lvbg=="}
        if unionid:
            answer["unionid"] = unionid
        return 200, answer


def _aliyun_encode(value: str) -> str:
    # Per Aliyun's documentation: UTF-8, then RFC 3986 (A-Z a-z 0-9 - _ . ~ unescaped, space as %20).
    return quote(value.encode(), safe="").replace("%7E", "~")


ALIYUN_KEY_ID = "LTAI-test"
ALIYUN_SECRET = "aliyun-secret"


@dataclass
class AliyunServer(ContractServer):
    """dysmsapi ``SendSms`` (RPC over V3): recomputes the ACS3-HMAC-SHA256 signature from the request as
    received; ``sent`` holds (phone, code) delivered."""

    secret: str = ALIYUN_SECRET
    sent: list[tuple[str, str]] = field(default_factory=list)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        parts = urlsplit(path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.requests.append({"query": query, "headers": headers})
        auth = headers.get("authorization", "")
        algorithm, _, rest = auth.partition(" ")
        fields = dict(item.split("=", 1) for item in rest.split(",") if "=" in item)
        if algorithm != "ACS3-HMAC-SHA256" or set(fields) != {"Credential", "SignedHeaders", "Signature"}:
            return 400, {"Code": "InvalidAuthorization", "Message": "Authorization is invalid."}
        if fields["Credential"] != ALIYUN_KEY_ID:
            return 404, {
                "Code": "InvalidAccessKeyId.NotFound",
                "Message": "Specified access key is not found.",
            }
        signed = fields["SignedHeaders"].split(";")
        required = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce"}
        required.add("x-acs-content-sha256")
        if not required <= set(signed) or signed != sorted(signed):
            return 400, {"Code": "IncompleteSignature"}
        if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
            return 400, {"Code": "ContentSHA256NotMatched"}
        # Canonical request per the V3 documentation, built here independently of the platform's code.
        canonical_query = "&".join(
            f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in sorted(query.items())
        )
        canonical_headers = "".join(f"{n}:{headers.get(n, '').strip()}\n" for n in signed)
        canonical = "\n".join(
            [
                method,
                parts.path or "/",
                canonical_query,
                canonical_headers,
                fields["SignedHeaders"],
                hashlib.sha256(body).hexdigest(),
            ]
        )
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        expected = hmac.new(self.secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(fields["Signature"], expected):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
        if headers.get("x-acs-action") != "SendSms" or headers.get("x-acs-version") != "2017-05-25":
            return 400, {"Code": "InvalidParameter"}
        code = json.loads(query["TemplateParam"])["code"]
        self.sent.append((query["PhoneNumbers"], code))
        return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}


TENCENT_ID = "AKID-test"
TENCENT_KEY = "tencent-secret"


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sign(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


@dataclass
class TencentServer(ContractServer):
    """Tencent Cloud SMS ``SendSms``: recomputes TC3-HMAC-SHA256 from the signed headers named."""

    secret_key: str = TENCENT_KEY
    sent: list[tuple[str, str]] = field(default_factory=list)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        self.requests.append({"headers": headers, "body": body})
        auth = headers.get("authorization", "")
        try:
            algorithm, rest = auth.split(" ", 1)
            fields = dict(part.strip().split("=", 1) for part in rest.split(","))
            credential = fields["Credential"].split("/")
            signed_headers = fields["SignedHeaders"]
        except (ValueError, KeyError):
            return 200, {
                "Response": {"Error": {"Code": "AuthFailure.InvalidAuthorization"}, "RequestId": "x"}
            }
        secret_id, date, service = credential[0], credential[1], credential[2]
        timestamp = headers.get("x-tc-timestamp", "")
        # Header names and values lower-cased and trimmed, one per line, in the order SignedHeaders names them.
        canonical_headers = "".join(
            f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed_headers.split(";")
        )
        canonical_request = f"{method}\n/\n\n{canonical_headers}\n{signed_headers}\n{_sha256_hex(body)}"
        scope = f"{date}/{service}/tc3_request"
        string_to_sign = f"{algorithm}\n{timestamp}\n{scope}\n{_sha256_hex(canonical_request.encode())}"
        key = _sign(_sign(_sign(("TC3" + self.secret_key).encode(), date), service), "tc3_request")
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        day = datetime.fromtimestamp(int(timestamp or 0), UTC).strftime("%Y-%m-%d")
        if secret_id != TENCENT_ID:
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SecretIdNotFound"}, "RequestId": "x"}}
        if algorithm != "TC3-HMAC-SHA256" or date != day or fields.get("Signature") != expected:
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure"}, "RequestId": "x"}}
        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != "2021-01-11":
            return 200, {"Response": {"Error": {"Code": "InvalidAction"}, "RequestId": "x"}}
        data = json.loads(body)
        phone = data["PhoneNumberSet"][0]
        self.sent.append((phone, data["TemplateParamSet"][0]))
        return 200, {
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": "5000:1045710669157053657849499619",
                        "PhoneNumber": phone,
                        "Fee": 1,
                        "Code": "Ok",
                        "Message": "send success",
                    }
                ],
                "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
            }
        }
