//! Languages and regions a conversation can carry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The five languages leadgate speaks. Extraction reads every language's cues at once (visitors
/// switch languages); the conversation's language only breaks ties and picks reply templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Pl,
    De,
    Es,
    Fr,
}

impl Lang {
    /// Every supported language, in a stable order.
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Pl, Lang::De, Lang::Es, Lang::Fr];

    /// The language of a BCP 47 tag (`pl-PL`, `de`, `es_MX`), if it is one of ours.
    pub fn from_locale(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "pl" => Some(Lang::Pl),
            "de" => Some(Lang::De),
            "es" => Some(Lang::Es),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Pl => "pl",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An ISO 3166-1 alpha-2 region that the phone metadata knows, e.g. `PL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    code: [u8; 2],
}

/// A region code that is not a known ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region code {0:?} (expected an ISO 3166-1 alpha-2 code such as PL or DE)")]
pub struct RegionError(pub String);

impl Region {
    /// Parses an alpha-2 code, case-insensitively.
    pub fn parse(code: &str) -> Result<Region, RegionError> {
        let upper = code.trim().to_ascii_uppercase();
        if upper.len() != 2 {
            return Err(RegionError(code.to_owned()));
        }
        phonenumber::country::Id::from_str(&upper).map_err(|_| RegionError(code.to_owned()))?;
        let bytes = upper.as_bytes();
        Ok(Region {
            code: [bytes[0], bytes[1]],
        })
    }

    /// The region part of a BCP 47 tag (`pl-PL` -> PL, `es-MX` -> MX), if any.
    pub fn from_locale(tag: &str) -> Option<Region> {
        tag.split(['-', '_'])
            .skip(1)
            .find(|part| part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()))
            .and_then(|part| Region::parse(part).ok())
    }

    /// The alpha-2 code.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("ZZ")
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Region::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_locale_tags() {
        assert_eq!(Lang::from_locale("pl-PL"), Some(Lang::Pl));
        assert_eq!(Lang::from_locale("de_AT"), Some(Lang::De));
        assert_eq!(Lang::from_locale("ES"), Some(Lang::Es));
        assert_eq!(Lang::from_locale("fr-BE"), Some(Lang::Fr));
        assert_eq!(Lang::from_locale("en"), Some(Lang::En));
        assert_eq!(Lang::from_locale("it-IT"), None);
        assert_eq!(Lang::from_locale(""), None);
    }

    #[test]
    fn regions_come_from_codes_and_locale_tags() {
        assert_eq!(Region::parse("pl").unwrap().code(), "PL");
        assert_eq!(Region::from_locale("es-MX").unwrap().code(), "MX");
        assert_eq!(Region::from_locale("zh-Hant-TW").unwrap().code(), "TW");
        assert!(Region::from_locale("de").is_none());
        assert!(Region::parse("XX").is_err());
        assert!(Region::parse("POL").is_err());
    }
}
