//! A deterministic generator of IMDb-format bulk files.
//!
//! Every title and every person is a pure function of `(seed, index)`: the
//! title's type, year, runtime, genres, rating and principals come from a
//! random stream seeded by its index alone. Files are built in chunks of
//! rows, generated and compressed on every core (see [`crate::gz`]) and
//! written in order, so the output bytes depend on the seed and the scale
//! only, never on the number of threads.
//!
//! Scale 1.0 is the 2026 dump: 12.3 M titles (one `title.basics` and one
//! `title.crew` line each), ~1.6 M rated, ~98 M principals, 15.1 M people.
//! Shapes follow the real files: three quarters of the titles are TV
//! episodes, ~7 % are films; most titles are unrated and votes are
//! heavy-tailed (a few titles have millions); runtimes and years are often
//! `\N`; principals are numbered 1..N per title with the leading cast first;
//! ~0.3 % of the people credited are missing from `name.basics`; ids are
//! spread over the real id ranges (7 and 8 digits); a share of titles and
//! names are non-ASCII, and a few contain quotes, tabs or backslashes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::Instant;

use crate::format::{escape, push_id, BulkFile, NULL};
use crate::gz::{deflate_chunk, DeflatedChunk, GzWriter};
use crate::pools::*;

/// Rows of the 2026 dump at scale 1.0.
pub const TITLES_AT_SCALE_1: f64 = 12_300_000.0;
pub const NAMES_AT_SCALE_1: f64 = 15_100_000.0;
/// Ids are spread over these ranges whatever the scale (`tt0000001`…`tt38…`).
const TITLE_ID_SPAN: u64 = 38_000_000;
const NAME_ID_SPAN: u64 = 16_500_000;
/// Rows per generated chunk.
const TITLES_PER_CHUNK: u64 = 16_384;
const NAMES_PER_CHUNK: u64 = 65_536;
/// Per mille of people credited but absent from `name.basics`.
const MISSING_NAMES_PER_MILLE: u64 = 3;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// 1.0 = today's row counts.
    pub scale: f64,
    pub seed: u64,
    /// Worker threads (0 = one per core). Does not change the output.
    pub threads: usize,
    /// gzip level (1 = fastest, IMDb's files use a higher one). Changes the
    /// bytes but not the content.
    pub level: u32,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self { scale: 0.01, seed: 42, threads: 0, level: 1 }
    }
}

/// A file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub file: BulkFile,
    pub path: PathBuf,
    /// Data rows (the header not counted).
    pub rows: u64,
    pub bytes: u64,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct GenerateReport {
    pub titles: u64,
    pub names: u64,
    pub files: Vec<GeneratedFile>,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("scale must be a positive number, got {0}")]
    BadScale(f64),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The dataset of a seed and a scale: what each title and person is.
#[derive(Debug, Clone, Copy)]
pub struct Universe {
    pub seed: u64,
    pub titles: u64,
    pub names: u64,
    title_stride: u64,
    name_stride: u64,
}

impl Universe {
    pub fn new(scale: f64, seed: u64) -> Self {
        let titles = ((TITLES_AT_SCALE_1 * scale).round() as u64).max(100);
        let names = ((NAMES_AT_SCALE_1 * scale).round() as u64).max(200);
        Self {
            seed,
            titles,
            names,
            title_stride: (TITLE_ID_SPAN / titles).max(1),
            name_stride: (NAME_ID_SPAN / names).max(1),
        }
    }

    /// The numeric `tt` id of title `i` (increasing with `i`).
    pub fn title_id(&self, i: u64) -> u64 {
        1 + i * self.title_stride + mix(self.seed ^ 0x7469_746c ^ i.wrapping_mul(0x9e37)) % self.title_stride
    }

    /// The numeric `nm` id of person `j` (increasing with `j`).
    pub fn name_id(&self, j: u64) -> u64 {
        1 + j * self.name_stride + mix(self.seed ^ 0x6e61_6d65 ^ j.wrapping_mul(0x85eb)) % self.name_stride
    }

