//! `setData` keys: `a.b[3].c` parsed into a [`Path`], and applied to page data the way the
//! platform applies them.

use serde_json::{Map, Value};

use crate::ir::Path;

/// Parses a `setData` key. Dots separate properties; `[n]` indexes arrays.
///
/// ```
/// use capsule_template::path::parse_data_path;
/// assert_eq!(parse_data_path("list[3].done").unwrap(), ["list", "3", "done"]);
/// assert_eq!(parse_data_path("a.b[0][1]").unwrap(), ["a", "b", "0", "1"]);
/// assert!(parse_data_path("a[x]").is_err());
/// ```
pub fn parse_data_path(key: &str) -> Result<Path, String> {
    let mut path = Vec::new();
    let mut current = String::new();
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if current.is_empty() && !path.is_empty() && key.as_bytes().first() != Some(&b'.') {
                    // `a[0].b`: the dot after `]` starts the next name.
                } else if current.is_empty() {
                    return Err(format!("`{key}` has an empty name before `.`"));
                }
                if !current.is_empty() {
                    path.push(std::mem::take(&mut current));
                }
            }
            '[' => {
                if !current.is_empty() {
                    path.push(std::mem::take(&mut current));
                }
                if path.is_empty() {
                    return Err(format!("`{key}` starts with an index"));
                }
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(d) if d.is_ascii_digit() => digits.push(d),
                        _ => return Err(format!("`{key}`: only numbers may stand between `[` and `]`")),
                    }
                }
                let n: usize = digits.parse().map_err(|_| format!("`{key}` has an empty or huge index"))?;
                path.push(n.to_string());
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        path.push(current);
    }
    if path.is_empty() {
        return Err("an empty key".to_string());
    }
    Ok(path)
}

/// How far past an array's end an index may reach (the gap fills with `null`): a script must
/// not make the host allocate without bound with one key.
pub const MAX_INDEX_GAP: usize = 10_000;

/// Sets `value` at `path` in `data`, creating objects and arrays on the way as the platform
/// does (an index on a missing value makes an array; indices past the end pad with `null`,
/// up to [`MAX_INDEX_GAP`] of them).
///
/// ```
/// use capsule_template::path::{parse_data_path, set_path};
/// let mut data = serde_json::json!({"list": [{"done": false}]});
/// set_path(&mut data, &parse_data_path("list[0].done").unwrap(), true.into()).unwrap();
/// set_path(&mut data, &parse_data_path("list[2].done").unwrap(), false.into()).unwrap();
/// set_path(&mut data, &parse_data_path("a.b").unwrap(), 1.into()).unwrap();
/// assert_eq!(data, serde_json::json!({"list": [{"done": true}, null, {"done": false}], "a": {"b": 1}}));
/// assert!(set_path(&mut data, &parse_data_path("list[99999999]").unwrap(), 1.into()).is_err());
/// ```
pub fn set_path(data: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    check_gaps(data, path)?;
    let Some((last, parents)) = path.split_last() else { return Ok(()) };
    let mut target = data;
    for (i, key) in parents.iter().enumerate() {
        let next_is_index = path[i + 1].parse::<usize>().is_ok();
        target = child_mut(target, key, next_is_index);
    }
    match target {
        Value::Array(items) => {
            if let Ok(i) = last.parse::<usize>() {
                if i >= items.len() {
                    items.resize(i + 1, Value::Null);
                }
                items[i] = value;
            }
        }
        Value::Object(map) => {
            map.insert(last.clone(), value);
        }
        other => {
            let mut map = Map::new();
            map.insert(last.clone(), value);
            *other = Value::Object(map);
        }
    }
    Ok(())
}

/// The `length`s a set at `path` may have changed, as paths, found in `data` after the set:
/// that of each array the path sets its last item of, or an item past its end (`list[3].done`
/// on a list of three or four changes `list.length`; on one of ten, it does not).
///
/// ```
/// use capsule_template::path::{grown_lengths, parse_data_path};
/// let data = serde_json::json!({"list": [{"tags": ["a"]}, {"tags": ["a", "b"]}]});
/// let lengths = |key| grown_lengths(&data, &parse_data_path(key).unwrap());
/// assert_eq!(lengths("list[1].tags[0]"), [["list", "length"]]);
/// assert_eq!(lengths("list[0].tags[0]"), [["list", "0", "tags", "length"]]);
/// assert!(lengths("list[0].name").is_empty());
/// ```
pub fn grown_lengths(data: &Value, path: &[String]) -> Vec<Path> {
    let mut out = Vec::new();
    // Only arrays indexed on the way matter: the walk stops at the last index.
    let Some(last) = path.iter().rposition(|key| key.parse::<usize>().is_ok()) else { return out };
    let mut node = Some(data);
    for (at, key) in path[..=last].iter().enumerate() {
        node = match node {
            Some(Value::Array(items)) => {
                let index = key.parse::<usize>().ok();
                if index.is_some_and(|i| i + 1 >= items.len()) {
                    let mut length = path[..at].to_vec();
                    length.push("length".to_string());
                    out.push(length);
                }
                index.and_then(|i| items.get(i))
            }
            Some(Value::Object(map)) => map.get(key),
            _ => None,
        };
    }
    out
}

/// Refuses an index that would pad an array (existing or new) with more than
/// [`MAX_INDEX_GAP`] nulls, before anything changes.
pub fn check_gaps(data: &Value, path: &[String]) -> Result<(), String> {
    let mut node = Some(data);
    for key in path {
        let len = match node {
            Some(Value::Array(items)) => items.len(),
            _ => 0,
        };
        if let Ok(i) = key.parse::<usize>()
            && i > len.saturating_add(MAX_INDEX_GAP)
        {
            return Err(format!("index {i} is more than {MAX_INDEX_GAP} past the end of an array of {len}"));
        }
        node = match node {
            Some(Value::Array(items)) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            Some(Value::Object(map)) => map.get(key),
            _ => None,
        };
    }
    Ok(())
}

fn child_mut<'v>(target: &'v mut Value, key: &str, make_array: bool) -> &'v mut Value {
    let fresh = || if make_array { Value::Array(Vec::new()) } else { Value::Object(Map::new()) };
    let index = key.parse::<usize>().ok().filter(|_| target.is_array());
    if let Some(i) = index {
        let Value::Array(items) = target else { unreachable!("checked to be an array") };
        if i >= items.len() {
            items.resize(i + 1, Value::Null);
        }
        if !items[i].is_object() && !items[i].is_array() {
            items[i] = fresh();
        }
        return &mut items[i];
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else { unreachable!("made an object above") };
    let child = map.entry(key.to_string()).or_insert_with(fresh);
    if !child.is_object() && !child.is_array() {
        *child = fresh();
    }
    child
}
