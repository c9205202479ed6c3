//! Copying a whole store from one database to another (SQLite to PostgreSQL when a deployment
//! grows past one machine, or back): every table the two schemas share, every column they
//! share, row by row, each value converted to the target column's type. The target must be
//! empty; both are migrated to the current schema first. Resume and transcript links keep
//! working, because the generated secret in `settings` is copied too.

use sqlx::{AssertSqlSafe, Row, TypeInfo, ValueRef};

use super::{Store, StoreError, on_pool};

/// One value on its way between the databases.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Int(i64),
    Real(f64),
    Bool(bool),
    Text(String),
}

impl Val {
    fn as_text(&self) -> Option<String> {
        match self {
            Val::Null => None,
            Val::Int(n) => Some(n.to_string()),
            Val::Real(x) => Some(x.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Text(t) => Some(t.clone()),
        }
    }

    fn as_int(&self) -> Option<i64> {
        match self {
            Val::Int(n) => Some(*n),
            Val::Bool(b) => Some(i64::from(*b)),
            Val::Real(x) => Some(*x as i64),
            Val::Text(t) => t.parse().ok(),
            Val::Null => None,
        }
    }

    fn as_real(&self) -> Option<f64> {
        match self {
            Val::Real(x) => Some(*x),
            Val::Int(n) => Some(*n as f64),
            Val::Text(t) => t.parse().ok(),
            _ => None,
        }
    }
}

/// What was copied: rows per table, in copy order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
}

