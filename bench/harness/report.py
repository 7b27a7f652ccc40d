#!/usr/bin/python3
"""Collects one run of the side-by-side benchmark into JSON, Markdown and a PNG plot.

    report.py --work-dir W --out-dir OUT [--stamp STAMP] [--label TEXT]

Reads what bench/harness/run.sh left in W (see run.sh for the layout), recomputes every
single-threaded latency figure from the per-query result files with one piece of code
(nearest-rank percentiles, so all systems are summarised alike), scores the known-item set
(MRR@10, success@10), and writes OUT/bench-STAMP.json, OUT/bench-STAMP.md and
OUT/bench-STAMP.png. Prints the Markdown table and the ratios (ours vs each peer, all from
this one run). Systems whose files are missing are reported under "not_measured".
"""
import argparse
import datetime
import json
import math
import os
import platform
import sys

SYSTEMS = [("busca", "Busca (in-process)"), ("busca_top10", "Busca (in-process, count to 10)"),
           ("busca_grpc", "Busca (gRPC)"), ("xapian", "Xapian 1.4 (in-process)"),
           ("xapian_count10k", "Xapian 1.4 (in-process, count to 10,000)"),
           ("postgres_fts", "PostgreSQL FTS (libpq)")]
# Like-for-like pairs of single-threaded passes, (ours, peer, ratio name prefix): both count the
# total exactly up to 10,000 matches, or both stop at the top 10 (Xapian's default estimates it).
SAME_WORK = [("busca", "xapian_count10k", "inprocess_count_to_10000"),
             ("busca_top10", "xapian", "inprocess_count_to_10")]


