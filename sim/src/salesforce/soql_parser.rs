//! The SOQL subset's tokenizer and parser (grammar on the `salesforce` module).

use axum::http::StatusCode;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::errors::SfError;

/// A lexical token.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(f64),
    DateTime(OffsetDateTime),
    Symbol(&'static str),
}

/// A literal on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// A quoted string, or an unquoted date (`2026-12-31`, compared as text).
    Text(String),
    Number(f64),
    Bool(bool),
    /// An unquoted dateTime literal.
    DateTime(OffsetDateTime),
    Null,
}

/// An unquoted dateTime literal in one of the documented forms, `YYYY-MM-DDThh:mm:ssZ`,
/// `YYYY-MM-DDThh:mm:ss+hh:mm` or `YYYY-MM-DDThh:mm:ss-hh:mm`
/// (<https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm>).
/// The page shows no fractional seconds and
/// no `+0000` offsets (the form responses use), so neither is accepted.
pub(crate) fn datetime_literal(raw: &str) -> Option<OffsetDateTime> {
    let local = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let offset = format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    if let Some(utc) = raw.strip_suffix('Z') {
        return PrimitiveDateTime::parse(utc, local)
            .ok()
            .map(PrimitiveDateTime::assume_utc);
    }
    let split = raw.len().checked_sub(6)?;
    let (when, zone) = (raw.get(..split)?, raw.get(split..)?);
    let when = PrimitiveDateTime::parse(when, local).ok()?;
    let zone = UtcOffset::parse(zone, offset).ok()?;
    Some(when.assume_offset(zone))
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Compare(String, &'static str, Literal),
    In(String, Vec<Literal>, bool),
    Like(String, String),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub fields: Vec<String>,
    pub count: bool,
    pub object: String,
    pub filter: Option<Cond>,
    pub order: Option<(String, bool, bool)>,
    pub limit: Option<usize>,
    pub offset: usize,
}

pub(crate) fn malformed(message: impl Into<String>) -> SfError {
    SfError::new(StatusCode::BAD_REQUEST, "MALFORMED_QUERY", message)
}

const SYMBOLS: &[&str] = &["<=", ">=", "!=", "<>", "=", "<", ">", "(", ")", ","];

fn tokenize(text: &str) -> Result<Vec<Token>, SfError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(malformed("unterminated string literal")),
                    Some('\\') => {
                        let escaped = chars.get(i + 1).copied().unwrap_or('\\');
                        value.push(match escaped {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        value.push(*other);
                        i += 1;
                    }
                }
            }
            tokens.push(Token::Text(value));
        } else if let Some(symbol) = SYMBOLS.iter().find(|s| {
            let s: Vec<char> = s.chars().collect();
            chars.get(i..i + s.len()) == Some(s.as_slice())
        }) {
            tokens.push(Token::Symbol(symbol));
            i += symbol.len();
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while chars.get(i).is_some_and(|c| {
                c.is_ascii_digit()
                    || *c == '.'
                    || *c == '-'
                    || *c == ':'
                    || *c == 'T'
                    || *c == 'Z'
                    || *c == '+'
            }) {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            match raw.parse::<f64>() {
                Ok(number) => tokens.push(Token::Number(number)),
                Err(_) if raw.contains('T') => match datetime_literal(&raw) {
                    Some(at) => tokens.push(Token::DateTime(at)),
                    None => return Err(malformed(format!("unexpected token: '{raw}'"))),
                },
                // Dates compare as text.
                Err(_) => tokens.push(Token::Text(raw)),
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            return Err(malformed(format!("unexpected token: '{c}'")));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(word) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn expect_keyword(&mut self, word: &str) -> Result<(), SfError> {
        if self.keyword(word) {
            Ok(())
        } else {
            Err(malformed(format!(
                "expecting '{word}', found '{}'",
                self.describe()
            )))
        }
    }

    fn symbol(&mut self, symbol: &str) -> bool {
        if self.peek() == Some(&Token::Symbol(symbol_static(symbol))) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "<EOF>".into(),
            Some(Token::Word(w)) => w.clone(),
            Some(Token::Text(t)) => format!("'{t}'"),
            Some(Token::Number(n)) => n.to_string(),
            Some(Token::DateTime(at)) => at.to_string(),
            Some(Token::Symbol(s)) => (*s).to_owned(),
        }
    }

    fn word(&mut self) -> Result<String, SfError> {
        match self.next() {
            Some(Token::Word(w)) => Ok(w),
            _ => {
                self.at -= 1;
                Err(malformed(format!(
                    "unexpected token: '{}'",
                    self.describe()
                )))
            }
        }
    }

    fn literal(&mut self) -> Result<Literal, SfError> {
        match self.next() {
            Some(Token::Text(t)) => Ok(Literal::Text(t)),
            Some(Token::Number(n)) => Ok(Literal::Number(n)),
            Some(Token::DateTime(at)) => Ok(Literal::DateTime(at)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            _ => {
                self.at -= 1;
                Err(malformed(format!(
                    "unexpected token: '{}'",
                    self.describe()
                )))
            }
        }
    }

    fn or(&mut self) -> Result<Cond, SfError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, SfError> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            left = Cond::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Cond, SfError> {
        if self.keyword("NOT") {
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        if self.symbol("(") {
            let inner = self.or()?;
            if !self.symbol(")") {
                return Err(malformed(format!(
                    "expecting ')', found '{}'",
                    self.describe()
                )));
            }
            return Ok(inner);
        }
        let field = self.word()?;
        if self.keyword("LIKE") {
            return match self.literal()? {
                Literal::Text(pattern) => Ok(Cond::Like(field, pattern)),
                _ => Err(malformed("LIKE needs a string")),
            };
        }
        let negated = self.keyword("NOT");
        if self.keyword("IN") {
            if !self.symbol("(") {
                return Err(malformed("expecting '(' after IN"));
            }
            let mut values = vec![self.literal()?];
            while self.symbol(",") {
                values.push(self.literal()?);
            }
            if !self.symbol(")") {
                return Err(malformed("expecting ')' after IN list"));
            }
            return Ok(Cond::In(field, values, negated));
        }
        if negated {
            return Err(malformed("expecting IN after NOT"));
        }
        let operator = match self.next() {
            Some(Token::Symbol(op)) if !matches!(op, "(" | ")" | ",") => op,
            _ => {
                self.at -= 1;
                return Err(malformed(format!(
                    "unexpected token: '{}'",
                    self.describe()
                )));
            }
        };
        let operator = if operator == "<>" { "!=" } else { operator };
        Ok(Cond::Compare(field, operator, self.literal()?))
    }
}

fn symbol_static(symbol: &str) -> &'static str {
    SYMBOLS
        .iter()
        .copied()
        .find(|s| *s == symbol)
        .unwrap_or(",")
}

fn count_of(p: &mut Parser, what: &str) -> Result<usize, SfError> {
    match p.next() {
        Some(Token::Number(n)) if n >= 0.0 && n.fract() == 0.0 && n < 1e9 => Ok(n as usize),
        _ => Err(malformed(format!("{what} needs a non-negative integer"))),
    }
}

/// Parse a query.
pub(crate) fn parse(text: &str) -> Result<Query, SfError> {
    let mut p = Parser {
        tokens: tokenize(text)?,
        at: 0,
    };
    p.expect_keyword("SELECT")?;
    let mut fields = Vec::new();
    let mut count = false;
    loop {
        let field = p.word()?;
        if field.eq_ignore_ascii_case("COUNT") && p.symbol("(") {
            if !p.symbol(")") {
                return Err(malformed("only COUNT() is supported"));
            }
            count = true;
        } else {
            fields.push(field);
        }
        if !p.symbol(",") {
            break;
        }
    }
    p.expect_keyword("FROM")?;
    let object = p.word()?;
    let filter = if p.keyword("WHERE") {
        Some(p.or()?)
    } else {
        None
    };
    let mut order = None;
    if p.keyword("ORDER") {
        p.expect_keyword("BY")?;
        let field = p.word()?;
        let descending = p.keyword("DESC");
        if !descending {
            p.keyword("ASC");
        }
        let mut nulls_last = descending;
        if p.keyword("NULLS") {
            nulls_last = p.keyword("LAST");
            if !nulls_last {
                p.expect_keyword("FIRST")?;
            }
        }
        order = Some((field, descending, nulls_last));
    }
    let limit = if p.keyword("LIMIT") {
        Some(count_of(&mut p, "LIMIT")?)
    } else {
        None
    };
    let offset = if p.keyword("OFFSET") {
        count_of(&mut p, "OFFSET")?
    } else {
        0
    };
    if p.peek().is_some() {
        return Err(malformed(format!("unexpected token: '{}'", p.describe())));
    }
    Ok(Query {
        fields,
        count,
        object,
        filter,
        order,
        limit,
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_connector_lookups() {
        let q = parse("SELECT Id, Email, Account.Name FROM Contact WHERE Email = 'jane@example.com' AND (Phone = '+1' OR MobilePhone != null) LIMIT 1").unwrap();
        assert_eq!(q.fields, vec!["Id", "Email", "Account.Name"]);
        assert_eq!(q.object, "Contact");
        assert_eq!(q.limit, Some(1));
        assert!(matches!(q.filter, Some(Cond::And(_, _))));
    }

    #[test]
    fn parses_in_like_not_order_and_count() {
        let q = parse("select count() from Lead where not LastName like 'Do%' and Status in ('A', 'B') order by CreatedDate desc nulls last offset 2").unwrap();
        assert!(q.count);
        assert_eq!(q.order, Some(("CreatedDate".into(), true, true)));
        assert_eq!(q.offset, 2);
        let q = parse("SELECT Id FROM Lead WHERE Name = 'O\\'Brien'").unwrap();
        assert_eq!(
            q.filter,
            Some(Cond::Compare(
                "Name".into(),
                "=",
                Literal::Text("O'Brien".into())
            ))
        );
    }

    #[test]
    fn datetime_literals_are_unquoted_and_in_the_documented_forms() {
        let q = parse("SELECT Id FROM Opportunity WHERE SystemModstamp > 2026-11-22T10:00:00Z ORDER BY SystemModstamp").unwrap();
        assert_eq!(
            q.filter,
            Some(Cond::Compare(
                "SystemModstamp".into(),
                ">",
                Literal::DateTime(time::macros::datetime!(2026-11-22 10:00:00 UTC))
            ))
        );
        let q =
            parse("SELECT Id FROM Opportunity WHERE SystemModstamp >= 2026-11-22T11:00:00+01:00")
                .unwrap();
        assert_eq!(
            q.filter,
            Some(Cond::Compare(
                "SystemModstamp".into(),
                ">=",
                Literal::DateTime(time::macros::datetime!(2026-11-22 10:00:00 UTC))
            ))
        );
        for text in [
            "SELECT Id FROM Opportunity WHERE SystemModstamp > 2026-11-22T10:00:00.000Z",
            "SELECT Id FROM Opportunity WHERE SystemModstamp > 2026-11-22T10:00:00.000+0000",
            "SELECT Id FROM Opportunity WHERE SystemModstamp > 2026-11-22T10:00:00",
        ] {
            assert_eq!(
                parse(text).unwrap_err().body[0]["errorCode"],
                "MALFORMED_QUERY",
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_queries_are_refused() {
        for text in [
            "SELECT FROM Lead",
            "SELECT Id Lead",
            "SELECT Id FROM Lead WHERE",
            "SELECT Id FROM Lead WHERE Email = 'x",
            "SELECT Id FROM Lead LIMIT x",
        ] {
            let error = parse(text).unwrap_err();
            assert_eq!(error.body[0]["errorCode"], "MALFORMED_QUERY", "{text}");
        }
    }
}
