"""A tiny shop API for the demo capture: a few routes, every class of status code."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Shop(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real clients and servers

    def _send(self, status, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/api/products":
            self._send(200, [{"id": 1, "name": "kettle", "price": 25}, {"id": 2, "name": "mug", "price": 7}])
        elif path.startswith("/api/products/"):
            pid = path.rsplit("/", 1)[1]
            if pid in ("1", "2"):
                self._send(200, {"id": int(pid)})
            else:
                self._send(404, {"error": "no product " + pid})
        elif path == "/old-catalog":
            self._send(301, None, {"Location": "/api/products"})
        elif path == "/healthz":
            self._send(204)
        elif path == "/api/checkout/slow":
            self._send(503, {"error": "payment backend unavailable"}, {"Retry-After": "1"})
        elif path == "/api/crash":
            self._send(500, {"error": "NullPointerException in CartService"})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            order = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"error": "body is not JSON"})
            return
        if self.headers.get("Authorization") is None:
            self._send(401, {"error": "login first"})
        elif "items" not in order:
            self._send(422, {"error": "items missing"})
        else:
            self._send(201, {"order": 1001, "items": order["items"]})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Shop).serve_forever()
