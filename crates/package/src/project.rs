//! `project.config.json`: the developer-tools file beside a WeChat mini-program. It names the
//! app id, the folder the mini-program lives in (`miniprogramRoot`), and what packing leaves
//! out (`packOptions.ignore`) or keeps despite that (`packOptions.include`), and which
//! languages its tools compile (`setting.useCompilerPlugins`).

use crate::diagnostic::{Diagnostics, Span};
use crate::json::{Json, JsonValue};
use crate::plugins::{Plugin, PluginSet};
use crate::schema::{Checker, JsonFile};

pub const PROJECT_CONFIG: &str = "project.config.json";
/// A developer's private overrides of `project.config.json`, merged over it.
pub const PROJECT_PRIVATE_CONFIG: &str = "project.private.config.json";

/// What `project.config.json` says about packing.
#[derive(Clone, Debug, Default)]
pub struct ProjectConfig {
    pub appid: Option<String>,
    pub project_name: Option<String>,
    /// The mini-program's folder inside the project, normalised (`""` for the project root).
    pub miniprogram_root: String,
    pub ignore: Vec<PackRule>,
    pub include: Vec<PackRule>,
    /// `setting.useCompilerPlugins`: the languages compiled to `.js` / `.wxss` when loaded.
    pub compiler_plugins: PluginSet,
}

/// One `packOptions` entry: `{ "type": "folder", "value": "docs" }`.
#[derive(Clone, Debug)]
pub struct PackRule {
    pub matcher: PackMatcher,
}

#[derive(Clone, Debug)]
pub enum PackMatcher {
    Folder(String),
    File(String),
    Suffix(String),
    Prefix(String),
    Glob(String),
    Regexp(regex_lite::Regex),
}

impl PackRule {
    /// Whether the rule matches `path` (relative to the mini-program root). Matching ignores
    /// case, as WeChat's tools do for every rule value.
    pub fn matches(&self, path: &str) -> bool {
        if let PackMatcher::Regexp(re) = &self.matcher {
            return re.is_match(path);
        }
        let path = path.to_lowercase();
        let path = path.as_str();
        let base = path.rsplit('/').next().unwrap_or(path);
        match &self.matcher {
            PackMatcher::Folder(dir) => {
                dir.is_empty() || path.strip_prefix(dir.as_str()).is_some_and(|rest| rest.starts_with('/'))
            }
            PackMatcher::File(file) => path == file,
            PackMatcher::Suffix(suffix) => path.ends_with(suffix.as_str()),
            PackMatcher::Prefix(prefix) => {
                base.starts_with(prefix.as_str()) || path.starts_with(prefix.as_str())
            }
            PackMatcher::Glob(pattern) => glob_matches(pattern, path),
            PackMatcher::Regexp(_) => unreachable!("matched above"),
        }
    }
}

/// Strips `./`, leading and trailing slashes; `..` is kept so the caller can refuse it.
pub fn normalize_relative(path: &str) -> String {
    path.split(['/', '\\']).filter(|p| !p.is_empty() && *p != ".").collect::<Vec<_>>().join("/")
}

impl ProjectConfig {
    /// Reads the config from its file (and the private overrides, when present).
    pub fn from_files(
        main: Option<&JsonFile>,
        private: Option<&JsonFile>,
        diags: &mut Diagnostics,
    ) -> ProjectConfig {
        let mut config = ProjectConfig::default();
        for file in [main, private].into_iter().flatten() {
            config.read(file, diags);
        }
        config
    }

