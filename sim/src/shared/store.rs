//! The in-memory record store: one table per object type, records kept in insertion order.
//!
//! Vendor code reads and writes through [`Store::read`] / [`Store::write`], which hold the lock
//! for the whole closure, so a uniqueness check and the insert it guards are atomic.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// One stored CRM object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// The vendor's id, as a string (Pipedrive's numeric ids too).
    pub id: String,
    /// Field (property) values as the vendor stores them.
    pub fields: Map<String, Value>,
    /// Associated records as `(object type, id)`, e.g. `("companies", "102")`.
    pub associations: Vec<(String, String)>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last modification time.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Record {
    /// A record created now.
    pub(crate) fn new(id: String, fields: Map<String, Value>) -> Self {
        let now = OffsetDateTime::now_utc();
        Record {
            id,
            fields,
            associations: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// A field's value.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// A field's value, `null` when absent (never panics, unlike indexing the map).
    pub(crate) fn value(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.fields.get(name).unwrap_or(&NULL)
    }

    /// A field's value when it is a string.
    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    /// Add an association unless it is already there.
    pub(crate) fn associate(&mut self, object: &str, id: &str) {
        let pair = (object.to_owned(), id.to_owned());
        if !self.associations.contains(&pair) {
            self.associations.push(pair);
        }
    }
}

/// All tables of one simulator; what [`Store::write`] hands out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    tables: BTreeMap<String, Table>,
}

#[derive(Debug, Clone, Default)]
struct Table {
    rows: Vec<Record>,
    index: HashMap<String, usize>,
}

impl Tables {
    /// Records of one object type, in insertion order.
    pub(crate) fn all(&self, object: &str) -> &[Record] {
        self.tables
            .get(object)
            .map(|table| table.rows.as_slice())
            .unwrap_or(&[])
    }

    /// One record by id.
    pub(crate) fn get(&self, object: &str, id: &str) -> Option<&Record> {
        let table = self.tables.get(object)?;
        table.index.get(id).map(|&at| &table.rows[at])
    }

    /// One record by id, for changing it in place.
    pub(crate) fn get_mut(&mut self, object: &str, id: &str) -> Option<&mut Record> {
        let table = self.tables.get_mut(object)?;
        let at = *table.index.get(id)?;
        Some(&mut table.rows[at])
    }

    /// Records matching a predicate, in insertion order.
    pub(crate) fn find<'a>(
        &'a self,
        object: &str,
        matches: impl Fn(&Record) -> bool + 'a,
    ) -> impl Iterator<Item = &'a Record> + 'a {
        self.all(object)
            .iter()
            .filter(move |record| matches(record))
    }

    /// Store a new record (replacing one with the same id).
    pub(crate) fn insert(&mut self, object: &str, record: Record) {
        let table = self.tables.entry(object.to_owned()).or_default();
        match table.index.get(&record.id) {
            Some(&at) => table.rows[at] = record,
            None => {
                table.index.insert(record.id.clone(), table.rows.len());
                table.rows.push(record);
            }
        }
    }

    /// Delete a record, returning it.
    pub(crate) fn remove(&mut self, object: &str, id: &str) -> Option<Record> {
        let table = self.tables.get_mut(object)?;
        let at = table.index.remove(id)?;
        let record = table.rows.remove(at);
        for position in table.index.values_mut() {
            if *position > at {
                *position -= 1;
            }
        }
        Some(record)
    }

    /// Record on both sides that `a` and `b` are associated.
    pub(crate) fn link(&mut self, a: (&str, &str), b: (&str, &str)) {
        if let Some(record) = self.get_mut(a.0, a.1) {
            record.associate(b.0, b.1);
        }
        if let Some(record) = self.get_mut(b.0, b.1) {
            record.associate(a.0, a.1);
        }
    }
}

/// Thread-safe owner of the [`Tables`].
#[derive(Default)]
pub(crate) struct Store {
    tables: Mutex<Tables>,
}

impl Store {
    /// Run `f` with shared access to the tables.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Tables) -> R) -> R {
        f(&self.tables.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Run `f` with exclusive access to the tables.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut Tables) -> R) -> R {
        f(&mut self.tables.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// A copy of one table.
    pub(crate) fn snapshot(&self, object: &str) -> Vec<Record> {
        self.read(|tables| tables.all(object).to_vec())
    }

    /// Drop every record.
    pub(crate) fn clear(&self) {
        self.write(|tables| *tables = Tables::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Record {
        Record::new(id.into(), Map::new())
    }

    #[test]
    fn remove_keeps_the_index_consistent() {
        let mut tables = Tables::default();
        for id in ["a", "b", "c"] {
            tables.insert("contacts", record(id));
        }
        assert_eq!(
            tables.remove("contacts", "a").map(|r| r.id),
            Some("a".into())
        );
        assert_eq!(
            tables.get("contacts", "c").map(|r| r.id.as_str()),
            Some("c")
        );
        assert_eq!(tables.all("contacts").len(), 2);
    }

    #[test]
    fn link_is_two_sided_and_idempotent() {
        let mut tables = Tables::default();
        tables.insert("contacts", record("1"));
        tables.insert("companies", record("2"));
        tables.link(("contacts", "1"), ("companies", "2"));
        tables.link(("contacts", "1"), ("companies", "2"));
        assert_eq!(
            tables.get("contacts", "1").unwrap().associations,
            vec![("companies".to_string(), "2".to_string())]
        );
        assert_eq!(tables.get("companies", "2").unwrap().associations.len(), 1);
    }
}
