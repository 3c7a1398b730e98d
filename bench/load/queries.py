"""Writes the request paths of the load test, with a fixed seed.

search.txt: 1000 real queries, /api/search?q=… (titles, title words, genre
words and two-word phrases from the catalog's overviews, as people type them).
movies.txt: every movie page of the catalog, /movie/<id>, from the ids file.
"""
import csv, random, re, sys, urllib.parse

catalog, ids_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
rng = random.Random(20261203)
rows = list(csv.DictReader(open(catalog, encoding="utf-8")))
queries = []
for r in rows:
    title = r["Series_Title"].strip()
    words = re.findall(r"[A-Za-z]{4,}", r["Overview"])
    queries.append(title.lower())
    if words:
        w = rng.randrange(len(words))
        queries.append(" ".join(words[w : w + 2]).lower())
    queries.append(rng.choice(title.split()).lower())
    queries.append(r["Genre"].split(",")[0].strip().lower() + " " + (rng.choice(words).lower() if words else ""))
rng.shuffle(queries)
queries = [q.strip() for q in queries if q.strip()][:1000]
with open(f"{out}/search.txt", "w") as f:
    for q in queries:
        f.write("/api/search?q=" + urllib.parse.quote(q) + "&limit=10\n")
with open(f"{out}/movies.txt", "w") as f:
    for line in open(ids_file):
        if line.strip():
            f.write(f"/movie/{line.strip()}\n")
