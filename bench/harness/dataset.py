#!/usr/bin/python3
"""Describes the benchmark's dataset as every system will see it (side-by-side benchmark).

    dataset.py --database-url URL --schemas DIR --json OUT

For each collection schema in DIR (schemas/collections/*.json) it counts the table's rows and
live rows and sums the raw text bytes: octet_length of every `text` field's column over the
live rows, the denominator of "index size as % of raw text". Reading every text column once
also warms the OS cache before the first timed build, so no system pays for a cold cache alone.
"""
import argparse
import json
import os
import subprocess
import sys


def psql(url, sql):
    proc = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"dataset.py: {proc.stderr.strip()} (SQL: {sql})")
    return proc.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--schemas", required=True)
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    collections = {}
    names = sorted(n for n in os.listdir(args.schemas) if n.endswith(".json"))
    if not names:
        sys.exit(f"dataset.py: no collection schema in {args.schemas}")
    for name in names:
        with open(os.path.join(args.schemas, name), encoding="utf-8") as f:
            schema = json.load(f)
        src = schema["source"]
        text_cols = [fl["column"] for fl in schema["fields"] if fl.get("type") == "text"]
        text_sum = " + ".join(f'coalesce(octet_length("{c}"), 0)' for c in text_cols) or "0"
        live = src.get("live_condition") or "true"
        row = psql(args.database_url,
                   f"SELECT count(*), count(*) FILTER (WHERE {live}), "
                   f"coalesce(sum({text_sum}) FILTER (WHERE {live}), 0) FROM {src['table']}")
        rows, live_rows, text_bytes = (int(x) for x in row.split("|"))
        collections[schema["name"]] = {"table": src["table"], "rows": rows, "live_rows": live_rows,
                                       "text_columns": text_cols, "raw_text_bytes": text_bytes}
    out = {
        "collections": collections,
        "rows": sum(c["rows"] for c in collections.values()),
        "live_rows": sum(c["live_rows"] for c in collections.values()),
        "raw_text_bytes": sum(c["raw_text_bytes"] for c in collections.values()),
        "postgres_version": psql(args.database_url, "SHOW server_version"),
        "server_encoding": psql(args.database_url, "SHOW server_encoding"),
    }
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
    print(f"dataset: {out['live_rows']} live rows of {out['rows']}, "
          f"{out['raw_text_bytes'] / 1e6:.1f} MB of indexed text", file=sys.stderr)


if __name__ == "__main__":
    main()
