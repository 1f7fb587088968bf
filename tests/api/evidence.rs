//! docs/databricks-behaviour.md is part of the product: the evidence register every emulator
//! default and bridge decision rests on. These checks keep its shape honest.

fn register() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/databricks-behaviour.md"))
        .expect("docs/databricks-behaviour.md is readable")
}

/// The cells of every numbered table row.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with("| ") && l.chars().nth(2).is_some_and(|c| c.is_ascii_digit()))
        .map(|l| l.trim().trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn the_register_has_at_least_25_rows_of_eight_cells() {
    let rows = rows(&register());
    assert!(rows.len() >= 25, "{} rows", rows.len());
    for row in &rows {
        assert_eq!(row.len(), 8, "row {} has {} cells: {row:?}", row[0], row.len());
    }
}

#[test]
fn every_row_cites_a_source_or_is_unverified_with_a_switch() {
    for row in rows(&register()) {
        let (number, source, sure, switch) = (&row[0], &row[3], &row[4], &row[6]);
        let cited = source.contains("http") || source.contains('#') || source.contains('`');
        let unverified_with_switch = sure.contains("unverified") && !switch.trim().starts_with('—');
        assert!(
            cited || unverified_with_switch,
            "row {number} cites no source and is not an unverified row with a switch: {row:?}"
        );
        assert!(
            ["documented", "observed", "unverified"].iter().any(|s| sure.contains(s)),
            "row {number} does not say how sure it is: {sure}"
        );
    }
}

#[test]
fn the_readme_links_the_register() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README");
    assert!(readme.contains("docs/databricks-behaviour.md"));
    assert!(!register().is_empty());
}

// ------------------------------------------------------------------------------------------------
// The repository is self-contained: the facts the code relies on live in docs/ with their public
// sources, and nothing cites a file outside the repository.
// ------------------------------------------------------------------------------------------------

fn repository_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").to_path_buf()
}

/// Every text file of the repository (what a clone holds, plus files not yet committed), without
/// build output, virtual environments, git's own files and the lock file.
fn repository_text_files() -> Vec<(String, String)> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                let skipped = ["target", ".git", "node_modules", "__pycache__"].contains(&name.as_str())
                    || name.starts_with(".venv");
                if !skipped {
                    walk(root, &path, out);
                }
            } else if name != "Cargo.lock"
                && entry.metadata().is_ok_and(|m| m.len() < 4_000_000)
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                out.push((relative, text));
            }
        }
    }
    let root = repository_root();
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files
}

/// The path-like words of a line: split at spaces, quotes, brackets and the like, trailing
/// punctuation dropped.
fn path_words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || "`'\"()[]<>{},;|*".contains(c))
        .map(|w| w.trim_end_matches(['.', ':', '!', '?']))
        .filter(|w| !w.is_empty())
}

/// What a line cites outside the repository: a relative path that climbs out of it from the
/// citing file's folder, or a Markdown document named bare (`notes.md`) that no file of the
/// repository is. Paths inside public repositories (`docs/resources/user.md` of the Terraform
/// provider) are sources, not citations of local files.
fn outside_citations(path: &str, line: &str, documents: &[&str]) -> Vec<String> {
    let depth = path.matches('/').count();
    let mut found = Vec::new();
    for word in path_words(line) {
        let relative = word.strip_prefix('/').unwrap_or(word);
        let climbs = relative.split('/').take_while(|part| *part == "..").count();
        let name = relative.trim_start_matches("./");
        let bare_document = name.len() > ".md".len()
            && name.ends_with(".md")
            && !name.contains('/')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if climbs > depth
            || (bare_document && !documents.iter().any(|d| *d == name || d.ends_with(&format!("/{name}"))))
        {
            found.push(word.to_string());
        }
    }
    found
}

#[test]
fn a_citation_outside_the_repository_is_found() {
    let documents = ["README.md", "docs/design.md"];
    assert_eq!(outside_citations("tests/api/x.rs", "see ../../../elsewhere/notes.md", &documents).len(), 1);
    assert_eq!(outside_citations("README.md", "(../elsewhere/plan.md)", &documents).len(), 1);
    assert_eq!(outside_citations("docs/a.md", "see `plan-notes.md`.", &documents), ["plan-notes.md"]);
    assert!(outside_citations("docs/a.md", "see [design](design.md) and ../README.md", &documents).is_empty());
    assert!(outside_citations("docs/a.md", "repo x/y, docs/resources/user.md", &documents).is_empty());
    assert!(outside_citations("README.md", "https://example.com/x.md", &documents).is_empty());
}

