//! HubSpot's batch endpoints (`/crm/v3/objects/{object}/batch/{read,update,create}`), answering
//! per input. Every write input carries a unique `objectWriteTraceId`, which makes HubSpot
//! report failures per input (207) instead of refusing the whole batch, and names the input in
//! each error. Batch create answers in no particular order and without the trace ids, so
//! created objects are matched to inputs by a key property (email, deal name, timestamp);
//! inputs whose keys collide go out in separate requests.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::super::Connector;
use super::super::errors::classify_item;
use super::super::single::{object_id, path};
use crate::outbound::CallError;

/// HubSpot's limit of inputs per batch request.
const MAX_INPUTS: usize = 100;

/// How one input of a batch write failed.
#[derive(Debug, Clone)]
pub(super) enum ItemError {
    /// HubSpot refused this input (a 207 error naming it).
    Item(CallError),
    /// The whole request failed; it carried `inputs` inputs.
    Request { error: CallError, inputs: usize },
}

/// An object to create for the lead in slot `slot`.
pub(super) struct NewObject {
    pub slot: usize,
    /// The value of the key property HubSpot will echo, as `key_of` reads it.
    pub key: String,
    pub properties: Map<String, Value>,
    pub associations: Vec<Value>,
}

/// Properties to set on object `id` for the lead in slot `slot`.
pub(super) struct Change {
    pub slot: usize,
    pub id: String,
    pub properties: Map<String, Value>,
}

fn trace_id(slot: usize) -> String {
    format!("leadgate-{slot}")
}

/// The slot an error names, by its trace id.
fn traced_slot(error: &Value) -> Option<usize> {
    let trace = error["context"]["objectWriteTraceId"]
        .as_array()?
        .first()?
        .as_str()?;
    trace.strip_prefix("leadgate-")?.parse().ok()
}

fn errors(answer: &Value) -> impl Iterator<Item = &Value> {
    answer["errors"].as_array().into_iter().flatten()
}

fn results(answer: &Value) -> impl Iterator<Item = &Value> {
    answer["results"].as_array().into_iter().flatten()
}

impl Connector {
    /// Reads objects by id (or by the unique `id_property`), asking for `properties`; ids that
    /// do not exist are simply absent from the answer.
    pub(super) async fn batch_read(
        &self,
        object: &str,
        id_property: Option<&str>,
        ids: &[String],
        properties: &[String],
    ) -> Result<Vec<Value>, CallError> {
        let mut found = Vec::new();
        for chunk in ids.chunks(MAX_INPUTS) {
            let mut body = json!({
                "properties": properties,
                "propertiesWithHistory": [],
                "inputs": chunk.iter().map(|id| json!({ "id": id })).collect::<Vec<_>>(),
            });
            if let Some(p) = id_property {
                body["idProperty"] = json!(p);
            }
            let answer = self
                .api
                .post("batch read", &path(object, &["batch", "read"]), &body)
                .await?;
            found.extend(results(&answer).cloned());
        }
        Ok(found)
    }

    /// Updates objects; one outcome per change.
    pub(super) async fn batch_update(
        &self,
        object: &str,
        changes: Vec<Change>,
    ) -> Vec<(usize, Result<(), ItemError>)> {
        let mut outcomes = Vec::new();
        for chunk in changes.chunks(MAX_INPUTS) {
            let inputs: Vec<Value> = chunk.iter().map(|c| json!({"id": c.id, "properties": c.properties, "objectWriteTraceId": trace_id(c.slot)})).collect();
            let answer = match self
                .api
                .post(
                    "batch update",
                    &path(object, &["batch", "update"]),
                    &json!({ "inputs": inputs }),
                )
                .await
            {
                Ok(answer) => answer,
                Err(error) => {
                    outcomes.extend(chunk.iter().map(|c| {
                        (
                            c.slot,
                            Err(ItemError::Request {
                                error: error.clone(),
                                inputs: chunk.len(),
                            }),
                        )
                    }));
                    continue;
                }
            };
            let by_id: HashMap<&str, usize> =
                chunk.iter().map(|c| (c.id.as_str(), c.slot)).collect();
            let mut failed: HashMap<usize, CallError> = HashMap::new();
            let mut unattributed = None;
            for error in errors(&answer) {
                let named = traced_slot(error).or_else(|| {
                    let ids = error["context"]["ids"].as_array()?;
                    ids.iter()
                        .filter_map(Value::as_str)
                        .find_map(|id| by_id.get(id).copied())
                });
                match named {
                    Some(slot) => {
                        failed.insert(slot, classify_item(error));
                    }
                    None => unattributed = unattributed.or_else(|| Some(classify_item(error))),
                }
            }
            let updated: HashSet<String> =
                results(&answer).filter_map(|r| object_id(r).ok()).collect();
            for change in chunk {
                let outcome = match failed.remove(&change.slot) {
                    Some(e) => Err(ItemError::Item(e)),
                    None => match &unattributed {
                        Some(e) if !updated.contains(&change.id) => Err(ItemError::Item(e.clone())),
                        _ => Ok(()),
                    },
                };
                outcomes.push((change.slot, outcome));
            }
        }
        outcomes
    }

