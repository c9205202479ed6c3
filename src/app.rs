//! Building and running the gateway: `serve` takes a config and a bound listener, so tests start
//! it on port 0 and read the port back.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::alerts::SlackAlerter;
use crate::chat::llm::LlmEngine;
use crate::chat::prompts::{BUILT_IN_FAQ, Faq, Prompts, load_llm_system};
use crate::chat::rules::RuleEngine;
use crate::chat::{ChatService, Engine, ResumeTokens};
use crate::config::{Config, EngineKind};
use crate::http::listener::ListenOptions;
use crate::http::{AppState, Limiters, Sockets, routers};
use crate::store::Store;
use crate::sync::{ConversationLinks, Target, Worker};

/// The process-wide metrics recorder (one per process, however many servers a test starts).
fn metrics_handle() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    static HANDLE: OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
        OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|_| handle)
        })
        .clone()
}

/// Opens the store (migrating it), loads prompts and builds the shared state.
pub async fn build(config: Config, shutdown: CancellationToken) -> anyhow::Result<AppState> {
    // However the config was made, a gateway never starts with one that does not pass.
    config.validate()?;
    let config = Arc::new(config);
    let store = open_store(&config).await?;
    let secret = resume_secret(&config, &store).await?;
    let prompts = load_prompts(&config)?;
    let engine = engine(&config, &prompts)?;
    warn_of_half_slack(&config);
    let wake = Arc::new(tokio::sync::Notify::new());
    Ok(AppState {
        chat: Arc::new(ChatService::new(
            store,
            config.clone(),
            engine,
            Arc::new(prompts),
            wake.clone(),
        )),
        wake,
        tokens: ResumeTokens::new(secret.expose_secret().as_bytes())
            .with_previous(
                config
                    .server
                    .previous_secret
                    .as_ref()
                    .map(|s| s.expose_secret().as_bytes()),
            )
            .with_lifetime(std::time::Duration::from_secs(
                u64::from(config.server.transcript_link_days) * 86_400,
            )),
        sockets: Arc::new(Sockets::default()),
        limiters: Arc::new(Limiters::new(&config.limits)),
        next_socket_id: Arc::new(AtomicU64::new(1)),
        shutdown,
        tasks: TaskTracker::new(),
        metrics: metrics_handle(),
        config,
    })
}

/// The store at `[database] url`, opened and migrated.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let full_sync = config.database.sqlite_synchronous == crate::config::SqliteSync::Full;
    let store = Store::connect_with(
        &config.database.url,
        config.database.max_connections,
        full_sync,
    )
    .await
    .with_context(|| {
        format!(
            "cannot open the database at {}",
            redact_url(&config.database.url)
        )
    })?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// The key of resume tokens and transcript links: `[server] secret`, else one made on the first
/// start and kept in the store.
async fn resume_secret(config: &Config, store: &Store) -> anyhow::Result<SecretString> {
    Ok(match &config.server.secret {
        Some(s) => s.clone(),
        None => {
            let fresh: String = {
                use rand::RngExt;
                let bytes: [u8; 32] = rand::rng().random();
                bytes.iter().map(|b| format!("{b:02x}")).collect()
            };
            store
                .setting_or_insert("resume_secret", &fresh)
                .await?
                .into()
        }
    })
}

/// The engine `[engine] kind` names: the rules, or the model writing through the rules' draft.
fn engine(config: &Config, prompts: &Prompts) -> anyhow::Result<Arc<dyn Engine>> {
    Ok(match config.engine.kind {
        EngineKind::Rules => Arc::new(rule_engine(config, prompts)?),
        EngineKind::Llm => {
            let dir = std::path::Path::new(&config.engine.prompts_dir);
            let system = load_llm_system(dir.exists().then_some(dir))
                .context("cannot load the LLM system prompt")?;
            let llm = config.engine.llm.clone();
            let api_key = llm
                .api_key
                .clone()
                .or_else(|| std::env::var("OPENAI_API_KEY").ok().map(SecretString::from))
                .unwrap_or_else(|| SecretString::from(String::new()));
            Arc::new(
                LlmEngine::new(rule_engine(config, prompts)?, llm, api_key, system)
                    .context("cannot set up the LLM client")?,
            )
        }
    })
}

