//! The customer's shape: one binary per operation, each a few lines over `shared`, and the
//! local router of `cargo lambda watch` covering every function. One function is not a SCIM
//! operation: the OAuth token endpoint [`TOKEN_ENDPOINT`], which has no bearer check.

use std::path::Path;
use tests::Operation;

/// The function of the OAuth 2.0 token endpoint (`POST /oauth/token`), the one function that is
/// not an [`Operation`].
const TOKEN_ENDPOINT: &str = "oauth-token";

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root")
}

#[test]
fn every_operation_is_its_own_binary_with_a_main_of_at_most_25_lines() {
    for op in Operation::ALL {
        let main = workspace_root().join("functions").join(op.name()).join("src/main.rs");
        let text = std::fs::read_to_string(&main).unwrap_or_else(|e| panic!("{}: {e}", main.display()));
        assert!(text.lines().count() <= 25, "{} has {} lines", main.display(), text.lines().count());
        // One hop: the binary hands its own module's handler to the entry point, so it links
        // that operation only, and names no table of operations.
        let serves =
            format!("shared::http::serve(\"{}\", shared::ops::{}::handle)", op.name(), op.name().replace('-', "_"));
        assert!(text.contains(&serves), "{} calls {serves}", main.display());
        assert!(!text.contains("Operation"), "{} names no Operation table", main.display());
    }
    let main = workspace_root().join("functions").join(TOKEN_ENDPOINT).join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap_or_else(|e| panic!("{}: {e}", main.display()));
    assert!(text.lines().count() <= 25 && text.contains("shared::http::oauth::serve()"), "{}", main.display());
    let dirs = std::fs::read_dir(workspace_root().join("functions")).expect("functions/").count();
    assert_eq!(dirs, Operation::ALL.len() + 1, "no function folder without an operation (or the token endpoint)");
}

#[test]
fn the_local_router_sends_every_function_some_route() {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("Cargo.toml");
    let router = manifest.split("[workspace.metadata.lambda.watch.router]").nth(1).expect("a watch router table");
    for name in Operation::ALL.iter().map(|op| op.name()).chain([TOKEN_ENDPOINT]) {
        assert!(router.contains(&format!("\"{name}\"")), "{name} has no local route");
    }
}

// ------------------------------------------------------------------------------------------------
// template.yaml against functions/ and the local router. template.yaml is read as text by a small
// line-based reader (Cargo.lock holds no YAML or TOML parser) that understands the shapes the
// template uses: resources at two spaces, `Binary:`, `Path:` and `Method:` keys in block or flow
// style.
// ------------------------------------------------------------------------------------------------

/// A route: (path as API Gateway spells it, METHOD or ANY, function name).
type Route = (String, String, String);

/// One `AWS::Serverless::Function` of the template.
#[derive(Debug, Default)]
struct TemplateFunction {
    logical_id: String,
    binary: Option<String>,
    paths: Vec<String>,
    methods: Vec<String>,
}

/// The value after `key:` in a YAML line, block (`Path: /x`) or flow (`{ Path: /x/{id}, Method: GET }`)
/// style. The key must start a word, so `Path:` does not match `ResourcePath:`.
fn yaml_value(line: &str, key: &str) -> Option<String> {
    let code = line.split(" #").next().unwrap_or(line);
    let needle = format!("{key}:");
    let mut from = 0;
    while let Some(at) = code[from..].find(&needle).map(|i| i + from) {
        let starts_word = code[..at].chars().next_back().is_none_or(|c| c == ' ' || c == '{' || c == ',');
        if starts_word {
            let mut depth = 0usize;
            let value: String = code[at + needle.len()..]
                .chars()
                .take_while(|&c| match c {
                    '{' => {
                        depth += 1;
                        true
                    }
                    '}' if depth == 0 => false,
                    '}' => {
                        depth -= 1;
                        true
                    }
                    ',' => depth > 0,
                    _ => true,
                })
                .collect();
            return Some(value.trim().trim_matches(|c| c == '\'' || c == '"').to_string());
        }
        from = at + needle.len();
    }
    None
}

/// The logical id when `line` opens a resource (a key indented by two spaces).
fn resource_key(line: &str) -> Option<&str> {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    let indent = code.len() - code.trim_start().len();
    (indent == 2 && !code.trim_start().starts_with('#')).then(|| code.trim().strip_suffix(':')).flatten()
}

