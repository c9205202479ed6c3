//! `LEADGATE__SECTION__KEY` environment overrides applied to the TOML table before it is read.

use super::{ConfigError, key_error};

/// Applies `LEADGATE__SECTION__KEY=value` overrides. Keys are lower-cased; numeric parts index
/// arrays (`LEADGATE__SITES__0__LOCALE=pl-PL`); values are read as TOML when they parse
/// (numbers, booleans, arrays) and as strings otherwise — secrets always as strings.
pub(super) fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("LEADGATE__"))
        .collect();
    vars.sort();
    for (name, raw) in vars {
        let path: Vec<String> = name["LEADGATE__".len()..]
            .split("__")
            .map(str::to_lowercase)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(key_error(name, "empty key part"));
        }
        // A secret is a string even when it looks like a number.
        let value = match path.last() {
            Some(key) if super::is_secret_key(key) => toml::Value::String(raw),
            _ => parse_env_value(&raw),
        };
        set_path(table, &path, value).map_err(|m| key_error(path.join("."), m))?;
    }
    Ok(())
}

fn parse_env_value(raw: &str) -> toml::Value {
    let wrapped = format!("v = {raw}");
    match wrapped.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let (head, rest) = path.split_first().ok_or("empty key")?;
    if rest.is_empty() {
        table.insert(head.clone(), value);
        return Ok(());
    }
    if let Ok(index) = rest[0].parse::<usize>() {
        let entry = table
            .entry(head.clone())
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        let array = entry.as_array_mut().ok_or("not an array")?;
        while array.len() <= index {
            array.push(toml::Value::Table(toml::Table::new()));
        }
        if rest.len() == 1 {
            array[index] = value;
            return Ok(());
        }
        let inner = array[index].as_table_mut().ok_or("not a table")?;
        return set_path(inner, &rest[1..], value);
    }
    let entry = table
        .entry(head.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let inner = entry
        .as_table_mut()
        .ok_or_else(|| format!("`{head}` is not a table"))?;
    set_path(inner, rest, value)
}
