//! `leadgate extract`: conversations as JSON Lines on stdin, one lead record per line on stdout.
//!
//! A malformed line yields `{"id": <id or null>, "error": {"code", "message"}}` on its own line
//! and processing goes on; only failing to read or write stops the command.

use std::io::{BufRead, Write};

use serde_json::{Value, json};

use crate::lead::{Conversation, Extractor, LeadJson, LeadRecord, ScoringRules};

/// Longest input line read; longer lines are answered with `line_too_long` and skipped.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// What went wrong with one input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub code: &'static str,
    pub message: String,
}

/// Turns one input line into one output line.
pub fn process_line(line: &str, extractor: &Extractor, rules: &ScoringRules) -> Value {
    match read_conversation(line) {
        Ok(conv) => {
            let extraction = extractor.extract(&conv);
            let score = rules.score(&extraction.lead).total;
            let record = LeadRecord {
                id: conv.id.clone(),
                lead: LeadJson::from(&extraction.lead),
                score,
            };
            serde_json::to_value(record)
                .unwrap_or_else(|e| error_line(None, "internal", &e.to_string()))
        }
        Err((id, e)) => error_line(id, e.code, &e.message),
    }
}

fn error_line(id: Option<Value>, code: &str, message: &str) -> Value {
    json!({"id": id.unwrap_or(Value::Null), "error": {"code": code, "message": message}})
}

fn read_conversation(line: &str) -> Result<Conversation, (Option<Value>, LineError)> {
    let value: Value = serde_json::from_str(line).map_err(|e| {
        (
            None,
            LineError {
                code: "bad_json",
                message: format!("not JSON: {e}"),
            },
        )
    })?;
    let id = value
        .get("id")
        .filter(|v| v.is_string() || v.is_number())
        .cloned();
    if !value.is_object() {
        return Err((
            None,
            LineError {
                code: "bad_conversation",
                message: "a conversation is a JSON object".into(),
            },
        ));
    }
    let conv: Conversation = serde_json::from_value(value).map_err(|e| {
        (
            id.clone(),
            LineError {
                code: "bad_conversation",
                message: e.to_string(),
            },
        )
    })?;
    conv.validate().map_err(|e| {
        (
            id,
            LineError {
                code: "bad_conversation",
                message: e.to_string(),
            },
        )
    })?;
    Ok(conv)
}

/// Runs the command over a reader and a writer. Errors only when reading or writing fails.
pub fn run(
    input: impl BufRead,
    mut output: impl Write,
    extractor: &Extractor,
    rules: &ScoringRules,
) -> std::io::Result<ExtractStats> {
    let mut stats = ExtractStats::default();
    let mut reader = input;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = read_bounded_line(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        let out = if buf.len() > MAX_LINE_BYTES {
            stats.errors += 1;
            error_line(
                None,
                "line_too_long",
                &format!("a line may hold at most {MAX_LINE_BYTES} bytes"),
            )
        } else {
            let Ok(line) = std::str::from_utf8(&buf) else {
                stats.errors += 1;
                let v = error_line(None, "bad_utf8", "the line is not valid UTF-8");
                writeln!(output, "{v}")?;
                continue;
            };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let v = process_line(line, extractor, rules);
            if v.get("error").is_some() {
                stats.errors += 1
            } else {
                stats.leads += 1
            }
            v
        };
        writeln!(output, "{out}")?;
    }
    output.flush()?;
    Ok(stats)
}

/// Reads one line, keeping at most `MAX_LINE_BYTES + 1` bytes of it so a huge line cannot
/// exhaust memory; returns the number of bytes consumed (0 at the end).
fn read_bounded_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut consumed = 0;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(consumed);
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = (MAX_LINE_BYTES + 1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let len = chunk.len();
        reader.consume(len);
        consumed += len;
        if done {
            if buf.last() == Some(&b'\n') {
                buf.pop();
            }
            return Ok(consumed);
        }
    }
}

/// Counts for the summary on stderr.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExtractStats {
    pub leads: usize,
    pub errors: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_str(input: &str) -> (Vec<Value>, ExtractStats) {
        let extractor = Extractor::new(&["Intercom".to_owned()]);
        let mut out = Vec::new();
        let stats = run(
            input.as_bytes(),
            &mut out,
            &extractor,
            &ScoringRules::default(),
        )
        .unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, stats)
    }

    #[test]
    fn one_record_per_line_and_errors_in_place() {
        let input = concat!(
            r#"{"id": "a", "started_at": "2026-02-10T15:00:00Z", "locale": "en-US", "default_region": "US", "messages": [{"role": "visitor", "text": "We use Intercom. rachel@copperleafins.com"}]}"#,
            "\n",
            "not json\n",
            "\n",
            r#"{"id": 7, "started_at": "yesterday", "messages": []}"#,
            "\n",
            r#"{"id": "b", "started_at": "2026-02-10T15:00:00Z", "default_region": "Atlantis", "messages": []}"#,
            "\n",
            "[1,2]\n",
            r#"{"id": "a", "started_at": "2026-02-10T15:00:00Z", "messages": [{"role": "visitor", "text": "hi"}]}"#,
            "\n",
        );
        let (lines, stats) = run_str(input);
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["lead"]["email"], "rachel@copperleafins.com");
        assert_eq!(lines[0]["lead"]["competitors"], json!(["Intercom"]));
        assert_eq!(lines[0]["score"], 15);
        assert_eq!(
            lines[1],
            json!({"id": null, "error": {"code": "bad_json", "message": lines[1]["error"]["message"]}})
        );
        assert_eq!(lines[2]["id"], 7);
        assert_eq!(lines[2]["error"]["code"], "bad_conversation");
        assert_eq!(lines[3]["id"], "b");
        assert!(
            lines[3]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("default_region")
        );
        assert_eq!(lines[4]["error"]["code"], "bad_conversation");
        assert_eq!(
            lines[5]["id"], "a",
            "a duplicated id is processed again, as its own line"
        );
        assert_eq!(
            stats,
            ExtractStats {
                leads: 2,
                errors: 4
            }
        );
    }

    #[test]
    fn the_output_has_exactly_the_contract_fields() {
        let (lines, _) =
            run_str(r#"{"id": "x", "started_at": "2026-02-10T15:00:00Z", "messages": []}"#);
        let lead = lines[0]["lead"].as_object().unwrap();
        let keys: Vec<&str> = lead.keys().map(String::as_str).collect();
        let mut want = vec![
            "first_name",
            "last_name",
            "email",
            "phone",
            "company",
            "job_title",
            "budget",
            "timeline_days",
            "decision_maker",
            "company_size",
            "competitors",
            "questions",
            "is_test",
        ];
        let mut got = keys.clone();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(lines[0].as_object().unwrap().len(), 3);
    }

    #[test]
    fn oversized_and_non_utf8_lines_are_errors_not_crashes() {
        let huge = format!(
            "{}\n{}\n",
            "x".repeat(MAX_LINE_BYTES + 10),
            r#"{"started_at": "2026-02-10T15:00:00Z", "messages": []}"#
        );
        let (lines, stats) = run_str(&huge);
        assert_eq!(lines[0]["error"]["code"], "line_too_long");
        assert!(lines[1].get("lead").is_some());
        assert_eq!(
            stats,
            ExtractStats {
                leads: 1,
                errors: 1
            }
        );

        let extractor = Extractor::new(&[]);
        let mut out = Vec::new();
        run(
            &b"\xff\xfe\n"[..],
            &mut out,
            &extractor,
            &ScoringRules::default(),
        )
        .unwrap();
        assert!(String::from_utf8(out).unwrap().contains("bad_utf8"));
    }
}
