//! Answers of the hot read fields (the agenda) kept between requests, so that a
//! repeated read does not resolve its ~4,000 fields again.
//!
//! It is the innermost extension: the guard has checked the document and the root
//! field against the viewer's permissions, and the audit extension still writes an
//! entry per root field from the answer, whether it came from here or not. A field's
//! answer is kept as soon as it is computed (requests that found it missing wait for
//! that one computation) and withdrawn if the operation then ends with an error; a
//! request served in between gets the same value without the error. It is kept under a key
//! made of the viewer's identity and permissions (subject, person or token,
//! organization, purpose), the document, its variables and operation name, the
//! field's alias and the Paris day (an omitted `from` means today).
//!
//! An answer is valid while nothing was committed since its computation began: every
//! unit of work wakes [`crate::live`] after its commit, and on PostgreSQL the
//! writes of other processes to the tables the agenda reads arrive by `NOTIFY`
//! (migration `m20261203_150000_agenda_notify`), which wakes it too. As a bound for
//! writers no notification reaches (another process on the embedded SQLite file), an
//! answer is also never older than [`MAX_AGE`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextResolve,
    ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, ServerResult, Value, Variables};

use super::{OperationName, selected_operation};
use crate::context::{KeptText, RequestContext};

/// Root fields whose answers are kept.
pub const CACHED_ROOTS: [&str; 1] = ["agenda"];

/// Oldest answer served, for writes no notification reaches.
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// Answers kept at most: each is a whole agenda (about 100 KB of JSON); when full,
/// the oldest half is dropped.
const CAPACITY: usize = 16;

/// One kept answer.
struct Entry {
    /// The change generation when its computation began.
    generation: u64,
    /// When its computation began.
    at: Instant,
    /// The field's value, and the same as JSON text.
    answer: Arc<Answer>,
}

/// A kept answer, shared by the requests it serves: its JSON text only. The value
/// tree of an agenda takes several times the memory of its ~100 KB of text, and
/// sixteen kept agendas (a new document each time) held about 15 MiB of trees
/// that only the rare WebSocket caller read.
enum Answer {
    /// The value serialized once, for the HTTP handler, which writes it as is: an
    /// agenda's ~4,000 fields are then neither cloned nor serialized per request.
    Text(KeptText),
    /// A value that could not be written as JSON text (none the schema produces),
    /// kept as it is.
    Value(Value),
}

impl Answer {
    fn new(value: Value) -> Self {
        let json = serde_json::to_string(&value)
            .ok()
            .and_then(|json| serde_json::value::RawValue::from_string(json).ok());
        match json {
            Some(json) => Answer::Text(KeptText {
                json: Arc::from(json),
                records: super::audit::record_count(&value),
            }),
            None => Answer::Value(value),
        }
    }

    /// The answer as a value, for callers that need one (the WebSocket): read
    /// back from its text.
    fn value(&self) -> Option<Value> {
        match self {
            Answer::Text(text) => serde_json::from_str(text.json.get()).ok(),
            Answer::Value(value) => Some(value.clone()),
        }
    }
}

/// The answers shared by every request of a schema.
#[derive(Default)]
pub struct AnswerCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// One computation at a time per key: when an answer expires under load, the
    /// requests that find it missing wait for the first one's instead of all
    /// computing it at once.
    computing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl AnswerCache {
    fn turn(&self, key: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut computing = self.computing.lock().ok()?;
        if computing.len() > CAPACITY * 4 {
            computing.retain(|_, m| Arc::strong_count(m) > 1);
        }
        Some(Arc::clone(computing.entry(key.to_owned()).or_default()))
    }

    fn forget(&self, key: &str, at: Instant) {
        if let Ok(mut entries) = self.entries.lock()
            && entries.get(key).is_some_and(|e| e.at == at)
        {
            entries.remove(key);
        }
    }

    fn get(&self, key: &str, generation: u64) -> Option<Arc<Answer>> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.at.elapsed() < MAX_AGE)
            .then(|| Arc::clone(&entry.answer))
    }

    fn put(&self, key: String, entry: Entry) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // What is older than a fresh computation's start is never served again.
        entries.retain(|_, e| e.generation == entry.generation && e.at.elapsed() < MAX_AGE);
        if entries.len() >= CAPACITY {
            let mut ages: Vec<Instant> = entries.values().map(|e| e.at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            entries.retain(|_, e| e.at > cut);
        }
        let newer = entries
            .get(&key)
            .is_some_and(|e| e.generation == entry.generation && e.at > entry.at);
        if !newer {
            entries.insert(key, entry);
        }
    }
}

/// Creates the cache extension of a schema.
pub struct Cache {
    /// The answers, shared by the schema's requests.
    pub answers: Arc<AnswerCache>,
}

impl ExtensionFactory for Cache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CacheExtension {
            answers: Arc::clone(&self.answers),
            document: OnceLock::new(),
            computed: Mutex::new(Vec::new()),
        })
    }
}

/// The cache's view of one request.
struct CacheExtension {
    answers: Arc<AnswerCache>,
    /// The document and its variables, as the key's part.
    document: OnceLock<String>,
    /// Answers computed by this request (key, computation start), withdrawn if the
    /// operation ends with an error.
    computed: Mutex<Vec<(String, Instant)>>,
}

/// The part of the key that says who asks: everything permissions depend on.
fn viewer_key(request: &RequestContext) -> String {
    let v = &request.viewer;
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}",
        v.subject, v.user_id, v.token_id, v.organization_id, v.purpose
    )
}

