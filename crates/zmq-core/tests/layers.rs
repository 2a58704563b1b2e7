//! The crate's layers import only downward (DESIGN.md, and the crate's top
//! doc): a module may name modules of its own layer or of layers below,
//! never above. Test code (a `mod tests` at the end of a file, or a
//! `tests.rs`) may build its fixtures from anything.

use std::path::{Path, PathBuf};

/// Layers, bottom first: each entry lists the top-level modules in it.
const LAYERS: &[&[&str]] = &[
    &[
        "error",
        "msg",
        "block",
        "slab",
        "pool",
        "properties",
        "queue",
        "signal",
        "pipe",
        "socket_type",
        "crypto",
        "z85",
    ],
    &["zmtp"],
    &["transport"],
    &["link"],
    &["io"],
    &["socket"],
    &["ctx", "poll", "proxy"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate-level module a path names after `crate::` (or the re-exports
/// at the crate root: `crate::Msg` is msg, `crate::SocketType` socket_type).
fn named_module(rest: &str) -> String {
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match name.as_str() {
        "Msg" => "msg".into(),
        "SocketType" => "socket_type".into(),
        "Error" | "Result" => "error".into(),
        "Context" => "ctx".into(),
        "Socket" => "socket".into(),
        _ => name,
    }
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    let mut seen = 0;
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str();
        let top = top.to_str().unwrap().trim_end_matches(".rs");
        if top == "lib" || relative.ends_with("tests.rs") {
            continue;
        }
        let own = layer_of(top).unwrap_or_else(|| panic!("{top} is in no layer"));
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for (n, line) in code.lines().enumerate() {
            for (at, _) in line.match_indices("crate::") {
                if line[..at].ends_with('$') {
                    continue; // a macro's $crate
                }
                let rest = &line[at + "crate::".len()..];
                // `crate::{a, b::c}` names several.
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(list) => list.split('}').next().unwrap().split(',').collect(),
                    None => vec![rest],
                };
                for name in names {
                    let module = named_module(name.trim());
                    let Some(theirs) = layer_of(&module) else {
                        panic!("{}:{}: {module} is in no layer", relative.display(), n + 1);
                    };
                    seen += 1;
                    if theirs > own {
                        wrong.push(format!("{}:{}: {}", relative.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(seen > 100, "only {seen} crate paths found");
    assert!(
        wrong.is_empty(),
        "imports from a higher layer:\n{}",
        wrong.join("\n")
    );
}
