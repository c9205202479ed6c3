//! `leadgate-sim`: run the simulators as a process (see [`leadgate_sim::cli`]).
#![forbid(unsafe_code)]

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr so that stdout carries only the JSON description line.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    leadgate_sim::cli::run(leadgate_sim::cli::Args::parse()).await
}
