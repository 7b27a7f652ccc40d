#!/usr/bin/python3
"""Query-log and known-item generator for the side-by-side benchmark (issue #5).

Reads the live rows of the four source tables from PostgreSQL (through psql, so it needs
nothing beyond the Python standard library) and writes, with a fixed seed:

  OUT/queries.txt         the query log, one query per line (>= 5,000 by default)
  OUT/queries.kinds.tsv   query_index<TAB>kind, kind in: word1 word2 word3 cooc2 cooc3 phrase
                          prefix unaccented (so results can be split by kind)
  OUT/known-items.txt     the known-item queries, one per line
  OUT/known-items.tsv     query_index<TAB>collection<TAB>id<TAB>query (the expected document)
  OUT/vocabulary.json     vocabulary size, token count and the 20 most frequent words

The mix imitates a marketplace search box: word choice is Zipf-like over the data's own
vocabulary ranked by frequency (frequent words often, the long tail sometimes, plus a share
drawn uniformly from the tail so rare words are really there); multi-word queries are partly
words that co-occur in one document and partly independent picks (which often match nothing,
as real queries do); some quoted phrases cut from titles, some `prefix*` queries, and some
queries typed without accents ("acucar"). Known items take 2-4 content words, in order, from
one live document's title/name. Same database + same seed = byte-identical files.
"""
import argparse
import bisect
import collections
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import unicodedata

TABLES = [  # collection, table, title column, body column, live condition (= the schemas')
    ("posts", 'community."Post"', "title", "content", '"deletedAt" IS NULL'),
    ("products", 'marketplace."Product"', "name", "description", '"deletedAt" IS NULL AND "isActive"'),
    ("suppliers", 'marketplace."Supplier"', "name", "description", '"deletedAt" IS NULL'),
    ("courses", 'academy."Course"', "title", "description", '"deletedAt" IS NULL AND published'),
]
MAX_WORD_BYTES = 256  # longer words are not tokens (the analyzer's kMaxWordBytes): never searchable
WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
DEFAULT_STOP = "/usr/share/postgresql/15/tsearch_data/portuguese.stop"

# Share of each kind in the query log (sums to 1).
MIX = [("word1", 0.30), ("word2", 0.14), ("word3", 0.06), ("cooc2", 0.18), ("cooc3", 0.10),
       ("phrase", 0.08), ("prefix", 0.07), ("unaccented", 0.07)]


def fold(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def tokens(text):
    return [m.group(0).lower() for m in WORD.finditer(text)]


def read_rows(url, cap):
    csv.field_size_limit(sys.maxsize)
    rows = []
    for collection, table, title, body, live in TABLES:
        sql = (f"COPY (SELECT id, coalesce({title}, ''), coalesce({body}, '') FROM {table} "
               f"WHERE {live} ORDER BY id LIMIT {cap}) TO STDOUT (FORMAT csv)")
        proc = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"querylog: reading {table} failed: {proc.stderr.decode(errors='replace').strip()}")
        for rec in csv.reader(io.StringIO(proc.stdout.decode("utf-8"), newline="")):
            rows.append((collection, rec[0], rec[1], rec[2]))
    if not rows:
        sys.exit("querylog: the database holds no live row")
    return rows