/// The functions of a SAM template, in order.
fn template_functions(template: &str) -> Vec<TemplateFunction> {
    let mut resources: Vec<(String, Vec<&str>)> = Vec::new();
    let mut in_resources = false;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && !line.trim().is_empty() {
            in_resources = line.trim_end() == "Resources:";
            continue;
        }
        if !in_resources || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(key) = resource_key(line) {
            resources.push((key.to_string(), Vec::new()));
        } else if let Some((_, body)) = resources.last_mut() {
            body.push(line);
        }
    }
    resources
        .into_iter()
        .filter(|(_, body)| body.iter().any(|l| yaml_value(l, "Type").as_deref() == Some("AWS::Serverless::Function")))
        .map(|(logical_id, body)| TemplateFunction {
            logical_id,
            binary: body.iter().find_map(|l| yaml_value(l, "Binary")),
            paths: body.iter().filter_map(|l| yaml_value(l, "Path")).collect(),
            methods: body.iter().filter_map(|l| yaml_value(l, "Method")).map(|m| m.to_ascii_uppercase()).collect(),
        })
        .collect()
}

/// The routes of `[workspace.metadata.lambda.watch.router]`, in API Gateway spelling: matchit's
/// catch-all `{*proxy}` is `{proxy+}`, a route without a method (`"/path" = "function"`) is ANY,
/// and a path with a trailing slash is the resource without it (API Gateway REST serves
/// `/Users/` from `/Users`; matchit needs both spellings, see [`local_routes_as_written`]).
fn local_routes(manifest: &str) -> Vec<Route> {
    local_routes_as_written(manifest)
        .into_iter()
        .map(|(path, method, function)| (path.strip_suffix('/').unwrap_or(&path).to_string(), method, function))
        .collect()
}

/// The routes of the local router with their paths as written.
fn local_routes_as_written(manifest: &str) -> Vec<Route> {
    let table = manifest.split("[workspace.metadata.lambda.watch.router]").nth(1).unwrap_or_default();
    let quoted = |s: &str| s.split('"').nth(1).map(str::to_string);
    let mut routes = Vec::new();
    let mut path = String::new();
    for line in table.lines().map(str::trim) {
        if line.starts_with('[') && !line.starts_with("[ ") && !line.starts_with("[{") {
            break; // the next table
        }
        if line.starts_with('#') {
            continue;
        }
        let mut rest = line;
        if line.starts_with('"') {
            let Some((key, value)) = line.split_once('=') else { continue };
            path = quoted(key).unwrap_or_default().replace("{*proxy}", "{proxy+}");
            rest = value.trim();
            if rest.starts_with('"') {
                routes.push((path.clone(), "ANY".to_string(), quoted(rest).unwrap_or_default()));
                continue;
            }
        }
        for entry in rest.split('{').skip(1) {
            let entry = entry.split('}').next().unwrap_or_default();
            let field = |name: &str| {
                entry.split(',').find_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    (k.trim() == name).then(|| quoted(v)).flatten()
                })
            };
            if let Some(function) = field("function") {
                let method = field("method").unwrap_or_else(|| "ANY".to_string()).to_ascii_uppercase();
                routes.push((path.clone(), method, function));
            }
        }
    }
    routes
}

fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Everything in which template.yaml disagrees with the function folders and the local router;
/// empty when they agree.
fn template_problems(template: &str, function_folders: &[&str], router: &[Route]) -> Vec<String> {
    let functions = template_functions(template);
    let mut problems = Vec::new();
    for folder in function_folders {
        let count = functions.iter().filter(|f| f.binary.as_deref() == Some(*folder)).count();
        if count != 1 {
            problems
                .push(format!("functions/{folder} has {count} functions in template.yaml (Binary: {folder}), not 1"));
        }
    }
    let mut template_routes = Vec::new();
    for f in &functions {
        let Some(binary) = &f.binary else {
            problems.push(format!("{} has no BuildProperties Binary", f.logical_id));
            continue;
        };
        if !function_folders.contains(&binary.as_str()) {
            problems.push(format!("{} builds {binary}, which is not a folder in functions/", f.logical_id));
        }
        if f.logical_id != format!("{}Function", pascal_case(binary)) {
            problems.push(format!(
                "{} builds {binary}: its logical id should be {}Function",
                f.logical_id,
                pascal_case(binary)
            ));
        }
        if f.paths.len() != f.methods.len() {
            problems.push(format!("{} has {} Path and {} Method lines", f.logical_id, f.paths.len(), f.methods.len()));
        }
        if f.paths.is_empty() {
            problems.push(format!("{} ({binary}) has no route", f.logical_id));
        }
        for (path, method) in f.paths.iter().zip(&f.methods) {
            template_routes.push((path.clone(), method.clone(), binary.clone()));
        }
    }
    for route in &template_routes {
        if template_routes.iter().filter(|r| *r == route).count() > 1 {
            problems.push(format!("template.yaml routes {} {} to {} more than once", route.1, route.0, route.2));
        }
    }
    for (path, method, function) in router {
        if !template_routes.iter().any(|r| r.0 == *path && r.1 == *method && r.2 == *function) {
            problems.push(format!("the local router sends {method} {path} to {function}; template.yaml does not"));
        }
    }
    for (path, method, function) in &template_routes {
        if !router.iter().any(|r| r.0 == *path && r.1 == *method && r.2 == *function) {
            problems.push(format!("template.yaml sends {method} {path} to {function}; the local router does not"));
        }
    }
    problems
}

fn function_folders() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(workspace_root().join("functions"))
        .expect("functions/")
        .map(|entry| entry.expect("a folder entry").file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    folders
}

