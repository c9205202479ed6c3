//! Numbering plans: libphonenumber's metadata (shipped by the `phonenumber` crate), compiled once
//! per region into our own regexes, and the parts of libphonenumber's parsing we need.
//!
//! The crate keeps its patterns in one shared least-recently-used cache of 100 compiled regexes
//! behind a mutex. Numbers from a dozen regions, or one North American number (25 regions share
//! +1), evict and recompile patterns on every call, so parsing and validating through the crate
//! costs hundreds of microseconds. Here each region's patterns are compiled the first time the
//! region is needed and then only read; the crate is used for its data alone.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
use regex::{Regex, RegexBuilder};

/// One number type of a region: its national-number pattern and possible lengths.
struct Pattern {
    re: Regex,
    lengths: &'static [u16],
}

impl Pattern {
    fn from(desc: &'static Descriptor) -> Option<Pattern> {
        Some(Pattern {
            re: whole(desc.national_number().as_str())?,
            lengths: desc.possible_length(),
        })
    }

    fn matches(&self, nsn: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(nsn.len() as u16)))
            && self.re.is_match(nsn)
    }
}

/// A region's compiled patterns.
struct Rules {
    leading_digits: Option<Regex>,
    general: Pattern,
    types: Vec<Pattern>,
    /// The international call prefix ("00", "011", "0011"), anchored at the start.
    international_prefix: Option<Regex>,
    /// The trunk prefix as it is parsed ("0", or richer patterns with groups), anchored.
    national_prefix: Option<Regex>,
    /// What replaces a matched trunk prefix, as a regex replacement template.
    transform: Option<String>,
}

/// One region of a country code, compiled on first use.
struct Entry {
    id: &'static str,
    meta: &'static Metadata,
    rules: OnceLock<Option<Rules>>,
}

/// Every country code's regions, in libphonenumber's order (the main country first). Keyed by
/// code because the non-geographic entities (+800, +870…) all have the id "001".
static CODES: LazyLock<HashMap<u16, Vec<Entry>>> = LazyLock::new(|| {
    (1..1000u16)
        .filter_map(|code| {
            let metas = DATABASE.by_code(&code)?;
            let order = DATABASE.region(&code).unwrap_or_default();
            let mut entries: Vec<Entry> = metas
                .into_iter()
                .map(|meta| Entry {
                    id: meta.id(),
                    meta,
                    rules: OnceLock::new(),
                })
                .collect();
            entries.sort_by_key(|e| {
                order
                    .iter()
                    .position(|id| *id == e.id)
                    .unwrap_or(usize::MAX)
            });
            Some((code, entries))
        })
        .collect()
});

/// Geographic regions by id.
static REGIONS: LazyLock<HashMap<&'static str, &'static Entry>> = LazyLock::new(|| {
    CODES
        .values()
        .flatten()
        .filter(|e| e.id != "001")
        .map(|e| (e.id, e))
        .collect()
});

fn whole(source: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{source})$"))
        .ignore_whitespace(true)
        .build()
        .ok()
}

fn prefix(source: &str) -> Option<Regex> {
    RegexBuilder::new(&format!("^(?:{source})"))
        .ignore_whitespace(true)
        .build()
        .ok()
}

/// libphonenumber writes replacement groups as `$1`; the regex crate wants `${1}` when a digit
/// follows.
fn template(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len() + 4);
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let digit = chars.next().unwrap_or('0');
            out.push_str(&format!("${{{digit}}}"));
        } else {
            out.push(c);
        }
    }
    out
}

