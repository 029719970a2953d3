"""A fake Ollama server for tests: the real HTTP API on 127.0.0.1, with switchable faults.

    with FakeOllama() as server:                      # serves "llama3.2:latest"
        client = ollama.Client(host=server.url)
        server.fault = "cut"                          # next /api/chat breaks mid-stream

Faults apply to /api/chat only (the other endpoints keep answering, as a busy or failing
runner does on a real server):

    "ok"               answer normally
    "http500"          HTTP 500 with {"error": server.error_text}
    "cut"              a few content lines, then the socket closes without the final line
    "no_done"          all content lines and a clean end of body, but no `done: true` line
    "malformed"        a few content lines, then a line that is not JSON
    "error_mid_stream" a few content lines, then {"error": ...} (what Ollama sends once streaming)
    "slow"             waits `server.delay` seconds before answering at all
    "hang_mid_stream"  a few content lines, then waits `server.delay` seconds and closes

The answer's pieces come from `responder(messages) -> Iterable[str]`; the default one,
`first_passage_responder`, is deterministic and derived from the prompt.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Iterator, Sequence

Responder = Callable[[Sequence[dict]], Iterable[str]]

FAULTS = ("ok", "http500", "cut", "no_done", "malformed", "error_mid_stream", "slow", "hang_mid_stream")


@dataclass(frozen=True)
class FakeModel:
    """A model the fake server has pulled."""

    name: str  # with its tag, e.g. "llama3.2:latest"
    context_length: int = 131072  # reported as "<family>.context_length" in model_info
    num_ctx: int | None = None  # when set, listed in `parameters` as a Modelfile would
    family: str = "llama"
    parameter_size: str = "3.2B"
    quantization_level: str = "Q4_K_M"
    size: int = 2019393189

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.name.encode()).hexdigest()


def with_tag(name: str) -> str:
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def unused_url() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens: a server that is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --------------------------------------------------------------------------- the default responder

_MARKER = re.compile(r"^[ \t]*\[(\d+)\][ \t]*", re.M)
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s|$)")


def numbered_passages(text: str) -> dict[int, str]:
    """{n: text} for the passages that start a line with "[n]"."""
    marks = list(_MARKER.finditer(text))
    out: dict[int, str] = {}
    for mark, nxt in zip(marks, marks[1:] + [None]):
        out.setdefault(int(mark.group(1)), text[mark.end() : nxt.start() if nxt else len(text)].strip())
    return out


def first_sentence(text: str) -> str:
    """The first sentence of a passage, skipping a heading line that has no sentence end."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if len(lines) > 1 and not _SENTENCE_END.search(lines[0]):
        lines = lines[1:]
    flat = " ".join(" ".join(lines).split())
    for end in _SENTENCE_END.finditer(flat):
        rest = flat[end.end() :].lstrip()
        if not rest or not rest[0].islower():  # "U.S. officials" is one sentence
            return flat[: end.end()]
    return flat


def first_passage_responder(messages: Sequence[dict]) -> Iterator[str]:
    """Answer with the first sentence of passage [1] followed by " [1]", a word at a time."""
    texts = [str(m.get("content") or "") for m in reversed(messages) if m.get("role") == "user"]
    texts += [str(m.get("content") or "") for m in messages if m.get("role") != "user"]
    answer = None
    for text in texts:
        passage = numbered_passages(text).get(1)
        if passage:
            answer = f"{first_sentence(passage)} [1]"
            break
    if answer is None:
        question = " ".join((texts[0] if texts else "").split())[:80]
        answer = f"No numbered passages were given for: {question}"
    yield from re.findall(r"\s*\S+", answer)


# --------------------------------------------------------------------------- the server


