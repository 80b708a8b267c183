//! Load from `wrk` (a maintained HTTP load generator, `apt-get install wrk`), or,
//! where it is not installed, from the in-process client of [`super::load`].
//!
//! `wrk` counts HTTP answers: a GraphQL error comes back as 200, so each target is
//! checked once with [`probe`] before it is measured.

use std::process::Command;

use super::Figures;

/// A marker in a body replaced with a new value on each request, by `wrk` and by the
/// in-process client alike.
pub const VARY: &str = "VARYING";

/// Whether `wrk` can be run.
pub fn available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty() || !o.stderr.is_empty())
}

/// Sends `body` once to `url`: the answer's size, or why it is not a clean answer.
pub async fn probe(url: &str, token: &str, body: &serde_json::Value) -> Result<usize, String> {
    let mut request = reqwest::Client::new().post(url).json(body);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.map_err(|e| e.to_string())?;
    let status = answer.status();
    let bytes = answer.bytes().await.map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if !status.is_success() || value.get("errors").is_some_and(|e| !e.is_null()) {
        let text = String::from_utf8_lossy(&bytes);
        return Err(format!(
            "{status}: {}",
            text.chars().take(300).collect::<String>()
        ));
    }
    Ok(bytes.len())
}

/// `connections` clients sending `body` to `url` for `seconds`: through `wrk` when
/// installed, otherwise the in-process client.
pub(crate) async fn load(
    url: &str,
    token: &str,
    body: &serde_json::Value,
    seconds: u64,
    connections: usize,
) -> Figures {
    if !available() {
        return super::load(url, token, body, seconds, connections).await;
    }
    let bytes = probe(url, token, body).await.unwrap_or(0);
    let (url, token, body) = (url.to_owned(), token.to_owned(), body.to_string());
    let run =
        tokio::task::spawn_blocking(move || run_wrk(&url, &token, &body, seconds, connections));
    let outcome = match run.await {
        Ok(outcome) => outcome,
        Err(err) => Err(err.to_string()),
    };
    match outcome {
        Ok(mut figures) => {
            figures.bytes = bytes;
            figures
        }
        Err(err) => {
            println!("wrk failed: {err}");
            empty()
        }
    }
}

fn empty() -> Figures {
    Figures {
        requests: 0,
        errors: 0,
        per_second: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
        bytes: 0,
    }
}

/// Lua long brackets that `text` cannot close.
fn lua_string(text: &str) -> String {
    let mut level = 1;
    while text.contains(&format!("]{}]", "=".repeat(level))) {
        level += 1;
    }
    let eq = "=".repeat(level);
    format!("[{eq}[{text}]{eq}]")
}

fn run_wrk(
    url: &str,
    token: &str,
    body: &str,
    seconds: u64,
    connections: usize,
) -> Result<Figures, String> {
    let script = std::env::temp_dir().join(format!(
        "platform-bench-wrk-{}-{}.lua",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut lua = format!(
        "wrk.method = \"POST\"\nwrk.body = {}\nwrk.headers[\"Content-Type\"] = \"application/json\"\n",
        lua_string(body)
    );
    if !token.is_empty() {
        lua.push_str(&format!(
            "wrk.headers[\"Authorization\"] = {}\n",
            lua_string(&format!("Bearer {token}"))
        ));
    }
    if body.contains(VARY) {
        // A new document each request: the marker (inside a GraphQL comment) becomes
        // the thread's number and a counter, so no two requests share a kept answer.
        lua.push_str(&format!(
            "local threads = 0\nfunction setup(thread)\n  threads = threads + 1\n  thread:set(\"tid\", threads)\nend\ncounter = 0\nfunction request()\n  counter = counter + 1\n  local body = string.gsub(wrk.body, {}, tid .. \"-\" .. counter)\n  return wrk.format(nil, nil, nil, body)\nend\n",
            lua_string(VARY)
        ));
    }
    std::fs::write(&script, lua).map_err(|e| e.to_string())?;
    let threads = connections.clamp(1, 2);
    let output = Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--timeout")
        .arg("30s")
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(url)
        .output();
    let _ = std::fs::remove_file(&script);
    let output = output.map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    parse(&text).ok_or_else(|| {
        format!(
            "unreadable output: {text} {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A `wrk` duration (`812.00us`, `12.34ms`, `1.20s`, `2.00m`) in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => value / 1e3,
        "ms" => value,
        "s" => value * 1e3,
        "m" => value * 60e3,
        _ => return None,
    })
}

/// Reads `wrk --latency`'s report.
fn parse(text: &str) -> Option<Figures> {
    let mut figures = empty();
    let mut seen_rate = false;
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => figures.p50_ms = duration_ms(value)?,
            ["99%", value] => figures.p99_ms = duration_ms(value)?,
            [count, "requests", "in", ..] => figures.requests = count.parse().ok()?,
            ["Requests/sec:", rate] => {
                figures.per_second = rate.parse().ok()?;
                seen_rate = true;
            }
            ["Non-2xx", "or", "3xx", "responses:", count] => {
                figures.errors += count.parse::<u64>().ok()?
            }
            ["Socket", "errors:", rest @ ..] => {
                figures.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    seen_rate.then_some(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 2s test @ http://127.0.0.1:1/graphql
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    30.12ms    5.00ms  80.00ms   70.00%
  Latency Distribution
     50%   29.50ms
     75%   33.00ms
     90%   38.00ms
     99%    1.20s
  1061 requests in 2.00s, 100.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    530.25
Transfer/sec:     50.00MB
";

    #[test]
    fn a_wrk_report_is_read_into_figures() {
        let figures = parse(REPORT).expect("the report should be read");
        assert_eq!(figures.requests, 1061, "requests");
        assert_eq!(figures.errors, 7, "socket errors and non-2xx answers");
        assert!((figures.per_second - 530.25).abs() < 1e-9, "rate");
        assert!((figures.p50_ms - 29.5).abs() < 1e-9, "p50");
        assert!((figures.p99_ms - 1200.0).abs() < 1e-9, "p99 in seconds");
    }

    #[test]
    fn a_report_without_a_rate_is_refused() {
        assert!(parse("unable to connect to 127.0.0.1:1").is_none());
    }

    #[test]
    fn a_body_cannot_close_its_lua_string() {
        assert_eq!(lua_string("a]=]b"), "[==[a]=]b]==]");
        assert_eq!(duration_ms("812.00us"), Some(0.812));
    }
}
