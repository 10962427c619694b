//! `ext.json`: the configuration a third-party platform gives the mini-programs it builds
//! from one template. Beside `app.json`, its `ext` object is what `wx.getExtConfigSync()`
//! returns — but only while `extEnable` is `true`; otherwise the app sees `{}`, as on the
//! platform. Its other keys (`extPages`, `window`, `tabBar`, `networkTimeout`) override
//! `app.json` when the platform builds the app; Capsule runs `app.json` as written and says so.

use crate::diagnostic::Diagnostics;
use crate::files::Files;
use crate::schema::{Checker, parse_json_file};

/// The file's name, at the mini-program root.
pub const EXT_JSON: &str = "ext.json";

/// The `ext` object the app sees, or `None` when there is no `ext.json`, `extEnable` is not
/// `true`, or the file is too broken to read (its problems are in `diags`).
pub fn load(files: &Files, diags: &mut Diagnostics) -> Option<serde_json::Value> {
    let bytes = files.get(EXT_JSON)?;
    let file = parse_json_file(EXT_JSON, bytes, diags)?;
    let mut c = Checker::new(&file, diags);
    let members = c.root_members()?;
    let mut enabled = false;
    let mut ext = None;
    for m in members {
        match m.key.as_str() {
            "extEnable" => enabled = c.bool(&m.value, "extEnable").unwrap_or(false),
            "ext" => ext = c.object(&m.value, "ext").map(|_| m.value.to_value()),
            "extAppid" => {
                c.string(&m.value, "extAppid");
            }
            "directCommit" => {
                c.bool(&m.value, "directCommit");
            }
            "extPages" | "window" | "tabBar" | "networkTimeout" => {
                c.warning(
                    m.key_span,
                    format!("\"{}\" in ext.json is not applied: Capsule runs app.json as written", m.key),
                );
            }
            _ => c.unknown_key(m, "ext.json"),
        }
    }
    if !enabled {
        return None;
    }
    Some(ext.unwrap_or_else(|| serde_json::json!({})))
}
