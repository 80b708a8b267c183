//! A parsed document read against the schema, before anything runs: one walk gives
//! every selected field its parent type (for the field-level permission matrix) and
//! measures the document (depth, aliases, root fields, directives, cost) for the
//! limits. Fragments are expanded by cost, not by text: each fragment is measured
//! once and its figure reused wherever it is spread, so a small document that
//! spreads fragments inside fragments costs what its expansion would, and measuring
//! it costs only its size.

use std::collections::{BTreeSet, HashMap};

use async_graphql::Name;
use async_graphql::Variables;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, TypeKind,
    TypeSystemDefinition,
};
use async_graphql_value::Value;

/// A field of an object type: what it returns.
#[derive(Debug, Clone)]
struct FieldType {
    /// The named type at the bottom of the field's type.
    named: String,
    /// Whether the field returns a list.
    list: bool,
}

/// The object types of the schema and their fields, read once from its SDL.
#[derive(Debug, Default)]
pub struct SchemaIndex {
    types: HashMap<String, HashMap<String, FieldType>>,
}

impl SchemaIndex {
    /// Reads the object types of an SDL document.
    pub fn from_sdl(sdl: &str) -> Self {
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            return SchemaIndex::default();
        };
        let mut types = HashMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let TypeKind::Object(object) = &ty.node.kind else {
                continue;
            };
            let fields = object
                .fields
                .iter()
                .map(|field| {
                    let mut base = &field.node.ty.node.base;
                    let mut list = false;
                    while let BaseType::List(inner) = base {
                        list = true;
                        base = &inner.base;
                    }
                    let named = match base {
                        BaseType::Named(name) => name.to_string(),
                        BaseType::List(_) => String::new(),
                    };
                    (field.node.name.node.to_string(), FieldType { named, list })
                })
                .collect();
            types.insert(ty.node.name.node.to_string(), fields);
        }
        SchemaIndex { types }
    }

    fn field(&self, parent: &str, name: &str) -> Option<&FieldType> {
        self.types.get(parent)?.get(name)
    }

    /// The names of the schema's object types.
    pub fn object_types(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }

    /// The field names of an object type.
    pub fn fields_of(&self, type_name: &str) -> Vec<&str> {
        self.types
            .get(type_name)
            .map(|fields| fields.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// How many items a list field is assumed to return when no argument says: what a
/// busy real answer holds (the events of a day, the deployments of an event).
pub const ASSUMED_LIST_SIZE: u64 = 10;

/// What a document asks for, measured before it runs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// Deepest nesting of data fields (introspection excluded).
    pub depth: usize,
    /// Deepest nesting inside `__schema` and `__type`.
    pub introspection_depth: usize,
    /// Aliases written in the operation and the fragments it uses.
    pub aliases: usize,
    /// Root fields of the operation (fragments expanded).
    pub root_fields: usize,
    /// Directives written in the operation and the fragments it uses.
    pub directives: usize,
    /// Fields the answer would hold at most: every field, `__typename` included,
    /// counts one, multiplied by the sizes of the lists around it (`first`, `days`,
    /// or [`ASSUMED_LIST_SIZE`]); fragments expanded.
    pub cost: u64,
    /// Every (parent type, field) pair selected below the roots, introspection
    /// excluded.
    pub reads: BTreeSet<(String, String)>,
}

/// Measures `operation` of `doc`; `root` is the root type's name (`Query`...).
pub fn analyze(
    index: &SchemaIndex,
    doc: &ExecutableDocument,
    operation: &OperationDefinition,
    root: &str,
    variables: &Variables,
    max_page: u64,
) -> Analysis {
    let mut walker = Walker {
        index,
        doc,
        variables,
        max_page,
        memo: HashMap::new(),
        reads: BTreeSet::new(),
        aliases: 0,
        directives: operation.directives.len(),
    };
    let measure = walker.set(&operation.selection_set.node, root, 0);
    Analysis {
        depth: measure.depth,
        introspection_depth: measure.introspection_depth,
        aliases: walker.aliases,
        root_fields: measure.fields,
        directives: walker.directives,
        cost: measure.cost,
        reads: walker.reads,
    }
}

/// Figures of one selection set.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    cost: u64,
    depth: usize,
    introspection_depth: usize,
    /// Fields directly in the set (fragments expanded).
    fields: usize,
}

