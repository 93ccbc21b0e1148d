"""fakeclient.py: what the Python checks of tests/fakeapi.py share (the
scripts in provider_fake.sh and fake_strict.sh): a JSON HTTP call, a
check that prints ok/FAIL, the test keys.  U is the fake's base URL,
taken from argv[1]."""
import json
import sys
import urllib.error
import urllib.request

U = sys.argv[1] if len(sys.argv) > 1 else ""
OK = {"Authorization": "Bearer sk-test-fake"}
G = {"x-goog-api-key": "gm-test-fake"}


def call(method, path, body=None, headers=None, raw=False):
    """(status, headers, JSON body or raw bytes) of one request to the fake."""
    h = dict(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    rq = urllib.request.Request(U + path, data=data, method=method, headers=h)
    try:
        r = urllib.request.urlopen(rq, timeout=30)
        st, hd, b = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        st, hd, b = e.code, e.headers, e.read()
    return st, hd, (b if raw else (json.loads(b) if b else None))


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)
