//! The LLM engine against the servers people run — Azure OpenAI, vLLM, Ollama, llama.cpp's
//! server, LiteLLM — each simulated with its own quirks, over the real gateway path (a visitor
//! on the websocket), with whole answers and with streams. Storage plays no part here, so one
//! store (SQLite) is enough.

mod common;

use common::{Client, Db, TestDb, admin_conversation, bot_texts, config, start};
use leadgate::config::{Config, EngineKind, LlmConfig, Provider};
use leadgate_sim::openai::{Flavor, OpenAiSim, Options, Reply};

/// Model replies carry this mark, so a test tells them from the rule engine's.
const MARK: &str = "MODEL:";

fn text(t: &str) -> Reply {
    Reply::Text(format!("{MARK} {t}"))
}

async fn sim(flavor: Flavor) -> OpenAiSim {
    OpenAiSim::start(Options {
        flavor,
        ..Options::default()
    })
    .await
    .unwrap()
}

/// The gateway's config for `sim`, streaming or not.
fn llm_config(db: &TestDb, sim: &OpenAiSim, stream: bool) -> Config {
    let mut c = config(db);
    c.engine.kind = EngineKind::Llm;
    c.engine.llm = LlmConfig {
        base_url: sim.api_base(),
        api_key: Some(sim.api_key().to_owned().into()),
        model: "gpt-4o-mini".into(),
        timeout_secs: 10,
        stream,
        ..LlmConfig::default()
    };
    if sim.flavor() == Flavor::Azure {
        c.engine.llm.provider = Provider::Azure;
        c.engine.llm.azure_deployment = Some("gpt-4o-mini".into());
        c.engine.llm.api_version = Some("2024-10-21".into());
    }
    c
}

/// A visitor talking to a gateway in front of one simulated server.
struct Visit {
    db: TestDb,
    gw: leadgate::app::Running,
    client: Client,
}

impl Visit {
    async fn start(cfg: Config, db: TestDb) -> Visit {
        let gw = start(cfg).await;
        let mut client = Client::open(gw.addr, "demo", "en-GB").await;
        client.expect("message").await;
        Visit { db, gw, client }
    }

    async fn new(sim: &OpenAiSim, stream: bool) -> Visit {
        let db = TestDb::new(Db::Sqlite).await;
        let cfg = llm_config(&db, sim, stream);
        Visit::start(cfg, db).await
    }

    /// The one bot text of a turn, and what was streamed of it (its deltas, joined).
    async fn turn(&mut self, said: &str) -> (String, String) {
        let frames = self.client.say(said).await;
        let streamed: String = frames
            .iter()
            .filter(|f| f["type"] == "delta")
            .map(|f| f["text"].as_str().unwrap().to_owned())
            .collect();
        let texts = bot_texts(&frames);
        assert_eq!(texts.len(), 1, "{frames:?}");
        (texts[0].clone(), streamed)
    }

    /// A turn the model must word: the reply, also streamed in full when streaming.
    async fn worded(&mut self, said: &str, stream: bool) -> String {
        let (reply, streamed) = self.turn(said).await;
        assert!(reply.starts_with(MARK), "{reply}");
        if stream {
            assert_eq!(streamed, reply, "shown while written");
        }
        reply
    }

    /// A turn the rule engine answers.
    async fn fallback(&mut self, said: &str) -> String {
        let (reply, _) = self.turn(said).await;
        assert!(!reply.is_empty() && !reply.contains(MARK), "{reply}");
        reply
    }