    fn read(&mut self, file: &JsonFile, diags: &mut Diagnostics) {
        let mut c = Checker::new(file, diags);
        let Some(members) = c.root_members() else { return };
        // The file holds many developer-tool settings; only the keys that matter here are read,
        // and none is warned about.
        for m in members {
            match m.key.as_str() {
                "appid" => {
                    // The tools write "touristappid" for projects without a registered id; two
                    // such projects must not share an id, so it counts as no id.
                    self.appid =
                        c.string(&m.value, "appid").filter(|id| !id.is_empty() && id != "touristappid");
                }
                "projectname" => self.project_name = c.string(&m.value, "projectname"),
                "miniprogramRoot" => {
                    if let Some(root) = c.string(&m.value, "miniprogramRoot") {
                        let root = normalize_relative(&root);
                        if root.split('/').any(|p| p == "..") {
                            c.error(m.value.span, "\"miniprogramRoot\" must stay inside the project folder");
                        } else {
                            self.miniprogram_root = root;
                        }
                    }
                }
                "packOptions" => {
                    let Some(options) = c.object(&m.value, "packOptions") else { continue };
                    for option in options {
                        match option.key.as_str() {
                            "ignore" => self.ignore = rules(&mut c, &option.value, "packOptions.ignore"),
                            "include" => self.include = rules(&mut c, &option.value, "packOptions.include"),
                            _ => c.unknown_key(option, "packOptions"),
                        }
                    }
                }
                "setting" => {
                    let Some(settings) = c.object(&m.value, "setting") else { continue };
                    if let Some(plugins) = settings.iter().find(|s| s.key == "useCompilerPlugins") {
                        self.compiler_plugins = compiler_plugins(&mut c, &plugins.value);
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether a file at `path` (relative to the mini-program root) is packed.
    pub fn is_packed(&self, path: &str) -> bool {
        if path.split('/').any(crate::source::is_never_packed) {
            return false;
        }
        !self.ignore.iter().any(|r| r.matches(path)) || self.include.iter().any(|r| r.matches(path))
    }
}

/// `false`, or a list of plugin names (`["typescript", "sass"]`) or of objects naming one
/// (`{"type": "sass", "option": {...}}`; the options are the tools' own and not read here).
fn compiler_plugins(c: &mut Checker<'_, '_>, value: &Json) -> PluginSet {
    const NAME: &str = "setting.useCompilerPlugins";
    let mut set = PluginSet::new();
    let items = match &value.value {
        JsonValue::Bool(false) | JsonValue::Null => return set,
        JsonValue::Array(items) => items,
        _ => {
            c.warning(
                value.span,
                format!("\"{NAME}\" must be false or a list such as [\"typescript\", \"sass\"]"),
            );
            return set;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let name = match (&item.value, item.get("type")) {
            (JsonValue::String(name), _) => Some((name.clone(), item.span)),
            (JsonValue::Object(_), Some(kind)) => {
                c.string(kind, &format!("{NAME}[{i}].type")).map(|n| (n, kind.span))
            }
            _ => {
                c.warning(item.span, format!("\"{NAME}[{i}]\" must be a plugin name or {{\"type\": name}}"));
                None
            }
        };
        let Some((name, span)) = name else { continue };
        match Plugin::from_name(&name) {
            Some(plugin) => {
                set.insert(plugin);
            }
            None => {
                c.warning(
                    span,
                    format!("unknown compiler plugin \"{name}\": the tools know typescript, less and sass"),
                );
            }
        }
    }
    set
}

fn rules(c: &mut Checker<'_, '_>, value: &crate::json::Json, name: &str) -> Vec<PackRule> {
    let Some(items) = c.array(value, name) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_name = format!("{name}[{i}]");
        if c.object(item, &item_name).is_none() {
            continue;
        }
        let (Some(kind), Some(val)) = (item.get("type"), item.get("value")) else {
            c.error(item.span, format!("\"{item_name}\" needs both \"type\" and \"value\""));
            continue;
        };
        let kinds = ["folder", "file", "suffix", "prefix", "glob", "regexp"];
        let (Some(kind), Some(val)) = (
            c.one_of(kind, &format!("{item_name}.type"), &kinds),
            c.string(val, &format!("{item_name}.value")),
        ) else {
            continue;
        };
        let lower = val.to_lowercase();
        let matcher = match kind.as_str() {
            "folder" => PackMatcher::Folder(normalize_relative(&lower)),
            "file" => PackMatcher::File(normalize_relative(&lower)),
            "suffix" => PackMatcher::Suffix(lower),
            "prefix" => PackMatcher::Prefix(lower),
            "glob" => PackMatcher::Glob(normalize_relative(&lower)),
            _ => match regex_lite::Regex::new(&format!("(?i){val}")) {
                Ok(re) => PackMatcher::Regexp(re),
                Err(e) => {
                    let span: Span = item.get("value").map_or(item.span, |v| v.span);
                    c.error(span, format!("\"{item_name}.value\" is not a valid regular expression: {e}"));
                    continue;
                }
            },
        };
        out.push(PackRule { matcher });
    }
    out
}

/// Matches a glob against a path: `*` is any run of characters but `/`, `**` any run
/// including `/` (and `**/` also matches no folder at all), `?` one character but `/`,
/// `[abc]` / `[a-z]` / `[!a]` a class. Dynamic programming over (pattern, path) positions, so
/// no pattern can make it slow.
///
/// ```
/// use capsule_package::project::glob_matches;
/// assert!(glob_matches("**/*.md", "README.md"));
/// assert!(glob_matches("**/*.md", "docs/a/b.md"));
/// assert!(glob_matches("images/*.png", "images/a.png"));
/// assert!(!glob_matches("images/*.png", "images/x/a.png"));
/// ```
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = path.chars().collect();
    // reachable[j]: the pattern consumed so far can match text[..j].
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    let mut p = 0;
    while p < pat.len() {
        let mut next = vec![false; text.len() + 1];
        match pat[p] {
            '*' if pat.get(p + 1) == Some(&'*') => {
                let slash_follows = pat.get(p + 2) == Some(&'/');
                let mut any = false;
                for j in 0..=text.len() {
                    any |= reachable[j];
                    next[j] = any;
                }
                if slash_follows {
                    // `**/` matches zero or more whole folders.
                    let mut after = vec![false; text.len() + 1];
                    for j in 0..=text.len() {
                        after[j] = reachable[j] || (j > 0 && next[j - 1] && text[j - 1] == '/');
                    }
                    next = after;
                    p += 3;
                } else {
                    p += 2;
                }
            }
            '*' => {
                let mut run = false;
                for j in 0..=text.len() {
                    run = reachable[j] || (run && j > 0 && text[j - 1] != '/');
                    next[j] = run;
                }
                p += 1;
            }
            '?' => {
                for j in 1..=text.len() {
                    next[j] = reachable[j - 1] && text[j - 1] != '/';
                }
                p += 1;
            }
            '[' => match parse_class(&pat, p) {
                Some((class, end)) => {
                    for j in 1..=text.len() {
                        next[j] = reachable[j - 1] && text[j - 1] != '/' && class.matches(text[j - 1]);
                    }
                    p = end;
                }
                None => {
                    for j in 1..=text.len() {
                        next[j] = reachable[j - 1] && text[j - 1] == '[';
                    }
                    p += 1;
                }
            },
            c => {
                for j in 1..=text.len() {
                    next[j] = reachable[j - 1] && text[j - 1] == c;
                }
                p += 1;
            }
        }
        reachable = next;
    }
    reachable[text.len()]
}

struct CharClass {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl CharClass {
    fn matches(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

fn parse_class(pat: &[char], open: usize) -> Option<(CharClass, usize)> {
    let mut i = open + 1;
    let negated = matches!(pat.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    while let Some(&c) = pat.get(i) {
        if c == ']' && !first {
            return Some((CharClass { negated, ranges }, i + 1));
        }
        first = false;
        if pat.get(i + 1) == Some(&'-') && pat.get(i + 2).is_some_and(|&hi| hi != ']') {
            ranges.push((c, pat[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::parse_json_file;

    fn config(text: &str) -> (ProjectConfig, Diagnostics) {
        let mut diags = Diagnostics::default();
        let file = parse_json_file(PROJECT_CONFIG, text.as_bytes(), &mut diags).unwrap();
        let config = ProjectConfig::from_files(Some(&file), None, &mut diags);
        (config, diags)
    }

    #[test]
    fn globs() {
        let cases = [
            ("*.js", "app.js", true),
            ("*.js", "pages/app.js", false),
            ("**/*.js", "pages/a/app.js", true),
            ("**", "a/b/c", true),
            ("docs/**", "docs/a/b.md", true),
            ("a/**/b.md", "a/b.md", true),
            ("a/**/b.md", "a/x/y/b.md", true),
            ("a/**/b.md", "ab.md", false),
            ("?.png", "a.png", true),
            ("?.png", "ab.png", false),
            ("[ab].txt", "b.txt", true),
            ("[!ab].txt", "b.txt", false),
            ("[a-c]x", "cx", true),
            ("[", "[", true),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(glob_matches(pattern, path), expected, "{pattern} ~ {path}");
        }
        // A pattern that would make a backtracking matcher exponential.
        let long = "a".repeat(200);
        assert!(!glob_matches(&"*a".repeat(50).replace("*a", "*a*"), &(long + "b/")));
    }

    #[test]
    fn pack_options_decide_what_is_packed() {
        let (config, diags) = config(
            r#"{
              "appid": "wx123",
              "miniprogramRoot": "./miniprogram/",
              "packOptions": {
                "ignore": [
                  {"type": "folder", "value": "docs"},
                  {"type": "suffix", "value": ".PSD"},
                  {"type": "prefix", "value": "test-"},
                  {"type": "regexp", "value": "\\.bak$"},
                  {"type": "glob", "value": "mock/**/*.json"},
                  {"type": "file", "value": "notes.txt"}
                ],
                "include": [{"type": "file", "value": "docs/keep.md"}]
              }
            }"#,
        );
        assert!(diags.is_empty(), "{diags}");
        assert_eq!(config.appid.as_deref(), Some("wx123"));
        assert_eq!(config.miniprogram_root, "miniprogram");
        for (path, packed) in [
            ("app.js", true),
            ("docs/a.md", false),
            ("docs/keep.md", true),
            ("docsy/a.md", true),
            ("art/logo.psd", false),
            ("Docs/b.md", false),
            ("utils/test-a.js", false),
            ("a.js.bak", false),
            ("mock/x/y.json", false),
            ("mock.json", true),
            ("notes.txt", false),
            (".eslintrc.js", false),
            ("components/.cache/x.js", false),
            ("node_modules/x/index.js", false),
            ("miniprogram_npm/x/index.js", true),
        ] {
            assert_eq!(config.is_packed(path), packed, "{path}");
        }
    }

    #[test]
    fn tourist_appid_counts_as_none() {
        assert_eq!(config(r#"{"appid": "touristappid"}"#).0.appid, None);
    }

    #[test]
    fn bad_options_are_reported_each() {
        let (_, diags) = config(
            r#"{"miniprogramRoot": "../x", "packOptions": {"ignore": [{"type": "word", "value": "a"}, {"type": "regexp", "value": "("}, 3], "extra": 1}}"#,
        );
        let messages: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert_eq!(messages[0], "\"miniprogramRoot\" must stay inside the project folder");
        assert!(messages[1].starts_with("\"packOptions.ignore[0].type\" must be one of"));
        assert!(messages[2].starts_with("\"packOptions.ignore[1].value\" is not a valid regular expression"));
        assert_eq!(messages[3], "\"packOptions.ignore[2]\" must be an object, found number");
        assert_eq!(messages[4], "unknown key \"extra\" in packOptions; it is ignored");
    }
}
