//! `fixture-site --port N`: serves the IMDb-format fixture site on 127.0.0.1 for demos.

use clap::Parser;

#[derive(Parser)]
#[command(name = "fixture-site", about = "An IMDb-format fixture site on 127.0.0.1")]
struct Args {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// At most this many films.
    #[arg(long)]
    films: Option<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).try_init();
    let args = Args::parse();
    let site = fixture_site::FixtureSite::start(fixture_site::Options {
        port: args.port,
        films: args.films,
        // Titles from mostly negative to mostly positive, as a demo should show.
        spread_sentiment: true,
        ..Default::default()
    })
    .await?;
    eprintln!(
        "fixture site: {} films and {} real pages on {} (try MARQUEE_SCRAPE_BASE_URL={} MARQUEE_SCRAPE_ALLOW_HOSTS=127.0.0.1)",
        site.films().len(),
        site.real_ids().len(),
        site.base_url,
        site.base_url
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
