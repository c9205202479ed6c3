//! A number a rep typed in national format is the person the chat's E.164 number names.

use leadgate::crm::CrmLinks;
use leadgate::crm::progressive::execute;

use super::{Row, Seed, lead, ok};

/// A rep stored "(415) 555-0134" or "0161 496 0000"; a WhatsApp chat gives the number in
/// E.164 and nothing else. The person is found, not created twice, and a rep's other person
/// whose number merely ends alike is not taken for them.
pub async fn a_number_a_rep_typed_nationally_is_found<C: Row>() {
    for (typed, alike, chat) in [
        ("(415) 555-0134", "(212) 555-0134", "+1 415 555 0134"),
        ("0161 496 0000", "020 7946 0000", "+44 161 496 0000"),
    ] {
        let crm = C::start().await;
        let api = crm.connector();
        let other = crm.seed(Seed {
            phone: Some(alike),
            first_name: Some("Other"),
            last_name: Some("Person"),
            company: Some("Elsewhere"),
            ..Seed::default()
        });
        let id = crm.seed(Seed {
            phone: Some(typed),
            first_name: Some("Jo"),
            last_name: Some("Rep-Typed"),
            company: Some("Acme"),
            ..Seed::default()
        });
        let out = execute(
            &*api,
            &lead::<C>(None, Some(chat), None, None),
            CrmLinks::default(),
        )
        .await;
        ok(&out);
        assert_eq!(out.links.person.as_deref(), Some(id.as_str()), "{typed}");
        assert_ne!(out.links.person.as_deref(), Some(other.as_str()));
        assert!(!out.created_person, "{typed}");
        assert_eq!(crm.counts()[0], 2, "{typed}: no third person");
    }
}