    /// True for the few people credited in titles but absent from `name.basics`.
    pub fn name_missing(&self, j: u64) -> bool {
        mix(self.seed ^ 0x6d69_7373 ^ j.wrapping_mul(0xc2b2_ae35)) % 1000 < MISSING_NAMES_PER_MILLE
    }

    /// A person of `role`: people are grouped by `j % 100` into professions
    /// (see [`profession_of`]); within one, a few are credited very often.
    fn person(&self, rng: &mut Rng, role: Role) -> u64 {
        let (lo, hi) = role.buckets();
        let bucket = lo + rng.below(hi - lo);
        let rows = (self.names - bucket).div_ceil(100).max(1);
        let u = rng.f64();
        let r = ((rows as f64) * u * u * u) as u64;
        (r.min(rows - 1) * 100 + bucket).min(self.names - 1)
    }
}

/// Who a principal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Actor,
    Actress,
    Director,
    Writer,
    Producer,
    Composer,
    Cinematographer,
    Editor,
    CastingDirector,
    ProductionDesigner,
}

impl Role {
    /// The `j % 100` range of the people who do this.
    fn buckets(self) -> (u64, u64) {
        match self {
            Role::Actor => (0, 38),
            Role::Actress => (38, 68),
            Role::Director => (68, 76),
            Role::Writer => (76, 84),
            Role::Producer => (84, 90),
            Role::Composer => (90, 93),
            Role::Cinematographer => (93, 96),
            Role::Editor => (96, 98),
            Role::CastingDirector => (98, 99),
            Role::ProductionDesigner => (99, 100),
        }
    }

    fn category(self) -> &'static str {
        match self {
            Role::Actor => "actor",
            Role::Actress => "actress",
            Role::Director => "director",
            Role::Writer => "writer",
            Role::Producer => "producer",
            Role::Composer => "composer",
            Role::Cinematographer => "cinematographer",
            Role::Editor => "editor",
            Role::CastingDirector => "casting_director",
            Role::ProductionDesigner => "production_designer",
        }
    }
}

/// The main profession of person `j`.
fn profession_of(j: u64) -> Role {
    let b = j % 100;
    [
        Role::Actor,
        Role::Actress,
        Role::Director,
        Role::Writer,
        Role::Producer,
        Role::Composer,
        Role::Cinematographer,
        Role::Editor,
        Role::CastingDirector,
        Role::ProductionDesigner,
    ]
    .into_iter()
    .find(|r| (r.buckets().0..r.buckets().1).contains(&b))
    .unwrap_or(Role::Actor)
}