/// Deeper fragment nesting than validation would ever accept; the walk runs before
/// validation, so it bounds itself.
const MAX_NESTING: usize = 64;

struct Walker<'a> {
    index: &'a SchemaIndex,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    max_page: u64,
    /// Each fragment measured once; `None` while it is being measured (a cycle).
    memo: HashMap<Name, Option<Measure>>,
    reads: BTreeSet<(String, String)>,
    aliases: usize,
    directives: usize,
}

impl Walker<'_> {
    fn set(&mut self, set: &SelectionSet, parent: &str, nesting: usize) -> Measure {
        let mut total = Measure::default();
        if nesting > MAX_NESTING {
            return total;
        }
        for item in &set.items {
            let part = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    // A fragment is walked once, so its aliases and directives count
                    // once: as written, which is what the limits are about.
                    if field.alias.is_some() {
                        self.aliases += 1;
                    }
                    self.directives += field.directives.len();
                    if name.starts_with("__") {
                        let inner = if matches!(name, "__schema" | "__type") {
                            self.set(&field.selection_set.node, "__Introspection", nesting + 1)
                        } else {
                            self.set(&field.selection_set.node, parent, nesting + 1)
                        };
                        let deep =
                            matches!(name, "__schema" | "__type") || parent.starts_with("__");
                        Measure {
                            cost: 1u64.saturating_add(inner.cost),
                            depth: if deep { 0 } else { 1 },
                            introspection_depth: if deep {
                                1 + inner.introspection_depth.max(inner.depth)
                            } else {
                                inner.introspection_depth
                            },
                            fields: 1,
                        }
                    } else if parent.starts_with("__") {
                        let inner = self.set(&field.selection_set.node, parent, nesting + 1);
                        Measure {
                            cost: 1u64.saturating_add(inner.cost),
                            depth: 0,
                            introspection_depth: 1 + inner.introspection_depth,
                            fields: 1,
                        }
                    } else {
                        let ty = self.index.field(parent, name).cloned();
                        // An unknown parent means an unknown field, which validation
                        // refuses before anything runs.
                        if !is_root(parent) && !parent.is_empty() {
                            self.reads.insert((parent.to_owned(), name.to_owned()));
                        }
                        let child_type = ty.as_ref().map_or("", |t| t.named.as_str()).to_owned();
                        let inner = self.set(&field.selection_set.node, &child_type, nesting + 1);
                        let times = self.multiplier(field, ty.as_ref());
                        Measure {
                            cost: 1u64.saturating_add(times.saturating_mul(inner.cost)),
                            depth: 1 + inner.depth,
                            introspection_depth: inner.introspection_depth,
                            fields: 1,
                        }
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    self.directives += fragment.directives.len();
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(parent.to_owned(), |c| c.node.on.node.to_string());
                    self.set(&fragment.selection_set.node, &on, nesting + 1)
                }
                Selection::FragmentSpread(spread) => {
                    self.directives += spread.node.directives.len();
                    self.fragment(&spread.node.fragment_name.node, nesting)
                }
            };
            total.cost = total.cost.saturating_add(part.cost);
            total.depth = total.depth.max(part.depth);
            total.introspection_depth = total.introspection_depth.max(part.introspection_depth);
            total.fields += part.fields;
        }
        total
    }

    fn fragment(&mut self, name: &Name, nesting: usize) -> Measure {
        match self.memo.get(name) {
            Some(Some(measure)) => return *measure,
            // A cycle: validation refuses it; it adds nothing here.
            Some(None) => return Measure::default(),
            None => {}
        }
        let Some(fragment) = self.doc.fragments.get(name) else {
            return Measure::default();
        };
        self.memo.insert(name.clone(), None);
        self.directives += fragment.node.directives.len();
        let on = fragment.node.type_condition.node.on.node.to_string();
        let measure = self.set(&fragment.node.selection_set.node, &on, nesting + 1);
        self.memo.insert(name.clone(), Some(measure));
        measure
    }

    /// How many times a field's selection is repeated in the answer.
    fn multiplier(
        &self,
        field: &async_graphql::parser::types::Field,
        ty: Option<&FieldType>,
    ) -> u64 {
        for (name, value) in &field.arguments {
            if matches!(name.node.as_str(), "first" | "days") {
                let given = match &value.node {
                    Value::Number(n) => n.as_u64(),
                    Value::Variable(var) => match self.variables.get(var) {
                        Some(async_graphql::Value::Number(n)) => n.as_u64(),
                        _ => None,
                    },
                    _ => None,
                };
                return given.unwrap_or(ASSUMED_LIST_SIZE).clamp(1, self.max_page);
            }
        }
        match ty {
            // A connection's page size was counted on the field that took `first`.
            Some(t) if t.list && field.name.node.as_str() != "edges" => ASSUMED_LIST_SIZE,
            _ => 1,
        }
    }
}