fn read(file: &str) -> String {
    std::fs::read_to_string(workspace_root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_template_has_one_function_per_folder_and_the_local_router_routes() {
    let template = read("template.yaml");
    let router = local_routes(&read("Cargo.toml"));
    let folders = function_folders();
    let folders: Vec<&str> = folders.iter().map(String::as_str).collect();

    let problems = template_problems(&template, &folders, &router);

    assert_eq!(problems, Vec::<String>::new(), "template.yaml vs functions/ and Cargo.toml");
    // The readers really read something: a function per operation, the catch-all route included.
    assert_eq!(template_functions(&template).len(), Operation::ALL.len() + 1);
    let token = ("/oauth/token".to_string(), "POST".to_string(), TOKEN_ENDPOINT.to_string());
    assert!(router.contains(&token), "{router:?}");
    let catch_all = ("/scim/v2/{proxy+}".to_string(), "ANY".to_string(), "discovery".to_string());
    assert!(router.contains(&catch_all), "{router:?}");
}

#[test]
fn every_local_resource_route_is_served_with_a_trailing_slash_too() {
    let routes = local_routes_as_written(&read("Cargo.toml"));
    let resource_routes: Vec<&Route> =
        routes.iter().filter(|r| r.0.starts_with("/scim/v2/") && !r.0.contains("{proxy+}")).collect();
    let with_slash = |path: &str| format!("{}/", path.trim_end_matches('/'));
    for (path, method, function) in &resource_routes {
        let twin = if path.ends_with('/') { path.trim_end_matches('/').to_string() } else { with_slash(path) };
        assert!(
            resource_routes.iter().any(|r| r.0 == twin && r.1 == *method && r.2 == *function),
            "the local router sends {method} {path} to {function} but not {method} {twin}"
        );
    }
    for path in ["/scim/v2/Users/", "/scim/v2/Groups/.search", "/scim/v2/ServicePrincipals/{id}/"] {
        assert!(resource_routes.iter().any(|r| r.0 == path), "{path} is routed locally");
    }
}

#[test]
fn the_search_routes_go_to_the_list_functions_here_and_in_the_template() {
    let template = read("template.yaml");
    let functions = template_functions(&template);
    for (resource, function) in
        [("Users", "list-users"), ("Groups", "list-groups"), ("ServicePrincipals", "list-service-principals")]
    {
        let path = format!("/scim/v2/{resource}/.search");
        let served = functions.iter().find(|f| f.binary.as_deref() == Some(function)).expect("the function");
        assert!(
            served.paths.iter().zip(&served.methods).any(|(p, m)| *p == path && m == "POST"),
            "template.yaml sends POST {path} to {function}"
        );
        let local = local_routes(&read("Cargo.toml"));
        assert!(local.contains(&(path.clone(), "POST".into(), function.into())), "the router sends POST {path}");
    }
}

#[test]
fn the_template_check_reports_a_function_that_has_no_template_entry() {
    let template = read("template.yaml");
    let router = local_routes(&read("Cargo.toml"));
    let folders = function_folders();
    let mut folders: Vec<&str> = folders.iter().map(String::as_str).collect();
    // Arrange: drop DeleteGroupFunction's resource block, as if delete-group had been added to
    // functions/ and to the router but not to template.yaml.
    let mut kept = Vec::new();
    let mut skipping = false;
    for line in template.lines() {
        if let Some(key) = resource_key(line) {
            skipping = key == "DeleteGroupFunction";
        }
        if !skipping {
            kept.push(line);
        }
    }
    let without_delete_group = kept.join("\n");
    assert!(without_delete_group.len() < template.len(), "the block was removed");

    let problems = template_problems(&without_delete_group, &folders, &router);

    assert!(
        problems.iter().any(|p| p.starts_with("functions/delete-group has 0 functions in template.yaml")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("DELETE /scim/v2/Groups/{id} to delete-group; template.yaml does not")),
        "{problems:#?}"
    );

    // Act again: a new folder with neither a template function nor a route.
    folders.push("example-new-function");
    let problems = template_problems(&template, &folders, &router);
    let expected =
        "functions/example-new-function has 0 functions in template.yaml (Binary: example-new-function), not 1";
    assert_eq!(problems, vec![expected]);
}

#[test]
fn the_template_reader_understands_block_and_flow_style() {
    let template = "Resources:\n  \
        ListThingsFunction:\n    Type: AWS::Serverless::Function\n    \
        Metadata: { BuildMethod: rust-cargolambda, BuildProperties: { Binary: list-things } }\n    \
        Properties:\n      Events:\n        \
        One: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /things/{id}, Method: get } }\n        \
        Two:\n          Type: Api\n          Properties:\n            Path: '/things'\n            \
        Method: POST # note\n  \
        Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      MethodSettings:\n        \
        - { ResourcePath: '/*', HttpMethod: '*' }\nOutputs:\n  X:\n    Value: 1\n";

    let functions = template_functions(template);

    assert_eq!(functions.len(), 1, "{functions:?}");
    assert_eq!(functions[0].logical_id, "ListThingsFunction");
    assert_eq!(functions[0].binary.as_deref(), Some("list-things"));
    assert_eq!(functions[0].paths, ["/things/{id}", "/things"]);
    assert_eq!(functions[0].methods, ["GET", "POST"]);
}

#[test]
fn the_template_sets_every_variable_the_functions_read_from_it() {
    let template = read("template.yaml");
    let config = read("shared/src/config.rs");
    for variable in [
        "DATABRICKS_HOST",
        "DATABRICKS_SECRET_ID",
        "SCIM_TOKENS_SECRET_ID",
        "DATABRICKS_RETRY_BUDGET_MS",
        "OAUTH_SIGNING_KEYS_SECRET_ID",
    ] {
        assert!(config.contains(&format!("\"{variable}\"")), "shared/src/config.rs reads {variable}");
        assert!(template.contains(&format!("        {variable}: ")), "template.yaml Globals set {variable}");
    }
    assert!(template.contains("        RUST_LOG: "), "template.yaml Globals set RUST_LOG");
}

// ------------------------------------------------------------------------------------------------
// The layers of shared/src (docs/architecture.md, "Layers"). Every top-level module of the crate
// is a layer; a layer may import only the layers its row lists, which all come before it in the
// table, so no import runs back up. The files are parsed as Rust (syn): `use` trees (multi-line
// groups, renames, globs), and every path anywhere in the code, macro arguments included, that
// starts with `crate`, `super`, `self`, a name a `use` brought in, or an I/O crate. Test code
// (`#[cfg(test)]` modules and items) may reach across layers and is not checked.
// ------------------------------------------------------------------------------------------------

/// One layer: a top-level module of `shared/src`, the layers it may import, and the crates that
/// do I/O (HTTP, Lambda, AWS) it may name. A name ending in `_` stands for every crate it starts.
struct Layer {
    name: &'static str,
    may_import: &'static [&'static str],
    io_crates: &'static [&'static str],
}

