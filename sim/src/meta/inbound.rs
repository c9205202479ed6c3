//! The inbound events a test can make Meta send: one builder per WhatsApp message type,
//! receipt and error, and per Messenger and Instagram event. Each returns the payload exactly
//! in Meta's webhook shape with fresh message ids; [`super::with_timestamp`] sets its time and
//! [`super::batch`] puts several in one POST. Sources are cited in `wa_events.rs` and
//! `events.rs`, and per builder below.

use serde_json::{Value, json};

use super::MetaSim;
use super::events::{self, Inbox, ig_mid, mid, page_event};
use super::wa_events::{self, WaUser};

impl MetaSim {
    fn wa(&self, from: &WaUser, fields: Value) -> Value {
        wa_events::message(&self.state.options, from, fields)
    }

    /// The `context` of a reply to the business message `context_id`.
    fn context(&self, context_id: &str) -> Value {
        json!({"from": self.state.options.display_phone_number, "id": context_id})
    }

    /// An inbound WhatsApp text from `from` (`wa_id`, digits) named `name`
    /// (`webhooks/reference/messages/text`).
    pub fn whatsapp_text_event(&self, from: &str, name: &str, text: &str) -> Value {
        self.whatsapp_text_from(&WaUser::phone(from, name), text)
    }

    /// An inbound WhatsApp text from any sender, e.g. one known only by BSUID.
    pub fn whatsapp_text_from(&self, from: &WaUser, text: &str) -> Value {
        self.wa(from, json!({"type": "text", "text": {"body": text}}))
    }

    /// An inbound WhatsApp text from a user Meta names by BSUID only: `contacts[].user_id` and
    /// `profile.username`, `messages[].from_user_id`, and no `wa_id` or `from`
    /// (business-scoped-user-ids page, "Incoming messages webhooks").
    pub fn whatsapp_bsuid_text_event(
        &self,
        user_id: &str,
        username: &str,
        name: &str,
        text: &str,
    ) -> Value {
        self.whatsapp_text_from(&WaUser::bsuid(user_id, name).with_username(username), text)
    }

    /// An inbound WhatsApp reply-button tap answering the business message `context_id`
    /// (`interactive.type: "button_reply"`).
    pub fn whatsapp_button_reply_event(
        &self,
        from: &str,
        name: &str,
        reply_id: &str,
        title: &str,
        context_id: &str,
    ) -> Value {
        self.whatsapp_button_reply_from(&WaUser::phone(from, name), reply_id, title, context_id)
    }

    /// A reply-button tap from any sender.
    pub fn whatsapp_button_reply_from(
        &self,
        from: &WaUser,
        reply_id: &str,
        title: &str,
        context_id: &str,
    ) -> Value {
        self.wa(
            from,
            json!({
                "type": "interactive",
                "context": self.context(context_id),
                "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
            }),
        )
    }

    /// A list-row choice answering the list message `context_id` (`interactive.type:
    /// "list_reply"`, `webhooks/reference/messages/interactive`).
    pub fn whatsapp_list_reply_event(
        &self,
        from: &WaUser,
        row_id: &str,
        title: &str,
        description: Option<&str>,
        context_id: &str,
    ) -> Value {
        let mut reply = json!({"id": row_id, "title": title});
        if let Some(description) = description {
            reply["description"] = json!(description);
        }
        self.wa(
            from,
            json!({
                "type": "interactive",
                "context": self.context(context_id),
                "interactive": {"type": "list_reply", "list_reply": reply},
            }),
        )
    }

    /// A quick-reply tap on a template message `context_id`: `type: "button"` with
    /// `button.{payload,text}` (`webhooks/reference/messages/button`), not an interactive reply.
    pub fn whatsapp_template_button_event(
        &self,
        from: &WaUser,
        payload: &str,
        text: &str,
        context_id: &str,
    ) -> Value {
        self.wa(
            from,
            json!({
                "type": "button",
                "context": self.context(context_id),
                "button": {"payload": payload, "text": text},
            }),
        )
    }

    /// An image (`webhooks/reference/messages/image`): `image.{caption?,mime_type,sha256,id,url}`.
    pub fn whatsapp_image_event(&self, from: &WaUser, caption: Option<&str>) -> Value {
        let image = wa_events::media("image/jpeg", json!({ "caption": caption }));
        self.wa(from, json!({"type": "image", "image": image}))
    }

    /// An audio file, or a voice recording when `voice` (`webhooks/reference/messages/audio`).
    pub fn whatsapp_audio_event(&self, from: &WaUser, voice: bool) -> Value {
        let audio = wa_events::media("audio/ogg; codecs=opus", json!({ "voice": voice }));
        self.wa(from, json!({"type": "audio", "audio": audio}))
    }

