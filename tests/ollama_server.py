"""A fake Ollama server for tests: Ollama's HTTP API on 127.0.0.1, behaving as a real server does.

    with FakeOllama() as server:                      # serves "llama3.2:latest"
        client = ollama.Client(host=server.url)
        server.fault = "cut"                          # next /api/chat breaks mid-stream

What it does like a real server (Ollama 0.6-0.12, read from its runner and routes):

- Tokens are real: the prompt is rendered with a chat template and counted with the SmolLM2
  tokenizer (the bundled GGUF's vocabulary, through llama.cpp); so are the answer's tokens.
- The window is `options.num_ctx`, else the model's Modelfile `num_ctx`, else the server default
  (`default_num_ctx`, 2048 as in many releases), capped by the model's context length.
- A longer prompt is cut silently at its START: its first `num_keep` (4) tokens and its end are kept
  and `prompt_eval_count` is what was read, i.e. the window. The model answers from what it read.
- `num_predict` counts tokens (thinking included); hitting it ends with `done_reason: "length"`.
- A model is loaded on first use and again whenever a request asks for another window, waiting
  `load_delay` seconds (reported as `load_duration`); `keep_alive: 0` unloads it after the answer.
  `/api/ps` lists what is loaded with its window (`context_length`).
- Names are tagged (`name:tag`, an untagged name means `:latest`); a missing model is a 404 with
  Ollama's own text.
- A thinking model (`FakeModel(thinking="field")`) sends its thoughts in `message.thinking` (Ollama
  >= 0.12.5) unless the request says `think: false`; `thinking="tags"` sends them inside the content
  as `<think>...</think>`, split across lines, as older servers do.

Faults apply to /api/chat only (the other endpoints keep answering, as a busy or failing runner does):

    "ok"               answer normally
    "http500"          HTTP 500 with {"error": server.error_text}
    "cut"              a few content lines, then the socket closes without the final line
    "no_done"          all content lines and a clean end of body, but no `done: true` line
    "malformed"        a few content lines, then a line that is not JSON
    "error_mid_stream" a few content lines, then {"error": ...} (what Ollama sends once streaming)
    "slow"             waits `server.delay` seconds before answering at all
    "hang_mid_stream"  a few content lines, then waits `server.delay` seconds and closes

The answer's pieces come from `responder(messages) -> Iterable[str]`, given the messages as the
model read them (one user message holding what was left after a cut); the default one,
`first_passage_responder`, answers from the first numbered passage it can see.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Iterator, Sequence

Responder = Callable[[Sequence[dict]], Iterable[str]]

FAULTS = ("ok", "http500", "cut", "no_done", "malformed", "error_mid_stream", "slow", "hang_mid_stream")
THOUGHT = "The user asks about the passages. Passage one seems to answer it, so I will quote it."


@dataclass(frozen=True)
class FakeModel:
    """A model the fake server has pulled."""

    name: str  # with its tag, e.g. "llama3.2:latest"
    context_length: int = 131072  # reported as "<family>.context_length" in model_info; caps the window
    num_ctx: int | None = None  # when set, listed in `parameters` as a Modelfile would: the default window
    family: str = "llama"
    parameter_size: str = "3.2B"
    quantization_level: str = "Q4_K_M"
    size: int = 2019393189
    thinking: str = ""  # "", "field" (message.thinking) or "tags" (<think>...</think> in the content)

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


# --------------------------------------------------------------------------- tokens


class _Vocab:
    """SmolLM2's tokenizer from the bundled GGUF (vocabulary only: no weights are loaded)."""

    _lock = threading.Lock()
    _llm = None

    @classmethod
    def _get(cls):
        with cls._lock:
            if cls._llm is None:
                from llama_cpp import Llama

                from rag.generators.llamacpp import bundled_gguf

                path = bundled_gguf()
                if path is None:
                    raise RuntimeError("the fake Ollama server counts tokens with the bundled SmolLM2 GGUF")
                cls._llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
            return cls._llm

    @classmethod
    def encode(cls, text: str) -> list[int]:
        return list(cls._get().tokenize(text.encode("utf-8"), add_bos=False, special=True))

    @classmethod
    def decode(cls, tokens: Sequence[int]) -> str:
        return cls._get().detokenize(list(tokens)).decode("utf-8", errors="ignore")


