//! The `leadgate-sim` command: start some or all simulators on fixed addresses, print one JSON
//! line with each one's base URL and credentials, and serve until Ctrl-C.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use serde_json::{Map, Value};

use crate::{hubspot, meta, openai, pipedrive, salesforce, slack, zoho};

/// Command-line arguments. With no CRM/Slack flag, all five start on 127.0.0.1:9101–9105;
/// the OpenAI and Meta simulators start only with `--openai` / `--meta`.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "leadgate-sim",
    about = "Local simulators of HubSpot, Pipedrive, Salesforce, Zoho CRM and Slack"
)]
pub struct Args {
    /// Start the HubSpot simulator on this address.
    #[arg(long, value_name = "ADDR")]
    pub hubspot: Option<SocketAddr>,
    /// Start the Pipedrive simulator on this address.
    #[arg(long, value_name = "ADDR")]
    pub pipedrive: Option<SocketAddr>,
    /// Start the Salesforce simulator on this address.
    #[arg(long, value_name = "ADDR")]
    pub salesforce: Option<SocketAddr>,
    /// Start the Zoho CRM simulator on this address.
    #[arg(long, value_name = "ADDR")]
    pub zoho: Option<SocketAddr>,
    /// Start the Slack simulator on this address.
    #[arg(long, value_name = "ADDR")]
    pub slack: Option<SocketAddr>,
    /// Also start the OpenAI-compatible simulator on this address (never started by default).
    #[arg(long, value_name = "ADDR")]
    pub openai: Option<SocketAddr>,
    /// The server the OpenAI-compatible simulator answers as: openai, azure (deployment
    /// `gpt-4o-mini`, any `api-version` date), vllm, ollama, ollama-0.1, llama.cpp or litellm.
    #[arg(long, value_name = "SERVER", default_value = "openai")]
    pub openai_flavor: openai::Flavor,
    /// Also start the Meta Graph (WhatsApp, Messenger) simulator on this address (never started
    /// by default).
    #[arg(long, value_name = "ADDR")]
    pub meta: Option<SocketAddr>,
    /// Let the Meta simulator accept free-form WhatsApp and Messenger sends to anyone, as if
    /// every person had just written: for load runs whose inbound events reach the gateway
    /// without passing through the simulator (which is what opens Meta's 24-hour window).
    #[arg(long)]
    pub meta_open_windows: bool,
    /// Seed for random fault injection.
    #[arg(long)]
    pub seed: Option<u64>,
}

impl Args {
    /// The addresses to use: the given ones, or all defaults when none was given.
    fn resolved(&self) -> [Option<SocketAddr>; 5] {
        let given = [
            self.hubspot,
            self.pipedrive,
            self.salesforce,
            self.zoho,
            self.slack,
        ];
        if given.iter().any(Option::is_some) {
            return given;
        }
        let default = |port: u16| Some(SocketAddr::from(([127, 0, 0, 1], port)));
        [
            default(9101),
            default(9102),
            default(9103),
            default(9104),
            default(9105),
        ]
    }
}

/// The simulators started by [`run`].
#[derive(Default)]
struct Running {
    hubspot: Option<hubspot::HubSpotSim>,
    pipedrive: Option<pipedrive::PipedriveSim>,
    salesforce: Option<salesforce::SalesforceSim>,
    zoho: Option<zoho::ZohoSim>,
    slack: Option<slack::SlackSim>,
    openai: Option<openai::OpenAiSim>,
    meta: Option<meta::MetaSim>,
}

