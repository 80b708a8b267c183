//! Walks every root field of the schema as each role and as a partner token with
//! each scope, and checks that exactly what the permission matrix grants is
//! reachable: the guard refuses the rest before any resolver runs.

use std::collections::HashMap;

use platform_tests::{Backend, TestApp, on_both_backends};
use policies::permissions::{OrgId, Subject, authorize};
use policies::roles::{Purpose, Role, Scope};
use serde_json::{Value, json};

const INTROSPECTION: &str = r#"{ __schema {
  queryType { name } mutationType { name }
  types { name kind
    fields { name args { name defaultValue type { ...Ref } } type { ...Ref } }
    inputFields { name defaultValue type { ...Ref } }
    enumValues { name } } } }
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// The schema's types by name.
struct Types(HashMap<String, Value>);

impl Types {
    fn literal(&self, ty: &Value, depth: usize) -> String {
        match ty["kind"].as_str().unwrap() {
            "NON_NULL" => self.literal(&ty["ofType"], depth),
            "LIST" => "[]".to_owned(),
            "ENUM" => {
                let name = ty["name"].as_str().unwrap();
                self.0[name]["enumValues"][0]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
            "INPUT_OBJECT" => {
                let name = ty["name"].as_str().unwrap();
                let fields: Vec<String> = self.0[name]["inputFields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| {
                        f["type"]["kind"] == "NON_NULL" && f["defaultValue"].is_null() && depth < 4
                    })
                    .map(|f| {
                        format!(
                            "{}: {}",
                            f["name"].as_str().unwrap(),
                            self.literal(&f["type"], depth + 1)
                        )
                    })
                    .collect();
                format!("{{ {} }}", fields.join(", "))
            }
            _ => match ty["name"].as_str().unwrap() {
                "Int" => "1".to_owned(),
                "Float" => "1.5".to_owned(),
                "Boolean" => "true".to_owned(),
                "Date" => "\"2026-12-01\"".to_owned(),
                "DateTime" => "\"2026-12-01T10:00:00Z\"".to_owned(),
                "JSON" => "{}".to_owned(),
                _ => "\"1\"".to_owned(),
            },
        }
    }

    fn selection(&self, ty: &Value) -> &'static str {
        match ty["kind"].as_str().unwrap() {
            "NON_NULL" | "LIST" => self.selection(&ty["ofType"]),
            "OBJECT" | "INTERFACE" | "UNION" => " { __typename }",
            _ => "",
        }
    }

    /// A call of each root field with the minimal valid arguments.
    fn calls(&self, root: &str, keyword: &str) -> Vec<(String, String)> {
        self.0[root]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|field| {
                let name = field["name"].as_str().unwrap().to_owned();
                let args: Vec<String> = field["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
                    .map(|a| {
                        format!(
                            "{}: {}",
                            a["name"].as_str().unwrap(),
                            self.literal(&a["type"], 0)
                        )
                    })
                    .collect();
                let args = if args.is_empty() {
                    String::new()
                } else {
                    format!("({})", args.join(", "))
                };
                (
                    name.clone(),
                    format!(
                        "{keyword} {{ {name}{args}{} }}",
                        self.selection(&field["type"])
                    ),
                )
            })
            .collect()
    }
}

/// Whether the guard refused the call (as opposed to the resolver answering).
fn refused_by_guard(name: &str, body: &Value) -> bool {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    if let Some(request_error) = errors.iter().find(|e| e["path"].is_null()) {
        panic!("the walk built an invalid call of {name}: {request_error}");
    }
    errors.iter().any(|e| {
        e["path"] == json!([name])
            && e["extensions"]["reason"].is_string()
            && matches!(
                e["extensions"]["code"].as_str(),
                Some("FORBIDDEN" | "UNAUTHENTICATED")
            )
    })
}