fn compile(meta: &'static Metadata) -> Option<Rules> {
    let d = meta.descriptors();
    let types = [
        d.premium_rate(),
        d.toll_free(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
        d.fixed_line(),
        d.mobile(),
    ]
    .into_iter()
    .flatten()
    .filter_map(Pattern::from)
    .collect();
    let national_prefix = match meta.national_prefix_for_parsing() {
        Some(re) => prefix(re.as_str()),
        None => meta
            .national_prefix()
            .and_then(|p| prefix(&regex::escape(p))),
    };
    Some(Rules {
        leading_digits: meta.leading_digits().and_then(|r| prefix(r.as_str())),
        general: Pattern::from(d.general())?,
        types,
        international_prefix: meta.international_prefix().and_then(|r| prefix(r.as_str())),
        national_prefix,
        transform: meta.national_prefix_transform_rule().map(template),
    })
}

fn rules(entry: &'static Entry) -> Option<&'static Rules> {
    entry.rules.get_or_init(|| compile(entry.meta)).as_ref()
}

/// Whether a national significant number is a valid number of some type in the region.
fn has_type(rules: &Rules, nsn: &str) -> bool {
    rules.general.matches(nsn) && rules.types.iter().any(|p| p.matches(nsn))
}

/// The region a number with this country code belongs to, as libphonenumber decides it: the only
/// region of the code, else the first whose leading digits match or whose types accept it.
fn region_for(code: u16, nsn: &str) -> Option<&'static Entry> {
    let entries = CODES.get(&code)?;
    if entries.len() == 1 {
        return entries.first();
    }
    entries.iter().find(|e| match rules(e) {
        Some(r) => match &r.leading_digits {
            Some(lead) => lead.is_match(nsn),
            None => has_type(r, nsn),
        },
        None => false,
    })
}

/// Whether `+{code}{nsn}` is a valid number.
fn is_valid(code: u16, nsn: &str) -> bool {
    region_for(code, nsn)
        .and_then(rules)
        .is_some_and(|r| has_type(r, nsn))
}

/// Splits international digits into a country code and the national significant number.
fn split_country_code(digits: &str) -> Option<(u16, &str)> {
    (1..=3).find_map(|n| {
        let code: u16 = digits.get(..n)?.parse().ok()?;
        CODES.contains_key(&code).then(|| (code, &digits[n..]))
    })
}

/// The number after a `+` (or an international prefix) in E.164, when valid. A trunk zero typed
/// after the country code ("+44 0117…") is dropped, as libphonenumber does; North America's
/// trunk "1" after +1 is a typo, not a prefix to drop.
pub(super) fn international_e164(digits: &str) -> Option<String> {
    let (code, nsn) = split_country_code(digits)?;
    if is_valid(code, nsn) {
        return Some(format!("+{code}{nsn}"));
    }
    let main = CODES.get(&code)?.first()?;
    let stripped = nsn.strip_prefix(main.meta.national_prefix().filter(|p| *p == "0")?)?;
    is_valid(code, stripped).then(|| format!("+{code}{stripped}"))
}

/// Removes the trunk prefix from a national number the way libphonenumber does: only when what
/// is left still looks like a number of the region if the whole did.
fn strip_trunk_prefix(rules: &Rules, digits: &str) -> String {
    let Some(re) = &rules.national_prefix else {
        return digits.to_owned();
    };
    let Some(caps) = re.captures(digits) else {
        return digits.to_owned();
    };
    let viable = rules.general.re.is_match(digits);
    let last_group = caps.iter().skip(1).last().flatten();
    let candidate = match (&rules.transform, last_group) {
        (Some(transform), Some(_)) => {
            let mut out = String::new();
            caps.expand(transform, &mut out);
            out.push_str(&digits[caps.get(0).map_or(0, |m| m.end())..]);
            out
        }
        _ => digits[caps.get(0).map_or(0, |m| m.end())..].to_owned(),
    };
    if viable && !rules.general.re.is_match(&candidate) {
        return digits.to_owned();
    }
    candidate
}

/// A number typed in `region`'s national way (or with its international prefix) in E.164, when
/// valid.
pub(super) fn national_e164(region: &str, digits: &str) -> Option<String> {
    let entry = *REGIONS.get(region)?;
    let rules = rules(entry)?;
    let code = entry.meta.country_code();
    if let Some(idd) = rules
        .international_prefix
        .as_ref()
        .and_then(|re| re.find(digits))
    {
        // An international prefix is only one when a country code, not a zero, follows it.
        let rest = &digits[idd.end()..];
        if !rest.is_empty()
            && !rest.starts_with('0')
            && let Some(e164) = international_e164(rest)
        {
            return Some(e164);
        }
    }
    let nsn = strip_trunk_prefix(rules, digits);
    if is_valid(code, &nsn) {
        return Some(format!("+{code}{nsn}"));
    }
    // The region's country code typed without a plus: "48 601 234 567" in Poland.
    let rest = digits.strip_prefix(code.to_string().as_str())?;
    let nsn = strip_trunk_prefix(rules, rest);
    is_valid(code, &nsn).then(|| format!("+{code}{nsn}"))
}

/// The parts of a valid E.164 number's digits: its country code, national significant number,
/// region id (`None` for the non-geographic codes) and that region's trunk prefix.
pub(super) fn parts(
    digits: &str,
) -> Option<(u16, &str, Option<&'static str>, Option<&'static str>)> {
    let (code, nsn) = split_country_code(digits)?;
    let entry = region_for(code, nsn)?;
    let region = (entry.id != "001").then_some(entry.id);
    Some((code, nsn, region, entry.meta.national_prefix()))
}

/// The region's trunk prefix ("0" in most of Europe), if it has one.
pub(super) fn trunk_prefix(region: &str) -> Option<&'static str> {
    REGIONS.get(region)?.meta.national_prefix()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_by_country_code() {
        assert!(is_valid(48, "601234567"));
        assert!(is_valid(1, "6172943381"));
        assert!(is_valid(44, "1179254410"));
        assert!(!is_valid(48, "60122"));
        assert!(!is_valid(1, "5550000"));
        assert!(
            is_valid(800, "12345678"),
            "non-geographic entities have their own patterns"
        );
        assert_eq!(split_country_code("48601234567"), Some((48, "601234567")));
        assert_eq!(split_country_code("16172943381"), Some((1, "6172943381")));
        assert_eq!(split_country_code("3242234567"), Some((32, "42234567")));
        assert_eq!(trunk_prefix("GB"), Some("0"));
    }

    #[test]
    fn national_numbers_in_their_region() {
        assert_eq!(
            national_e164("DE", "01714829615").as_deref(),
            Some("+491714829615")
        );
        assert_eq!(
            national_e164("DE", "004930123456").as_deref(),
            Some("+4930123456")
        );
        assert_eq!(
            national_e164("US", "01149301234567").as_deref(),
            Some("+49301234567")
        );
        assert_eq!(
            national_e164("PL", "48601234567").as_deref(),
            Some("+48601234567")
        );
        assert_eq!(
            national_e164("IT", "0212345678").as_deref(),
            Some("+390212345678")
        );
        assert_eq!(national_e164("PL", "4860122"), None);
        assert_eq!(national_e164("XX", "601234567"), None);
    }

    #[test]
    fn replacement_templates() {
        assert_eq!(template("9$1"), "9${1}");
        assert_eq!(template("$15"), "${1}5");
        assert_eq!(template("x"), "x");
    }
}
