//! A reader for the lexicon files: the small part of TOML they are written in, read without
//! copying, so that every entry is a `&'static str` into the text compiled in.
//!
//! A file holds comment lines, blank lines, table headers (`[months]`) and arrays of strings
//! (`greetings = ["hi", "hello"]`) that may run over several lines, with comments between the
//! entries. Strings are basic strings without escapes: no word needs one. The comment lines
//! right above a list or a table are its documentation. The `toml` crate reads every file the
//! same way (a test checks it), so the files stay plain TOML for editors and reviewers.

use std::collections::HashSet;

/// A parsed lexicon file.
#[derive(Debug, Default)]
pub(super) struct File {
    /// Every array in the file, in file order.
    pub lists: Vec<List>,
    /// Every table header, in file order.
    pub tables: Vec<Table>,
}

/// One array of strings: a list at the top level, or a row of a table.
#[derive(Debug)]
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "the documentation and lines are for the tests")
)]
pub(super) struct List {
    /// The table the array is a row of (`months` for `1 = [...]` under `[months]`), if any.
    pub table: Option<&'static str>,
    pub key: &'static str,
    pub entries: Vec<&'static str>,
    /// The comment lines right above the array, without their `#`.
    pub doc: Vec<&'static str>,
    /// The line the array starts on, counted from 1.
    pub line: usize,
}

/// A table header and the comment lines right above it.
#[derive(Debug)]
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "tables are documented for the tests")
)]
pub(super) struct Table {
    pub name: &'static str,
    pub doc: Vec<&'static str>,
    pub line: usize,
}

impl File {
    /// The entries of the top-level list `key`; none when the file does not have it.
    pub fn list(&self, key: &str) -> &[&'static str] {
        self.lists
            .iter()
            .find(|l| l.table.is_none() && l.key == key)
            .map_or(&[], |l| l.entries.as_slice())
    }

    /// The rows of table `name`, in file order.
    pub fn rows<'f>(&'f self, name: &'f str) -> impl Iterator<Item = &'f List> + 'f {
        self.lists.iter().filter(move |l| l.table == Some(name))
    }
}

/// Why a file cannot be read, and where.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub(super) struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Parses one lexicon file.
pub(super) fn parse(text: &'static str) -> Result<File, ParseError> {
    Parser {
        text,
        pos: 0,
        line: 1,
    }
    .file()
}

struct Parser {
    text: &'static str,
    pos: usize,
    line: usize,
}

impl Parser {
    fn file(mut self) -> Result<File, ParseError> {
        let mut file = File::default();
        let mut doc: Vec<&'static str> = Vec::new();
        let mut table: Option<&'static str> = None;
        let mut keys: HashSet<(Option<&'static str>, &'static str)> = HashSet::new();
        // Every statement starts a line: a blank one ends the comment block above it.
        loop {
            self.skip_blanks();
            match self.peek() {
                None => return Ok(file),
                Some('\n') => {
                    self.bump();
                    doc.clear();
                }
                Some('#') => doc.push(self.comment()),
                Some('[') => {
                    let line = self.line;
                    let name = self.header()?;
                    if !keys.insert((None, name)) {
                        return Err(self.error_at(line, format!("`{name}` is defined twice")));
                    }
                    let doc = std::mem::take(&mut doc);
                    file.tables.push(Table { name, doc, line });
                    table = Some(name);
                }
                Some(_) => {
                    let line = self.line;
                    let key = self.key()?;
                    self.skip_blanks();
                    self.expect('=')?;
                    self.skip_blanks();
                    let entries = self.array()?;
                    self.end_of_line()?;
                    if !keys.insert((table, key)) {
                        return Err(self.error_at(line, format!("`{key}` is defined twice")));
                    }
                    let doc = std::mem::take(&mut doc);
                    file.lists.push(List {
                        table,
                        key,
                        entries,
                        doc,
                        line,
                    });
                }
            }
        }
    }

    /// A comment line's text, without its `#` and the spaces around it.
    fn comment(&mut self) -> &'static str {
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '\n') {
            self.bump();
        }
        let text = self.text[start..self.pos].trim_start_matches('#').trim();
        self.bump();
        text
    }

    /// `[name]` and the end of its line.
    fn header(&mut self) -> Result<&'static str, ParseError> {
        self.expect('[')?;
        let name = self.key()?;
        self.expect(']')?;
        self.end_of_line()?;
        Ok(name)
    }

    /// A bare key: letters, digits, `_` and `-`.
    fn key(&mut self) -> Result<&'static str, ParseError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            self.bump();
        }
        if self.pos == start {
            return Err(self.error("expected a key (letters, digits, `_` or `-`)"));
        }
        Ok(&self.text[start..self.pos])
    }

    /// `[ "entry", … ]`, over as many lines as it takes.
    fn array(&mut self) -> Result<Vec<&'static str>, ParseError> {
        self.expect('[')?;
        let mut entries = Vec::new();
        loop {
            self.skip_space_and_comments();
            match self.peek() {
                Some(']') => {
                    self.bump();
                    return Ok(entries);
                }
                Some('"') => {
                    entries.push(self.string()?);
                    self.skip_space_and_comments();
                    match self.peek() {
                        Some(',') => self.bump(),
                        Some(']') => {}
                        _ => return Err(self.error("expected `,` or `]` after an entry")),
                    }
                }
                None => return Err(self.error("the array is not closed")),
                Some(c) => {
                    return Err(self.error(&format!(
                        "unexpected {c:?}: entries are strings in double quotes"
                    )));
                }
            }
        }
    }

    /// A basic string on one line, without escapes.
    fn string(&mut self) -> Result<&'static str, ParseError> {
        self.expect('"')?;
        let start = self.pos;
        loop {
            match self.peek() {
                Some('"') => break,
                None | Some('\n') => return Err(self.error("the string is not closed")),
                Some('\\') => return Err(self.error("escapes are not supported")),
                Some(c) if c.is_control() => {
                    return Err(self.error("control characters are not allowed"));
                }
                Some(_) => self.bump(),
            }
        }
        let text = &self.text[start..self.pos];
        self.bump();
        Ok(text)
    }

    /// Spaces, then an optional comment, then the end of the line or of the file.
    fn end_of_line(&mut self) -> Result<(), ParseError> {
        self.skip_blanks();
        if self.peek() == Some('#') {
            self.comment();
            return Ok(());
        }
        match self.peek() {
            None => Ok(()),
            Some('\n') => {
                self.bump();
                Ok(())
            }
            Some(_) => Err(self.error("expected the end of the line")),
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.bump();
        }
    }

    fn skip_space_and_comments(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r' | '\n') => self.bump(),
                Some('#') => {
                    self.comment();
                }
                _ => return,
            }
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(&format!("expected `{c}`")))
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            if c == '\n' {
                self.line += 1;
            }
        }
    }

    fn error(&self, message: &str) -> ParseError {
        self.error_at(self.line, message.to_owned())
    }

    fn error_at(&self, line: usize, message: String) -> ParseError {
        ParseError { line, message }
    }
}
