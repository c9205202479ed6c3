//! The conversation service: one visitor message in, one transaction out (the message, the lead
//! revision it caused, the engine's reply, the outbox jobs), and the stored frames back to every
//! open socket of the session. Transports — the websocket, the WhatsApp and Messenger bridges —
//! only call this.

mod commit;
mod consent;
mod lead;
mod turn;

use std::sync::Arc;

use serde_json::json;
use tracing::instrument;

use super::engine::Engine;
use super::frames::bot_message;
use super::hub::Hub;
use super::prompts::{Prompts, Templates};
use super::session::{ChatError, Opening, Session};
use crate::config::{Config, SiteConfig};
use crate::lead::{Extractor, Lang, Lead, Region, Score, ScoringRules};
use crate::store::{ConversationRow, NewConversation, Store, Turn, TurnMessage};
use crate::sync::plan::delivery_job;

/// The service.
pub struct ChatService {
    store: Store,
    config: Arc<Config>,
    extractor: Arc<Extractor>,
    engine: Arc<dyn Engine>,
    prompts: Arc<Prompts>,
    hub: Hub,
    /// This gateway among those sharing a PostgreSQL store.
    pub(super) instance: String,
    /// Wakes the outbox workers when a turn adds jobs.
    wake: Arc<tokio::sync::Notify>,
}

/// The payloads of the consent buttons sent on channels that have no privacy notice of their
/// own (WhatsApp, Messenger).
pub const CONSENT_ACCEPT: &str = "consent:accept";
pub const CONSENT_DECLINE: &str = "consent:decline";

impl ChatService {
    /// A service over a store, with a config, an engine and the reply templates.
    pub fn new(
        store: Store,
        config: Arc<Config>,
        engine: Arc<dyn Engine>,
        prompts: Arc<Prompts>,
        wake: Arc<tokio::sync::Notify>,
    ) -> ChatService {
        let extractor = Arc::new(Extractor::new(&config.scoring.competitors));
        ChatService {
            store,
            config,
            extractor,
            engine,
            prompts,
            hub: Hub::default(),
            instance: uuid::Uuid::new_v4().simple().to_string(),
            wake,
        }
    }

    /// The sockets of each session, for pushing frames to other tabs.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One language's reply templates.
    pub fn templates(&self, lang: Lang) -> &Templates {
        self.prompts.get(lang)
    }

    /// One language's reply templates in the register a site speaks.
    pub fn templates_for(&self, site: &SiteConfig, lang: Lang) -> &Templates {
        self.prompts.get_in(lang, site.register)
    }

    /// One language's reply templates on the site with this key (formal on an unknown site).
    pub fn templates_on(&self, site_key: &str, lang: Lang) -> &Templates {
        match self.config.site(site_key) {
            Some(site) => self.templates_for(site, lang),
            None => self.templates(lang),
        }
    }

    /// The privacy notice of a site, in a language.
    pub fn consent_notice(&self, site: &SiteConfig, lang: Lang) -> String {
        self.templates_for(site, lang)
            .consent_notice
            .replace("{site}", site.display_name())
    }

    fn site(&self, key: &str) -> Result<&SiteConfig, ChatError> {
        self.config
            .site(key)
            .ok_or_else(|| ChatError::UnknownSite(key.to_owned()))
    }

    fn rules(&self) -> &ScoringRules {
        &self.config.scoring
    }

    /// A lead's score under the site's scoring (its minimum budget).
    fn score(&self, site: &SiteConfig, lead: &Lead) -> Score {
        self.config.scoring_for(site).score(lead)
    }

    /// The conversation's language: the visitor's locale when we speak it, else the site's.
    pub fn lang(&self, conversation: &ConversationRow) -> Lang {
        conversation
            .locale
            .as_deref()
            .and_then(Lang::from_locale)
            .or_else(|| self.config.site(&conversation.site).map(SiteConfig::lang))
            .unwrap_or_default()
    }

    /// Starts a conversation and stores the assistant's greeting. A channel conversation on a
    /// site that asks for consent also gets the privacy notice, with Accept and Decline
    /// buttons, since the channel shows none of its own.
    #[instrument(skip_all, fields(site = %site_key))]
    pub async fn start(&self, site_key: &str, opening: Opening) -> Result<Session, ChatError> {
        let site = self.site(site_key)?;
        let locale = opening
            .locale
            .filter(|l| Lang::from_locale(l).is_some())
            .unwrap_or_else(|| site.locale.clone());
        // National phone numbers: the site's configured region, else the visitor's own locale
        // (a German visitor on an English-language site types a German number), else the
        // site's locale.
        let region = site
            .default_region
            .or_else(|| Region::from_locale(&locale))
            .or_else(|| site.region())
            .map(|r| r.code().to_owned());
        let channel = opening.channel.unwrap_or_default();
        let new = NewConversation {
            site: site.key.clone(),
            channel: channel.as_str().to_owned(),
            external_id: opening.external_id,
            channel_account: opening.channel_account,
            locale: Some(locale),
            region,
            page_url: opening.page_url.as_deref().map(page_address),
            contact_json: opening
                .contact
                .as_ref()
                .and_then(|c| serde_json::to_string(c).ok()),
            consent_required: site.require_consent,
        };
        let conversation = self.store.create_conversation(&new).await?;
        let lang = self.lang(&conversation);
        let mut messages = vec![bot_message(&self.engine.greeting(site, lang))];
        if site.require_consent && delivery_job(&conversation, 0).is_some() {
            let t = self.templates(lang);
            messages.push(TurnMessage {
                role: "bot",
                text: self.consent_notice(site, lang),
                quick_replies: Some(
                    json!([
                        {"title": t.consent_accept, "payload": CONSENT_ACCEPT},
                        {"title": t.consent_decline, "payload": CONSENT_DECLINE},
                    ])
                    .to_string(),
                ),
                ..TurnMessage::default()
            });
        }
        let mut session = Session {
            conversation,
            messages: Vec::new(),
        };
        let turn = Turn {
            conversation_id: session.conversation.id.clone(),
            messages,
            ..Turn::default()
        };
        self.commit(&mut session, turn, 0).await?;
        metrics::counter!("leadgate_conversations_started_total", "channel" => channel.as_str())
            .increment(1);
        Ok(session)
    }

    /// Loads a conversation to resume it.
    pub async fn resume(&self, conversation_id: &str) -> Result<Option<Session>, ChatError> {
        let Some(conversation) = self.store.conversation(conversation_id).await? else {
            return Ok(None);
        };
        if conversation.erased_ms.is_some() {
            return Ok(None);
        }
        let messages = self
            .store
            .messages_after(conversation_id, 0, i64::MAX)
            .await?;
        Ok(Some(Session {
            conversation,
            messages,
        }))
    }

    /// Whether replies stream: a transport that shows them passes a `deltas` channel to
    /// [`ChatService::visitor_message`].
    pub fn streams(&self) -> bool {
        self.engine.streams()
    }

    /// The day's use of the model, when the engine calls one.
    pub fn model_use(&self) -> Option<super::llm::ModelUse> {
        self.engine.model_use()
    }
}

/// The page's origin and path: an older widget sends the whole address, whose query and
/// fragment may carry tokens, search terms or an e-mail address.
fn page_address(url: &str) -> String {
    let bare = url.split(['?', '#']).next().unwrap_or_default();
    crate::lead::text::truncate(bare, 2048).to_owned()
}
