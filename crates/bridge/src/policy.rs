//! The host's policy file: what it allows, denies or asks a person for, and which network
//! origins apps may reach. Unknown keys are errors, so a typo never silently grants; each
//! error says which key is wrong and why ([`PolicyError`]).

use std::collections::HashMap;

use crate::{Options, Rule, origin};

/// Why a policy file was refused. Its `Display` is the message a person reads (`unknown key
/// `network.sockets`; the lists are …`), naming the key that is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The text is not TOML: the parser's message, which names the line.
    Syntax(String),
    /// A key the policy format does not have (`network.sockets`), and, where it helps, the
    /// keys that place has.
    UnknownKey { key: String, expected: Option<&'static str> },
    /// A value of the wrong kind: the key and what it must be (`be a table`).
    Shape { key: String, must: &'static str },
    /// A scope's rule that is not "allow", "deny" or "prompt": the key (`scopes."scope.camera"`)
    /// and what was found (`"maybe"`, or a TOML type).
    Rule { key: String, found: String },
    /// An entry of a network list that is not an https:// or wss:// origin (nor this
    /// machine over http): the list (`network.domains`) and the entry.
    Origin { list: String, entry: String },
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::Syntax(message) => f.write_str(message),
            PolicyError::UnknownKey { key, expected: Some(expected) } => {
                write!(f, "unknown key `{key}`; {expected}")
            }
            PolicyError::UnknownKey { key, expected: None } => write!(f, "unknown key `{key}`"),
            PolicyError::Shape { key, must } => write!(f, "`{key}` must {must}"),
            PolicyError::Rule { key, found } => {
                write!(f, "`{key}` must be \"allow\", \"deny\" or \"prompt\", found {found}")
            }
            PolicyError::Origin { list, entry } => {
                write!(f, "`{list}`: `{entry}` must be an https:// or wss:// origin")
            }
        }
    }
}

impl std::error::Error for PolicyError {}

impl From<PolicyError> for String {
    fn from(e: PolicyError) -> String {
        e.to_string()
    }
}

/// Reads a host policy file (TOML) into `options`:
///
/// ```toml
/// [scopes]
/// "scope.userLocation" = "prompt"   # allow | deny | prompt
///
/// [network]
/// domains = ["https://api.example.com"]
///
/// [apps."wx0123456789abcdef".scopes]
/// "scope.userLocation" = "allow"
/// ```
///
/// Errors name the line and what is wrong. Unknown keys are errors too: a typo in a policy
/// must not silently grant or deny.
///
/// ```
/// use capsule_bridge::{Options, PolicyError, parse_policy};
///
/// let mut options = Options::default();
/// let typo = parse_policy("[network]\nsockets = []", &mut options).unwrap_err();
/// assert!(matches!(&typo, PolicyError::UnknownKey { key, .. } if key == "network.sockets"));
/// assert!(typo.to_string().starts_with("unknown key `network.sockets`"));
/// ```
pub fn parse_policy(text: &str, options: &mut Options) -> Result<(), PolicyError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| PolicyError::Syntax(e.to_string()))?;
    fn rules(t: &toml::Value, at: &str) -> Result<HashMap<String, Rule>, PolicyError> {
        let t = t.as_table().ok_or_else(|| PolicyError::Shape {
            key: at.to_string(),
            must: "be a table of scope = \"allow\" | \"deny\" | \"prompt\"",
        })?;
        t.iter()
            .map(|(scope, v)| {
                let rule = match v.as_str() {
                    Some("allow") => Rule::Allow,
                    Some("deny") => Rule::Deny,
                    Some("prompt") => Rule::Prompt,
                    _ => {
                        return Err(PolicyError::Rule {
                            key: format!("{at}.\"{scope}\""),
                            found: v
                                .as_str()
                                .map_or_else(|| v.type_str().to_string(), |s| format!("\"{s}\"")),
                        });
                    }
                };
                Ok((scope.clone(), rule))
            })
            .collect()
    }
    let shape = |key: &str, must: &'static str| PolicyError::Shape { key: key.to_string(), must };
    for (key, value) in &table {
        match key.as_str() {
            "scopes" => options.rules.extend(rules(value, "scopes")?),
            "network" => {
                let net = value.as_table().ok_or_else(|| shape("network", "be a table"))?;
                for (k, v) in net {
                    // `domains` serve every kind of call; a kind's own list adds to them, as the
                    // platform keeps one list per kind.
                    let target = match k.as_str() {
                        "domains" => &mut options.domains,
                        kind @ ("request" | "socket" | "uploadFile" | "downloadFile" | "webView") => {
                            options.kind_domains.entry(kind.to_string()).or_default()
                        }
                        other => {
                            return Err(PolicyError::UnknownKey {
                                key: format!("network.{other}"),
                                expected: Some(
                                    "the lists are domains, request, socket, uploadFile, downloadFile and webView",
                                ),
                            });
                        }
                    };
                    let list_key = format!("network.{k}");
                    let list = v.as_array().ok_or_else(|| shape(&list_key, "be an array of origins"))?;
                    for d in list {
                        let d = d.as_str().ok_or_else(|| shape(&list_key, "hold strings"))?;
                        let origin = origin::origin_of(d).unwrap_or_default();
                        let local = origin == "http://127.0.0.1" || origin.starts_with("http://127.0.0.1:");
                        if !(origin.starts_with("https://") || origin.starts_with("wss://") || local) {
                            return Err(PolicyError::Origin { list: list_key, entry: d.to_string() });
                        }
                        target.push(d.trim_end_matches('/').to_string());
                    }
                }
            }
            "apps" => {
                let apps = value.as_table().ok_or_else(|| shape("apps", "be a table of app ids"))?;
                for (id, app) in apps {
                    let app = app.as_table().ok_or_else(|| shape(&format!("apps.\"{id}\""), "be a table"))?;
                    for (k, v) in app {
                        match k.as_str() {
                            "scopes" => {
                                options
                                    .app_rules
                                    .entry(id.clone())
                                    .or_default()
                                    .extend(rules(v, &format!("apps.\"{id}\".scopes"))?);
                            }
                            other => {
                                return Err(PolicyError::UnknownKey {
                                    key: format!("apps.\"{id}\".{other}"),
                                    expected: None,
                                });
                            }
                        }
                    }
                }
            }
            other => {
                return Err(PolicyError::UnknownKey {
                    key: other.to_string(),
                    expected: Some("a policy has [scopes], [network] and [apps]"),
                });
            }
        }
    }
    Ok(())
}
