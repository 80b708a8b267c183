//! `api bench` and `api bench agenda|abuse|live`: load over real HTTP against
//! servers started in this process or in processes of their own. Benchmarks print figures and assert nothing: machines differ and are
//! shared.

pub mod agenda;
pub mod ingest;
pub mod live;
pub mod postgraphile;
pub mod process;
pub mod suite;
pub mod volume;
pub mod wrk;

pub use agenda::{AgendaBenchArgs, agenda};
pub use live::{LiveBenchArgs, live};
pub use process::{ServerArgs, server};
pub use suite::SuiteArgs;

use std::time::{Duration, Instant};

use serde_json::json;

use crate::settings::Settings;
use crate::startup::Application;

/// What one load run measured.
pub(crate) struct Figures {
    /// Answers received.
    pub requests: u64,
    /// Failed requests.
    pub errors: u64,
    /// Answers per second.
    pub per_second: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 99th percentile latency.
    pub p99_ms: f64,
    /// Size of an answer.
    pub bytes: usize,
}

/// `connections` clients sending `body` to `url` for `seconds`, with `token` when
/// not empty.
pub(crate) async fn load(
    url: &str,
    token: &str,
    body: &serde_json::Value,
    seconds: u64,
    connections: usize,
) -> Figures {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let text = body.to_string();
    for connection in 0..connections {
        let (client, url, token) = (client.clone(), url.to_owned(), token.to_owned());
        let text = text.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut errors, mut bytes) = (0u64, 0usize);
            let mut sent_count = 0u64;
            while Instant::now() < deadline {
                sent_count += 1;
                let sent = Instant::now();
                let mut request = client
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(varied(&text, connection, sent_count));
                if !token.is_empty() {
                    request = request.bearer_auth(&token);
                }
                let response = request.send().await;
                match response {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(body) => {
                            bytes = body.len();
                            latencies.push(sent.elapsed());
                        }
                        Err(_) => errors += 1,
                    },
                    _ => errors += 1,
                }
            }
            (latencies, errors, bytes)
        }));
    }
    let mut latencies = Vec::new();
    let (mut errors, mut bytes) = (0, 0);
    for task in tasks {
        if let Ok((mut l, e, b)) = task.await {
            latencies.append(&mut l);
            errors += e;
            bytes = bytes.max(b);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round().max(0.0) as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Figures {
        requests: latencies.len() as u64,
        errors,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
        bytes,
    }
}

/// `body` with the [`wrk::VARY`] marker, if any, replaced by the connection's number
/// and its request count, as `wrk` does: no two requests share a document.
fn varied(body: &str, connection: usize, count: u64) -> String {
    body.replace(wrk::VARY, &format!("{connection}-{count}"))
}

/// Starts a server on `settings` and returns its URL and an analyst's access token.
pub(crate) async fn serve(settings: &Settings, audit: bool) -> Result<(String, String), String> {
    let mut settings = settings.clone();
    settings.bind = "127.0.0.1:0".to_owned();
    settings.audit_enabled = audit;
    let app = Application::build(settings.clone())
        .await
        .map_err(|e| e.to_string())?;
    let url = format!("http://127.0.0.1:{}/graphql", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    account(&settings, &db, &url).await
}

/// Creates a dedicated analyst on `db` and logs in at `url`: its URL and token.
pub(crate) async fn account(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
    url: &str,
) -> Result<(String, String), String> {
    let url = url.to_owned();
    // A dedicated analyst: the benchmark must not depend on demo accounts.
    let email = format!("bench-{}@bench.example", uuid::Uuid::new_v4().simple());
    let password = uuid::Uuid::new_v4().to_string();
    let auth =
        crate::auth::service::AuthState::from_settings(settings).map_err(|e| e.to_string())?;
    let ctx = crate::context::RequestContext::command_line("bench agenda");
    let operation = crate::context::Operation::named(
        crate::context::OperationKind::Command,
        "bench agenda",
        "createUser",
    );
    // An analyst belongs to a municipal service (the register's rule).
    let organization = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::organization::Entity::find()
            .filter(entity::organization::Column::Code.eq("csu"))
            .one(db)
            .await
            .map_err(|e| e.to_string())?
            .map(|o| o.id)
    };
    let new = crate::auth::service::NewUser {
        email: email.clone(),
        role: policies::roles::Role::Analyst,
        organization_id: organization,
        password: password.clone(),
    };
    crate::auth::service::create_user(
        db,
        &auth,
        crate::services::work::Change::new(&ctx, &operation),
        new,
    )
    .await
    .map_err(|e| e.to_string())?;
    let login = reqwest::Client::new()
        .post(&url)
        .json(&json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }", "variables": { "e": email, "p": password } }))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json::<serde_json::Value>()
        .await
        .map_err(|e| e.to_string())?;
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .ok_or_else(|| format!("benchmark login failed: {login}"))?
        .to_owned();
    Ok((url, token))
}

/// A partner token of the phone operators that ingests their presence counts.
pub(crate) async fn presence_token(db: &sea_orm::DatabaseConnection) -> Result<String, String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let organization = entity::organization::Entity::find()
        .filter(entity::organization::Column::Code.eq("operateurs-mobiles"))
        .one(db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo organization operateurs-mobiles is missing")?;
    let ctx = crate::context::RequestContext::command_line("bench live");
    let operation = crate::context::Operation::named(
        crate::context::OperationKind::Command,
        "bench live",
        "issuePartnerToken",
    );
    let new = crate::auth::partner_tokens::NewPartnerToken {
        organization_id: organization.id,
        label: "bench live".to_owned(),
        scopes: vec!["ingest:presence-operateurs".to_owned()],
        purposes: vec!["ingestion".to_owned()],
        days: 1,
    };
    let issued = crate::auth::partner_tokens::issue_partner_token(
        db,
        crate::services::work::Change::new(&ctx, &operation),
        &new,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(issued.secret)
}

/// One line of figures.
pub(crate) fn print(label: &str, f: &Figures) {
    println!(
        "{label:<28} {:>8.1} req/s  p50 {:>7.1} ms  p99 {:>7.1} ms  {:>6} requests  {:>3} errors  {:>7} bytes",
        f.per_second, f.p50_ms, f.p99_ms, f.requests, f.errors, f.bytes
    );
}

/// One abusive request of the suite: a name, an optional bearer token, a body.
struct Attack {
    name: &'static str,
    authenticated: bool,
    body: serde_json::Value,
    times: usize,
}

/// The attacks the hardening answers, as an attacker would send them.
fn attacks() -> Vec<Attack> {
    let mut fragments = String::from("fragment F0 on Query { __typename }\n");
    for level in 1..7 {
        let spreads = format!("...F{} ", level - 1).repeat(16);
        fragments.push_str(&format!("fragment F{level} on Query {{ {spreads}}}\n"));
    }
    fragments.push_str("query { ...F6 }");
    let aliases: String = (0..300)
        .map(|i| format!("a{i}: agenda(days: 90) {{ date events {{ id }} }} "))
        .collect();
    let duplicates = "agenda(days: 90) { date events { id } } ".repeat(500);
    let login =
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";
    vec![
        Attack {
            name: "nested fragments (16^6 fields)",
            authenticated: false,
            body: json!({ "query": fragments }),
            times: 20,
        },
        Attack {
            name: "300 aliases of agenda(days: 90)",
            authenticated: true,
            body: json!({ "query": format!("{{ {aliases} }}") }),
            times: 20,
        },
        Attack {
            name: "agenda repeated 500 times",
            authenticated: true,
            body: json!({ "query": format!("{{ {duplicates} }}") }),
            times: 20,
        },
        Attack {
            name: "250 KB operationName",
            authenticated: false,
            body: json!({ "query": "{ __typename }", "operationName": "A".repeat(250_000) }),
            times: 200,
        },
        Attack {
            name: "login with a 250 KB e-mail",
            authenticated: false,
            body: json!({ "query": login, "variables": { "e": format!("{}@x.example", "b".repeat(250_000)), "p": "whatever" } }),
            times: 100,
        },
        Attack {
            name: "100 parallel wrong logins",
            authenticated: false,
            body: json!({ "query": login, "variables": { "e": "analyst@marseille.example", "p": "wrong-password" } }),
            times: 100,
        },
        Attack {
            name: "agenda from +262142-12-31",
            authenticated: true,
            body: json!({ "query": "{ agenda(from: \"+262142-12-31\", days: 1) { date } }" }),
            times: 20,
        },
        Attack {
            name: "conflicts of events far apart",
            authenticated: true,
            body: json!({ "query": "{ a: event(id: \"1\") { conflicts { kind } } b: event(id: \"40000\") { conflicts { kind } } }" }),
            times: 20,
        },
    ]
}

/// Peak resident memory of this process (server and client), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Runs the abuse suite against a fresh server with the demo agenda and prints,
/// per attack, the statuses, error codes and worst time, then the worst time over
/// the suite and the peak memory.
pub async fn abuse(settings: &Settings) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("platform-bench-abuse-{}", std::process::id()));
    let mut settings = settings.clone();
    if settings.database_url.is_none() {
        settings.data_dir = dir.clone();
    }
    settings.seed_demo = true;
    settings.seed_history = false;
    settings.seed_presence = false;
    let (url, token) = serve(&settings, true).await?;
    let client = reqwest::Client::new();
    let before = peak_rss_mib();
    let mut worst_overall = Duration::ZERO;
    println!("{:<34} {:>5} {:>10}  answers", "attack", "sent", "worst ms");
    for attack in attacks() {
        let mut tasks = Vec::new();
        for _ in 0..attack.times {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            let (body, authenticated) = (attack.body.clone(), attack.authenticated);
            let task = async move {
                let mut request = client.post(&url).json(&body);
                if authenticated {
                    request = request.bearer_auth(&token);
                }
                let sent = Instant::now();
                let answer = request.send().await;
                let (status, code) = match answer {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body: serde_json::Value = r.json().await.unwrap_or_default();
                        let code = body["errors"][0]["extensions"]["code"]
                            .as_str()
                            .unwrap_or(if status == 200 { "ok" } else { "-" })
                            .to_owned();
                        (status, code)
                    }
                    Err(_) => (0, "no answer".to_owned()),
                };
                (sent.elapsed(), status, code)
            };
            tasks.push(tokio::spawn(task));
        }
        let mut worst = Duration::ZERO;
        let mut answers: std::collections::BTreeMap<String, usize> = Default::default();
        for task in tasks {
            if let Ok((took, status, code)) = task.await {
                worst = worst.max(took);
                *answers.entry(format!("{status} {code}")).or_default() += 1;
            }
        }
        worst_overall = worst_overall.max(worst);
        let answers: Vec<String> = answers.iter().map(|(k, n)| format!("{n}x {k}")).collect();
        println!(
            "{:<34} {:>5} {:>10.1}  {}",
            attack.name,
            attack.times,
            worst.as_secs_f64() * 1e3,
            answers.join(", ")
        );
    }
    let health = Instant::now();
    let alive = client
        .get(url.replace("/graphql", "/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    println!(
        "worst request over the suite: {:.1} ms; /healthz after it: {} in {:.1} ms",
        worst_overall.as_secs_f64() * 1e3,
        if alive { "up" } else { "DOWN" },
        health.elapsed().as_secs_f64() * 1e3
    );
    if let (Some(before), Some(after)) = (before, peak_rss_mib()) {
        println!(
            "peak memory (server and client in one process): {before:.0} MiB before the suite, {after:.0} MiB after"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_in_process_client_sends_a_new_document_each_request_when_marked() {
        let body =
            json!({ "query": format!("{{ agenda {{ date }} }} #{}", wrk::VARY) }).to_string();
        let (a, b, c) = (
            varied(&body, 0, 1),
            varied(&body, 0, 2),
            varied(&body, 1, 1),
        );
        assert!(a != b && a != c && b != c, "{a} {b} {c}");
        assert!(!a.contains(wrk::VARY), "{a}");
        let plain = json!({ "query": "{ agenda { date } }" }).to_string();
        assert_eq!(varied(&plain, 0, 1), plain);
    }
}