def _now() -> str:
    # Go's RFC 3339 with nanoseconds, as Ollama writes it
    t = datetime.now(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond * 1000:09d}Z"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a handler that is "slow" on purpose
    fake: "FakeOllama"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streaming, like Ollama
    server_version = "FakeOllama"
    timeout = 10  # idle keep-alive connections give up on their own
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read server.requests
        pass

    # ---- plumbing

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json; charset=utf-8")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _line(self, obj: Any) -> None:
        self._chunk(json.dumps(obj).encode() + b"\n")

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw or b"{}")

    def _guard(self, method: Callable[[], None]) -> None:
        try:
            method()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test): nothing to tell it

    # ---- routes

    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._guard(self._get)

    def do_POST(self) -> None:
        self._guard(self._post)

    def _get(self) -> None:
        fake = self.server.fake
        fake._record("GET", self.path, None)
        if self.path == "/":
            self._send(200, b"Ollama is running", "text/plain; charset=utf-8")
        elif self.path == "/api/version":
            self._json(200, {"version": fake.version})
        elif self.path == "/api/tags":
            self._json(200, {"models": [fake._tag_entry(m) for m in fake.models]})
        else:
            self._send(404, b"404 page not found", "text/plain")

    def _post(self) -> None:
        fake = self.server.fake
        try:
            body = self._body()
        except ValueError as exc:
            fake._record("POST", self.path, None)
            self._json(400, {"error": f"invalid request body: {exc}"})
            return
        fake._record("POST", self.path, body)
        if self.path == "/api/show":
            self._show(body)
        elif self.path == "/api/chat":
            self._chat(body)
        else:
            self._send(404, b"404 page not found", "text/plain")

    def _show(self, body: dict) -> None:
        fake = self.server.fake
        name = body.get("model") or body.get("name") or ""
        model = fake.find(name)
        if model is None:
            self._json(404, {"error": f"model '{name}' not found"})
            return
        self._json(200, fake._show_entry(model))

    def _chat(self, body: dict) -> None:
        fake = self.server.fake
        name = body.get("model") or ""
        if not name:
            self._json(400, {"error": "model is required"})
            return
        if fake.find(name) is None:
            self._json(404, {"error": f'model "{name}" not found, try pulling it first'})
            return
        fault = fake.fault
        if fault == "http500":
            self._json(500, {"error": fake.error_text})
            return
        if fault == "slow" and fake._stopping.wait(fake.delay):
            return

        options = body.get("options") or {}
        pieces, done_reason = _apply_options(list(fake.responder(body.get("messages") or [])), options)
        head = {"model": name}
        if not body.get("stream", True):
            self._json(200, {**head, "created_at": _now(),
                             "message": {"role": "assistant", "content": "".join(pieces)},
                             **_final_stats(done_reason, len(pieces))})
            return

        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i, piece in enumerate(pieces):
            if i == fake.fault_after and fault in ("cut", "malformed", "error_mid_stream", "hang_mid_stream"):
                break
            self._line({**head, "created_at": _now(), "message": {"role": "assistant", "content": piece}, "done": False})
        if fault == "cut":
            self.close_connection = True  # no done line, no end of the chunked body
            return
        if fault == "hang_mid_stream":
            fake._stopping.wait(fake.delay)
            self.close_connection = True
            return
        if fault == "malformed":
            self._chunk(b'{"model":"' + name.encode() + b'","created_at":\n')
        elif fault == "error_mid_stream":
            self._line({"error": fake.error_text})
        elif fault != "no_done":
            self._line({**head, "created_at": _now(), "message": {"role": "assistant", "content": ""},
                        **_final_stats(done_reason, len(pieces))})
        self._chunk(b"")  # end of the chunked body


def _apply_options(pieces: list[str], options: dict) -> tuple[list[str], str]:
    """Honour `stop` and `num_predict` (a piece counts as a token) the way Ollama does."""
    stops = [s for s in options.get("stop") or [] if s]
    if stops:
        text = "".join(pieces)
        cut = min((text.find(s) for s in stops if s in text), default=-1)
        if cut >= 0:
            kept, total = [], 0
            for p in pieces:
                if total + len(p) > cut:
                    if cut > total:
                        kept.append(p[: cut - total])
                    break
                kept.append(p)
                total += len(p)
            pieces = kept
    limit = options.get("num_predict")
    if isinstance(limit, int) and 0 <= limit < len(pieces):
        return pieces[:limit], "length"
    return pieces, "stop"