    /// A video (`webhooks/reference/messages/video`).
    pub fn whatsapp_video_event(&self, from: &WaUser, caption: Option<&str>) -> Value {
        let video = wa_events::media("video/mp4", json!({ "caption": caption }));
        self.wa(from, json!({"type": "video", "video": video}))
    }

    /// A document (`webhooks/reference/messages/document`).
    pub fn whatsapp_document_event(
        &self,
        from: &WaUser,
        filename: &str,
        caption: Option<&str>,
    ) -> Value {
        let document = wa_events::media(
            "application/pdf",
            json!({ "filename": filename, "caption": caption }),
        );
        self.wa(from, json!({"type": "document", "document": document}))
    }

    /// A sticker (`webhooks/reference/messages/sticker`).
    pub fn whatsapp_sticker_event(&self, from: &WaUser, animated: bool) -> Value {
        let sticker = wa_events::media("image/webp", json!({ "animated": animated }));
        self.wa(from, json!({"type": "sticker", "sticker": sticker}))
    }

    /// A shared location (`webhooks/reference/messages/location`); `name` and `address` are
    /// present for a named place.
    pub fn whatsapp_location_event(
        &self,
        from: &WaUser,
        latitude: f64,
        longitude: f64,
        name: Option<&str>,
        address: Option<&str>,
    ) -> Value {
        let mut location = json!({"latitude": latitude, "longitude": longitude});
        if let Some(name) = name {
            location["name"] = json!(name);
        }
        if let Some(address) = address {
            location["address"] = json!(address);
        }
        self.wa(from, json!({"type": "location", "location": location}))
    }

    /// A shared contact card (`webhooks/reference/messages/contacts`): `contacts[].name` and one
    /// mobile `phones[]` entry whose `wa_id` is the number's digits.
    pub fn whatsapp_contacts_event(
        &self,
        from: &WaUser,
        formatted_name: &str,
        phone: &str,
    ) -> Value {
        let first_name = formatted_name.split_whitespace().next().unwrap_or_default();
        let wa_id: String = phone.chars().filter(char::is_ascii_digit).collect();
        self.wa(
            from,
            json!({
                "type": "contacts",
                "contacts": [{
                    "name": {"formatted_name": formatted_name, "first_name": first_name},
                    "phones": [{"phone": phone, "wa_id": wa_id, "type": "MOBILE"}],
                }],
            }),
        )
    }

    /// A reaction to the business message `message_id`; `None` removes an earlier reaction
    /// (the `emoji` property is then omitted, `webhooks/reference/messages/reaction`).
    pub fn whatsapp_reaction_event(
        &self,
        from: &WaUser,
        message_id: &str,
        emoji: Option<&str>,
    ) -> Value {
        let mut reaction = json!({ "message_id": message_id });
        if let Some(emoji) = emoji {
            reaction["emoji"] = json!(emoji);
        }
        self.wa(from, json!({"type": "reaction", "reaction": reaction}))
    }

    /// A message of a type the Cloud API does not support (`kind`, e.g. `edit`, `poll`):
    /// `type: "unsupported"` with error 131051 in `messages[].errors[]`
    /// (`webhooks/reference/messages/unsupported`).
    pub fn whatsapp_unsupported_event(&self, from: &WaUser, kind: &str) -> Value {
        self.wa(
            from,
            json!({
                "type": "unsupported",
                "unsupported": {"type": kind},
                "errors": [{
                    "code": 131051,
                    "title": "Message type unknown",
                    "message": "Message type unknown",
                    "error_data": {"details": "Message type is currently not supported."},
                }],
            }),
        )
    }

    /// A system message: `from` changed their number (or BSUID) to `to`'s
    /// (`webhooks/reference/messages/system`; business-scoped-user-ids page, "System messages
    /// webhooks"). It opens no customer-service window: the user wrote nothing.
    pub fn whatsapp_system_event(&self, from: &WaUser, to: &WaUser) -> Value {
        wa_events::system(&self.state.options, from, to)
    }

    /// A WhatsApp status receipt (`sent`, `delivered`, `read`, `failed`) for a sent message.
    /// `recipient` is the phone number or BSUID it was sent to; the BSUID fields and the
    /// `contacts` block are added when the simulator knows the user
    /// (`webhooks/reference/messages/status`; business-scoped-user-ids page, "Status messages
    /// webhooks"). A `failed` receipt built here carries error 131000; see
    /// [`MetaSim::whatsapp_failed_status_event`].
    pub fn whatsapp_status_event(&self, wamid: &str, status: &str, recipient: &str) -> Value {
        let user = self.recipient(recipient);
        wa_events::status(&self.state.options, wamid, status, &user, None)
    }