async fn exactly_the_matrix_is_reachable_for_every_role_and_scope(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let schema = app.graphql_as("admin", INTROSPECTION, json!({})).await;
    let types = Types(
        schema["data"]["__schema"]["types"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}"))
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect(),
    );
    // Logging out would end the walking session; it is public and tested elsewhere.
    let mut calls: Vec<(String, String)> = types.calls("Query", "query");
    calls.extend(types.calls("Mutation", "mutation"));
    calls.retain(|(name, _)| name != "logout");
    for (name, _) in &calls {
        assert!(
            policies::permissions::table::operation_rule(name).is_some(),
            "root field {name} is missing from the permission matrix"
        );
    }

    let orgs = app
        .graphql_as("admin", "{ organizations { id code } }", json!({}))
        .await;
    let org = |code: &str| -> i64 {
        orgs["data"]["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["code"] == code)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (csu, rtm) = (org("csu"), org("rtm"));

    let mut walkers: Vec<(String, String, Subject)> = Vec::new();
    for scope in [
        "read:agenda",
        "read:events",
        "read:aggregates:mobility",
        "read:aggregates:presence",
        "ingest:rtm-frequentation",
    ] {
        let issued = app
            .graphql_as(
                "admin",
                "mutation($input: IssuePartnerTokenInput!) { issuePartnerToken(input: $input) { secret } }",
                json!({ "input": { "organizationId": rtm.to_string(), "label": scope, "scopes": [scope],
                    "purposes": Purpose::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(), "days": 1 } }),
            )
            .await;
        let secret = issued["data"]["issuePartnerToken"]["secret"]
            .as_str()
            .unwrap_or_else(|| panic!("{issued}"))
            .to_owned();
        let subject = Subject::PartnerToken {
            organization: OrgId(rtm),
            scopes: vec![Scope::parse(scope).unwrap()],
            purposes: Purpose::ALL.to_vec(),
        };
        walkers.push((format!("token {scope}"), secret, subject));
    }
    for role in Role::ALL {
        let token = app.token_for(role.as_str()).await;
        let organization = OrgId(if *role == Role::Partner { rtm } else { csu });
        walkers.push((
            format!("role {}", role.as_str()),
            token,
            Subject::User {
                role: *role,
                organization,
            },
        ));
    }
    // Administrators last: their reachable mutations (revoking tokens, pausing
    // scoring) must not change what the others see.
    walkers.sort_by_key(|(who, _, _)| who == "role admin");

    assert!(
        calls.len() >= 30,
        "the walk covers the schema: {} root fields",
        calls.len()
    );
    let mut mismatches = Vec::new();
    let mut outcomes = (0, 0);
    for (who, token, subject) in &walkers {
        for (name, call) in &calls {
            let expected = match authorize(subject, name, None, None) {
                Ok(_) => true,
                // Decided by the resolver with the resource; the guard lets it through.
                Err(denial) => denial.reason.code() == "RESOURCE_REQUIRED",
            };
            let body = app.graphql_with(token, call, json!({})).await;
            let reached = !refused_by_guard(name, &body);
            if reached {
                outcomes.0 += 1;
            } else {
                outcomes.1 += 1;
            }
            if reached != expected {
                mismatches.push(format!(
                    "{who} / {name}: expected {}, got {body}",
                    if expected { "reachable" } else { "refused" }
                ));
            }
        }
    }
    println!(
        "matrix walk: {} walkers x {} root fields, {} reached, {} refused",
        walkers.len(),
        calls.len(),
        outcomes.0,
        outcomes.1
    );
    assert!(
        outcomes.0 > 0 && outcomes.1 > 0,
        "both outcomes occur: {outcomes:?}"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

on_both_backends!(exactly_the_matrix_is_reachable_for_every_role_and_scope);

/// A path from a root field down to `target`, as (type, field) steps, shortest first,
/// through queries when possible.
fn path_to(types: &Types, target: &str) -> Option<Vec<(String, String)>> {
    let mut seen = std::collections::HashSet::new();
    let mut queue = std::collections::VecDeque::new();
    for root in ["Query", "Mutation"] {
        queue.push_back((root.to_owned(), Vec::new()));
        seen.insert(root.to_owned());
    }
    while let Some((ty, path)) = queue.pop_front() {
        if ty == target {
            return Some(path);
        }
        for field in types.0[&ty]["fields"].as_array().unwrap() {
            let Some(next) = named_object(&field["type"]) else {
                continue;
            };
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push((ty.clone(), field["name"].as_str().unwrap().to_owned()));
                queue.push_back((next, longer));
            }
        }
    }
    None
}

/// The object type a field returns, if it returns one.
fn named_object(ty: &Value) -> Option<String> {
    match ty["kind"].as_str()? {
        "NON_NULL" | "LIST" => named_object(&ty["ofType"]),
        "OBJECT" => Some(ty["name"].as_str()?.to_owned()),
        _ => None,
    }
}

impl Types {
    /// `name(args)` with literals for the required arguments.
    fn call(&self, parent: &str, field: &str) -> String {
        let definition = self.0[parent]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == field)
            .unwrap();
        let args: Vec<String> = definition["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
            .map(|a| {
                format!(
                    "{}: {}",
                    a["name"].as_str().unwrap(),
                    self.literal(&a["type"], 0)
                )
            })
            .collect();
        if args.is_empty() {
            field.to_owned()
        } else {
            format!("{field}({})", args.join(", "))
        }
    }
}

async fn every_field_below_the_roots_follows_the_field_matrix(backend: Backend) {
    use policies::permissions::fields;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let schema = app.graphql_as("admin", INTROSPECTION, json!({})).await;
    let types = Types(
        schema["data"]["__schema"]["types"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}"))
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect(),
    );
    let objects: Vec<String> = types
        .0
        .iter()
        .filter(|(name, t)| {
            t["kind"] == "OBJECT"
                && !name.starts_with("__")
                && !matches!(name.as_str(), "Query" | "Mutation" | "Subscription")
        })
        .map(|(name, _)| name.clone())
        .collect();
    let missing: Vec<&String> = objects
        .iter()
        .filter(|name| fields::type_access(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "object types without a row in the field matrix (closed to everyone): {missing:?}"
    );

    let rtm: i64 = 2;
    let mut walkers: Vec<(String, String, Subject)> = Vec::new();
    for scope in [
        "read:agenda",
        "read:events",
        "read:aggregates:mobility",
        "ingest:rtm-frequentation",
    ] {
        let issued = app
            .graphql_as(
                "admin",
                "mutation($input: IssuePartnerTokenInput!) { issuePartnerToken(input: $input) { secret token { organization { id } } } }",
                json!({ "input": { "organizationId": rtm.to_string(), "label": scope, "scopes": [scope],
                    "purposes": ["event_planning"], "days": 1 } }),
            )
            .await;
        let secret = issued["data"]["issuePartnerToken"]["secret"]
            .as_str()
            .unwrap_or_else(|| panic!("{issued}"))
            .to_owned();
        walkers.push((
            format!("token {scope}"),
            secret,
            Subject::PartnerToken {
                organization: OrgId(rtm),
                scopes: vec![Scope::parse(scope).unwrap()],
                purposes: vec![Purpose::EventPlanning],
            },
        ));
    }
    for role in Role::ALL {
        walkers.push((
            format!("role {}", role.as_str()),
            app.token_for(role.as_str()).await,
            Subject::User {
                role: *role,
                organization: OrgId(1),
            },
        ));
    }

    let (mut checked, mut refused) = (0, 0);
    let mut mismatches = Vec::new();
    for target in &objects {
        let Some(path) = path_to(&types, target) else {
            continue;
        };
        // The document selects every field of the target at the end of the path.
        // An unused variable makes validation refuse it after the guard looked:
        // whatever the guard decides, nothing runs.
        let root = &path[0].0;
        let mut selection = String::new();
        let mut steps = Vec::new();
        for (parent, field) in &path {
            selection.push_str(&format!("{} {{ ", types.call(parent, field)));
            steps.push((parent.clone(), field.clone()));
        }
        for field in types.0[target]["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap();
            selection.push_str(&types.call(target, name));
            selection.push_str(types.selection(&field["type"]));
            selection.push(' ');
            steps.push((target.clone(), name.to_owned()));
        }
        selection.push_str(&"} ".repeat(path.len()));
        let keyword = if root == "Mutation" {
            "mutation"
        } else {
            "query"
        };
        let document = format!("{keyword} Walk($unused: Int) {{ {selection} }}");
        for (who, token, subject) in &walkers {
            let expected: std::collections::BTreeSet<String> = steps
                .iter()
                .filter(|(parent, _)| !matches!(parent.as_str(), "Query" | "Mutation"))
                .filter(|(parent, field)| fields::may_read(subject, parent, field).is_err())
                .map(|(parent, field)| format!("{parent}.{field}"))
                .collect();
            let body = app.graphql_with(token, &document, json!({})).await;
            let error = &body["errors"][0];
            assert!(
                body["data"].is_null(),
                "nothing runs: {who} {document}: {body}"
            );
            let got: std::collections::BTreeSet<String> =
                if error["extensions"]["fields"].is_array() {
                    error["extensions"]["fields"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_str().unwrap().to_owned())
                        .collect()
                } else {
                    assert!(
                        error["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("unused")),
                        "{who}: the walk's document must only fail validation: {body}"
                    );
                    Default::default()
                };
            checked += steps.len();
            refused += got.len();
            if got != expected {
                mismatches.push(format!(
                    "{who} / {target}: expected {expected:?}, got {got:?}"
                ));
            }
        }
    }
    println!(
        "field walk: {} object types x {} walkers, {checked} fields checked, {refused} refused",
        objects.len(),
        walkers.len()
    );
    assert!(refused > 0, "some fields are refused to someone");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

on_both_backends!(every_field_below_the_roots_follows_the_field_matrix);
