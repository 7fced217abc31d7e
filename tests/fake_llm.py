"""A small local HTTP server that speaks the Ollama (/api/chat) and OpenAI (/v1/chat/completions) chat
protocols, answering with a scripted function of the messages. Used to test those backends for real."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Script = Callable[[list[dict[str, Any]]], str]


def first_sentence_of_passage_1(messages: list[dict[str, Any]]) -> str:
    """A well-behaved model: restates the first sentence of passage 1 and cites it."""
    user = messages[-1]["content"]
    body = re.search(r'<passage n="1"[^>]*>\n(.*?)\n</passage>', user, re.S).group(1)
    first = re.split(r"(?<=[.!?])\s", body.strip())[0]
    return f"{first} [1]"


class FakeLLMServer:
    def __init__(self, script: Script = first_sentence_of_passage_1) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append({"path": self.path, "json": payload, "headers": dict(self.headers)})
                content = server.script(payload.get("messages", []))
                if self.path.endswith("/chat/completions"):
                    self._send(200, json.dumps(openai_reply(payload, content)).encode())
                elif self.path == "/api/chat":
                    if payload.get("stream", True):
                        lines = [ollama_chunk(payload, content, done=False), ollama_chunk(payload, "", done=True)]
                        self._send(200, "".join(json.dumps(x) + "\n" for x in lines).encode(), "application/x-ndjson")
                    else:
                        self._send(200, json.dumps(ollama_chunk(payload, content, done=True)).encode())
                else:
                    self._send(404, b'{"error": "not found"}')

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeLLMServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def openai_reply(payload: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": payload.get("model", "fake"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def ollama_chunk(payload: dict[str, Any], content: str, done: bool) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "model": payload.get("model", "fake"), "created_at": "2026-11-24T00:00:00Z",
        "message": {"role": "assistant", "content": content}, "done": done,
    }
    if done:
        chunk.update(done_reason="stop", total_duration=1, load_duration=1, prompt_eval_count=1,
                     prompt_eval_duration=1, eval_count=1, eval_duration=1)
    return chunk
