"""The IMDb bulk catalog job in PySpark, for comparison with Marquee's DataFusion
job (pipeline/src/bulk/job.rs): the same inputs, the same rules, the same rows.

    .venv/bin/python bench/imdb_bulk_pyspark.py --input DIR --out DIR [--compare OURS.parquet]

Reads title.basics, title.ratings, title.principals, name.basics and title.crew
(.tsv.gz) from DIR and writes one Parquet of films: year, runtime, genres,
rating, votes, directors (title.crew, else principals), writers, and the top 3
billed actors/actresses by `ordering`, names resolved. Runs on local[2].
With --compare, checks that Marquee's output has exactly the same rows.
"""

import argparse
import sys
import time

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

COLUMNS = {
    "title.basics": ["tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear",
                     "runtimeMinutes", "genres"],
    "title.ratings": ["tconst", "averageRating", "numVotes"],
    "title.principals": ["tconst", "ordering", "nconst", "category", "job", "characters"],
    "name.basics": ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
    "title.crew": ["tconst", "directors", "writers"],
}
FILM_TYPES = ["movie", "tvMovie"]
TOP_CAST = 3


def read(spark, directory, name):
    schema = StructType([StructField(c, StringType(), True) for c in COLUMNS[name]])
    # IMDb's TSV has no quoting ("quote" set to NUL turns it off) and \N for null.
    return (spark.read.option("sep", "\t").option("header", "true").option("quote", "\u0000")
            .option("nullValue", "\\N").option("mode", "PERMISSIVE").schema(schema)
            .csv(f"{directory}/{name}.tsv.gz"))


def unescape(col):
    # \\ -> \, \t -> tab, \n -> newline (a placeholder keeps escaped backslashes apart).
    c = F.regexp_replace(col, r"\\\\", "\u0001")
    c = F.regexp_replace(c, r"\\t", "\t")
    c = F.regexp_replace(c, r"\\n", "\n")
    return F.regexp_replace(c, "\u0001", "\\\\")


def to_int(col):
    return F.expr(f"try_cast({col} AS INT)")