def render(messages: Sequence[dict]) -> str:
    """SmolLM2's chat template (ChatML), ending with the assistant's header as Ollama's templates do."""
    parts = [f"<|im_start|>{m.get('role', 'user')}\n{m.get('content') or ''}<|im_end|>\n" for m in messages]
    return "".join(parts) + "<|im_start|>assistant\n"


def count_tokens(messages: Sequence[dict]) -> int:
    """The tokens a model reads for these chat messages, template included."""
    return len(_Vocab.encode(render(messages)))


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
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and ln.strip() not in ("<<<", ">>>")]
    if len(lines) > 1 and not _SENTENCE_END.search(lines[0]):
        lines = lines[1:]
    flat = " ".join(" ".join(lines).split())
    for end in _SENTENCE_END.finditer(flat):
        rest = flat[end.end() :].lstrip()
        if not rest or not rest[0].islower():  # "U.S. officials" is one sentence
            return flat[: end.end()]
    return flat


def first_passage_responder(messages: Sequence[dict]) -> Iterator[str]:
    """Answer with the first sentence of the lowest-numbered passage it sees, then " [n]", a word at a time."""
    texts = [str(m.get("content") or "") for m in reversed(messages) if m.get("role") == "user"]
    texts += [str(m.get("content") or "") for m in messages if m.get("role") != "user"]
    answer = None
    for text in texts:
        passages = numbered_passages(text)
        if passages:
            n = min(passages)
            answer = f"{first_sentence(passages[n])} [{n}]"
            break
    if answer is None:
        question = " ".join((texts[0] if texts else "").split())[:80]
        answer = f"No numbered passages were given for: {question}"
    yield from re.findall(r"\s*\S+", answer)


# --------------------------------------------------------------------------- the server


def _now() -> str:
    return _rfc3339(datetime.now(timezone.utc))


def _rfc3339(t: datetime) -> str:
    # Go's RFC 3339 with nanoseconds, as Ollama writes it
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond * 1000:09d}Z"


_DURATION = re.compile(r"^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$")


def keep_alive_seconds(value: Any) -> float | None:
    """Ollama's keep_alive: a number of seconds or a Go duration ("5m"); negative: forever (None)."""
    if value is None or value == "":
        return 300.0  # the server default, 5 minutes
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value).strip())
        if not match:
            raise ValueError(f"time: invalid duration {value!r}")
        seconds = float(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]
    return None if seconds < 0 else seconds