    /// What is stored of the bot's replies.
    async fn stored(&self) -> Vec<String> {
        let id = self.client.session_id.as_deref().unwrap();
        let view = admin_conversation(self.gw.addr, id).await;
        view["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "bot")
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn end(self) {
        self.gw.stop().await.unwrap();
        self.db.remove().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_deployments_are_called_with_the_api_version_and_the_api_key_header() {
    let sim = sim(Flavor::Azure).await;
    for stream in [false, true] {
        let mut v = Visit::new(&sim, stream).await;
        let before = sim.requests().len();
        // Streamed: the first chunk has no choices, only the prompt's filter verdicts.
        sim.push_reply(text("Hello from the deployment."));
        let reply = v.worded("Hi, we need a chatbot.", stream).await;
        assert_eq!(reply, format!("{MARK} Hello from the deployment."));
        assert_eq!(sim.requests().len(), before + 1);
        // The content filter stops a reply: the rule engine's is sent, nothing filtered is kept.
        sim.push_reply(Reply::Filtered(format!("{MARK} Something the filter")));
        v.fallback("Tell me more.").await;
        assert!(v.stored().await.iter().all(|t| !t.contains("the filter")));
        sim.push_reply(text("Fine again."));
        v.worded("And pricing?", stream).await;
        v.end().await;
    }

    // A deployment the resource does not have: Azure's 404, not retried.
    let db = TestDb::new(Db::Sqlite).await;
    let mut cfg = llm_config(&db, &sim, false);
    cfg.engine.llm.azure_deployment = Some("gpt-4o-mini-old".into());
    let mut v = Visit::start(cfg, db).await;
    let before = sim.stats().total_requests;
    v.fallback("Hello?").await;
    assert_eq!(
        sim.stats().total_requests,
        before + 1,
        "a 404 is not retried"
    );
    v.end().await;

    // A refused key (`{"error": {"code": "401", …}}`): the model is not called again.
    let db = TestDb::new(Db::Sqlite).await;
    let mut cfg = llm_config(&db, &sim, true);
    cfg.engine.llm.api_key = Some("wrong-key".into());
    let mut v = Visit::start(cfg, db).await;
    let before = sim.stats().total_requests;
    v.fallback("Hello?").await;
    v.fallback("Anyone there?").await;
    assert_eq!(
        sim.stats().total_requests,
        before + 1,
        "a refused key stops calls at once"
    );
    v.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vllm_answers_are_read_whole_and_streamed() {
    let sim = sim(Flavor::Vllm).await;
    for stream in [false, true] {
        let mut v = Visit::new(&sim, stream).await;
        sim.push_reply(text("We integrate with HubSpot."));
        v.worded("Do you integrate with HubSpot?", stream).await;
        // Cut at max_tokens, the finish reason on the chunk with the last piece of text: the
        // whole sentences are kept.
        sim.push_reply(Reply::Cut(format!(
            "{MARK} Plans start at 49 euros. The yearly plan saves twen"
        )));
        let (reply, _) = v.turn("What does it cost?").await;
        assert_eq!(reply, format!("{MARK} Plans start at 49 euros."));
        // A reasoning parser's `reasoning_content` is never shown.
        sim.push_reply(Reply::Reasoning {
            thinking: "The visitor asks about hosting; keep it short.".into(),
            text: format!("{MARK} Your data stays in the EU."),
        });
        let reply = v.worded("Where is the data hosted?", stream).await;
        assert_eq!(reply, format!("{MARK} Your data stays in the EU."));
        // A failure (`{"error": {…, "code": 500}}`, mid-stream `data: {"error": …}` then
        // `[DONE]`): what was shown is replaced by the rule engine's reply.
        sim.push_reply(Reply::StreamError {
            text: format!("{MARK} Let me explain how the sync"),
            message: "CUDA out of memory".into(),
        });
        // A whole answer's 500 is retried once.
        if !stream {
            sim.push_reply(Reply::StreamError {
                text: String::new(),
                message: "CUDA out of memory".into(),
            });
        }
        v.fallback("How does the CRM sync work?").await;
        assert!(v.stored().await.iter().all(|t| !t.contains("how the sync")));
        sim.push_reply(text("All good."));
        v.worded("Thanks.", stream).await;
        v.end().await;
    }
    // `{"error": "Unauthorized"}` for a wrong key: not called again.
    let db = TestDb::new(Db::Sqlite).await;
    let mut cfg = llm_config(&db, &sim, false);
    cfg.engine.llm.api_key = Some("sk-wrong".into());
    let mut v = Visit::start(cfg, db).await;
    let before = sim.stats().total_requests;
    v.fallback("Hello?").await;
    v.fallback("Hello again?").await;
    assert_eq!(sim.stats().total_requests, before + 1);
    v.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ollama_answers_are_read_whole_and_streamed() {
    for flavor in [Flavor::Ollama, Flavor::OllamaLegacy] {
        let sim = sim(flavor).await;
        for stream in [false, true] {
            let db = TestDb::new(Db::Sqlite).await;
            let mut cfg = llm_config(&db, &sim, stream);
            // Ollama needs no key.
            cfg.engine.llm.api_key = None;
            let mut v = Visit::start(cfg, db).await;
            // Every delta repeats the role; before 0.1.37 every chunk but the last said
            // `"finish_reason": ""`.
            sim.push_reply(text("Happy to help with that."));
            v.worded("Can you help with support?", stream).await;
            // A thinking model's `reasoning` is never shown.
            sim.push_reply(Reply::Reasoning {
                thinking: "They want a demo. Offer Tuesday.".into(),
                text: format!("{MARK} A demo on Tuesday works."),
            });
            let reply = v.worded("Can I get a demo?", stream).await;
            assert!(!reply.contains("Offer Tuesday"), "{reply}");
            // A failure midway is a bare JSON line with no `[DONE]` (whole: a 500).
            sim.push_reply(Reply::StreamError {
                text: format!("{MARK} The model runner"),
                message: "llama runner process has terminated".into(),
            });
            if !stream {
                sim.push_reply(Reply::StreamError {
                    text: String::new(),
                    message: "llama runner process has terminated".into(),
                });
            }
            v.fallback("Still there?").await;
            sim.push_reply(text("Back again."));
            v.worded("Hello?", stream).await;
            v.end().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llama_cpp_answers_are_read_whole_and_streamed() {
    let sim = sim(Flavor::LlamaCpp).await;
    for stream in [false, true] {
        let mut v = Visit::new(&sim, stream).await;
        // `content: null` in the first delta, `timings` on the last chunk and the whole answer.
        sim.push_reply(text("Sure, tell me about your team."));
        v.worded("We are a team of 12.", stream).await;
        sim.push_reply(Reply::Reasoning {
            thinking: "Small team, ask about budget next.".into(),
            text: format!("{MARK} What budget do you have in mind?"),
        });
        let reply = v.worded("What next?", stream).await;
        assert!(!reply.contains("ask about budget next"), "{reply}");
        // 503 "Loading model" (an integer code): retried once, then answered.
        sim.push_reply(Reply::Unavailable);
        sim.push_reply(text("Loaded now."));
        let before = sim.stats().total_requests;
        v.worded("Are you ready?", stream).await;
        assert_eq!(sim.stats().total_requests, before + 2, "retried once");
        // A failure midway is an `error: {…}` line the SSE parser skips, then `[DONE]` with no
        // finish reason: the rule engine answers.
        sim.push_reply(Reply::StreamError {
            text: format!("{MARK} The context is"),
            message: "the request exceeds the available context size, try increasing it".into(),
        });
        // A whole answer's 500 is retried once.
        if !stream {
            sim.push_reply(Reply::StreamError {
                text: String::new(),
                message: "the request exceeds the available context size, try increasing it".into(),
            });
        }
        v.fallback("Please summarise everything.").await;
        sim.push_reply(text("Done."));
        v.worded("Ok.", stream).await;
        v.end().await;
    }
    // "Invalid API Key" (code 401): not called again.
    let db = TestDb::new(Db::Sqlite).await;
    let mut cfg = llm_config(&db, &sim, true);
    cfg.engine.llm.api_key = Some("sk-wrong".into());
    let mut v = Visit::start(cfg, db).await;
    let before = sim.stats().total_requests;
    v.fallback("Hello?").await;
    v.fallback("Hello again?").await;
    assert_eq!(sim.stats().total_requests, before + 1);
    v.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn litellm_answers_are_read_whole_and_streamed() {
    let sim = sim(Flavor::LiteLlm).await;
    for stream in [false, true] {
        let mut v = Visit::new(&sim, stream).await;
        sim.push_reply(text("Hello from the proxy."));
        v.worded("Hi!", stream).await;
        // 429 with `"code": "429"` (a string) and retry-after: retried, then answered.
        sim.push_reply(Reply::RateLimited);
        sim.push_reply(text("After the limit."));
        v.worded("What does it cost?", stream).await;
        // A failure midway: `data: {"error": …}` and the stream ends.
        sim.push_reply(Reply::StreamError {
            text: format!("{MARK} Our upstream"),
            message: "litellm.APIConnectionError: upstream closed".into(),
        });
        // A whole answer's 500 is retried once.
        if !stream {
            sim.push_reply(Reply::StreamError {
                text: String::new(),
                message: "litellm.APIConnectionError: upstream closed".into(),
            });
        }
        v.fallback("Explain the sync.").await;
        sim.push_reply(text("Fine."));
        v.worded("Ok.", stream).await;
        // The proxy key's budget is used up (400 `budget_exceeded`): the model is not called
        // again on the next turn, as with OpenAI's insufficient_quota.
        sim.push_reply(Reply::BudgetExceeded);
        let before = sim.stats().total_requests;
        v.fallback("More questions.").await;
        v.fallback("And another.").await;
        assert_eq!(
            sim.stats().total_requests,
            before + 1,
            "budget: no more calls"
        );
        v.end().await;
    }
}
