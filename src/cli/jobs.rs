//! `leadgate jobs list|retry|discard|resume`: the outbox, from the command line.

use clap::Subcommand;

use crate::config::Config;
use crate::store::{JobState, Store};

/// What to do with the outbox.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Lists jobs, newest first.
    List {
        /// Only jobs in this state: pending, running, paused, done, dead, discarded.
        #[arg(long, value_parser = parse_state)]
        state: Option<JobState>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Runs a dead or paused job again now.
    Retry { id: i64 },
    /// Gives a job up for good.
    Discard { id: i64 },
    /// Resumes every job of a target paused by refused credentials (e.g. `hubspot`).
    Resume { target: String },
}

fn parse_state(name: &str) -> Result<JobState, String> {
    JobState::parse(name).ok_or_else(|| {
        let names: Vec<&str> = JobState::ALL.iter().map(|s| s.as_str()).collect();
        format!("one of {}", names.join(", "))
    })
}

/// Runs a jobs command against the configured database; returns what to print.
pub async fn run(config: &Config, command: JobsCommand) -> anyhow::Result<String> {
    let store = Store::connect(&config.database.url, 2).await?;
    store.migrate().await?;
    let out = match command {
        JobsCommand::List { state, limit } => {
            let jobs = store.list_jobs(state, limit.clamp(1, 10_000)).await?;
            let mut out = format!(
                "{:>8}  {:<12} {:<11} {:<9} {:>8}  {:<38} {}\n",
                "id", "kind", "target", "state", "attempts", "conversation", "last error"
            );
            for j in jobs {
                out.push_str(&format!(
                    "{:>8}  {:<12} {:<11} {:<9} {:>8}  {:<38} {}\n",
                    j.id,
                    j.kind.as_str(),
                    j.target,
                    j.state.as_str(),
                    j.attempts,
                    j.conversation_id,
                    j.last_error
                        .unwrap_or_default()
                        .chars()
                        .take(100)
                        .collect::<String>()
                ));
            }
            out
        }
        JobsCommand::Retry { id } => {
            if store.retry_job(id).await? {
                format!("job {id} will run again now\n")
            } else {
                anyhow::bail!("job {id} is not dead or paused")
            }
        }
        JobsCommand::Discard { id } => {
            if store.discard_job(id).await? {
                format!("job {id} discarded\n")
            } else {
                anyhow::bail!("job {id} is not dead, paused or pending")
            }
        }
        JobsCommand::Resume { target } => format!(
            "{} jobs of {target} resumed\n",
            store.resume_target(&target).await?
        ),
    };
    store.close().await;
    Ok(out)
}
