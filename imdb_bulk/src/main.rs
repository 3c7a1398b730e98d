//! `imdb-bulk generate --scale 0.1 --out DIR --seed 42`: writes the five
//! IMDb-format bulk files of that scale.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "imdb-bulk", about = "IMDb-format bulk datasets")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generates title.basics, title.ratings, title.principals, name.basics
    /// and title.crew (.tsv.gz) with realistic distributions.
    Generate {
        /// 1.0 = today's row counts (12.3 M titles, 98 M principals, 15.1 M people).
        #[arg(long, default_value_t = 0.01)]
        scale: f64,
        /// Output directory (created if needed).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Worker threads (0 = one per core); the output does not depend on it.
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// gzip level, 1 (fastest) to 9.
        #[arg(long, default_value_t = 1)]
        level: u32,
    },
}

fn main() -> ExitCode {
    let Cli { command: Command::Generate { scale, out, seed, threads, level } } = Cli::parse();
    let options = imdb_bulk::GenerateOptions { scale, seed, threads, level };
    match imdb_bulk::generate(&out, &options) {
        Ok(report) => {
            println!(
                "generated {} titles, {} people in {:.1} s into {}",
                report.titles,
                report.names,
                report.seconds,
                out.display()
            );
            for f in &report.files {
                println!("  {:<26} {:>12} rows {:>14} bytes", f.file.file_name(), f.rows, f.bytes);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("imdb-bulk: {e}");
            ExitCode::FAILURE
        }
    }
}