class Zipf:
    """Samples ranks 0..n-1 with P(r) proportional to 1/(r+1)^s."""

    def __init__(self, n, s):
        self.cum = []
        total = 0.0
        for r in range(n):
            total += 1.0 / (r + 1) ** s
            self.cum.append(total)
        self.total = total

    def sample(self, rng):
        return min(bisect.bisect_left(self.cum, rng.random() * self.total), len(self.cum) - 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required="DATABASE_URL" not in os.environ)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--queries", type=int, default=5000)
    ap.add_argument("--known-items", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--zipf", type=float, default=1.0, help="exponent of the word-rank distribution")
    ap.add_argument("--max-rows-per-table", type=int, default=200000,
                    help="read at most this many live rows per table (ordered by id)")
    ap.add_argument("--stopwords", default=DEFAULT_STOP)
    args = ap.parse_args()

    with open(args.stopwords, encoding="utf-8") as f:
        stop = {w.strip() for w in f if w.strip()}
    rows = read_rows(args.database_url, args.max_rows_per_table)
    rng = random.Random(args.seed)

    freq = collections.Counter()
    doc_words = []     # content words of each document (title + body), deduplicated, in order
    title_tokens = []  # all tokens of each title, stopwords included
    for _, _, title, body in rows:
        t = tokens(title)
        b = tokens(body)
        title_tokens.append(t)
        words = [w for w in t + b if w not in stop and len(w) > 1 and not w.isdigit() and len(w.encode()) <= MAX_WORD_BYTES]
        freq.update(words)
        doc_words.append(list(dict.fromkeys(words)))
    vocab = sorted(freq, key=lambda w: (-freq[w], w))
    if len(vocab) < 10:
        sys.exit(f"querylog: vocabulary too small ({len(vocab)} words)")
    zipf = Zipf(len(vocab), args.zipf)
    tail = [w for w in vocab[len(vocab) // 10:] if freq[w] >= 2] or vocab
    accented = [w for w in vocab[:20000] if fold(w) != w]

    def pick_word():
        if rng.random() < 0.2:
            return rng.choice(tail)
        return vocab[zipf.sample(rng)]

    def pick_doc(min_words):
        for _ in range(1000):
            i = rng.randrange(len(rows))
            if len(doc_words[i]) >= min_words:
                return i
        return None

    def make(kind):
        if kind in ("word1", "word2", "word3"):
            n = int(kind[-1])
            words = []
            while len(words) < n:
                w = pick_word()
                if w not in words:
                    words.append(w)
            return " ".join(words)
        if kind in ("cooc2", "cooc3"):
            n = int(kind[-1])
            i = pick_doc(n)
            if i is None:
                return None
            # Prefer the document's more frequent words, as people search for common things.
            cand = sorted(doc_words[i], key=lambda w: -freq[w])[:12]
            return " ".join(rng.sample(cand, min(n, len(cand))))
        if kind == "phrase":
            for _ in range(100):
                t = title_tokens[rng.randrange(len(rows))]
                n = rng.choice((2, 2, 3))
                if len(t) < n:
                    continue
                start = rng.randrange(len(t) - n + 1)
                span = t[start:start + n]
                if all(w in stop for w in span):
                    continue
                return '"' + " ".join(span) + '"'
            return None
        if kind == "prefix":
            for _ in range(100):
                w = pick_word()
                if len(w) >= 5 and "-" not in w:  # a prefix is one word (x-tudo is a phrase)
                    return w[:rng.randint(3, len(w) - 1)] + "*"
            return None
        if kind == "unaccented":
            if not accented:
                return None
            w = accented[min(zipf.sample(rng), len(accented) - 1)]
            if rng.random() < 0.4:
                w = w + " " + pick_word()
            return fold(w)
        raise AssertionError(kind)

    kinds = [k for k, _ in MIX]
    weights = [p for _, p in MIX]
    queries = []
    while len(queries) < args.queries:
        kind = rng.choices(kinds, weights)[0]
        q = make(kind)
        if q:
            queries.append((kind, q))

    known = []
    attempts = 0
    while len(known) < args.known_items and attempts < args.known_items * 50:
        attempts += 1
        i = rng.randrange(len(rows))
        content = [w for w in dict.fromkeys(title_tokens[i]) if w not in stop and len(w) > 1]
        if len(content) < 2:
            continue
        n = rng.randint(2, min(4, len(content)))
        picked = sorted(rng.sample(range(len(content)), n))
        collection, doc_id = rows[i][0], rows[i][1]
        known.append((collection, doc_id, " ".join(content[j] for j in picked)))
    if len(known) < min(args.known_items, 1):
        sys.exit("querylog: no title has two content words; cannot make known items")

    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "queries.txt"), "w", encoding="utf-8") as f:
        f.writelines(q + "\n" for _, q in queries)
    with open(os.path.join(args.out_dir, "queries.kinds.tsv"), "w", encoding="utf-8") as f:
        f.writelines(f"{i}\t{k}\n" for i, (k, _) in enumerate(queries))
    with open(os.path.join(args.out_dir, "known-items.txt"), "w", encoding="utf-8") as f:
        f.writelines(q + "\n" for _, _, q in known)
    with open(os.path.join(args.out_dir, "known-items.tsv"), "w", encoding="utf-8") as f:
        f.writelines(f"{i}\t{c}\t{d}\t{q}\n" for i, (c, d, q) in enumerate(known))
    with open(os.path.join(args.out_dir, "vocabulary.json"), "w", encoding="utf-8") as f:
        json.dump({"documents_read": len(rows), "vocabulary": len(vocab), "tokens": sum(freq.values()),
                   "top": [[w, freq[w]] for w in vocab[:20]], "seed": args.seed,
                   "mix": dict(collections.Counter(k for k, _ in queries))}, f, ensure_ascii=False, indent=1)
    print(f"querylog: {len(queries)} queries, {len(known)} known items from {len(rows)} live rows "
          f"(vocabulary {len(vocab)} words) -> {args.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
