//! The engine's modules import each other without a circle: a module can be read
//! knowing that what it uses does not use it back (issue 11). Read from the
//! source: every `crate::name` a module's code names (tests left out), by the
//! top-level module it is in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules each top-level module names.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first path segment of each item a `use crate::{…}` group names.
fn group_heads(group: &str, found: &mut BTreeSet<String>) {
    let mut depth = 0;
    let mut start = 0;
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                found.insert(identifier(group[start..].trim_start()).to_owned());
                start = at + 1;
            }
            _ => {}
        }
    }
    found.insert(identifier(group[start..].trim_start()).to_owned());
}

/// Every top-level module `code` names through `crate::`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(end, _)| end);
            group_heads(&group[..end], &mut found);
        } else {
            found.insert(identifier(rest).to_owned());
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

fn read(dir: &Path, src: &Path, graph: &mut Graph) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read(&path, src, graph);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path == src.join("lib.rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = Path::new(first)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        graph.entry(module).or_default().extend(named_modules(code));
    }
}

/// A circle through `from`, if the graph has one reachable from it.
fn circle(graph: &Graph, from: &str, path: &mut Vec<String>) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|m| m == from) {
        let mut circle = path[at..].to_vec();
        circle.push(from.to_owned());
        return Some(circle);
    }
    path.push(from.to_owned());
    for next in graph.get(from).into_iter().flatten() {
        if next != from
            && graph.contains_key(next)
            && let Some(circle) = circle(graph, next, path)
        {
            return Some(circle);
        }
    }
    path.pop();
    None
}

#[test]
fn the_engines_modules_import_each_other_without_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = Graph::new();
    read(&src, &src, &mut graph);
    assert!(graph.len() > 20, "read the modules: {:?}", graph.keys());
    assert!(graph["engine"].contains("ports"), "read the imports");
    for module in graph.keys() {
        if let Some(circle) = circle(&graph, module, &mut Vec::new()) {
            panic!("an import circle: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn grouped_imports_are_read() {
    let names = named_modules(
        "use crate::{action::{Action, Keyboard}, engine::Turn};\nlet x = crate::i18n::t(lang);",
    );
    let expected: BTreeSet<String> = ["action", "engine", "i18n"].map(str::to_owned).into();
    assert_eq!(names, expected);
}