/// Warns when Slack is set up by halves: buttons need both the bot token and the signing secret.
fn warn_of_half_slack(config: &Config) {
    if let Some(slack) = &config.alerts.slack {
        if slack.signing_secret.is_some() && slack.token.is_none() {
            tracing::warn!(
                "[alerts.slack] has a signing_secret but no bot token: a webhook URL alone cannot carry buttons, so alerts have none and reps cannot act from Slack"
            );
        } else if slack.token.is_some() && slack.signing_secret.is_none() {
            tracing::warn!(
                "[alerts.slack] has a bot token but no signing_secret: alerts carry no Claim / Not a lead buttons until it is set"
            );
        }
    }
}

/// The reply templates: the configured folder's, else the built-in ones.
fn load_prompts(config: &Config) -> anyhow::Result<Prompts> {
    let dir = std::path::Path::new(&config.engine.prompts_dir);
    Prompts::load(dir.exists().then_some(dir)).context("cannot load prompts")
}

/// The rule engine with the configured templates and FAQ.
fn rule_engine(config: &Config, prompts: &Prompts) -> anyhow::Result<RuleEngine> {
    let faq = load_faq(config).context("cannot load the FAQ")?;
    Ok(RuleEngine::new(prompts.clone(), faq)
        .with_currency_rates(config.scoring.currency_rates.clone()))
}

