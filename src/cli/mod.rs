//! The command line: `leadgate serve`, `leadgate extract`.

pub mod bench;
pub mod extract;
pub mod jobs;
pub mod webhook_bench;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Self-hosted chatbot lead-capture gateway.
#[derive(Debug, Parser)]
#[command(name = "leadgate", version, about)]
pub struct Cli {
    /// Configuration file (TOML); see leadgate.example.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway: the chat widget, its websocket and the demo page.
    Serve,
    /// Show and replay the outbox (CRM syncs, sales alerts).
    Jobs {
        #[command(subcommand)]
        command: jobs::JobsCommand,
    },
    /// Load tools for a running gateway.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Read conversations as JSON Lines on stdin; write one lead record per line on stdout.
    Extract,
    /// Copy everything stored into another, empty database (SQLite to PostgreSQL or back).
    MigrateStore {
        /// The database to copy, e.g. `sqlite://leadgate.db`.
        #[arg(long)]
        from: String,
        /// The empty database to copy into, e.g. `postgres://user:pass@host/leadgate`.
        #[arg(long)]
        to: String,
    },
}

/// `leadgate migrate-store --from … --to …`: returns what to print.
pub async fn migrate_store(from: &str, to: &str) -> anyhow::Result<String> {
    let source = crate::store::Store::connect(from, 2).await?;
    let target = crate::store::Store::connect(to, 2).await?;
    let report = source.copy_into(&target).await?;
    let mut out = String::new();
    for (table, rows) in &report.tables {
        out.push_str(&format!("{table}: {rows} rows\n"));
    }
    Ok(out)
}

/// `leadgate bench …`
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Many concurrent websocket conversations: turn latency and memory per idle connection.
    Ws(bench::WsBench),
    /// Signed WhatsApp webhook POSTs at a target rate: events per second and time to the 200.
    Webhook(webhook_bench::WebhookBench),
}
