//! OAuth scopes: a call the access token's scopes do not cover answers 401
//! `OAUTH_SCOPE_MISMATCH` ("invalid oauth scope to access this URL"; Zoho CRM's status codes,
//! <https://www.zoho.com/crm/developer/docs/api/v8/status-codes.html>, and "Kaizen #3 - Scopes
//! in OAuth2.0 Authorization", <https://help.zoho.com/portal/en/community/topic/kaizen-3-scopes-in-oauth2-0-authorization-api>).
//!
//! Records APIs want `ZohoCRM.modules.ALL` or `ZohoCRM.modules.{module}.{operation}`
//! (`ALL`, `READ`, `CREATE`, `UPDATE`, `WRITE`, `DELETE`); the search API also
//! `ZohoSearch.securesearch.READ` ("scope=ZohoCRM.modules.{module_name}.{operation_type} (and)
//! scope=ZohoSearch.securesearch.READ",
//! <https://www.zoho.com/crm/developer/docs/api/v8/search-records.html>). Users, settings and
//! notifications want a scope of their own family (`ZohoCRM.users.…`, `ZohoCRM.settings.…`,
//! `ZohoCRM.notifications.…`).

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::errors::ZError;

fn has(granted: &[String], scope: &str) -> bool {
    granted.iter().any(|g| g.eq_ignore_ascii_case(scope))
}

fn family(granted: &[String], prefix: &str) -> bool {
    granted
        .iter()
        .any(|g| g.to_ascii_lowercase().starts_with(prefix))
}

fn module_allowed(granted: &[String], module: &str, method: &Method) -> bool {
    let ops: &[&str] = match *method {
        Method::GET => &["READ"],
        Method::POST => &["CREATE", "WRITE"],
        Method::PUT | Method::PATCH => &["UPDATE", "WRITE"],
        Method::DELETE => &["DELETE", "WRITE"],
        _ => &[],
    };
    let module = module.to_ascii_lowercase();
    has(granted, "ZohoCRM.modules.ALL")
        || has(granted, &format!("ZohoCRM.modules.{module}.ALL"))
        || ops
            .iter()
            .any(|op| has(granted, &format!("ZohoCRM.modules.{module}.{op}")))
}

/// Whether `granted` lets `method` reach `path` (`/crm/{version}/…`).
pub(crate) fn check(granted: &[String], method: &Method, path: &str) -> Result<(), ZError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').skip(2).collect();
    let first = segments.first().copied().unwrap_or_default();
    let allowed = match first {
        "users" => family(granted, "zohocrm.users."),
        "settings" => family(granted, "zohocrm.settings."),
        "actions" => family(granted, "zohocrm.notifications."),
        "" | "coql" | "__composite_requests" => true,
        module => {
            let search = segments.get(1) == Some(&"search");
            let method = if search { &Method::GET } else { method };
            module_allowed(granted, module, method)
                && (!search || has(granted, "ZohoSearch.securesearch.READ"))
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(ZError::new(
            "OAUTH_SCOPE_MISMATCH",
            "invalid oauth scope to access this URL",
            json!({}),
        )
        .with_status(StatusCode::UNAUTHORIZED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn search_needs_the_search_scope_and_modules_their_own() {
        let modules = granted(&["ZohoCRM.modules.ALL"]);
        assert!(check(&modules, &Method::POST, "/crm/v8/Leads/upsert").is_ok());
        assert!(check(&modules, &Method::GET, "/crm/v8/Leads/search").is_err());
        let both = granted(&["ZohoCRM.modules.leads.READ", "ZohoSearch.securesearch.READ"]);
        assert!(check(&both, &Method::GET, "/crm/v8/Leads/search").is_ok());
        assert!(check(&both, &Method::POST, "/crm/v8/Leads").is_err());
        assert!(check(&both, &Method::GET, "/crm/v8/Deals/search").is_err());
        assert!(check(&modules, &Method::GET, "/crm/v8/users").is_err());
    }
}
