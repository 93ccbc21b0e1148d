#!/usr/bin/python3
"""store_anchor.py: the seed's state store (seed 000, "Batch State Management"):
batch_registry.json holds every batch and a file_registry of every file, and
each saved description rewrites it and the batch's descriptions.json (atomic:
temp file, fsync, rename).  Prints the median time of one save with N files
already registered, to set beside bench/bench_store.

    /usr/bin/python3 bench/store_anchor.py --files N [--saves S]
"""
import argparse, json, os, statistics, tempfile, time, shutil


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--per-batch", type=int, default=20)
    ap.add_argument("--saves", type=int, default=50)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="store_anchor.")
    try:
        reg = {"active_batches": {}, "completed_batches": [], "file_registry": {}}
        for i in range(a.files):
            b = "batch_%06d" % (i // a.per_batch)
            reg["file_registry"]["J:\\Foto\\2025\\IMG_%07d.JPG" % i] = b
        for b in range(0, (a.files + a.per_batch - 1) // a.per_batch):
            reg["completed_batches"].append({"batch_id": "batch_%06d" % b,
                                             "completed_at": "2025-01-02T00:00:00"})
        os.makedirs(os.path.join(d, "batches", "batch_new"))
        regp = os.path.join(d, "batch_registry.json")
        descp = os.path.join(d, "batches", "batch_new", "descriptions.json")
        t0 = time.monotonic()
        t_open = []
        write_json(regp, reg)
        for _ in range(3):
            t0 = time.monotonic()
            with open(regp, encoding="utf-8") as f:
                reg = json.load(f)
            t_open.append(time.monotonic() - t0)
        descs = {}
        times = []
        for i in range(a.saves):
            cesta = "J:\\Foto\\new\\IMG_%06d.JPG" % i
            t0 = time.monotonic()
            descs[cesta] = "Červený tramvajový vůz projíždí zasněženou ulicí starého města večer."
            reg["file_registry"][cesta] = "batch_new"
            reg["active_batches"]["batch_new"] = {"status": "collecting", "file_count": len(descs)}
            write_json(descp, descs)
            write_json(regp, reg)
            times.append(time.monotonic() - t0)
        print("files=%d open_median=%.1fms save_median=%.3fms" %
              (a.files, statistics.median(t_open) * 1e3, statistics.median(times) * 1e3))
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    main()