/// SplitMix64's finalizer: a strong 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64: small, fast, and the same everywhere (no crate whose
/// algorithm could change under us).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64, i: u64) -> Self {
        Rng(mix(seed ^ mix(stream.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ i)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// Standard normal (Box–Muller, one value per call).
    fn normal(&mut self) -> f64 {
        let u1 = self.f64().max(1e-12);
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Title types and their shares of `title.basics` (2026).
const TITLE_TYPES: &[(&str, u32)] = &[
    ("tvEpisode", 7750),
    ("short", 850),
    ("movie", 600),
    ("video", 270),
    ("tvSeries", 250),
    ("tvMovie", 125),
    ("tvMiniSeries", 55),
    ("tvSpecial", 50),
    ("videoGame", 35),
    ("tvShort", 15),
];

fn weighted<'a>(rng: &mut Rng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(u64::from(total)) as u32;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items[0].0
}

fn push_u64(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn push_opt_u64(out: &mut String, n: Option<u64>) {
    match n {
        Some(n) => push_u64(out, n),
        None => out.push_str(NULL),
    }
}

/// The four title files' lines of a chunk, and their row counts.
#[derive(Default)]
struct TitleLines {
    basics: String,
    ratings: String,
    principals: String,
    crew: String,
    rows: [u64; 4],
}

/// A principal credit of a title.
struct Credit {
    person: u64,
    role: Role,
    /// `self` / `archive_footage` instead of actor/actress.
    category: Option<&'static str>,
}

impl Universe {
    /// Writes title `i`'s lines (basics, crew, maybe ratings and principals).
    fn title(&self, i: u64, out: &mut TitleLines) {
        let mut rng = Rng::new(self.seed, 1, i);
        let tconst = self.title_id(i);
        let ty = weighted(&mut rng, TITLE_TYPES);
        let film = ty == "movie" || ty == "tvMovie";
        let adult = rng.chance(if matches!(ty, "movie" | "video") { 0.05 } else { 0.01 });

        // Years: episodes are recent, films spread back to the 1890s.
        let mean_age = match ty {
            "tvEpisode" => 11.0,
            "movie" | "short" => 28.0,
            _ => 18.0,
        };
        let future = rng.chance(0.02);
        let start_year = if rng.chance(0.04) {
            None
        } else if future {
            Some(2026 + rng.below(4))
        } else {
            let age = -mean_age * (1.0 - rng.f64()).ln();
            Some((2025.0 - age).max(1894.0) as u64)
        };
        let end_year = match (ty, start_year) {
            ("tvSeries" | "tvMiniSeries", Some(y)) if rng.chance(0.6) => Some((y + rng.below(12)).min(2026)),
            _ => None,
        };
        let runtime = {
            let (p_null, mean, sd, lo, hi) = match ty {
                "movie" => (0.3, 95.0, 22.0, 40.0, 300.0),
                "tvMovie" => (0.35, 85.0, 15.0, 40.0, 200.0),
                "short" | "tvShort" => (0.4, 12.0, 7.0, 1.0, 45.0),
                "tvEpisode" => (0.65, 35.0, 15.0, 5.0, 120.0),
                "tvSeries" | "tvMiniSeries" => (0.5, 45.0, 15.0, 10.0, 120.0),
                "videoGame" => (0.95, 600.0, 300.0, 30.0, 5000.0),
                _ => (0.5, 60.0, 30.0, 1.0, 240.0),
            };
            (!rng.chance(p_null)).then(|| (mean + sd * rng.normal()).clamp(lo, hi) as u64)
        };

        // Genres: up to three, in alphabetical order as IMDb writes them.
        let mut genres: Vec<&str> = Vec::with_capacity(3);
        if !rng.chance(if film { 0.03 } else { 0.08 }) {
            if ty == "short" || ty == "tvShort" {
                genres.push("Short");
            }
            if adult {
                genres.push("Adult");
            }
            let n = 1 + rng.below(3) as usize;
            while genres.len() < n {
                let g = weighted(&mut rng, GENRES);
                if !genres.contains(&g) && (g != "Adult" || adult) {
                    genres.push(g);
                }
            }
            genres.sort_unstable();
        }
        let non_fiction =
            genres.iter().any(|g| matches!(*g, "Documentary" | "Talk-Show" | "Reality-TV" | "News" | "Game-Show"));

        // title.basics
        let b = &mut out.basics;
        push_id(b, "tt", tconst);
        b.push('\t');
        b.push_str(ty);
        b.push('\t');
        let title_start = b.len();
        self.title_text(&mut rng, ty, b);
        let primary = b[title_start..].to_owned();
        b.push('\t');
        if film && rng.chance(0.12) {
            let mut original = String::new();
            original.push_str(rng.pick(FOREIGN_TITLES));
            escape(&original, b);
        } else {
            b.push_str(&primary);
        }
        b.push('\t');
        b.push(if adult { '1' } else { '0' });
        b.push('\t');
        push_opt_u64(b, start_year);
        b.push('\t');
        push_opt_u64(b, end_year);
        b.push('\t');
        push_opt_u64(b, runtime);
        b.push('\t');
        if genres.is_empty() {
            b.push_str(NULL);
        } else {
            b.push_str(&genres.join(","));
        }
        b.push('\n');
        out.rows[0] += 1;

        // title.ratings: most titles are unrated; votes are heavy-tailed.
        let p_rated = match ty {
            "movie" => 0.45,
            "tvMovie" => 0.35,
            "tvSeries" => 0.4,
            "tvMiniSeries" => 0.45,
            "videoGame" => 0.35,
            "tvSpecial" => 0.25,
            "short" | "video" => 0.17,
            "tvEpisode" => 0.09,
            _ => 0.2,
        };
        if !future && rng.chance(p_rated) {
            let boost = if film { 3.0 } else { 1.0 };
            let pareto = 5.0 / (1.0 - rng.f64()).max(1e-12).powf(1.0 / 0.75);
            let votes = ((pareto * boost) as u64).clamp(5, 3_200_000);
            let mean = if ty == "tvEpisode" { 7.3 } else { 6.6 };
            let spread = if votes < 50 { 1.6 } else { 1.1 };
            let rating = ((mean + spread * rng.normal()).clamp(1.0, 10.0) * 10.0).round() as u64;
            let r = &mut out.ratings;
            push_id(r, "tt", tconst);
            r.push('\t');
            push_u64(r, rating / 10);
            r.push('.');
            push_u64(r, rating % 10);
            r.push('\t');
            push_u64(r, votes);
            r.push('\n');
            out.rows[1] += 1;
        }

        // Principals and crew.
        let n = match ty {
            "tvEpisode" => 3 + rng.below(12),
            "movie" => 5 + rng.below(12),
            "tvMovie" | "tvSeries" | "tvMiniSeries" => 4 + rng.below(10),
            "short" => 1 + rng.below(8),
            "video" => 2 + rng.below(8),
            _ => 2 + rng.below(7),
        };
        let n = if rng.chance(if film { 0.05 } else { 0.03 }) { 0 } else { n as usize };
        let mut directors = vec![self.person(&mut rng, Role::Director)];
        if rng.chance(if film { 0.08 } else { 0.03 }) {
            let d = self.person(&mut rng, Role::Director);
            if !directors.contains(&d) {
                directors.push(d);
            }
        }
        let mut writers = Vec::new();
        if ty != "videoGame" && rng.chance(0.8) {
            // Auteurs: the director wrote it.
            writers.push(if rng.chance(0.3) { directors[0] } else { self.person(&mut rng, Role::Writer) });
            if rng.chance(0.35) {
                let w = self.person(&mut rng, Role::Writer);
                if !writers.contains(&w) {
                    writers.push(w);
                }
            }
        }
        let mut crew: Vec<Credit> = Vec::with_capacity(8);
        crew.extend(directors.iter().map(|&p| Credit { person: p, role: Role::Director, category: None }));
        crew.extend(writers.iter().map(|&p| Credit { person: p, role: Role::Writer, category: None }));
        for (role, p) in [
            (Role::Producer, 0.5),
            (Role::Composer, 0.4),
            (Role::Cinematographer, 0.35),
            (Role::Editor, 0.3),
            (Role::CastingDirector, 0.1),
            (Role::ProductionDesigner, 0.08),
        ] {
            if rng.chance(p) {
                crew.push(Credit { person: self.person(&mut rng, role), role, category: None });
            }
        }
        let cast = |rng: &mut Rng| {
            let role = if rng.chance(0.55) { Role::Actor } else { Role::Actress };
            let category = if non_fiction {
                Some("self")
            } else if rng.chance(0.015) {
                Some("archive_footage")
            } else {
                None
            };
            Credit { person: self.person(rng, role), role, category }
        };
        let lead = (2 + rng.below(3) as usize).min(n);
        let director_first = rng.chance(0.05);
        let mut credits: Vec<Credit> = Vec::with_capacity(n);
        if director_first && n > 0 {
            credits.push(crew.remove(0));
        }
        while credits.len() < lead {
            credits.push(cast(&mut rng));
        }
        for c in crew {
            if credits.len() >= n {
                break;
            }
            credits.push(c);
        }
        while credits.len() < n {
            credits.push(cast(&mut rng));
        }
        let p = &mut out.principals;
        for (k, c) in credits.iter().enumerate() {
            push_id(p, "tt", tconst);
            p.push('\t');
            push_u64(p, k as u64 + 1);
            p.push('\t');
            push_id(p, "nm", self.name_id(c.person));
            p.push('\t');
            p.push_str(c.category.unwrap_or(c.role.category()));
            p.push('\t');
            match c.role {
                Role::Writer if rng.chance(0.8) => p.push_str(rng.pick(WRITER_JOBS)),
                Role::Producer => p.push_str(rng.pick(PRODUCER_JOBS)),
                Role::Director if rng.chance(0.02) => p.push_str("co-director"),
                _ => p.push_str(NULL),
            }
            p.push('\t');
            match (c.role, c.category) {
                (_, Some("self")) => {
                    p.push_str("[\"");
                    p.push_str(rng.pick(SELF_ROLES));
                    p.push_str("\"]");
                }
                (Role::Actor | Role::Actress, _) if rng.chance(0.92) => {
                    p.push_str("[\"");
                    p.push_str(rng.pick(ROLES));
                    if rng.chance(0.05) {
                        p.push_str("\",\"");
                        p.push_str(rng.pick(ROLES));
                    }
                    p.push_str("\"]");
                }
                _ => p.push_str(NULL),
            }
            p.push('\n');
            out.rows[2] += 1;
        }

        // title.crew: its directors and writers (films sometimes lack them
        // here although the principals name a director).
        let c = &mut out.crew;
        push_id(c, "tt", tconst);
        let crew_directors = !rng.chance(if film { 0.02 } else { 0.3 });
        for list in [if crew_directors { &directors[..] } else { &[][..] }, &writers[..]] {
            c.push('\t');
            if list.is_empty() {
                c.push_str(NULL);
            }
            for (k, person) in list.iter().enumerate() {
                if k > 0 {
                    c.push(',');
                }
                push_id(c, "nm", self.name_id(*person));
            }
        }
        c.push('\n');
        out.rows[3] += 1;
    }

    /// A title, escaped.
    fn title_text(&self, rng: &mut Rng, ty: &str, out: &mut String) {
        if ty == "tvEpisode" {
            let x = rng.f64();
            if x < 0.4 {
                out.push_str("Episode #");
                push_u64(out, 1 + rng.below(12));
                out.push('.');
                push_u64(out, 1 + rng.below(30));
                return;
            }
            if x < 0.5 {
                out.push_str("Episode dated ");
                push_u64(out, 1 + rng.below(28));
                out.push(' ');
                out.push_str(rng.pick(MONTHS));
                out.push(' ');
                push_u64(out, 1990 + rng.below(36));
                return;
            }
        }
        let x = rng.f64();
        let mut t = String::with_capacity(40);
        if x < 0.07 {
            t.push_str(rng.pick(FOREIGN_TITLES));
        } else if x < 0.35 {
            t.push_str("The ");
            t.push_str(rng.pick(ADJECTIVES));
            t.push(' ');
            t.push_str(rng.pick(NOUNS));
        } else if x < 0.55 {
            t.push_str(rng.pick(NOUNS));
            t.push_str(" of the ");
            t.push_str(rng.pick(NOUNS));
        } else if x < 0.7 {
            let first = if rng.chance(0.5) { MALE_FIRST } else { FEMALE_FIRST };
            t.push_str(rng.pick(first));
            t.push_str("'s ");
            t.push_str(rng.pick(NOUNS));
        } else if x < 0.85 {
            t.push_str(rng.pick(ADJECTIVES));
            t.push(' ');
            t.push_str(rng.pick(NOUNS));
        } else {
            t.push_str(rng.pick(NOUNS));
        }
        let y = rng.f64();
        if y < 0.06 {
            t.push_str(": Part ");
            push_u64(&mut t, 2 + rng.below(4));
        } else if y < 0.061 {
            t.insert(0, '"');
            t.push_str("\" Live");
        } else if y < 0.06105 {
            // The rare title with a tab or a backslash (escaped in the file).
            t.push_str(if rng.chance(0.5) { "\tTab" } else { " \\ Slash" });
        }
        escape(&t, out);
    }

    /// Writes person `j`'s `name.basics` line, unless they are missing.
    fn name(&self, j: u64, out: &mut String) -> bool {
        if self.name_missing(j) {
            return false;
        }
        let mut rng = Rng::new(self.seed, 2, j);
        let role = profession_of(j);
        push_id(out, "nm", self.name_id(j));
        out.push('\t');
        let female = role == Role::Actress || (role != Role::Actor && rng.chance(0.35));
        let mut name = String::with_capacity(24);
        let first = if female { FEMALE_FIRST } else { MALE_FIRST };
        name.push_str(rng.pick(first));
        name.push(' ');
        if rng.chance(0.03) {
            let first = if female { FEMALE_FIRST } else { MALE_FIRST };
            name.push_str(rng.pick(first));
            name.push(' ');
        }
        name.push_str(rng.pick(LAST));
        if rng.chance(0.01) {
            name.push_str(" Jr.");
        }
        escape(&name, out);
        out.push('\t');
        let birth = rng.chance(0.12).then(|| 1880 + rng.below(130));
        push_opt_u64(out, birth);
        out.push('\t');
        let death = birth.filter(|b| *b < 1950 && rng.chance(0.6)).map(|b| (b + 30 + rng.below(70)).min(2025));
        push_opt_u64(out, death);
        out.push('\t');
        if rng.chance(0.05) {
            out.push_str(NULL);
        } else {
            out.push_str(role.category());
            let extra = rng.below(3);
            for k in 0..extra {
                let other =
                    [Role::Producer, Role::Writer, Role::Director, Role::Actor, Role::Composer][rng.below(5) as usize];
                let other = if other == Role::Actor && female { Role::Actress } else { other };
                if other != role && (k == 0 || rng.chance(0.5)) {
                    out.push(',');
                    out.push_str(other.category());
                }
            }
        }
        out.push('\t');
        if rng.chance(0.1) {
            out.push_str(NULL);
        } else {
            let k = 1 + rng.below(4);
            for n in 0..k {
                if n > 0 {
                    out.push(',');
                }
                push_id(out, "tt", self.title_id(rng.below(self.titles)));
            }
        }
        out.push('\n');
        true
    }
}

/// Generates the five files into `out_dir` (created if needed).
pub fn generate(out_dir: &Path, options: &GenerateOptions) -> Result<GenerateReport, GenerateError> {
    if !(options.scale.is_finite() && options.scale > 0.0) {
        return Err(GenerateError::BadScale(options.scale));
    }
    let started = Instant::now();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GenerateError::Io { path: path.clone(), source }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let u = Universe::new(options.scale, options.seed);
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
    } else {
        options.threads
    };
    let level = options.level.clamp(1, 9);

    let title_files = [BulkFile::TitleBasics, BulkFile::TitleRatings, BulkFile::TitlePrincipals, BulkFile::TitleCrew];
    let mut report = Vec::new();
    let chunks = u.titles.div_ceil(TITLES_PER_CHUNK) as usize;
    let rows = run_chunks(out_dir, &title_files, chunks, threads, level, |k| {
        let mut lines = TitleLines::default();
        let start = k as u64 * TITLES_PER_CHUNK;
        for i in start..(start + TITLES_PER_CHUNK).min(u.titles) {
            u.title(i, &mut lines);
        }
        (vec![lines.basics, lines.ratings, lines.principals, lines.crew], lines.rows.to_vec())
    })?;
    report.extend(rows);
    let chunks = u.names.div_ceil(NAMES_PER_CHUNK) as usize;
    let rows = run_chunks(out_dir, &[BulkFile::NameBasics], chunks, threads, level, |k| {
        let mut s = String::with_capacity(NAMES_PER_CHUNK as usize * 64);
        let start = k as u64 * NAMES_PER_CHUNK;
        let mut n = 0;
        for j in start..(start + NAMES_PER_CHUNK).min(u.names) {
            n += u64::from(u.name(j, &mut s));
        }
        (vec![s], vec![n])
    })?;
    report.extend(rows);
    report.sort_by_key(|f| BulkFile::ALL.iter().position(|x| *x == f.file));
    Ok(GenerateReport { titles: u.titles, names: u.names, files: report, seconds: started.elapsed().as_secs_f64() })
}

/// The chunk a worker made: per file, its compressed bytes and row count.
type Made = (usize, Vec<DeflatedChunk>, Vec<u64>);

/// Runs `make(k)` for chunks `0..chunks` on `threads` workers, compressing
/// each file's text of a chunk, and writes them to `files` in chunk order.
fn run_chunks<F>(
    dir: &Path,
    files: &[BulkFile],
    chunks: usize,
    threads: usize,
    level: u32,
    make: F,
) -> Result<Vec<GeneratedFile>, GenerateError>
where
    F: Fn(usize) -> (Vec<String>, Vec<u64>) + Sync,
{
    let mut writers = Vec::new();
    for f in files {
        let path = dir.join(f.file_name());
        let err = |source| GenerateError::Io { path: path.clone(), source };
        let file = File::create(&path).map_err(err)?;
        let mut w = GzWriter::new(BufWriter::with_capacity(1 << 20, file)).map_err(err)?;
        w.push(deflate_chunk(format!("{}\n", f.header()).as_bytes(), level)).map_err(err)?;
        writers.push((path, w));
    }
    let next = AtomicUsize::new(0);
    // Workers stay at most `window` chunks ahead of the writer: bounded memory.
    let window = threads * 2 + 2;
    let written = (Mutex::new(0usize), Condvar::new());
    let mut rows = vec![0u64; files.len()];
    let result: Result<(), GenerateError> = std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<Made>(window);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, written, make) = (&next, &written, &make);
            s.spawn(move || loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= chunks {
                    return;
                }
                {
                    let (lock, cv) = written;
                    let mut done = lock.lock().unwrap_or_else(|e| e.into_inner());
                    while k >= *done + window {
                        done = cv.wait(done).unwrap_or_else(|e| e.into_inner());
                    }
                }
                let (texts, counts) = make(k);
                let deflated = texts.iter().map(|t| deflate_chunk(t.as_bytes(), level)).collect();
                if tx.send((k, deflated, counts)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        let write_all = || -> Result<(), GenerateError> {
            let mut pending = std::collections::BTreeMap::new();
            let mut expected = 0usize;
            for (k, deflated, counts) in rx {
                pending.insert(k, (deflated, counts));
                while let Some((deflated, counts)) = pending.remove(&expected) {
                    for (((path, w), chunk), (r, c)) in
                        writers.iter_mut().zip(deflated).zip(rows.iter_mut().zip(counts))
                    {
                        w.push(chunk).map_err(|source| GenerateError::Io { path: path.clone(), source })?;
                        *r += c;
                    }
                    expected += 1;
                    let (lock, cv) = &written;
                    *lock.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                    cv.notify_all();
                }
            }
            Ok(())
        };
        let result = write_all();
        // After a write error, workers may wait on the window: release them
        // (they then find the channel closed and stop).
        let (lock, cv) = &written;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = usize::MAX / 2;
        cv.notify_all();
        result
    });
    result?;
    let mut out = Vec::new();
    for ((path, w), (f, r)) in writers.into_iter().zip(files.iter().zip(rows)) {
        let err = |source| GenerateError::Io { path: path.clone(), source };
        let mut inner = w.finish().map_err(err)?;
        inner.flush().map_err(err)?;
        let bytes = std::fs::metadata(&path).map_err(err)?.len();
        out.push(GeneratedFile { file: *f, path, rows: r, bytes });
    }
    Ok(out)
}
