#!/usr/bin/env python3
"""Expected results for the search crate's scikit-learn parity test.

Fits scikit-learn's TfidfVectorizer() (defaults) on `title + " " + extract` of the
Wikipedia films (entries without an extract skipped), picks at least 500 queries
deterministically (seed 42: title words, title bigrams, multi-word and non-ASCII
queries, and a few that match nothing), scores them with linear_kernel semantics
(dot products of l2-normalised rows) and writes, per query, the top-10
(doc index, score) plus every document tied with the 10th within 2e-5.

Usage: scripts/search_parity.py --out FILE [--data PATH]
Runs itself inside the venv /work/main/.venv (created with `python3 -m venv` and
`pip install scikit-learn numpy` when missing).
"""
import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PY = VENV / "bin" / "python"
TIE_TOLERANCE = 2e-5


def ensure_venv():
    """Re-exec inside the project venv, creating it first if needed."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    try:
        if not VENV_PY.exists():
            print(f"creating {VENV}", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        probe = subprocess.run([str(VENV_PY), "-c", "import sklearn, numpy"], capture_output=True)
        if probe.returncode != 0:
            print("installing scikit-learn and numpy into the venv", file=sys.stderr)
            subprocess.run(
                [str(VENV_PY), "-m", "pip", "install", "--quiet", "scikit-learn", "numpy"], check=True
            )
    except (subprocess.CalledProcessError, OSError) as e:
        sys.exit(f"search_parity: could not set up the Python venv at {VENV}: {e}")
    os.execv(str(VENV_PY), [str(VENV_PY), __file__, *sys.argv[1:]])


def pick_queries(titles, extracts, analyzer):
    rng = random.Random(42)
    queries = []
    seen = set()

    def add(q):
        if q not in seen:
            seen.add(q)
            queries.append(q)

    tokenized = [analyzer(t) for t in titles]
    with_words = [toks for toks in tokenized if toks]
    while len(queries) < 300:
        add(rng.choice(rng.choice(with_words)))
    with_pairs = [toks for toks in with_words if len(toks) >= 2]
    while len(queries) < 450:
        toks = rng.choice(with_pairs)
        i = rng.randrange(len(toks) - 1)
        add(f"{toks[i]} {toks[i + 1]}")
    # Multi-word queries from the summaries, with the original casing/punctuation.
    while len(queries) < 520:
        words = rng.choice(extracts).split()
        if len(words) < 6:
            continue
        i = rng.randrange(len(words) - 4)
        add(" ".join(words[i : i + rng.randint(3, 5)]))
    # Whole titles as typed (case, punctuation).
    for t in rng.sample(titles, 30):
        add(t)
    for q in [
        "Léon", "Amélie", "naïve", "Straße", "東京", "Spider-Man", "O'Brien", "İstanbul",
        "Ça", "Björk", "señor", "Fëdor", "café society", "Zoë", "Crème brûlée", "ΟΔΟΣ",
        "snake_case", "the the the", "R2-D2", "1984", "007", "A", "x y z", "🎬 film", "no-such-wordqq",
        "zzqqxx", "<b>war</b>", "'; DROP TABLE movies; --",
    ]:
        add(q)
    return queries


def main():
    ensure_venv()
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=str(ROOT / ".." / "shared" / "data" / "wikipedia" / "movies.json"))
    args = ap.parse_args()

    with open(args.data, encoding="utf-8") as f:
        movies = json.load(f)
    docs = [m for m in movies if m.get("extract")]
    titles = [m["title"] for m in docs]
    extracts = [m["extract"] for m in docs]
    texts = [t + " " + e for t, e in zip(titles, extracts)]

    vec = TfidfVectorizer()
    X = vec.fit_transform(texts).tocsr()  # rows l2-normalised
    analyzer = vec.build_analyzer()
    queries = pick_queries(titles, extracts, analyzer)
    Q = vec.transform(queries)

    results = []
    scores_all = (X @ Q.T).tocsc()  # docs x queries
    for qi, q in enumerate(queries):
        col = scores_all.getcol(qi)
        idx = col.indices
        val = col.data
        keep = val > 0
        idx, val = idx[keep], val[keep]
        order = np.lexsort((idx, -val))
        top = order[:10]
        hits = [[int(idx[j]), float(val[j])] for j in top]
        ties = []
        if len(top) == 10:
            tenth = val[top[-1]]
            near = np.nonzero(val >= tenth - TIE_TOLERANCE)[0]
            ties = [[int(idx[j]), float(val[j])] for j in near[np.argsort(-val[near])][:1000]]
        results.append({"query": q, "matches": int(len(idx)), "hits": hits, "near_tenth": ties})

    out = {
        "docs": len(docs),
        "vocabulary": len(vec.vocabulary_),
        "sklearn": __import__("sklearn").__version__,
        "queries": results,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
    print(f"search_parity: {len(docs)} docs, {len(vec.vocabulary_)} terms, {len(queries)} queries -> {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
