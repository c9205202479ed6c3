use std::process::ExitCode;

use clap::Parser;

use leadgate::cli::{BenchCommand, Cli, Command};
use leadgate::config::Config;
use leadgate::lead::Extractor;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("leadgate: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Serve => serve(config),
        Command::Jobs { command } => jobs(config, command),
        Command::Bench {
            command: BenchCommand::Ws(opts),
        } => bench_ws(&opts),
        Command::Bench {
            command: BenchCommand::Webhook(opts),
        } => block_on(leadgate::cli::webhook_bench::run(&opts), |report| {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }),
        Command::MigrateStore { from, to } => {
            block_on(leadgate::cli::migrate_store(&from, &to), |out| {
                print!("{out}")
            })
        }
        Command::Extract => {
            let extractor = Extractor::new(&config.scoring.competitors);
            let stdin = std::io::stdin().lock();
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match leadgate::cli::extract::run(stdin, stdout, &extractor, &config.scoring) {
                Ok(stats) => {
                    eprintln!(
                        "leadgate: {} leads, {} lines with errors",
                        stats.leads, stats.errors
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("leadgate: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn serve(config: Config) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("leadgate: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: anyhow::Result<()> = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.server.listen).await?;
        let addr = listener.local_addr()?;
        let shutdown = tokio_util::sync::CancellationToken::new();
        let on_signal = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            on_signal.cancel();
        });
        tracing::info!(%addr, database = %config.database.url.split('@').next_back().unwrap_or_default(), "leadgate is listening; open http://{addr}/");
        leadgate::app::serve(config, listener, shutdown).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leadgate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn jobs(config: Config, command: leadgate::cli::jobs::JobsCommand) -> ExitCode {
    block_on(leadgate::cli::jobs::run(&config, command), |out| {
        print!("{out}")
    })
}

fn bench_ws(opts: &leadgate::cli::bench::WsBench) -> ExitCode {
    block_on(leadgate::cli::bench::run(opts), |report| {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    })
}

/// Runs one command's future on a fresh runtime and prints its result or its error.
fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>, print: impl FnOnce(T)) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("leadgate: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(future) {
        Ok(out) => {
            print(out);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("leadgate: {e:#}");
            ExitCode::FAILURE
        }
    }
}