fn load_faq(config: &Config) -> anyhow::Result<Faq> {
    // One FAQ for now: the first site that names a file, else the one in prompts_dir, else the
    // built-in one.
    let named = config.sites.iter().find_map(|s| s.faq.clone());
    let default = std::path::Path::new(&config.engine.prompts_dir).join("faq.toml");
    let text = match named {
        Some(path) => {
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?
        }
        None if default.exists() => std::fs::read_to_string(&default)?,
        None => BUILT_IN_FAQ.to_owned(),
    };
    Ok(Faq::parse(&text)?)
}

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`, for error messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The outbox workers: one per configured CRM that a site uses, and one for Slack alerts.
fn workers(
    state: &AppState,
    addr: Option<SocketAddr>,
    zoho: Option<crate::sync::outcomes::ZohoReader>,
) -> anyhow::Result<Vec<Worker>> {
    let config = state.config.clone();
    let base = config
        .server
        .public_url
        .clone()
        .or_else(|| addr.map(|a| format!("http://{a}")));
    let tokens = state.tokens.clone();
    let links: ConversationLinks = Arc::new(move |id: &str| {
        base.as_ref().map(|b| {
            format!(
                "{}/c/{id}?t={}",
                b.trim_end_matches('/'),
                tokens.sign_transcript(id)
            )
        })
    });
    let instance = uuid::Uuid::now_v7().simple().to_string();
    let store = state.chat.store().clone();
    let mut targets: Vec<(String, Target)> = Vec::new();
    for c in crate::sync::targets::connectors(&config).map_err(anyhow::Error::msg)? {
        let name = c.kind.name().to_owned();
        if config.privacy.erase_in_crm {
            let erasure = crate::sync::erasure::CrmErasure {
                store: store.clone(),
                api: c.api.clone(),
            };
            targets.push((name.clone(), Target::Handler(Arc::new(erasure))));
        }
        let target = Target::Crm {
            api: c.api,
            names: c.names,
        };
        targets.push((name, target));
    }
    let notices = config
        .alerts
        .slack
        .as_ref()
        .map(|slack| Arc::new(SlackAlerter::new(slack.clone())));
    if let Some(slack) = &notices {
        targets.extend(slack_targets(&store, &config, slack, &links));
    }
    targets.extend(channel_targets(state));
    if let Some(reader) = zoho {
        let handler = crate::sync::outcomes::zoho_deals(state.chat.store(), &config, reader);
        targets.push((handler.target().to_owned(), Target::Handler(handler)));
    }
    Ok(targets
        .into_iter()
        .map(|(target_name, target)| Worker {
            store: state.chat.store().clone(),
            config: config.clone(),
            target,
            target_name,
            instance: instance.clone(),
            wake: state.wake.clone(),
            shutdown: state.shutdown.clone(),
            links: links.clone(),
            notices: notices.clone(),
            told_paused: Arc::default(),
        })
        .collect())
}

/// Slack's workers: the sales alerts, their erasure (`[privacy] erase_in_slack`), the alerts
/// re-drawn as reps act, and their threads.
fn slack_targets(
    store: &Store,
    config: &Arc<Config>,
    slack: &Arc<SlackAlerter>,
    links: &ConversationLinks,
) -> Vec<(String, Target)> {
    use crate::sync::handoff::{AlertUpdates, Threads};
    let mut targets = vec![("slack".to_owned(), Target::Slack(slack.clone()))];
    if config.privacy.erase_in_slack {
        let erasure = crate::sync::erasure::SlackErasure {
            store: store.clone(),
            alerter: slack.clone(),
        };
        targets.push(("slack".to_owned(), Target::Handler(Arc::new(erasure))));
    }
    targets.push((
        "slack".to_owned(),
        Target::Handler(Arc::new(AlertUpdates {
            store: store.clone(),
            config: config.clone(),
            alerter: slack.clone(),
            links: links.clone(),
        })),
    ));
    targets.push((
        "slack".to_owned(),
        Target::Handler(Arc::new(Threads {
            store: store.clone(),
            alerter: slack.clone(),
        })),
    ));
    targets
}

/// The deal-outcome polls and channel keepers the configuration asks for.
fn spawn_deal_polls(
    state: &AppState,
    zoho: Option<crate::sync::outcomes::ZohoReader>,
) -> anyhow::Result<()> {
    let watchers = crate::sync::outcomes::watchers(
        state.chat.store(),
        &state.config,
        zoho,
        &state.wake,
        &state.shutdown,
    )
    .map_err(anyhow::Error::msg)?;
    for watcher in watchers {
        state.tasks.spawn(watcher);
    }
    Ok(())
}

/// The channel bridges' workers: one reads each sender's inbound events into conversations,
/// one sends the replies.
fn channel_targets(state: &AppState) -> Vec<(String, Target)> {
    use crate::chat::inbound::Inbound;
    use crate::sync::delivery::{Bridge, Delivery};
    let channels = &state.config.channels;
    let labels: std::collections::HashMap<crate::lead::Lang, String> = crate::lead::Lang::ALL
        .into_iter()
        .map(|l| (l, state.chat.templates(l).choose.clone()))
        .collect();
    let mut bridges = Vec::new();
    if let Some(w) = &channels.whatsapp {
        bridges.push(("whatsapp", Bridge::Whatsapp(w.clone())));
    }
    if let Some(m) = &channels.messenger {
        bridges.push(("messenger", Bridge::Messenger(m.clone())));
    }
    let mut out = Vec::new();
    for (name, bridge) in bridges {
        let store = state.chat.store().clone();
        let delivery = Delivery::new(store, bridge, labels.clone());
        out.push((name.to_owned(), Target::Handler(Arc::new(delivery))));
        let inbound = Inbound::new(state.chat.clone());
        out.push((name.to_owned(), Target::Handler(Arc::new(inbound))));
    }
    out
}

/// Serves until `shutdown` is cancelled, then stops accepting, lets every socket finish its
/// turn in progress and close with 1012, and closes the store. `[server] admin_listen`, when
/// set, is bound here.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let admin = bind_admin(&config).await?;
    let state = build(config, shutdown.clone()).await?;
    run(state, listener, admin, grace).await
}

/// The admin listener, when `[server] admin_listen` asks for one.
async fn bind_admin(config: &Config) -> anyhow::Result<Option<TcpListener>> {
    match &config.server.admin_listen {
        Some(address) => Ok(Some(TcpListener::bind(address).await.with_context(
            || format!("cannot listen on {address} ([server] admin_listen)"),
        )?)),
        None => Ok(None),
    }
}

/// Serves a built state on `listener`, and the admin API with `/metrics` on `admin` when given.
pub async fn run(
    state: AppState,
    listener: TcpListener,
    admin: Option<TcpListener>,
    grace: Duration,
) -> anyhow::Result<()> {
    let shutdown = state.shutdown.clone();
    let tasks = state.tasks.clone();
    let store = state.chat.store().clone();
    let housekeeping = tokio::spawn(housekeeping(state.limiters.clone(), shutdown.clone()));
    // A SQLite file has one gateway: jobs still marked running were cut off by a crash of this
    // one, and run again now instead of waiting out their lock.
    let released = store.release_orphaned_jobs().await?;
    if released > 0 {
        tracing::warn!(
            jobs = released,
            "resuming jobs a previous run left unfinished"
        );
    }
    // Zoho's deal reader serves both the `deal_refresh` jobs and the channel keeper.
    let zoho = crate::sync::outcomes::zoho_reader(&state.config).map_err(anyhow::Error::msg)?;
    for worker in workers(&state, listener.local_addr().ok(), zoho.clone())? {
        tasks.spawn(worker.run());
    }
    if store.is_shared() {
        tasks.spawn(state.chat.clone().relay(shutdown.clone()));
    }
    tasks.spawn(state.chat.clone().hand_back_idle(shutdown.clone()));
    spawn_deal_polls(&state, zoho)?;
    tasks.spawn(state.chat.clone().erase_expired(shutdown.clone()));
    let server = &state.config.server;
    let options = ListenOptions {
        header_read_timeout: Duration::from_secs(server.header_read_timeout_secs),
        max_connections: server.max_connections,
    };
    let (public, admin_routes) = routers(state.clone());
    let admin_server = match (admin, admin_routes) {
        (Some(listener), Some(routes)) => {
            // The operator's own listener: a visitor flood on the main one cannot starve it.
            let options = ListenOptions {
                max_connections: 64,
                ..options
            };
            let serve = crate::http::listener::serve(listener, routes, options, shutdown.clone());
            Some(tokio::spawn(serve))
        }
        _ => None,
    };
    crate::http::listener::serve(listener, public, options, shutdown.clone()).await;
    if let Some(admin) = admin_server {
        let _ = admin.await;
    }
    tasks.close();
    if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
        tracing::warn!("sockets still open after the grace period; closing anyway");
    }
    housekeeping.abort();
    store.close().await;
    Ok(())
}

/// Forgets quiet addresses' limits every minute.
async fn housekeeping(limiters: Arc<Limiters>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tick.tick() => limiters.retain_recent(),
        }
    }
}

/// A gateway running in the background (for tests and benchmarks).
pub struct Running {
    pub addr: SocketAddr,
    /// The admin listener's address, with `[server] admin_listen`.
    pub admin_addr: Option<SocketAddr>,
    pub shutdown: CancellationToken,
    pub handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops it and waits until it has stopped.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.handle.await?
    }
}

/// Starts a gateway on `config.server.listen` (port 0 picks a free port).
pub async fn spawn(config: Config) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(&config.server.listen).await?;
    spawn_on(listener, config).await
}

/// Starts a gateway in the background on a listener already bound (whose address the
/// configuration may name, as `public_url`, before the gateway starts).
pub async fn spawn_on(listener: TcpListener, config: Config) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let admin = bind_admin(&config).await?;
    let admin_addr = admin.as_ref().map(TcpListener::local_addr).transpose()?;
    let shutdown = CancellationToken::new();
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let state = build(config, shutdown.clone()).await?;
    let handle = tokio::spawn(run(state, listener, admin, grace));
    Ok(Running {
        addr,
        admin_addr,
        shutdown,
        handle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://leadgate:s3cret@db:5432/leads"),
            "postgres://leadgate:***@db:5432/leads"
        );
        assert_eq!(redact_url("sqlite://leadgate.db"), "sqlite://leadgate.db");
    }
}