impl Store {
    /// Tables of the current schema (without the migration bookkeeping), conversations first
    /// because the others refer to them.
    async fn tables(&self) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<String> = match self {
            Store::Sqlite(pool) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
                )
                .fetch_all(pool)
                .await?
            }
            Store::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT table_name::TEXT FROM information_schema.tables WHERE table_schema = current_schema() \
                     AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
                )
                .fetch_all(pool)
                .await?
            }
        };
        // Names go into SQL text: only plain identifiers (all of leadgate's) are copied.
        names.retain(|n| plain(n));
        names.sort_by_key(|n| (n != "conversations", n.clone()));
        Ok(names)
    }

    /// A table's columns and their declared types (lower case).
    async fn columns(&self, table: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(match self {
            Store::Sqlite(pool) => {
                let rows = sqlx::query(AssertSqlSafe(format!("PRAGMA table_info(\"{table}\")")))
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        let name: String = r.get("name");
                        let kind: String = r.get("type");
                        (name, kind.to_lowercase())
                    })
                    .filter(|(name, _)| plain(name))
                    .collect()
            }
            Store::Postgres(pool) => {
                let rows = sqlx::query(
                    "SELECT column_name::TEXT AS name, data_type::TEXT AS kind FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(pool)
                .await?;
                rows.iter()
                    .map(|r| (r.get("name"), r.get::<String, _>("kind").to_lowercase()))
                    .filter(|(name, kind): &(String, String)| {
                        plain(name) && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b' ')
                    })
                    .collect()
            }
        })
    }

    async fn read_all(&self, table: &str, columns: &[String]) -> Result<Vec<Vec<Val>>, StoreError> {
        let list = columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {list} FROM \"{table}\"");
        Ok(match self {
            Store::Sqlite(pool) => {
                let rows = sqlx::query(AssertSqlSafe(sql.clone()))
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(sqlite_row).collect::<Result<_, _>>()?
            }
            Store::Postgres(pool) => {
                let rows = sqlx::query(AssertSqlSafe(sql.clone()))
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(postgres_row).collect::<Result<_, _>>()?
            }
        })
    }

    async fn count(&self, table: &str) -> Result<i64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM \"{table}\"");
        Ok(
            on_pool!(self, pool => sqlx::query_scalar(AssertSqlSafe(sql.clone())).fetch_one(pool).await?),
        )
    }

    /// Writes `rows` into `table`, converting each value to its column's type.
    async fn write_all(
        &self,
        table: &str,
        columns: &[(String, String)],
        rows: &[Vec<Val>],
    ) -> Result<(), StoreError> {
        let names = columns
            .iter()
            .map(|(c, _)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        match self {
            Store::Sqlite(pool) => {
                let marks = (1..=columns.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!("INSERT INTO \"{table}\" ({names}) VALUES ({marks})");
                let mut tx = pool.begin().await?;
                for row in rows {
                    let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                    for ((_, kind), v) in columns.iter().zip(row) {
                        q = match kind.as_str() {
                            k if k.contains("int") || k.contains("bool") => q.bind(v.as_int()),
                            k if k.contains("real") || k.contains("doub") || k.contains("floa") => {
                                q.bind(v.as_real())
                            }
                            _ => q.bind(v.as_text()),
                        };
                    }
                    q.execute(&mut *tx).await?;
                }
                tx.commit().await?;
            }
            Store::Postgres(pool) => {
                let marks = columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind))| format!("CAST(${} AS {kind})", i + 1))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!("INSERT INTO \"{table}\" ({names}) VALUES ({marks})");
                let mut tx = pool.begin().await?;
                for row in rows {
                    let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                    for ((_, kind), v) in columns.iter().zip(row) {
                        // SQLite keeps booleans as 0 and 1.
                        let text = match (kind.as_str(), v) {
                            ("boolean", Val::Int(n)) => Some((*n != 0).to_string()),
                            _ => v.as_text(),
                        };
                        q = q.bind(text);
                    }
                    q.execute(&mut *tx).await?;
                }
                // Serial ids continue after the copied ones.
                if columns.iter().any(|(c, _)| c == "id") {
                    let serial: Option<String> =
                        sqlx::query_scalar("SELECT pg_get_serial_sequence($1, 'id')")
                            .bind(table)
                            .fetch_one(&mut *tx)
                            .await?;
                    if let Some(sequence) = serial {
                        sqlx::query(AssertSqlSafe(format!(
                            "SELECT setval('{sequence}', COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
                        )))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Copies everything in `self` into `target`, which must hold no conversations yet.
    pub async fn copy_into(&self, target: &Store) -> Result<CopyReport, StoreError> {
        self.migrate().await?;
        target.migrate().await?;
        if target.count("conversations").await? > 0 {
            return Err(StoreError::Corrupt(
                "the target database already holds conversations; copy into an empty one".into(),
            ));
        }
        let theirs = target.tables().await?;
        let mut report = CopyReport::default();
        for table in self.tables().await? {
            if !theirs.contains(&table) {
                continue;
            }
            let mine: Vec<String> = self
                .columns(&table)
                .await?
                .into_iter()
                .map(|(c, _)| c)
                .collect();
            let shared: Vec<(String, String)> = target
                .columns(&table)
                .await?
                .into_iter()
                .filter(|(c, _)| mine.contains(c))
                .collect();
            let names: Vec<String> = shared.iter().map(|(c, _)| c.clone()).collect();
            let rows = self.read_all(&table, &names).await?;
            // A fresh target may already hold rows its migrations seed: the copy replaces them.
            on_pool!(target, pool => {
                sqlx::query(AssertSqlSafe(format!("DELETE FROM \"{table}\"")))
                    .execute(pool)
                    .await?;
            });
            target.write_all(&table, &shared, &rows).await?;
            report.tables.push((table, rows.len() as u64));
        }
        Ok(report)
    }
}

/// A lower-case identifier: letters, digits and underscores.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn sqlite_row(row: &sqlx::sqlite::SqliteRow) -> Result<Vec<Val>, StoreError> {
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Val::Null);
            }
            let kind = raw.type_info().name().to_owned();
            Ok(match kind.as_str() {
                "INTEGER" | "BOOLEAN" => Val::Int(row.try_get(i)?),
                "REAL" => Val::Real(row.try_get(i)?),
                _ => Val::Text(row.try_get(i)?),
            })
        })
        .collect()
}

fn postgres_row(row: &sqlx::postgres::PgRow) -> Result<Vec<Val>, StoreError> {
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Val::Null);
            }
            let kind = raw.type_info().name().to_owned();
            Ok(match kind.as_str() {
                "INT8" => Val::Int(row.try_get(i)?),
                "INT4" => Val::Int(i64::from(row.try_get::<i32, _>(i)?)),
                "INT2" => Val::Int(i64::from(row.try_get::<i16, _>(i)?)),
                "BOOL" => Val::Bool(row.try_get(i)?),
                "FLOAT8" => Val::Real(row.try_get(i)?),
                "FLOAT4" => Val::Real(f64::from(row.try_get::<f32, _>(i)?)),
                "JSON" | "JSONB" => Val::Text(row.try_get::<serde_json::Value, _>(i)?.to_string()),
                _ => Val::Text(row.try_get(i)?),
            })
        })
        .collect()
}