/// Lowest first: a layer may import only layers listed before it.
const LAYERS: &[Layer] = &[
    Layer { name: "scim", may_import: &[], io_crates: &[] },
    Layer { name: "deadline", may_import: &[], io_crates: &[] },
    Layer { name: "aws", may_import: &[], io_crates: &["aws_config", "aws_sdk_", "aws_smithy_", "reqwest"] },
    Layer { name: "databricks", may_import: &["scim", "deadline", "aws"], io_crates: &["reqwest"] },
    Layer { name: "mapping", may_import: &["scim", "databricks"], io_crates: &[] },
    Layer { name: "oauth", may_import: &["scim", "aws"], io_crates: &["aws_config"] },
    Layer { name: "inbound", may_import: &["scim", "aws", "oauth"], io_crates: &[] },
    Layer {
        name: "config",
        may_import: &["scim", "deadline", "aws", "databricks", "oauth", "inbound"],
        io_crates: &["reqwest", "aws_config"],
    },
    Layer { name: "ops", may_import: &["scim", "deadline", "databricks", "mapping", "config"], io_crates: &[] },
    Layer {
        name: "http",
        may_import: &["scim", "deadline", "databricks", "oauth", "inbound", "config", "ops"],
        io_crates: &["lambda_http", "lambda_runtime"],
    },
];

/// The crates that do I/O; a layer names only those of its row.
const IO_CRATES: &[&str] = &["lambda_http", "lambda_runtime", "reqwest", "aws_config", "aws_sdk_", "aws_smithy_"];

/// Parts of an allowed layer a layer still may not import: mapping translates data and must not
/// reach the Databricks client or its credential (both re-exported by `databricks` too).
const NOT_FROM_BELOW: &[(&str, &str)] = &[
    ("mapping", "crate::databricks::client"),
    ("mapping", "crate::databricks::credentials"),
    ("mapping", "crate::databricks::DatabricksClient"),
    ("mapping", "crate::databricks::TokenSource"),
    ("mapping", "crate::databricks::StaticToken"),
];

/// The modules of `shared` the function binaries may name: the entry point and the operations
/// whose handlers they pass to it.
const FUNCTIONS_MAY_NAME: &[&str] = &["http", "ops"];

fn layer(name: &str) -> Option<&'static Layer> {
    LAYERS.iter().find(|l| l.name == name)
}

fn is_io_crate(name: &str, allowed: &[&str]) -> bool {
    let matches = |c: &&str| if c.ends_with('_') { name.starts_with(*c) } else { name == *c };
    IO_CRATES.iter().any(matches) && !allowed.iter().any(matches)
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && a.meta.require_list().is_ok_and(|l| l.tokens.to_string().contains("test")))
}

/// Flattens a `use` tree into (name it brings in, full path) pairs; a glob brings in `*`.
fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let path = if name == "self" { prefix.clone() } else { [prefix.clone(), vec![name.clone()]].concat() };
            let local = path.last().cloned().unwrap_or(name);
            out.push((local, path));
        }
        syn::UseTree::Rename(r) => {
            out.push((r.rename.to_string(), [prefix.clone(), vec![r.ident.to_string()]].concat()));
        }
        syn::UseTree::Glob(_) => out.push(("*".into(), [prefix.clone(), vec!["*".into()]].concat())),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| flatten_use(t, prefix, out)),
    }
}