@dataclass
class _Loaded:
    num_ctx: int
    expires_at: datetime | None  # None: kept loaded until the server stops


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
        elif self.path == "/api/ps":
            self._json(200, {"models": fake._ps_entries()})
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
        model = fake.find(name)
        if model is None:
            self._json(404, {"error": f'model "{name}" not found, try pulling it first'})
            return
        try:
            keep_alive = keep_alive_seconds(body.get("keep_alive"))
        except ValueError as exc:
            self._json(400, {"error": str(exc)})
            return
        fault = fake.fault
        if fault == "http500":
            self._json(500, {"error": fake.error_text})
            return
        if fault == "slow" and fake._stopping.wait(fake.delay):
            return

        options = body.get("options") or {}
        window = fake.window(model, options)
        load_seconds = fake._load(model, window)
        if fake._stopping.is_set():
            return
        read_tokens, seen = fake._read_prompt(body.get("messages") or [], window)
        think = model.thinking if body.get("think") is not False else ""
        content = list(fake.responder(seen))
        content, thought, done_reason = _apply_options(content, THOUGHT if think else "", options)
        stats = {
            "done_reason": done_reason,
            "done": True,
            "total_duration": int((load_seconds + 0.001 * (len(content) + 5)) * 1e9),
            "load_duration": int(load_seconds * 1e9),
            "prompt_eval_count": read_tokens,
            "prompt_eval_duration": 2_000_000,
            "eval_count": sum(len(_Vocab.encode(p)) for p in content + thought),
            "eval_duration": 1_000_000 * len(content),
        }
        if think == "tags":
            # older servers: the thoughts arrive as content, the tags split across lines
            content = ["<thi", "nk>\n", *thought, "\n</th", "ink>\n\n", *content] if thought else content
            thought = []
        head = {"model": name}
        # the server's state changes before the final line goes out, so a test that has read the
        # whole answer sees it (a real server does this right after, in another goroutine)
        if fault in ("ok", "slow") or not body.get("stream", True):
            fake._finish(model, keep_alive, stats)
        try:
            if not body.get("stream", True):
                message = {"role": "assistant", "content": "".join(content)}
                if thought:
                    message["thinking"] = "".join(thought)
                self._json(200, {**head, "created_at": _now(), "message": message, **stats})
                return
            self._stream(head, content, thought, stats, fault)
        finally:
            if keep_alive == 0:
                fake._unload(model)

    def _stream(self, head: dict, content: list[str], thought: list[str], stats: dict, fault: str) -> None:
        fake = self.server.fake
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in thought:
            self._line({**head, "created_at": _now(), "message": {"role": "assistant", "content": "", "thinking": piece},
                        "done": False})
        for i, piece in enumerate(content):
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
            self._chunk(b'{"model":"' + head["model"].encode() + b'","created_at":\n')
        elif fault == "error_mid_stream":
            self._line({"error": fake.error_text})
        elif fault != "no_done":
            self._line({**head, "created_at": _now(), "message": {"role": "assistant", "content": ""}, **stats})
        self._chunk(b"")  # end of the chunked body