    /// Creates objects; one outcome (the new id) per input. `key_of` reads an answered object's
    /// key, to match it to the input with that key.
    pub(super) async fn batch_create(
        &self,
        object: &str,
        news: Vec<NewObject>,
        key_of: impl Fn(&Value) -> Option<String>,
    ) -> Vec<(usize, Result<String, ItemError>)> {
        let mut outcomes = Vec::new();
        for request in rounds(news) {
            let inputs: Vec<Value> = request
                .iter()
                .map(|n| json!({"properties": n.properties, "associations": n.associations, "objectWriteTraceId": trace_id(n.slot)}))
                .collect();
            let answer = match self
                .api
                .post(
                    "batch create",
                    &path(object, &["batch", "create"]),
                    &json!({ "inputs": inputs }),
                )
                .await
            {
                Ok(answer) => answer,
                Err(error) => {
                    outcomes.extend(request.iter().map(|n| {
                        (
                            n.slot,
                            Err(ItemError::Request {
                                error: error.clone(),
                                inputs: request.len(),
                            }),
                        )
                    }));
                    continue;
                }
            };
            outcomes.extend(match_created(&answer, &request, &key_of));
        }
        outcomes
    }
}

/// Splits inputs into requests of at most [`MAX_INPUTS`] whose keys are distinct.
fn rounds(news: Vec<NewObject>) -> Vec<Vec<NewObject>> {
    let mut rounds: Vec<Vec<NewObject>> = Vec::new();
    for new in news {
        let fits = |round: &Vec<NewObject>| {
            round.len() < MAX_INPUTS && round.iter().all(|n| n.key != new.key)
        };
        match rounds.iter().position(fits) {
            Some(at) => rounds[at].push(new),
            None => rounds.push(vec![new]),
        }
    }
    rounds
}

/// Matches a batch-create answer to its inputs: errors by trace id, created objects by key. When
/// exactly one input and one object are left unmatched they belong together; any other input
/// left over is reported as unknown (retryable: the retry finds what was made).
fn match_created(
    answer: &Value,
    request: &[NewObject],
    key_of: &impl Fn(&Value) -> Option<String>,
) -> Vec<(usize, Result<String, ItemError>)> {
    let mut outcome: HashMap<usize, Result<String, ItemError>> = HashMap::new();
    for error in errors(answer) {
        if let Some(slot) = traced_slot(error).filter(|s| request.iter().any(|n| n.slot == *s)) {
            outcome.insert(slot, Err(ItemError::Item(classify_item(error))));
        }
    }
    let mut unmatched_objects = Vec::new();
    for created in results(answer) {
        let Ok(id) = object_id(created) else { continue };
        let key = key_of(created);
        let input = request
            .iter()
            .find(|n| !outcome.contains_key(&n.slot) && key.as_deref() == Some(n.key.as_str()));
        match input {
            Some(n) => {
                outcome.insert(n.slot, Ok(id));
            }
            None => unmatched_objects.push(id),
        }
    }
    let left: Vec<usize> = request
        .iter()
        .map(|n| n.slot)
        .filter(|s| !outcome.contains_key(s))
        .collect();
    if let ([slot], [id]) = (left.as_slice(), unmatched_objects.as_slice()) {
        outcome.insert(*slot, Ok(id.clone()));
    }
    request
        .iter()
        .map(|n| {
            let result = outcome.remove(&n.slot).unwrap_or_else(|| {
                Err(ItemError::Item(CallError::retryable(
                    "HubSpot's batch answer did not say what became of this lead",
                    None,
                )))
            });
            (n.slot, result)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(slot: usize, key: &str) -> NewObject {
        NewObject {
            slot,
            key: key.into(),
            properties: Map::new(),
            associations: Vec::new(),
        }
    }

    #[test]
    fn colliding_keys_go_in_separate_requests() {
        let split = rounds(vec![new(0, "a"), new(1, "b"), new(2, "a"), new(3, "a")]);
        let slots: Vec<Vec<usize>> = split
            .iter()
            .map(|r| r.iter().map(|n| n.slot).collect())
            .collect();
        assert_eq!(slots, vec![vec![0, 1], vec![2], vec![3]]);
    }

    #[test]
    fn answers_in_any_order_are_matched_by_key_and_errors_by_trace() {
        let request = vec![new(0, "x@a.pl"), new(4, "y@a.pl"), new(7, "z@a.pl")];
        let answer = json!({
            "status": "COMPLETE",
            "results": [{"id": "12", "properties": {"email": "z@a.pl"}}, {"id": "11", "properties": {"email": "x@a.pl"}}],
            "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "bad", "context": {"objectWriteTraceId": ["leadgate-4"]}}],
            "numErrors": 1,
        });
        let key_of = |o: &Value| o["properties"]["email"].as_str().map(str::to_owned);
        let out: HashMap<usize, Result<String, ItemError>> =
            match_created(&answer, &request, &key_of)
                .into_iter()
                .collect();
        assert_eq!(out[&0].as_ref().unwrap(), "11");
        assert_eq!(out[&7].as_ref().unwrap(), "12");
        assert!(matches!(
            &out[&4],
            Err(ItemError::Item(CallError::Permanent { .. }))
        ));
    }

    #[test]
    fn a_single_leftover_pair_belongs_together_and_others_stay_unknown() {
        let key_of = |o: &Value| o["properties"]["dealname"].as_str().map(str::to_owned);
        let answer =
            json!({"results": [{"id": "5", "properties": {"dealname": "renamed by a workflow"}}]});
        let out = match_created(&answer, &[new(2, "Deal")], &key_of);
        assert_eq!(out[0].1.as_ref().unwrap(), "5");
        let answer = json!({"results": []});
        let out = match_created(&answer, &[new(2, "Deal")], &key_of);
        assert!(matches!(
            &out[0].1,
            Err(ItemError::Item(CallError::Retryable { .. }))
        ));
    }
}
