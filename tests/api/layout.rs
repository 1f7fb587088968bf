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
// line-based reader (no YAML crate) that understands the shapes the template uses: resources at
// two spaces, `Binary:`, `Path:` and `Method:` keys in block or flow style.
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