    /// A `failed` receipt with `errors[]` for `code` (e.g. 131047, 131049, 131026), shaped as
    /// the status reference's failed example: no `contacts`, no pricing.
    pub fn whatsapp_failed_status_event(&self, wamid: &str, recipient: &str, code: u32) -> Value {
        let user = self.recipient(recipient);
        wa_events::status(&self.state.options, wamid, "failed", &user, Some(code))
    }

    /// A change-level `errors[]` webhook for a system or app error such as 130429
    /// (`webhooks/reference/messages/errors`).
    pub fn whatsapp_errors_event(&self, code: u32) -> Value {
        wa_events::errors(&self.state.options, code)
    }

    /// The user a receipt names (see `Meta::receipt_user`).
    fn recipient(&self, to: &str) -> WaUser {
        self.state.receipt_user(to)
    }

    /// An inbound Messenger text from page-scoped user `psid`.
    pub fn messenger_text_event(&self, psid: &str, text: &str) -> Value {
        events::messenger_event(
            &self.state.options,
            psid,
            json!({"message": {"mid": mid(), "text": text}}),
        )
    }

    /// A Messenger quick-reply tap: the button title as `text` and `message.quick_reply.payload`
    /// (`webhooks/webhook-events/messages`, "Text Message").
    pub fn messenger_quick_reply_event(&self, psid: &str, title: &str, payload: &str) -> Value {
        events::messenger_event(
            &self.state.options,
            psid,
            json!({"message": {"mid": mid(), "text": title, "quick_reply": {"payload": payload}}}),
        )
    }

    /// A Messenger postback (button tap) from `psid`.
    pub fn messenger_postback_event(&self, psid: &str, title: &str, payload: &str) -> Value {
        events::messenger_event(
            &self.state.options,
            psid,
            json!({"postback": {"mid": mid(), "title": title, "payload": payload}}),
        )
    }

    /// The echo of a message the page sent to `psid`: sender is the page, `message.is_echo`,
    /// `app_id` and `metadata` (`reference/webhook-events/message-echoes`). It opens no window.
    pub fn messenger_echo_event(&self, psid: &str, text: &str) -> Value {
        page_event(
            &self.state.options,
            Inbox::Messenger,
            psid,
            false,
            json!({"message": {
                "is_echo": true,
                "app_id": self.state.options.app_id,
                "metadata": "leadgate",
                "mid": mid(),
                "text": text,
            }}),
        )
    }

    /// `psid` read every page message sent up to `watermark` (Unix milliseconds)
    /// (`webhooks/webhook-events/message-reads`).
    pub fn messenger_read_event(&self, psid: &str, watermark: i64) -> Value {
        events::messenger_event(
            &self.state.options,
            psid,
            json!({"read": {"watermark": watermark}}),
        )
    }

    /// The page messages `mids` reached `psid`, as did everything before `watermark` (Unix
    /// milliseconds). Meta's example has no `timestamp`, so neither does this
    /// (`webhooks/webhook-events/message-deliveries`).
    pub fn messenger_delivery_event(&self, psid: &str, mids: &[&str], watermark: i64) -> Value {
        events::messenger_event(
            &self.state.options,
            psid,
            json!({"timestamp": null, "delivery": {"mids": mids, "watermark": watermark}}),
        )
    }

    /// An Instagram direct message from `igsid` to the Instagram account (`object:
    /// "instagram"`; Instagram Platform webhook examples).
    pub fn instagram_text_event(&self, igsid: &str, text: &str) -> Value {
        page_event(
            &self.state.options,
            Inbox::Instagram,
            igsid,
            true,
            json!({"message": {"mid": ig_mid(), "text": text}}),
        )
    }

    /// `igsid` mentioned the account in a story: a message whose attachment has type
    /// `story_mention` and the story's CDN URL, which expires with the story
    /// (<https://developers.facebook.com/docs/messenger-platform/instagram/features/story-mention>).
    pub fn instagram_story_mention_event(&self, igsid: &str, cdn_url: &str) -> Value {
        page_event(
            &self.state.options,
            Inbox::Instagram,
            igsid,
            true,
            json!({"message": {
                "mid": ig_mid(),
                "attachments": [{"type": "story_mention", "payload": {"url": cdn_url}}],
            }}),
        )
    }
}
