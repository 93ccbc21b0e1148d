#!/usr/bin/python3
"""results_anchor.py: the origin's way of taking a batch result, for side by
side comparison with bench_results: the whole output file read into memory
through the Files API (as `client.files.content(id).text` does), split into
lines, every line and every answer decoded with json.loads.

usage: results_anchor.py URL FILE_ID [--runs R]    (URL: http://127.0.0.1:PORT)
       results_anchor.py --upload URL RESULTS.jsonl  (prints the file id)
Prints one line per run and the peak RSS of this process."""
import json, resource, sys, time, urllib.request, uuid

KEY = "sk-test-fake"


def upload(url, path):
    b = uuid.uuid4().hex
    data = open(path, "rb").read()
    body = (("--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
             "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"results.jsonl\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n") % (b, b)).encode() + data + ("\r\n--%s--\r\n" % b).encode()
    rq = urllib.request.Request(url + "/v1/files", data=body, method="POST", headers={
        "Authorization": "Bearer " + KEY, "Content-Type": "multipart/form-data; boundary=" + b})
    print(json.load(urllib.request.urlopen(rq))["id"])


def main():
    if sys.argv[1] == "--upload":
        return upload(sys.argv[2], sys.argv[3])
    url, fid = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--runs" else 3
    for r in range(runs):
        t0 = time.monotonic()
        rq = urllib.request.Request(url + "/v1/files/%s/content" % fid, headers={"Authorization": "Bearer " + KEY})
        text = urllib.request.urlopen(rq).read().decode("utf-8")
        t1 = time.monotonic()
        ok = kw = n = 0
        for line in text.strip().split("\n"):
            o = json.loads(line)
            n += 1
            if o.get("response") and o["response"]["status_code"] == 200:
                ok += 1
                meta = json.loads(o["response"]["body"]["choices"][0]["message"]["content"])
                kw += len(meta.get("keywords", []))
        t2 = time.monotonic()
        print("run %d lines %d ok %d download_s %.3f parse_s %.3f total_s %.3f lines_per_s %.0f" %
              (r + 1, n, ok, t1 - t0, t2 - t1, t2 - t0, n / (t2 - t0)))
        del text
    print("peak_rss_kb %d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    main()