fn is_root(type_name: &str) -> bool {
    matches!(type_name, "Query" | "Mutation" | "Subscription")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = "
        type Query { agenda(days: Int): [Day!]! events(first: Int): EventConnection! me: Viewer }
        type Day { date: String! events: [Event!]! }
        type Event { id: ID! title: String! decisions: [Decision!]! }
        type Decision { rationale: String! }
        type EventConnection { edges: [EventEdge!]! }
        type EventEdge { node: Event! }
        type Viewer { actor: String! }
    ";

    fn measure(query: &str) -> Analysis {
        let index = SchemaIndex::from_sdl(SDL);
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let (_, operation) = doc.operations.iter().next().unwrap();
        analyze(
            &index,
            &doc,
            &operation.node,
            "Query",
            &Variables::default(),
            100,
        )
    }

    #[test]
    fn lists_multiply_by_their_window_and_assumed_size() {
        let analysis = measure("{ agenda(days: 3) { date events { id } } }");
        // agenda: 1 + 3 * (date 1 + events (1 + 20 * id 1)) = 1 + 3 * 22
        assert_eq!(analysis.cost, 1 + 3 * (1 + (1 + ASSUMED_LIST_SIZE)));
        assert_eq!(analysis.depth, 3);
        assert_eq!(analysis.root_fields, 1);
    }

    #[test]
    fn a_connection_counts_its_page_once() {
        let analysis = measure("{ events(first: 5) { edges { node { id } } } }");
        assert_eq!(analysis.cost, 1 + 5 * (1 + (1 + 1)));
    }

    #[test]
    fn nested_fragments_cost_their_expansion_and_typename_counts() {
        let mut query = String::from("{ me { ...F6 } }\nfragment F0 on Viewer { __typename }\n");
        for level in 1..=6 {
            query.push_str(&format!("fragment F{level} on Viewer {{"));
            for _ in 0..16 {
                query.push_str(&format!(" ...F{}", level - 1));
            }
            query.push_str(" }\n");
        }
        let analysis = measure(&query);
        assert_eq!(analysis.cost, 1 + 16u64.pow(6), "16^6 typenames under me");
    }

    #[test]
    fn aliases_and_reads_are_collected() {
        let analysis = measure(
            "{ a: agenda(days: 1) { events { decisions { rationale } } } b: me { actor } }",
        );
        assert_eq!(analysis.aliases, 2);
        assert_eq!(analysis.root_fields, 2);
        assert!(
            analysis
                .reads
                .contains(&("Event".to_owned(), "decisions".to_owned()))
        );
        assert!(
            analysis
                .reads
                .contains(&("Decision".to_owned(), "rationale".to_owned()))
        );
    }

    #[test]
    fn introspection_has_a_depth_of_its_own() {
        let analysis = measure(
            "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }",
        );
        assert_eq!(analysis.depth, 0, "data depth");
        assert_eq!(analysis.introspection_depth, 8, "__schema to name");
    }

    #[test]
    fn a_fragment_cycle_ends() {
        let analysis = measure(
            "{ me { ...A } } fragment A on Viewer { actor ...B } fragment B on Viewer { ...A }",
        );
        assert!(analysis.cost >= 2);
    }
}
