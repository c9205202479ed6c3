//! `leadgate bench webhook`: a load tool that plays Meta toward a running gateway. It sends
//! signed WhatsApp webhook POSTs — distinct people writing distinct messages in five languages,
//! sometimes several in one batch, as Meta batches them — at a target rate, and reports how
//! many events a second the gateway took and how long each POST waited for its 200.
//!
//! The bodies go on the wire as Meta sends them (compact JSON, non-ASCII as `\u` escapes) and
//! are signed over those exact bytes with the app secret.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use hmac::{Hmac, KeyInit, Mac};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::{Mutex, Semaphore};

/// Options of `leadgate bench webhook`.
#[derive(Debug, Args)]
pub struct WebhookBench {
    /// The gateway's WhatsApp webhook URL.
    #[arg(long, default_value = "http://127.0.0.1:8080/webhooks/whatsapp")]
    pub url: String,
    /// The Meta app secret the gateway checks signatures with.
    #[arg(long, env = "LEADGATE_BENCH_APP_SECRET")]
    pub app_secret: String,
    /// The business number's id (a `[[channels.whatsapp.numbers]]` entry).
    #[arg(long)]
    pub phone_number_id: String,
    /// Messages to send in all.
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,
    /// Target messages per second.
    #[arg(long, default_value_t = 1000)]
    pub rate: u32,
    /// Distinct people writing; each writes several messages over the run.
    #[arg(long, default_value_t = 5000)]
    pub senders: usize,
    /// POSTs in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seed of the generator (the same seed sends the same run).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

/// What one run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WebhookReport {
    pub events: usize,
    pub posts: usize,
    pub failed_posts: usize,
    pub seconds: f64,
    pub events_per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

const FIRST: &[&str] = &[
    "Anna",
    "Jan",
    "Marta",
    "Piotr",
    "Paula",
    "Jonas",
    "Lena",
    "Felix",
    "Lucía",
    "Javier",
    "María José",
    "Camille",
    "Étienne",
    "Chloé",
    "Oliver",
    "Siobhan",
    "Grace",
    "Tomasz",
    "Zofia",
    "Björn",
];
const LAST: &[&str] = &[
    "Kowalska",
    "Nowak",
    "Wiśniewski",
    "Brandt",
    "Becker",
    "Müller",
    "García López",
    "Romero",
    "de la Fuente",
    "Laurent",
    "Dubois",
    "O'Driscoll",
    "Grant",
    "von der Heide",
    "Żółw",
    "Pérez",
];
const COMPANY: &[&str] = &[
    "Volt-Pol Sp. z o.o.",
    "Brandt Logistik GmbH",
    "Hotel Mirador S.L.",
    "Atelier Bleu SAS",
    "Harbour Lights Ltd",
    "Corrib Bay Hotels Ltd",
    "Kwiaciarnia Róża",
    "Becker Bau GmbH & Co. KG",
    "Northwind Traders",
    "Taller Ortega S.L.",
    "Boulangerie Martin SARL",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "firma.pl",
    "web.de",
    "empresa.es",
    "orange.fr",
    "outlook.com",
];
/// Country prefixes and the national significant numbers people there have.
const NUMBERS: &[(&str, &str, usize)] = &[
    ("48", "6", 8),
    ("49", "151", 8),
    ("34", "6", 8),
    ("33", "6", 8),
    ("44", "79", 8),
];

/// One message a person writes, by language: the words around the facts vary.
fn line(rng: &mut StdRng, lang: usize, first: &str, last: &str) -> String {
    let company = COMPANY[rng.random_range(0..COMPANY.len())];
    let budget = rng.random_range(2..200) * 500;
    let days = rng.random_range(1..120);
    let email = format!(
        "{}.{}{}@{}",
        first.to_lowercase().replace(' ', ""),
        last.to_lowercase().replace([' ', '\''], ""),
        rng.random_range(1..999),
        DOMAINS[rng.random_range(0..DOMAINS.len())]
    );
    let pick = rng.random_range(0..6);
    let s = match (lang, pick) {
        (0, 0) => format!("Hi, I'm {first} {last} from {company}, we need a chatbot for our shop."),
        (0, 1) => format!("Our budget is around £{budget} and we'd like to start in {days} days."),
        (0, 2) => format!("You can reach me at {email}"),
        (0, 3) => "Do you integrate with Shopify? And how long does setup take?".to_owned(),
        (0, 4) => "I sign off on this myself, no committee.".to_owned(),
        (0, _) => format!(
            "We're about {} people, currently using Intercom.",
            rng.random_range(5..900)
        ),
        (1, 0) => format!("Dzień dobry, {first} {last}, {company}. Szukamy czatu na stronę."),
        (1, 1) => format!("Budżet do {budget} zł, start za {days} dni."),
        (1, 2) => format!("mój mail: {email}"),
        (1, 3) => "Czy to działa z WooCommerce? ile kosztuje wdrożenie?".to_owned(),
        (1, 4) => "Decyzję podejmuje zarząd, ja przygotowuję ofertę.".to_owned(),
        (1, _) => format!("Zatrudniamy ok. {} osób.", rng.random_range(5..900)),
        (2, 0) => format!("Guten Tag, {first} {last} von der {company}."),
        (2, 1) => {
            format!("Unser Budget liegt bei {budget} € und wir wollen in {days} Tagen starten.")
        }
        (2, 2) => format!("Erreichbar unter {email}"),
        (2, 3) => "Gibt es eine Schnittstelle zu SAP? Was kostet das pro Monat?".to_owned(),
        (2, 4) => "Ich bin Geschäftsführer und entscheide das.".to_owned(),
        (2, _) => format!("Wir sind rund {} Mitarbeitende.", rng.random_range(5..900)),
        (3, 0) => format!("Hola, soy {first} {last}, de {company}."),
        (3, 1) => format!("Tenemos unos {budget} euros y queremos empezar en {days} días."),
        (3, 2) => format!("mi correo es {email}"),
        (3, 3) => "¿Se integra con HubSpot? ¿Cuánto cuesta al mes?".to_owned(),
        (3, 4) => "La decisión la toma mi jefa, yo lo presento.".to_owned(),
        (3, _) => format!("Somos {} empleados.", rng.random_range(5..900)),
        (_, 0) => format!("Bonjour, {first} {last}, de {company}."),
        (_, 1) => format!("Budget d'environ {budget} €, démarrage dans {days} jours."),
        (_, 2) => format!("Mon adresse : {email}"),
        (_, 3) => "Est-ce compatible avec Shopify ? Quel est le prix ?".to_owned(),
        (_, 4) => "C'est moi qui décide, je suis gérante.".to_owned(),
        (_, _) => format!("Nous sommes {} salariés.", rng.random_range(5..900)),
    };
    if rng.random_bool(0.1) {
        // Some type without accents.
        return crate::lead::text::fold_case(&s);
    }
    s
}

/// A person: their `wa_id`, profile name and language.
struct Person {
    wa_id: String,
    name: String,
    first: String,
    last: String,
    lang: usize,
}

fn people(rng: &mut StdRng, n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let (cc, start, len) = NUMBERS[rng.random_range(0..NUMBERS.len())];
            let mut number = format!("{cc}{start}");
            while number.len() < cc.len() + start.len() + len - 2 {
                number.push(char::from(b'0' + rng.random_range(0..10u8)));
            }
            number.push_str(&format!("{:02}", i % 100));
            let first = FIRST[rng.random_range(0..FIRST.len())].to_owned();
            let last = LAST[rng.random_range(0..LAST.len())].to_owned();
            Person {
                wa_id: number,
                name: first.clone(),
                first,
                last,
                lang: rng.random_range(0..5),
            }
        })
        .collect()
}