/// Every path in a token stream that does not continue another (`a::b::c` once, not `b::c`).
fn token_paths(tokens: proc_macro2::TokenStream, out: &mut Vec<Vec<String>>) {
    use proc_macro2::{Spacing, TokenTree};
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let is_colons = |i: usize| {
        matches!((tokens.get(i), tokens.get(i + 1)), (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
    };
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => token_paths(g.stream(), out),
            TokenTree::Ident(first) => {
                let continues =
                    i >= 2 && is_colons(i - 2) && matches!(tokens.get(i.wrapping_sub(3)), Some(TokenTree::Ident(_)));
                let mut path = vec![first.to_string()];
                while is_colons(i + 1) {
                    let Some(TokenTree::Ident(next)) = tokens.get(i + 3) else { break };
                    path.push(next.to_string());
                    i += 3;
                }
                if !continues && path.len() > 1 {
                    out.push(path);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Paths named by the items of one module (its `use` trees and its code), test code left out;
/// inline modules are walked with their own module path.
fn module_paths(items: &[syn::Item], module: &[String], out: &mut Vec<(Vec<String>, Vec<String>)>) {
    use quote::ToTokens;
    let mut named = Vec::new();
    let mut aliases = Vec::new();
    for item in items {
        match item {
            syn::Item::Mod(m) if is_test_only(&m.attrs) => {}
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    module_paths(inner, &[module, &[m.ident.to_string()]].concat(), out);
                }
            }
            syn::Item::Use(u) if !is_test_only(&u.attrs) => flatten_use(&u.tree, &mut Vec::new(), &mut aliases),
            other => {
                let attrs: &[syn::Attribute] = match other {
                    syn::Item::Fn(f) => &f.attrs,
                    syn::Item::Impl(i) => &i.attrs,
                    syn::Item::Const(c) => &c.attrs,
                    syn::Item::Static(s) => &s.attrs,
                    syn::Item::Struct(s) => &s.attrs,
                    syn::Item::Enum(e) => &e.attrs,
                    syn::Item::Trait(t) => &t.attrs,
                    syn::Item::Type(t) => &t.attrs,
                    syn::Item::Macro(m) => &m.attrs,
                    _ => &[],
                };
                if !is_test_only(attrs) {
                    token_paths(other.to_token_stream(), &mut named);
                }
            }
        }
    }
    for (_, path) in &aliases {
        out.push((module.to_vec(), path.clone()));
    }
    // A path that starts with a name a `use` brought in continues that import.
    for path in named {
        let expanded = match aliases.iter().find(|(local, _)| *local == path[0]) {
            Some((_, full)) => [full.clone(), path[1..].to_vec()].concat(),
            None => path,
        };
        out.push((module.to_vec(), expanded));
    }
}

/// The imports of one file of `shared/src` that break the layering, as sentences. `file` is
/// relative to `shared/src` (`mapping/user.rs`); its module path follows from it.
fn layering_violations(file: &str, text: &str) -> Vec<String> {
    let parsed = match syn::parse_file(text) {
        Ok(parsed) => parsed,
        Err(err) => return vec![format!("{file}: not Rust that syn parses: {err}")],
    };
    let stem = file.trim_end_matches(".rs");
    let mut module: Vec<String> = stem.split('/').map(String::from).collect();
    if module.last().is_some_and(|m| m == "mod") {
        module.pop();
    }
    let Some(own) = module.first().and_then(|m| layer(m)) else {
        return vec![format!("{file}: its module is no layer of LAYERS")];
    };
    let mut paths = Vec::new();
    module_paths(&parsed.items, &module, &mut paths);
    let mut problems = Vec::new();
    for (at, path) in paths {
        let absolute: Vec<String> = match path[0].as_str() {
            "crate" => path[1..].to_vec(),
            "self" => [at.clone(), path[1..].to_vec()].concat(),
            "super" => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                if ups > at.len() {
                    problems.push(format!("{file}: {} goes above the crate root", path.join("::")));
                    continue;
                }
                [at[..at.len() - ups].to_vec(), path[ups..].to_vec()].concat()
            }
            name => {
                if is_io_crate(name, own.io_crates) {
                    problems.push(format!("{file}: {} names {name}, which {} may not use", path.join("::"), own.name));
                }
                continue;
            }
        };
        let shown = format!("crate::{}", absolute.join("::"));
        let Some(top) = absolute.first() else { continue };
        if top == own.name {
            continue;
        }
        // lib.rs re-exports (`crate::AppState`) are named by their layer below.
        let top = match top.as_str() {
            "AppState" | "Config" => "config",
            top => top,
        };
        if !own.may_import.contains(&top) {
            problems.push(format!("{file}: {} imports {shown}, and may import only {:?}", own.name, own.may_import));
        } else if let Some((_, part)) = NOT_FROM_BELOW.iter().find(|(l, p)| *l == own.name && shown.starts_with(p)) {
            problems.push(format!("{file}: {} imports {shown}, and may not import {part}", own.name));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

/// The files of `shared/src` compiled into the library, found from lib.rs through `mod` items
/// (test modules left out), relative to `shared/src`.
fn library_files() -> Vec<(String, String)> {
    let src = workspace_root().join("shared/src");
    let mut files = Vec::new();
    let mut pending = vec![(String::new(), "lib.rs".to_string())];
    while let Some((dir, file)) = pending.pop() {
        let text = std::fs::read_to_string(src.join(&file)).unwrap_or_else(|e| panic!("shared/src/{file}: {e}"));
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("shared/src/{file}: {e}"));
        // A file's child modules live in the folder named after it (`mapping.rs` → `mapping/`).
        let children = match file.strip_suffix("mod.rs").or_else(|| (file == "lib.rs").then_some("")) {
            Some(folder) => folder.to_string(),
            None => format!("{}/", file.trim_end_matches(".rs")),
        };
        for item in &parsed.items {
            if let syn::Item::Mod(m) = item
                && m.content.is_none()
                && !is_test_only(&m.attrs)
            {
                let flat = format!("{children}{}.rs", m.ident);
                let nested = format!("{children}{}/mod.rs", m.ident);
                let next = if src.join(&flat).is_file() { flat } else { nested };
                pending.push((dir.clone(), next));
            }
        }
        if file != "lib.rs" {
            files.push((file, text));
        }
    }
    files.sort();
    files
}

#[test]
fn shared_src_imports_run_only_down_the_layers() {
    let files = library_files();
    let problems: Vec<String> = files.iter().flat_map(|(file, text)| layering_violations(file, text)).collect();

    assert_eq!(problems, Vec::<String>::new(), "imports against the layers (docs/architecture.md)");
    // The walk really read the crate: every layer has files, mapping and scim among them.
    for l in LAYERS {
        let prefix = format!("{}/", l.name);
        let count = files.iter().filter(|(f, _)| f.starts_with(&prefix) || *f == format!("{}.rs", l.name)).count();
        assert!(count > 0, "no file of layer {}", l.name);
    }
    assert!(files.iter().any(|(f, _)| f == "mapping/user.rs"), "{:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
    assert!(!files.iter().any(|(f, _)| f.ends_with("tests.rs")), "test modules are not library code");
}

#[test]
fn the_layer_table_names_every_module_of_shared_and_imports_only_downwards() {
    let lib = read("shared/src/lib.rs");
    let parsed = syn::parse_file(&lib).expect("lib.rs parses");
    let modules: Vec<String> = parsed
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut named: Vec<&str> = LAYERS.iter().map(|l| l.name).collect();
    let mut modules: Vec<&str> = modules.iter().map(String::as_str).collect();
    named.sort_unstable();
    modules.sort_unstable();
    assert_eq!(named, modules, "every module of lib.rs is one layer of LAYERS");
    for (at, l) in LAYERS.iter().enumerate() {
        for lower in l.may_import {
            let below = LAYERS[..at].iter().any(|b| b.name == *lower);
            assert!(below, "{} may import {lower}, which is not listed before it", l.name);
        }
    }
}

/// Each line is one file of `shared/src` (path, then its text) that makes one forbidden import.
const FORBIDDEN: &[(&str, &str, &str)] = &[
    ("mapping/user.rs", "use crate::databricks::client::DatabricksClient;", "crate::databricks::client"),
    ("mapping/user.rs", "use crate::databricks::DatabricksClient;", "crate::databricks::DatabricksClient"),
    ("mapping/group.rs", "use crate::{\n    scim::error::ScimError,\n    ops::support::id_of,\n};", "crate::ops"),
    ("mapping/mod.rs", "fn f() { let _ = crate::config::Config::from_env(); }", "crate::config"),
    ("mapping/user.rs", "fn f() { tracing::info!(\"{}\", crate::http::ANSWER); }", "crate::http"),
    ("mapping/filter/parse.rs", "use super::super::super::inbound::InboundAuth;", "crate::inbound"),
    (
        "mapping/user.rs",
        "use crate::databricks;\nfn f(c: &databricks::client::DatabricksClient) {}",
        "crate::databricks::client",
    ),
    ("mapping/user.rs", "use crate::aws::secret;", "crate::aws"),
    ("mapping/user.rs", "fn f() -> reqwest::StatusCode { todo!() }", "reqwest"),
    ("mapping/user.rs", "use aws_sdk_secretsmanager::Client;", "aws_sdk_secretsmanager"),
    ("scim/error.rs", "use lambda_http::Response;", "lambda_http"),
    ("scim/list.rs", "use aws_config::SdkConfig;", "aws_config"),
    ("scim/filter.rs", "use crate::databricks::DatabricksId;", "crate::databricks"),
    ("scim/patch.rs", "use crate::mapping::user;", "crate::mapping"),
    ("databricks/client.rs", "use crate::mapping::user::Selection;", "crate::mapping"),
    ("ops/get_user.rs", "use crate::http::serve;", "crate::http"),
    ("config.rs", "use crate::ops::ScimRequest;", "crate::ops"),
];

#[test]
fn the_layering_check_reports_a_forbidden_import() {
    for (file, text, named) in FORBIDDEN {
        let problems = layering_violations(file, text);
        assert!(
            problems.len() == 1 && problems[0].contains(named),
            "{file} with `{text}` is reported for {named}: {problems:?}"
        );
    }
}

#[test]
fn the_layering_check_accepts_imports_down_the_layers_and_test_code() {
    let allowed = [
        ("mapping/user.rs", "use crate::scim::error::ScimError;\nuse crate::databricks::{DatabricksId, Cloud};"),
        (
            "mapping/user.rs",
            "use super::multi;\nuse serde_json::Value;\nfn f() { let _ = crate::databricks::model::X; }",
        ),
        ("ops/get_user.rs", "use super::support::get_one;\nuse crate::{config::AppState, mapping::user};"),
        ("http/mod.rs", "use lambda_http::Body;\nuse crate::AppState;"),
        ("mapping/user.rs", "#[cfg(test)]\nmod tests {\n    use crate::ops::support;\n}"),
        ("mapping/user.rs", "#[cfg(test)]\nfn helper() { let _ = crate::http::serve; }"),
    ];
    for (file, text) in allowed {
        assert_eq!(layering_violations(file, text), Vec::<String>::new(), "{file}: {text}");
    }
}

#[test]
fn the_function_binaries_name_only_the_entry_point_and_the_operations_of_shared() {
    for folder in function_folders() {
        let file = format!("functions/{folder}/src/main.rs");
        let parsed = syn::parse_file(&read(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut paths = Vec::new();
        module_paths(&parsed.items, &[], &mut paths);
        let named: Vec<String> = paths
            .iter()
            .filter(|(_, p)| p[0] == "shared")
            .filter(|(_, p)| !p.get(1).is_some_and(|m| FUNCTIONS_MAY_NAME.contains(&m.as_str())))
            .map(|(_, p)| p.join("::"))
            .collect();
        assert_eq!(named, Vec::<String>::new(), "{file} names shared beyond {FUNCTIONS_MAY_NAME:?}");
        assert!(paths.iter().any(|(_, p)| p[..2] == ["shared", "http"]), "{file} calls shared::http");
    }
}

#[test]
fn docs_architecture_states_the_layer_table_the_check_enforces() {
    let doc = read("docs/architecture.md");
    let doc = doc.split("### What each layer may import").nth(1).expect("a section 'What each layer may import'");
    let ticked = |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(String::from).collect() };
    for l in LAYERS {
        let row =
            doc.lines().find(|line| line.starts_with(&format!("| `{}` | ", l.name)) && line.matches('|').count() == 4);
        let row = row.unwrap_or_else(|| panic!("docs/architecture.md has no import row for {}", l.name));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let mut layers: Vec<String> = ticked(cells[2]).into_iter().filter(|t| layer(t).is_some()).collect();
        let mut io: Vec<String> = ticked(cells[3]).iter().map(|c| c.trim_end_matches('*').to_string()).collect();
        let mut expected_layers: Vec<String> = l.may_import.iter().map(|s| s.to_string()).collect();
        let mut expected_io: Vec<String> = l.io_crates.iter().map(|s| s.to_string()).collect();
        for list in [&mut layers, &mut io, &mut expected_layers, &mut expected_io] {
            list.sort();
        }
        assert_eq!(layers, expected_layers, "docs/architecture.md: what {} may import", l.name);
        assert_eq!(io, expected_io, "docs/architecture.md: the I/O crates {} may use", l.name);
    }
    for (layer, part) in NOT_FROM_BELOW {
        let (_, module) = part.rsplit_once("::databricks::").expect("a part of databricks");
        assert!(
            doc.contains(&format!("`databricks::{module}`")) || doc.contains("their re-exports"),
            "docs/architecture.md says {layer} may not import {part}"
        );
    }
    let functions = format!(
        "| `functions/*` | {} |",
        FUNCTIONS_MAY_NAME.iter().map(|m| format!("`shared::{m}`")).collect::<Vec<_>>().join(", ")
    );
    assert!(doc.contains(&functions), "docs/architecture.md: {functions}");
}