def _apply_options(content: list[str], thought: str, options: dict) -> tuple[list[str], list[str], str]:
    """Honour `stop` and `num_predict` the way Ollama does: thinking tokens count against the limit."""
    stops = [s for s in options.get("stop") or [] if s]
    if stops:
        text = "".join(content)
        cut = min((text.find(s) for s in stops if s in text), default=-1)
        if cut >= 0:
            kept, total = [], 0
            for p in content:
                if total + len(p) > cut:
                    if cut > total:
                        kept.append(p[: cut - total])
                    break
                kept.append(p)
                total += len(p)
            content = kept
    thought_pieces = re.findall(r"\s*\S+", thought)
    limit = options.get("num_predict")
    if not isinstance(limit, int) or limit <= 0:  # 0 and -1: no limit, as in Ollama's runner
        return content, thought_pieces, "stop"
    out: dict[str, list[str]] = {"thought": [], "content": []}
    budget = limit
    for kind, pieces in (("thought", thought_pieces), ("content", content)):
        for piece in pieces:
            tokens = _Vocab.encode(piece)
            if len(tokens) > budget:
                if budget:
                    out[kind].append(_Vocab.decode(tokens[:budget]))
                return out["content"], out["thought"], "length"
            budget -= len(tokens)
            out[kind].append(piece)
    return out["content"], out["thought"], "stop"


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
        default_num_ctx: int = 2048,
        num_keep: int = 4,
        load_delay: float = 0.0,
    ):
        self.models = [m if isinstance(m, FakeModel) else FakeModel(with_tag(m)) for m in models]
        self.fault = fault
        self.responder = responder
        self.delay = delay  # how long "slow" and "hang_mid_stream" wait; longer than the client timeout
        self.fault_after = fault_after  # content lines sent before a mid-stream fault
        self.error_text = error_text
        self.version = version
        self.default_num_ctx = default_num_ctx  # the window when neither the request nor the Modelfile sets one
        self.num_keep = num_keep  # tokens kept from the start of a cut prompt (Ollama's default num_keep)
        self.load_delay = load_delay  # seconds a model takes to load
        self.loads = 0  # how many times a model was loaded (or reloaded for another window)
        self.finals: list[dict] = []  # the stats of every answer that ended normally, in order
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, JSON body)
        self._loaded: dict[str, _Loaded] = {}
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
        self._stopping.set()  # wakes "slow", "hang_mid_stream" and loading handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None
        with self._lock:
            self._loaded.clear()

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
        self._unload(FakeModel(with_tag(name)))

    def chat_requests(self) -> list[dict]:
        with self._lock:
            return [body for method, path, body in self.requests if path == "/api/chat"]

    def loaded(self) -> dict[str, int]:
        """{model name: window} of the models in memory now."""
        with self._lock:
            self._expire()
            return {name: entry.num_ctx for name, entry in self._loaded.items()}

    def window(self, model: FakeModel, options: dict) -> int:
        """The window a request runs in: num_ctx sent, else the Modelfile's, else the default; capped."""
        asked = options.get("num_ctx")
        if not isinstance(asked, int) or asked <= 0:
            asked = model.num_ctx or self.default_num_ctx
        return min(asked, model.context_length)  # "requested context size too large for model"

    def _read_prompt(self, messages: Sequence[dict], window: int) -> tuple[int, list[dict]]:
        """(tokens read, the messages as the model saw them): a prompt longer than the window loses its start."""
        tokens = _Vocab.encode(render(messages))
        if len(tokens) <= window:
            return len(tokens), list(messages)
        keep = min(self.num_keep, window - 1)
        kept = tokens[:keep] + tokens[len(tokens) - (window - keep):]
        return len(kept), [{"role": "user", "content": _Vocab.decode(kept)}]

    def _load(self, model: FakeModel, window: int) -> float:
        """Seconds spent loading: a model not in memory, or in memory with another window, is (re)loaded."""
        with self._lock:
            self._expire()
            current = self._loaded.get(model.name)
            if current is not None and current.num_ctx == window:
                return 0.0
            self.loads += 1
            self._loaded[model.name] = _Loaded(window, None)
        self._stopping.wait(self.load_delay)
        return self.load_delay

    def _finish(self, model: FakeModel, keep_alive: float | None, stats: dict) -> None:
        with self._lock:
            self.finals.append(stats)
            entry = self._loaded.get(model.name)
            if keep_alive == 0:
                self._loaded.pop(model.name, None)
            elif entry is not None:
                entry.expires_at = None if keep_alive is None else (
                    datetime.now(timezone.utc) + timedelta(seconds=keep_alive))

    def _unload(self, model: FakeModel) -> None:
        with self._lock:
            self._loaded.pop(model.name, None)

    def _expire(self) -> None:
        now = datetime.now(timezone.utc)
        for name in [n for n, e in self._loaded.items() if e.expires_at is not None and e.expires_at <= now]:
            del self._loaded[name]

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

    def _ps_entries(self) -> list[dict]:
        with self._lock:
            self._expire()
            loaded = dict(self._loaded)
        out = []
        for name, entry in loaded.items():
            m = self.find(name) or FakeModel(name)
            expires = entry.expires_at or datetime.now(timezone.utc) + timedelta(days=365 * 290)  # Go's max time
            out.append({
                **self._tag_entry(m),
                "expires_at": _rfc3339(expires),
                "size_vram": 0,
                "context_length": entry.num_ctx,
            })
        return out

    def _show_entry(self, m: FakeModel) -> dict:
        params = ['stop                           "<|im_start|>"', 'stop                           "<|im_end|>"']
        if m.num_ctx is not None:
            params.append(f"num_ctx                        {m.num_ctx}")
        capabilities = ["completion", "tools"] + (["thinking"] if m.thinking else [])
        return {
            "license": "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT",
            "modelfile": f"# Modelfile generated by \"ollama show\"\nFROM {m.name}\n",
            "parameters": "\n".join(params),
            "template": "{{ range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n",
            "details": self._details(m),
            "model_info": {
                "general.architecture": m.family,
                "general.file_type": 15,
                "general.parameter_count": 3212749888,
                f"{m.family}.context_length": m.context_length,
                f"{m.family}.embedding_length": 3072,
                f"{m.family}.block_count": 28,
            },
            "capabilities": capabilities,
            "modified_at": "2024-10-01T12:00:00.123456789-07:00",
        }