impl Running {
    async fn start(args: &Args) -> anyhow::Result<Running> {
        let [hs, pd, sf, zo, sl] = args.resolved();
        let seed = args.seed;
        let mut running = Running::default();
        if let Some(addr) = hs {
            let options = hubspot::Options {
                addr,
                seed,
                ..Default::default()
            };
            running.hubspot = Some(
                hubspot::HubSpotSim::start(options)
                    .await
                    .context("HubSpot")?,
            );
        }
        if let Some(addr) = pd {
            let options = pipedrive::Options {
                addr,
                seed,
                ..Default::default()
            };
            running.pipedrive = Some(
                pipedrive::PipedriveSim::start(options)
                    .await
                    .context("Pipedrive")?,
            );
        }
        if let Some(addr) = sf {
            let options = salesforce::Options {
                addr,
                seed,
                ..Default::default()
            };
            running.salesforce = Some(
                salesforce::SalesforceSim::start(options)
                    .await
                    .context("Salesforce")?,
            );
        }
        if let Some(addr) = zo {
            let options = zoho::Options {
                addr,
                seed,
                ..Default::default()
            };
            running.zoho = Some(zoho::ZohoSim::start(options).await.context("Zoho")?);
        }
        if let Some(addr) = sl {
            let options = slack::Options {
                addr,
                seed,
                ..Default::default()
            };
            running.slack = Some(slack::SlackSim::start(options).await.context("Slack")?);
        }
        if let Some(addr) = args.openai {
            let options = openai::Options {
                addr,
                seed,
                flavor: args.openai_flavor,
                ..Default::default()
            };
            running.openai = Some(openai::OpenAiSim::start(options).await.context("OpenAI")?);
        }
        if let Some(addr) = args.meta {
            let options = meta::Options {
                addr,
                seed,
                enforce_window: !args.meta_open_windows,
                ..Default::default()
            };
            running.meta = Some(meta::MetaSim::start(options).await.context("Meta")?);
        }
        Ok(running)
    }

    /// One JSON object naming each running simulator's base URL and credentials.
    fn describe(&self) -> Value {
        let mut all = Map::new();
        let mut add = |name: &str, value: Option<Value>| {
            if let Some(value) = value {
                all.insert(name.to_owned(), value);
            }
        };
        add(
            "hubspot",
            self.hubspot.as_ref().map(hubspot::HubSpotSim::describe),
        );
        add(
            "pipedrive",
            self.pipedrive
                .as_ref()
                .map(pipedrive::PipedriveSim::describe),
        );
        add(
            "salesforce",
            self.salesforce
                .as_ref()
                .map(salesforce::SalesforceSim::describe),
        );
        add("zoho", self.zoho.as_ref().map(zoho::ZohoSim::describe));
        add("slack", self.slack.as_ref().map(slack::SlackSim::describe));
        add(
            "openai",
            self.openai.as_ref().map(openai::OpenAiSim::describe),
        );
        add("meta", self.meta.as_ref().map(meta::MetaSim::describe));
        Value::Object(all)
    }

    async fn shutdown(self) {
        if let Some(sim) = self.hubspot {
            sim.shutdown().await;
        }
        if let Some(sim) = self.pipedrive {
            sim.shutdown().await;
        }
        if let Some(sim) = self.salesforce {
            sim.shutdown().await;
        }
        if let Some(sim) = self.zoho {
            sim.shutdown().await;
        }
        if let Some(sim) = self.slack {
            sim.shutdown().await;
        }
        if let Some(sim) = self.openai {
            sim.shutdown().await;
        }
        if let Some(sim) = self.meta {
            sim.shutdown().await;
        }
    }
}

/// Start the simulators, print their description, serve until Ctrl-C.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let running = Running::start(&args).await?;
    println!("{}", running.describe());
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    running.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_means_all_five_on_default_ports() {
        let args = Args::parse_from(["leadgate-sim"]);
        let ports: Vec<u16> = args
            .resolved()
            .iter()
            .flatten()
            .map(SocketAddr::port)
            .collect();
        assert_eq!(ports, vec![9101, 9102, 9103, 9104, 9105]);
    }

    #[test]
    fn flags_select_simulators() {
        let args = Args::parse_from(["leadgate-sim", "--slack", "127.0.0.1:0"]);
        let resolved = args.resolved();
        assert_eq!(resolved.iter().flatten().count(), 1);
        assert!(resolved[4].is_some());
    }

    #[tokio::test]
    async fn describe_names_every_started_simulator() {
        let args = Args::parse_from([
            "leadgate-sim",
            "--hubspot",
            "127.0.0.1:0",
            "--zoho",
            "127.0.0.1:0",
        ]);
        let running = Running::start(&args).await.unwrap();
        let described = running.describe();
        assert!(
            described["hubspot"]["base_url"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
        assert!(described["zoho"]["oauth"]["refresh_token"].is_string());
        assert!(described.get("slack").is_none());
        running.shutdown().await;
    }
}
