//! Which company record each person seen lately belongs to (a Salesforce or Zoho Account of a
//! Contact), remembered from the reads and writes that showed it, so a deal on the person's
//! company needs no extra read.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

/// Reads a person row as `(person id, company id)`; `None` for rows that are not such persons
/// (a Lead, whose company is text).
pub type RowCompany = fn(&Value) -> Option<(String, Option<String>)>;

/// One connector's cache of person → company record.
#[derive(Debug)]
pub struct Companies {
    by_person: Mutex<HashMap<String, Option<String>>>,
    of_row: RowCompany,
}

impl Companies {
    /// Entries kept before the cache starts over.
    const MAX: usize = 10_000;

    /// An empty cache whose rows are read with `of_row`.
    pub fn new(of_row: RowCompany) -> Companies {
        Companies {
            by_person: Mutex::new(HashMap::new()),
            of_row,
        }
    }

    /// Remembers a person's company (`None`: known to have none).
    pub fn remember(&self, person: &str, company: Option<String>) {
        let mut map = self.by_person.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert(person.to_owned(), company);
    }

    /// A person's company, if known (`Some(None)`: known to have none).
    pub fn get(&self, person: &str) -> Option<Option<String>> {
        self.by_person
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(person)
            .cloned()
    }

    /// Remembers the company of a person row (nothing for other rows).
    pub fn remember_row(&self, row: &Value) {
        if let Some((person, company)) = (self.of_row)(row) {
            self.remember(&person, company);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn rows_are_read_by_the_connectors_reader_and_the_cache_starts_over_when_full() {
        let contacts = Companies::new(|row| {
            let id = row["Id"].as_str()?.to_owned();
            Some((id, row["AccountId"].as_str().map(str::to_owned)))
        });
        contacts.remember_row(&json!({"Id": "003A", "AccountId": "001A"}));
        contacts.remember_row(&json!({"Id": "003B", "AccountId": null}));
        contacts.remember_row(&json!({"Name": "no id"}));
        assert_eq!(contacts.get("003A"), Some(Some("001A".to_owned())));
        assert_eq!(contacts.get("003B"), Some(None), "known to have none");
        assert_eq!(contacts.get("003C"), None, "not known");
        for n in 0..Companies::MAX {
            contacts.remember(&format!("p{n}"), None);
        }
        assert_eq!(contacts.get("003A"), None, "started over");
    }
}