#[async_trait::async_trait]
impl Extension for CacheExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let name = ctx.data_opt::<OperationName>().and_then(|n| n.0.clone());
        // The key is built only for a query that may select a kept root: a
        // mutation's variables (a batch of observations) are not written out again.
        let may_keep = CACHED_ROOTS.iter().any(|root| query.contains(root))
            && selected_operation(&doc, name.as_deref())
                .is_some_and(|(_, ty)| ty == OperationType::Query);
        if may_keep {
            let variables = serde_json::to_string(variables).unwrap_or_default();
            let _ = self.document.set(format!("{name:?}|{variables}|{query}"));
        }
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        let computed = self
            .computed
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default();
        if !response.errors.is_empty() {
            // A field below may have failed into a null: not an answer to keep.
            for (key, at) in computed {
                self.answers.forget(&key, at);
            }
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let cached = info.path_node.parent.is_none()
            && info.parent_type == "Query"
            && CACHED_ROOTS.contains(&info.name);
        let (Some(request), Some(document), true) = (
            ctx.data_opt::<Arc<RequestContext>>(),
            self.document.get(),
            cached,
        ) else {
            return next.run(ctx, info).await;
        };
        let response_key = info.alias.unwrap_or(info.name);
        let key = format!(
            "{}|{}|{response_key}|{document}",
            viewer_key(request),
            crate::time::paris_today(chrono::Utc::now()),
        );
        // A kept answer goes out as its text when the caller splices it in (the HTTP
        // handler), else as a copy of its value.
        let serve = |answer: Arc<Answer>| match (answer.as_ref(), request.answers_as_text) {
            (Answer::Text(text), true) => {
                request.note_kept_text(response_key, text.clone());
                Some(Value::Null)
            }
            (answer, _) => answer.value(),
        };
        if let Some(answer) = self.answers.get(&key, crate::live::generation()) {
            return Ok(serve(answer));
        }
        let turn = self.answers.turn(&key);
        let _turn = match &turn {
            Some(turn) => Some(turn.lock().await),
            None => None,
        };
        // Read before the computation: a commit during it makes the answer stale.
        let generation = crate::live::generation();
        if let Some(answer) = self.answers.get(&key, generation) {
            return Ok(serve(answer));
        }
        let at = Instant::now();
        let Some(value) = next.run(ctx, info).await? else {
            return Ok(None);
        };
        // Kept at once for the requests waiting their turn; withdrawn by `execute`
        // if the operation ends with an error. This request is answered from it too:
        // its text is then serialized once, not again with the response.
        let answer = Arc::new(Answer::new(value));
        self.answers.put(
            key.clone(),
            Entry {
                generation,
                at,
                answer: Arc::clone(&answer),
            },
        );
        if let Ok(mut computed) = self.computed.lock() {
            computed.push((key, at));
        }
        Ok(serve(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(generation: u64, text: &str) -> Entry {
        Entry {
            generation,
            at: Instant::now(),
            answer: Arc::new(Answer::new(Value::from(text))),
        }
    }

    fn value(answer: Option<Arc<Answer>>) -> Option<Value> {
        answer.and_then(|a| a.value())
    }

    #[test]
    fn an_answer_is_served_only_in_the_generation_it_was_computed_in() {
        let cache = AnswerCache::default();
        cache.put("k".to_owned(), entry(3, "old"));
        assert_eq!(
            value(cache.get("k", 3)),
            Some(Value::from("old")),
            "same generation"
        );
        assert_eq!(value(cache.get("k", 4)), None, "a commit since: recomputed");
        assert_eq!(value(cache.get("other", 3)), None, "another key");
    }

    #[test]
    fn an_answer_older_than_the_maximum_age_is_not_served() {
        let cache = AnswerCache::default();
        let mut old = entry(1, "old");
        old.at = Instant::now()
            .checked_sub(MAX_AGE + Duration::from_millis(10))
            .unwrap_or_else(Instant::now);
        cache.put("k".to_owned(), old);
        assert_eq!(value(cache.get("k", 1)), None);
    }

    #[test]
    fn a_kept_answer_is_its_json_text_and_record_count() {
        let list = Value::List(vec![Value::from("a\"b"), Value::from(2)]);
        let answer = Answer::new(list.clone());
        let text = match &answer {
            Answer::Text(t) => Some((t.json.get().to_owned(), t.records)),
            Answer::Value(_) => None,
        };
        assert_eq!(
            text,
            Some((serde_json::to_string(&list).unwrap_or_default(), 2))
        );
    }

    #[test]
    fn a_kept_answer_read_as_a_value_writes_the_same_json() {
        use async_graphql::Name;
        let mut event = async_graphql::indexmap::IndexMap::new();
        event.insert(Name::new("title"), Value::from("Fête \"au\" Vieux-Port\n"));
        event.insert(Name::new("level"), Value::Enum(Name::new("HIGH")));
        event.insert(Name::new("risk"), Value::from(6.5));
        event.insert(Name::new("count"), Value::from(3));
        event.insert(Name::new("venue"), Value::Null);
        let value = Value::List(vec![Value::Object(event), Value::Boolean(true)]);
        let again = Answer::new(value.clone()).value();
        assert_eq!(
            again.map(|v| serde_json::to_string(&v).unwrap_or_default()),
            Some(serde_json::to_string(&value).unwrap_or_default()),
            "the WebSocket's copy is the kept text read back"
        );
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = AnswerCache::default();
        for i in 0..(CAPACITY * 3) {
            cache.put(format!("k{i}"), entry(1, "v"));
        }
        let kept = cache.entries.lock().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(kept <= CAPACITY, "{kept} answers kept");
    }
}
