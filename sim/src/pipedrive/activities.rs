//! v2 activities and their participants. In API v2 an activity's `person_id` is read-only: it is
//! the primary participant's person. Pipedrive's API v2 migration guide, "Activities": "person_id
//! field is now read-only. It is set indirectly via the participants field"
//! (<https://pipedrive.readme.io/docs/pipedrive-api-v2-migration-guide>). A body naming it is
//! refused with 400 `ERR_BAD_REQUEST` and the text Pipedrive answers, as recorded on the
//! developer community (<https://devcommunity.pipedrive.com/t/api-v1-to-v2-upgrade-post-activities-http-400-responses/19734>):
//! `{"success":false,"error":"'person_id' is a read-only field. Add a primary participant to set
//! 'person_id' instead.","code":"ERR_BAD_REQUEST"}`. v1 (`/v1/activities`) still takes
//! `person_id`, so this applies to the v2 routes only.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::errors::PdError;

const READ_ONLY: &str =
    "'person_id' is a read-only field. Add a primary participant to set 'person_id' instead.";

/// Refuse a v2 activity body that sets `person_id` itself, and check `participants`: a list of
/// `{"person_id": integer, "primary": boolean}` (the v2 `ActivityRequestBody` model; the docs do
/// not say what an extra key does, so, as strict as v2's validation, it is refused).
pub(crate) fn check_body(body: &Value) -> Result<(), PdError> {
    if body.get("person_id").is_some() {
        return Err(PdError::new(
            StatusCode::BAD_REQUEST,
            READ_ONLY,
            Some("ERR_BAD_REQUEST"),
        ));
    }
    let Some(participants) = body.get("participants") else {
        return Ok(());
    };
    let Some(items) = participants.as_array() else {
        return Err(PdError::invalid("body/participants must be array"));
    };
    for (index, item) in items.iter().enumerate() {
        let Some(object) = item.as_object() else {
            return Err(PdError::invalid(format!(
                "body/participants/{index} must be object"
            )));
        };
        if !object.get("person_id").is_some_and(Value::is_u64) {
            return Err(PdError::invalid(format!(
                "body/participants/{index}/person_id must be integer"
            )));
        }
        if object.get("primary").is_some_and(|p| !p.is_boolean()) {
            return Err(PdError::invalid(format!(
                "body/participants/{index}/primary must be boolean"
            )));
        }
        if let Some(extra) = object
            .keys()
            .find(|k| !["person_id", "primary"].contains(&k.as_str()))
        {
            return Err(PdError::invalid(format!(
                "body/participants/{index}/{extra} is not allowed"
            )));
        }
    }
    Ok(())
}

/// Set the read-only `person_id` from the primary participant, as Pipedrive derives it.
pub(crate) fn derive_person(fields: &mut Map<String, Value>) {
    let primary = fields
        .get("participants")
        .and_then(Value::as_array)
        .and_then(|items| {
            items
                .iter()
                .find(|p| p["primary"].as_bool() == Some(true))
                .map(|p| p["person_id"].clone())
        });
    if let Some(person) = primary {
        fields.insert("person_id".into(), person);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_top_level_person_id_is_refused_and_participants_set_it() {
        assert!(check_body(&json!({"subject": "x", "person_id": 7})).is_err());
        for bad in [
            json!({"participants": {"person_id": 7}}),
            json!({"participants": [{"person_id": "7", "primary": true}]}),
            json!({"participants": [{"person_id": 7, "primary": "true"}]}),
            json!({"participants": [{"person_id": 7, "primary_flag": true}]}),
        ] {
            assert!(check_body(&bad).is_err(), "{bad}");
        }
        let body = json!({"participants": [{"person_id": 3}, {"person_id": 7, "primary": true}]});
        check_body(&body).unwrap();
        let mut fields = body.as_object().unwrap().clone();
        derive_person(&mut fields);
        assert_eq!(fields["person_id"], 7);
    }
}
