//! The modules of `model` form layers (see the crate doc): a module may use only modules of a
//! lower layer, so that no two modules import each other, directly or through others.

use std::fs;
use std::path::Path;

/// Each module with its layer, lowest first. A new module must be placed here.
const LAYERS: &[(&str, u32)] = &[
    ("time", 1),
    ("interval", 2),
    ("finding", 3),
    ("loss", 3),
    ("thinned", 3),
    ("sample", 3),
    ("stack", 4),
    ("delta", 4),
    ("path", 4),
    ("host", 5),
    ("test_series", 5),
    ("report", 6),
    ("retention", 6),
    ("timeline", 7),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The modules a source names as `crate::<module>`, outside comments.
fn uses(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn uses_finds_module_paths_in_code_only() {
    let src = "use crate::time::Timestamp;\n\
               #[serde(skip_serializing_if = \"crate::interval::is_one\")]\n\
               // see crate::timeline\n\
               let x = crate::delta::series_of(s); // and crate::host";
    assert_eq!(uses(src), ["time", "interval", "delta"]);
}

#[test]
fn no_module_uses_one_of_its_own_or_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let module = path.file_stem().unwrap().to_str().unwrap().to_string();
        if module == "lib" {
            continue;
        }
        let own = layer(&module)
            .unwrap_or_else(|| panic!("model/src/{module}.rs has no layer in LAYERS"));
        for used in uses(&fs::read_to_string(&path).unwrap()) {
            let theirs =
                layer(&used).unwrap_or_else(|| panic!("{module} uses unknown module {used}"));
            assert!(
                theirs < own,
                "{module} (layer {own}) uses {used} (layer {theirs}): only lower layers may be used"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, LAYERS.len(), "every module in LAYERS has a file");
}