def load_json(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    rank = min(max(math.ceil(p / 100.0 * len(sorted_values)), 1), len(sorted_values))
    return sorted_values[rank - 1]


def summarize(latencies):
    s = sorted(latencies)
    total = sum(s)
    return {"queries": len(s), "mean_us": total / len(s) if s else 0, "p50_us": percentile(s, 50),
            "p95_us": percentile(s, 95), "p99_us": percentile(s, 99), "max_us": s[-1] if s else 0,
            # One thread: queries per second of query time (warm-up excluded).
            "qps": len(s) / (total / 1e6) if total else 0}


def round_files(d):
    """The extra rounds' per-query files of a system (queries-r2.tsv, queries-r3.tsv, ...), in order."""
    found = []
    for name in os.listdir(d):
        if name.startswith("queries-r") and name.endswith(".tsv") and name[9:-4].isdigit():
            found.append((int(name[9:-4]), os.path.join(d, name)))
    return [path for _, path in sorted(found)]


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def merge_rounds(rounds):
    """{index: (ids of the first round, median latency over the rounds that ran the query)}."""
    out = {}
    for i, (ids, _) in rounds[0].items():
        out[i] = (ids, median([r[i][1] for r in rounds if i in r]))
    return out


def read_results(path):
    """Parses a `query_index<TAB>id1,id2,...<TAB>latency_us` file into {index: (ids, us)}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}:{n}: expected 3 tab-separated fields, got {len(parts)}")
            ids = [x for x in parts[1].split(",") if x]
            out[int(parts[0])] = (ids, float(parts[2]))
    return out


def machine_info():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    # The machine is shared: record how busy it was, so a reader can judge the absolute figures
    # (the ratios are measured side by side in the same run and suffer alike).
    return {"cores": os.cpu_count(), "cpu_model": model, "memory_bytes": mem,
            "kernel": platform.release(), "hostname": platform.node(),
            "load_average_at_report": [round(x, 2) for x in os.getloadavg()]}


def index_size_busca(index_dir):
    """Sizes of the live generation of every collection, split by file kind (FORMAT.md)."""
    kinds = {".terms": "term_dictionary", ".postings": "postings", ".positions": "positions",
             ".surface": "surface_dictionary", ".stored": "stored", ".columns": "columns",
             ".lengths": "columns", ".ids": "columns", ".deletes": "columns"}
    split = {k: 0 for k in ["term_dictionary", "postings", "positions", "surface_dictionary",
                            "stored", "columns", "other"]}
    per_collection = {}
    if not index_dir or not os.path.isdir(index_dir):
        return None
    for coll in sorted(os.listdir(index_dir)):
        current = os.path.join(index_dir, coll, "CURRENT")
        if not os.path.isfile(current):
            continue
        with open(current, encoding="utf-8") as f:
            gen = os.path.join(index_dir, coll, f.read().strip())
        total = 0
        for name in os.listdir(gen):
            path = os.path.join(gen, name)
            if not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            kind = next((v for k, v in kinds.items() if name.endswith(k)), "other")
            split[kind] += size
            total += size
        per_collection[coll] = {"generation": os.path.basename(gen), "bytes": total}
    if not per_collection:
        return None
    split["inverted"] = split["term_dictionary"] + split["postings"] + split["positions"]
    split["inverted_with_surface"] = split["inverted"] + split["surface_dictionary"]
    split["total"] = sum(split[k] for k in ["term_dictionary", "postings", "positions",
                                            "surface_dictionary", "stored", "columns", "other"])
    split["collections"] = per_collection
    return split


def known_item_scores(results, expected):
    rr, found, answered = 0.0, 0, 0
    for i, (_, doc_id) in expected.items():
        if i not in results:
            continue
        answered += 1
        ids = results[i][0][:10]
        if doc_id in ids:
            found += 1
            rr += 1.0 / (ids.index(doc_id) + 1)
    n = len(expected)
    return {"items": n, "answered": answered, "mrr_at_10": rr / n if n else 0,
            "success_at_10": found / n if n else 0}


def fmt_us(v):
    if v is None:
        return "–"
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def fmt_num(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def fmt_mb(b):
    return "–" if b is None else f"{b / 1e6:.1f} MB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--stamp", default=datetime.datetime.utcnow().strftime("%Y-%m-%d-%H%M"))
    ap.add_argument("--label", default="")
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args()
    w = args.work_dir
    not_measured = []
    skipped = os.path.join(w, "skipped.tsv")
    if os.path.exists(skipped):
        with open(skipped, encoding="utf-8") as f:
            for line in f:
                what, _, why = line.rstrip("\n").partition("\t")
                if what:
                    not_measured.append({"what": what, "why": why})

    dataset = load_json(os.path.join(w, "dataset.json")) or {}
    raw_text = dataset.get("raw_text_bytes") or 0
    vocab = load_json(os.path.join(w, "querylog", "vocabulary.json")) or {}
    kinds = {}
    kinds_path = os.path.join(w, "querylog", "queries.kinds.tsv")
    if os.path.exists(kinds_path):
        with open(kinds_path, encoding="utf-8") as f:
            for line in f:
                i, _, k = line.rstrip("\n").partition("\t")
                kinds[int(i)] = k
    expected = {}
    known_path = os.path.join(w, "querylog", "known-items.tsv")
    if os.path.exists(known_path):
        with open(known_path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                expected[int(parts[0])] = (parts[1], parts[2])
    n_queries = len(kinds)

    systems = {}
    latencies = {}
    for key, label in SYSTEMS:
        d = os.path.join(w, key)
        s = {"label": label}
        build = load_json(os.path.join(d, "build.json"))
        if build:
            s["build"] = build
        q_path = os.path.join(d, "queries.tsv")
        if os.path.exists(q_path):
            # Several rounds (run.sh --rounds): each query's latency is its median over them.
            rounds = [read_results(q_path)] + [read_results(f) for f in round_files(d)]
            res = merge_rounds(rounds)
            lat = [us for _, us in res.values()]
            latencies[key] = lat
            s["single"] = summarize(lat)
            s["single"]["rounds"] = len(rounds)
            if len(rounds) > 1:
                s["single_by_round"] = [summarize([us for _, us in r.values()]) for r in rounds]
            s["single"]["zero_hit_share"] = sum(1 for ids, _ in res.values() if not ids) / max(len(res), 1)
            if n_queries and len(res) != n_queries:
                s["single"]["warning"] = f"{len(res)} results for {n_queries} queries"
            by_kind = {}
            for i, (_, us) in res.items():
                by_kind.setdefault(kinds.get(i, "unknown"), []).append(us)
            s["single_by_kind"] = {k: summarize(v) for k, v in sorted(by_kind.items())}
        k_path = os.path.join(d, "known.tsv")
        if os.path.exists(k_path) and expected:
            s["known_items"] = known_item_scores(read_results(k_path), expected)
        query = load_json(os.path.join(d, "query.json"))
        if query and query.get("throughput"):
            s["throughput"] = query["throughput"]
        if key == "busca_grpc" and os.path.isdir(d):
            runs = []
            for name in sorted(os.listdir(d)):
                if name.startswith("load_gen-c") and name.endswith(".json"):
                    j = load_json(os.path.join(d, name))
                    runs.append({"threads": j["concurrency"], "queries": j["requests"], "errors": j["errors"],
                                 "wall_seconds": j["seconds"], "qps": j["qps"], "p50_us": j["p50_us"],
                                 "p95_us": j["p95_us"], "p99_us": j["p99_us"], "max_us": j["max_us"],
                                 "connections": j.get("connections"), "errors_by_code": j.get("errors_by_code")})
            if runs:
                s["throughput"] = sorted(runs, key=lambda r: r["threads"])
        if key == "busca":
            size = index_size_busca(os.path.join(w, "busca-index"))
            if size:
                s["size"] = size
        same = load_json(os.path.join(d, "same-queries.json")) if key == "busca_grpc" else None
        if same and same.get("requests"):
            # One client, one pass over exactly the queries of PostgreSQL's single-threaded pass:
            # the served comparison's pair.
            s["single"] = {"queries": same["requests"], "errors": same["errors"], "qps": same["qps"],
                           "p50_us": same["p50_us"], "p95_us": same["p95_us"], "p99_us": same["p99_us"],
                           "max_us": same["max_us"],
                           "source": "load_gen --concurrency 1, one pass over PostgreSQL's queries (round trip)"}
        if key == "busca_grpc" and "single" not in s:
            one = [t for t in s.get("throughput", []) if t["threads"] == 1]
            if one:
                s["single"] = {k: one[0][k] for k in ("queries", "qps", "p50_us", "p95_us", "p99_us", "max_us")}
                s["single"]["source"] = "load_gen --concurrency 1 (round trip, cycling the log)"
        if len(s) > 1:
            systems[key] = s
    for key, label in SYSTEMS:
        if key not in systems and not any(n["what"].split(" ")[0] == key for n in not_measured):
            not_measured.append({"what": label, "why": "no result files (see the harness log)"})

    # Uniform size and build figures per system.
    def build_seconds(key):
        b = systems.get(key, {}).get("build")
        if not b:
            return None
        return b.get("build_seconds", b.get("wall_seconds"))

    def inverted_bytes(key):
        s = systems.get(key, {})
        if key == "busca" and "size" in s:
            return s["size"]["inverted_with_surface"]
        b = s.get("build") or {}
        if key == "xapian":
            return b.get("inverted_bytes")
        if key == "postgres_fts":
            return b.get("index_bytes")
        return None

    def single(key, field):
        return systems.get(key, {}).get("single", {}).get(field)

    def qps_at(key, threads):
        for t in systems.get(key, {}).get("throughput", []):
            if t.get("threads") == threads:
                return t.get("qps")
        return None

    def tp(key, threads, field):
        for t in systems.get(key, {}).get("throughput", []):
            if t.get("threads") == threads:
                return t.get(field)
        return None

    def mrr(key):
        return systems.get(key, {}).get("known_items", {}).get("mrr_at_10")

    ratios = {}

    def ratio(name, ours, peer, lower_is_better):
        if ours is None or peer is None or ours == 0 or peer == 0:
            return
        r = ours / peer
        ratios[name] = {"ours": ours, "peer": peer, "ours_over_peer": r,
                        "advantage": (1 / r) if lower_is_better else r}

    live_rows = dataset.get("live_rows")
    busca_build = systems.get("busca", {}).get("build")
    if busca_build and live_rows:
        sec = busca_build.get("wall_seconds")
        busca_build["docs_per_second"] = live_rows / sec if sec else None
        busca_build["mb_per_second"] = raw_text / 1e6 / sec if sec else None
    for peer in ("xapian", "postgres_fts"):
        ratio(f"build_seconds_vs_{peer}", build_seconds("busca"), build_seconds(peer), True)
        ratio(f"index_bytes_vs_{peer}", inverted_bytes("busca"), inverted_bytes(peer), True)
        ratio(f"mrr_at_10_vs_{peer}", mrr("busca"), mrr(peer), False)
    for field in ("p50_us", "p99_us"):
        ratio(f"inprocess_{field}_vs_xapian", single("busca", field), single("xapian", field), True)
        ratio(f"inprocess_{field}_vs_postgres_fts", single("busca", field), single("postgres_fts", field), True)
        # The like-for-like pairs: Xapian's get_mset(0, 10) only estimates the total
        # (check_at_least = 0), so our pass counting only to 10 is its peer; Xapian with
        # check_at_least 10000 is the peer of our default pass.
        for ours, peer, name in SAME_WORK:
            ratio(f"{name}_{field}_vs_{peer}", single(ours, field), single(peer, field), True)
    # The same ratios round by round (each round's passes ran back to back): how far they move.
    by_round = {}
    for ours, peer, name in [("busca", "xapian", "inprocess")] + SAME_WORK:
        a = systems.get(ours, {}).get("single_by_round", [])
        b = systems.get(peer, {}).get("single_by_round", [])
        if a and len(a) == len(b):
            for field in ("p50_us", "p99_us"):
                by_round[f"{name}_{field}_vs_{peer}"] = [y[field] / x[field] for x, y in zip(a, b) if x[field]]
    # Served, as the caller sees it: one client each, the same queries (PostgreSQL's pass).
    for field in ("p50_us", "p99_us"):
        ratio(f"served_{field}_vs_postgres_fts", single("busca_grpc", field), single("postgres_fts", field), True)
    for threads in (1, 2, 8, 64):
        ratio(f"served_qps_{threads}_vs_postgres_fts", qps_at("busca_grpc", threads), qps_at("postgres_fts", threads), False)
        ratio(f"served_p50_us_{threads}_vs_postgres_fts", tp("busca_grpc", threads, "p50_us"), tp("postgres_fts", threads, "p50_us"), True)
        ratio(f"served_p99_us_{threads}_vs_postgres_fts", tp("busca_grpc", threads, "p99_us"), tp("postgres_fts", threads, "p99_us"), True)
        ratio(f"inprocess_qps_{threads}_vs_xapian", qps_at("busca", threads), qps_at("xapian", threads), False)

    result = {
        "date": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z",
        "label": args.label,
        "machine": machine_info(),
        "dataset": dataset,
        "query_log": {"queries": n_queries, "known_items": len(expected), **vocab},
        "systems": systems,
        "advantage_by_round": by_round,
        "ratios": ratios,
        "not_measured": not_measured,
    }

    # ---- Markdown ----
    cols = [k for k, _ in SYSTEMS if k in systems]
    head = "| | " + " | ".join(systems[k]["label"] for k in cols) + " |"
    sep = "|---" * (len(cols) + 1) + "|"
    lines = [f"### Side-by-side benchmark, {result['date']}" + (f" ({args.label})" if args.label else ""),
             "",
             f"Machine: {result['machine']['cores']} cores, {result['machine']['cpu_model']}, "
             f"{result['machine']['memory_bytes'] / 2**30:.0f} GiB, load average "
             f"{result['machine']['load_average_at_report'][2]:.1f} (15 min, shared machine). Data: {fmt_num(dataset.get('live_rows'))} live rows "
             f"of {fmt_num(dataset.get('rows'))}, {raw_text / 1e6:.1f} MB of indexed text; "
             f"{n_queries:,} queries, {len(expected):,} known items.", "", head, sep]

    def row(name, fn):
        lines.append(f"| {name} | " + " | ".join(fn(k) for k in cols) + " |")

    def build_cell(k):
        b = systems[k].get("build")
        if not b:
            return "(same index)" if k in ("busca_grpc", "busca_top10", "xapian_count10k") else "–"
        sec = b.get("build_seconds", b.get("wall_seconds"))
        return f"{sec:.2f} s" if sec is not None else "–"

    row("Index build", build_cell)
    row("Build docs/s", lambda k: fmt_num((systems[k].get("build") or {}).get("docs_per_second")))
    row("Build MB/s of text", lambda k: fmt_num((systems[k].get("build") or {}).get("mb_per_second"), 1))
    row("Peak RSS of the build", lambda k: fmt_mb((systems[k].get("build") or {}).get("peak_rss_bytes")))

    def size_cell(k):
        b = inverted_bytes(k)
        if b is None:
            return "–"
        return f"{b / 1e6:.1f} MB ({100 * b / raw_text:.0f}% of text)" if raw_text else fmt_mb(b)

    row("Index size (inverted¹)", size_cell)
    row("p50 / p95, 1 thread", lambda k: f"{fmt_us(single(k, 'p50_us'))} / {fmt_us(single(k, 'p95_us'))}" if single(k, "p50_us") is not None else "–")
    row("p99 / max, 1 thread", lambda k: f"{fmt_us(single(k, 'p99_us'))} / {fmt_us(single(k, 'max_us'))}" if single(k, "p99_us") is not None else "–")
    row("Zero-hit queries", lambda k: f"{100 * single(k, 'zero_hit_share'):.0f}%" if single(k, "zero_hit_share") is not None else "–")
    for threads in (1, 2, 8, 64):
        row(f"QPS, {threads} client{'s' if threads > 1 else ''} (p99)",
            lambda k, t=threads: f"{fmt_num(qps_at(k, t))} ({fmt_us(tp(k, t, 'p99_us'))})" if qps_at(k, t) else "–")
    row("MRR@10 / success@10", lambda k: f"{systems[k]['known_items']['mrr_at_10']:.3f} / {100 * systems[k]['known_items']['success_at_10']:.0f}%" if "known_items" in systems[k] else "–")
    lines += ["",
              "¹ Busca: term dictionary + postings + positions + surface dictionary (stored fields and "
              "columns apart); Xapian: postlist + position tables; PostgreSQL: GIN indexes + the stored "
              "tsvector column. Latencies: in-process systems per query in the process; PostgreSQL and "
              "Busca gRPC as the client's round trip on loopback, one client each over the same "
              "queries (Busca gRPC's single-client pass runs exactly the queries of PostgreSQL's "
              "pass); the QPS rows are time-bounded runs cycling the log, which cover different "
              "queries per system. Busca counts the total exactly up to "
              "10,000 matches (Elasticsearch's default); \"count to 10\" is the same engine counting "
              "exactly only up to 10, like Xapian's get_mset(0, 10), which estimates the total; "
              "\"Xapian, count to 10,000\" is get_mset(0, 10, 10000) (check_at_least), exact up to "
              "10,000 like Busca's default; PostgreSQL ranks every match.", ""]
    # Single-threaded latency per kind of query, the in-process systems side by side.
    kind_cols = [k for k in ("busca", "busca_top10", "xapian", "xapian_count10k") if "single_by_kind" in systems.get(k, {})]
    if kind_cols:
        lines += ["| Kind (queries): p50 / p99, 1 thread | " + " | ".join(systems[k]["label"] for k in kind_cols) + " |",
                  "|---" * (len(kind_cols) + 1) + "|"]
        for kind in sorted({kd for k in kind_cols for kd in systems[k]["single_by_kind"]}):
            cells = []
            for k in kind_cols:
                v = systems[k]["single_by_kind"].get(kind)
                cells.append(f"{fmt_us(v['p50_us'])} / {fmt_us(v['p99_us'])}" if v else "–")
            n = systems[kind_cols[0]]["single_by_kind"].get(kind, {}).get("queries", 0)
            lines.append(f"| {kind} ({n:,}) | " + " | ".join(cells) + " |")
        lines.append("")
    if ratios:
        lines += ["| Ratio (same run) | Busca | Peer | Busca ÷ peer | Busca's advantage |", "|---|---|---|---|---|"]
        for name, r in ratios.items():
            lines.append(f"| {name} | {r['ours']:,.3g} | {r['peer']:,.3g} | {r['ours_over_peer']:.3f} | {r['advantage']:.1f}× |")
        lines.append("")
    if by_round:
        rounds = len(next(iter(by_round.values())))
        lines.append(f"Single-threaded figures: each query's median latency over {rounds} rounds run back to back "
                     "(run.sh --rounds). Busca's advantage over Xapian in each round alone:")
        lines.append("")
        for name, values in by_round.items():
            lines.append(f"- {name}: " + ", ".join(f"{v:.1f}×" for v in values))
        lines.append("")
    if not_measured:
        lines.append("Not measured: " + "; ".join(f"{n['what']} ({n['why']})" for n in not_measured))
        lines.append("")
    markdown = "\n".join(lines)

    os.makedirs(args.out_dir, exist_ok=True)
    base = os.path.join(args.out_dir, f"bench-{args.stamp}")
    if not args.no_plot and latencies:
        try:
            plot(latencies, systems, base + ".png")
            result["plot"] = os.path.basename(base + ".png")
            markdown += f"\n![Latency distributions](bench-{args.stamp}.png)\n"
        except ImportError as e:
            result["not_measured"].append({"what": "plot", "why": f"matplotlib missing ({e})"})
    with open(base + ".json", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    with open(base + ".md", "w", encoding="utf-8") as f:
        f.write(markdown)
    print(markdown)
    print(f"report: wrote {base}.json, {base}.md" + (", .png" if "plot" in result else ""), file=sys.stderr)


def plot(latencies, systems, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    for key, lat in latencies.items():
        s = sorted(lat)
        n = len(s)
        ax1.plot([max(v, 1.0) for v in s], [(i + 1) / n for i in range(n)], label=systems[key]["label"])
    ax1.set_xscale("log")
    ax1.set_xlabel("top-10 latency, one thread (µs, log scale)")
    ax1.set_ylabel("share of queries at or below")
    ax1.set_title("Latency distribution over the query log")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend()
    for key, s in systems.items():
        t = sorted(s.get("throughput", []), key=lambda x: x["threads"])
        if t:
            ax2.plot([x["threads"] for x in t], [x["qps"] for x in t], marker="o", label=s["label"])
    ax2.set_xscale("log", base=2)
    ax2.set_yscale("log")
    ticks = sorted({x["threads"] for s in systems.values() for x in s.get("throughput", [])})
    if ticks:
        ax2.set_xticks(ticks)
        ax2.set_xticklabels([str(t) for t in ticks])
    ax2.set_xlabel("concurrent clients")
    ax2.set_ylabel("queries per second (log scale)")
    ax2.set_title("Throughput")
    ax2.grid(True, which="both", alpha=0.3)
    if ax2.get_legend_handles_labels()[0]:
        ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
