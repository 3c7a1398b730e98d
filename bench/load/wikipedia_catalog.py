"""Writes the 36k Wikipedia film corpus (shared/data/wikipedia/movies.json) as a
Kaggle-format catalog CSV, so the product's own pipeline (clean → database →
index) loads it like any catalog source.

    python3 bench/load/wikipedia_catalog.py ../shared/data/wikipedia/movies.json out.csv
"""

import csv
import json
import sys

COLUMNS = ["Poster_Link", "Series_Title", "Released_Year", "Certificate", "Runtime", "Genre",
           "IMDB_Rating", "Overview", "Meta_score", "Director", "Star1", "Star2", "Star3", "Star4",
           "No_of_Votes", "Gross"]


def main(src: str, out: str) -> None:
    films = json.load(open(src, encoding="utf-8"))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for film in films:
            cast = (film.get("cast") or []) + [""] * 4
            w.writerow({
                "Series_Title": film.get("title", ""),
                "Released_Year": film.get("year", ""),
                "Genre": ", ".join(g.title() for g in film.get("genres") or []),
                "Overview": (film.get("extract") or "").replace("\n", " "),
                "Star1": cast[0], "Star2": cast[1], "Star3": cast[2], "Star4": cast[3],
            }.get(c, "") for c in COLUMNS)
    print(f"{len(films)} films → {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
