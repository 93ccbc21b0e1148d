"""fakeproxy.py: a loopback proxy in front of tests/fakeapi.py for the kill
campaigns (engine_crash.sh, engine_live_crash.sh) and the rewriting proxy
of security.sh.  It forwards every request to the fake and calls the test's
hooks: seen(method, path, body) before forwarding, route(method, path) for
the path to forward (default: the same), answered(method, path, body, code)
after the fake's answer came (whether or not the client, maybe killed,
still reads it), rewrite(method, routed_path, code, data) for the body the
client gets (default: the fake's).

  from fakeproxy import serve
  serve(UPSTREAM_URL, seen=..., answered=...)   # prints "PORT n", never returns
"""
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(up, seen=None, answered=None, route=None, rewrite=None):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *a):
            pass

        def fwd(self, method):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            if seen:
                seen(method, self.path, body)
            hd = {k: v for k, v in self.headers.items()
                  if k.lower() not in ("host", "content-length", "connection")}
            path = route(method, self.path) if route else self.path
            req = urllib.request.Request(up + path, data=body, headers=hd, method=method)
            try:
                r = urllib.request.urlopen(req, timeout=60)
                code, data, rh = r.status, r.read(), r.headers
            except urllib.error.HTTPError as e:
                code, data, rh = e.code, e.read(), e.headers
            except OSError:
                code, data, rh = 502, b'{"error":{"message":"proxy: upstream failed"}}', {}
            if answered:
                answered(method, self.path, body, code)
            if rewrite:
                data = rewrite(method, path, code, data)
            try:
                self.send_response(code)
                for k, v in rh.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client was killed

        def do_GET(self):
            self.fwd("GET")

        def do_POST(self):
            self.fwd("POST")

        def do_DELETE(self):
            self.fwd("DELETE")

    s = ThreadingHTTPServer(("127.0.0.1", 0), H)
    s.daemon_threads = True
    print("PORT %d" % s.server_address[1], flush=True)
    s.serve_forever()