def _final_stats(done_reason: str, n: int) -> dict:
    return {
        "done_reason": done_reason,
        "done": True,
        "total_duration": 1_000_000 * (n + 5),
        "load_duration": 1_000_000,
        "prompt_eval_count": 26,
        "prompt_eval_duration": 2_000_000,
        "eval_count": n,
        "eval_duration": 1_000_000 * n,
    }


class FakeOllama:
    """A fake Ollama server in a daemon thread; use as a context manager or start()/stop()."""

    def __init__(
        self,
        models: Iterable[FakeModel | str] = ("llama3.2:latest",),
        *,
        fault: str = "ok",
        responder: Responder = first_passage_responder,
        delay: float = 3.0,
        fault_after: int = 2,
        error_text: str = "llama runner process has terminated: signal: killed",
        version: str = "0.6.5",
    ):
        self.models = [m if isinstance(m, FakeModel) else FakeModel(with_tag(m)) for m in models]
        self.fault = fault
        self.responder = responder
        self.delay = delay  # how long "slow" and "hang_mid_stream" wait; longer than the client timeout
        self.fault_after = fault_after  # content lines sent before a mid-stream fault
        self.error_text = error_text
        self.version = version
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, JSON body)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def fault(self) -> str:
        return self._fault

    @fault.setter
    def fault(self, value: str) -> None:
        if value not in FAULTS:
            raise ValueError(f"unknown fault {value!r}; choose one of {', '.join(FAULTS)}")
        self._fault = value

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake Ollama server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeOllama":
        self._stopping.clear()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-ollama", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes "slow" and "hang_mid_stream" handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> "FakeOllama":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- state the handlers read

    def find(self, name: str) -> FakeModel | None:
        wanted = with_tag(name)
        return next((m for m in self.models if m.name == wanted), None)

    def remove(self, name: str) -> None:
        """Forget a model, as `ollama rm` would."""
        self.models = [m for m in self.models if m.name != with_tag(name)]

    def chat_requests(self) -> list[dict]:
        with self._lock:
            return [body for method, path, body in self.requests if path == "/api/chat"]

    def _record(self, method: str, path: str, body: Any) -> None:
        with self._lock:
            self.requests.append((method, path, body))

    def _details(self, m: FakeModel) -> dict:
        return {
            "parent_model": "",
            "format": "gguf",
            "family": m.family,
            "families": [m.family],
            "parameter_size": m.parameter_size,
            "quantization_level": m.quantization_level,
        }

    def _tag_entry(self, m: FakeModel) -> dict:
        return {
            "name": m.name,
            "model": m.name,
            "modified_at": "2024-10-01T12:00:00.123456789-07:00",
            "size": m.size,
            "digest": m.digest,
            "details": self._details(m),
        }

    def _show_entry(self, m: FakeModel) -> dict:
        params = [
            'stop                           "<|start_header_id|>"',
            'stop                           "<|end_header_id|>"',
            'stop                           "<|eot_id|>"',
        ]
        if m.num_ctx is not None:
            params.append(f"num_ctx                        {m.num_ctx}")
        return {
            "license": "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT",
            "modelfile": f"# Modelfile generated by \"ollama show\"\nFROM {m.name}\n",
            "parameters": "\n".join(params),
            "template": "{{ range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}",
            "details": self._details(m),
            "model_info": {
                "general.architecture": m.family,
                "general.file_type": 15,
                "general.parameter_count": 3212749888,
                f"{m.family}.context_length": m.context_length,
                f"{m.family}.embedding_length": 3072,
                f"{m.family}.block_count": 28,
            },
            "capabilities": ["completion", "tools"],
            "modified_at": "2024-10-01T12:00:00.123456789-07:00",
        }