/// The body bytes Meta would send: compact JSON, non-ASCII as lowercase `\u` escapes, `/` as
/// `\/`.
fn wire(payload: &Value) -> String {
    let compact = payload.to_string();
    let mut out = String::with_capacity(compact.len() + 16);
    for c in compact.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Builds the POST bodies: `events` messages in batches of one to ten, most of one.
fn posts(opts: &WebhookBench) -> Vec<(String, usize)> {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let people = people(&mut rng, opts.senders.max(1));
    let start = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut out = Vec::new();
    let mut sent = 0;
    while sent < opts.events {
        let size = if rng.random_bool(0.8) {
            1
        } else {
            rng.random_range(2..=10)
        }
        .min(opts.events - sent);
        let mut messages = Vec::with_capacity(size);
        let mut contacts = Vec::with_capacity(size);
        for _ in 0..size {
            let p = &people[rng.random_range(0..people.len())];
            let text = line(&mut rng, p.lang, &p.first, &p.last);
            let id = format!("wamid.BENCH{}{:08}", opts.seed, sent + messages.len());
            messages.push(json!({"from": p.wa_id, "id": id, "timestamp": (start + (sent / 100) as i64).to_string(),
                "type": "text", "text": {"body": text}}));
            contacts.push(json!({"profile": {"name": p.name}, "wa_id": p.wa_id}));
        }
        let payload = json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": opts.phone_number_id},
            "contacts": contacts, "messages": messages}}]}]});
        sent += size;
        out.push((wire(&payload), size));
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the load and reports.
pub async fn run(opts: &WebhookBench) -> anyhow::Result<WebhookReport> {
    let bodies = posts(opts);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let slots = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(bodies.len())));
    let failed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let secret = opts.app_secret.as_bytes().to_vec();
    let per_event = Duration::from_secs_f64(1.0 / f64::from(opts.rate.max(1)));
    let started = Instant::now();
    let mut due = Duration::ZERO;
    let mut tasks = Vec::with_capacity(bodies.len());
    let posts = bodies.len();
    for (body, size) in bodies {
        // Pace by events, not by POSTs: a batch of five counts five.
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        due += per_event * size as u32;
        let permit = slots.clone().acquire_owned().await?;
        let (http, url, latencies, failed) = (
            http.clone(),
            opts.url.clone(),
            latencies.clone(),
            failed.clone(),
        );
        let signature = sign(&secret, body.as_bytes());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = http
                .post(&url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", signature)
                .body(body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if ok {
                latencies.lock().await.push(ms);
            } else {
                failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            drop(permit);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut l = latencies.lock().await.clone();
    l.sort_by(f64::total_cmp);
    Ok(WebhookReport {
        events: opts.events,
        posts,
        failed_posts: failed.load(std::sync::atomic::Ordering::Relaxed),
        seconds,
        events_per_second: opts.events as f64 / seconds,
        p50_ms: percentile(&l, 0.5),
        p90_ms: percentile(&l, 0.9),
        p99_ms: percentile(&l, 0.99),
        max_ms: l.last().copied().unwrap_or(0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_distinct_messages_signed_like_meta() {
        let opts = WebhookBench {
            url: String::new(),
            app_secret: "s".into(),
            phone_number_id: "1".into(),
            events: 500,
            rate: 1,
            senders: 50,
            concurrency: 1,
            seed: 3,
        };
        let bodies = posts(&opts);
        assert_eq!(bodies.iter().map(|(_, n)| n).sum::<usize>(), 500);
        let mut texts = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for (body, _) in &bodies {
            assert!(body.is_ascii(), "escaped like Meta's wire format");
            let v: Value = serde_json::from_str(body).unwrap();
            let parsed = crate::channels::whatsapp::parse(&v);
            for e in parsed.events {
                assert!(ids.insert(e.key));
                if let crate::channels::What::Text { text } = e.what {
                    texts.insert(text);
                }
            }
        }
        assert_eq!(ids.len(), 500);
        assert!(texts.len() > 300, "mostly distinct texts: {}", texts.len());
        assert_eq!(posts(&opts), bodies, "seeded");
    }
}