#[test]
fn nothing_in_the_repository_cites_files_outside_it() {
    let files = repository_text_files();
    assert!(files.iter().any(|(path, _)| path == "shared/src/lib.rs"), "the walk reaches the sources");
    let documents: Vec<&str> =
        files.iter().map(|(path, _)| path.as_str()).filter(|path| path.ends_with(".md")).collect();
    let mut found = Vec::new();
    // This file's own examples of citations are not citations.
    for (path, text) in files.iter().filter(|(path, _)| path != "tests/api/evidence.rs") {
        for (number, line) in text.lines().enumerate() {
            for outside in outside_citations(path, line, &documents) {
                found.push(format!("{path}:{}: cites {outside:?}", number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "cite the repository's own docs (docs/databricks-behaviour.md, docs/identity-platforms.md, \
         docs/design.md) instead:\n{}",
        found.join("\n")
    );
}

fn doc(name: &str) -> String {
    std::fs::read_to_string(repository_root().join("docs").join(name)).unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

#[test]
fn every_client_row_cites_a_source_and_says_how_sure() {
    let text = doc("identity-platforms.md");
    let mut rows = 0;
    for line in text.lines() {
        let Some(id) = ["| EN-", "| OK-", "| OI-", "| RFC-"].iter().find(|p| line.starts_with(**p)) else { continue };
        rows += 1;
        let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 5, "{id}… has {} cells: {line}", cells.len());
        let (source, sure) = (cells[2], cells[3]);
        assert!(
            ["documented", "observed", "unverified"].iter().any(|s| sure.contains(s)),
            "{} does not say how sure it is",
            cells[0]
        );
        assert!(source != "—" || sure.contains("unverified"), "{} cites no source", cells[0]);
    }
    assert!(rows >= 40, "{rows} client rows");
}

#[test]
fn the_readme_links_the_guides_and_the_client_register() {
    let readme = std::fs::read_to_string(repository_root().join("README.md")).expect("README");
    for name in ["entra.md", "okta.md", "one-identity.md", "identity-platforms.md", "design.md"] {
        assert!(readme.contains(&format!("(docs/{name})")), "README links docs/{name}");
    }
}

/// The bridge's own texts: its sources and the gateway answers of template.yaml, with Rust's
/// string continuations (`\` at a line's end) joined and `\"` unescaped.
fn bridge_texts() -> String {
    let mut files = repository_text_files();
    files.retain(|(path, _)| (path.starts_with("shared/src/") && path.ends_with(".rs")) || path == "template.yaml");
    let mut out = String::new();
    for (_, text) in files {
        let mut joined = String::new();
        for line in text.lines() {
            let piece = if joined.ends_with('\\') {
                joined.pop();
                line.trim_start()
            } else {
                joined.push('\n');
                line
            };
            joined.push_str(piece);
        }
        out.push_str(&joined.replace("\\\"", "\""));
    }
    out
}

#[test]
fn the_guides_quote_the_bridge_s_real_error_texts() {
    let texts = bridge_texts();
    for guide in ["entra.md", "okta.md", "one-identity.md"] {
        let text = doc(guide);
        let section = text.split("## ").find(|s| s.contains("Troubleshooting")).unwrap_or_default();
        let mut quoted = 0;
        for row in section.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| symptom")) {
            let symptom = row.trim_start_matches("| ").split(" | ").next().unwrap_or_default();
            for (i, piece) in symptom.split('`').enumerate() {
                if i % 2 == 0 {
                    continue;
                }
                quoted += 1;
                for fragment in piece.split('…').map(str::trim).filter(|f| f.len() >= 4) {
                    assert!(
                        texts.contains(fragment),
                        "docs/{guide} quotes a text the bridge does not write: {fragment:?} (in `{piece}`)"
                    );
                }
            }
        }
        assert!(quoted >= 15, "docs/{guide} quotes {quoted} error texts in its troubleshooting table");
    }
}
