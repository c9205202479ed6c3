//! The web domain a lead's email address names for their company: the address's domain, unless
//! it belongs to a mailbox provider (a Gmail address says nothing about the visitor's company).

use crate::lead::Email;

/// Mailbox providers' domains, matched whole.
const PROVIDERS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "msn.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "mail.com",
    "zoho.com",
    "zohomail.com",
    "fastmail.com",
    "tutanota.com",
    "hey.com",
    "qq.com",
    "163.com",
    "mail.ru",
    "web.de",
    "t-online.de",
    "freenet.de",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "op.pl",
    "interia.pl",
    "poczta.onet.pl",
    "tlen.pl",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "wanadoo.fr",
    "sfr.fr",
    "libero.it",
    "seznam.cz",
    "btinternet.com",
    "comcast.net",
    "verizon.net",
    "att.net",
];

/// Providers present under many country domains (`yahoo.co.uk`, `hotmail.fr`, `gmx.de`),
/// matched by the domain's first label.
const PROVIDER_BRANDS: &[&str] = &[
    "yahoo", "ymail", "hotmail", "outlook", "live", "aol", "gmx", "yandex",
];

/// The company domain of an address: its domain in lower case, or `None` for a mailbox
/// provider's.
pub fn company_domain(email: &Email) -> Option<&str> {
    let domain = email.domain();
    let brand = domain.split('.').next().unwrap_or_default();
    let personal = PROVIDERS.contains(&domain) || PROVIDER_BRANDS.contains(&brand);
    (!personal).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(raw: &str) -> Option<String> {
        company_domain(&Email::parse(raw).unwrap()).map(str::to_owned)
    }

    #[test]
    fn business_addresses_name_their_domain_and_mailboxes_none() {
        assert_eq!(of("Anna@Firma.PL").as_deref(), Some("firma.pl"));
        assert_eq!(
            of("jo@sales.acme.co.uk").as_deref(),
            Some("sales.acme.co.uk")
        );
        for personal in [
            "a@gmail.com",
            "a@yahoo.co.uk",
            "a@hotmail.fr",
            "a@gmx.de",
            "a@wp.pl",
            "a@icloud.com",
        ] {
            assert_eq!(of(personal), None, "{personal}");
        }
    }
}
