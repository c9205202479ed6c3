//! The OAuth scopes the connector needs, and which one a call lacks when Zoho answers
//! `OAUTH_SCOPE_MISMATCH`.
//!
//! Zoho CRM v8 asks `ZohoCRM.modules.{module}.{ALL|READ|CREATE|WRITE}` (or
//! `ZohoCRM.modules.ALL`) for the records APIs, and for the search API also
//! `ZohoSearch.securesearch.READ`: "scope=ZohoCRM.modules.{module_name}.{operation_type} (and)
//! scope=ZohoSearch.securesearch.READ"
//! (<https://www.zoho.com/crm/developer/docs/api/v8/search-records.html>). The connector reads,
//! searches and writes Leads or Contacts, Accounts, Deals, Notes and Tasks, and reads their related
//! lists; it calls no settings, users or notification APIs.

use reqwest::Method;

/// What a refresh token must be granted, as the Zoho API console asks for it.
pub const REQUIRED: &[&str] = &["ZohoCRM.modules.ALL", "ZohoSearch.securesearch.READ"];

/// The scopes a call needs: the module's (from its first path segment) for the operation, and
/// the search scope for a search.
pub fn needed(method: &Method, path: &[&str]) -> Vec<String> {
    let module = path.first().map_or("", |m| m.trim()).to_ascii_lowercase();
    let search = path.last() == Some(&"search");
    let operation = match *method {
        _ if search => "READ",
        Method::GET => "READ",
        Method::POST => "CREATE",
        _ => "WRITE",
    };
    let mut scopes = vec![format!("ZohoCRM.modules.{module}.{operation}")];
    if search {
        scopes.push("ZohoSearch.securesearch.READ".to_owned());
    }
    scopes
}

/// Whether `granted` (Zoho's space- or comma-separated list) covers `scope`: the scope itself,
/// its module's `ALL`, or `ZohoCRM.modules.ALL` for any module scope. Scope names compare
/// without case, as Zoho's consent screen lists them either way.
fn covers(granted: &[String], scope: &str) -> bool {
    let scope = scope.to_ascii_lowercase();
    granted.iter().any(|g| {
        let g = g.to_ascii_lowercase();
        if g == scope {
            return true;
        }
        let Some(rest) = scope.strip_prefix("zohocrm.modules.") else {
            return false;
        };
        let module = rest.split('.').next().unwrap_or_default();
        g == "zohocrm.modules.all" || g == format!("zohocrm.modules.{module}.all")
    })
}

/// The granted list as Zoho's token answer gives it (`"scope": "ZohoCRM.modules.ALL …"`).
pub fn parse(granted: &str) -> Vec<String> {
    granted
        .split([' ', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Of `wanted`, those `granted` lacks.
pub fn missing<'a>(granted: &[String], wanted: &'a [String]) -> Vec<&'a str> {
    wanted
        .iter()
        .filter(|s| !covers(granted, s))
        .map(String::as_str)
        .collect()
}

/// The error text for a call Zoho refused with `OAUTH_SCOPE_MISMATCH`: which scope it needs
/// and lacks (all it needs when the granted list is unknown), and what to grant.
pub fn mismatch_message(method: &Method, path: &[&str], granted: Option<&[String]>) -> String {
    let wanted = needed(method, path);
    let lacking = match granted {
        Some(granted) => missing(granted, &wanted),
        None => wanted.iter().map(String::as_str).collect(),
    };
    let lacking = if lacking.is_empty() {
        wanted.iter().map(String::as_str).collect()
    } else {
        lacking
    };
    format!(
        "Zoho refused {method} /{} for a missing OAuth scope: the refresh token lacks {}; \
         grant a refresh token with the scopes {} (see crm.zoho.refresh_token)",
        path.join("/"),
        lacking.join(" and "),
        REQUIRED.join(","),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_needs_the_search_scope_and_module_all_covers_the_rest() {
        let wanted = needed(&Method::GET, &["Leads", "search"]);
        assert_eq!(
            wanted,
            ["ZohoCRM.modules.leads.READ", "ZohoSearch.securesearch.READ"]
        );
        let granted = parse("ZohoCRM.modules.ALL ZohoCRM.settings.ALL");
        assert_eq!(missing(&granted, &wanted), ["ZohoSearch.securesearch.READ"]);
        let per_module = parse("ZohoCRM.modules.deals.ALL,ZohoSearch.securesearch.READ");
        assert!(missing(&per_module, &needed(&Method::PUT, &["Deals", "1"])).is_empty());
        assert_eq!(
            missing(&per_module, &needed(&Method::POST, &["Tasks"])),
            ["ZohoCRM.modules.tasks.CREATE"]
        );
        let text = mismatch_message(&Method::GET, &["Leads", "search"], Some(&granted));
        assert!(
            text.contains("lacks ZohoSearch.securesearch.READ;"),
            "{text}"
        );
        assert!(text.contains("ZohoCRM.modules.ALL,ZohoSearch.securesearch.READ"));
    }
}