def build(spark, directory):
    basics = read(spark, directory, "title.basics")
    films = (basics
             .filter(F.col("titleType").isin(FILM_TYPES) & (F.coalesce(F.col("isAdult"), F.lit("0")) != "1")
                     & F.col("primaryTitle").isNotNull() & F.col("tconst").rlike("^tt[0-9]{7,}$"))
             .select("tconst",
                     unescape(F.col("primaryTitle")).alias("title"),
                     unescape(F.col("originalTitle")).alias("original_title"),
                     F.col("titleType").alias("title_type"),
                     to_int("startYear").alias("year"),
                     to_int("runtimeMinutes").alias("runtime_minutes"),
                     F.split(F.col("genres"), ",").alias("genres"))
             .dropDuplicates(["tconst"]))
    film_ids = F.broadcast(films.select("tconst"))

    ratings = (read(spark, directory, "title.ratings").join(film_ids, "tconst")
               .select("tconst", F.expr("try_cast(averageRating AS DOUBLE)").alias("rating"),
                       F.expr("try_cast(numVotes AS BIGINT)").alias("votes")))
    ratings = (ratings.withColumn("rn", F.row_number().over(
        Window.partitionBy("tconst").orderBy(F.col("votes").desc_nulls_last(), F.col("rating").desc_nulls_last())))
               .filter("rn = 1").drop("rn"))

    principals = (read(spark, directory, "title.principals")
                  .select("tconst", to_int("ordering").alias("ordering"), "nconst", "category")
                  .filter(F.col("category").isin("actor", "actress", "director") & F.col("ordering").isNotNull()
                          & F.col("nconst").rlike("^nm[0-9]{7,}$"))
                  .join(film_ids, "tconst"))
    cast = (principals.filter(F.col("category").isin("actor", "actress"))
            .groupBy("tconst", "nconst").agg(F.min("ordering").alias("ordering"))  # one place per person
            .withColumn("pos", F.row_number().over(Window.partitionBy("tconst").orderBy("ordering", "nconst")))
            .filter(F.col("pos") <= TOP_CAST)
            .select("tconst", F.lit("cast").alias("role"), "pos", "nconst"))

    crew = read(spark, directory, "title.crew").join(film_ids, "tconst")
    crew_directors = (crew.select("tconst", F.posexplode(F.split("directors", ",")).alias("p", "nconst"))
                      .select("tconst", F.lit("director").alias("role"), (F.col("p") + 1).alias("pos"), "nconst"))
    crew_writers = (crew.select("tconst", F.posexplode(F.split("writers", ",")).alias("p", "nconst"))
                    .select("tconst", F.lit("writer").alias("role"), (F.col("p") + 1).alias("pos"), "nconst"))
    principal_directors = (principals.filter(F.col("category") == "director")
                           .join(crew_directors.select("tconst").distinct(), "tconst", "left_anti")
                           .withColumn("pos", F.row_number().over(
                               Window.partitionBy("tconst").orderBy("ordering", "nconst")))
                           .select("tconst", F.lit("director").alias("role"), "pos", "nconst"))
    people = (cast.unionByName(crew_directors).unionByName(principal_directors).unionByName(crew_writers)
              .filter(F.col("nconst").rlike("^nm[0-9]{7,}$")))

    names = (read(spark, directory, "name.basics").select("nconst", unescape(F.col("primaryName")).alias("name"))
             .filter(F.col("name").isNotNull()))
    named = (people.join(names, "nconst", "left")
             .groupBy("tconst", "role", "pos", "nconst").agg(F.min("name").alias("name")))

    def names_of(role):
        return F.expr(
            f"transform(array_sort(filter(collect_list(struct(pos, name, role)), "
            f"x -> x.role = '{role}' AND x.name IS NOT NULL)), x -> x.name)")

    credits = named.groupBy("tconst").agg(names_of("cast").alias("stars"), names_of("director").alias("directors"),
                                          names_of("writer").alias("writers"))
    empty_to_null = lambda c: F.when(F.size(c) > 0, c)  # noqa: E731
    out = (films.join(ratings, "tconst", "left").join(credits, "tconst", "left")
           .select(F.col("tconst").alias("id"), "title", "year", "runtime_minutes", "rating", "votes", "genres",
                   F.when(F.size("directors") > 0, F.array_join("directors", ", ")).alias("director"),
                   empty_to_null(F.col("stars")).alias("stars"), empty_to_null(F.col("writers")).alias("writers"),
                   "original_title", "title_type")
           .orderBy(F.expr("CAST(substring(id, 3) AS BIGINT)")))
    return out


def compare(spark, ours_path, theirs):
    ours = spark.read.parquet(ours_path)
    cols = ["id", "title", "year", "runtime_minutes", "rating", "votes", "director", "original_title", "title_type"]
    lists = ["genres", "stars", "writers"]

    def norm(df):
        sel = [F.col(c) for c in cols] + [
            F.coalesce(F.array_join(F.col(c), "\u0002"), F.lit("")).alias(c) for c in lists]
        return df.select(*sel)

    a, b = norm(ours), norm(theirs)
    only_ours, only_theirs = a.exceptAll(b), b.exceptAll(a)
    n_ours, n_theirs = only_ours.count(), only_theirs.count()
    print(f"compare: {a.count()} rows ours, {b.count()} rows pyspark, {n_ours} only ours, {n_theirs} only pyspark")
    if n_ours or n_theirs:
        only_ours.show(5, truncate=False)
        only_theirs.show(5, truncate=False)
        return False
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--compare")
    p.add_argument("--driver-memory", default="6g")
    args = p.parse_args()
    spark = (SparkSession.builder.master("local[2]").appName("imdb-bulk-catalog")
             .config("spark.driver.memory", args.driver_memory)
             .config("spark.sql.shuffle.partitions", "8")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    started = time.time()
    out = build(spark, args.input)
    out.coalesce(1).write.mode("overwrite").parquet(args.out)
    job_seconds = time.time() - started
    written = spark.read.parquet(args.out)
    print(f"pyspark: {written.count()} films in {job_seconds:.1f} s (job only, JVM start excluded)")
    ok = True
    if args.compare:
        ok = compare(spark, args.compare, written)
    spark.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
